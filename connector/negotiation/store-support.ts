// Small helpers the negotiation and transfer stores share (transfer/ imports them): running in the caller's
// transaction or a new one, pids, JSON columns, list paging and filters.

import { randomUUID } from 'node:crypto';
import type { Database, Queries, SqlValue } from '../store/database.js';
import { isUniqueViolation, ProcessError } from './errors.js';
import type { Role } from './state-table.js';

/** A JSON object as stored (offers, agreements, data addresses). */
export type JsonObject = Readonly<Record<string, unknown>>;

export interface TxOption {
  /**
   * The caller's open transaction. Pass it whenever the call happens inside `db.transaction(...)`: the
   * database serialises everything through one queue, so a call that opened its own would wait forever.
   */
  readonly tx?: Queries;
}

export interface WriteOptions extends TxOption {
  /** Refuse the write unless the record still has this version (optimistic concurrency, e.g. If-Match). */
  readonly expectedVersion?: number;
}

/** Runs `work` in the caller's transaction when there is one, else in a new one. */
export function inTransaction<T>(
  db: Database,
  tx: Queries | undefined,
  work: (q: Queries) => Promise<T>,
): Promise<T> {
  return tx ? work(tx) : db.transaction(work);
}

/** A fresh process id; DSP pids are IRIs, and urn:uuid is what the spec suggests. */
export function newPid(): string {
  return `urn:uuid:${randomUUID()}`;
}

export function toJsonColumn(value: object | null | undefined): string | null {
  return value === null || value === undefined ? null : JSON.stringify(value);
}

export function fromJsonColumn(text: string | null): JsonObject | null {
  return text === null ? null : (JSON.parse(text) as JsonObject);
}

export const DEFAULT_PAGE_SIZE = 50;
export const MAX_PAGE_SIZE = 500;

export interface Page {
  /** Default 50, at most 500. */
  readonly limit?: number;
  readonly offset?: number;
}

/** Builds "WHERE a = ? AND b IN (?, ?)" from the filters that are set; `undefined` means "any". */
export class Where {
  private readonly clauses: string[] = [];
  readonly params: SqlValue[] = [];

  equals(column: string, value: SqlValue | undefined): this {
    if (value !== undefined) {
      this.clauses.push(`${column} = ?`);
      this.params.push(value);
    }
    return this;
  }

  oneOf(column: string, values: string | readonly string[] | undefined): this {
    if (values === undefined) return this;
    const list = typeof values === 'string' ? [values] : values;
    if (list.length === 0) {
      this.clauses.push('0'); // an empty set matches nothing, as the caller asked
      return this;
    }
    this.clauses.push(`${column} IN (${list.map(() => '?').join(', ')})`);
    this.params.push(...list);
    return this;
  }

  get sql(): string {
    return this.clauses.length === 0 ? '' : `WHERE ${this.clauses.join(' AND ')}`;
  }
}

export function pageSql(page: Page): { sql: string; params: number[] } {
  const limit = page.limit ?? DEFAULT_PAGE_SIZE;
  const offset = page.offset ?? 0;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new ProcessError('ERR_INVALID_INPUT', `limit must be an integer from 1 to ${MAX_PAGE_SIZE}`);
  }
  if (!Number.isInteger(offset) || offset < 0) {
    throw new ProcessError('ERR_INVALID_INPUT', 'offset must be a non-negative integer');
  }
  return { sql: 'LIMIT ? OFFSET ?', params: [limit, offset] };
}

/** Throws unless `changes` names only columns the caller may change. */
export function assertKnownKeys(changes: object, allowed: readonly string[], what: string): void {
  for (const key of Object.keys(changes)) {
    if (!allowed.includes(key)) {
      throw new ProcessError('ERR_INVALID_INPUT', `${what} cannot change ${key}`);
    }
  }
}

/** Our own pid is the record id and never changes; refuse input that says otherwise. */
export function assertOwnPid(
  role: Role,
  id: string,
  pids: { readonly providerPid?: string | null; readonly consumerPid?: string | null },
  noun: string,
): void {
  const own = role === 'provider' ? pids.providerPid : pids.consumerPid;
  if (own !== undefined && own !== id) {
    const field = role === 'provider' ? 'providerPid' : 'consumerPid';
    throw new ProcessError(
      'ERR_INVALID_INPUT',
      `a ${role}'s own ${field} is the ${noun} id ${id}; it cannot be ${String(own)}`,
    );
  }
}

export function versionConflict(noun: string, id: string, state: string, expected: number): ProcessError {
  return new ProcessError(
    'ERR_VERSION_CONFLICT',
    `${noun} ${id} changed concurrently (expected version ${expected}); reload and retry`,
    state,
  );
}

/** Turns SQLite's UNIQUE violation into ERR_DUPLICATE_PID; anything else passes through. */
export function duplicatePidOr(error: unknown, message: string): unknown {
  return isUniqueViolation(error) ? new ProcessError('ERR_DUPLICATE_PID', message, undefined, error) : error;
}
