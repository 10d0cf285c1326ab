// Idempotent handling of incoming messages. Peers deliver at least once (as our outbox does), so the same
// message can arrive twice. `Inbox.once` runs the handler (state change, outbox enqueue) and stores its
// response in the same transaction; a duplicate, same key and same digest, gets the stored response and
// changes nothing. Only successes are remembered: a handler that throws rolls back, so a retry is judged
// afresh. Keys should include the authenticated sender (e.g. "<did> <providerPid>") so peers cannot
// collide with each other's entries.

import { createHash } from 'node:crypto';
import type { Clock } from '../identity/clock.js';
import type { Store, Migration, Queries } from '../store/database.js';

export const INBOX_MIGRATIONS: readonly Migration[] = [
  {
    id: 'inbox/1',
    sql: `
      CREATE TABLE inbox (
        aggregate_key TEXT NOT NULL,
        digest TEXT NOT NULL,
        response TEXT NOT NULL,
        created_at TEXT NOT NULL,
        PRIMARY KEY (aggregate_key, digest)
      ) WITHOUT ROWID;
      CREATE INDEX inbox_created ON inbox (created_at);
    `,
  },
];

export interface InboxOutcome<R> {
  readonly response: R;
  /** True when the message had been processed before and `response` is the stored one. */
  readonly duplicate: boolean;
}

export interface InboxOptions {
  readonly now?: Clock;
}

export class Inbox {
  private readonly now: Clock;

  constructor(
    private readonly db: Store,
    options: InboxOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
  }

  /**
   * Runs `handle` once per (key, digest) and returns its response, or the stored response of the earlier
   * run. The response must survive a JSON round trip (plain data). Pass `tx` to join an open transaction.
   */
  once<R>(
    key: string,
    digest: string,
    handle: (tx: Queries) => Promise<R>,
    options: { readonly tx?: Queries } = {},
  ): Promise<InboxOutcome<R>> {
    const work = async (tx: Queries): Promise<InboxOutcome<R>> => {
      const stored = await this.lookup<R>(key, digest, { tx });
      if (stored !== undefined) return { response: stored, duplicate: true };
      const response = await handle(tx);
      await tx.run('INSERT INTO inbox (aggregate_key, digest, response, created_at) VALUES (?, ?, ?, ?)', [
        key,
        digest,
        JSON.stringify(response ?? null),
        this.now().toISOString(),
      ]);
      return { response, duplicate: false };
    };
    return options.tx ? work(options.tx) : this.db.transaction(work);
  }

  /**
   * Stores `response` for (key, digest) in the caller's transaction, replacing an earlier one (the latest
   * application of a message is the one a duplicate repeats): one statement, for a handler that has
   * already applied the message.
   */
  async remember(tx: Queries, key: string, digest: string, response: unknown): Promise<void> {
    await tx.run(
      `INSERT INTO inbox (aggregate_key, digest, response, created_at) VALUES (?, ?, ?, ?)
       ON CONFLICT (aggregate_key, digest) DO UPDATE SET response = excluded.response, created_at = excluded.created_at`,
      [key, digest, JSON.stringify(response ?? null), this.now().toISOString()],
    );
  }

  /** The stored response for (key, digest), if that message was processed. */
  async lookup<R>(
    key: string,
    digest: string,
    options: { readonly tx?: Queries } = {},
  ): Promise<R | undefined> {
    const row = await (options.tx ?? this.db).get<{ response: string }>(
      'SELECT response FROM inbox WHERE aggregate_key = ? AND digest = ?',
      [key, digest],
    );
    return row === undefined ? undefined : (JSON.parse(row.response) as R);
  }

  /** Forgets entries older than `before`; duplicates arriving later are then processed again. */
  async prune(before: Date): Promise<number> {
    return (await this.db.run('DELETE FROM inbox WHERE created_at < ?', [before.toISOString()])).changes;
  }
}

/**
 * SHA-256 (hex) of the value's canonical JSON: object keys sorted, so the same message digests the same
 * however a peer orders its keys. Callers bound depth and size before (the DSP layer does).
 */
export function messageDigest(value: unknown): string {
  return createHash('sha256').update(canonicalJson(value)).digest('hex');
}

export function canonicalJson(value: unknown): string {
  if (
    value !== null &&
    typeof value === 'object' &&
    'toJSON' in value &&
    typeof value.toJSON === 'function'
  ) {
    return canonicalJson((value.toJSON as () => unknown)());
  }
  if (Array.isArray(value)) {
    return `[${value.map((item: unknown) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, item]) => `${JSON.stringify(k)}:${canonicalJson(item)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}
