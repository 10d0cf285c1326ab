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
import type { Database } from '../../connector/store/database.js';
import { Crawler, type CrawlerOptions, type CrawlRequest } from './crawl/crawler.js';
import { crawlStatus } from './crawl/status.js';
import { catalogRouter } from './http/router.js';
import { CatalogIdentity, type CatalogIdentityOptions } from './identity.js';
import { VisibilityEvaluator } from './policy/visibility.js';
import { FederatedSearch } from './search/search.js';
import { IndexStore } from './store/index-store.js';
import { OnDemandCrawls, type ScheduledRecrawl } from './crawl/on-demand.js';
import { rootLogger, type Logger } from '../../connector/logging/index.js';
import type { CatalogOverview, CrawlSummary, ProviderCrawlStatus } from './types.js';

/** Settings an operator may give (authority.json "federation", or startAuthority options). */
export interface FederationSettings
  extends
    Pick<CrawlerOptions, 'concurrency' | 'retries' | 'retryDelayMs' | 'backoff' | 'limits' | 'fetch'>,
    Pick<
      CatalogIdentityOptions,
      'organisationName' | 'registrationNumber' | 'sectors' | 'dataGradeClearance' | 'renewBeforeMs'
    > {
  /**
   * Time between scheduled crawls. Default 5 minutes. 0 turns automatic crawling off, both the schedule and
   * the crawls members ask for when their offers change (crawl with crawlNow).
   */
  readonly crawlIntervalMs?: number;
  /** Least time between two crawls of one member on its notices (crawl/on-demand.ts). Default 5 s. */
  readonly noticeMinIntervalMs?: number;
  /** Delay of the first scheduled crawl after start. Default: one interval. */
  readonly firstCrawlAfterMs?: number;
  /** How long an asker's verified claims are reused. Default 5 minutes. */
  readonly claimsCacheMs?: number;
}

export interface OpenFederationOptions extends FederationSettings {
  /** The authority's database, migrated with FEDERATION_MIGRATIONS. */
  readonly db: Database;
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
  /** Told each search's duration in seconds (the authority's metrics). */
  readonly observeSearch?: (seconds: number) => void;
  /** The authority's logger; the catalog's lines carry component "catalog". */
  readonly logger?: Logger;
}

export interface Federation {
  readonly identity: CatalogIdentity;
  readonly store: IndexStore;
  readonly search: FederatedSearch;
  readonly crawler: Crawler;
  readonly router: Router;
  crawlNow(request?: CrawlRequest): Promise<CrawlSummary>;
  crawlStatus(): Promise<ProviderCrawlStatus[]>;
  /** The whole picture for admins: per member, the last and the next crawl, the index size. */
  overview(): Promise<CatalogOverview>;
  /**
   * A member said its offers changed: its catalog is crawled within seconds (coalesced, rate-limited per
   * member). Undefined when automatic crawling is off (crawlIntervalMs 0).
   */
  recrawl(did: string): ScheduledRecrawl | undefined;
  close(): Promise<void>;
}

const DEFAULT_INTERVAL_MS = 5 * 60_000;

export function openFederation(options: OpenFederationOptions): Federation {
  const clock = options.clock ?? systemClock;
  const store = new IndexStore(options.db);
  const identity = new CatalogIdentity({ ...options, clock });
  const logger = (options.logger ?? rootLogger()).child({ component: 'catalog' });
  const crawler = new Crawler({ ...options, store, identity, clock, logger });
  const search = new FederatedSearch(store, new VisibilityEvaluator(store, clock));
  // The search index is in memory: load it while the authority starts, not during the first search.
  void search.warm();
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
  const interval = options.crawlIntervalMs ?? DEFAULT_INTERVAL_MS;
  const onDemand =
    interval > 0
      ? new OnDemandCrawls(crawler, {
          logger,
          ...(options.noticeMinIntervalMs !== undefined
            ? { minIntervalMs: options.noticeMinIntervalMs }
            : {}),
        })
      : undefined;
  let nextScheduledAt: number | undefined;
  const overview = async (): Promise<CatalogOverview> => {
    const providers = await status();
    const pending = onDemand?.pending ?? new Map<string, number>();
    return {
      crawling: crawler.running,
      ...(crawler.lastSummary ? { lastCrawl: crawler.lastSummary } : {}),
      ...(nextScheduledAt !== undefined
        ? { nextScheduledCrawlAt: new Date(nextScheduledAt).toISOString() }
        : {}),
      crawlIntervalMs: interval,
      index: {
        providers: providers.filter((p) => p.datasetCount > 0).length,
        datasets: providers.reduce((sum, p) => sum + p.datasetCount, 0),
        offers: providers.reduce((sum, p) => sum + p.offerCount, 0),
      },
      providers: providers.map((p) => {
        const due = pending.get(p.did);
        return due === undefined ? p : { ...p, recrawlRequestedFor: new Date(due).toISOString() };
      }),
    };
  };
  const router = catalogRouter({
    service: options.service,
    resolver: options.resolver,
    replayCache,
    recrawl: (did) => onDemand?.request(did),
    overview,
    logger,
    verifier,
    search,
    crawler,
    publicUrl: options.publicUrl,
    ...(options.observeSearch ? { observeSearch: options.observeSearch } : {}),
    publisher: {
      name: options.organisationName ?? 'Federated catalog',
      ...(options.registrationNumber ? { identifier: options.registrationNumber } : {}),
    },
  });
  router.use(CREDENTIAL_SERVICE_PATH, credentialService.router);

  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  const schedule = (delay: number): void => {
    if (closed || interval <= 0) return;
    nextScheduledAt = Date.now() + delay;
    timer = setTimeout(() => {
      nextScheduledAt = undefined;
      crawler
        .crawlNow({ respectBackoff: true })
        .catch((error: unknown) =>
          logger.warn({ err: error }, `scheduled crawl failed: ${(error as Error).message}`),
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
    overview,
    recrawl: (did) => onDemand?.request(did),
    close: async () => {
      closed = true;
      onDemand?.close();
      unsubscribe();
      if (timer !== undefined) clearTimeout(timer);
      await crawler.close();
    },
  };
}
