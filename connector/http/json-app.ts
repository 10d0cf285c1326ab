// The express app every Shuyu HTTP API starts from: JSON bodies with a size limit, no x-powered-by, and the
// problem+json handlers. Routes are added between `createJsonApp()` and `finishJsonApp()`.
import express, { type Express, type RequestHandler } from 'express';
import { notFoundHandler, problemHandler } from './problem.js';

export const DEFAULT_BODY_LIMIT = '256kb';

export function createJsonApp(
  options: { bodyLimit?: string; before?: readonly RequestHandler[] } = {},
): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
  // Before the body parser: metrics count and time requests it refuses too.
  for (const handler of options.before ?? []) app.use(handler);
  app.use(
    express.json({
      limit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
      type: ['application/json', 'application/*+json'],
    }),
  );
  return app;
}

export function finishJsonApp(app: Express, log?: (err: unknown) => void): Express {
  app.use(notFoundHandler);
  app.use(problemHandler(log));
  return app;
}
