// The durable outbox (messages leave after the state that sends them is committed) and the inbox
// (a duplicate incoming message gets the first response and changes nothing).
export { PermanentDeliveryError, RetryLaterError, OutboxError, type OutboxErrorCode } from './errors.js';
export {
  OUTBOX_MIGRATIONS,
  enqueue,
  getOutboxEntry,
  listOutbox,
  cancelEntry,
  renewLease,
  startAttempt,
  cancelPending,
  pruneOutbox,
  type HttpMethod,
  type OutboxLease,
  type OutboxEntry,
  type OutboxFilter,
  type OutboxMessage,
  type OutboxStatus,
  type QueuedEntry,
} from './store.js';
export { backoffDelay, type BackoffOptions } from './backoff.js';
export {
  DEFAULT_GIVE_UP_AFTER_MS,
  OutboxWorker,
  type Deliver,
  type DeliveryContext,
  type GiveUpHook,
  type SupersededCheck,
  type OutboxWorkerOptions,
} from './worker.js';
export {
  createHttpDeliver,
  retryAfterMs,
  type DeliveredResponse,
  type HeadersFactory,
  type HttpDeliverOptions,
} from './http-deliver.js';
export { httpFetch } from './http-fetch.js';
export {
  INBOX_MIGRATIONS,
  Inbox,
  canonicalJson,
  messageDigest,
  type InboxOutcome,
  type InboxOptions,
} from './inbox.js';
