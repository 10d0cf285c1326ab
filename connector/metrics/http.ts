// HTTP request metrics labelled by route pattern, never by raw path, so a caller cannot grow the series:
//   route   the matched Express route with its mount path ("/dsp/negotiations/:pid"); when no route matched
//           but a mounted router was entered, that mount with "/*" ("/dsp/*", e.g. a 401 from the DSP
//           authentication); when nothing matched, "unmatched";
//   method  the HTTP method, or "OTHER" for anything non-standard;
//   status  the status code sent, or "aborted" when the client went away first.
// Mount paths are matched case-insensitively, so the mount part is lower-cased (Shuyu's are lower case):
// "/DSP" and "/dsp" are one series.
// Express restores req.baseUrl when a request leaves a router (an error passed on), so the pattern is
// captured the moment the router assigns req.route, through accessors on the app's request prototype.
import type { Request, RequestHandler } from 'express';
import { Counter, Histogram, type Registry } from 'prom-client';

export const UNMATCHED_ROUTE = 'unmatched';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** Seconds; from a cached GET to a slow catalog query or a streamed download. */
export const HTTP_DURATION_BUCKETS = [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export function httpMetricsMiddleware(registry: Registry): RequestHandler {
  const requests = new Counter({
    name: 'shuyu_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'shuyu_http_request_duration_seconds',
    help: 'Time from the request to the last byte of the answer, by method and route pattern',
    labelNames: ['method', 'route'],
    buckets: HTTP_DURATION_BUCKETS,
    registers: [registry],
  });
  // The label-bound children, looked up once per label set (prom-client hashes the labels on every call
  // otherwise); the sets are bounded like the labels.
  const counters = new Map<string, { inc(): void }>();
  const timers = new Map<string, { observe(value: number): void }>();
  return (req, res, next) => {
    const started = performance.now();
    const route = trackRoute(req);
    res.once('close', () => {
      const method = METHODS.has(req.method) ? req.method : 'OTHER';
      const pattern = route.pattern();
      const status = res.writableFinished ? String(res.statusCode) : 'aborted';
      const timed = `${method} ${pattern}`;
      const counted = `${timed} ${status}`;
      let counter = counters.get(counted);
      if (counter === undefined) counters.set(counted, (counter = requests.labels(method, pattern, status)));
      let timer = timers.get(timed);
      if (timer === undefined) timers.set(timed, (timer = duration.labels(method, pattern)));
      counter.inc();
      timer.observe((performance.now() - started) / 1000);
    });
    next();
  };
}

const BASE_URL = Symbol('shuyu.metrics.baseUrl');
const ROUTE = Symbol('shuyu.metrics.route');
const MATCHED = Symbol('shuyu.metrics.matched');
const DEEPEST_MOUNT = Symbol('shuyu.metrics.deepestMount');

interface Tracked {
  [BASE_URL]?: string;
  [ROUTE]?: unknown;
  [MATCHED]?: string;
  [DEEPEST_MOUNT]?: string;
}

/** Request prototypes (one per Express app) whose route and baseUrl are accessors that record them. */
const trackedPrototypes = new WeakSet<object>();

/**
 * Watches the router's assignments to req.route and req.baseUrl; pattern() is the label. The accessors
 * sit on the app's request prototype, installed once: defining them per request cost ~8 µs.
 */
function trackRoute(req: Request): { pattern(): string } {
  const prototype = Object.getPrototypeOf(req) as object;
  if (!trackedPrototypes.has(prototype)) {
    trackedPrototypes.add(prototype);
    Object.defineProperty(prototype, 'route', {
      configurable: true,
      get(this: Tracked) {
        return this[ROUTE];
      },
      set(this: Tracked & { baseUrl: string }, value: { path?: unknown } | undefined) {
        this[ROUTE] = value;
        if (value !== undefined) this[MATCHED] = joinPattern(this.baseUrl.toLowerCase(), String(value.path));
      },
    });
    Object.defineProperty(prototype, 'baseUrl', {
      configurable: true,
      get(this: Tracked) {
        return this[BASE_URL] ?? '';
      },
      set(this: Tracked, value: string) {
        this[BASE_URL] = value;
        if (value.length > (this[DEEPEST_MOUNT]?.length ?? 0)) this[DEEPEST_MOUNT] = value.toLowerCase();
      },
    });
  }
  // Set before the accessors existed (this app's first request): move them behind the accessors.
  for (const key of ['baseUrl', 'route'] as const) {
    if (Object.hasOwn(req, key)) {
      const value = req[key] as never;
      delete (req as Partial<Request>)[key];
      (req as unknown as Record<string, unknown>)[key] = value;
    }
  }
  const tracked = req as Tracked;
  return {
    pattern: () =>
      tracked[MATCHED] ?? (tracked[DEEPEST_MOUNT] ? `${tracked[DEEPEST_MOUNT]}/*` : UNMATCHED_ROUTE),
  };
}

function joinPattern(base: string, path: string): string {
  if (path === '/' || path === '') return base === '' ? '/' : base;
  return `${base}${path}`;
}
