// Small helpers the negotiation and transfer stores share (transfer/ imports them): running in the caller's
// transaction or a new one, pids, JSON columns, list paging and filters.

import { randomUUID } from 'node:crypto';
import type { Store, Queries, SqlValue } from '../store/database.js';
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
  db: Store,
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
      this.clauses.push('1 = 0'); // an empty set matches nothing, as the caller asked
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

/** A role and the states in which it waits on its counterparty. */
export interface Waiting<State extends string> {
  readonly role: Role;
  readonly states: readonly State[];
}

function waitingClause<State extends string>(
  waiting: readonly Waiting<State>[],
): { where: string; params: SqlValue[] } {
  const parts = waiting.filter((w) => w.states.length > 0);
  return {
    where: parts.map((w) => `(role = ? AND state IN (${w.states.map(() => '?').join(', ')}))`).join(' OR '),
    params: parts.flatMap((w) => [w.role, ...w.states]),
  };
}

/** What both process stores keep per record for the shared read and write steps below. */
export interface VersionedRecord<State extends string> {
  readonly id: string;
  readonly role: Role;
  readonly state: State;
  readonly version: number;
}

/** A column value for a change: booleans as 0/1, objects as JSON. */
export function encodeChange(value: string | boolean | object | null): SqlValue {
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'string' || value === null) return value;
  return toJsonColumn(value);
}

/**
 * The reads and writes the negotiation and transfer tables share: lookups, the current record with its
 * version check, a versioned UPDATE of state and changed columns, and learning the provider's pid.
 */
export class ProcessTable<Row, Rec extends VersionedRecord<State>, State extends string> {
  constructor(
    private readonly db: Store,
    private readonly spec: {
      /** SQL table name, also the short noun in messages ("negotiation", "transfer"). */
      readonly table: 'negotiation' | 'transfer';
      /** The noun in not-found and conflict messages ("negotiation", "transfer process"). */
      readonly noun: string;
      /** Change key → column. */
      readonly columns: Readonly<Record<string, string>>;
      readonly toRecord: (row: Row) => Rec;
      readonly now: () => Date;
    },
  ) {}

  async one(where: string, params: SqlValue[], tx?: Queries): Promise<Rec | undefined> {
    const row = await (tx ?? this.db).get<Row>(`SELECT * FROM ${this.spec.table} ${where}`, params);
    return row && this.spec.toRecord(row);
  }

  /**
   * Records in one of the given (role, states) that nothing has written since before `before`, oldest
   * first: processes waiting on their counterparty for too long (see control-plane/timeouts.ts).
   */
  async idle(waiting: readonly Waiting<State>[], before: Date, limit: number): Promise<Rec[]> {
    const { where, params } = waitingClause(waiting);
    if (where === '') return [];
    const rows = await this.db.all<Row>(
      `SELECT * FROM ${this.spec.table} WHERE (${where}) AND updated_at < ? ORDER BY updated_at LIMIT ?`,
      [...params, before.toISOString(), limit],
    );
    return rows.map((row) => this.spec.toRecord(row));
  }

  /** When the longest-waiting of those records was last written, if there is one. */
  async oldestWaiting(waiting: readonly Waiting<State>[]): Promise<string | undefined> {
    const { where, params } = waitingClause(waiting);
    if (where === '') return undefined;
    const row = await this.db.get<{ at: string | null }>(
      `SELECT MIN(updated_at) AS at FROM ${this.spec.table} WHERE ${where}`,
      params,
    );
    return row?.at ?? undefined;
  }

  /** The record to change: `known` when the caller has it, else read; checked against `expectedVersion`. */
  async current(
    q: Queries,
    id: string,
    expectedVersion: number | undefined,
    known: Rec | undefined,
  ): Promise<Rec> {
    const current = known?.id === id ? known : await this.one('WHERE id = ?', [id], q);
    if (!current) throw new ProcessError('ERR_NOT_FOUND', `no ${this.spec.noun} ${id}`);
    if (expectedVersion !== undefined && current.version !== expectedVersion) {
      throw versionConflict(this.spec.noun, id, current.state, expectedVersion);
    }
    return current;
  }

  /** Writes `state` and the given changes; bumps the version. */
  async write(q: Queries, current: Rec, state: State, changes: object): Promise<Rec> {
    const { table, noun, columns } = this.spec;
    assertKnownKeys(changes, Object.keys(columns), `a ${table} update`);
    assertOwnPid(current.role, current.id, changes, noun);
    const sets = ['state = ?', 'updated_at = ?', 'version = version + 1'];
    const params: SqlValue[] = [state, this.spec.now().toISOString()];
    for (const [key, column] of Object.entries(columns)) {
      const value = (changes as Readonly<Record<string, unknown>>)[key];
      if (value === undefined) continue;
      sets.push(`${column} = ?`);
      params.push(encodeChange(value as string | boolean | object | null));
    }
    // The version check makes a write based on a stale read fail instead of overwriting a newer state.
    const row = await q
      .get<Row>(`UPDATE ${table} SET ${sets.join(', ')} WHERE id = ? AND version = ? RETURNING *`, [
        ...params,
        current.id,
        current.version,
      ])
      .catch((e: unknown) => {
        throw duplicatePidOr(e, `another ${current.role} ${table} already uses these pids`);
      });
    if (row === undefined) throw versionConflict(noun, current.id, current.state, current.version);
    return this.spec.toRecord(row);
  }

  /**
   * A consumer learns the provider's pid from the ACK of its initial request: stored (version + 1) unless
   * one is known already (a message from the provider may have taught it first). The record as stored, or
   * undefined when nothing was stored.
   */
  learnProviderPid(id: string, providerPid: string, tx?: Queries): Promise<Rec | undefined> {
    return this.learnPeerPid(id, 'consumer', providerPid, tx);
  }

  /** The same for a provider that opened the process with an offer: the consumer's pid from its ACK. */
  learnConsumerPid(id: string, consumerPid: string, tx?: Queries): Promise<Rec | undefined> {
    return this.learnPeerPid(id, 'provider', consumerPid, tx);
  }

  private async learnPeerPid(id: string, role: Role, pid: string, tx?: Queries): Promise<Rec | undefined> {
    const { table } = this.spec;
    const column = role === 'consumer' ? 'provider_pid' : 'consumer_pid';
    // RETURNING: the record goes to the hooks that run after the commit, which need not read it again.
    const row = await (tx ?? this.db)
      .get<Row>(
        `UPDATE ${table} SET ${column} = ?, updated_at = ?, version = version + 1
         WHERE id = ? AND role = ? AND ${column} IS NULL RETURNING *`,
        [pid, this.spec.now().toISOString(), id, role],
      )
      .catch((e: unknown) => {
        const peer = role === 'consumer' ? 'provider' : 'consumer';
        throw duplicatePidOr(e, `another ${role} ${table} already uses ${peer} pid ${pid}`);
      });
    return row && this.spec.toRecord(row);
  }
}
