// The federated catalog, assembled: its identity, index, crawler (on a schedule and on demand),
// search and HTTP router. It runs inside the authority process and shares its database.
//
//   const federation = openFederation({ db, service, identity, resolver, statusChecker, hostPolicy, publicUrl });
//   app.use(federation.router);
//   await federation.crawlNow();          // or let the schedule do it
//   await federation.search.search(query, asker);
//   await federation.close();             // stops the schedule, aborts a running crawl
import type { Router } from 'express';
import type { AuthorityService } from '../authority/service.js';
import {
  ClaimsCache,
  createCredentialService,
  createDcpVerifier,
  CREDENTIAL_SERVICE_PATH,
  InMemoryReplayCache,
  systemClock,
  type Clock,
  type DidResolver,
  type DocumentLoader,
  type HostPolicy,
  type TrustList,
  type ProcessIdentity,
  type ReplayCache,
  type StatusChecker,
} from '../../connector/identity/index.js';
import type { Store } from '../../connector/store/database.js';
import { Crawler, type CrawlerOptions, type CrawlRequest } from './crawl/crawler.js';
import { crawlStatus } from './crawl/status.js';
import { catalogRouter } from './http/router.js';
import { CatalogIdentity, type CatalogIdentityOptions } from './identity.js';
import { VisibilityEvaluator } from './policy/visibility.js';
import { FederatedSearch } from './search/search.js';
import { IndexStore } from './store/index-store.js';
import type { CrawlSummary, ProviderCrawlStatus } from './types.js';

/** Settings an operator may give (authority.json "federation", or startAuthority options). */
export interface FederationSettings
  extends
    Pick<CrawlerOptions, 'concurrency' | 'retries' | 'retryDelayMs' | 'backoff' | 'limits' | 'fetch' | 'log'>,
    Pick<
      CatalogIdentityOptions,
      'organisationName' | 'registrationNumber' | 'sectors' | 'dataGradeClearance' | 'renewBeforeMs'
    > {
  /** Time between scheduled crawls; 0 turns the schedule off (crawl with crawlNow). Default 5 minutes. */
  readonly crawlIntervalMs?: number;
  /** Delay of the first scheduled crawl after start. Default: one interval. */
  readonly firstCrawlAfterMs?: number;
  /** How long an asker's verified claims are reused. Default 5 minutes. */
  readonly claimsCacheMs?: number;
}

export interface OpenFederationOptions extends FederationSettings {
  /** The authority's database, migrated with FEDERATION_MIGRATIONS. */
  readonly db: Store;
  readonly service: AuthorityService;
  readonly identity: ProcessIdentity;
  readonly resolver: DidResolver;
  readonly statusChecker: StatusChecker;
  readonly hostPolicy: HostPolicy;
  /** The authority's public base URL. */
  readonly publicUrl: string;
  readonly clock?: Clock;
  /** Issuers trusted beside the authority (the data space profile). */
  readonly trustedIssuers?: TrustList;
  /** Bundled plus the operator's contexts (the data space profile). */
  readonly documentLoader?: DocumentLoader;
  /** Shared with the authority's other token checks (persistent there); default one of its own in memory. */
  readonly replayCache?: ReplayCache;
}

export interface Federation {
  readonly identity: CatalogIdentity;
  readonly store: IndexStore;
  readonly search: FederatedSearch;
  readonly crawler: Crawler;
  readonly router: Router;
  crawlNow(request?: CrawlRequest): Promise<CrawlSummary>;
  crawlStatus(): Promise<ProviderCrawlStatus[]>;
  close(): Promise<void>;
}

const DEFAULT_INTERVAL_MS = 5 * 60_000;

export function openFederation(options: OpenFederationOptions): Federation {
  const clock = options.clock ?? systemClock;
  const store = new IndexStore(options.db);
  const identity = new CatalogIdentity({ ...options, clock });
  const crawler = new Crawler({ ...options, store, identity, clock });
  const search = new FederatedSearch(store, new VisibilityEvaluator(store, clock));
  const replayCache = options.replayCache ?? new InMemoryReplayCache({ clock });
  const claimsCache = new ClaimsCache({ clock, maxTtlMs: options.claimsCacheMs ?? 5 * 60_000 });
  // DCP: askers are verified by querying their Credential Service; providers query ours (the catalog's
  // credentials) when the crawler calls them.
  const verifier = createDcpVerifier({
    ourDid: options.service.did,
    signer: () => options.identity.signer(),
    hostPolicy: options.hostPolicy,
    resolver: options.resolver,
    statusChecker: options.statusChecker,
    trustList: [{ did: options.service.did }, ...(options.trustedIssuers ?? [])],
    ...(options.documentLoader ? { documentLoader: options.documentLoader } : {}),
    dataSpace: options.service.dataSpace,
    replayCache,
    claimsCache,
    clock,
  });
  // Same process as the authority: a member's status change reaches the catalog's caches directly.
  const unsubscribe = options.service.statusEvents.subscribe((event) => {
    options.statusChecker.invalidate?.();
    claimsCache.evict(event.member);
  });
  const credentialService = createCredentialService({
    did: options.identity.did,
    signer: () => options.identity.signer(),
    ownKeys: () => options.identity.keys.publishedKeys,
    credentials: () => identity.credentials(),
    resolver: options.resolver,
    replayCache,
    clock,
  });
  const status = (): Promise<ProviderCrawlStatus[]> => crawlStatus(options.service, store);
  const router = catalogRouter({
    service: options.service,
    verifier,
    search,
    crawler,
    crawlStatus: status,
    publicUrl: options.publicUrl,
    publisher: {
      name: options.organisationName ?? 'Federated catalog',
      ...(options.registrationNumber ? { identifier: options.registrationNumber } : {}),
    },
  });
  router.use(CREDENTIAL_SERVICE_PATH, credentialService.router);

  const interval = options.crawlIntervalMs ?? DEFAULT_INTERVAL_MS;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const schedule = (delay: number): void => {
    if (closed || interval <= 0) return;
    timer = setTimeout(() => {
      crawler
        .crawlNow({ respectBackoff: true })
        .catch((error: unknown) =>
          options.log?.(`[catalog] scheduled crawl failed: ${(error as Error).message}`),
        )
        .finally(() => schedule(interval));
    }, delay);
    timer.unref(); // the schedule never keeps the process alive on its own
  };
  schedule(options.firstCrawlAfterMs ?? interval);

  return {
    identity,
    store,
    search,
    crawler,
    router,
    crawlNow: (request) => crawler.crawlNow(request),
    crawlStatus: status,
    close: async () => {
      closed = true;
      unsubscribe();
      if (timer !== undefined) clearTimeout(timer);
      await crawler.close();
    },
  };
}
