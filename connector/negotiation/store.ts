// Durable contract negotiations. Every state change goes through `transition`, which checks the state
// table and writes the new state with a version check in one transaction; pass `tx` to change the state
// and enqueue the outgoing message (outbox/) atomically, so no message leaves for a state we did not keep.

import type { Clock } from '../identity/clock.js';
import type { Migration, Queries, Store } from '../store/database.js';
import { postgresRowid } from '../store/dialect.js';
import { ProcessError } from './errors.js';
import { nextNegotiationState, type NegotiationEvent, type NegotiationState } from './states.js';
import type { Role } from './state-table.js';
import {
  assertOwnPid,
  duplicatePidOr,
  fromJsonColumn,
  inTransaction,
  newPid,
  pageSql,
  ProcessTable,
  Where,
  type JsonObject,
  type Page,
  type TxOption,
  type WriteOptions,
  type Waiting,
} from './store-support.js';

export const NEGOTIATION_MIGRATIONS: readonly Migration[] = [
  {
    id: 'negotiation/1',
    sql: `
      CREATE TABLE negotiation (
        id TEXT PRIMARY KEY,
        role TEXT NOT NULL CHECK (role IN ('provider', 'consumer')),
        provider_pid TEXT,
        consumer_pid TEXT,
        counter_party_id TEXT NOT NULL,
        counter_party_address TEXT NOT NULL,
        state TEXT NOT NULL CHECK (state IN
          ('REQUESTED', 'OFFERED', 'ACCEPTED', 'AGREED', 'VERIFIED', 'FINALIZED', 'TERMINATED')),
        dataset_id TEXT,
        offer TEXT NOT NULL,
        agreement TEXT,
        agreement_id TEXT,
        reason TEXT,
        pending_action INTEGER NOT NULL DEFAULT 0 CHECK (pending_action IN (0, 1)),
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        version INTEGER NOT NULL,
        -- Our own pid is the id; the row must say so, whichever side we are.
        CHECK ((role = 'provider' AND provider_pid = id) OR (role = 'consumer' AND consumer_pid = id))
      );
      -- Per role, because a connector may negotiate with itself and then holds both sides.
      CREATE UNIQUE INDEX negotiation_provider_pid ON negotiation (role, provider_pid) WHERE provider_pid IS NOT NULL;
      CREATE UNIQUE INDEX negotiation_consumer_pid ON negotiation (role, consumer_pid) WHERE consumer_pid IS NOT NULL;
      CREATE INDEX negotiation_agreement ON negotiation (agreement_id) WHERE agreement_id IS NOT NULL;
      CREATE INDEX negotiation_state ON negotiation (state, updated_at);
    `,
  },
  postgresRowid('negotiation'),
];

export interface NegotiationRecord {
  /** Our own pid (providerPid when we are the provider, consumerPid when we are the consumer). */
  readonly id: string;
  readonly role: Role;
  readonly providerPid: string | null;
  readonly consumerPid: string | null;
  /** The counterparty's participant id (a DID). */
  readonly counterPartyId: string;
  /** Where its DSP endpoints are: the provider's DSP base, or the consumer's callbackAddress. */
  readonly counterPartyAddress: string;
  readonly state: NegotiationState;
  readonly datasetId: string | null;
  /** The latest offer (ours or theirs). */
  readonly offer: JsonObject;
  readonly agreement: JsonObject | null;
  readonly agreementId: string | null;
  /** Why it was terminated or failed, in words. */
  readonly reason: string | null;
  /** A provider operator must approve before we answer (manual approval). */
  readonly pendingAction: boolean;
  readonly createdAt: string;
  readonly updatedAt: string;
  /** Starts at 1, +1 on every write. */
  readonly version: number;
}

export interface NewNegotiation {
  /** Our pid; generated (urn:uuid) when absent. */
  readonly id?: string;
  readonly role: Role;
  /** The counterparty's pid when known: the consumerPid for a provider, the providerPid for a consumer. */
  readonly providerPid?: string | null;
  readonly consumerPid?: string | null;
  readonly counterPartyId: string;
  readonly counterPartyAddress: string;
  readonly datasetId?: string | null;
  readonly offer: object;
  readonly pendingAction?: boolean;
}

/** What may change besides the state; `undefined` leaves a field as it is. */
export interface NegotiationChanges {
  readonly providerPid?: string | null;
  readonly consumerPid?: string | null;
  readonly counterPartyAddress?: string;
  readonly datasetId?: string | null;
  readonly offer?: object;
  readonly agreement?: object | null;
  readonly agreementId?: string | null;
  readonly reason?: string | null;
  readonly pendingAction?: boolean;
}

