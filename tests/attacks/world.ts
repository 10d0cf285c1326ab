// The attack catalogue's world: a real authority, a provider and a consumer in the medical sector, and an
// outsider (a member of the finance sector), full connectors on 127.0.0.1 with real SQLite. Every scenario
// takes a snapshot of both connectors' records before the attack and checks nothing changed after it.
import { expect } from 'chai';
import { changes, snapshot } from '../../fuzz/http/oracle.js';
import type {
  ControlPlaneConnector,
  ControlPlaneConnectorOptions,
} from '../../connector/process/run-connector.js';
import {
  bankApplication,
  hospitalApplication,
  startLocalDataSpace,
  type HttpResult,
  type LocalDataSpace,
} from '../authority/helpers.js';
import { management, pid, startMember, waitForState } from '../dsp/helpers.js';
import { finalizedAgreement, publishDataset } from '../dsp/scenario.js';

export const DATASET = 'urn:dataset:attacks';

export interface StartedTransfer {
  /** The consumer's id of the transfer. */
  readonly id: string;
  readonly providerPid: string;
  readonly endpoint: string;
  readonly authorization: string;
}

export interface AttackWorld {
  readonly space: LocalDataSpace;
  readonly provider: ControlPlaneConnector;
  readonly consumer: ControlPlaneConnector;
  /** A member of the data space, but of another sector and party to nothing. */
  readonly outsider: ControlPlaneConnector;
  /** Both connectors' negotiations, transfers, agreements, assets and offers. */
  records(): Promise<Map<string, string>>;
  /** A FINALIZED agreement between the consumer and the provider on DATASET. */
  agreement(): Promise<string>;
  /** A STARTED pull transfer under `agreementId`, with its endpoint data reference. */
  pull(agreementId: string): Promise<StartedTransfer>;
  close(): Promise<void>;
}

export async function startAttackWorld(
  providerOptions: Partial<ControlPlaneConnectorOptions> = {},
): Promise<AttackWorld> {
  const space = await startLocalDataSpace();
  const provider = await startMember(
    space,
    'provider',
    hospitalApplication({ organisationName: 'Provider Hospital' }),
    providerOptions,
  );
  const consumer = await startMember(space, 'consumer', hospitalApplication());
  const outsider = await startMember(space, 'outsider', bankApplication());
  await publishDataset(provider, DATASET);
  return {
    space,
    provider,
    consumer,
    outsider,
    records: () => snapshot(provider, consumer),
    agreement: () => finalizedAgreement(consumer, provider, DATASET),
    pull: async (agreementId) => {
      const requested = await management(consumer).post('/transfers', {
        agreementId,
        format: 'HttpData-PULL',
      });
      if (requested.status !== 201) throw new Error(`transfer refused: ${JSON.stringify(requested.body)}`);
      const id = String(requested.body.id);
      const started = await waitForState(consumer, `/transfers/${pid(id)}`, 'STARTED', 20_000);
      const access = started.access as { endpoint: string; authorization: string };
      return { id, providerPid: String(started.providerPid), ...access };
    },
    close: () => space.close(),
  };
}

/** Runs `attack` and checks that no record of either connector changed because of it. */
export async function leavesNoTrace<T>(world: AttackWorld, attack: () => Promise<T>): Promise<T> {
  const before = await world.records();
  const result = await attack();
  expect(changes(before, await world.records()), 'records changed by a refused request').to.deep.equal([]);
  return result;
}

/** A DSP error body: its type, a stable code and a reason that says why. */
export function expectDspError(answer: HttpResult, status: number, type: string, reason: RegExp): void {
  expect(answer.status, JSON.stringify(answer.body)).to.equal(status);
  expect(answer.body['@type']).to.equal(type);
  expect(JSON.stringify(answer.body.reason), JSON.stringify(answer.body.reason)).to.match(reason);
}

/** A problem+json answer with this status and type (the last segment of its type URI). */
export function expectProblem(answer: HttpResult, status: number, code: string, detail?: RegExp): void {
  expect(answer.status, JSON.stringify(answer.body)).to.equal(status);
  expect(answer.headers.get('content-type')).to.match(/^application\/problem\+json/);
  expect(answer.body.type).to.equal(`https://w3id.org/shuyu/v1/problems/${code}`);
  if (detail) expect(String(answer.body.detail)).to.match(detail);
}
