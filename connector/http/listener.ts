// One HTTP listener of a Shuyu process (the connector's public DSP port and its management port, the
// authority's public and admin ports): a JSON app that listens before its routes are mounted, answers
// /health and /ready itself, holds everything else at a 503 "starting" until opened, and ends in the
// problem+json handlers, so no path ever gets Express's HTML page.
import { Router, type ErrorRequestHandler, type RequestHandler } from 'express';
import { existsSync, readFileSync } from 'node:fs';
import type { Logger } from '../logging/index.js';
import { createJsonApp, finishJsonApp } from './json-app.js';
import { HttpProblem, problemBody } from './problem.js';
import { listen, type RunningServer } from './server.js';
import { createStartupGate } from './startup-gate.js';

export const HEALTH_PATH = '/health';
export const READY_PATH = '/ready';

/** One readiness condition: resolves undefined when met, else a short reason (or it throws). */
export interface ReadinessCheck {
  readonly name: string;
  check(): Promise<string | undefined>;
}

export interface Listener {
  readonly server: RunningServer;
  /** http://host:port of this listener (where it binds, not a public URL). */
  readonly url: string;
  /** Mount routes here (after /health, /ready and the gate; before the 404 and problem handlers). */
  readonly routes: Router;
  /** Lets requests under `path` through before the listener is opened (mounted and ready to answer). */
  allow(path: string): void;
  /** Every route is mounted: requests stop getting 503 "starting". */
  open(): void;
  readonly isOpen: boolean;
  /** The conditions /ready reports besides "routes mounted" (checked in order on each request). */
  addReadinessCheck(check: ReadinessCheck): void;
  /**
   * An error handler that runs before the generic problem+json one (e.g. a protocol's own error body on
   * its paths); errors raised before any router (malformed or oversized JSON) reach it too.
   */
  addErrorHandler(handler: ErrorRequestHandler): void;
  /** The logger requests on this listener log with (e.g. one carrying the process's DID). */
  setLogger(logger: Logger): void;
  close(): Promise<void>;
}

export interface ListenerOptions {
  readonly host: string;
  readonly port: number;
  /** Shown in /health and /ready ("public", "management", "admin"). */
  readonly role: string;
  readonly bodyLimit?: string;
  /** Middleware before the body parser (metrics count and time the requests it refuses too). */
  readonly before?: readonly RequestHandler[];
  /** Where requests on this listener log (app.locals.logger); `setLogger` replaces it once the DID is known. */
  readonly logger?: Logger;
}

export async function startListener(options: ListenerOptions): Promise<Listener> {
  const app = createJsonApp({
    ...(options.bodyLimit !== undefined ? { bodyLimit: options.bodyLimit } : {}),
    ...(options.before !== undefined ? { before: options.before } : {}),
    ...(options.logger !== undefined ? { logger: options.logger } : {}),
  });
  const gate = createStartupGate();
  const checks: ReadinessCheck[] = [];
  const errorHandlers: ErrorRequestHandler[] = [];
  // Liveness: the process answers. Never gated (a starting process is alive) and never authenticated.
  app.get(HEALTH_PATH, (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json({ status: 'ok', listener: options.role });
  });
  app.get(READY_PATH, (_req, res, next) => {
    readiness(gate.isOpen, checks).then((failure) => {
      res.setHeader('Cache-Control', 'no-store');
      if (failure === undefined) {
        res.json({
          status: 'ready',
          listener: options.role,
          checks: ['routes', ...checks.map((c) => c.name)],
        });
        return;
      }
      const problem = new HttpProblem(503, 'not-ready', `not ready: ${failure.reason}`, [], {
        check: failure.name,
        listener: options.role,
      });
      res
        .status(503)
        .type('application/problem+json')
        .send(JSON.stringify(problemBody(problem)));
    }, next);
  });
  app.use(gate.middleware);
  const routes = Router();
  app.use(routes);
  app.use(chainErrorHandlers(errorHandlers));
  finishJsonApp(app);
  const server = await listen(app, { host: options.host, port: options.port });
  return {
    server,
    url: server.url,
    routes,
    allow: (path) => gate.allow(path),
    open: () => gate.open(),
    get isOpen() {
      return gate.isOpen;
    },
    addReadinessCheck: (check) => {
      checks.push(check);
    },
    addErrorHandler: (handler) => {
      errorHandlers.push(handler);
    },
    setLogger: (logger) => {
      app.locals.logger = logger;
    },
    close: () => server.close(),
  };
}

/** A readiness check that the database answers a trivial query. */
export function storeOpenCheck(db: { get(sql: string): Promise<unknown> }): ReadinessCheck {
  return {
    name: 'store',
    check: async () => {
      await db.get('SELECT 1');
      return undefined;
    },
  };
}

/** The first failing condition, or undefined when the listener is ready. */
async function readiness(
  open: boolean,
  checks: readonly ReadinessCheck[],
): Promise<{ name: string; reason: string } | undefined> {
  if (!open) return { name: 'routes', reason: 'the routes are not mounted yet (starting)' };
  for (const check of checks) {
    let reason: string | undefined;
    try {
      reason = await check.check();
    } catch (error) {
      reason = (error as Error).message || String(error);
    }
    if (reason !== undefined) return { name: check.name, reason: `${check.name}: ${reason}` };
  }
  return undefined;
}

/** Runs `handlers` in order; each may answer or pass the error on with next(err). */
function chainErrorHandlers(handlers: readonly ErrorRequestHandler[]): ErrorRequestHandler {
  return (err, req, res, next) => {
    const run = (index: number, error: unknown): void => {
      const handler = handlers[index];
      if (handler === undefined) {
        next(error);
        return;
      }
      handler(error, req, res, (passed?: unknown) => run(index + 1, passed ?? error));
    };
    run(0, err);
  };
}

/**
 * Where a running process's second listener (management, admin) is: the URL it wrote into `urlFile` at
 * start (one line, removed on a clean stop), else the configured fixed port, else undefined (not running,
 * or on a free port nobody wrote down).
 */
export function listenerUrlOf(
  urlFile: string,
  configured: { readonly host?: string; readonly port?: number } | undefined,
): string | undefined {
  if (existsSync(urlFile)) {
    const written = readFileSync(urlFile, 'utf8').trim();
    if (written !== '') return written;
  }
  if (configured?.port === undefined || configured.port === 0) return undefined;
  const host = configured.host ?? '127.0.0.1';
  return `http://${host.includes(':') ? `[${host}]` : host}:${configured.port}`;
}
