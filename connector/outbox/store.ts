// The durable outbox table. Callers `enqueue` inside the transaction that changes a negotiation or transfer,
// so a message exists exactly when the state that sends it was committed; the worker (worker.ts) delivers it.
// Entries are ordered per aggregate (one negotiation or transfer) by `seq`.

import { randomUUID } from 'node:crypto';
import { currentRequestId } from '../logging/index.js';
import type { Store, Migration, Queries } from '../store/database.js';
import { jsonValues } from '../store/dialect.js';
import { OutboxError } from './errors.js';

export const OUTBOX_MIGRATIONS: readonly Migration[] = [
  {
    id: 'outbox/1',
    sql: `
      CREATE TABLE outbox (
        seq INTEGER PRIMARY KEY AUTOINCREMENT,
        id TEXT NOT NULL UNIQUE,
        aggregate_id TEXT NOT NULL,
        url TEXT NOT NULL,
        method TEXT NOT NULL,
        body TEXT,
        headers_factory_key TEXT,
        status TEXT NOT NULL CHECK (status IN ('pending', 'delivered', 'failed', 'cancelled')),
        attempts INTEGER NOT NULL DEFAULT 0,
        last_error TEXT,
        next_attempt_at TEXT NOT NULL,
        -- 1 while the onGiveUp hook of a failed entry has not completed; rerun at the next start.
        give_up_pending INTEGER NOT NULL DEFAULT 0,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        delivered_at TEXT
      );
      CREATE INDEX outbox_aggregate ON outbox (aggregate_id, status, seq);
      CREATE INDEX outbox_due ON outbox (status, next_attempt_at);
    `,
  },
  {
    id: 'outbox/2',
    // What the headers factory needs besides the entry (e.g. whom a token is for), so it reads nothing.
    sql: 'ALTER TABLE outbox ADD COLUMN headers_factory_arg TEXT',
  },
  {
    id: 'outbox/3',
    // The lease of the worker delivering the entry: replicas sharing the database each claim an entry before
    // an attempt (startAttempt), so one sends it; a replica that dies holding one loses it when it expires.
    sql: `ALTER TABLE outbox ADD COLUMN lease_owner TEXT;
          ALTER TABLE outbox ADD COLUMN lease_until TEXT;`,
  },
  {
    id: 'outbox/4',
    // The id of the request that queued the entry (X-Request-Id): sent with it, so the peer's log lines
    // about the message carry the id of the request that caused it.
    sql: 'ALTER TABLE outbox ADD COLUMN request_id TEXT',
  },
  {
    id: 'outbox/5',
    // The version of the aggregate's record the enqueueing transaction left: while the record still has it,
    // nothing has moved the process since (and nothing was queued after), so no supersede check is needed.
    sql: 'ALTER TABLE outbox ADD COLUMN aggregate_version INTEGER',
  },
];

/** Who delivers an entry and until when: taken by startAttempt, renewed while the attempt runs. */
export interface OutboxLease {
  /** The worker's replica id. */
  readonly owner: string;
  /** ISO time the lease runs out unless renewed. */
  readonly until: string;
}

export type OutboxStatus = 'pending' | 'delivered' | 'failed' | 'cancelled';
export type HttpMethod = 'POST' | 'PUT' | 'PATCH' | 'DELETE';
const METHODS: readonly string[] = ['POST', 'PUT', 'PATCH', 'DELETE'];

export interface OutboxMessage {
  /** What the message belongs to (a negotiation or transfer id); delivery is in order per aggregate. */
  readonly aggregateId: string;
  readonly url: string;
  readonly method: HttpMethod;
  /** Sent as JSON; null sends no body. */
  readonly body: object | null;
  /** Names a headers factory of the deliver function (e.g. a fresh DSP token per attempt; tokens are never stored). */
  readonly headersFactoryKey?: string;
  /** For the headers factory, e.g. the participant a token is for. Not a secret: it is stored. */
  readonly headersFactoryArg?: string;
  /** The request that caused the message (default: the one being served, if any), sent as X-Request-Id. */
  readonly requestId?: string;
  /** The version of the aggregate's record as the enqueueing transaction left it (see outbox/5). */
  readonly aggregateVersion?: number;
}

