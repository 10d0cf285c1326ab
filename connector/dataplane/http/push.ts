// HTTP push: the provider streams the data to the endpoint the consumer named, with the
// authorization the consumer gave. The endpoint is checked against the host policy (and, unless
// allowed, must not resolve to a private address: a consumer must not make the provider reach into
// its own network). `pushTransfer` is the usage-controlled form the control plane calls.
import type { OutgoingHttpHeaders } from 'node:http';
import { isIdentityError } from '../../identity/errors.js';
import { assertFetchAllowed, type HostPolicy } from '../../identity/net/host-policy.js';
import { openAuthorizedData, type AccessServices } from '../access.js';
import { DataPlaneError } from '../errors.js';
import { discard, sendRequest, sharedAgents } from '../net/request.js';
import { rangeLength } from '../range.js';
import type { DataSource, OpenedData } from '../sources/types.js';
import type { TransferView } from '../types.js';
import type { AccessGrant } from '../usage/meter.js';

export interface PushOptions {
  /** A source to open, or data already opened (and authorized). */
  readonly source: DataSource | OpenedData;
  /** The consumer's endpoint. */
  readonly url: string;
  /** Sent verbatim as the Authorization header (what the consumer's data address carried). */
  readonly authorization?: string;
  /** Hosts the provider may push to (connector/identity's host policy). */
  readonly hostPolicy: HostPolicy;
  /** Allow endpoints on loopback or private addresses (local data spaces, tests). */
  readonly allowPrivateAddresses?: boolean;
  readonly method?: 'PUT' | 'POST';
  /** Idle timeout (default 30 s). */
  readonly timeoutMs?: number;
  readonly signal?: AbortSignal;
}

export interface PushResult {
  readonly status: number;
  readonly bytes: number;
}

function checkEndpoint(url: string, policy: HostPolicy): URL {
  try {
    return assertFetchAllowed(policy, url, 'The push endpoint');
  } catch (error) {
    if (!isIdentityError(error)) throw error;
    throw new DataPlaneError('ERR_PUSH_REFUSED', error.message, { details: { reason: error.code } });
  }
}

export async function pushToEndpoint(options: PushOptions): Promise<PushResult> {
  const url = checkEndpoint(options.url, options.hostPolicy);
  const data = 'open' in options.source ? await options.source.open() : options.source;
  const length = data.range ? rangeLength(data.range) : data.size;
  const headers: OutgoingHttpHeaders = {
    'content-type': data.contentType,
    ...(length !== undefined ? { 'content-length': length } : {}),
    ...(options.authorization !== undefined ? { authorization: options.authorization } : {}),
  };
  const allowPrivate = options.allowPrivateAddresses === true;
  let bytes = 0;
  const pending = sendRequest({
    url,
    method: options.method ?? 'PUT',
    headers,
    body: data.stream,
    agents: sharedAgents(allowPrivate, 'ERR_PUSH_REFUSED'),
    guard: { allowPrivateAddresses: allowPrivate },
    refusalCode: 'ERR_PUSH_REFUSED',
    failureCode: 'ERR_PUSH_FAILED',
    timeoutMs: options.timeoutMs ?? 30_000,
    ...(options.signal ? { signal: options.signal } : {}),
  });
  data.stream.on('data', (chunk: Buffer) => {
    bytes += chunk.length;
  });
  let response;
  try {
    response = await pending;
  } catch (error) {
    data.stream.destroy();
    throw error;
  }
  discard(response);
  const status = response.statusCode ?? 0;
  if (status < 200 || status >= 300) {
    data.stream.destroy();
    throw new DataPlaneError(
      'ERR_PUSH_FAILED',
      `The consumer's endpoint ${url.host} answered ${status}` +
        (status >= 300 && status < 400 ? ' (a redirect; redirects are not followed)' : '') +
        '; check the endpoint and the authorization the consumer gave.',
      { details: { status, host: url.host } },
    );
  }
  // The answer can come before the body is fully sent; wait until it has been.
  if (!data.stream.readableEnded && !data.stream.destroyed) {
    await new Promise<void>((resolve) => data.stream.once('close', resolve));
  }
  return { status, bytes };
}

/**
 * Pushes a started transfer's data under usage control: the access is counted and decided like a
 * pull, the provider's duties are performed, then the bytes are streamed to the consumer.
 */
export async function pushTransfer(
  services: AccessServices,
  transfer: { readonly transferId: string; readonly view: TransferView },
  target: Omit<PushOptions, 'source'>,
): Promise<PushResult & { readonly grant: AccessGrant }> {
  if (transfer.view.state !== 'STARTED') {
    throw new DataPlaneError(
      'ERR_TRANSFER_NOT_ACTIVE',
      `The transfer is ${transfer.view.state}; only a started transfer pushes data.`,
      { details: { transferId: transfer.transferId, state: transfer.view.state } },
    );
  }
  checkEndpoint(target.url, target.hostPolicy);
  const access = await openAuthorizedData(services, {
    transferId: transfer.transferId,
    transfer: transfer.view,
  });
  const result = await pushToEndpoint({ ...target, source: access.data });
  return { ...result, grant: access.grant };
}
