// did:web <-> URL mapping (W3C CCG did:web method): `did:web:example.com` -> https://example.com/.well-known/did.json,
// `did:web:example.com:path:seg` -> https://example.com/path/seg/did.json, ports percent-encoded (`%3A8080`).
// Plain http is produced or accepted only for loopback hosts, and only when the caller asks for it.
import { DidError } from '../errors.js';
import { isLoopbackHost } from '../net/loopback.js';

const MAX_DID_LENGTH = 2048;
// DID syntax idchar: ALPHA / DIGIT / "." / "-" / "_" / pct-encoded.
const SEGMENT = /^(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})+$/;

export interface DidWebUrlOptions {
  /** Map loopback hosts (127.0.0.0/8, localhost, [::1]) to http:// instead of https://. Default false. */
  allowHttpForLoopback?: boolean;
}

function invalid(did: string, reason: string): DidError {
  return new DidError('ERR_DID_INVALID', `"${did.slice(0, 200)}" is not a valid did:web DID: ${reason}.`);
}

function safeDecode(value: string): string | undefined {
  try {
    return decodeURIComponent(value);
  } catch {
    return undefined;
  }
}

function decodeSegment(did: string, segment: string): string {
  if (!SEGMENT.test(segment))
    throw invalid(did, `segment "${segment.slice(0, 80)}" has characters DIDs forbid`);
  const decoded = safeDecode(segment);
  if (decoded === undefined)
    throw invalid(did, `segment "${segment.slice(0, 80)}" is not valid percent-encoded UTF-8`);
  if (decoded === '.' || decoded === '..' || /[/\\?#]/.test(decoded)) {
    throw invalid(did, `segment "${segment.slice(0, 80)}" is not a plain path segment`);
  }
  return decoded;
}

/** Maps a did:web DID (no fragment, no query) to the URL of its DID document. */
export function didWebToUrl(did: string, options: DidWebUrlOptions = {}): URL {
  if (typeof did !== 'string' || did.length > MAX_DID_LENGTH) {
    throw new DidError('ERR_DID_INVALID', 'A did:web DID must be a string of at most 2048 characters.');
  }
  if (!did.startsWith('did:web:')) throw invalid(did, 'it does not start with "did:web:"');
  const segments = did.slice('did:web:'.length).split(':');
  const [hostSegment, ...pathSegments] = segments;
  if (!hostSegment) throw invalid(did, 'the host is empty');
  const authority = decodeSegment(did, hostSegment);
  if (/[@\s]/.test(authority)) throw invalid(did, 'the host contains "@" or whitespace');
  let url: URL;
  try {
    url = new URL(`https://${authority}/`);
  } catch {
    throw invalid(did, `"${authority.slice(0, 80)}" is not a valid host`);
  }
  if (url.host !== authority.toLowerCase()) {
    // The URL parser rewrote the authority (e.g. dropped a default port): refuse ambiguous spellings.
    throw invalid(did, `"${authority.slice(0, 80)}" is not in canonical host[:port] form`);
  }
  const path = pathSegments.map((segment) => encodeURIComponent(decodeSegment(did, segment)));
  url.pathname = path.length === 0 ? '/.well-known/did.json' : `/${path.join('/')}/did.json`;
  if (options.allowHttpForLoopback === true && isLoopbackHost(url.hostname)) url.protocol = 'http:';
  return url;
}

/**
 * Maps a connector base URL to its did:web DID: `https://example.com` -> `did:web:example.com`,
 * `https://example.com:8443/connectors/a` -> `did:web:example.com%3A8443:connectors:a`. A trailing
 * `/did.json` or `/.well-known/did.json` is accepted. http URLs are accepted for loopback hosts only.
 */
export function urlToDidWeb(input: string | URL): string {
  let url: URL;
  try {
    url = new URL(typeof input === 'string' ? input : input.href);
  } catch {
    throw new DidError('ERR_DID_INVALID', `"${String(input).slice(0, 200)}" is not a valid URL.`);
  }
  if (url.protocol === 'http:' && !isLoopbackHost(url.hostname)) {
    throw new DidError(
      'ERR_DID_INVALID',
      `did:web requires https; plain http is only accepted for loopback hosts (got ${url.host}).`,
    );
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    throw new DidError('ERR_DID_INVALID', `did:web URLs must be https (got ${url.protocol}).`);
  }
  if (url.username || url.password || url.search || url.hash) {
    throw new DidError(
      'ERR_DID_INVALID',
      'did:web URLs must not contain credentials, a query or a fragment.',
    );
  }
  let path = url.pathname.replace(/\/+$/, '');
  if (path === '/.well-known/did.json' || path === '/.well-known') path = '';
  else if (path.endsWith('/did.json')) path = path.slice(0, -'/did.json'.length);
  const segments = path
    .split('/')
    .filter((segment) => segment.length > 0)
    .map((segment) => {
      const decoded = safeDecode(segment);
      if (decoded === undefined) {
        throw new DidError('ERR_DID_INVALID', `The URL path segment "${segment.slice(0, 80)}" is not valid.`);
      }
      return encodeURIComponent(decoded);
    });
  const host = encodeURIComponent(url.host);
  return ['did:web', host, ...segments].join(':');
}
