// The usual `deliver`: sends the entry as JSON over HTTP. 2xx is delivered; network errors, 5xx, 404 (a
// peer restarting, or one that has not committed the process yet) and 429 (with its Retry-After) are
// worth retrying; any other status (400 "invalid transition", 401, 403, a redirect) will not change on
// retry, so it is a PermanentDeliveryError. Headers come from named factories at send time,
// so short-lived tokens are minted per attempt and never stored in the outbox; X-Request-Id is the id of the
// request that queued the entry.

import { PermanentDeliveryError, RetryLaterError } from './errors.js';
import { httpFetch } from './http-fetch.js';
import type { OutboxEntry } from './store.js';
import type { Deliver } from './worker.js';

export type HeadersFactory = (entry: OutboxEntry) => Promise<Record<string, string>> | Record<string, string>;

export interface DeliveredResponse {
  readonly status: number;
  /** The parsed JSON body, or undefined when there was none or it was not JSON. */
  readonly body: unknown;
}

export interface HttpDeliverOptions {
  /** By `headersFactoryKey`; an entry naming a missing factory fails permanently. */
  readonly headers?: Readonly<Record<string, HeadersFactory>>;
  /** Default: httpFetch (node:http, keep-alive). Inject one that enforces the host policy for peers' callback addresses. */
  readonly fetch?: typeof fetch;
  /**
   * Sees each 2xx response, e.g. to store the providerPid from the ACK of an initial ContractRequestMessage.
   * If it throws, the attempt counts as failed and the message is sent again.
   */
  readonly onResponse?: (entry: OutboxEntry, response: DeliveredResponse) => Promise<void> | void;
}

const RETRYABLE_STATUSES: ReadonlySet<number> = new Set([404, 429]);
const MAX_DETAIL_LENGTH = 300;

export function createHttpDeliver(options: HttpDeliverOptions = {}): Deliver {
  const send = options.fetch ?? httpFetch;
  return async (entry, { signal }) => {
    const headers = await headersFor(entry, options.headers ?? {});
    // Redirects are not followed: a callback that moves is a configuration problem, and following it
    // would let a peer point our signed request at a host of its choosing.
    const response = await send(entry.url, {
      method: entry.method,
      headers,
      body: entry.body === null ? undefined : JSON.stringify(entry.body),
      redirect: 'manual',
      signal,
    });
    const text = await response.text(); // read fully so the connection can be reused
    if (response.ok) {
      await options.onResponse?.(entry, { status: response.status, body: parseJson(text) });
      return;
    }
    const detail = `${entry.method} ${entry.url} answered ${response.status}${excerpt(text)}`;
    if (response.status >= 500 || RETRYABLE_STATUSES.has(response.status)) {
      const after = retryAfterMs(response.headers.get('retry-after'), Date.now());
      throw after === undefined ? new Error(detail) : new RetryLaterError(detail, after);
    }
    throw new PermanentDeliveryError(detail, response.status);
  };
}

/** A Retry-After header (delay-seconds or an HTTP date) in milliseconds from `now`; undefined if absent or unreadable. */
export function retryAfterMs(header: string | null, now: number): number | undefined {
  if (header === null || header.trim() === '') return undefined;
  const text = header.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const at = Date.parse(text);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

async function headersFor(
  entry: OutboxEntry,
  factories: Readonly<Record<string, HeadersFactory>>,
): Promise<Record<string, string>> {
  const headers: Record<string, string> = {};
  if (entry.body !== null) headers['content-type'] = 'application/json';
  // The peer logs the message under the id of the request that caused it.
  if (entry.requestId !== null) headers['x-request-id'] = entry.requestId;
  if (entry.headersFactoryKey === null) return headers;
  const factory = Object.hasOwn(factories, entry.headersFactoryKey)
    ? factories[entry.headersFactoryKey]
    : undefined;
  if (!factory) {
    throw new PermanentDeliveryError(
      `no headers factory "${entry.headersFactoryKey}" is configured for the outbox; add it to createHttpDeliver's headers`,
    );
  }
  for (const [name, value] of Object.entries(await factory(entry))) headers[name.toLowerCase()] = value;
  return headers;
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function excerpt(text: string): string {
  const trimmed = text.trim();
  if (trimmed === '') return '';
  return `: ${trimmed.length > MAX_DETAIL_LENGTH ? `${trimmed.slice(0, MAX_DETAIL_LENGTH)}…` : trimmed}`;
}
