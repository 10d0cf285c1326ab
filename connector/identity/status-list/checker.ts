// The verifier side of Bitstring Status List: fetch the list credential named in a credential's status entry
// (through the injected fetch and host policy), verify its signature and that it comes from the credential's
// issuer, cache it for a bounded time, and read the bit. Unavailable status fails closed.
import { systemClock, type Clock } from '../clock.js';
import { parseSecuredCredential } from '../credentials/parse.js';
import { verifyDataIntegrityCredentialProof } from '../credentials/proof-di.js';
import { verifyJwtCredentialProof } from '../credentials/proof-jwt.js';
import { statusListSchemaViolation } from '../credentials/schemas.js';
import { validityPeriod } from '../credentials/validity.js';
import type { DidResolver } from '../did/resolver.js';
import { createDocumentLoader, type DocumentLoader } from '../document-loader/loader.js';
import {
  CredentialError,
  DidError,
  IdentityError,
  InputError,
  NetworkError,
  StatusListError,
  describeError,
} from '../errors.js';
import { fetchBounded, type FetchLike } from '../net/fetch.js';
import { assertFetchAllowed, type HostPolicy } from '../net/host-policy.js';
import { isRecord } from '../util/json.js';
import { TtlCache } from '../util/ttl-cache.js';
import { DEFAULT_MAX_STATUS_LIST_BITS, StatusBitstring } from './bitstring.js';

export interface StatusCheckTarget {
  readonly issuer: string;
  readonly credentialId?: string;
  /** The credential's `credentialStatus` (one entry or an array). */
  readonly credentialStatus: unknown;
}

export interface StatusChecker {
  /** Resolves when no revocation or suspension bit is set; throws CredentialError otherwise. */
  check(target: StatusCheckTarget): Promise<void>;
  /**
   * Forgets every cached list, so the next check fetches afresh (a pushed status event said a list changed).
   * Fetches already under way when this is called are not cached.
   */
  invalidate?(): void;
}

export interface StatusListCheckerOptions {
  fetch: FetchLike;
  hostPolicy: HostPolicy;
  /** Resolves the list issuer's DID to verify the list signature. */
  resolver: DidResolver;
  documentLoader?: DocumentLoader;
  clock?: Clock;
  clockSkewSeconds?: number;
  /** Upper bound on how long a fetched list is trusted (default 5 minutes; also capped by its validUntil/ttl). */
  cacheTtlMs?: number;
  cacheMaxEntries?: number;
  /** Size limit of the fetched list credential (default 256 KiB). */
  maxListBytes?: number;
  maxListBits?: number;
  timeoutMs?: number;
}

interface CachedList {
  readonly issuer: string;
  readonly purposes: readonly string[];
  readonly bits: StatusBitstring;
}

const CHECKED_PURPOSES = new Set(['revocation', 'suspension']);

function listInvalid(url: string, reason: string, cause?: unknown): StatusListError {
  return new StatusListError('ERR_STATUS_LIST_INVALID', `Status list ${url} ${reason}.`, {
    ...(cause !== undefined ? { cause } : {}),
    details: { url },
  });
}

function statusInvalid(credentialId: string, reason: string): CredentialError {
  return new CredentialError('ERR_CREDENTIAL_STATUS_INVALID', `Credential ${credentialId}: ${reason}.`, {
    details: { credentialId },
  });
}

