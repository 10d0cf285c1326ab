// Durable transfer processes, the twin of negotiation/store.ts: every state change goes through `transition`
// (state table + version check in one transaction); pass `tx` to enqueue the outgoing message atomically.

import type { Clock } from '../identity/clock.js';
import { ProcessError } from '../negotiation/errors.js';
import type { Role } from '../negotiation/state-table.js';
import {
  assertOwnPid,
  duplicatePidOr,
  fromJsonColumn,
  inTransaction,
  newPid,
  pageSql,
  ProcessTable,
  toJsonColumn,
  Where,
  type JsonObject,
  type Page,
  type TxOption,
  type WriteOptions,
  type Waiting,
} from '../negotiation/store-support.js';
import type { Store, Migration, Queries } from '../store/database.js';
import { postgresRowid } from '../store/dialect.js';
import { nextTransferState, type TransferEvent, type TransferState } from './states.js';

export const TRANSFER_MIGRATIONS: readonly Migration[] = [
  {
    id: 'transfer/1',
    sql: `
      CREATE TABLE transfer (
        id TEXT PRIMARY KEY,
        role TEXT NOT NULL CHECK (role IN ('provider', 'consumer')),
        provider_pid TEXT,
        consumer_pid TEXT,
        agreement_id TEXT NOT NULL,
        counter_party_id TEXT NOT NULL,
        counter_party_address TEXT NOT NULL,
        format TEXT NOT NULL,
        data_address TEXT,
        state TEXT NOT NULL CHECK (state IN ('REQUESTED', 'STARTED', 'SUSPENDED', 'COMPLETED', 'TERMINATED')),
        reason TEXT,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        version INTEGER NOT NULL,
        CHECK ((role = 'provider' AND provider_pid = id) OR (role = 'consumer' AND consumer_pid = id))
      );
      CREATE UNIQUE INDEX transfer_provider_pid ON transfer (role, provider_pid) WHERE provider_pid IS NOT NULL;
      CREATE UNIQUE INDEX transfer_consumer_pid ON transfer (role, consumer_pid) WHERE consumer_pid IS NOT NULL;
      CREATE INDEX transfer_agreement ON transfer (agreement_id);
      CREATE INDEX transfer_state ON transfer (state, updated_at);
    `,
  },
  postgresRowid('transfer'),
];

export interface TransferRecord {
  /** Our own pid (providerPid when we are the provider, consumerPid when we are the consumer). */
  readonly id: string;
  readonly role: Role;
  readonly providerPid: string | null;
  readonly consumerPid: string | null;
  readonly agreementId: string;
  readonly counterPartyId: string;
  /** The provider's DSP base, or the consumer's callbackAddress. */
  readonly counterPartyAddress: string;
  /** dct:format of the distribution, e.g. "HttpData-PULL". */
  readonly format: string;
  /** Push: where the consumer wants the data; pull: the provider's endpoint data reference. May hold a token. */
  readonly dataAddress: JsonObject | null;
  readonly state: TransferState;
  readonly reason: string | null;
  readonly createdAt: string;
  readonly updatedAt: string;
  readonly version: number;
}

export interface NewTransfer {
  readonly id?: string;
  readonly role: Role;
  readonly providerPid?: string | null;
  readonly consumerPid?: string | null;
  readonly agreementId: string;
  readonly counterPartyId: string;
  readonly counterPartyAddress: string;
  readonly format: string;
  readonly dataAddress?: object | null;
}

export interface TransferChanges {
  readonly providerPid?: string | null;
  readonly consumerPid?: string | null;
  readonly counterPartyAddress?: string;
  readonly dataAddress?: object | null;
  readonly reason?: string | null;
}

export interface TransferTransitionOptions extends TransferUpdateOptions {
  readonly changes?: TransferChanges;
}

export interface TransferUpdateOptions extends WriteOptions {
  /** The record as just read inside the same transaction (`tx`): saves reading it again. */
  readonly current?: TransferRecord;
}

export interface TransferFilter extends Page {
  readonly role?: Role;
  readonly state?: TransferState | readonly TransferState[];
  readonly agreementId?: string;
  readonly counterPartyId?: string;
}

interface TransferRow {
  id: string;
  role: Role;
  provider_pid: string | null;
  consumer_pid: string | null;
  agreement_id: string;
  counter_party_id: string;
  counter_party_address: string;
  format: string;
  data_address: string | null;
  state: TransferState;
  reason: string | null;
  created_at: string;
  updated_at: string;
  version: number;
}

const CHANGE_COLUMNS: Readonly<Record<keyof TransferChanges, string>> = {
  providerPid: 'provider_pid',
  consumerPid: 'consumer_pid',
  counterPartyAddress: 'counter_party_address',
  dataAddress: 'data_address',
  reason: 'reason',
};

export interface TransferStoreOptions {
  readonly now?: Clock;
  /**
   * Runs inside the transaction of every state change (`from` undefined when the transfer is created), after
   * the write: what it writes (evidence) commits or rolls back with the change.
   */
  readonly onTransition?: (
    q: Queries,
    from: TransferState | undefined,
    record: TransferRecord,
  ) => Promise<void>;
}

export class TransferStore {
  private readonly now: Clock;
  private readonly onTransition: TransferStoreOptions['onTransition'];
  private readonly table: ProcessTable<TransferRow, TransferRecord, TransferState>;

  constructor(
    private readonly db: Store,
    options: TransferStoreOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.onTransition = options.onTransition;
    this.table = new ProcessTable(db, {
      table: 'transfer',
      noun: 'transfer process',
      columns: CHANGE_COLUMNS,
      toRecord,
      now: this.now,
    });
  }