export interface OutboxEntry {
  readonly seq: number;
  readonly id: string;
  readonly aggregateId: string;
  readonly url: string;
  readonly method: HttpMethod;
  readonly body: Readonly<Record<string, unknown>> | null;
  readonly headersFactoryKey: string | null;
  readonly headersFactoryArg: string | null;
  /** The id of the request that queued it, if one did. */
  readonly requestId: string | null;
  /** The aggregate's record version when the entry was queued; null for entries from before outbox/5. */
  readonly aggregateVersion: number | null;
  readonly status: OutboxStatus;
  /** Attempts started so far (an attempt cut short by a crash counts). */
  readonly attempts: number;
  readonly lastError: string | null;
  /** ISO time before which the worker does not try again. */
  readonly nextAttemptAt: string;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly deliveredAt: string | null;
}

interface OutboxRow {
  seq: number;
  id: string;
  aggregate_id: string;
  url: string;
  method: HttpMethod;
  body: string | null;
  headers_factory_key: string | null;
  headers_factory_arg: string | null;
  request_id?: string | null;
  aggregate_version: number | null;
  status: OutboxStatus;
  attempts: number;
  last_error: string | null;
  next_attempt_at: string;
  created_at: string;
  updated_at: string;
  delivered_at: string | null;
}

const MAX_ERROR_LENGTH = 2000;

/** An entry as enqueue added it. */
export interface QueuedEntry extends OutboxEntry {
  /** No older entry of its aggregate was pending: once committed it may be sent at once (OutboxWorker.offer). */
  readonly first: boolean;
}

/** Adds a message inside the caller's transaction; it becomes visible to the worker when that commits. */
export async function enqueue(
  tx: Queries,
  message: OutboxMessage,
  now: Date = new Date(),
): Promise<QueuedEntry> {
  assertMessage(message);
  const id = `urn:uuid:${randomUUID()}`;
  const at = now.toISOString();
  const body = message.body === null ? null : JSON.stringify(message.body);
  const row = await tx.get<OutboxRow & { first: number | boolean }>(
    `INSERT INTO outbox (id, aggregate_id, url, method, body, headers_factory_key, headers_factory_arg,
       request_id, aggregate_version, status, next_attempt_at, created_at, updated_at)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 'pending', ?, ?, ?)
     RETURNING *, NOT EXISTS (SELECT 1 FROM outbox e WHERE e.aggregate_id = outbox.aggregate_id
       AND e.status = 'pending' AND e.seq < outbox.seq) AS first`,
    [
      id,
      message.aggregateId,
      message.url,
      message.method,
      body,
      message.headersFactoryKey ?? null,
      message.headersFactoryArg ?? null,
      message.requestId ?? currentRequestId() ?? null,
      message.aggregateVersion ?? null,
      at,
      at,
      at,
    ],
  );
  if (!row) throw new Error(`outbox entry ${id} was not returned by its own INSERT`);
  return { ...toEntry(row), first: Boolean(row.first) };
}

export async function getOutboxEntry(q: Queries, id: string): Promise<OutboxEntry | undefined> {
  const row = await q.get<OutboxRow>('SELECT * FROM outbox WHERE id = ?', [id]);
  return row && toEntry(row);
}

export interface OutboxFilter {
  readonly aggregateId?: string;
  readonly status?: OutboxStatus;
}

/** Oldest first. */
export async function listOutbox(q: Queries, filter: OutboxFilter = {}): Promise<OutboxEntry[]> {
  // Only the conditions asked for: an `? IS NULL OR column = ?` form cannot use outbox_aggregate, and a
  // scan of the whole (growing) outbox per call was 14 % of a connector's store time in the negotiation bench.
  const conditions: string[] = [];
  const params: string[] = [];
  if (filter.aggregateId !== undefined) {
    conditions.push('aggregate_id = ?');
    params.push(filter.aggregateId);
  }
  if (filter.status !== undefined) {
    conditions.push('status = ?');
    params.push(filter.status);
  }
  const where = conditions.length > 0 ? `WHERE ${conditions.join(' AND ')}` : '';
  const rows = await q.all<OutboxRow>(`SELECT * FROM outbox ${where} ORDER BY seq`, params);
  return rows.map(toEntry);
}

/**
 * Cancels an aggregate's undelivered messages, e.g. before enqueueing a termination that should not wait
 * behind a retrying message. One already in flight still completes. Returns how many were cancelled.
 */
export async function cancelPending(
  tx: Queries,
  aggregateId: string,
  reason: string,
  now = new Date(),
): Promise<number> {
  const result = await tx.run(
    `UPDATE outbox SET status = 'cancelled', last_error = ?, updated_at = ? WHERE aggregate_id = ? AND status = 'pending'`,
    [truncate(reason), now.toISOString(), aggregateId],
  );
  return result.changes;
}

