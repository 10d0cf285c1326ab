// Prometheus metrics of one server (a connector, an authority with its federated catalog): its own
// Registry, never prom-client's global one, because tests run many servers in one Node process. The Node
// process metrics (CPU, memory, event loop, GC) are collected once per process and appended to every
// server's scrape: they describe the process, whichever server is asked.
import { collectDefaultMetrics, Registry } from 'prom-client';
import type { RequestHandler } from 'express';
import { httpMetricsMiddleware } from './http.js';

export interface ServerMetrics {
  /** This server's metrics (HTTP, state gauges, counters); register more with `registers: [registry]`. */
  readonly registry: Registry;
  /** Counts and times every request by route pattern; the first middleware of each app. */
  readonly http: RequestHandler;
  /** The Prometheus text exposition: this server's metrics, then the process's. */
  scrape(): Promise<string>;
  readonly contentType: string;
}

let processRegistry: Registry | undefined;

/** The process-wide default metrics, registered on first use (monitors are per process: only once). */
function processMetrics(): Registry {
  if (processRegistry === undefined) {
    processRegistry = new Registry();
    collectDefaultMetrics({ register: processRegistry });
  }
  return processRegistry;
}

export function createServerMetrics(): ServerMetrics {
  const registry = new Registry();
  const process = processMetrics();
  return {
    registry,
    http: httpMetricsMiddleware(registry),
    scrape: async () => `${await registry.metrics()}\n${await process.metrics()}`,
    contentType: registry.contentType,
  };
}

/** GET handler answering the scrape; a failing collector (database closing) is a 503 problem. */
export function metricsHandler(metrics: ServerMetrics): RequestHandler {
  return async (_req, res) => {
    const text = await metrics.scrape();
    res.type(metrics.contentType).set('Cache-Control', 'no-store').send(text);
  };
}
