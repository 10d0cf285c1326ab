// Waiting for a process to reach a state, without polling: `GET /negotiations/:id?waitFor=FINALIZED,
// TERMINATED&timeoutMs=10000` answers as soon as the record is in one of the states (at once if it
// already is), or with the record as it is when the time is up. The control plane's commit hook wakes
// the waiter; the client sees the state change as soon as it is committed.

import type { Request, Response } from 'express';
import type { ControlPlane, ProcessKind } from '../control-plane/index.js';
import { HttpProblem } from '../http/problem.js';
import { listParam } from './input.js';

export const DEFAULT_WAIT_MS = 10_000;
export const MAX_WAIT_MS = 60_000;

export interface WaitQuery<S extends string> {
  readonly states: readonly S[];
  readonly timeoutMs: number;
}

/** `?waitFor=A,B&timeoutMs=N`, or undefined when the caller does not want to wait. */
export function waitQuery<S extends string>(req: Request, states: readonly S[]): WaitQuery<S> | undefined {
  const wanted = listParam(req, 'waitFor', states);
  const raw = req.query.timeoutMs;
  if (wanted === undefined) {
    if (raw !== undefined) {
      throw new HttpProblem(400, 'invalid-query', 'timeoutMs only applies with waitFor', [
        { pointer: 'timeoutMs', reason: 'give waitFor too' },
      ]);
    }
    return undefined;
  }
  let timeoutMs = DEFAULT_WAIT_MS;
  if (raw !== undefined) {
    timeoutMs = typeof raw === 'string' && /^\d{1,9}$/.test(raw) ? Number(raw) : Number.NaN;
    if (!(timeoutMs <= MAX_WAIT_MS)) {
      throw new HttpProblem(400, 'invalid-query', `timeoutMs must be an integer from 0 to ${MAX_WAIT_MS}`, [
        { pointer: 'timeoutMs', reason: `found ${JSON.stringify(raw)}` },
      ]);
    }
  }
  return { states: wanted, timeoutMs };
}

/**
 * `read()`'s record once it is in one of `wait`'s states, gone, or the time is up (then as it is);
 * `read()` at once without `wait`. Stops waiting when the client goes away.
 */
export function readWhen<T extends { readonly state: string }>(
  plane: ControlPlane,
  kind: ProcessKind,
  id: string,
  read: () => Promise<T | undefined>,
  wait: WaitQuery<string> | undefined,
  res: Response,
): Promise<T | undefined> {
  if (wait === undefined) return read();
  return new Promise<T | undefined>((resolve, reject) => {
    let done = false;
    let reading = false;
    let again = false;
    const finish = (settle: () => void): void => {
      if (done) return;
      done = true;
      unwatch();
      clearTimeout(timer);
      res.off('close', gone);
      settle();
    };
    const check = async (committed?: unknown): Promise<void> => {
      // The record a commit came with is the state it left: no need to read it.
      const given = committed as T | undefined;
      if (given !== undefined && !reading && wait.states.includes(given.state)) {
        finish(() => resolve(given));
        return;
      }
      if (reading) {
        again = true; // a commit while we read: read once more afterwards
        return;
      }
      if (given !== undefined) return; // not yet in a wanted state
      reading = true;
      try {
        do {
          again = false;
          const record = await read();
          if (record === undefined || wait.states.includes(record.state)) {
            finish(() => resolve(record));
            return;
          }
        } while (again && !done);
      } catch (e) {
        finish(() => reject(e));
      } finally {
        reading = false;
      }
    };
    // Watch before the first read, so a commit between the two cannot be missed.
    const unwatch = plane.watch(kind, id, (record) => void check(record));
    const timer = setTimeout(() => {
      if (done) return;
      done = true;
      unwatch();
      res.off('close', gone);
      read().then(resolve, reject);
    }, wait.timeoutMs);
    const gone = (): void => finish(() => resolve(undefined));
    res.once('close', gone);
    void check();
  });
}
