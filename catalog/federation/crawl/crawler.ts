// The crawler: reads every active member's DSP catalog with the catalog's credentials and keeps the
// index in step. Per provider: fetch all pages (bounded time and size, retried with back-off when the
// failure is transient), skip the write when the catalog hash is unchanged, otherwise prepare the
// offers (policies compiled once) and rewrite the changed datasets in one transaction. A provider that
// keeps failing is left alone by scheduled crawls until its back-off delay has passed; its datasets
// stay in the index, flagged stale. Members that are no longer active are removed from the index.
import { setTimeout as sleep } from 'node:timers/promises';
import type { AuthorityService } from '../../authority/service.js';
import type { Member } from '../../authority/types.js';
import { backoffDelay, type BackoffOptions } from '../../../connector/outbox/backoff.js';
import { systemClock, type Clock, type HostPolicy } from '../../../connector/identity/index.js';
import { rootLogger, type Logger } from '../../../connector/logging/index.js';
import type { CatalogIdentity } from '../identity.js';
import type { IndexStore } from '../store/index-store.js';
import type { CrawlSummary } from '../types.js';
import { asCrawlFailure, CrawlFailure } from './errors.js';
import {
  DEFAULT_FETCH_LIMITS,
  fetchCatalog,
  type CatalogFetchLimits,
  type FetchedCatalog,
  type HttpFetch,
} from './fetch-catalog.js';
import { catalogHash } from './normalise.js';
import { OfferPreparer } from './prepare.js';

export interface CrawlerOptions {
  readonly store: IndexStore;
  readonly service: AuthorityService;
  readonly identity: CatalogIdentity;
  /** Hosts the crawler may contact (the authority's didHosts). */
  readonly hostPolicy: HostPolicy;
  readonly clock?: Clock;
  readonly fetch?: HttpFetch;
  /** Providers crawled at the same time. Default 8. */
  readonly concurrency?: number;
  /** Extra attempts within one crawl for transient failures. Default 2. */
  readonly retries?: number;
  /** Wait before the first retry within a crawl (doubles each time). Default 500 ms. */
  readonly retryDelayMs?: number;
  /** How long scheduled crawls leave a failing provider alone. Default 1 min doubling up to 1 h. */
  readonly backoff?: BackoffOptions;
  readonly limits?: Partial<CatalogFetchLimits>;
  /** Where crawls are logged (start and end at info, each provider at debug, failures at warn); default the process's. */
  readonly logger?: Logger;
}

export interface CrawlRequest {
  /** Leave providers in back-off alone (what the schedule does). Default false: an admin asked. */
  readonly respectBackoff?: boolean;
  /** Crawl only these members (DIDs). */
  readonly providers?: readonly string[];
}

const DEFAULT_BACKOFF: BackoffOptions = { baseDelayMs: 60_000, maxDelayMs: 3_600_000, jitter: 0.2 };
const MEMBER_PAGE = 500;

interface Counters {
  changed: number;
  unchanged: number;
  failed: number;
  skipped: number;
  added: number;
  updated: number;
  removed: number;
}

export class Crawler {
  readonly #o: CrawlerOptions;
  readonly #clock: Clock;
  readonly #limits: CatalogFetchLimits;
  readonly #logger: Logger;
  readonly #abort = new AbortController();
  #running: Promise<CrawlSummary> | undefined;
  /** Whom the running crawl reads: undefined for every member. */
  #runningProviders: ReadonlySet<string> | undefined;
  #count = 0;
  #last: CrawlSummary | undefined;

  constructor(options: CrawlerOptions) {
    this.#o = options;
    this.#clock = options.clock ?? systemClock;
    this.#limits = { ...DEFAULT_FETCH_LIMITS, ...options.limits };
    // The federation passes its own logger, already marked component "catalog".
    this.#logger = options.logger ?? rootLogger().child({ component: 'catalog' });
  }

