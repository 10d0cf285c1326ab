// What the control plane lets the connector process add to its protocol steps, without knowing about the
// data plane or the evidence log: sign and check agreements, keep evidence in the transaction of every state
// change, hand out endpoint data references, and act after a change has committed (push). Every hook is
// optional; without them the control plane runs as plain DSP (a placeholder pull address, no evidence).
// connector/control-plane/evidence.ts implements them.

import type {
  ContractAgreementMessage,
  ContractAgreementVerificationMessage,
  DataAddress,
} from '../dsp/messages/index.js';
import type { NegotiationMessage, NegotiationRecord, NegotiationState } from '../negotiation/index.js';
import type { Queries } from '../store/database.js';
import type { TransferRecord, TransferState } from '../transfer/index.js';
import type { Caller, ProcessKind } from './context.js';
import type { TransferUsage } from './records.js';

/** Extension properties to add to an outgoing message. */
export type MessageExtensions = Readonly<Record<string, unknown>>;

export interface ControlPlaneHooks {
  /**
   * Inside the transaction of a negotiation message we send, after the state change: keeps what goes with
   * it (an agreement we sign, a verification) and returns extension properties for the message.
   */
  negotiationSending?(
    tx: Queries,
    message: NegotiationMessage,
    record: NegotiationRecord,
  ): Promise<MessageExtensions | undefined>;

  /**
   * Consumer, before a received agreement is applied (outside any transaction: may resolve the provider's
   * DID): checks the provider's signature, throwing a DspError to refuse the message. The result goes to
   * agreementReceived.
   */
  checkAgreement?(caller: Caller, message: ContractAgreementMessage): Promise<unknown>;
  /**
   * Consumer, inside the transaction that stored the received agreement. This and verificationReceived
   * keep what goes with the change: they neither change the negotiation record nor queue a message.
   */
  agreementReceived?(tx: Queries, record: NegotiationRecord, checked: unknown): Promise<void>;

  /** Provider, before a received verification is applied: checks the consumer's signature (DspError). */
  checkVerification?(
    caller: Caller,
    pid: string,
    message: ContractAgreementVerificationMessage,
  ): Promise<unknown>;
  /** Provider, inside the transaction that stored the verification. */
  verificationReceived?(tx: Queries, record: NegotiationRecord, checked: unknown): Promise<void>;

  /** Inside the transaction creating a transfer: the usage declared (and, provider side, the claims verified). */
  usageDeclared?(tx: Queries, record: TransferRecord, usage: TransferUsage): Promise<void>;

  /** Provider: the data address of a pull transfer starting or resuming; undefined for the placeholder. */
  pullDataAddress?(transferId: string): Promise<DataAddress | undefined>;

  /** Every negotiation state change (`from` undefined when created), inside its transaction. */
  negotiationChanged?(
    tx: Queries,
    from: NegotiationState | undefined,
    record: NegotiationRecord,
  ): Promise<void>;

  /** Every transfer state change (`from` undefined when created), inside its transaction. */
  transferChanged?(tx: Queries, from: TransferState | undefined, record: TransferRecord): Promise<void>;

  /**
   * Inside the transaction that terminated a process because its counterparty did not answer in time
   * (timeouts.ts): `state` is where it waited, `record` the terminated process.
   */
  processTimedOut?(
    tx: Queries,
    kind: ProcessKind,
    record: NegotiationRecord | TransferRecord,
    timeout: { readonly state: string; readonly waitedMs: number; readonly reason: string },
  ): Promise<void>;

  /** After a transaction that changed a negotiation or transfer has committed. Must not throw. */
  committed?(kind: ProcessKind, id: string): void;
}
