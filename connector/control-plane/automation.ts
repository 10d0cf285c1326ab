// The connector's own moves, taken without the operator: a provider agrees to (or refuses, with the
// stored policy reason) an automatically approved request, agrees once the consumer accepted its
// offer, finalizes a verified agreement, starts (or refuses) a requested transfer and ends one resumed
// by the consumer that its agreement no longer permits; a consumer verifies the agreement it received.
// Each is a pure function of the stored record, so the same code runs right after the message that
// called for it (kick) and, after a restart, for every record left waiting (resume). Nothing polls:
// work is kicked when a transaction commits. Which steps run by themselves is configured per step
// (automation-config.ts); a manual step waits for the operator's management call, and a step switched
// back to auto runs at the next start.

import { ProcessError, type NegotiationRecord } from '../negotiation/index.js';
import type { TransferRecord } from '../transfer/index.js';
import type { AutomationModes, AutomationStep } from './automation-config.js';
import type { ProcessKind, ProcessRecord } from './context.js';
import type { NegotiationActions } from './negotiation/actions.js';
import type { TransferActions } from './transfer/actions.js';
import type { NegotiationStore } from '../negotiation/index.js';
import type { TransferStore } from '../transfer/index.js';
import { isPushFormat } from './transfer/data-address.js';

/** The negotiation's next step of our own, if any (whether it runs by itself or not). */
export function negotiationStep(record: NegotiationRecord): AutomationStep | undefined {
  if (record.pendingAction) return undefined; // the operator decides (manual approval, a received offer)
  if (record.role === 'provider') {
    if (record.state === 'REQUESTED') return record.reason === null ? 'agree' : 'refuse';
    if (record.state === 'ACCEPTED') return 'agreeAccepted'; // the consumer accepted our own offer
    if (record.state === 'VERIFIED') return 'finalize';
  } else if (record.state === 'AGREED') {
    return 'verify';
  }
  return undefined;
}

/** The transfer's next step of our own, if any. */
export function transferStep(record: TransferRecord): AutomationStep | undefined {
  if (record.role !== 'provider') return undefined;
  if (record.state === 'REQUESTED') return record.reason === null ? 'startTransfer' : 'refuseTransfer';
  if (record.state === 'STARTED') {
    // A reason on a started transfer: the consumer resumed it, and its agreement no longer permits the use.
    if (record.reason !== null) return 'refuseTransfer';
    if (isPushFormat(record.format)) return 'completePush'; // push.ts takes it
  }
  return undefined;
}

/** The step waiting for the operator because it is configured manual, if any (for the management views). */
export function heldStep(
  modes: AutomationModes,
  kind: ProcessKind,
  record: ProcessRecord,
): AutomationStep | undefined {
  const step =
    kind === 'negotiation'
      ? negotiationStep(record as NegotiationRecord)
      : transferStep(record as TransferRecord);
  return step !== undefined && modes[step] === 'manual' ? step : undefined;
}

export interface AutomationOptions {
  readonly negotiations: NegotiationStore;
  readonly transfers: TransferStore;
  readonly negotiationActions: NegotiationActions;
  readonly transferActions: TransferActions;
  /** Which steps run by themselves (resolveAutomation). */
  readonly modes: AutomationModes;
  readonly onError: (error: unknown) => void;
}

const PAGE = 500;

export class Automation {
  private closed = false;
  /** `${kind} ${id}` → its run; `again` holds kicks that came while it ran. */
  private readonly running = new Map<string, Promise<void>>();
  private readonly again = new Set<string>();
  /** The record a kick came with (as its commit left it), used instead of reading it. */
  private readonly given = new Map<string, ProcessRecord>();

  constructor(private readonly options: AutomationOptions) {}

  get modes(): AutomationModes {
    return this.options.modes;
  }

  /** True when `step` runs by itself. */
  allows(step: AutomationStep): boolean {
    return this.options.modes[step] === 'auto';
  }

