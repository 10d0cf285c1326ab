// The data plane wired into running connectors, end to end over real HTTP and SQLite: a consumer negotiates,
// starts a pull transfer and downloads the bytes with fetchTransfer through the endpoint data reference it was
// given; use-time rules are checked at every access (a count limit, the purpose and place the consumer
// declared); a token stops working once the transfer is completed; a push transfer streams the file to the
// consumer's endpoint and completes; the agreement's duties are listed for the consumer.
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fetchTransfer } from '../../connector/dataplane/index.js';
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
  waitFor,
  waitForState,
} from '../dsp/helpers.js';

const INLINE = 'urn:dataset:e2e-inline';
const FILE = 'urn:dataset:e2e-file';
const COUNTED = 'urn:dataset:e2e-counted';
const PURPOSE = 'urn:dataset:e2e-purpose';
const DUTIES = 'urn:dataset:e2e-duties';
const INLINE_DATA = 'visit,count\n2026-01,12\n2026-02,17\n';
const PATIENTS = 'patient,visit,count\nP-001,2026-01,3\nP-002,2026-02,5\n';

const MEMBERSHIP = {
  leftOperand: 'shuyu:credentialType',
  operator: 'hasPart',
  rightOperand: 'MembershipCredential',
};

function contract(
  uid: string,
  constraints: object[],
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    '@type': 'Offer',
    uid,
    profile: 'https://w3id.org/shuyu/v1',
    permission: [{ action: 'use', constraint: [MEMBERSHIP, ...constraints], ...extra }],
  };
}

/** A CSV file large enough to stream in many chunks (about 1.5 MB). */
function csvRows(rows: number): string {
  const lines = ['id,region,reading'];
  for (let i = 0; i < rows; i++) lines.push(`${i},${randomBytes(6).toString('hex')},${(i * 7) % 1000}`);
  return lines.join('\n') + '\n';
}

