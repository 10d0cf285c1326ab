// Which hosts the identity library may fetch from (DID documents, status lists), and on which scheme.
import { NetworkError } from '../errors.js';
import { isLoopbackHost } from './loopback.js';

export interface HostPolicy {
  /**
   * Allowed hosts: `example.com` (that host, any port), `example.com:8443` (that host and port), `*.example.com`
   * (any subdomain, not the apex). `'*'` allows every host and should only be used in closed test setups.
   */
  readonly allow: readonly string[] | '*';
  /** Allow `http:` for loopback hosts (local development and tests). Never applies to other hosts. */
  readonly allowHttpForLoopback?: boolean;
}

function matches(pattern: string, hostname: string, port: string): boolean {
  const normalised = pattern.trim().toLowerCase();
  if (normalised.startsWith('*.')) {
    const suffix = normalised.slice(1);
    return hostname.endsWith(suffix) && hostname.length > suffix.length;
  }
  let parsed: URL;
  try {
    parsed = new URL(`https://${normalised}`);
  } catch {
    return false;
  }
  if (parsed.hostname !== hostname) return false;
  return parsed.port === '' || parsed.port === port;
}

export function isHostAllowed(policy: HostPolicy, url: URL): boolean {
  if (policy.allow === '*') return true;
  const port = url.port || (url.protocol === 'https:' ? '443' : '80');
  return policy.allow.some((pattern) => matches(pattern, url.hostname, port));
}

/** Parses `url` and checks scheme and host against the policy. Never performs I/O. */
export function assertFetchAllowed(policy: HostPolicy, url: string | URL, what: string): URL {
  let parsed: URL;
  try {
    parsed = typeof url === 'string' ? new URL(url) : new URL(url.href);
  } catch {
    throw new NetworkError('ERR_URL_INVALID', `${what}: "${String(url).slice(0, 200)}" is not a valid URL.`);
  }
  if (parsed.username || parsed.password) {
    throw new NetworkError('ERR_URL_INVALID', `${what}: URLs with credentials are not allowed.`);
  }
  if (parsed.protocol === 'http:') {
    if (!isLoopbackHost(parsed.hostname)) {
      throw new NetworkError(
        'ERR_URL_INSECURE',
        `${what}: plain http is only allowed for loopback hosts; use https for ${parsed.host}.`,
        { details: { url: parsed.href } },
      );
    }
    if (policy.allowHttpForLoopback !== true) {
      throw new NetworkError(
        'ERR_URL_INSECURE',
        `${what}: plain http to ${parsed.host} needs allowHttpForLoopback in the host policy (local setups only).`,
        { details: { url: parsed.href } },
      );
    }
  } else if (parsed.protocol !== 'https:') {
    throw new NetworkError(
      'ERR_URL_INVALID',
      `${what}: only https URLs can be fetched (got ${parsed.protocol}).`,
    );
  }
  if (!isHostAllowed(policy, parsed)) {
    throw new NetworkError(
      'ERR_HOST_NOT_ALLOWED',
      `${what}: host ${parsed.host} is not in the allow-list; add it to the identity host policy if it is a ` +
        'legitimate data-space participant.',
      { details: { host: parsed.host } },
    );
  }
  return parsed;
}
