// A data space configured for SM2/SM3 (authority.json and connector.json `evidence.algorithms: "sm"`), end to
// end with real processes: a negotiation and a pull transfer between two connectors write SM3 evidence logs,
// their checkpoints are signed with the connectors' SM2 keys and countersigned by the real authority with its
// SM2 key, and the exports verify offline through `shuyu evidence verify`; a tampered export fails naming
// the entry. The authority of an SM data space refuses a SHA-256/Ed25519 checkpoint.
import { expect } from 'chai';
import { createHash } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Output } from '../../cli/io.js';
import { main } from '../../cli/main.js';
import {
  entryPreimage,
  signCheckpoint,
  type EvidenceEntry,
  type EvidenceExport,
  type StoredCheckpoint,
} from '../../connector/evidence/index.js';
import { createIdToken } from '../../connector/identity/index.js';
import type { ControlPlaneConnector } from '../../connector/process/run-connector.js';
import {
  hospitalApplication,
  request,
  startLocalDataSpace,
  type LocalDataSpace,
} from '../authority/helpers.js';
import {
  assetInput,
  catalogOfferId,
  management,
  medicalContract,
  MEMBERS_ACCESS,
  pid,
  publish,
  startMember,
  startNegotiation,
  waitForState,
} from '../dsp/helpers.js';

const DATASET = 'urn:dataset:sm-visits';
const DATA = 'visit,count\n2026-02,7\n';

const headerOf = (jws: string): Record<string, unknown> =>
  JSON.parse(Buffer.from(jws.split('.')[0] ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;

async function cli(args: string[]): Promise<{ code: number; text: string }> {
  const lines: string[] = [];
  const io: Output = { line: (t = '') => lines.push(t), error: (t) => lines.push(t) };
  const code = await main(args, io);
  return { code, text: lines.join('\n') };
}

describe('evidence: a data space on SM2/SM3, end to end', function () {
  this.timeout(60_000);
  let space: LocalDataSpace;
  let provider: ControlPlaneConnector;
  let consumer: ControlPlaneConnector;

  before(async () => {
    space = await startLocalDataSpace({ evidence: { algorithms: 'sm' } });
    // Checkpoints only when asked, published to the data space's authority (the default).
    const evidence = { algorithms: 'sm' as const, checkpointIntervalMs: 3_600_000 };
    provider = await startMember(
      space,
      'provider',
      hospitalApplication({ organisationName: 'SM Hospital' }),
      {
        evidence,
      },
    );
    consumer = await startMember(space, 'consumer', hospitalApplication(), { evidence });
    await publish(
      provider,
      [assetInput(DATASET, provider.did, { dataAddress: { kind: 'inline', data: DATA } })],
      [
        {
          id: 'research',
          assetSelector: { assetIds: [DATASET] },
          accessPolicy: MEMBERS_ACCESS,
          contractPolicy: medicalContract(),
        },
      ],
    );
    const started = await startNegotiation(consumer, provider, DATASET, catalogOfferId('research', DATASET));
    const done = await waitForState(consumer, `/negotiations/${pid(String(started.body.id))}`, 'FINALIZED');
    const requested = await management(consumer).post('/transfers', {
      agreementId: String(done.agreementId),
      format: 'HttpData-PULL',
    });
    const transfer = await waitForState(consumer, `/transfers/${pid(String(requested.body.id))}`, 'STARTED');
    const { endpoint, authorization } = transfer.access as { endpoint: string; authorization: string };
    const response = await fetch(endpoint, { headers: { authorization: `Bearer ${authorization}` } });
    expect(await response.text()).to.equal(DATA);
    await management(consumer).post(`/transfers/${pid(String(requested.body.id))}/complete`);
    await waitForState(provider, `/transfers/${pid(String(transfer.providerPid))}`, 'COMPLETED');
  });
  after(async () => {
    await space?.close();
  });

  it('publishes the SM2 keys of the members and the authority under assertionMethod', async () => {
    for (const url of [provider.url, space.authority.url]) {
      const document = (await request(`${url}/.well-known/did.json`)).body as {
        verificationMethod: { id: string; publicKeyJwk?: { crv?: string } }[];
        assertionMethod: string[];
        authentication: string[];
      };
      const sm2 = document.verificationMethod.filter((m) => m.publicKeyJwk?.crv === 'SM2');
      expect(sm2, url).to.have.length(1);
      expect(document.assertionMethod).to.include(sm2[0]?.id);
      expect(document.authentication).to.not.include(sm2[0]?.id);
    }
  });

  it('logs with SM3, checkpoints with SM2, countersigned with SM2; `shuyu evidence verify` accepts the exports', async () => {
    for (const [name, side] of [
      ['provider', provider],
      ['consumer', consumer],
    ] as const) {
      const made = await management(side).post('/evidence/checkpoints');
      expect(made.status, JSON.stringify(made.body)).to.equal(201);
      const checkpoint = made.body.checkpoint as StoredCheckpoint;
      expect(checkpoint.hash).to.equal('sm3');
      expect(headerOf(checkpoint.signature)).to.include({ alg: 'SM2' });
      expect(checkpoint.countersignatures.map((c) => c.authority)).to.deep.equal([space.authority.did]);
      expect(headerOf(checkpoint.countersignatures[0]?.signature ?? '')).to.include({ alg: 'SM2' });

      const exported = (await management(side).get('/evidence/export')).body as unknown as EvidenceExport;
      expect(exported.hash).to.equal('sm3');
      expect(exported.entries.length).to.be.at.least(4);
      // Independently: the first leaf is SM3(0x00 || preimage).
      const first = exported.entries[0] as EvidenceEntry;
      expect(first.leafHash).to.equal(
        createHash('sm3')
          .update(Buffer.from([0]))
          .update(entryPreimage(first))
          .digest('hex'),
      );
      const file = join(space.dir, `${name}-export.json`);
      await writeFile(file, JSON.stringify(exported));
      const verified = await cli(['evidence', 'verify', file]);
      expect(verified.code, verified.text).to.equal(0);
      expect(verified.text).to.match(/hashed with sm3/);
      expect(verified.text).to.match(/checkpoint signatures +[0-9]+ of [0-9]+ valid, SM2/);
      expect(verified.text).to.match(/countersignatures +1 valid \(did:web:.*, SM2\)/);

      const tampered = structuredClone(exported) as unknown as { entries: { data: unknown }[] };
      (tampered.entries[2] as { data: unknown }).data = { forged: true };
      const badFile = join(space.dir, `${name}-tampered.json`);
      await writeFile(badFile, JSON.stringify(tampered));
      const refused = await cli(['evidence', 'verify', badFile]);
      expect(refused.code).to.equal(1);
      expect(refused.text).to.match(/Entry 2 .*was modified/);
    }
  });

  it('the authority of an SM data space refuses a SHA-256 checkpoint signed with Ed25519', async () => {
    const { log } = provider.dataServices;
    const checkpoint = await signCheckpoint(
      { logId: provider.did, size: await log.size(), root: await log.root(), time: new Date().toISOString() },
      provider.identity.signer(),
    );
    const { token } = await createIdToken({
      signer: provider.identity.signer(),
      audience: space.authority.did,
    });
    const answer = await request(`${space.authority.url}/authority/v1/checkpoints`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ checkpoint }),
    });
    expect(answer.status, JSON.stringify(answer.body)).to.equal(400);
    expect(String(answer.body.type)).to.match(/checkpoint-algorithm$/);
    expect(String(answer.body.detail)).to.match(/SM3 and SM2/);
  });
});