  /** Runs the process's automatic steps, after the current tick (so the caller's answer goes first). */
  kick(kind: ProcessKind, id: string, record?: ProcessRecord): void {
    if (this.closed) return;
    const key = `${kind} ${id}`;
    if (record?.id === id) this.given.set(key, record);
    else this.given.delete(key);
    if (this.running.has(key)) {
      this.again.add(key);
      return;
    }
    const run = new Promise<void>((resolve) => setImmediate(resolve))
      .then(() => this.run(kind, id, key))
      .catch((e: unknown) => this.options.onError(e))
      .finally(() => this.running.delete(key));
    this.running.set(key, run);
  }

  /** Kicks every process left waiting for an automatic step (after a restart). */
  async resume(): Promise<number> {
    const { negotiations, transfers } = this.options;
    const waiting: [ProcessKind, string][] = [];
    const provider = await all((page) =>
      negotiations.list({
        role: 'provider',
        state: ['REQUESTED', 'ACCEPTED', 'VERIFIED'],
        pendingAction: false,
        ...page,
      }),
    );
    const consumer = await all((page) =>
      negotiations.list({ role: 'consumer', state: 'AGREED', pendingAction: false, ...page }),
    );
    for (const r of [...provider, ...consumer]) waiting.push(['negotiation', r.id]);
    const provided = await all((page) =>
      transfers.list({ role: 'provider', state: ['REQUESTED', 'STARTED'], ...page }),
    );
    for (const r of provided) {
      const step = transferStep(r);
      if (step === 'startTransfer' || step === 'refuseTransfer') waiting.push(['transfer', r.id]);
    }
    for (const [kind, id] of waiting) this.kick(kind, id);
    return waiting.length;
  }

  /** Stops taking kicks and waits for the steps in progress. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()]);
  }

  private async run(kind: ProcessKind, id: string, key: string): Promise<void> {
    do {
      this.again.delete(key);
      const given = this.given.get(key);
      this.given.delete(key);
      if (this.closed) return;
      try {
        await (kind === 'negotiation'
          ? this.negotiation(id, given as NegotiationRecord | undefined)
          : this.transfer(id, given as TransferRecord | undefined));
      } catch (e) {
        // Someone (the operator, a peer's message) moved the process first: nothing left to do here.
        if (e instanceof ProcessError && ['ERR_INVALID_TRANSITION', 'ERR_VERSION_CONFLICT'].includes(e.code))
          continue;
        throw e;
      }
    } while (this.again.has(key));
  }

  private async negotiation(id: string, given?: NegotiationRecord): Promise<void> {
    const record = given ?? (await this.options.negotiations.get(id));
    if (record === undefined) return;
    const step = negotiationStep(record);
    if (step === undefined || !this.allows(step)) return;
    const actions = this.options.negotiationActions;
    switch (step) {
      // The record read or given here is the one acted on: its version is checked when it is written.
      case 'agree':
      case 'agreeAccepted':
        await actions.agree(id, record);
        break;
      case 'refuse':
        await actions.terminate(id, record.reason ?? 'refused', 'policy-denied');
        break;
      case 'finalize':
        await actions.finalize(id, record);
        break;
      case 'verify':
        await actions.verify(id, record);
        break;
    }
  }

  private async transfer(id: string, given?: TransferRecord): Promise<void> {
    const record = given ?? (await this.options.transfers.get(id));
    if (record === undefined) return;
    const step = transferStep(record);
    if (step === undefined || !this.allows(step)) return;
    if (step === 'startTransfer') await this.options.transferActions.start(id);
    else if (step === 'refuseTransfer') {
      await this.options.transferActions.terminate(id, record.reason ?? 'refused', 'policy-denied');
    }
  }
}

/** Every record of a paged list (ids first, so records changing state meanwhile do not shift pages). */
async function all<T>(list: (page: { limit: number; offset: number }) => Promise<T[]>): Promise<T[]> {
  const out: T[] = [];
  for (let offset = 0; ; offset += PAGE) {
    const page = await list({ limit: PAGE, offset });
    out.push(...page);
    if (page.length < PAGE) return out;
  }
}
