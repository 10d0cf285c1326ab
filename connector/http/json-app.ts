// The express app every Shuyu HTTP API starts from: a request id (X-Request-Id), JSON bodies with a size
// limit, no x-powered-by, and the problem+json handlers (one log line per error answer). Routes are added
// between `createJsonApp()` and `finishJsonApp()`.
import express, { type Express, type RequestHandler } from 'express';
import { requestIdMiddleware, rootLogger, type Logger } from '../logging/index.js';
import { notFoundHandler, problemHandler } from './problem.js';

export const DEFAULT_BODY_LIMIT = '256kb';

export interface JsonAppOptions {
  bodyLimit?: string;
  /** The process's logger (app.locals.logger; replace it once the process knows its DID). */
  logger?: Logger;
  /** Middleware before the body parser (metrics count and time the requests it refuses too). */
  before?: readonly RequestHandler[];
}

export function createJsonApp(options: JsonAppOptions = {}): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  app.locals.logger = options.logger ?? rootLogger();
  // First, so the request id is on every line logged while the request is served, and in the answer.
  app.use(requestIdMiddleware);
  for (const handler of options.before ?? []) app.use(handler);
  app.use(
    express.json({
      limit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
      type: ['application/json', 'application/*+json'],
    }),
  );
  app.use(requestIdMiddleware);
  return app;
}

export function finishJsonApp(app: Express, logger?: Logger): Express {
  app.use(notFoundHandler);
  app.use(problemHandler(logger));
  return app;
}
