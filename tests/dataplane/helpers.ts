// Fixtures for the data-plane tests: temp dirs, a provider (keys, SQLite file, in-memory transfer
// table, the data plane router on 127.0.0.1), compiled policies, and a small HTTP client that never
// buffers more than it is asked to and keeps no sockets open.
import express from 'express';
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { expect } from 'chai';
import {
  createDataPlaneRouter,
  createSourceRegistry,
  DATAPLANE_MIGRATIONS,
  issueEdr,
  ObligationStore,
  UsageMeter,
  type AccessEvent,
  type DataPlaneIdentity,
  type EndpointDataReference,
  type SourcesConfig,
  type TransferView,
  type UsageNotifier,
} from '../../connector/dataplane/index.js';
import { finishJsonApp } from '../../connector/http/json-app.js';
import { listen, type RunningServer } from '../../connector/http/server.js';
import { createDidSigner, openKeyStore, type Clock, type KeyStore } from '../../connector/identity/index.js';
import type { Store } from '../../connector/store/database.js';
import { openTestStore } from '../support/store.js';
import { compilePolicy, type CompiledPolicy } from '../../policies/index.js';

export const PROVIDER_DID = 'did:web:provider.example';
export const CONSUMER_DID = 'did:web:consumer.example';
export const ASSET_ID = 'urn:dataset:outpatient-visits-2025';

const tempDirs: string[] = [];

export async function tempDir(prefix = 'shuyu-dataplane-'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), prefix));
  tempDirs.push(dir);
  return dir;
}

