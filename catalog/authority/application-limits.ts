// How often anyone may apply for membership: per remote address (before the DID proof is checked, so a
// flood costs no DID resolution) and per applicant DID, each an hourly token bucket. authority.json:
//   "rateLimits": { "applications": { "perHourPerAddress": 120, "perHourPerDid": 10 } }   (0 = off)
// Over it: 429 problem+json with Retry-After. In memory, LRU-bounded (http/rate-limit/token-buckets.ts).
import type { RequestHandler } from 'express';
import type { Registry } from 'prom-client';
import { didProofOf } from '../../connector/http/caller-auth.js';
import {
  rateLimitCounter,
  RateLimited,
  refuse,
  TokenBuckets,
} from '../../connector/http/rate-limit/index.js';
import type { Clock } from '../../connector/identity/index.js';
import { ConfigError } from '../../connector/process/config.js';

export interface ApplicationLimitSettings {
  readonly perHourPerAddress: number;
  readonly perHourPerDid: number;
}

export const DEFAULT_APPLICATION_LIMITS: ApplicationLimitSettings = {
  perHourPerAddress: 120,
  perHourPerDid: 10,
};

const MAX_TRACKED_KEYS = 10_000;

/** authority.json "rateLimits" checked; the application limits over the defaults. */
export function parseApplicationLimits(value: unknown, where: string): ApplicationLimitSettings {
  if (value === undefined) return DEFAULT_APPLICATION_LIMITS;
  const object = (v: unknown): v is Record<string, unknown> =>
    v !== null && typeof v === 'object' && !Array.isArray(v);
  if (!object(value)) throw new ConfigError(`${where} must be an object`);
  for (const key of Object.keys(value)) {
    if (key !== 'applications') throw new ConfigError(`${where}: unknown key "${key}" (known: applications)`);
  }
  const applications = value.applications ?? {};
  if (!object(applications)) throw new ConfigError(`${where} "applications" must be an object`);
  for (const [key, n] of Object.entries(applications)) {
    if (key !== 'perHourPerAddress' && key !== 'perHourPerDid')
      throw new ConfigError(
        `${where} "applications": unknown key "${key}" (known: perHourPerAddress, perHourPerDid)`,
      );
    if (!Number.isInteger(n) || (n as number) < 0)
      throw new ConfigError(`${where} "applications.${key}" must be a non-negative integer`);
  }
  return { ...DEFAULT_APPLICATION_LIMITS, ...(applications as Partial<ApplicationLimitSettings>) };
}

export interface ApplicationLimits {
  /** Before the DID proof: per remote address. */
  readonly byAddress: RequestHandler;
  /** After it: per applicant DID. */
  readonly byDid: RequestHandler;
}

export function applicationLimits(
  settings: ApplicationLimitSettings,
  options: { registry?: Registry; clock?: Clock } = {},
): ApplicationLimits {
  const hourly = (perHour: number) =>
    new TokenBuckets(
      { perSecond: perHour / 3600, burst: Math.max(1, perHour) },
      { maxKeys: MAX_TRACKED_KEYS, ...(options.clock ? { clock: options.clock } : {}) },
    );
  const addresses = hourly(settings.perHourPerAddress);
  const dids = hourly(settings.perHourPerDid);
  const refused = options.registry
    ? rateLimitCounter(options.registry, ['applications-address', 'applications-did'])
    : undefined;
  type KeyOf = (...args: Parameters<RequestHandler>) => string;
  const limit =
    (name: string, buckets: TokenBuckets, perHour: number, keyOf: KeyOf, who: string): RequestHandler =>
    (req, res, next) => {
      const taken = buckets.take(keyOf(req, res, next));
      if (taken.ok) {
        next();
        return;
      }
      refused?.inc({ limit: name });
      next(
        refuse(
          res,
          new RateLimited(
            name,
            taken.retryAfterSeconds,
            `too many membership applications from this ${who}: the authority accepts ${perHour} per hour`,
          ),
        ),
      );
    };
  return {
    byAddress: limit(
      'applications-address',
      addresses,
      settings.perHourPerAddress,
      (req) => req.socket.remoteAddress ?? 'unknown',
      'address',
    ),
    byDid: limit(
      'applications-did',
      dids,
      settings.perHourPerDid,
      (_req, res) => didProofOf(res).caller,
      'DID',
    ),
  };
}
