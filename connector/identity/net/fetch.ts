// The only way this library talks to the network: through a fetch function the caller injects, with a timeout,
// no redirects and a hard cap on the response size. Unit tests inject an in-memory fetch.
import { NetworkError, describeError } from '../errors.js';

export interface FetchResponseLike {
  readonly status: number;
  readonly headers: { get(name: string): string | null };
  readonly body?: ReadableStream<Uint8Array> | null;
  arrayBuffer(): Promise<ArrayBuffer>;
}

export interface FetchInit {
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  redirect: 'error';
  signal: AbortSignal;
}

/** Structural subset of the WHATWG fetch; `globalThis.fetch` satisfies it. */
export type FetchLike = (url: string, init: FetchInit) => Promise<FetchResponseLike>;

export interface BoundedFetchOptions {
  accept: string;
  maxBytes: number;
  timeoutMs: number;
  what: string;
  /** A POST with this body and these extra headers (DCP presentation queries); default a GET. */
  post?: { readonly body: string; readonly headers: Readonly<Record<string, string>> };
}

export interface BoundedResponse {
  readonly body: string;
  readonly contentType: string | null;
}

function tooLarge(what: string, maxBytes: number): NetworkError {
  return new NetworkError(
    'ERR_RESPONSE_TOO_LARGE',
    `${what} is larger than the limit of ${maxBytes} bytes.`,
    {
      details: { limit: maxBytes },
    },
  );
}

/**
 * Reads a response body, stopping (and cancelling the stream) as soon as it passes `maxBytes`: a hostile
 * peer cannot make us buffer more. `tooLarge` makes the caller's error.
 */
export async function readBodyBounded(
  response: FetchResponseLike,
  maxBytes: number,
  tooLarge: () => Error,
): Promise<Uint8Array> {
  if (!response.body) {
    const buffer = new Uint8Array(await response.arrayBuffer());
    if (buffer.byteLength > maxBytes) throw tooLarge();
    return buffer;
  }
  const reader = response.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw tooLarge();
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** GETs (or POSTs) `url` with the injected fetch; resolves with the body text of a 2xx response or throws NetworkError. */
export async function fetchBounded(
  fetch: FetchLike,
  url: URL,
  options: BoundedFetchOptions,
): Promise<BoundedResponse> {
  const { what, maxBytes } = options;
  let response: FetchResponseLike;
  try {
    response = await fetch(url.href, {
      method: options.post ? 'POST' : 'GET',
      headers: { ...(options.post?.headers ?? {}), accept: options.accept },
      ...(options.post ? { body: options.post.body } : {}),
      redirect: 'error',
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (error) {
    throw new NetworkError(
      'ERR_FETCH_FAILED',
      `${what}: fetching ${url.href} failed (${describeError(error)}).`,
      {
        cause: error,
        details: { url: url.href },
      },
    );
  }
  if (response.status < 200 || response.status > 299) {
    throw new NetworkError('ERR_FETCH_FAILED', `${what}: ${url.href} answered HTTP ${response.status}.`, {
      details: { url: url.href, status: response.status },
    });
  }
  const declared = Number(response.headers.get('content-length') ?? 'NaN');
  if (Number.isFinite(declared) && declared > maxBytes) throw tooLarge(what, maxBytes);
  let bytes: Uint8Array;
  try {
    bytes = await readBodyBounded(response, maxBytes, () => tooLarge(what, maxBytes));
  } catch (error) {
    if (error instanceof NetworkError) throw error;
    throw new NetworkError(
      'ERR_FETCH_FAILED',
      `${what}: reading ${url.href} failed (${describeError(error)}).`,
      {
        cause: error,
        details: { url: url.href },
      },
    );
  }
  let body: string;
  try {
    body = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    throw new NetworkError('ERR_FETCH_FAILED', `${what}: ${url.href} did not return UTF-8 text.`, {
      details: { url: url.href },
    });
  }
  return { body, contentType: response.headers.get('content-type') };
}
