// Rate limits and quotas: token buckets per key, their settings, and the Express glue.
export { TokenBuckets, type BucketSettings, type TakeResult } from './token-buckets.js';
export {
  DEFAULT_RATE_LIMITS,
  NO_RATE_LIMITS,
  parseRateLimits,
  resolveRateLimits,
  type RateLimitOverrides,
  type RateLimitSettings,
} from './settings.js';
export {
  createConnectorRateLimits,
  rateLimitCounter,
  RateLimited,
  refuse,
  type ConnectorRateLimits,
  type LimitName,
} from './limiter.js';