/**
 * Cancels one pending entry (a later state change made it moot); false when it is no longer pending or
 * another replica holds it (it is sending it).
 */
export async function cancelEntry(
  db: Store,
  seq: number,
  reason: string,
  now: Date,
  owner: string,
): Promise<boolean> {
  const at = now.toISOString();
  const result = await db.run(
    `UPDATE outbox SET status = 'cancelled', last_error = ?, updated_at = ?, lease_owner = NULL, lease_until = NULL
     WHERE seq = ? AND status = 'pending' AND (lease_until IS NULL OR lease_until <= ? OR lease_owner = ?)`,
    [reason, at, seq, at, owner],
  );
  return result.changes === 1;
}

/** Deletes delivered and cancelled entries older than `before` (failed ones stay for the operator). */

export async function pruneOutbox(q: Queries, before: Date): Promise<number> {
  const result = await q.run(
    `DELETE FROM outbox WHERE status IN ('delivered', 'cancelled') AND updated_at < ?`,
    [before.toISOString()],
  );
  return result.changes;
}

// ---- for the worker ----

/**
 * The oldest pending entry of each aggregate not in `busy` and not leased by another worker (`owner` is
 * ours), soonest due first. A head another replica is sending holds its aggregate's later entries back.
 */
export async function pendingHeads(
  db: Store,
  busy: readonly string[],
  limit: number,
  owner: string,
  now: Date,
): Promise<OutboxEntry[]> {
  const rows = await db.all<OutboxRow>(
    `SELECT * FROM outbox o
     WHERE o.status = 'pending'
       AND (o.lease_until IS NULL OR o.lease_until <= ? OR o.lease_owner = ?)
       AND o.aggregate_id NOT IN (${jsonValues(db.dialect)})
       AND NOT EXISTS (SELECT 1 FROM outbox e WHERE e.aggregate_id = o.aggregate_id AND e.status = 'pending' AND e.seq < o.seq)
     ORDER BY o.next_attempt_at, o.seq
     LIMIT ?`,
    [now.toISOString(), owner, JSON.stringify(busy), limit],
  );
  return rows.map(toEntry);
}

export async function countPending(db: Store): Promise<number> {
  const row = await db.get<{ n: number }>(`SELECT COUNT(*) AS n FROM outbox WHERE status = 'pending'`);
  return row?.n ?? 0;
}

/** A claimed entry, with the version its aggregate's record has now (see StartAttemptOptions). */
export interface ClaimedEntry extends OutboxEntry {
  /** Undefined when not asked for; null when no versioned table holds the aggregate. */
  readonly currentVersion?: number | null;
}

export interface StartAttemptOptions {
  /**
   * Tables (with `id` and `version` columns) that may hold the entry's aggregate: the claim then also
   * returns the record's current version, so the caller learns in the same statement whether the process
   * moved since the entry was queued.
   */
  readonly versionedBy?: readonly string[];
}

/**
 * Claims the entry with `lease` and records that an attempt starts (before it does, so a crash mid-attempt
 * still counts), in one statement; undefined if it is no longer pending or another worker's lease on it
 * has not run out (the database serialises the claims: one replica wins).
 */
export async function startAttempt(
  db: Store,
  seq: number,
  now: Date,
  lease: OutboxLease,
  options: StartAttemptOptions = {},
): Promise<ClaimedEntry | undefined> {
  const at = now.toISOString();
  const claimable = `seq = ? AND status = 'pending' AND (lease_until IS NULL OR lease_until <= ? OR lease_owner = ?)`;
  // PostgreSQL: a row another replica is claiming right now is skipped, not waited for.
  const where =
    db.dialect === 'postgres'
      ? `seq = (SELECT seq FROM outbox WHERE ${claimable} FOR UPDATE SKIP LOCKED)`
      : claimable;
  const tables = options.versionedBy ?? [];
  const version =
    tables.length === 0
      ? ''
      : `, COALESCE(${tables.map((t) => `(SELECT version FROM ${t} WHERE id = outbox.aggregate_id)`).join(', ')}, NULL) AS current_version`;
  const row = await db.get<OutboxRow & { current_version?: number | null }>(
    `UPDATE outbox SET attempts = attempts + 1, updated_at = ?, lease_owner = ?, lease_until = ?
     WHERE ${where} RETURNING *${version}`,
    [at, lease.owner, lease.until, seq, at, lease.owner],
  );
  if (row === undefined) return undefined;
  const entry = toEntry(row);
  return tables.length === 0 ? entry : { ...entry, currentVersion: row.current_version ?? null };
}

