// DID resolution for verifiers: did:key offline, did:web through the injected fetch, restricted by a host
// allow-list, with a size limit on fetched documents and a bounded cache with TTL. Concurrent resolutions of
// the same DID share one fetch.
import { systemClock, type Clock } from '../clock.js';
import { DidError, NetworkError, describeError } from '../errors.js';
import { fetchBounded, type FetchLike } from '../net/fetch.js';
import { assertFetchAllowed, type HostPolicy } from '../net/host-policy.js';
import { TtlCache } from '../util/ttl-cache.js';
import { parseJsonObject } from '../util/json.js';
import { resolveDidKey } from './key.js';
import { parseDidUrl } from './parse.js';
import { indexDidDocument, type ResolvedDid } from './verification-method.js';
import { didWebToUrl } from './web.js';

export interface DidResolverOptions {
  /** Used for did:web only. Inject an in-memory function in tests. */
  fetch: FetchLike;
  hostPolicy: HostPolicy;
  clock?: Clock;
  /** Default 500 documents. */
  cacheMaxEntries?: number;
  /** Default 5 minutes: how long a key removed from a peer's DID document may still be accepted. */
  cacheTtlMs?: number;
  /** Default 64 KiB. */
  maxDocumentBytes?: number;
  /** Default 5 s. */
  timeoutMs?: number;
  /** Minimum age of a cached document before refresh() fetches it again. Default 30 s. */
  minRefreshIntervalMs?: number;
}

export interface DidResolver {
  /** Resolves a DID (not a DID URL) to its indexed document. Throws DidError or NetworkError. */
  resolve(did: string): Promise<ResolvedDid>;
  /**
   * Re-fetches a cached document that may be stale (a peer rotated its key), but at most once per
   * minRefreshIntervalMs per DID, so unknown key ids in hostile tokens cannot turn us into a fetch amplifier.
   */
  refresh(did: string): Promise<ResolvedDid>;
  /** Drops a cached document. */
  evict(did: string): void;
}

export const DEFAULT_DID_CACHE_TTL_MS = 5 * 60_000;
export const DEFAULT_MAX_DID_DOCUMENT_BYTES = 64 * 1024;

export function createDidResolver(options: DidResolverOptions): DidResolver {
  const clock = options.clock ?? systemClock;
  const ttlMs = options.cacheTtlMs ?? DEFAULT_DID_CACHE_TTL_MS;
  const maxBytes = options.maxDocumentBytes ?? DEFAULT_MAX_DID_DOCUMENT_BYTES;
  const timeoutMs = options.timeoutMs ?? 5_000;
  const minRefreshMs = options.minRefreshIntervalMs ?? 30_000;
  const cache = new TtlCache<string, { resolved: ResolvedDid; fetchedAt: number }>({
    maxEntries: options.cacheMaxEntries ?? 500,
    clock,
  });
  const inFlight = new Map<string, Promise<ResolvedDid>>();

  async function fetchDidWeb(did: string): Promise<ResolvedDid> {
    const url = assertFetchAllowed(
      options.hostPolicy,
      didWebToUrl(did, { allowHttpForLoopback: options.hostPolicy.allowHttpForLoopback === true }),
      `DID document of ${did}`,
    );
    let body: string;
    try {
      ({ body } = await fetchBounded(options.fetch, url, {
        accept: 'application/did+json, application/did+ld+json;q=0.9, application/json;q=0.8',
        maxBytes,
        timeoutMs,
        what: `DID document of ${did}`,
      }));
    } catch (error) {
      if (error instanceof NetworkError && error.code === 'ERR_FETCH_FAILED') {
        throw new DidError('ERR_DID_RESOLUTION_FAILED', `Could not resolve ${did}: ${error.message}`, {
          cause: error,
          details: { did },
        });
      }
      throw error;
    }
    let document: Record<string, unknown>;
    try {
      document = parseJsonObject(body, `DID document of ${did}`, maxBytes);
    } catch (error) {
      throw new DidError('ERR_DID_DOCUMENT_INVALID', describeError(error), {
        cause: error,
        details: { did },
      });
    }
    return indexDidDocument(did, document);
  }

  async function resolveUncached(did: string, method: string): Promise<ResolvedDid> {
    if (method === 'key') return indexDidDocument(did, await resolveDidKey(did));
    if (method === 'web') return fetchDidWeb(did);
    throw new DidError(
      'ERR_DID_METHOD_UNSUPPORTED',
      `DID method "${method}" is not supported (${did.slice(0, 80)}); Shuyu resolves did:web and did:key.`,
      { details: { did: did.slice(0, 200) } },
    );
  }

  function resolve(did: string): Promise<ResolvedDid> {
    let parsed;
    try {
      parsed = parseDidUrl(did);
      if (parsed.fragment !== undefined) {
        throw new DidError(
          'ERR_DID_INVALID',
          `Expected a DID, got a DID URL with a fragment (${did.slice(0, 200)}).`,
        );
      }
    } catch (error) {
      return Promise.reject(error);
    }
    const cached = cache.get(did);
    if (cached) return Promise.resolve(cached.resolved);
    const pending = inFlight.get(did);
    if (pending) return pending;
    const promise = resolveUncached(did, parsed.method)
      .then((resolved) => {
        const fetchedAt = clock().getTime();
        cache.set(did, { resolved, fetchedAt }, fetchedAt + ttlMs);
        return resolved;
      })
      .finally(() => inFlight.delete(did));
    inFlight.set(did, promise);
    return promise;
  }

  return {
    resolve,
    refresh(did: string): Promise<ResolvedDid> {
      const cached = cache.get(did);
      if (cached && clock().getTime() - cached.fetchedAt < minRefreshMs)
        return Promise.resolve(cached.resolved);
      cache.delete(did);
      return resolve(did);
    },
    evict(did: string): void {
      cache.delete(did);
    },
  };
}
