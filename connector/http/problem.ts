// Errors on the HTTP APIs are RFC 9457 problem+json documents: a stable type, a title, the detail
// (what went wrong and what to do) and, for bad input, field-level reasons with JSON pointers.
// Handlers throw HttpProblem; one middleware turns it (and body-parser failures) into a response,
// so bad input never becomes a 500.

import type { ErrorRequestHandler, Request, RequestHandler } from 'express';
import { rootLogger, type Logger } from '../logging/index.js';

export interface FieldReason {
  /** JSON pointer into the request body (or the parameter name). */
  readonly pointer: string;
  readonly reason: string;
}

export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    /** A short stable code, e.g. "invalid-body"; becomes the problem type URI's last segment. */
    readonly code: string,
    readonly detail: string,
    readonly errors: readonly FieldReason[] = [],
    /** Extension members of the problem document (RFC 9457 §3.2), e.g. a process's current state. */
    readonly members: Readonly<Record<string, unknown>> = {},
  ) {
    super(detail);
  }
}

const TITLES: Readonly<Record<number, string>> = {
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  413: 'Payload Too Large',
  415: 'Unsupported Media Type',
  422: 'Unprocessable Content',
  424: 'Failed Dependency',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  501: 'Not Implemented',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
};

export const PROBLEM_TYPE_BASE = 'https://w3id.org/shuyu/v1/problems/';

export function problemBody(p: HttpProblem): object {
  return {
    ...p.members, // extensions never override the standard members
    type: PROBLEM_TYPE_BASE + p.code,
    title: TITLES[p.status] ?? 'Error',
    status: p.status,
    detail: p.detail,
    ...(p.errors.length > 0 ? { errors: p.errors } : {}),
  };
}

/** Maps body-parser's and express's own errors to problems; everything else is a 500 with no leak. */
export function toProblem(err: unknown): HttpProblem {
  if (err instanceof HttpProblem) return err;
  const e = err as { type?: string; status?: number; message?: string; limit?: number };
  switch (e?.type) {
    case 'entity.parse.failed':
      return new HttpProblem(
        400,
        'malformed-json',
        `the request body is not valid JSON: ${e.message ?? ''}`.trim(),
      );
    case 'entity.too.large':
      return new HttpProblem(
        413,
        'body-too-large',
        `the request body is larger than the ${e.limit ?? ''} bytes allowed`.replace('  ', ' '),
      );
    case 'encoding.unsupported':
    case 'charset.unsupported':
      return new HttpProblem(415, 'unsupported-encoding', e.message ?? 'unsupported encoding');
  }
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) {
    return new HttpProblem(e.status, 'bad-request', e.message ?? 'bad request');
  }
  return new HttpProblem(500, 'internal', 'an unexpected error occurred; the server log has the details');
}

/**
 * Whether an error is a server fault for the log: every 5xx except a deliberate 501 (a feature we do not
 * offer, e.g. Presentation Exchange queries to the Credential Service), which is an answer, not a fault.
 * Deliberate 502/503 are logged: they name an outage (a peer, the authority) the operator should see.
 */
export function isServerFault(err: unknown, problem: HttpProblem): boolean {
  return problem.status >= 500 && !(err instanceof HttpProblem && problem.status === 501);
}

/**
 * One log line per error answer: a server fault at error level with its stack; a client error (4xx, or a
 * deliberate 501) without one, at warn when it refuses the caller (401, 403), else at info.
 */
export function logProblem(logger: Logger, req: Request, err: unknown, problem: HttpProblem): void {
  const requestId = (req.res?.locals.requestId as string | undefined) ?? undefined;
  const fields = {
    ...(requestId ? { requestId } : {}),
    status: problem.status,
    code: problem.code,
    method: req.method,
    path: req.path,
  };
  if (isServerFault(err, problem)) {
    logger.error({ ...fields, err }, `${req.method} ${req.path} failed: ${(err as Error)?.message ?? err}`);
  } else {
    const level = problem.status === 401 || problem.status === 403 ? 'warn' : 'info';
    logger[level](
      { ...fields, detail: problem.detail },
      `${req.method} ${req.path} refused: ${problem.code}`,
    );
  }
}

/** The last middleware of every app; `logger` (default: the app's, else the process's) gets one line per error. */
export function problemHandler(logger?: Logger): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (res.headersSent) {
      next(err);
      return;
    }
    const problem = toProblem(err);
    logProblem(logger ?? (req.app.locals.logger as Logger | undefined) ?? rootLogger(), req, err, problem);
    res
      .status(problem.status)
      .type('application/problem+json')
      .send(JSON.stringify(problemBody(problem)));
  };
}

/** 404 for every route no router claimed. */
export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new HttpProblem(404, 'not-found', `no resource at ${req.method} ${req.path}`));
};
