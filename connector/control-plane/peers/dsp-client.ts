// Synchronous DSP calls for the participant's own tools (the management API): ask a peer's catalog or
// one of its datasets and hand back what it answered. Process messages never go this way (they use the
// outbox); these are reads that an operator waits for.

import { HttpProblem } from '../../http/problem.js';
import { currentRequestId } from '../../logging/index.js';
import { httpFetch } from '../../outbox/index.js';
import { reasonsOf } from './outbound.js';
import { assertFetchAllowed, IdentityError, type HostPolicy } from '../../identity/index.js';
import { MAX_DID_URL_LENGTH } from '../../identity/did/parse.js';

export interface DspClientOptions {
  readonly hostPolicy: HostPolicy;
  /** A bearer token presenting our wallet to `did`. */
  readonly tokenFor: (did: string) => Promise<string>;
  readonly fetch?: typeof fetch;
  /** Default 15 s. */
  readonly timeoutMs?: number;
}

export interface PeerAnswer {
  readonly body: unknown;
  /** The Link header's next/previous targets, when the peer paginates. */
  readonly links: Readonly<Record<string, string>>;
}

export class DspClient {
  private readonly send: typeof fetch;
  private readonly timeoutMs: number;

  constructor(private readonly options: DspClientOptions) {
    this.send = options.fetch ?? httpFetch;
    this.timeoutMs = options.timeoutMs ?? 15_000;
  }

  /** POST `body` to `url` at the peer `did` (the host policy is checked first). */
  post(did: string, url: string, body: object): Promise<PeerAnswer> {
    return this.call(did, url, { method: 'POST', body: JSON.stringify(body) });
  }

  get(did: string, url: string): Promise<PeerAnswer> {
    return this.call(did, url, { method: 'GET' });
  }

  private async call(did: string, url: string, init: { method: string; body?: string }): Promise<PeerAnswer> {
    // The id is the audience of our request token: a longer one makes a header no peer will read.
    if (did.length > MAX_DID_URL_LENGTH) {
      throw new HttpProblem(
        400,
        'invalid-body',
        `counterPartyId is longer than ${MAX_DID_URL_LENGTH} characters`,
        [{ pointer: '/counterPartyId', reason: `at most ${MAX_DID_URL_LENGTH} characters` }],
      );
    }
    try {
      assertFetchAllowed(this.options.hostPolicy, url, 'counterPartyAddress');
    } catch (e) {
      if (e instanceof IdentityError) throw new HttpProblem(400, 'peer-address-refused', e.message);
      throw e;
    }
    const headers: Record<string, string> = {
      authorization: `Bearer ${await this.options.tokenFor(did)}`,
      accept: 'application/json',
    };
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    // The peer logs our call under the id of the request it serves.
    const requestId = currentRequestId();
    if (requestId !== undefined) headers['x-request-id'] = requestId;
    let response: Response;
    try {
      response = await this.send(url, {
        ...init,
        headers,
        redirect: 'manual',
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (e) {
      throw new HttpProblem(
        502,
        'peer-unreachable',
        `${init.method} ${url} failed: ${(e as Error).message}; check the address and that the peer is up`,
      );
    }
    const text = await response.text();
    if (!response.ok) {
      // A refusal is a valid answer (424: the call depended on it), not a bad gateway; 502 is for a
      // peer that failed (5xx), answered garbage or could not be reached.
      throw new HttpProblem(
        response.status >= 400 && response.status < 500 ? 424 : 502,
        'peer-refused',
        `${init.method} ${url} answered ${response.status}: ${reasonsOf(text).slice(0, 500)}`,
      );
    }
    try {
      return { body: JSON.parse(text) as unknown, links: parseLinks(response.headers.get('link')) };
    } catch {
      throw new HttpProblem(502, 'peer-invalid-answer', `${init.method} ${url} did not answer JSON`);
    }
  }
}

/** `<url>; rel="next", <url>; rel="previous"` → { next: url, previous: url }. */
export function parseLinks(header: string | null): Record<string, string> {
  const links: Record<string, string> = {};
  for (const part of (header ?? '').split(',')) {
    const match = /<([^>]*)>\s*;\s*rel="?([a-z]+)"?/i.exec(part.trim());
    if (match?.[1] !== undefined && match[2] !== undefined) links[match[2].toLowerCase()] = match[1];
  }
  return links;
}