  /** The last finished crawl. */
  get lastSummary(): CrawlSummary | undefined {
    return this.#last;
  }

  get running(): boolean {
    return this.#running !== undefined;
  }

  /** Resolves when no crawl is running (at once when none is). */
  async idle(): Promise<void> {
    while (this.#running !== undefined) await this.#running.catch(() => undefined);
  }

  /**
   * Crawls now. While a crawl runs, callers it covers share it (a crawl of every member covers any request);
   * others wait for it to finish, then start theirs: a crawl of a few members asked for by their notices
   * never stands in for a crawl of all.
   */
  crawlNow(request: CrawlRequest = {}): Promise<CrawlSummary> {
    if (this.#abort.signal.aborted) return Promise.reject(new Error('the crawler is closed'));
    if (this.#running !== undefined) {
      const running = this.#runningProviders;
      const covered =
        running === undefined ||
        (request.providers !== undefined && request.providers.every((p) => running.has(p)));
      return covered ? this.#running : this.idle().then(() => this.crawlNow(request));
    }
    this.#runningProviders = request.providers ? new Set(request.providers) : undefined;
    this.#running = this.#crawl(request).finally(() => {
      this.#running = undefined;
    });
    return this.#running;
  }

  /** Stops: in-flight requests are aborted and the running crawl is awaited. */
  async close(): Promise<void> {
    this.#abort.abort();
    await this.#running?.catch(() => undefined);
  }

