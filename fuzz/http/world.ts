// The world the HTTP fuzzer attacks: a real authority (in this process) and two onboarded connectors
// as child processes on 127.0.0.1 (the provider is the main target, the consumer's management API too),
// with processes in known states: a FINALIZED negotiation with its agreement, one waiting in REQUESTED
// for the provider's operator, a STARTED pull transfer with its EDR token and a SUSPENDED one. The
// fuzzer signs DSP requests as the consumer (its key directory, read here), as a third member who is
// no party to anything, and with an expired token.
import { join } from 'node:path';
import { createSecureTokenService, type SecureTokenService } from '../../connector/identity/dcp/sts.js';
import { openProcessIdentity } from '../../connector/identity/process-identity.js';
import { startControlPlaneConnector } from '../../connector/process/run-connector.js';
import { writeConfigFile } from '../../connector/process/config.js';
import { NO_RATE_LIMITS } from '../../connector/http/rate-limit/index.js';
import {
  hospitalApplication,
  onboard,
  startLocalDataSpace,
  USCC_B,
  type LocalDataSpace,
} from '../../tests/authority/helpers.js';
import {
  assetInput,
  catalogOfferId,
  management,
  MEMBERS_ACCESS,
  medicalContract,
  pid,
  waitFor,
  waitForState,
} from '../../tests/dsp/helpers.js';
import { startChild, type ChildConnector, type ChildOptions } from '../../tests/dsp/processes.js';

export const DATASET = 'urn:dataset:fuzz-open';
export const REVIEWED = 'urn:dataset:fuzz-reviewed';
/** Asset the management fuzzing may update and delete (the fixtures' assets stay untouched). */
export const SCRATCH = 'urn:dataset:fuzz-scratch';

export interface TransferFixture {
  /** The provider's id (the data plane path and the DSP pid on the provider). */
  readonly providerPid: string;
  readonly consumerPid: string;
  readonly endpoint: string;
  readonly authorization: string;
}

export interface Fixtures {
  readonly agreementId: string;
  /** FINALIZED on both sides. */
  readonly finalized: { readonly providerPid: string; readonly consumerPid: string };
  /** REQUESTED at the provider (manual approval). */
  readonly pending: { readonly providerPid: string; readonly consumerPid: string };
  readonly started: TransferFixture;
  readonly suspended: TransferFixture;
}

export interface FuzzWorld {
  readonly dir: string;
  readonly provider: ChildConnector;
  readonly consumer: ChildConnector;
  fixtures: Fixtures;
  /** A request token from the consumer to the provider. */
  consumerToken(): Promise<string>;
  /** A request token from the provider to the consumer (for the consumer's DSP callbacks). */
  providerToken(): Promise<string>;
  /** A request token from a member that is party to nothing. */
  strangerToken(): Promise<string>;
  /** A correctly signed consumer token that expired an hour ago. */
  expiredToken(): Promise<string>;
  /** Re-creates the fixtures a accepted message moved out of their states; returns what it re-created. */
  repairFixtures(): Promise<string[]>;
  close(): Promise<void>;
}