  /** Creates a transfer with the state `event` starts it in (a TransferRequestMessage). */
  async create(input: NewTransfer, event: TransferEvent, options: TxOption = {}): Promise<TransferRecord> {
    const decision = nextTransferState(input.role, undefined, event);
    if (!decision.ok) throw new ProcessError('ERR_INVALID_TRANSITION', decision.reason);
    const id = input.id ?? newPid();
    assertOwnPid(input.role, id, input, 'transfer process');
    const providerPid = input.role === 'provider' ? id : (input.providerPid ?? null);
    const consumerPid = input.role === 'consumer' ? id : (input.consumerPid ?? null);
    const at = this.now().toISOString();
    return inTransaction(this.db, options.tx, async (q) => {
      const row = await q
        .get<TransferRow>(
          `INSERT INTO transfer (id, role, provider_pid, consumer_pid, agreement_id, counter_party_id,
             counter_party_address, format, data_address, state, reason, created_at, updated_at, version)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, 1) RETURNING *`,
          [
            id,
            input.role,
            providerPid,
            consumerPid,
            input.agreementId,
            input.counterPartyId,
            input.counterPartyAddress,
            input.format,
            toJsonColumn(input.dataAddress),
            decision.state,
            at,
            at,
          ],
        )
        .catch((e: unknown) => {
          throw duplicatePidOr(e, `a ${input.role} transfer with id ${id} or the same pids already exists`);
        });
      const created = toRecord(mustExist(row, id));
      await this.onTransition?.(q, undefined, created);
      return created;
    });
  }

  /** Records waiting in `waiting` that nothing has written since before `before`, oldest first. */
  idle(waiting: readonly Waiting<TransferState>[], before: Date, limit = 100): Promise<TransferRecord[]> {
    return this.table.idle(waiting, before, limit);
  }

  /** When the longest-waiting record in `waiting` was last written. */
  oldestWaiting(waiting: readonly Waiting<TransferState>[]): Promise<string | undefined> {
    return this.table.oldestWaiting(waiting);
  }

  get(id: string, options: TxOption = {}): Promise<TransferRecord | undefined> {
    return this.table.one('WHERE id = ?', [id], options.tx);
  }

  findByProviderPid(
    role: Role,
    providerPid: string,
    options: TxOption = {},
  ): Promise<TransferRecord | undefined> {
    return this.table.one('WHERE role = ? AND provider_pid = ?', [role, providerPid], options.tx);
  }

  findByConsumerPid(
    role: Role,
    consumerPid: string,
    options: TxOption = {},
  ): Promise<TransferRecord | undefined> {
    return this.table.one('WHERE role = ? AND consumer_pid = ?', [role, consumerPid], options.tx);
  }

  /** Newest first. */
  async list(filter: TransferFilter = {}, options: TxOption = {}): Promise<TransferRecord[]> {
    const where = new Where()
      .equals('role', filter.role)
      .oneOf('state', filter.state)
      .equals('agreement_id', filter.agreementId)
      .equals('counter_party_id', filter.counterPartyId);
    const page = pageSql(filter);
    const rows = await (options.tx ?? this.db).all<TransferRow>(
      `SELECT * FROM transfer ${where.sql} ORDER BY created_at DESC, rowid DESC ${page.sql}`,
      [...where.params, ...page.params],
    );
    return rows.map(toRecord);
  }

  /**
   * Applies `event` to transfer `id` after checking the state table; throws ERR_NOT_FOUND,
   * ERR_INVALID_TRANSITION (nothing written) or ERR_VERSION_CONFLICT.
   */
  transition(
    id: string,
    event: TransferEvent,
    options: TransferTransitionOptions = {},
  ): Promise<TransferRecord> {
    return inTransaction(this.db, options.tx, async (q) => {
      const current = await this.table.current(q, id, options.expectedVersion, options.current);
      const decision = nextTransferState(current.role, current.state, event);
      if (!decision.ok) throw new ProcessError('ERR_INVALID_TRANSITION', decision.reason, current.state);
      const next = await this.table.write(q, current, decision.state, options.changes ?? {});
      await this.onTransition?.(q, current.state, next);
      return next;
    });
  }

  /** Changes fields other than the state; bumps the version. */
  update(id: string, changes: TransferChanges, options: TransferUpdateOptions = {}): Promise<TransferRecord> {
    return inTransaction(this.db, options.tx, async (q) => {
      const current = await this.table.current(q, id, options.expectedVersion, options.current);
      return this.table.write(q, current, current.state, changes);
    });
  }

  /**
   * A consumer learns the provider's pid from the ACK of its initial request: stored (version + 1) unless
   * one is known already (a message from the provider may have taught it first). The record as stored, if it was.
   */
  learnProviderPid(
    id: string,
    providerPid: string,
    options: TxOption = {},
  ): Promise<TransferRecord | undefined> {
    return this.table.learnProviderPid(id, providerPid, options.tx);
  }
}

function toRecord(row: TransferRow): TransferRecord {
  return {
    id: row.id,
    role: row.role,
    providerPid: row.provider_pid,
    consumerPid: row.consumer_pid,
    agreementId: row.agreement_id,
    counterPartyId: row.counter_party_id,
    counterPartyAddress: row.counter_party_address,
    format: row.format,
    dataAddress: fromJsonColumn(row.data_address),
    state: row.state,
    reason: row.reason,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    version: row.version,
  };
}

/** The row an INSERT ... RETURNING gave back (always one, or the INSERT threw). */
function mustExist<T>(row: T | undefined, id: string): T {
  if (row === undefined) throw new Error(`${'transfer process'} ${id} was not returned by its own INSERT`);
  return row;
}
