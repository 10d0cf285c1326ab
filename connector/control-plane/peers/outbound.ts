// Everything this connector sends to DSP peers leaves through the durable outbox: `sendDsp` enqueues in
// the caller's transaction (with the state change that sends the message), and `createDspDeliver` is
// the outbox's deliver function: each attempt carries a fresh request token for the peer, the host
// policy is enforced again at send time, and a peer's DSP error body is condensed to its reasons so the
// outbox's error text (and a termination it leads to) says why the peer refused.

import { randomUUID } from 'node:crypto';
import {
  createHttpDeliver,
  enqueue,
  httpFetch,
  PermanentDeliveryError,
  type Deliver,
  type DeliveredResponse,
  type OutboxEntry,
  type QueuedEntry,
} from '../../outbox/index.js';
import { assertFetchAllowed, IdentityError, type HostPolicy } from '../../identity/index.js';
import type { Queries } from '../../store/database.js';

/** The outbox headers factory that signs DSP messages. */
export const DSP_HEADERS = 'dsp';

export interface DspDeliverOptions {
  readonly hostPolicy: HostPolicy;
  /** A bearer token for the peer of the entry's negotiation or transfer. */
  readonly tokenFor: (entry: OutboxEntry) => Promise<string>;
  /** Sees 2xx answers, e.g. the ACK of an initial request that carries the peer's pid. */
  readonly onResponse?: (entry: OutboxEntry, response: DeliveredResponse) => Promise<void>;
  /** A resent message refused with 400: true when the peer's process shows it applied an earlier copy. */
  readonly peerHasIt?: (entry: OutboxEntry) => Promise<boolean>;
  readonly fetch?: typeof fetch;
}

/**
 * Enqueues `body` for the counterparty of process `to`, signed for it at every attempt. `to` is the record
 * as this transaction leaves it: its version tells the worker whether the process moved before sending.
 */
export function sendDsp(
  tx: Queries,
  to: { readonly id: string; readonly counterPartyId: string; readonly version?: number },
  url: string,
  body: object,
): Promise<QueuedEntry> {
  return enqueue(tx, {
    aggregateId: to.id,
    url,
    method: 'POST',
    // A message id of its own, stored with it: every resent copy carries the same one, so the peer
    // knows a redelivery from a new message with the same content (control-plane/received.ts).
    body: '@id' in body ? body : { '@id': `urn:uuid:${randomUUID()}`, ...body },
    headersFactoryKey: DSP_HEADERS,
    headersFactoryArg: to.counterPartyId,
    ...(to.version !== undefined ? { aggregateVersion: to.version } : {}),
  });
}

export function createDspDeliver(options: DspDeliverOptions): Deliver {
  const deliver = createHttpDeliver({
    fetch: peerFetch(options.hostPolicy, options.fetch ?? httpFetch),
    headers: {
      [DSP_HEADERS]: async (entry) => ({
        authorization: `Bearer ${await options.tokenFor(entry)}`,
      }),
    },
    ...(options.onResponse ? { onResponse: options.onResponse } : {}),
  });
  const { peerHasIt } = options;
  if (peerHasIt === undefined) return deliver;
  return async (entry, context) => {
    try {
      await deliver(entry, context);
    } catch (e) {
      // Only a resent copy: the first attempt's refusal is the peer's answer to this message.
      const resent = entry.attempts > 1;
      if (resent && e instanceof PermanentDeliveryError && e.status === 400 && (await peerHasIt(entry)))
        return;
      throw e;
    }
  };
}

/** fetch with the host policy checked per request and DSP error bodies reduced to their reasons. */
export function peerFetch(policy: HostPolicy, base: typeof fetch): typeof fetch {
  return async (input, init) => {
    const url = input instanceof Request ? input.url : String(input);
    try {
      assertFetchAllowed(policy, url, 'DSP peer address');
    } catch (e) {
      if (e instanceof IdentityError) throw new PermanentDeliveryError(e.message);
      throw e;
    }
    const response = await base(input, init);
    if (response.ok) return response;
    const text = await response.text();
    // Retry-After kept: it says when to try again.
    const retryAfter = response.headers.get('retry-after');
    return new Response(reasonsOf(text), {
      status: response.status,
      statusText: response.statusText,
      ...(retryAfter !== null ? { headers: { 'retry-after': retryAfter } } : {}),
    });
  };
}

/** "code: reason; reason" from a DSP error or problem+json body; other text as it came. */
export function reasonsOf(text: string): string {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    return text;
  }
  if (body === null || typeof body !== 'object') return text;
  const { code, reason, detail } = body as { code?: unknown; reason?: unknown; detail?: unknown };
  const reasons = Array.isArray(reason) ? reason.map(String) : typeof detail === 'string' ? [detail] : [];
  if (reasons.length === 0) return text;
  return `${typeof code === 'string' ? `${code}: ` : ''}${reasons.join('; ')}`;
}
