// Crawls one member's catalog soon after it says its offers changed (a signed notice, http/router.ts):
// notices are coalesced (one crawl covers every notice that arrived before it started) and rate-limited
// per member (at most one on-demand crawl per `minIntervalMs`, later notices wait for the next slot), so a
// member cannot make the catalog crawl in a loop. Due members are crawled together, after any crawl in
// progress (which may have read their catalog before the change).
import type { Logger } from '../../../connector/logging/index.js';
import type { Crawler } from './crawler.js';

export interface OnDemandCrawlOptions {
  /** Least time between two on-demand crawls of the same member. Default 5 s. */
  readonly minIntervalMs?: number;
  readonly logger: Logger;
}

export interface ScheduledRecrawl {
  /** When the member's crawl starts at the earliest. */
  readonly notBefore: string;
  /** True when an earlier notice already scheduled it. */
  readonly coalesced: boolean;
}

export class OnDemandCrawls {
  readonly #crawler: Crawler;
  readonly #minIntervalMs: number;
  readonly #logger: Logger;
  /** Member DID → the time its crawl is due. */
  readonly #due = new Map<string, number>();
  /** Member DID → when its last on-demand crawl started. */
  readonly #last = new Map<string, number>();
  #timer: NodeJS.Timeout | undefined;
  #draining: Promise<void> | undefined;
  #closed = false;

  constructor(crawler: Crawler, options: OnDemandCrawlOptions) {
    this.#crawler = crawler;
    this.#minIntervalMs = options.minIntervalMs ?? 5_000;
    this.#logger = options.logger;
  }

  /** The members waiting for their crawl and when each is due. */
  get pending(): ReadonlyMap<string, number> {
    return this.#due;
  }

  /** Asks for a crawl of `did` as soon as its rate allows. */
  request(did: string): ScheduledRecrawl {
    const already = this.#due.get(did);
    if (already !== undefined) return { notBefore: new Date(already).toISOString(), coalesced: true };
    const last = this.#last.get(did);
    const at = Math.max(Date.now(), last === undefined ? 0 : last + this.#minIntervalMs);
    this.#due.set(did, at);
    this.#arm();
    return { notBefore: new Date(at).toISOString(), coalesced: false };
  }

  /** Stops: nothing new starts; a crawl in progress is the crawler's to stop. */
  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#due.clear();
  }

  #arm(): void {
    if (this.#closed || this.#draining !== undefined || this.#due.size === 0) return;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    const next = Math.min(...this.#due.values());
    this.#timer = setTimeout(
      () => {
        this.#timer = undefined;
        this.#draining = this.#drain().finally(() => {
          this.#draining = undefined;
          this.#arm();
        });
      },
      Math.max(0, next - Date.now()),
    );
    this.#timer.unref();
  }

  async #drain(): Promise<void> {
    await this.#crawler.idle();
    if (this.#closed) return;
    const now = Date.now();
    const members = [...this.#due].filter(([, at]) => at <= now).map(([did]) => did);
    if (members.length === 0) return;
    for (const did of members) {
      this.#due.delete(did);
      this.#last.set(did, now);
    }
    try {
      await this.#crawler.crawlNow({ providers: members });
    } catch (error) {
      this.#logger.warn({ err: error, members }, `on-demand crawl failed: ${(error as Error).message}`);
    }
  }
}
