// Status pushed by the authority, so a suspension or revocation takes effect in seconds instead of after the
// status-list cache expires. The authority serves a Server-Sent Events stream (GET /authority/v1/status/events);
// each event is a compact JWS signed with the authority's assertionMethod key, numbered by a sequence the
// authority keeps in its database. A subscriber verifies every event and acts only on sequence numbers it has
// not seen, and reconnects with Last-Event-ID so it resumes where it stopped. A forged or replayed event
// changes nothing. While the stream is down the status-list pull (checker.ts) is the fallback, as before.
import { issuerKey } from '../credentials/proof-jwt.js';
import type { DidResolver } from '../did/resolver.js';
import { CredentialError } from '../errors.js';
import { decodeJwt, hasValidSignature } from '../util/jwt.js';

export const STATUS_EVENT_TYP = 'status-event+jwt';
const MAX_EVENT_BYTES = 4096;
/** A stream line longer than this is not one of ours: the connection is dropped. */
const MAX_LINE_BYTES = 8192;

export type MemberStanding = 'active' | 'suspended' | 'revoked';

/** The signed payload of one status event. */
export interface StatusEvent {
  /** The authority's DID. */
  readonly iss: string;
  /** Strictly increasing per authority; the SSE `id`. */
  readonly seq: number;
  /** The member whose standing changed. */
  readonly sub: string;
  readonly state: MemberStanding;
  /** Seconds since the epoch. */
  readonly iat: number;
}

function eventInvalid(reason: string): CredentialError {
  return new CredentialError('ERR_CREDENTIAL_SIGNATURE_INVALID', `Status event refused: ${reason}.`);
}

/** Verifies one event JWS: signed by an assertionMethod key of `authorityDid`, well formed. */
export async function verifyStatusEvent(
  jws: string,
  authorityDid: string,
  resolver: DidResolver,
): Promise<StatusEvent> {
  const jwt = decodeJwt(jws, 'Status event', MAX_EVENT_BYTES);
  if (jwt.header.typ !== STATUS_EVENT_TYP) throw eventInvalid(`typ is not ${STATUS_EVENT_TYP}`);
  if (typeof jwt.header.kid !== 'string') throw eventInvalid('it names no key');
  const { payload } = jwt;
  if (payload.iss !== authorityDid) throw eventInvalid('it is not from our authority');
  const key = await issuerKey(resolver, authorityDid, jwt.header.kid);
  if (jwt.header.alg !== key.alg || !(await hasValidSignature(jws, key.publicKey, key.alg))) {
    throw eventInvalid("its signature does not verify with the authority's key");
  }
  const { seq, sub, state, iat } = payload;
  if (
    typeof seq !== 'number' ||
    !Number.isSafeInteger(seq) ||
    seq < 1 ||
    typeof sub !== 'string' ||
    !sub.startsWith('did:') ||
    (state !== 'active' && state !== 'suspended' && state !== 'revoked') ||
    typeof iat !== 'number'
  ) {
    throw eventInvalid('its payload is not {iss, seq, sub, state, iat}');
  }
  return { iss: authorityDid, seq, sub, state, iat };
}

export interface StatusSubscriptionOptions {
  /** The stream URL, e.g. http://127.0.0.1:7700/authority/v1/status/events. */
  readonly url: string;
  readonly authorityDid: string;
  readonly resolver: DidResolver;
  /** A fresh `Authorization` bearer token for each connection (a self-issued ID token for the authority). */
  readonly token: () => Promise<string>;
  /** Called once per new, verified event, in sequence order. */
  readonly onEvent: (event: StatusEvent) => void;
  /** Connected (true) or lost (false): while lost, the status-list pull is all there is. */
  readonly onConnection?: (connected: boolean) => void;
  /** Events refused (forged, malformed, replayed): for the log. */
  readonly onRefused?: (reason: string) => void;
  readonly fetch?: typeof fetch;
  /** First retry delay after a lost connection; doubles up to 30 s. Default 500 ms. */
  readonly retryMs?: number;
  /** Resume after this sequence number (e.g. persisted); default: only events from the first connection on. */
  readonly afterSeq?: number;
}

export interface StatusSubscription {
  /** The last sequence number acted on. */
  readonly lastSeq: number;
  readonly connected: boolean;
  /** Retries at once if the stream is down (e.g. we just became a member); no-op while connected. */
  reconnect(): void;
  close(): void;
}

