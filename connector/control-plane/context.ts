// What the control plane's services share: who we are, the stores, and the hook that runs after a
// transaction that changed a negotiation or transfer has committed (deliver its messages now, take the
// automatic next step). Services receive it explicitly; there is no global state.

import type { AssetStore, Caller, Catalog } from '../assets/index.js';
import type { Clock } from '../identity/clock.js';
import type { HostPolicy } from '../identity/index.js';
import type { NegotiationRecord, NegotiationStore } from '../negotiation/index.js';
import type { Inbox, QueuedEntry } from '../outbox/index.js';
import type { Store } from '../store/database.js';
import type { TransferRecord, TransferStore } from '../transfer/index.js';
import type { ControlPlaneHooks } from './hooks.js';
import type { PeerFormats } from './peers/wire-formats.js';

export type ProcessKind = 'negotiation' | 'transfer';

/** A negotiation or transfer record, as a committed change left it. */
export type ProcessRecord = NegotiationRecord | TransferRecord;

/** What a committed change tells the hooks that run after it. */
export interface Commit {
  /** The process as the transaction left it; spares the automation and waiters reading it again. */
  readonly record?: ProcessRecord;
  /** False when the transaction enqueued no message, so the outbox need not look. Default true. */
  readonly sent?: boolean;
  /** The messages the transaction enqueued, when the caller has them: the outbox starts them at once. */
  readonly queued?: readonly QueuedEntry[];
}

export interface ControlPlaneContext {
  /** Our participant id. */
  readonly did: string;
  /** Our root URL (data plane endpoints hang below it). */
  readonly url: string;
  /** Our DSP base: what peers call, and the callbackAddress we give them. */
  readonly dspBase: string;
  readonly db: Store;
  readonly negotiations: NegotiationStore;
  readonly transfers: TransferStore;
  readonly inbox: Inbox;
  readonly assets: AssetStore;
  readonly catalog: Catalog;
  readonly hostPolicy: HostPolicy;
  readonly clock: Clock;
  /** Transfer formats we serve as provider (the catalog's distributions), e.g. HttpData-PULL. */
  readonly transferFormats: readonly string[];
  /** How each provider writes its transfer formats, learnt from its catalog (peers/wire-formats.ts). */
  readonly peerFormats: PeerFormats;
  /** The connector's additions (signatures, evidence, data plane); see hooks.ts. */
  readonly hooks?: ControlPlaneHooks;
  /** Call after committing a change to a process: wakes the outbox and runs automatic steps. */
  committed(kind: ProcessKind, id: string, commit?: Commit): void;
  /**
   * Calls `listener` after every committed change to the negotiation or transfer `id` (a state change,
   * an operator's or a peer's, a peer pid learnt), until the returned function is called.
   */
  watch(kind: ProcessKind, id: string, listener: (record?: ProcessRecord) => void): () => void;
}

/** A DSP answer as handlers return it (and as the inbox stores it for duplicates). */
export interface DspReply<T = unknown> {
  readonly status: 200 | 201;
  readonly body: T;
}

export type { Caller };
