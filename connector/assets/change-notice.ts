// Publishing shows up at once: after the catalog changes (assets, offers, a product registration) the
// connector tells the federated catalog at the authority, which crawls it within seconds. A burst of
// changes sends one notice (debounced); a notice that fails for a passing reason (the authority down, a 5xx,
// 429) is retried with back-off; one the authority refuses (not a member yet, suspended) is dropped: the
// scheduled crawl stays the fallback.
import type { Logger } from '../logging/index.js';

export interface CatalogChangeNoticeOptions {
  /** Sends the notice (AuthorityClient.noticeCatalogChanged). */
  readonly send: () => Promise<void>;
  readonly logger: Logger;
  /** Quiet time after the last change before the notice leaves. Default 500 ms. */
  readonly debounceMs?: number;
  /** First retry delay, doubled each time up to 60 s. Default 1 s. */
  readonly retryDelayMs?: number;
  /** Attempts per notice. Default 6 (about a minute of retries). */
  readonly maxAttempts?: number;
}

export class CatalogChangeNotice {
  readonly #o: CatalogChangeNoticeOptions;
  #timer: NodeJS.Timeout | undefined;
  #sending = false;
  /** A change arrived while a notice was being sent: send another after it. */
  #again = false;
  #closed = false;

  constructor(options: CatalogChangeNoticeOptions) {
    this.#o = options;
  }

  /** The catalog changed. */
  changed(): void {
    if (this.#closed) return;
    if (this.#sending) {
      this.#again = true;
      return;
    }
    this.#schedule(this.#o.debounceMs ?? 500, 1);
  }

  close(): void {
    this.#closed = true;
    if (this.#timer !== undefined) clearTimeout(this.#timer);
  }

  #schedule(delayMs: number, attempt: number): void {
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#send(attempt);
    }, delayMs);
    this.#timer.unref();
  }

  async #send(attempt: number): Promise<void> {
    if (this.#closed) return;
    this.#sending = true;
    this.#again = false;
    try {
      await this.#o.send();
      this.#o.logger.debug('catalog notified of changed offers');
    } catch (error) {
      const status = (error as { status?: unknown }).status;
      const passing = typeof status !== 'number' || status === 0 || status === 429 || status >= 500;
      const attempts = this.#o.maxAttempts ?? 6;
      if (passing && attempt < attempts && !this.#closed) {
        const delay = Math.min(60_000, (this.#o.retryDelayMs ?? 1_000) * 2 ** (attempt - 1));
        this.#o.logger.info(
          `could not tell the catalog our offers changed (${(error as Error).message}); retrying in ${delay} ms`,
        );
        this.#sending = false;
        this.#schedule(delay, attempt + 1);
        return;
      }
      this.#o.logger.warn(
        `the catalog was not told our offers changed: ${(error as Error).message}; it sees them at its next scheduled crawl`,
      );
    }
    this.#sending = false;
    if (this.#again && !this.#closed) this.#schedule(this.#o.debounceMs ?? 500, 1);
  }
}