export async function startFuzzWorld(): Promise<FuzzWorld> {
  const space = await startLocalDataSpace();
  let provider: ChildConnector | undefined;
  let consumer: ChildConnector | undefined;
  try {
    const providerOptions = await prepare(space, 'provider', hospitalApplication({ organisationName: 'P' }));
    const consumerOptions = await prepare(
      space,
      'consumer',
      hospitalApplication({ organisationName: 'Consumer Clinic', registrationNumber: USCC_B }),
    );
    [provider, consumer] = await Promise.all([startChild(providerOptions), startChild(consumerOptions)]);
    const stranger = await space.startConnector('stranger');
    await onboard(
      space,
      stranger,
      hospitalApplication({ organisationName: 'Stranger', contact: 's@x.example' }),
    );

    const consumerSts = await stsFor(consumerOptions.dir, consumer.url);
    const providerSts = await stsFor(providerOptions.dir, provider.url);
    const pastSts = await stsFor(consumerOptions.dir, consumer.url, () => new Date(Date.now() - 3_600_000));
    await publish(provider);
    const p = provider;
    const c = consumer;
    const world: FuzzWorld = {
      dir: space.dir,
      provider: p,
      consumer: c,
      fixtures: await createFixtures(p, c),
      consumerToken: () => consumerSts.tokenFor(p.did),
      providerToken: () => providerSts.tokenFor(c.did),
      strangerToken: () => stranger.requestTokenFor(p.did),
      expiredToken: () => pastSts.tokenFor(p.did),
      repairFixtures: async () => {
        const broken = await brokenFixtures(p, c, world.fixtures);
        if (broken.length > 0) world.fixtures = await createFixtures(p, c, world.fixtures, broken);
        return broken;
      },
      close: async () => {
        await Promise.all([p.stop(), c.stop()]);
        await space.close();
      },
    };
    return world;
  } catch (error) {
    await Promise.all([provider?.stop(), consumer?.stop()]);
    await space.close();
    throw error;
  }
}

/** Onboards a connector in this process once (wallet and keys land in its directory), then frees its port. */
async function prepare(
  space: LocalDataSpace,
  name: string,
  application: Record<string, unknown>,
): Promise<ChildOptions> {
  const dir = join(space.dir, name);
  const connector = await startControlPlaneConnector({
    dataDir: dir,
    port: 0,
    authorityUrl: space.authority.url,
  });
  try {
    await onboard(space, connector, application);
  } finally {
    await connector.close();
  }
  // Rate limits off: a 429 would hide what the handlers do with the mutated messages.
  writeConfigFile(join(dir, 'connector.json'), { rateLimits: NO_RATE_LIMITS });
  return { dir, port: connector.server.port, authorityUrl: space.authority.url };
}

async function stsFor(dir: string, url: string, clock?: () => Date): Promise<SecureTokenService> {
  const identity = await openProcessIdentity(join(dir, 'keys'), url);
  return createSecureTokenService({ signer: () => identity.signer(), ...(clock ? { clock } : {}) });
}

async function publish(provider: ChildConnector): Promise<void> {
  const api = management(provider);
  for (const id of [DATASET, REVIEWED, SCRATCH]) {
    const r = await api.post('/assets', assetInput(id, provider.did));
    if (r.status !== 201) throw new Error(`asset refused: ${JSON.stringify(r.body)}`);
  }
  const offer = {
    id: 'open',
    assetSelector: { assetIds: [DATASET] },
    accessPolicy: MEMBERS_ACCESS,
    contractPolicy: medicalContract(),
  };
  for (const o of [
    offer,
    { ...offer, id: 'reviewed', assetSelector: { assetIds: [REVIEWED] }, approval: 'manual' },
  ]) {
    const r = await api.post('/offers', o);
    if (r.status !== 201) throw new Error(`offer refused: ${JSON.stringify(r.body)}`);
  }
}

type FixtureName = 'finalized' | 'pending' | 'started' | 'suspended';

/** The fixtures either side no longer holds in their state. */
async function brokenFixtures(
  provider: ChildConnector,
  consumer: ChildConnector,
  fixtures: Fixtures,
): Promise<FixtureName[]> {
  const expected: [FixtureName, string, string, string][] = [
    ['finalized', 'negotiations', 'FINALIZED', 'FINALIZED'],
    ['pending', 'negotiations', 'REQUESTED', 'REQUESTED'],
    ['started', 'transfers', 'STARTED', 'STARTED'],
    ['suspended', 'transfers', 'SUSPENDED', 'SUSPENDED'],
  ];
  const broken: FixtureName[] = [];
  for (const [name, kind, providerState, consumerState] of expected) {
    const { providerPid, consumerPid } = fixtures[name];
    const [ours, theirs] = await Promise.all([
      management(provider).get(`/${kind}/${pid(providerPid)}`),
      management(consumer).get(`/${kind}/${pid(consumerPid)}`),
    ]);
    if (ours.body.state !== providerState || theirs.body.state !== consumerState) broken.push(name);
  }
  return broken;
}

