// What the HTTP fuzzer holds every answer to: below 500 (except the deliberate 501 of the Credential
// Service's presentationDefinition and a 503 with Retry-After), within 5 s, a body on every error, the
// process still alive, and nothing changed by a refused (4xx) message.
import { request as httpRequest, Agent } from 'node:http';
import { management } from '../../tests/dsp/helpers.js';
import type { ChildConnector } from '../../tests/dsp/processes.js';
import type { WireRequest } from './cases.js';

export const HANG_MS = 5_000;

export type FindingKind = '5xx' | 'hang' | 'crash' | 'no-response' | 'bare-error' | 'state-change';

export interface Outcome {
  readonly status?: number;
  readonly headers?: Record<string, string | string[] | undefined>;
  readonly body?: string;
  readonly error?: string;
  readonly ms: number;
}

const agent = new Agent({ keepAlive: true, maxSockets: 4 });

/** Sends `req` to `baseUrl` and reads at most 64 KiB of the answer. */
export function send(baseUrl: string, req: WireRequest): Promise<Outcome> {
  const started = Date.now();
  const url = new URL(baseUrl);
  return new Promise((resolve) => {
    let settled = false;
    const done = (o: Omit<Outcome, 'ms'>): void => {
      if (settled) return;
      settled = true;
      resolve({ ...o, ms: Date.now() - started });
    };
    let r: ReturnType<typeof httpRequest>;
    try {
      r = httpRequest(
        {
          host: url.hostname,
          port: url.port,
          method: req.method,
          path: req.path,
          headers: {
            ...req.headers,
            ...(req.body !== undefined ? { 'content-length': Buffer.byteLength(req.body) } : {}),
          },
          agent,
          timeout: HANG_MS,
        },
        (res) => {
          const chunks: Buffer[] = [];
          let size = 0;
          res.on('data', (chunk: Buffer) => {
            if (size < 65_536) chunks.push(chunk);
            size += chunk.length;
          });
          res.on('end', () =>
            done({
              status: res.statusCode ?? 0,
              headers: res.headers,
              body: Buffer.concat(chunks).toString('utf8'),
            }),
          );
          res.on('error', (e) =>
            done({ status: res.statusCode ?? 0, headers: res.headers, error: e.message }),
          );
        },
      );
    } catch (e) {
      // The client itself refuses (a method or header Node will not send): nothing reached the server.
      done({ error: `unsendable: ${(e as Error).message}` });
      return;
    }
    r.on('timeout', () => {
      done({ error: 'timeout' });
      r.destroy();
    });
    r.on('error', (e) => done({ error: e.message }));
    if (req.body !== undefined) r.end(req.body);
    else r.end();
  });
}

export function isUnsendable(o: Outcome): boolean {
  return o.error?.startsWith('unsendable') === true;
}

/** The oracle's verdict on one answer, apart from liveness and state (checked by the runner). */
export function judge(req: WireRequest, o: Outcome): FindingKind | undefined {
  if (o.error === 'timeout' || o.ms > HANG_MS) return 'hang';
  if (o.status === undefined) return 'no-response';
  if (o.status >= 500) {
    const retryAfter = o.status === 503 && o.headers?.['retry-after'] !== undefined;
    const presentationDefinition = o.status === 501 && (o.body ?? '').includes('presentationDefinition');
    return retryAfter || presentationDefinition ? undefined : '5xx';
  }
  if (o.status >= 400 && req.method !== 'HEAD' && (o.body ?? '').trim() === '') return 'bare-error';
  return undefined;
}

/** Process alive by its PID, and answering its DID document. */
export async function alive(connector: ChildConnector): Promise<boolean> {
  if (!connector.alive()) return false;
  try {
    process.kill(connector.pid, 0);
  } catch {
    return false;
  }
  const probe = await send(connector.url, {
    surface: 'other',
    target: 'provider',
    method: 'GET',
    path: '/.well-known/did.json',
    headers: {},
    mutations: [],
  });
  return probe.status === 200;
}

/** A connector as its operator reaches it (the attack catalogue snapshots in-process connectors too). */
export interface ManagedConnector {
  readonly managementUrl: string;
  readonly managementApiKey: string;
}

/** Every negotiation, transfer, agreement, asset and offer both connectors hold, as their management API lists them. */
export async function snapshot(
  provider: ManagedConnector,
  consumer: ManagedConnector,
): Promise<Map<string, string>> {
  const records = new Map<string, string>();
  const lists: [ManagedConnector, string, string, string][] = [
    [provider, 'provider', '/negotiations', 'negotiations'],
    [provider, 'provider', '/transfers', 'transfers'],
    [provider, 'provider', '/agreements', 'agreements'],
    [provider, 'provider', '/assets', 'assets'],
    [provider, 'provider', '/offers', 'offers'],
    [consumer, 'consumer', '/negotiations', 'negotiations'],
    [consumer, 'consumer', '/transfers', 'transfers'],
  ];
  for (const [connector, who, path, key] of lists) {
    // Pages of 500 (the largest the API gives); assets and offers come whole.
    for (let offset = 0; ; offset += 500) {
      const paged = key === 'assets' || key === 'offers' ? path : `${path}?limit=500&offset=${offset}`;
      const r = await management(connector).get(paged);
      const items = r.body[key];
      if (r.status !== 200 || !Array.isArray(items)) {
        throw new Error(`snapshot ${who} ${paged}: ${r.status} ${JSON.stringify(r.body).slice(0, 300)}`);
      }
      for (const item of items as Record<string, unknown>[]) {
        records.set(`${who} ${key} ${String(item.id ?? item['@id'])}`, JSON.stringify(item));
      }
      if (paged === path || items.length < 500) break;
    }
  }
  return records;
}

/** Keys of records added, removed or changed between two snapshots. */
export function changes(before: Map<string, string>, after: Map<string, string>): string[] {
  const changed: string[] = [];
  for (const [key, value] of after)
    if (before.get(key) !== value) changed.push(before.has(key) ? `changed ${key}` : `added ${key}`);
  for (const key of before.keys()) if (!after.has(key)) changed.push(`removed ${key}`);
  return changed;
}