/** Splits an SSE byte stream into events ({id, event, data}); comments and unknown fields are skipped. */
async function* sseEvents(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<{ id?: string; event?: string; data: string }> {
  const decoder = new TextDecoder();
  let buffer = '';
  let current: { id?: string; event?: string; data: string[] } = { data: [] };
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    buffer += decoder.decode(chunk, { stream: true });
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline).replace(/\r$/, '');
      buffer = buffer.slice(newline + 1);
      if (line === '') {
        if (current.data.length > 0) {
          yield {
            ...(current.id !== undefined ? { id: current.id } : {}),
            ...(current.event !== undefined ? { event: current.event } : {}),
            data: current.data.join('\n'),
          };
        }
        current = { data: [] };
        continue;
      }
      if (line.startsWith(':')) continue;
      const colon = line.indexOf(':');
      const field = colon < 0 ? line : line.slice(0, colon);
      const value = colon < 0 ? '' : line.slice(colon + 1).replace(/^ /, '');
      if (field === 'data') current.data.push(value);
      else if (field === 'id') current.id = value;
      else if (field === 'event') current.event = value;
    }
    if (buffer.length > MAX_LINE_BYTES) throw new Error('status event stream line too long');
  }
}

/**
 * Subscribes to the authority's status events and keeps reconnecting (with Last-Event-ID) until closed.
 * Only verified events with a sequence number above the last one acted on reach onEvent.
 */
export function subscribeStatusEvents(options: StatusSubscriptionOptions): StatusSubscription {
  const doFetch = options.fetch ?? globalThis.fetch;
  const firstRetry = options.retryMs ?? 500;
  let lastSeq = options.afterSeq ?? 0;
  // The first connection asks for no backlog (our caches are empty); every later one resumes after lastSeq.
  let resume = options.afterSeq !== undefined;
  let connected = false;
  let closed = false;
  let controller: AbortController | undefined;
  let timer: NodeJS.Timeout | undefined;
  let wake: (() => void) | undefined;

  const setConnected = (value: boolean): void => {
    if (connected === value) return;
    connected = value;
    options.onConnection?.(value);
  };

  const connectOnce = async (): Promise<void> => {
    controller = new AbortController();
    const response = await doFetch(options.url, {
      headers: {
        accept: 'text/event-stream',
        authorization: `Bearer ${await options.token()}`,
        ...(resume ? { 'last-event-id': String(lastSeq) } : {}),
      },
      signal: controller.signal,
    });
    if (response.status !== 200 || !response.body) {
      await response.body?.cancel().catch(() => undefined);
      throw new Error(`status event stream answered ${response.status}`);
    }
    setConnected(true);
    resume = true;
    for await (const message of sseEvents(response.body)) {
      if (closed) return;
      if (message.event !== 'status') continue;
      let event: StatusEvent;
      try {
        event = await verifyStatusEvent(message.data, options.authorityDid, options.resolver);
      } catch (error) {
        options.onRefused?.((error as Error).message);
        continue;
      }
      if (event.seq <= lastSeq) {
        options.onRefused?.(`Status event ${event.seq} was already seen (last ${lastSeq}); ignored.`);
        continue;
      }
      lastSeq = event.seq;
      options.onEvent(event);
    }
  };

  const run = async (): Promise<void> => {
    let delay = firstRetry;
    while (!closed) {
      const startedAt = Date.now();
      try {
        await connectOnce();
      } catch {
        // Unreachable, refused or cut: reconnect below; the status-list pull covers the gap.
      }
      setConnected(false);
      if (closed) return;
      // A connection that lasted a while starts the backoff afresh.
      if (Date.now() - startedAt > 30_000) delay = firstRetry;
      await new Promise<void>((resolve) => {
        wake = resolve;
        timer = setTimeout(resolve, delay);
        timer.unref();
      });
      wake = undefined;
      delay = Math.min(delay * 2, 30_000);
    }
  };
  void run();

  return {
    get lastSeq() {
      return lastSeq;
    },
    get connected() {
      return connected;
    },
    reconnect() {
      if (timer) clearTimeout(timer);
      wake?.();
    },
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      wake?.();
      controller?.abort();
    },
  };
}