export async function removeTempDirs(): Promise<void> {
  await Promise.all(tempDirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
}

export class TestClock {
  current: Date;
  constructor(start = new Date('2026-06-01T08:00:00Z')) {
    this.current = new Date(start);
  }
  readonly now: Clock = () => new Date(this.current);
  advance(ms: number): void {
    this.current = new Date(this.current.getTime() + ms);
  }
}

export async function identityIn(
  dir: string,
  did = PROVIDER_DID,
): Promise<DataPlaneIdentity & { keys: KeyStore }> {
  const keys = await openKeyStore(join(dir, 'keys'));
  return { did, keys, signer: () => createDidSigner(did, keys) };
}

/** Compiles an Agreement granting `use` of the asset to the consumer, with constraints and duties. */
export async function agreementPolicy(
  constraints: object[] = [],
  duties: object[] = [],
  extra: object = {},
): Promise<CompiledPolicy> {
  const result = await compilePolicy({
    '@context': 'http://www.w3.org/ns/odrl.jsonld',
    '@type': 'Agreement',
    uid: 'urn:agreement:test',
    assigner: PROVIDER_DID,
    assignee: CONSUMER_DID,
    target: ASSET_ID,
    permission: [
      {
        action: 'use',
        ...(constraints.length > 0 ? { constraint: constraints } : {}),
        ...(duties.length > 0 ? { duty: duties } : {}),
      },
    ],
    ...extra,
  });
  expect(result.problems, JSON.stringify(result.problems)).to.deep.equal([]);
  return result.policy;
}

export interface ProviderOptions {
  readonly sources?: SourcesConfig;
  readonly clock?: TestClock;
  readonly notifier?: UsageNotifier;
  readonly obligations?: boolean;
  readonly dbFile?: string;
}

/** A provider: keys, SQLite file, transfers in a Map, the data plane router listening on 127.0.0.1. */
export class Provider {
  readonly transfers = new Map<string, TransferView>();
  readonly events: AccessEvent[] = [];
  private constructor(
    readonly dir: string,
    readonly identity: DataPlaneIdentity & { keys: KeyStore },
    readonly db: Store,
    readonly meter: UsageMeter,
    readonly obligations: ObligationStore | undefined,
    readonly server: RunningServer,
    readonly publicUrl: string,
    readonly clock: TestClock | undefined,
  ) {}

  static async start(options: ProviderOptions = {}): Promise<Provider> {
    const dir = await tempDir();
    const identity = await identityIn(dir);
    const db = await openTestStore(options.dbFile ?? join(dir, 'dataplane.sqlite'), DATAPLANE_MIGRATIONS);
    const clock = options.clock?.now;
    const meter = new UsageMeter(db, clock ? { clock } : {});
    const obligations =
      options.obligations === false ? undefined : new ObligationStore(db, clock ? { clock } : {});
    const app = express();
    // The router needs its public URL, known once the server listens: it is plugged in afterwards.
    const plugged: { router?: express.Router } = {};
    app.use('/dataplane', (req, res, next) => (plugged.router ? plugged.router(req, res, next) : next()));
    const server = await listen(finishJsonApp(app, () => undefined));
    const publicUrl = `${server.url}/dataplane`;
    const provider = new Provider(dir, identity, db, meter, obligations, server, publicUrl, options.clock);
    plugged.router = createDataPlaneRouter({
      identity,
      lookupTransfer: (id) => provider.transfers.get(id),
      meter,
      sources: createSourceRegistry(options.sources ?? {}),
      publicUrl,
      log: () => undefined,
      onAccess: (event) => provider.events.push(event),
      ...(obligations ? { obligations } : {}),
      ...(options.notifier ? { notifier: options.notifier } : {}),
      ...(clock ? { clock } : {}),
    });
    return provider;
  }

  /** Adds a STARTED transfer of the asset under `policy`. */
  addTransfer(
    transferId: string,
    view: Partial<TransferView> & Pick<TransferView, 'policy' | 'dataAddress'>,
  ): TransferView {
    const transfer: TransferView = {
      state: 'STARTED',
      agreementId: `agreement-${transferId}`,
      consumerDid: CONSUMER_DID,
      target: ASSET_ID,
      assigner: PROVIDER_DID,
      ...view,
    };
    this.transfers.set(transferId, transfer);
    return transfer;
  }

  setState(transferId: string, state: TransferView['state']): void {
    const transfer = this.transfers.get(transferId);
    if (!transfer) throw new Error(`no transfer ${transferId}`);
    this.transfers.set(transferId, { ...transfer, state });
  }

  edr(transferId: string, lifetimeSeconds = 300): Promise<EndpointDataReference> {
    const transfer = this.transfers.get(transferId);
    if (!transfer) throw new Error(`no transfer ${transferId}`);
    return issueEdr(
      {
        agreementId: transfer.agreementId,
        transferId,
        consumerDid: transfer.consumerDid,
        providerDid: this.identity.did,
        endpoint: this.publicUrl,
        lifetimeSeconds,
      },
      this.identity.signer(),
      this.clock ? { clock: this.clock.now } : {},
    );
  }

  async close(): Promise<void> {
    await this.server.close();
    await this.db.close();
  }
}

export interface Fetched {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** One HTTP request on a fresh connection; the body is collected (tests ask for small bodies). */
export function send(
  url: string,
  options: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<Fetched> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      url,
      { method: options.method ?? 'GET', headers: options.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

export function bearer(edr: EndpointDataReference | string): Record<string, string> {
  return { authorization: `Bearer ${typeof edr === 'string' ? edr : edr.authorization}` };
}

export function problemOf(fetched: Fetched): { type: string; status: number; detail: string } {
  expect(fetched.headers['content-type']).to.match(/^application\/problem\+json/);
  return JSON.parse(fetched.body.toString('utf8')) as { type: string; status: number; detail: string };
}

export async function readAll(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks);
}

/** Runs `fn` and returns what it threw (failing when it did not throw). */
export async function thrown(
  fn: () => unknown,
): Promise<{ code?: string; message: string; details?: Record<string, unknown> }> {
  try {
    await fn();
  } catch (error) {
    return error as { code?: string; message: string; details?: Record<string, unknown> };
  }
  expect.fail('expected an error');
}

/** Polls until `probe` returns a value (the server finishes its bookkeeping after the client's "end"). */
export async function eventually<T>(probe: () => T | undefined, timeoutMs = 2000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > until) expect.fail('timed out waiting');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
