// A connector's rate limits as Express middleware: per remote address before authentication (refusing a
// flood before it costs a DCP verification), per caller DID after it on DSP routes, per consumer DID on
// the data plane with a cap on downloads in flight. Over a limit: 429 with Retry-After (whole seconds) and
// a body saying which limit, what it allows and when to retry; on DSP paths the DSP error handler turns it
// into the protocol's error message (code "rate-limited"), elsewhere it is problem+json.
import type { Request, RequestHandler, Response } from 'express';
import { Counter, type Registry } from 'prom-client';
import type { Clock } from '../../identity/clock.js';
import { HttpProblem } from '../problem.js';
import { resolveRateLimits, type RateLimitSettings } from './settings.js';
import { TokenBuckets, type BucketSettings } from './token-buckets.js';

export type LimitName = 'address' | 'dsp' | 'dataplane' | 'dataplane-streams';

/** A 429 answer: `retryAfterSeconds` goes to the Retry-After header and the body. */
export class RateLimited extends HttpProblem {
  constructor(
    readonly limit: string,
    readonly retryAfterSeconds: number,
    detail: string,
  ) {
    super(429, 'rate-limited', `${detail}; retry in ${retryAfterSeconds} s`, [], {
      limit,
      retryAfterSeconds,
    });
  }
}

/** Sets Retry-After on `res` and returns the problem to pass on (next(problem) or throw). */
export function refuse(res: Response, problem: RateLimited): RateLimited {
  res.setHeader('Retry-After', String(problem.retryAfterSeconds));
  return problem;
}

/** Counts refusals by limit (shuyu_rate_limited_total); `limits` are the label values shown at 0. */
export function rateLimitCounter(registry: Registry, limits: readonly string[]): Counter<'limit'> {
  const counter = new Counter({
    name: 'shuyu_rate_limited_total',
    help: 'Requests refused with 429 by a rate limit, by limit',
    labelNames: ['limit'],
    registers: [registry],
  });
  for (const limit of limits) counter.inc({ limit }, 0);
  return counter;
}

export interface ConnectorRateLimits {
  /** Per remote address, before authentication (DSP and the data plane). */
  readonly perAddress: RequestHandler;
  /** Per authenticated caller DID (after the DSP authentication). */
  readonly dspCaller: RequestHandler;
  /**
   * The data plane's admission of one request by `consumerDid`: throws RateLimited (Retry-After set on
   * `res`) or returns the function that frees its download slot.
   */
  admitDownload(consumerDid: string, res: Response): () => void;
  /** The limits in force. */
  readonly settings: RateLimitSettings;
  /** New limits (the data space profile arrived); buckets start full again. */
  configure(settings: RateLimitSettings): void;
}

export function createConnectorRateLimits(options: {
  readonly settings?: RateLimitSettings;
  readonly registry?: Registry;
  readonly clock?: Clock;
}): ConnectorRateLimits {
  let settings = options.settings ?? resolveRateLimits();
  const refused = options.registry
    ? rateLimitCounter(options.registry, ['address', 'dsp', 'dataplane', 'dataplane-streams'])
    : undefined;
  const buckets = (s: BucketSettings) =>
    new TokenBuckets(s, {
      maxKeys: settings.maxTrackedKeys,
      ...(options.clock ? { clock: options.clock } : {}),
    });
  let byAddress = buckets(settings.perAddress);
  let byCaller = buckets(settings.dsp);
  let byConsumer = buckets(settings.dataPlane);
  // Downloads in flight per consumer: an entry exists only while one runs, so the map is bounded by them.
  const streams = new Map<string, number>();

  const check = (limit: LimitName, key: string, bucketSet: TokenBuckets, s: BucketSettings, who: string) => {
    const taken = bucketSet.take(key);
    if (taken.ok) return undefined;
    refused?.inc({ limit });
    return new RateLimited(
      limit,
      taken.retryAfterSeconds,
      `too many requests from ${who}: this connector allows ${s.perSecond} per second (bursts of ${s.burst})`,
    );
  };

  return {
    perAddress: (req: Request, res, next) => {
      const address = req.socket.remoteAddress ?? 'unknown';
      const problem = check('address', address, byAddress, settings.perAddress, `address ${address}`);
      next(problem && refuse(res, problem));
    },
    dspCaller: (_req, res, next) => {
      const caller = (res.locals.caller as { caller?: string } | undefined)?.caller;
      const problem = caller === undefined ? undefined : check('dsp', caller, byCaller, settings.dsp, caller);
      next(problem && refuse(res, problem));
    },
    admitDownload(consumerDid, res) {
      const problem = check('dataplane', consumerDid, byConsumer, settings.dataPlane, consumerDid);
      if (problem) throw refuse(res, problem);
      const cap = settings.dataPlane.concurrentStreams;
      const running = streams.get(consumerDid) ?? 0;
      if (cap > 0 && running >= cap) {
        refused?.inc({ limit: 'dataplane-streams' });
        throw refuse(
          res,
          new RateLimited(
            'dataplane-streams',
            1,
            `${consumerDid} already has ${running} downloads running; this connector allows ${cap} at once`,
          ),
        );
      }
      streams.set(consumerDid, running + 1);
      let released = false;
      return () => {
        if (released) return;
        released = true;
        const left = (streams.get(consumerDid) ?? 1) - 1;
        if (left <= 0) streams.delete(consumerDid);
        else streams.set(consumerDid, left);
      };
    },
    get settings() {
      return settings;
    },
    configure(next) {
      settings = next;
      byAddress = buckets(settings.perAddress);
      byCaller = buckets(settings.dsp);
      byConsumer = buckets(settings.dataPlane);
    },
  };
}
