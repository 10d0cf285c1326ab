// Outgoing HTTP(S) requests of the data plane (backend sources, push, consumer fetch): the resolved
// address is checked against the private ranges on every connection (so DNS cannot point an allowed
// name inside), redirects are never followed (the caller sees the 3xx), and an idle socket times out.
import type { LookupAddress } from 'node:dns';
import { lookup as dnsLookup } from 'node:dns';
import { Agent as HttpAgent, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { request as httpRequest } from 'node:http';
import { isIP, type LookupFunction } from 'node:net';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DataPlaneError, type DataPlaneErrorCode } from '../errors.js';
import { isPrivateAddress } from './private-address.js';

export interface NetworkGuard {
  /** Allow loopback, private and link-local targets (local data spaces, tests). Default: refused. */
  readonly allowPrivateAddresses?: boolean;
}

function privateRefusal(code: DataPlaneErrorCode, host: string, address: string): DataPlaneError {
  return new DataPlaneError(
    code,
    `${host} resolves to ${address}, a loopback or private address; the data plane only reaches such ` +
      'targets when allowPrivateAddresses is set in its configuration.',
    { details: { host } },
  );
}

/** dns.lookup, refusing private results unless allowed. */
function guardedLookup(code: DataPlaneErrorCode): LookupFunction {
  return (hostname, options, callback) => {
    dnsLookup(hostname, { ...options, all: true }, (error, addresses: LookupAddress[]) => {
      if (error) return callback(error, '', 0);
      const inside = addresses.find((entry) => isPrivateAddress(entry.address));
      if (inside) return callback(privateRefusal(code, hostname, inside.address), '', 0);
      if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      const first = addresses[0];
      if (!first) return callback(new Error(`no address for ${hostname}`), '', 0);
      callback(null, first.address, first.family);
    });
  };
}

export interface RequestAgents {
  readonly http: HttpAgent;
  readonly https: HttpsAgent;
}

/** Keep-alive agents whose every new connection goes through the guard. */
export function createAgents(guard: NetworkGuard, refusalCode: DataPlaneErrorCode): RequestAgents {
  const lookup = guard.allowPrivateAddresses === true ? undefined : guardedLookup(refusalCode);
  const options = { keepAlive: true, ...(lookup ? { lookup } : {}) };
  return { http: new HttpAgent(options), https: new HttpsAgent(options) };
}

const shared = new Map<string, RequestAgents>();

/** Agents shared by every caller with the same guard (push targets, consumer downloads). */
export function sharedAgents(allowPrivateAddresses: boolean, refusalCode: DataPlaneErrorCode): RequestAgents {
  const key = `${refusalCode} ${allowPrivateAddresses}`;
  let agents = shared.get(key);
  if (!agents) {
    agents = createAgents({ allowPrivateAddresses }, refusalCode);
    shared.set(key, agents);
  }
  return agents;
}

export interface SendOptions {
  readonly url: URL;
  readonly method: string;
  readonly headers: OutgoingHttpHeaders;
  readonly agents: RequestAgents;
  readonly guard: NetworkGuard;
  /** Code of the error thrown when the target is a private address. */
  readonly refusalCode: DataPlaneErrorCode;
  /** Code of the error thrown for network failures and timeouts. */
  readonly failureCode: DataPlaneErrorCode;
  /** Idle socket timeout (no bytes either way for this long). */
  readonly timeoutMs: number;
  readonly body?: Readable;
  readonly signal?: AbortSignal;
}

/** Sends the request (streaming `body` with backpressure) and resolves with the response head. */
export function sendRequest(options: SendOptions): Promise<IncomingMessage> {
  const { url } = options;
  // Literal IP addresses skip the lookup, so they are checked here.
  const literal = url.hostname.replace(/^\[|\]$/g, '');
  if (isIP(literal) !== 0 && options.guard.allowPrivateAddresses !== true && isPrivateAddress(literal)) {
    return Promise.reject(privateRefusal(options.refusalCode, url.host, literal));
  }
  const https = url.protocol === 'https:';
  const send = https ? httpsRequest : httpRequest;
  return new Promise<IncomingMessage>((resolve, reject) => {
    const request = send(url, {
      method: options.method,
      headers: options.headers,
      agent: https ? options.agents.https : options.agents.http,
      ...(options.signal ? { signal: options.signal } : {}),
    });
    request.setTimeout(options.timeoutMs, () => {
      request.destroy(
        new DataPlaneError(
          options.failureCode,
          `${url.host} did not answer within ${options.timeoutMs} ms; check that it is up, or raise the timeout.`,
          { details: { host: url.host } },
        ),
      );
    });
    request.on('error', (error) => reject(asDataPlaneError(error, options)));
    request.once('response', resolve);
    if (options.body) {
      pipeline(options.body, request).catch((error: unknown) => {
        request.destroy(error instanceof Error ? error : undefined);
        reject(asDataPlaneError(error, options));
      });
    } else {
      request.end();
    }
  });
}

function asDataPlaneError(error: unknown, options: SendOptions): DataPlaneError {
  if (error instanceof DataPlaneError) return error;
  const code = (error as NodeJS.ErrnoException)?.code ?? 'error';
  return new DataPlaneError(
    options.failureCode,
    `The request to ${options.url.host} failed (${code}); check that the endpoint is reachable.`,
    { details: { host: options.url.host, reason: String(code) }, cause: error },
  );
}

/** Reads and drops a response body we do not use, so the connection can be reused. */
export function discard(response: IncomingMessage): void {
  response.resume();
}