export function createStatusListChecker(options: StatusListCheckerOptions): StatusChecker {
  const clock = options.clock ?? systemClock;
  const skewSeconds = options.clockSkewSeconds ?? 30;
  const maxTtlMs = options.cacheTtlMs ?? 5 * 60_000;
  const maxBytes = options.maxListBytes ?? 256 * 1024;
  const maxBits = options.maxListBits ?? DEFAULT_MAX_STATUS_LIST_BITS;
  const loader = options.documentLoader ?? createDocumentLoader();
  const cache = new TtlCache<string, CachedList>({ maxEntries: options.cacheMaxEntries ?? 200, clock });
  const inFlight = new Map<string, Promise<CachedList>>();
  // Bumped by invalidate(): a list fetched under an older generation may predate the change, so it is used
  // for the check that asked for it but not cached.
  let generation = 0;

  async function fetchList(url: string, expectedIssuer: string): Promise<CachedList> {
    const fetchedIn = generation;
    const target = assertFetchAllowed(options.hostPolicy, url, 'Status list');
    const { body } = await fetchBounded(options.fetch, target, {
      accept: 'application/vc+jwt, application/vc+ld+json;q=0.9, application/json;q=0.8',
      maxBytes,
      timeoutMs: options.timeoutMs ?? 5_000,
      what: `Status list ${url}`,
    });
    let parsed;
    try {
      parsed = parseSecuredCredential(body, maxBytes);
    } catch (error) {
      throw listInvalid(url, `is not a secured credential (${describeError(error)})`, error);
    }
    const { credential } = parsed;
    const violation = statusListSchemaViolation(credential);
    if (violation) throw listInvalid(url, `is not a BitstringStatusListCredential: ${violation}`);
    if (parsed.issuer !== expectedIssuer) {
      throw new StatusListError(
        'ERR_STATUS_LIST_ISSUER_MISMATCH',
        `Status list ${url} is issued by ${parsed.issuer}, not by the credential's issuer ${expectedIssuer}.`,
        { details: { url } },
      );
    }
    if (credential.id !== undefined && credential.id !== url) {
      throw listInvalid(
        url,
        `names itself ${String(credential.id).slice(0, 200)}; a list must be served at its id`,
      );
    }
    const now = clock();
    const { validFrom, validUntil } = validityPeriod(credential);
    if (validFrom && validFrom.getTime() - skewSeconds * 1000 > now.getTime()) {
      throw listInvalid(url, 'is not valid yet');
    }
    if (validUntil && validUntil.getTime() + skewSeconds * 1000 < now.getTime()) {
      throw listInvalid(url, 'has expired; the issuer must re-issue it');
    }
    try {
      if (parsed.format === 'jwt') await verifyJwtCredentialProof(parsed, options.resolver);
      else {
        await verifyDataIntegrityCredentialProof(parsed, {
          resolver: options.resolver,
          documentLoader: loader,
          now,
          clockSkewSeconds: skewSeconds,
        });
      }
    } catch (error) {
      if (error instanceof CredentialError)
        throw listInvalid(url, `is not authentic: ${error.message}`, error);
      throw error;
    }
    const subject = credential.credentialSubject as Record<string, unknown>;
    const purposes = Array.isArray(subject.statusPurpose)
      ? subject.statusPurpose.map(String)
      : [String(subject.statusPurpose)];
    const bits = StatusBitstring.decode(String(subject.encodedList), maxBits);
    // Trust the list no longer than our bound, its own validUntil, or its ttl (milliseconds), whichever is first.
    let expiresAt = now.getTime() + maxTtlMs;
    if (validUntil) expiresAt = Math.min(expiresAt, validUntil.getTime());
    if (typeof subject.ttl === 'number' && subject.ttl > 0)
      expiresAt = Math.min(expiresAt, now.getTime() + subject.ttl);
    const list: CachedList = { issuer: parsed.issuer, purposes, bits };
    if (fetchedIn === generation) cache.set(url, list, expiresAt);
    return list;
  }

  async function loadList(url: string, expectedIssuer: string, credentialId: string): Promise<CachedList> {
    let list = cache.get(url);
    if (!list) {
      let pending = inFlight.get(url);
      if (!pending) {
        const started: Promise<CachedList> = fetchList(url, expectedIssuer).finally(() => {
          if (inFlight.get(url) === started) inFlight.delete(url);
        });
        pending = started;
        inFlight.set(url, pending);
      }
      try {
        list = await pending;
      } catch (error) {
        if (error instanceof NetworkError || error instanceof DidError || error instanceof InputError) {
          throw new CredentialError(
            'ERR_CREDENTIAL_STATUS_UNAVAILABLE',
            `The status of credential ${credentialId} cannot be checked (${error.message}); it is rejected until ` +
              'the status list can be fetched.',
            { cause: error, details: { credentialId, url } },
          );
        }
        throw error;
      }
    }
    if (list.issuer !== expectedIssuer) {
      throw new StatusListError(
        'ERR_STATUS_LIST_ISSUER_MISMATCH',
        `Status list ${url} is issued by ${list.issuer}, not by the credential's issuer ${expectedIssuer}.`,
        { details: { url } },
      );
    }
    return list;
  }

  async function checkEntry(entry: unknown, issuer: string, credentialId: string): Promise<void> {
    if (!isRecord(entry) || entry.type !== 'BitstringStatusListEntry') {
      throw statusInvalid(
        credentialId,
        'its credentialStatus is not a BitstringStatusListEntry, so it cannot be checked',
      );
    }
    const purpose = String(entry.statusPurpose);
    // Other purposes (refresh, message) do not affect validity.
    if (!CHECKED_PURPOSES.has(purpose)) return;
    if (entry.statusSize !== undefined && entry.statusSize !== 1) {
      throw statusInvalid(credentialId, 'status entries wider than one bit are not supported');
    }
    const index = typeof entry.statusListIndex === 'string' ? Number(entry.statusListIndex) : Number.NaN;
    if (!/^(?:0|[1-9][0-9]{0,9})$/.test(String(entry.statusListIndex)) || !Number.isSafeInteger(index)) {
      throw statusInvalid(credentialId, 'statusListIndex is not a decimal integer string');
    }
    if (typeof entry.statusListCredential !== 'string') {
      throw statusInvalid(credentialId, 'statusListCredential is missing');
    }
    const url = entry.statusListCredential;
    const list = await loadList(url, issuer, credentialId);
    if (!list.purposes.includes(purpose)) {
      throw statusInvalid(
        credentialId,
        `status list ${url} is a ${list.purposes.join('/')} list, not ${purpose}`,
      );
    }
    if (index >= list.bits.length) {
      throw statusInvalid(
        credentialId,
        `statusListIndex ${index} is beyond the list length ${list.bits.length}`,
      );
    }
    if (list.bits.get(index)) {
      const revoked = purpose === 'revocation';
      throw new CredentialError(
        revoked ? 'ERR_CREDENTIAL_REVOKED' : 'ERR_CREDENTIAL_SUSPENDED',
        revoked
          ? `Credential ${credentialId} has been revoked by its issuer ${issuer}.`
          : `Credential ${credentialId} is suspended by its issuer ${issuer}; it is refused until reinstated.`,
        { details: { credentialId, issuer, statusListCredential: url, statusListIndex: index } },
      );
    }
  }

  return {
    invalidate(): void {
      generation += 1;
      cache.clear();
      inFlight.clear();
    },
    async check(target: StatusCheckTarget): Promise<void> {
      const credentialId = target.credentialId ?? '(no id)';
      const entries = Array.isArray(target.credentialStatus)
        ? target.credentialStatus
        : [target.credentialStatus];
      if (entries.length === 0 || entries.length > 8) {
        throw statusInvalid(credentialId, 'credentialStatus must have between 1 and 8 entries');
      }
      // Sequential on purpose: revocation is listed first and decides before suspension is fetched.
      for (const entry of entries) {
        try {
          await checkEntry(entry, target.issuer, credentialId);
        } catch (error) {
          if (error instanceof IdentityError) throw error;
          throw new CredentialError(
            'ERR_CREDENTIAL_STATUS_UNAVAILABLE',
            `The status of credential ${credentialId} cannot be checked: ${describeError(error)}.`,
            { cause: error, details: { credentialId } },
          );
        }
      }
    },
  };
}
