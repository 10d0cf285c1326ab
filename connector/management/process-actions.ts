// The operator's actions on a negotiation or transfer (`POST /<processes>/:id/<action>`), shared by
// both routers: each runs one action and answers the process's view; an action not valid now is a
// 409 problem carrying the process's current state (`state`) and why (`reason`), read after the refusal.

import type { Router } from 'express';
import { HttpProblem } from '../http/problem.js';
import { managementProblem } from './errors.js';
import { Input, pathParam } from './input.js';

export interface ProcessActionRoutes<R extends { readonly state: string }> {
  /** 'negotiations' or 'transfers'. */
  readonly path: string;
  readonly read: (id: string) => Promise<R | undefined>;
  readonly view: (record: R) => unknown;
}

export function processActions<R extends { readonly state: string }>(
  router: Router,
  routes: ProcessActionRoutes<R>,
): (name: string, run: (id: string, input: Input) => Promise<R>) => void {
  return (name, run) => {
    router.post(`/${routes.path}/:id/${name}`, async (req, res) => {
      const id = pathParam(req, 'id');
      let record: R;
      try {
        record = await run(id, new Input(req));
      } catch (error) {
        throw await withState(managementProblem(error), () => routes.read(id));
      }
      res.json(routes.view(record));
    });
  };
}

/** A 409 with the process's state as it is now, and the refusal's reason. */
async function withState(error: unknown, read: () => Promise<{ readonly state: string } | undefined>) {
  if (!(error instanceof HttpProblem) || error.status !== 409) return error;
  const current = await read();
  if (current === undefined) return error;
  return new HttpProblem(409, error.code, error.detail, error.errors, {
    ...error.members,
    state: current.state,
    reason: typeof error.members.reason === 'string' ? error.members.reason : error.detail,
  });
}
