// Typed outbox failures. A deliver function throws PermanentDeliveryError when retrying cannot help (the
// peer answered 400 "invalid state transition", 403, a configuration error); any other error means "try
// again", and a RetryLaterError says when at the earliest (the peer's Retry-After).

export class RetryLaterError extends Error {
  override readonly name = 'RetryLaterError';

  constructor(
    message: string,
    /** Wait at least this long before the next attempt. */
    readonly retryAfterMs: number,
  ) {
    super(message);
  }
}

export class PermanentDeliveryError extends Error {
  override readonly name = 'PermanentDeliveryError';
  readonly code = 'ERR_DELIVERY_PERMANENT';

  constructor(
    message: string,
    /** The HTTP status the peer answered, when there was one. */
    readonly status?: number,
    override readonly cause?: unknown,
  ) {
    super(message);
  }
}

export type OutboxErrorCode =
  'ERR_OUTBOX_INVALID_MESSAGE' | 'ERR_OUTBOX_NOT_RUNNING' | 'ERR_OUTBOX_DRAIN_TIMEOUT';

export class OutboxError extends Error {
  override readonly name = 'OutboxError';

  constructor(
    readonly code: OutboxErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export function toError(value: unknown): Error {
  return value instanceof Error ? value : new Error(String(value));
}
