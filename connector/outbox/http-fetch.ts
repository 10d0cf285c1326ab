// A lean `fetch` for the connector's own peer-to-peer calls: node:http / node:https with keep-alive
// agents, the subset the outbox and the DSP client use (method, headers, a string body, an abort
// signal; redirects are never followed), answering a standard Response. The global fetch costs
// several times as much CPU per request (WHATWG streams, request cloning), which shows when every
// negotiation step is a request. A request on a reused keep-alive socket that the peer closed
// meanwhile (ECONNRESET before any answer) is sent once more on a fresh socket, as Node advises.

import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

// Idle sockets are dropped before the common 5 s server keep-alive ends (Shuyu's own included).
const AGENT_OPTIONS = { keepAlive: true, timeout: 4_000, scheduling: 'lifo' } as const;
const httpAgent = new HttpAgent(AGENT_OPTIONS);
const httpsAgent = new HttpsAgent(AGENT_OPTIONS);

/** Answers that carry no body (the Response constructor refuses one). */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

export const httpFetch: typeof fetch = async (input, init = {}) => {
  const url = new URL(input instanceof Request ? input.url : String(input));
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new TypeError(`httpFetch supports http and https URLs, not ${url.protocol}`);
  }
  const body = init.body;
  if (body !== undefined && body !== null && typeof body !== 'string') {
    throw new TypeError('httpFetch sends string bodies only');
  }
  const headers: Record<string, string> = {};
  new Headers(init.headers).forEach((value, name) => (headers[name] = value));
  if (body !== undefined && body !== null) headers['content-length'] = String(Buffer.byteLength(body));
  const method = (init.method ?? 'GET').toUpperCase();
  const signal = init.signal ?? undefined;
  signal?.throwIfAborted();
  try {
    return await send(url, method, headers, body ?? undefined, signal);
  } catch (e) {
    if (!isStaleSocket(e)) throw e;
    return send(url, method, headers, body ?? undefined, signal, true);
  }
};

class StaleSocketError extends Error {}

function isStaleSocket(e: unknown): boolean {
  return e instanceof StaleSocketError;
}

function send(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
  signal: AbortSignal | undefined,
  fresh = false,
): Promise<Response> {
  return new Promise<Response>((resolve, reject) => {
    const https = url.protocol === 'https:';
    const request = (https ? httpsRequest : httpRequest)(url, {
      method,
      headers,
      // A retry after a stale socket opens a new connection rather than trying another idle one.
      agent: fresh ? false : https ? httpsAgent : httpAgent,
    });
    const onAbort = (): void => {
      request.destroy(signal?.reason instanceof Error ? signal.reason : new Error('aborted'));
    };
    signal?.addEventListener('abort', onAbort, { once: true });
    const done = (): void => signal?.removeEventListener('abort', onAbort);
    request.once('error', (error: NodeJS.ErrnoException) => {
      done();
      if (signal?.aborted) {
        reject(signal.reason instanceof Error ? signal.reason : error);
        return;
      }
      const stale = !fresh && request.reusedSocket && (error.code === 'ECONNRESET' || error.code === 'EPIPE');
      reject(stale ? new StaleSocketError(error.message) : new TypeError('fetch failed', { cause: error }));
    });
    request.once('response', (answer: IncomingMessage) => {
      const chunks: Buffer[] = [];
      answer.on('data', (chunk: Buffer) => chunks.push(chunk));
      answer.once('error', (error) => {
        done();
        reject(new TypeError('fetch failed', { cause: error }));
      });
      answer.once('end', () => {
        done();
        const status = answer.statusCode ?? 502;
        const responseHeaders = new Headers();
        for (let i = 0; i < answer.rawHeaders.length; i += 2) {
          responseHeaders.append(answer.rawHeaders[i] as string, answer.rawHeaders[i + 1] as string);
        }
        try {
          resolve(
            new Response(NULL_BODY_STATUSES.has(status) ? null : Buffer.concat(chunks), {
              status: status < 200 || status > 599 ? 502 : status,
              statusText: answer.statusMessage ?? '',
              headers: responseHeaders,
            }),
          );
        } catch (e) {
          reject(e);
        }
      });
    });
    request.end(body);
  });
}
