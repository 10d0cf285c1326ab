// Peer addresses (a consumer's callbackAddress, a provider's DSP base given to the management API) are
// URLs this connector will later POST signed messages to, so they are checked like any outbound fetch:
// http(s) only, no credentials, no query or fragment, and a host the connector's host policy allows
// (config `didHosts`; plain http only for loopback hosts). Without this a peer could point our
// callbacks at an internal service (SSRF).

import { encodeSegment } from '../../http/text.js';
import { assertFetchAllowed, IdentityError, type HostPolicy } from '../../identity/index.js';

export class PeerAddressError extends Error {
  readonly code = 'ERR_PEER_ADDRESS';
  override readonly name = 'PeerAddressError';
}

/** The address as a base URL without trailing slash, or a PeerAddressError saying what to change. */
export function checkPeerAddress(policy: HostPolicy, value: unknown, what: string): string {
  if (typeof value !== 'string' || value === '') {
    throw new PeerAddressError(`${what} must be an absolute http(s) URL`);
  }
  let url: URL;
  try {
    url = assertFetchAllowed(policy, value, what);
  } catch (e) {
    if (!(e instanceof IdentityError)) throw e;
    const hint =
      e.code === 'ERR_HOST_NOT_ALLOWED'
        ? `${what}: host ${new URL(value).host} is not allowed by this connector's host policy; ` +
          'its operator adds legitimate data-space hosts to "didHosts" in connector.json'
        : e.message;
    throw new PeerAddressError(hint);
  }
  if (url.search !== '' || url.hash !== '') {
    throw new PeerAddressError(`${what} must not carry a query or fragment: ${value}`);
  }
  return url.href.replace(/\/+$/, '');
}

/**
 * Why `address` (an initial message's callbackAddress) cannot be `callerDid`'s DSP endpoint, or undefined
 * when it can. We POST signed callbacks there, so it must be on the host:port that serves the caller's did:web
 * document (the host it authenticated with) or on the host of a service endpoint that DID document lists
 * (`listedEndpoints`: EDC-family connectors serve their DID from an identity hub on another host than their
 * DSP endpoint and list the latter), not some other service the caller wants us to reach. Only did:web
 * callers are checked: other methods name no host.
 */
export function callbackHostRefusal(
  callerDid: string,
  address: string,
  listedEndpoints: readonly string[] = [],
): string | undefined {
  const match = /^did:web:([^:]+)/.exec(callerDid);
  if (match === null) return undefined;
  let didHost: string;
  let callbackHost: string;
  try {
    didHost = decodeURIComponent(match[1] ?? '').toLowerCase();
    callbackHost = new URL(address).host.toLowerCase();
  } catch {
    return 'is not a URL on the host of your DID';
  }
  if (callbackHost === didHost) return undefined;
  if (listedEndpoints.some((endpoint) => hostOf(endpoint) === callbackHost)) return undefined;
  return (
    `must be on the host of your DID document (${didHost}) or of a service it lists, not ${callbackHost}: ` +
    'give your own DSP endpoint as callbackAddress, or list it as a service in your DID document'
  );
}

/**
 * `base` + path segments, each percent-encoded (process ids are IRIs such as urn:uuid:...). Never throws:
 * a peer's id with a lone surrogate must not stop a delivery or a management request with a URIError.
 */
export function peerUrl(base: string, ...segments: readonly string[]): string {
  return `${base}/${segments.map(encodeSegment).join('/')}`;
}

function hostOf(url: string): string | undefined {
  try {
    return new URL(url).host.toLowerCase();
  } catch {
    return undefined;
  }
}
