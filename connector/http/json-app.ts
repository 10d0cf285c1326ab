// The express app every Shuyu HTTP API starts from: JSON bodies with a size limit, no x-powered-by, and the
// problem+json handlers. Routes are added between `createJsonApp()` and `finishJsonApp()`.
import express, { type Express } from 'express';
import { notFoundHandler, problemHandler } from './problem.js';

export const DEFAULT_BODY_LIMIT = '256kb';

export function createJsonApp(options: { bodyLimit?: string } = {}): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('query parser', 'simple');
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