  #log(line: string, level: 'debug' | 'info' | 'warn' = 'debug'): void {
    this.#logger[level](line);
  }

  async #crawl(request: CrawlRequest): Promise<CrawlSummary> {
    const id = ++this.#count;
    const started = this.#clock();
    const counters: Counters = {
      changed: 0,
      unchanged: 0,
      failed: 0,
      skipped: 0,
      added: 0,
      updated: 0,
      removed: 0,
    };
    const members = (await activeMembers(this.#o.service)).filter((m) => m.connectorUrl !== undefined);
    const removed = await this.#o.store.removeProvidersExcept(new Set(members.map((m) => m.did)));
    for (const did of removed) this.#log(`crawl ${id}: removed ${did} (no longer an active member)`, 'info');
    const wanted = request.providers ? new Set(request.providers) : undefined;
    const targets = members.filter((m) => wanted === undefined || wanted.has(m.did));
    this.#log(`crawl ${id}: ${targets.length} connector(s)`);
    // Fails here, before any provider, when the authority cannot issue the catalog its credentials.
    await this.#o.identity.credentials();
    let next = 0;
    let done = 0;
    const worker = async (): Promise<void> => {
      while (next < targets.length && !this.#abort.signal.aborted) {
        const member = targets[next++] as Member;
        await this.#crawlProvider(id, member, request, counters);
        done++;
        if (targets.length > 1) this.#log(`crawl ${id}: ${done}/${targets.length} done`);
      }
    };
    const workers = Math.max(1, Math.min(this.#o.concurrency ?? 8, targets.length));
    await Promise.all(Array.from({ length: workers }, worker));
    const finished = this.#clock();
    const summary: CrawlSummary = {
      id,
      startedAt: started.toISOString(),
      finishedAt: finished.toISOString(),
      durationMs: finished.getTime() - started.getTime(),
      providers: targets.length,
      changed: counters.changed,
      unchanged: counters.unchanged,
      failed: counters.failed,
      skipped: counters.skipped,
      removed: removed.length,
      datasets: { added: counters.added, updated: counters.updated, removed: counters.removed },
    };
    this.#log(
      `crawl ${id} done in ${summary.durationMs} ms: ${summary.changed} changed, ${summary.unchanged} unchanged, ` +
        `${summary.failed} failed, ${summary.skipped} in back-off`,
      'info',
    );
    this.#last = summary;
    return summary;
  }

  async #crawlProvider(id: number, member: Member, request: CrawlRequest, counters: Counters): Promise<void> {
    const did = member.did;
    const url = member.connectorUrl as string;
    const before = await this.#o.store.provider(did);
    const started = Date.now();
    const at = this.#clock();
    if (
      request.respectBackoff &&
      before?.next_attempt_at &&
      Date.parse(before.next_attempt_at) > at.getTime()
    ) {
      counters.skipped++;
      this.#log(`crawl ${id}: ${did} in back-off until ${before.next_attempt_at}`);
      return;
    }
    try {
      const fetched = await this.#fetchWithRetries(member);
      const stats = {
        at: at.toISOString(),
        durationMs: Date.now() - started,
        pages: fetched.pages,
        warnings: fetched.warnings,
      };
      const hash = catalogHash(fetched.datasets);
      if (before?.catalog_hash === hash) {
        await this.#o.store.recordUnchanged(did, url, stats);
        counters.unchanged++;
        this.#log(
          `crawl ${id}: ${did} unchanged (${fetched.datasets.length} datasets, ${stats.durationMs} ms)`,
        );
        return;
      }
      const preparer = new OfferPreparer();
      const prepared = await Promise.all(fetched.datasets.map((d) => preparer.prepare(d)));
      const result = await this.#o.store.replaceCatalog(did, url, hash, prepared, {
        ...stats,
        durationMs: Date.now() - started,
      });
      counters.changed++;
      counters.added += result.added;
      counters.updated += result.updated;
      counters.removed += result.removed;
      this.#log(
        `crawl ${id}: ${did} indexed ${fetched.datasets.length} datasets (+${result.added} ~${result.updated} ` +
          `-${result.removed}) from ${fetched.pages} page(s) in ${Date.now() - started} ms`,
      );
    } catch (error) {
      if (this.#abort.signal.aborted) return; // shutting down: not the provider's fault
      const failure = asCrawlFailure(error);
      const attempt = (before?.consecutive_failures ?? 0) + 1;
      const nextAttempt = new Date(at.getTime() + backoffDelay(attempt, this.#o.backoff ?? DEFAULT_BACKOFF));
      await this.#o.store.recordFailure(
        did,
        url,
        { code: failure.statusCode, message: failure.message, at: at.toISOString() },
        nextAttempt.toISOString(),
        Date.now() - started,
      );
      counters.failed++;
      this.#log(
        `crawl ${id}: ${did} failed (${failure.statusCode}): ${failure.message} ` +
          `[next scheduled attempt after ${nextAttempt.toISOString()}]`,
        'warn',
      );
    }
  }

  async #fetchWithRetries(member: Member): Promise<FetchedCatalog> {
    const retries = this.#o.retries ?? 2;
    for (let attempt = 0; ; attempt++) {
      try {
        return await fetchCatalog({
          connectorUrl: member.connectorUrl as string,
          providerDid: member.did,
          token: () => this.#o.identity.requestTokenFor(member.did),
          hostPolicy: this.#o.hostPolicy,
          limits: this.#limits,
          signal: this.#abort.signal,
          ...(this.#o.fetch ? { fetch: this.#o.fetch } : {}),
        });
      } catch (error) {
        const failure = asCrawlFailure(error);
        if (!failure.retryable || attempt >= retries) throw failure;
        const delay = (this.#o.retryDelayMs ?? 500) * 2 ** attempt;
        try {
          await sleep(delay, undefined, { signal: this.#abort.signal });
        } catch {
          throw new CrawlFailure('aborted', 'the crawl was stopped', false);
        }
      }
    }
  }
}

async function activeMembers(service: AuthorityService): Promise<Member[]> {
  const out: Member[] = [];
  for (let offset = 0; ; offset += MEMBER_PAGE) {
    const page = await service.listMembers({ state: 'active', limit: MEMBER_PAGE, offset });
    out.push(...page);
    if (page.length < MEMBER_PAGE) return out;
  }
}
