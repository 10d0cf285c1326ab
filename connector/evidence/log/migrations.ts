// The evidence tables. Hashes are 32-byte BLOBs; entry data is stored as its RFC 8785 text, so what is read
// back hashes to exactly what was appended. Triggers make the log append-only against our own code's
// mistakes (a person with the file can still edit it: that is what the hashes, checkpoints and
// countersignatures are for).
import type { Migration } from '../../store/database.js';

function appendOnly(table: string): string {
  return `
    CREATE TRIGGER ${table}_no_update BEFORE UPDATE ON ${table}
      BEGIN SELECT RAISE(ABORT, '${table} is append-only'); END;
    CREATE TRIGGER ${table}_no_delete BEFORE DELETE ON ${table}
      BEGIN SELECT RAISE(ABORT, '${table} is append-only'); END;`;
}

const APPEND_ONLY = ['evidence_entry', 'evidence_checkpoint', 'evidence_countersignature'];

// The chain is kept by the database too: entry n must follow entry n - 1 and carry its leaf hash.
const SQLITE_TRIGGERS = `
  CREATE TRIGGER evidence_entry_in_sequence BEFORE INSERT ON evidence_entry
    WHEN NEW.seq IS NOT (SELECT COALESCE(MAX(seq) + 1, 0) FROM evidence_entry)
      OR NEW.prev_hash IS NOT COALESCE(
        (SELECT leaf_hash FROM evidence_entry ORDER BY seq DESC LIMIT 1), zeroblob(32))
    BEGIN SELECT RAISE(ABORT, 'evidence entries are appended in sequence'); END;
  ${APPEND_ONLY.map(appendOnly).join('\n')}`;

const POSTGRES_TRIGGERS = `
  CREATE FUNCTION evidence_entry_in_sequence() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN
    IF NEW.seq IS DISTINCT FROM (SELECT COALESCE(MAX(seq) + 1, 0) FROM evidence_entry)
      OR NEW.prev_hash IS DISTINCT FROM COALESCE(
        (SELECT leaf_hash FROM evidence_entry ORDER BY seq DESC LIMIT 1), decode(repeat('00', 32), 'hex'))
    THEN RAISE EXCEPTION 'evidence entries are appended in sequence';
    END IF;
    RETURN NEW;
  END $$;
  CREATE TRIGGER evidence_entry_in_sequence BEFORE INSERT ON evidence_entry
    FOR EACH ROW EXECUTE FUNCTION evidence_entry_in_sequence();
  CREATE FUNCTION evidence_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
  BEGIN RAISE EXCEPTION '% is append-only', TG_TABLE_NAME; END $$;
  ${APPEND_ONLY.map(
    (table) => `CREATE TRIGGER ${table}_append_only BEFORE UPDATE OR DELETE ON ${table}
      FOR EACH ROW EXECUTE FUNCTION evidence_append_only();`,
  ).join('\n')}`;

const TABLES = `
      CREATE TABLE evidence_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;

      -- One row per entry. \`nodes\` holds the interior Merkle nodes this leaf completed, 32 bytes each, level 1
      -- first: leaf n completes the perfect subtrees of 2, 4, ... leaves that end at it (as many as n has
      -- trailing one bits). So every subtree hash a root or proof needs is stored, in the row of its last leaf,
      -- written in the same statement as the entry.
      CREATE TABLE evidence_entry (
        seq INTEGER PRIMARY KEY CHECK (seq >= 0),
        at TEXT NOT NULL,
        kind TEXT NOT NULL,
        subject TEXT NOT NULL,
        data TEXT NOT NULL,
        prev_hash BLOB NOT NULL CHECK (length(prev_hash) = 32),
        leaf_hash BLOB NOT NULL CHECK (length(leaf_hash) = 32),
        nodes BLOB NOT NULL CHECK (length(nodes) % 32 = 0)
      );
      CREATE INDEX evidence_entry_subject ON evidence_entry (subject, seq);

      CREATE TABLE evidence_checkpoint (
        id INTEGER PRIMARY KEY,
        log_id TEXT NOT NULL,
        size INTEGER NOT NULL CHECK (size >= 0),
        root TEXT NOT NULL,
        time TEXT NOT NULL,
        signature TEXT NOT NULL UNIQUE
      );
      CREATE INDEX evidence_checkpoint_size ON evidence_checkpoint (size, id);

      -- Countersignatures received from authorities, verified before they are stored; one per authority.
      CREATE TABLE evidence_countersignature (
        checkpoint_id INTEGER NOT NULL REFERENCES evidence_checkpoint (id),
        authority TEXT NOT NULL,
        time TEXT NOT NULL,
        signature TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        PRIMARY KEY (checkpoint_id, authority)
      );

      -- Every version of a signer's DID document seen when signing or verifying, so old signatures still
      -- verify offline after a key rotation.
      CREATE TABLE evidence_did_document (
        did TEXT NOT NULL,
        digest TEXT NOT NULL,
        document TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        PRIMARY KEY (did, digest)
      ) WITHOUT ROWID;

      CREATE TABLE evidence_anchor (
        checkpoint_id INTEGER NOT NULL REFERENCES evidence_checkpoint (id),
        anchor TEXT NOT NULL,
        reference TEXT NOT NULL,
        receipt TEXT NOT NULL,
        recorded_at TEXT NOT NULL,
        PRIMARY KEY (checkpoint_id, anchor, reference)
      );
`;

export const EVIDENCE_MIGRATIONS: readonly Migration[] = [
  {
    id: 'evidence/1',
    sql: TABLES + SQLITE_TRIGGERS,
    postgres: TABLES + POSTGRES_TRIGGERS,
  },
  {
    // The hash function a checkpoint's root was computed with; NULL for SHA-256 (every checkpoint before it).
    id: 'evidence/2',
    sql: `ALTER TABLE evidence_checkpoint ADD COLUMN hash TEXT CHECK (hash IS NULL OR hash = 'sm3');`,
  },
];