describe('dataplane: wired into connectors, end to end', function () {
  this.timeout(60_000);
  let space: LocalDataSpace;
  let provider: ControlPlaneConnector;
  let consumer: ControlPlaneConnector;
  let fileBytes: Buffer;
  let downloads: string;

  before(async () => {
    space = await startLocalDataSpace();
    provider = await startMember(
      space,
      'provider',
      hospitalApplication({ organisationName: 'Provider Hospital' }),
      // The push tests' endpoint is a separate loopback server the operator allows explicitly.
      { dataplane: { pushHosts: ['127.0.0.1'] } },
    );
    consumer = await startMember(space, 'consumer', hospitalApplication());
    downloads = join(space.dir, 'downloads');
    await mkdir(downloads, { recursive: true });
    const file = join(provider.dataDir, 'files', 'readings.csv');
    fileBytes = Buffer.from(csvRows(60_000));
    await writeFile(file, fileBytes);
    await publish(
      provider,
      [
        assetInput(INLINE, provider.did, { dataAddress: { kind: 'inline', data: INLINE_DATA } }),
        assetInput(FILE, provider.did, { dataAddress: { kind: 'file', path: file } }),
        assetInput(COUNTED, provider.did),
        assetInput(PURPOSE, provider.did),
        assetInput(DUTIES, provider.did, {
          dataAddress: {
            kind: 'inline',
            data: PATIENTS,
            contentType: 'text/csv',
            anonymize: { columns: ['patient'] },
          },
        }),
      ],
      [
        {
          id: 'research',
          assetSelector: { assetIds: [INLINE, FILE] },
          accessPolicy: MEMBERS_ACCESS,
          contractPolicy: medicalContract(),
        },
        {
          id: 'twice',
          assetSelector: { assetIds: [COUNTED] },
          accessPolicy: MEMBERS_ACCESS,
          contractPolicy: contract('urn:test:contract:twice', [
            {
              leftOperand: 'count',
              operator: 'lteq',
              rightOperand: { '@value': '2', '@type': 'xsd:integer' },
            },
          ]),
        },
        {
          id: 'research-in-china',
          assetSelector: { assetIds: [PURPOSE] },
          accessPolicy: MEMBERS_ACCESS,
          contractPolicy: contract('urn:test:contract:purpose', [
            { leftOperand: 'purpose', operator: 'isA', rightOperand: 'scientific-research' },
            { leftOperand: 'spatial', operator: 'isPartOf', rightOperand: 'CN' },
          ]),
        },
        {
          id: 'with-duties',
          assetSelector: { assetIds: [DUTIES] },
          accessPolicy: MEMBERS_ACCESS,
          contractPolicy: contract('urn:test:contract:duties', [], {
            duty: [
              { uid: 'urn:test:duty:anonymize', action: 'anonymize' },
              {
                uid: 'urn:test:duty:delete',
                action: {
                  'rdf:value': { '@id': 'odrl:delete' },
                  refinement: [
                    {
                      leftOperand: 'dateTime',
                      operator: 'lteq',
                      rightOperand: { '@value': '2099-12-31', '@type': 'xsd:date' },
                    },
                  ],
                },
              },
            ],
          }),
        },
      ],
    );
  });
  after(async () => space?.close());

  async function agree(dataset: string, offer: string): Promise<string> {
    const started = await startNegotiation(consumer, provider, dataset, catalogOfferId(offer, dataset));
    expect(started.status, JSON.stringify(started.body)).to.equal(201);
    const done = await waitForState(consumer, `/negotiations/${pid(String(started.body.id))}`, 'FINALIZED');
    await waitForState(provider, `/negotiations/${pid(String(done.providerPid))}`, 'FINALIZED');
    return String(done.agreementId);
  }

  interface Started {
    readonly id: string;
    readonly providerPid: string;
    readonly endpoint: string;
    readonly authorization: string;
  }

  async function pull(agreementId: string, extra: Record<string, unknown> = {}): Promise<Started> {
    const requested = await management(consumer).post('/transfers', {
      agreementId,
      format: 'HttpData-PULL',
      ...extra,
    });
    expect(requested.status, JSON.stringify(requested.body)).to.equal(201);
    const id = String(requested.body.id);
    const started = await waitForState(consumer, `/transfers/${pid(id)}`, 'STARTED');
    const access = started.access as { endpoint: string; authorization: string };
    return { id, providerPid: String(started.providerPid), ...access };
  }

  const get = (transfer: Started, headers: Record<string, string> = {}) =>
    fetch(transfer.endpoint, { headers: { authorization: `Bearer ${transfer.authorization}`, ...headers } });

  it('pulls an inline asset through the endpoint data reference, byte for byte', async () => {
    const transfer = await pull(await agree(INLINE, 'research'));
    expect(transfer.endpoint).to.equal(`${provider.url}/data/${pid(transfer.providerPid)}`);
    const out = join(downloads, 'inline.csv');
    const result = await fetchTransfer({ ...transfer, outFile: out, allowPrivateAddresses: true });
    expect(result.bytes).to.equal(Buffer.byteLength(INLINE_DATA));
    expect(await readFile(out, 'utf8')).to.equal(INLINE_DATA);
  });

  it('streams a file asset with fetchTransfer (byte-equal) and serves ranges of it', async () => {
    const transfer = await pull(await agree(FILE, 'research'));
    const out = join(downloads, 'readings.csv');
    const result = await fetchTransfer({ ...transfer, outFile: out, allowPrivateAddresses: true });
    expect(result.bytes).to.equal(fileBytes.length);
    expect((await readFile(out)).equals(fileBytes)).to.equal(true);

    const ranged = await get(transfer, { range: 'bytes=100-199' });
    expect(ranged.status).to.equal(206);
    expect(Buffer.from(await ranged.arrayBuffer()).equals(fileBytes.subarray(100, 200))).to.equal(true);
  });

  it('refuses an access past the agreement’s count with the policy’s reason (403), counting across transfers', async () => {
    const agreementId = await agree(COUNTED, 'twice');
    const first = await pull(agreementId);
    expect((await get(first)).status).to.equal(200);
    const second = await pull(agreementId);
    expect((await get(second)).status).to.equal(200);
    const third = await get(second);
    expect(third.status).to.equal(403);
    const problem = (await third.json()) as { type: string; detail: string };
    expect(problem.type).to.match(/usage-denied$/);
    expect(problem.detail).to.match(/count/).and.match(/deny/i);
  });

  it('checks the purpose and place the consumer declared at every access', async () => {
    const agreementId = await agree(PURPOSE, 'research-in-china');
    const declared = await pull(agreementId, { purpose: 'scientific-research', spatial: ['CN-BJ'] });
    const ok = await get(declared);
    expect(ok.status).to.equal(200);
    expect(await ok.text()).to.equal('visit,count\n2026-01,12\n');

    const undeclared = await pull(agreementId);
    const refused = await get(undeclared);
    expect(refused.status).to.equal(403);
    expect(((await refused.json()) as { detail: string }).detail).to.match(/purpose/);

    const marketing = await pull(agreementId, { purpose: ['marketing'], spatial: 'CN-BJ' });
    const wrong = await get(marketing);
    expect(wrong.status).to.equal(403);
    expect(((await wrong.json()) as { detail: string }).detail).to.match(/purpose/);

    const bad = await management(consumer).post('/transfers', {
      agreementId,
      format: 'HttpData-PULL',
      purpose: [],
    });
    expect(bad.status).to.equal(400);
    expect(JSON.stringify(bad.body.errors)).to.include('/purpose');
  });

  it('refuses the token once the consumer completed the transfer, and after a suspension', async () => {
    const agreementId = await agree(INLINE, 'research');
    const transfer = await pull(agreementId);
    expect((await get(transfer)).status).to.equal(200);

    expect((await management(consumer).post(`/transfers/${pid(transfer.id)}/suspend`)).body.state).to.equal(
      'SUSPENDED',
    );
    await waitForState(provider, `/transfers/${pid(transfer.providerPid)}`, 'SUSPENDED');
    const suspended = await get(transfer);
    expect(suspended.status).to.equal(403);
    expect(((await suspended.json()) as { type: string }).type).to.match(/transfer-not-active$/);

    // The provider resumes with a fresh reference; the consumer completes; nothing works any more.
    await management(provider).post(`/transfers/${pid(transfer.providerPid)}/resume`);
    const resumed = await waitForState(consumer, `/transfers/${pid(transfer.id)}`, 'STARTED');
    const fresh = { ...transfer, ...(resumed.access as { authorization: string }) };
    expect(fresh.authorization).to.not.equal(transfer.authorization);
    expect((await get(fresh)).status).to.equal(200);
    await management(consumer).post(`/transfers/${pid(transfer.id)}/complete`);
    await waitForState(provider, `/transfers/${pid(transfer.providerPid)}`, 'COMPLETED');
    for (const token of [transfer, fresh]) expect([401, 403]).to.include((await get(token)).status);
    // A token of another transfer, presented for this one: refused as well.
    const other = await pull(agreementId);
    expect((await get({ ...transfer, authorization: other.authorization })).status).to.equal(401);
  });

  describe('push', () => {
    let endpoint: Server;
    const received: { headers: IncomingHttpHeaders; body: Buffer }[] = [];

    before(async () => {
      endpoint = createServer((req, res) => {
        const chunks: Buffer[] = [];
        req.on('data', (chunk: Buffer) => chunks.push(chunk));
        req.on('end', () => {
          received.push({ headers: req.headers, body: Buffer.concat(chunks) });
          res.writeHead(req.headers.authorization === 'Bearer consumer-secret' ? 204 : 401).end();
        });
      });
      await new Promise<void>((resolve) => endpoint.listen(0, '127.0.0.1', resolve));
    });
    after(() => new Promise<void>((resolve) => endpoint.close(() => resolve())));

    const dataAddress = (path: string) => ({
      '@type': 'DataAddress',
      endpointType: 'https://w3id.org/idsa/v4.1/HTTP',
      endpoint: `http://127.0.0.1:${(endpoint.address() as AddressInfo).port}${path}`,
      endpointProperties: [
        { '@type': 'EndpointProperty', name: 'authorization', value: 'consumer-secret' },
        { '@type': 'EndpointProperty', name: 'authType', value: 'bearer' },
      ],
    });

    it('streams the file to the consumer’s endpoint with its authorization, then completes', async () => {
      const agreementId = await agree(FILE, 'research');
      const requested = await management(consumer).post('/transfers', {
        agreementId,
        format: 'HttpData-PUSH',
        dataAddress: dataAddress('/incoming/readings.csv'),
      });
      expect(requested.status, JSON.stringify(requested.body)).to.equal(201);
      const done = await waitForState(
        consumer,
        `/transfers/${pid(String(requested.body.id))}`,
        'COMPLETED',
        20_000,
      );
      await waitForState(provider, `/transfers/${pid(String(done.providerPid))}`, 'COMPLETED');
      const push = received.at(-1);
      expect(push?.headers.authorization).to.equal('Bearer consumer-secret');
      expect(push?.headers['content-type']).to.match(/^text\/csv/);
      expect(push?.body.equals(fileBytes)).to.equal(true);
    });

    it('terminates the push with the policy’s reason when the agreement refuses the access', async () => {
      const agreementId = await agree(PURPOSE, 'research-in-china');
      const before = received.length;
      const requested = await management(consumer).post('/transfers', {
        agreementId,
        format: 'HttpData-PUSH',
        dataAddress: dataAddress('/incoming/refused.csv'),
        purpose: 'marketing',
        spatial: 'CN',
      });
      const ended = await waitForState(
        consumer,
        `/transfers/${pid(String(requested.body.id))}`,
        'TERMINATED',
      );
      expect(String(ended.reason))
        .to.match(/policy-denied/)
        .and.match(/purpose/);
      expect(received.length).to.equal(before);
    });
  });

  it('records the agreement’s duties: listed for the consumer, the anonymisation performed by the provider', async () => {
    const agreementId = await agree(DUTIES, 'with-duties');
    const mine = await management(consumer).get(`/agreements/${pid(agreementId)}/duties`);
    expect(mine.status, JSON.stringify(mine.body)).to.equal(200);
    const duties = mine.body.duties as {
      key: string;
      action: string;
      performer: string;
      state: string;
      deadline?: string;
    }[];
    expect(duties.map((d) => d.action).sort()).to.deep.equal(['anonymize', 'delete']);
    expect(duties.every((d) => d.state === 'pending')).to.equal(true);
    // By the end of that day (UTC).
    expect(duties.find((d) => d.action === 'delete')?.deadline).to.equal('2100-01-01T00:00:00.000Z');

    const providerSide = await management(provider).get(`/agreements/${pid(agreementId)}/duties`);
    const anonymize = (providerSide.body.duties as { action: string; performer: string }[]).find(
      (d) => d.action === 'anonymize',
    );
    expect(anonymize?.performer).to.equal('provider');

    const transfer = await pull(agreementId);
    const served = await get(transfer);
    expect(served.status).to.equal(200);
    expect(await served.text()).to.equal('visit,count\n2026-01,3\n2026-02,5\n');
    await waitFor('the anonymisation to be recorded as fulfilled', async () => {
      const after = await management(provider).get(`/agreements/${pid(agreementId)}/duties`);
      const states = (after.body.duties as { action: string; state: string }[]).map(
        (d) => `${d.action} ${d.state}`,
      );
      return states.includes('anonymize fulfilled') ? states : undefined;
    });
    // Each duty's outcome is in the provider's evidence log: recorded pending, then performed.
    const logged = await waitFor('the duty outcomes in the evidence log', async () => {
      const result = await management(provider).get(
        `/evidence?subject=${encodeURIComponent(agreementId)}&kind=duty`,
      );
      const outcomes = (result.body.entries as { data: { action: string; state: string } }[]).map(
        (e) => `${e.data.action} ${e.data.state}`,
      );
      return outcomes.includes('anonymize fulfilled') ? outcomes : undefined;
    });
    expect(logged).to.deep.equal(['anonymize pending', 'delete pending', 'anonymize fulfilled']);
  });

  it("lists one agreement's transfers and evidence (its own entries, its negotiation's and its transfers'), one transfer's too", async () => {
    const agreementId = await agree(DUTIES, 'with-duties');
    const other = await agree(DUTIES, 'with-duties');
    const first = await pull(agreementId);
    const second = await pull(agreementId);
    await pull(other);
    const api = management(consumer);
    const transfers = await api.get(`/transfers?agreementId=${pid(agreementId)}`);
    expect(transfers.status).to.equal(200);
    expect((transfers.body.transfers as { id: string }[]).map((t) => t.id).sort()).to.deep.equal(
      [first.id, second.id].sort(),
    );
    const evidence = await api.get(`/evidence?agreementId=${pid(agreementId)}`);
    expect(evidence.status, JSON.stringify(evidence.body)).to.equal(200);
    const entries = evidence.body.entries as { seq: number; subject: string; kind: string }[];
    // The agreement's own entries, its negotiation's state changes and its transfers'.
    const negotiation = await consumer.controlPlane.negotiations.findByAgreementId('consumer', agreementId);
    expect(new Set(entries.map((e) => e.subject))).to.deep.equal(
      new Set([agreementId, negotiation?.id, first.id, second.id]),
    );
    expect(entries.map((e) => e.seq)).to.deep.equal([...entries.map((e) => e.seq)].sort((a, b) => a - b));
    expect(entries.some((e) => e.kind === 'agreement')).to.equal(true);
    const one = await api.get(`/evidence?transferId=${pid(first.id)}`);
    expect((one.body.entries as { subject: string }[]).every((e) => e.subject === first.id)).to.equal(true);
    const both = await api.get(`/evidence?agreementId=${pid(agreementId)}&subject=${pid(first.id)}`);
    expect(both.status).to.equal(400);
  });

  it('answers 401 without a token and for a forged one', async () => {
    const agreementId = await agree(INLINE, 'research');
    const transfer = await pull(agreementId);
    expect((await request(transfer.endpoint)).status).to.equal(401);
    const [header, payload] = transfer.authorization.split('.');
    const forged = { ...transfer, authorization: `${header}.${payload}.${'A'.repeat(86)}` };
    expect((await get(forged)).status).to.equal(401);
  });
});