export interface TransitionOptions extends NegotiationUpdateOptions {
  readonly changes?: NegotiationChanges;
}

export interface NegotiationUpdateOptions extends WriteOptions {
  /** The record as just read inside the same transaction (`tx`): saves reading it again. */
  readonly current?: NegotiationRecord;
}

export interface NegotiationFilter extends Page {
  readonly role?: Role;
  readonly state?: NegotiationState | readonly NegotiationState[];
  readonly counterPartyId?: string;
  readonly datasetId?: string;
  readonly agreementId?: string;
  readonly pendingAction?: boolean;
}

interface NegotiationRow {
  id: string;
  role: Role;
  provider_pid: string | null;
  consumer_pid: string | null;
  counter_party_id: string;
  counter_party_address: string;
  state: NegotiationState;
  dataset_id: string | null;
  offer: string;
  agreement: string | null;
  agreement_id: string | null;
  reason: string | null;
  pending_action: number;
  created_at: string;
  updated_at: string;
  version: number;
}

const CHANGE_COLUMNS: Readonly<Record<keyof NegotiationChanges, string>> = {
  providerPid: 'provider_pid',
  consumerPid: 'consumer_pid',
  counterPartyAddress: 'counter_party_address',
  datasetId: 'dataset_id',
  offer: 'offer',
  agreement: 'agreement',
  agreementId: 'agreement_id',
  reason: 'reason',
  pendingAction: 'pending_action',
};

export interface NegotiationStoreOptions {
  readonly now?: Clock;
  /**
   * Runs inside the transaction of every state change (`from` undefined when the negotiation is created),
   * after the write: what it writes (evidence) commits or rolls back with the change.
   */
  readonly onTransition?: (
    q: Queries,
    from: NegotiationState | undefined,
    record: NegotiationRecord,
  ) => Promise<void>;
}

export class NegotiationStore {
  private readonly now: Clock;
  private readonly onTransition: NegotiationStoreOptions['onTransition'];
  private readonly table: ProcessTable<NegotiationRow, NegotiationRecord, NegotiationState>;

  constructor(
    private readonly db: Store,
    options: NegotiationStoreOptions = {},
  ) {
    this.now = options.now ?? (() => new Date());
    this.onTransition = options.onTransition;
    this.table = new ProcessTable(db, {
      table: 'negotiation',
      noun: 'negotiation',
      columns: CHANGE_COLUMNS,
      toRecord,
      now: this.now,
    });
  }

  /** Creates a negotiation with the state `event` starts it in (a ContractRequestMessage or ContractOfferMessage). */
  async create(
    input: NewNegotiation,
    event: NegotiationEvent,
    options: TxOption = {},
  ): Promise<NegotiationRecord> {
    const decision = nextNegotiationState(input.role, undefined, event);
    if (!decision.ok) throw new ProcessError('ERR_INVALID_TRANSITION', decision.reason);
    const id = input.id ?? newPid();
    const providerPid = input.role === 'provider' ? id : (input.providerPid ?? null);
    const consumerPid = input.role === 'consumer' ? id : (input.consumerPid ?? null);
    assertOwnPid(input.role, id, input, 'negotiation');
    const at = this.now().toISOString();
    return inTransaction(this.db, options.tx, async (q) => {
      const row = await q
        .get<NegotiationRow>(
          `INSERT INTO negotiation (id, role, provider_pid, consumer_pid, counter_party_id, counter_party_address,
             state, dataset_id, offer, agreement, agreement_id, reason, pending_action, created_at, updated_at, version)
           VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, NULL, NULL, ?, ?, ?, 1) RETURNING *`,
          [
            id,
            input.role,
            providerPid,
            consumerPid,
            input.counterPartyId,
            input.counterPartyAddress,
            decision.state,
            input.datasetId ?? null,
            JSON.stringify(input.offer),
            input.pendingAction ? 1 : 0,
            at,
            at,
          ],
        )
        .catch((e: unknown) => {
          throw duplicatePidOr(
            e,
            `a ${input.role} negotiation with id ${id} or the same pids already exists`,
          );
        });
      const created = toRecord(mustExist(row, id));
      await this.onTransition?.(q, undefined, created);
      return created;
    });
  }

  /** Records waiting in `waiting` that nothing has written since before `before`, oldest first. */
  idle(
    waiting: readonly Waiting<NegotiationState>[],
    before: Date,
    limit = 100,
  ): Promise<NegotiationRecord[]> {
    return this.table.idle(waiting, before, limit);
  }

  /** When the longest-waiting record in `waiting` was last written. */
  oldestWaiting(waiting: readonly Waiting<NegotiationState>[]): Promise<string | undefined> {
    return this.table.oldestWaiting(waiting);
  }

