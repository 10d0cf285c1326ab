// HTTP push: the provider streams to the consumer's endpoint with the consumer's authorization; the
// endpoint goes through the host policy and the private-address guard; pushTransfer applies usage
// control and the provider's duties like a pull does.
import { expect } from 'chai';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  DATAPLANE_MIGRATIONS,
  ObligationStore,
  UsageMeter,
  createSourceRegistry,
  pushToEndpoint,
  pushTransfer,
  type AccessServices,
  type TransferView,
} from '../../connector/dataplane/index.js';
import type { HostPolicy } from '../../connector/identity/index.js';
import type { Store } from '../../connector/store/database.js';
import { openTestStore } from '../support/store.js';
import { ASSET_ID, CONSUMER_DID, agreementPolicy, removeTempDirs, tempDir, thrown } from './helpers.js';

interface Received {
  readonly method: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

describe('dataplane/push', () => {
  let consumer: Server;
  let url: string;
  const received: Received[] = [];
  let base: string;
  let db: Store;
  let services: AccessServices;
  const loopback: HostPolicy = { allow: ['127.0.0.1'], allowHttpForLoopback: true };
  const target = () => ({
    url,
    authorization: 'Bearer consumer-given-token',
    hostPolicy: loopback,
    allowPrivateAddresses: true,
  });

  before(async () => {
    consumer = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (chunk: Buffer) => chunks.push(chunk));
      req.on('end', () => {
        received.push({
          method: req.method ?? '',
          headers: req.headers,
          body: Buffer.concat(chunks).toString(),
        });
        res.writeHead(req.headers.authorization === 'Bearer consumer-given-token' ? 204 : 401).end();
      });
    });
    await new Promise<void>((resolve) => consumer.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(consumer.address() as AddressInfo).port}/incoming/visits.csv`;
    const dir = await tempDir();
    base = join(dir, 'assets');
    await mkdir(base);
    await writeFile(join(base, 'visits.csv'), 'id,name,age\n1,Wang Wei,40\n2,Li Na,51\n');
    db = await openTestStore(join(dir, 'push.sqlite'), DATAPLANE_MIGRATIONS);
    services = {
      sources: createSourceRegistry({ file: { baseDirectories: [base] } }),
      meter: new UsageMeter(db),
      obligations: new ObligationStore(db),
    };
  });
  after(async () => {
    consumer.closeAllConnections();
    await new Promise((resolve) => consumer.close(resolve));
    await db.close();
    await removeTempDirs();
  });

  async function view(constraints: object[] = [], duties: object[] = [], extra: Partial<TransferView> = {}) {
    return {
      state: 'STARTED' as const,
      agreementId: `agreement-${received.length}-${Math.random()}`,
      consumerDid: CONSUMER_DID,
      target: ASSET_ID,
      policy: await agreementPolicy(constraints, duties),
      dataAddress: { kind: 'file', path: 'visits.csv', anonymize: { columns: ['name'] } },
      ...extra,
    };
  }

  it('streams a source to the endpoint with the authorization the consumer gave', async () => {
    const source = services.sources.resolve({ kind: 'file', path: 'visits.csv' });
    const result = await pushToEndpoint({ ...target(), source });
    expect(result).to.deep.equal({ status: 204, bytes: 37 });
    const last = received.at(-1)!;
    expect(last.method).to.equal('PUT');
    expect(last.headers.authorization).to.equal('Bearer consumer-given-token');
    expect(last.headers['content-type']).to.equal('text/csv');
    expect(last.headers['content-length']).to.equal('37');
    expect(last.body).to.equal('id,name,age\n1,Wang Wei,40\n2,Li Na,51\n');
  });

  it('reports a refusal by the consumer endpoint', async () => {
    const source = services.sources.resolve({ kind: 'file', path: 'visits.csv' });
    const error = await thrown(() => pushToEndpoint({ ...target(), authorization: 'Bearer wrong', source }));
    expect(error.code).to.equal('ERR_PUSH_FAILED');
    expect(error.details?.status).to.equal(401);
  });

  it('refuses endpoints outside the host policy, plain http elsewhere, and private addresses', async () => {
    const source = services.sources.resolve({ kind: 'file', path: 'visits.csv' });
    const count = received.length;
    const cases: [string, HostPolicy, boolean][] = [
      [url, { allow: ['consumer.example'], allowHttpForLoopback: true }, true],
      ['http://consumer.example/in', { allow: '*' }, true],
      [url, { allow: ['127.0.0.1'], allowHttpForLoopback: true }, false],
      ['https://10.0.0.7/in', { allow: '*' }, false],
      ['https://169.254.169.254/latest', { allow: '*' }, false],
    ];
    for (const [endpoint, hostPolicy, allowPrivateAddresses] of cases) {
      const error = await thrown(() =>
        pushToEndpoint({ source, url: endpoint, hostPolicy, allowPrivateAddresses }),
      );
      expect(error.code, endpoint).to.equal('ERR_PUSH_REFUSED');
    }
    expect(received.length).to.equal(count);
  });

  it('pushTransfer applies usage control: the push over the count limit is refused before any byte leaves', async () => {
    const transfer = {
      transferId: 'push-1',
      view: await view([{ leftOperand: 'count', operator: 'lteq', rightOperand: 1 }]),
    };
    await pushTransfer(services, transfer, target());
    const count = received.length;
    const error = await thrown(() => pushTransfer(services, transfer, target()));
    expect(error.code).to.equal('ERR_USAGE_DENIED');
    expect(error.message).to.contain('count lteq 1');
    expect(received.length).to.equal(count);
  });

  it('pushTransfer performs the anonymisation duty and refuses a suspended transfer', async () => {
    const anonymised = { transferId: 'push-2', view: await view([], [{ action: 'anonymize' }]) };
    const result = await pushTransfer(services, anonymised, target());
    expect(received.at(-1)?.body).to.equal('id,age\n1,40\n2,51\n');
    expect(received.at(-1)?.headers['transfer-encoding']).to.equal('chunked');
    expect(result.grant.count).to.equal(1);
    const suspended = { transferId: 'push-3', view: await view([], [], { state: 'SUSPENDED' }) };
    expect((await thrown(() => pushTransfer(services, suspended, target()))).code).to.equal(
      'ERR_TRANSFER_NOT_ACTIVE',
    );
  });
});
