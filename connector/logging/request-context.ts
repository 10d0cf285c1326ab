// The request being served, for the log: its id travels with the async work of the request (Node's
// AsyncLocalStorage), so every line logged while it is served carries it, whichever module writes it.
import { AsyncLocalStorage } from 'node:async_hooks';
import { randomUUID } from 'node:crypto';
import type { RequestHandler } from 'express';

export const REQUEST_ID_HEADER = 'X-Request-Id';

const context = new AsyncLocalStorage<{ readonly requestId: string }>();

// A caller's id is kept only when it is short and plain (no spaces, quotes or control characters that
// could forge log lines or headers); otherwise we make one.
const SANE_ID = /^[A-Za-z0-9._:@/+=-]{1,128}$/;

/** The id of the request whose work is running now, if any. */
export function currentRequestId(): string | undefined {
  return context.getStore()?.requestId;
}

/** Runs `work` as part of request `requestId` (tests; work started outside a request). */
export function withRequestId<T>(requestId: string, work: () => T): T {
  return context.run({ requestId }, work);
}

/** Runs `work` as part of request `requestId`, or outside any request when it is undefined. */
export function inRequest<T>(requestId: string | undefined, work: () => T): T {
  return requestId === undefined ? context.exit(work) : context.run({ requestId }, work);
}

/**
 * First middleware of every app: takes a sane X-Request-Id or makes one, echoes it, runs the rest under it.
 * Mounted again after the body parser, which may call on from the socket's context: the second pass takes
 * the id the first chose (res.locals.requestId).
 */
export const requestIdMiddleware: RequestHandler = (req, res, next) => {
  let requestId = res.locals.requestId as string | undefined;
  if (requestId === undefined) {
    const given = req.headers['x-request-id'];
    requestId = typeof given === 'string' && SANE_ID.test(given) ? given : randomUUID();
    res.locals.requestId = requestId;
    res.setHeader(REQUEST_ID_HEADER, requestId);
  }
  context.run({ requestId }, next);
};
