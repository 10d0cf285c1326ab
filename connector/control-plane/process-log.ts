// One log line per negotiation and transfer state change, and a warning when a process ends refused or
// terminated (with its reason). The stores report each change inside its transaction; the line is written
// when the control plane hears the change committed (ctx.committed), so a rolled-back change whose version
// is written again later is not logged twice.
import type { Logger } from '../logging/index.js';
import type { NegotiationRecord, NegotiationState } from '../negotiation/index.js';
import type { TransferRecord, TransferState } from '../transfer/index.js';
import type { ProcessKind, ProcessRecord } from './context.js';

interface Change {
  readonly from: string | undefined;
  readonly record: ProcessRecord;
}

// The code stored reasons name first: "terminated by the provider (policy-denied): …", "… does not permit
// your request (CONSTRAINT_NOT_SATISFIED): …".
const REASON_CODE = /\(([A-Za-z][A-Za-z0-9_-]*)\)/;

// Changes seen but not yet committed, per process; bounded so changes that never commit cannot pile up.
const MAX_PENDING_PROCESSES = 10_000;

export class ProcessLog {
  readonly #pending = new Map<string, Map<number, Change>>();

  constructor(private readonly logger: Logger) {}

  negotiationChanged(from: NegotiationState | undefined, record: NegotiationRecord): void {
    this.#remember('negotiation', { from, record });
  }

  transferChanged(from: TransferState | undefined, record: TransferRecord): void {
    this.#remember('transfer', { from, record });
  }

  /** The process's changes committed: one line each, oldest first. */
  committed(kind: ProcessKind, id: string): void {
    const key = `${kind} ${id}`;
    const changes = this.#pending.get(key);
    if (changes === undefined) return;
    this.#pending.delete(key);
    for (const version of [...changes.keys()].sort((a, b) => a - b)) {
      this.#write(kind, changes.get(version) as Change);
    }
  }

  #remember(kind: ProcessKind, change: Change): void {
    if (!this.logger.isLevelEnabled('info')) return;
    const key = `${kind} ${change.record.id}`;
    let changes = this.#pending.get(key);
    if (changes === undefined) {
      if (this.#pending.size >= MAX_PENDING_PROCESSES) {
        this.#pending.delete(this.#pending.keys().next().value as string);
      }
      this.#pending.set(key, (changes = new Map()));
    }
    // A version written again after a rollback replaces the change that did not commit.
    changes.set(change.record.version, change);
  }

  #write(kind: ProcessKind, { from, record }: Change): void {
    const fields = {
      [kind]: record.id,
      role: record.role,
      from: from ?? null,
      to: record.state,
      counterParty: record.counterPartyId,
      ...('datasetId' in record && record.datasetId ? { dataset: record.datasetId } : {}),
      ...(record.agreementId ? { agreement: record.agreementId } : {}),
    };
    const change = `${kind} ${record.id} ${from ?? '(new)'} -> ${record.state}`;
    if (record.state === 'TERMINATED' && record.reason) {
      const code = REASON_CODE.exec(record.reason)?.[1];
      this.logger.warn(
        { ...fields, ...(code ? { code } : {}), reason: record.reason },
        `${change}: ${record.reason}`,
      );
    } else {
      this.logger.info(fields, change);
    }
  }
}
