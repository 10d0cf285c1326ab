// HTTP request metrics labelled by route pattern, never by raw path, so a caller cannot grow the series:
//   route   the matched Express route with its mount path ("/dsp/negotiations/:pid"); when no route matched
//           but a mounted router was entered, that mount with "/*" ("/dsp/*", e.g. a 401 from the DSP
//           authentication); when nothing matched, "unmatched";
//   method  the HTTP method, or "OTHER" for anything non-standard;
//   status  the status code sent, or "aborted" when the client went away first.
// Mount paths are matched case-insensitively, so the mount part is lower-cased (Shuyu's are lower case):
// "/DSP" and "/dsp" are one series.
// Express restores req.baseUrl when a request leaves a router (an error passed on), so the pattern is
// captured the moment the router assigns req.route, through an accessor on the request.
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
  return (req, res, next) => {
    const started = performance.now();
    const route = trackRoute(req);
    res.once('close', () => {
      const method = METHODS.has(req.method) ? req.method : 'OTHER';
      const pattern = route.pattern();
      const status = res.writableFinished ? String(res.statusCode) : 'aborted';
      requests.inc({ method, route: pattern, status });
      duration.observe({ method, route: pattern }, (performance.now() - started) / 1000);
    });
    next();
  };
}

/** Watches the router's assignments to req.route and req.baseUrl; pattern() is the label. */
function trackRoute(req: Request): { pattern(): string } {
  let route: unknown;
  let matched: string | undefined;
  let baseUrl = req.baseUrl;
  let deepestMount = '';
  Object.defineProperty(req, 'route', {
    configurable: true,
    enumerable: true,
    get: () => route,
    set: (value: { path?: unknown } | undefined) => {
      route = value;
      if (value !== undefined) matched = joinPattern(baseUrl.toLowerCase(), String(value.path));
    },
  });
  Object.defineProperty(req, 'baseUrl', {
    configurable: true,
    enumerable: true,
    get: () => baseUrl,
    set: (value: string) => {
      baseUrl = value;
      if (value.length > deepestMount.length) deepestMount = value.toLowerCase();
    },
  });
  return {
    pattern: () => matched ?? (deepestMount !== '' ? `${deepestMount}/*` : UNMATCHED_ROUTE),
  };
}

function joinPattern(base: string, path: string): string {
  if (path === '/' || path === '') return base === '' ? '/' : base;
  return `${base}${path}`;
}
