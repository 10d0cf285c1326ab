// Splitting DIDs and DID URLs. Only the methods this library can resolve are recognised.
import { DidError } from '../errors.js';

export const MAX_DID_URL_LENGTH = 2048;
const DID =
  /^did:([a-z0-9]+):((?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})+(?::(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})+)*)$/;

export interface ParsedDidUrl {
  /** The DID without path, query or fragment. */
  readonly did: string;
  readonly method: string;
  /** The fragment without '#', if any. */
  readonly fragment: string | undefined;
}

export function isDid(value: unknown): value is string {
  return typeof value === 'string' && value.length <= MAX_DID_URL_LENGTH && DID.test(value);
}

/** Parses `did:method:id` optionally followed by `#fragment`. Paths and queries are not supported. */
export function parseDidUrl(value: unknown): ParsedDidUrl {
  if (typeof value !== 'string' || value.length > MAX_DID_URL_LENGTH) {
    throw new DidError('ERR_DID_INVALID', 'A DID URL must be a string of at most 2048 characters.');
  }
  const hash = value.indexOf('#');
  const did = hash === -1 ? value : value.slice(0, hash);
  const fragment = hash === -1 ? undefined : value.slice(hash + 1);
  const match = DID.exec(did);
  if (!match || fragment === '' || (fragment !== undefined && /[#\s]/.test(fragment))) {
    throw new DidError(
      'ERR_DID_INVALID',
      `"${value.slice(0, 200)}" is not a DID or DID URL this library accepts.`,
    );
  }
  return { did, method: match[1] ?? '', fragment };
}

/** Resolves a `kid` (absolute DID URL, `#fragment` or bare fragment) against the DID it must belong to. */
export function absoluteKeyId(kid: string, did: string): string {
  if (kid.startsWith('did:')) return kid;
  return kid.startsWith('#') ? `${did}${kid}` : `${did}#${kid}`;
}