/** Extends our lease on an entry we are still sending; false when it is no longer ours. */
export async function renewLease(db: Store, seq: number, lease: OutboxLease): Promise<boolean> {
  const result = await db.run(
    `UPDATE outbox SET lease_until = ? WHERE seq = ? AND status = 'pending' AND lease_owner = ?`,
    [lease.until, seq, lease.owner],
  );
  return result.changes === 1;
}

/** Records a delivery; true when the aggregate has other entries pending (the worker then looks for them). */
export async function markDelivered(db: Store, seq: number, now: Date): Promise<boolean> {
  // Unconditional: the peer has the message even if the entry was cancelled meanwhile.
  const row = await db.get<{ more: number }>(
    `UPDATE outbox SET status = 'delivered', delivered_at = ?, updated_at = ?, last_error = NULL,
       lease_owner = NULL, lease_until = NULL WHERE seq = ?
     RETURNING EXISTS (SELECT 1 FROM outbox e WHERE e.aggregate_id = outbox.aggregate_id
       AND e.status = 'pending' AND e.seq <> outbox.seq) AS more`,
    [now.toISOString(), now.toISOString(), seq],
  );
  return Boolean(row?.more);
}

export async function scheduleRetry(
  db: Store,
  seq: number,
  error: string,
  at: Date,
  now: Date,
): Promise<void> {
  await db.run(
    `UPDATE outbox SET last_error = ?, next_attempt_at = ?, updated_at = ?, lease_owner = NULL, lease_until = NULL
     WHERE seq = ? AND status = 'pending'`,
    [truncate(error), at.toISOString(), now.toISOString(), seq],
  );
}

/** Marks a pending entry failed with its give-up hook still to run; undefined if it was no longer pending. */
export async function markFailed(
  db: Store,
  seq: number,
  error: string,
  now: Date,
): Promise<OutboxEntry | undefined> {
  const row = await db.get<OutboxRow>(
    `UPDATE outbox SET status = 'failed', last_error = ?, give_up_pending = 1, updated_at = ?,
       lease_owner = NULL, lease_until = NULL
     WHERE seq = ? AND status = 'pending' RETURNING *`,
    [truncate(error), now.toISOString(), seq],
  );
  return row && toEntry(row);
}

export async function giveUpHandled(db: Store, seq: number): Promise<void> {
  await db.run('UPDATE outbox SET give_up_pending = 0 WHERE seq = ?', [seq]);
}

export async function giveUpsNotHandled(db: Store): Promise<OutboxEntry[]> {
  const rows = await db.all<OutboxRow>(
    `SELECT * FROM outbox WHERE status = 'failed' AND give_up_pending = 1 ORDER BY seq`,
  );
  return rows.map(toEntry);
}

function assertMessage(message: OutboxMessage): void {
  const fail = (why: string): never => {
    throw new OutboxError('ERR_OUTBOX_INVALID_MESSAGE', `cannot enqueue a message ${why}`);
  };
  if (!message.aggregateId) fail('without an aggregateId');
  if (!METHODS.includes(message.method)) fail(`with method ${message.method}; use ${METHODS.join(', ')}`);
  let url: URL | undefined;
  try {
    url = new URL(message.url);
  } catch {
    fail(`to ${message.url}: not an absolute URL`);
  }
  if (url && url.protocol !== 'https:' && url.protocol !== 'http:') fail(`to ${message.url}: not http(s)`);
}

function truncate(text: string): string {
  return text.length <= MAX_ERROR_LENGTH ? text : `${text.slice(0, MAX_ERROR_LENGTH - 1)}…`;
}

function toEntry(row: OutboxRow): OutboxEntry {
  return {
    seq: row.seq,
    id: row.id,
    aggregateId: row.aggregate_id,
    url: row.url,
    method: row.method,
    body: row.body === null ? null : (JSON.parse(row.body) as Readonly<Record<string, unknown>>),
    headersFactoryKey: row.headers_factory_key,
    headersFactoryArg: row.headers_factory_arg ?? null,
    requestId: row.request_id ?? null,
    aggregateVersion: row.aggregate_version ?? null,
    status: row.status,
    attempts: row.attempts,
    lastError: row.last_error,
    nextAttemptAt: row.next_attempt_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    deliveredAt: row.delivered_at,
  };
}
