// Why reading a provider's catalog failed, with a stable code admins see in the crawl status and a
// message that says what to check. `retryable` failures (network, timeouts, 5xx, 429) are tried again
// within the same crawl; the others (401/403, a catalog that breaks the DSP schema) are not.

export type CrawlFailureCode =
  | 'unreachable'
  | 'timeout'
  | 'http-error'
  | 'invalid-catalog'
  | 'too-large'
  | 'not-allowed'
  | 'wrong-participant'
  | 'identity'
  | 'aborted'
  | 'internal';

export class CrawlFailure extends Error {
  constructor(
    readonly code: CrawlFailureCode,
    message: string,
    readonly retryable: boolean,
    /** The HTTP status, for http-error. */
    readonly status?: number,
  ) {
    super(message);
    this.name = 'CrawlFailure';
  }

  /** The code shown in the crawl status: http-error carries its status (http-403). */
  get statusCode(): string {
    return this.code === 'http-error' && this.status !== undefined ? `http-${this.status}` : this.code;
  }
}

export function asCrawlFailure(error: unknown): CrawlFailure {
  if (error instanceof CrawlFailure) return error;
  const message = error instanceof Error ? error.message : String(error);
  return new CrawlFailure('internal', `unexpected error while crawling: ${message}`, false);
}
