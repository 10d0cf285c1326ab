// The connector under test of the conformance scenarios: a full control-plane connector on 127.0.0.1
// (port 0, SQLite in a temp dir) in the test identity mode (the TCK's static token is TCK_PARTICIPANT),
// in operator mode (`"automation": "none"` in its connector.json: it sends no DSP message unless a
// management call asks it to), seeded with one dataset, offer or agreement per scenario, with the ids
// a TCK run would be configured with.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startControlPlaneConnector,
  type ControlPlaneConnector,
} from '../../../connector/process/run-connector.js';
import { FAST_OUTBOX, management } from '../../dsp/helpers.js';
import { TCK_PARTICIPANT, TCK_TOKEN, type Json } from './counterparty.js';

/** The TCK's ids for one scenario (what its `*_DATASETID`, `*_OFFERID`, `*_AGREEMENTID` would be). */
export interface ScenarioIds {
  readonly datasetId: string;
  /** The catalog offer id the TCK requests (CN) or the TCK's own offer id (CN_C: "offer" + datasetId). */
  readonly offerId: string;
  readonly agreementId: string;
  readonly format: string;
}

/** "CN_C:01-02" → "CNC0102". */
export function scenarioKey(id: string): string {
  return id.replace(/[_:-]/g, '');
}

/**
 * Datasets seeded with the id of the TCK's sample.tck.properties, a plain id and not an IRI: CN:01-02's
 * counter-offer names its target literally (ACN0102), whatever the run is configured with.
 */
const TCK_SAMPLE_DATASETS: Readonly<Record<string, string>> = { 'CN:01-02': 'ACN0102' };

export function idsFor(id: string): ScenarioIds {
  const key = scenarioKey(id);
  const datasetId = TCK_SAMPLE_DATASETS[id] ?? `urn:tck:dataset:${key}`;
  const consumerSide = id.startsWith('CN_C') || id.startsWith('TP_C');
  return {
    datasetId,
    // Shuyu's catalog offer ids are urn:shuyu:offer:<offer>:<dataset>; the TCK provider's are IdGenerator's.
    offerId: consumerSide ? `offer${datasetId}` : `urn:shuyu:offer:tck:${datasetId}`,
    agreementId: `urn:tck:agreement:${key}`,
    format: 'HttpData-PULL',
  };
}

/** The seed file a TCK run needs for these scenario ids (docs/conformance.md §3). */
export function seedFor(scenarioIds: readonly string[]): Json {
  const asset = (id: string): Json => ({
    id,
    title: `TCK dataset ${id}`,
    sector: 'medical',
    dataGrade: 'general',
    format: 'text/csv',
    licence: 'https://licences.example/tck',
    publisher: 'Shuyu under test',
    dataAddress: { kind: 'inline', data: 'a,b\n1,2\n' },
  });
  const providerDatasets = scenarioIds
    .filter((id) => /^(CAT|CN|TP):/.test(id))
    .map((id) => idsFor(id).datasetId);
  const agreements = scenarioIds
    .filter((id) => id.startsWith('TP'))
    .map((id) => ({
      id: idsFor(id).agreementId,
      role: id.startsWith('TP_C') ? 'consumer' : 'provider',
      datasetId: idsFor(id).datasetId,
      counterPartyId: TCK_PARTICIPANT,
      counterPartyAddress: 'http://localhost:8083',
    }));
  return {
    assets: providerDatasets.map(asset),
    offers: [
      {
        id: 'tck',
        assetSelector: {
          assetIds: scenarioIds.filter((id) => /^(CAT|CN):/.test(id)).map((id) => idsFor(id).datasetId),
        },
        accessPolicy: {
          permission: [
            {
              action: 'read',
              constraint: [
                {
                  leftOperand: 'shuyu:credentialType',
                  operator: 'hasPart',
                  rightOperand: 'MembershipCredential',
                },
              ],
            },
          ],
        },
        // The TCK's terms: use, with an empty constraint list.
        contractPolicy: { '@type': 'Offer', permission: [{ action: 'use', constraint: [] }] },
      },
    ],
    agreements,
  };
}

export interface ConnectorUnderTest {
  readonly connector: ControlPlaneConnector;
  /** `<url>/dsp`: the TCK's dataspacetck.dsp.connector.http.url. */
  readonly dsp: string;
  readonly url: string;
  /** The connector's participant id (the TCK's agent.id). */
  readonly did: string;
  readonly api: ReturnType<typeof management>;
  close(): Promise<void>;
}

export async function startConnectorUnderTest(scenarioIds: readonly string[]): Promise<ConnectorUnderTest> {
  const dir = mkdtempSync(join(tmpdir(), 'shuyu-tck-'));
  const dataDir = join(dir, 'cut');
  mkdirSync(dataDir, { recursive: true });
  writeFileSync(join(dataDir, 'tck-seed.json'), JSON.stringify(seedFor(scenarioIds)));
  // Operator mode: every step of both roles waits for a management call.
  writeFileSync(join(dataDir, 'connector.json'), JSON.stringify({ automation: 'none' }));
  const connector = await startControlPlaneConnector({
    dataDir,
    port: 0,
    // Nothing calls the authority while only the TCK (static token) talks to the connector.
    authorityUrl: 'http://127.0.0.1:9',
    testIdentity: {
      enabled: true,
      token: TCK_TOKEN,
      participantId: TCK_PARTICIPANT,
      claims: { credentialTypes: ['MembershipCredential'], sectors: ['medical'], memberRole: 'participant' },
      seed: 'tck-seed.json',
    },
    controlPlane: { outbox: { ...FAST_OUTBOX, deliveryTimeoutMs: 10_000 } },
    // No authority in a TCK run: the evidence log is kept, its checkpoints are not published.
    evidence: { publishCheckpoints: false },
  });
  return {
    connector,
    url: connector.url,
    dsp: `${connector.url}/dsp`,
    did: connector.did,
    api: management(connector),
    async close() {
      await connector.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