  get(id: string, options: TxOption = {}): Promise<NegotiationRecord | undefined> {
    return this.table.one('WHERE id = ?', [id], options.tx);
  }

  /** Our negotiation as `role` whose providerPid is `providerPid` (for a provider: its own id). */
  findByProviderPid(
    role: Role,
    providerPid: string,
    options: TxOption = {},
  ): Promise<NegotiationRecord | undefined> {
    return this.table.one('WHERE role = ? AND provider_pid = ?', [role, providerPid], options.tx);
  }

  /** Our negotiation as `role` whose consumerPid is `consumerPid` (for a consumer: its own id). */
  findByConsumerPid(
    role: Role,
    consumerPid: string,
    options: TxOption = {},
  ): Promise<NegotiationRecord | undefined> {
    return this.table.one('WHERE role = ? AND consumer_pid = ?', [role, consumerPid], options.tx);
  }

  /** The negotiation that produced an agreement (transfers look it up). */
  findByAgreementId(
    role: Role,
    agreementId: string,
    options: TxOption = {},
  ): Promise<NegotiationRecord | undefined> {
    return this.table.one('WHERE role = ? AND agreement_id = ?', [role, agreementId], options.tx);
  }

  /** Newest first. */
  async list(filter: NegotiationFilter = {}, options: TxOption = {}): Promise<NegotiationRecord[]> {
    const where = new Where()
      .equals('role', filter.role)
      .oneOf('state', filter.state)
      .equals('counter_party_id', filter.counterPartyId)
      .equals('dataset_id', filter.datasetId)
      .equals('agreement_id', filter.agreementId)
      .equals(
        'pending_action',
        filter.pendingAction === undefined ? undefined : filter.pendingAction ? 1 : 0,
      );
    const page = pageSql(filter);
    const rows = await (options.tx ?? this.db).all<NegotiationRow>(
      `SELECT * FROM negotiation ${where.sql} ORDER BY created_at DESC, rowid DESC ${page.sql}`,
      [...where.params, ...page.params],
    );
    return rows.map(toRecord);
  }

  /**
   * Applies `event` to negotiation `id`: checks the state table for the record's role and state, then writes
   * the new state (and `changes`) atomically. Throws ERR_NOT_FOUND, ERR_INVALID_TRANSITION (nothing written)
   * or ERR_VERSION_CONFLICT (someone else changed the record first).
   */
  transition(
    id: string,
    event: NegotiationEvent,
    options: TransitionOptions = {},
  ): Promise<NegotiationRecord> {
    return inTransaction(this.db, options.tx, async (q) => {
      const current = await this.table.current(q, id, options.expectedVersion, options.current);
      const decision = nextNegotiationState(current.role, current.state, event);
      if (!decision.ok) throw new ProcessError('ERR_INVALID_TRANSITION', decision.reason, current.state);
      const next = await this.table.write(q, current, decision.state, options.changes ?? {});
      await this.onTransition?.(q, current.state, next);
      return next;
    });
  }

  /** Changes fields other than the state (a pid learnt from an ACK, the manual-approval flag); bumps the version. */
  update(
    id: string,
    changes: NegotiationChanges,
    options: NegotiationUpdateOptions = {},
  ): Promise<NegotiationRecord> {
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
  ): Promise<NegotiationRecord | undefined> {
    return this.table.learnProviderPid(id, providerPid, options.tx);
  }

  /** A provider that opened the negotiation with an offer learns the consumer's pid from its ACK. */
  learnConsumerPid(
    id: string,
    consumerPid: string,
    options: TxOption = {},
  ): Promise<NegotiationRecord | undefined> {
    return this.table.learnConsumerPid(id, consumerPid, options.tx);
  }
}

function toRecord(row: NegotiationRow): NegotiationRecord {
  return {
    id: row.id,
    role: row.role,
    providerPid: row.provider_pid,
    consumerPid: row.consumer_pid,
    counterPartyId: row.counter_party_id,
    counterPartyAddress: row.counter_party_address,
    state: row.state,
    datasetId: row.dataset_id,
    offer: fromJsonColumn(row.offer) ?? {},
    agreement: fromJsonColumn(row.agreement),
    agreementId: row.agreement_id,
    reason: row.reason,
    pendingAction: row.pending_action === 1,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
    version: row.version,
  };
}

/** The row an INSERT ... RETURNING gave back (always one, or the INSERT threw). */
function mustExist<T>(row: T | undefined, id: string): T {
  if (row === undefined) throw new Error(`${'negotiation'} ${id} was not returned by its own INSERT`);
  return row;
}