/** Creates all fixtures, or only the `only` ones (keeping the rest of `previous`). */
async function createFixtures(
  provider: ChildConnector,
  consumer: ChildConnector,
  previous?: Fixtures,
  only: readonly FixtureName[] = ['finalized', 'pending', 'started', 'suspended'],
): Promise<Fixtures> {
  const need = (name: FixtureName): boolean => previous === undefined || only.includes(name);
  let finalized = previous?.finalized;
  let agreementId = previous?.agreementId;
  if (need('finalized') || finalized === undefined || agreementId === undefined) {
    const consumerPid = await negotiate(consumer, provider, DATASET, 'open');
    const done = await waitForState(consumer, `/negotiations/${pid(consumerPid)}`, 'FINALIZED', 20_000);
    agreementId = String(done.agreementId);
    finalized = { consumerPid, providerPid: await providerPidOf(provider, 'negotiations', consumerPid) };
  }
  let pending = previous?.pending;
  if (need('pending') || pending === undefined) {
    const consumerPid = await negotiate(consumer, provider, REVIEWED, 'reviewed');
    const providerPid = await providerPidOf(provider, 'negotiations', consumerPid, 'REQUESTED');
    pending = { consumerPid, providerPid };
  }
  const started =
    need('started') || previous === undefined
      ? await startTransfer(consumer, provider, agreementId)
      : previous.started;
  let suspended = previous?.suspended;
  if (need('suspended') || suspended === undefined) {
    suspended = await startTransfer(consumer, provider, agreementId);
    await management(consumer).post(`/transfers/${pid(suspended.consumerPid)}/suspend`, {
      reason: 'fuzz fixture',
    });
    await waitForState(provider, `/transfers/${pid(suspended.providerPid)}`, 'SUSPENDED', 20_000);
  }
  return { agreementId, finalized, pending, started, suspended };
}

async function negotiate(
  consumer: ChildConnector,
  provider: ChildConnector,
  datasetId: string,
  offer: string,
): Promise<string> {
  const r = await management(consumer).post('/negotiations', {
    counterPartyAddress: `${provider.url}/dsp`,
    counterPartyId: provider.did,
    datasetId,
    offerId: catalogOfferId(offer, datasetId),
  });
  if (r.status !== 201) throw new Error(`negotiation refused: ${JSON.stringify(r.body)}`);
  return String(r.body.id);
}

async function startTransfer(
  consumer: ChildConnector,
  provider: ChildConnector,
  agreementId: string,
): Promise<TransferFixture> {
  const r = await management(consumer).post('/transfers', { agreementId, format: 'HttpData-PULL' });
  if (r.status !== 201) throw new Error(`transfer refused: ${JSON.stringify(r.body)}`);
  const consumerPid = String(r.body.id);
  const started = await waitForState(consumer, `/transfers/${pid(consumerPid)}`, 'STARTED', 20_000);
  const access = started.access as { endpoint: string; authorization: string };
  return {
    consumerPid,
    providerPid: await providerPidOf(provider, 'transfers', consumerPid, 'STARTED'),
    endpoint: access.endpoint,
    authorization: access.authorization,
  };
}

async function providerPidOf(
  provider: ChildConnector,
  kind: 'negotiations' | 'transfers',
  consumerPid: string,
  state?: string,
): Promise<string> {
  return waitFor(
    `the provider's record of ${consumerPid}`,
    async () => {
      const list = await management(provider).get(`/${kind}?role=provider${state ? `&state=${state}` : ''}`);
      const records = list.body[kind] as { id: string; consumerPid: string }[] | undefined;
      return records?.find((n) => n.consumerPid === consumerPid)?.id;
    },
    20_000,
  );
}
