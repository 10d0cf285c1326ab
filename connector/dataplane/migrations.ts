// The data plane's tables: per-agreement usage counters, the obligations agreements carry, and (on a
// consumer) what the provider said is left of each transfer's agreement.
import type { Migration } from '../store/database.js';

export const DATAPLANE_MIGRATIONS: readonly Migration[] = [
  {
    id: 'dataplane/1',
    sql: `
      CREATE TABLE dataplane_usage (
        agreement_id TEXT PRIMARY KEY,
        count INTEGER NOT NULL CHECK (count >= 0),
        first_use_ms INTEGER NOT NULL,
        last_use_ms INTEGER NOT NULL
      );
      CREATE TABLE dataplane_obligation (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        agreement_id TEXT NOT NULL,
        duty_key TEXT NOT NULL,
        uid TEXT,
        action TEXT NOT NULL,
        path TEXT NOT NULL,
        performer TEXT NOT NULL CHECK (performer IN ('provider', 'consumer')),
        state TEXT NOT NULL CHECK (state IN ('pending', 'fulfilled', 'violated')),
        deadline_ms INTEGER,
        detail TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        UNIQUE (agreement_id, duty_key)
      );
      CREATE INDEX dataplane_obligation_due ON dataplane_obligation (state, deadline_ms);
    `,
  },
  {
    // The consumer's record of what the provider says is left of a transfer's agreement (usage/left.ts).
    id: 'dataplane/2',
    sql: `
      CREATE TABLE dataplane_usage_left (
        transfer_id TEXT PRIMARY KEY,
        remaining INTEGER,
        use_limit INTEGER,
        use_until_ms INTEGER,
        observed_ms INTEGER NOT NULL
      );
    `,
  },
];
