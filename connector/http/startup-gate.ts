// A server listens before all its routes are mounted (the DID document must be served while the connector
// signs in to its authority). Until then Express would answer unmounted paths with its HTML "Cannot GET"
// page; the gate answers 503 problem+json with Retry-After instead, letting through only what is ready.
import type { RequestHandler } from 'express';
import { HttpProblem, problemBody } from './problem.js';

export interface StartupGate {
  /** The first middleware of the app. */
  readonly middleware: RequestHandler;
  /** Lets requests under `path` through before the whole app is ready (it must be mounted and finished). */
  allow(path: string): void;
  /** Every route is mounted: the gate lets everything through from now on. */
  open(): void;
  readonly isOpen: boolean;
}

export const STARTING_RETRY_AFTER_SECONDS = 1;

export function createStartupGate(): StartupGate {
  let open = false;
  const allowed: string[] = [];
  const body = JSON.stringify(
    problemBody(
      new HttpProblem(
        503,
        'starting',
        `the server is starting and has not mounted its routes yet; retry in ${STARTING_RETRY_AFTER_SECONDS} s`,
      ),
    ),
  );
  return {
    middleware: (req, res, next) => {
      if (open || allowed.some((p) => req.path === p || req.path.startsWith(`${p}/`))) {
        next();
        return;
      }
      res
        .status(503)
        .set('Retry-After', String(STARTING_RETRY_AFTER_SECONDS))
        .type('application/problem+json')
        .send(body);
    },
    allow: (path) => {
      allowed.push(path);
    },
    open: () => {
      open = true;
    },
    get isOpen() {
      return open;
    },
  };
}
