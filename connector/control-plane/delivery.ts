// How the outbox's deliveries tie back to processes: whose token signs a message (the counterparty of
// the negotiation or transfer it belongs to), what the ACK of an initial request or offer teaches us
// (the peer's pid), and what happens when a message cannot be delivered at all: the process is terminated
// here with the reason, and the peer is sent a termination (it may have refused one message but still
// be waiting; when it is down, that message fails in turn and changes nothing).

import {
  buildContractNegotiationTerminationMessage,
  buildTransferTerminationMessage,
  parseDspMessage,
} from '../dsp/messages/index.js';
import {
  negotiationTable,
  sent,
  NEGOTIATION_TERMINAL_STATES,
  type Role,
  type StateTable,
} from '../negotiation/index.js';
import {
  cancelPending,
  listOutbox,
  PermanentDeliveryError,
  type DeliveredResponse,
  type OutboxEntry,
} from '../outbox/index.js';
import { transferTable, TRANSFER_TERMINAL_STATES } from '../transfer/index.js';
import type { Queries } from '../store/database.js';
import type { ControlPlaneContext, ProcessKind, ProcessRecord } from './context.js';
import { negotiationPeerUrl } from './negotiation/wire.js';
import { peerUrl } from './peers/address.js';
import { DspClient } from './peers/dsp-client.js';
import { sendDsp } from './peers/outbound.js';
import { bothPids, peerPid } from './pids.js';
import { transferPeerUrl } from './transfer/wire.js';

export interface DeliveryHooks {
  tokenFor(entry: OutboxEntry): Promise<string>;
  /** After the peer refused a resent message: does its process show it applied an earlier copy? */
  peerHasIt(entry: OutboxEntry): Promise<boolean>;
  /** Why a queued message is moot now (see supersededReason), or undefined to send it. */
  superseded(entry: OutboxEntry): Promise<string | undefined>;
  onResponse(entry: OutboxEntry, response: DeliveredResponse): Promise<void>;
  onGiveUp(entry: OutboxEntry, error: Error): Promise<void>;
}

/** What the ACK of each initial message teaches us: the peer's pid for our process. */
const PID_FROM_ACK: Readonly<
  Record<
    string,
    {
      readonly ack: 'ContractNegotiation' | 'TransferProcess';
      readonly kind: ProcessKind;
      readonly peer: 'provider' | 'consumer';
      learn(
        ctx: ControlPlaneContext,
        id: string,
        ack: { providerPid: string; consumerPid: string },
      ): Promise<ProcessRecord | undefined>;
    }
  >
> = {
  ContractRequestMessage: {
    ack: 'ContractNegotiation',
    kind: 'negotiation',
    peer: 'provider',
    learn: (ctx, id, ack) => ctx.negotiations.learnProviderPid(id, ack.providerPid),
  },
  // A provider-initiated negotiation: the consumer's ACK names its pid.
  ContractOfferMessage: {
    ack: 'ContractNegotiation',
    kind: 'negotiation',
    peer: 'consumer',
    learn: (ctx, id, ack) => ctx.negotiations.learnConsumerPid(id, ack.consumerPid),
  },
  TransferRequestMessage: {
    ack: 'TransferProcess',
    kind: 'transfer',
    peer: 'provider',
    learn: (ctx, id, ack) => ctx.transfers.learnProviderPid(id, ack.providerPid),
  },
};

export function deliveryHooks(
  ctx: ControlPlaneContext,
  requestTokenFor: (did: string) => Promise<string>,
  fetch?: typeof globalThis.fetch,
): DeliveryHooks {
  const client = new DspClient({
    hostPolicy: ctx.hostPolicy,
    tokenFor: requestTokenFor,
    ...(fetch ? { fetch } : {}),
  });
  return {
    peerHasIt: (entry) => peerHasIt(ctx, client, entry),

    async tokenFor(entry) {
      // Entries name whom they are for; older ones (before outbox/2) are looked up.
      const did =
        entry.headersFactoryArg ??
        (await ctx.negotiations.get(entry.aggregateId))?.counterPartyId ??
        (await ctx.transfers.get(entry.aggregateId))?.counterPartyId;
      if (did === undefined)
        throw new PermanentDeliveryError(`no negotiation or transfer ${entry.aggregateId} to send for`);
      return requestTokenFor(did);
    },

    superseded: (entry) => supersededReason(ctx, entry),

    async onResponse(entry, response) {
      const body = entry.body ?? {};
      if (typeof body.callbackAddress !== 'string') return; // only initial messages are answered with a pid
      const learning = typeof body['@type'] === 'string' ? PID_FROM_ACK[body['@type']] : undefined;
      if (learning === undefined) return;
      const ack = await parseDspMessage(learning.ack, response.body);
      if (!ack.ok)
        throw new Error(`the ${learning.peer}'s answer is not a ${learning.ack}: ${ack.errors[0]?.reason}`);
      const record = await learning.learn(ctx, entry.aggregateId, ack.message);
      if (record) ctx.committed(learning.kind, entry.aggregateId, { sent: false, record });
    },

    async onGiveUp(entry, error) {
      const type = typeof entry.body?.['@type'] === 'string' ? entry.body['@type'] : 'message';
      const reason = `could not deliver the ${type} to ${entry.url}: ${error.message}`.slice(0, 2000);
      const tell = !/TerminationMessage$/.test(type); // a failed termination is not answered by another
      const kind = await terminateAfterGiveUp(ctx, entry.aggregateId, reason, tell);
      if (kind) ctx.committed(kind, entry.aggregateId);
    },
  };
}

/**
 * Why a queued message must not leave any more, checked before every attempt: the connector never
 * sends what its own state machine would refuse to receive. When we queued it, the message moved our
 * record to its target state, and the messages queued after it move it on from there; if replaying
 * them does not give the record's state now, a message we received has moved the process since (the
 * consumer completed before our queued start went out, the provider finalized while our verification
 * was being retried, so the peer has it already), and the peer would refuse this one.
 */
export async function supersededReason(
  ctx: ControlPlaneContext,
  entry: OutboxEntry,
): Promise<string | undefined> {
  const message = tableMessage(entry.body);
  if (message === undefined) return undefined;
  const process = await processOf(ctx, entry.aggregateId);
  if (!process || !process.table.spec.messages.includes(message)) return undefined;
  const { table, record } = process;
  const later = (await listOutbox(ctx.db, { aggregateId: entry.aggregateId, status: 'pending' }))
    .filter((e) => e.seq > entry.seq)
    .map((e) => tableMessage(e.body));
  const expected = replay(table, record.role, message, later);
  if (expected === 'unknown' || expected === record.state) return undefined;
  return `not sent: the ${table.spec.process} is ${record.state} now, a later change overtook this ${message}`;
}

/**
 * DSP messages carry no id: when an attempt's answer is lost, the peer may have applied the message
 * and moved on, and then refuses the resent copy with 400. Before that refusal ends the process, we
 * ask the peer for its process: if its state is the one our message leads to, or one reachable from
 * there, it has the message and the entry counts as delivered.
 */
async function peerHasIt(ctx: ControlPlaneContext, client: DspClient, entry: OutboxEntry): Promise<boolean> {
  const message = tableMessage(entry.body);
  const process = message === undefined ? undefined : await processOf(ctx, entry.aggregateId);
  if (message === undefined || process === undefined) return false;
  const { table, record, kind } = process;
  const target = table.targetOf(message, record.role);
  const theirs = peerPid(record);
  if (target === undefined || theirs === null) return false;
  try {
    const answer = await client.get(record.counterPartyId, peerUrl(record.counterPartyAddress, kind, theirs));
    const state = (answer.body as { state?: unknown } | null)?.state;
    return typeof state === 'string' && reachable(table, target, state);
  } catch {
    return false; // cannot tell: the refusal stands
  }
}

async function processOf(ctx: ControlPlaneContext, id: string) {
  const negotiation = await ctx.negotiations.get(id);
  if (negotiation) {
    const table = negotiationTable as StateTable<string, string>;
    return { table, record: negotiation as ProcessRecord, kind: 'negotiations' as const };
  }
  const transfer = await ctx.transfers.get(id);
  if (transfer) {
    const table = transferTable as StateTable<string, string>;
    return { table, record: transfer as ProcessRecord, kind: 'transfers' as const };
  }
  return undefined;
}

/** Whether `to` is `from` or follows from it by any transitions of the table. */
function reachable(table: StateTable<string, string>, from: string, to: string): boolean {
  const seen = new Set([from]);
  const queue = [from];
  while (queue.length > 0) {
    const state = queue.shift()!;
    if (state === to) return true;
    for (const rule of table.spec.rules) {
      if (rule.from === state && !seen.has(rule.to)) {
        seen.add(rule.to);
        queue.push(rule.to);
      }
    }
  }
  return false;
}

/** The state our queued messages lead to, 'moot' when they do not follow each other, 'unknown' if we cannot tell. */
function replay(
  table: StateTable<string, string>,
  role: Role,
  first: string,
  later: readonly (string | undefined)[],
): string {
  let state = table.targetOf(first, role);
  if (state === undefined) return 'unknown';
  for (const message of later) {
    if (message === undefined || !table.spec.messages.includes(message)) return 'unknown';
    const next = table.decide(role, state, sent(message));
    if (!next.ok) return 'moot';
    state = next.state;
  }
  return state;
}

/** The state table's name for an outgoing DSP body ("ContractNegotiationEventMessage:FINALIZED"). */
function tableMessage(body: Readonly<Record<string, unknown>> | null): string | undefined {
  const type = body?.['@type'];
  if (typeof type !== 'string') return undefined;
  return type === 'ContractNegotiationEventMessage' ? `${type}:${String(body?.eventType)}` : type;
}

/** How a process is ended on our side: the reason kept, the DSP code told to the peer. */
export interface Ending {
  readonly reason: string;
  /** The termination message's code, e.g. delivery-failed or timeout. */
  readonly code: string;
  /** Tell the peer (not when what failed was a termination: it is not answered by another). */
  readonly tell: boolean;
  /** Still end it, seen inside the transaction? Default: unless it is terminal already. */
  readonly stillDue?: (record: ProcessRecord) => boolean;
  /** Inside the transaction, after the state change (e.g. the evidence of a timeout). */
  readonly record?: (tx: Queries, kind: ProcessKind, record: ProcessRecord) => Promise<void>;
}

/** Terminates the process after a message to its peer was given up; idempotent, as hooks may rerun. */
function terminateAfterGiveUp(
  ctx: ControlPlaneContext,
  id: string,
  reason: string,
  tell: boolean,
): Promise<ProcessKind | undefined> {
  return terminateProcess(ctx, id, { reason, code: 'delivery-failed', tell });
}

/**
 * Ends process `id` with a reason and, when its peer can be addressed, sends it a termination with
 * `code`, in one transaction; what we still meant to send is cancelled. Undefined when there was
 * nothing to end (no such process, terminal already, or no longer due).
 */
export async function terminateProcess(
  ctx: ControlPlaneContext,
  id: string,
  ending: Ending,
): Promise<ProcessKind | undefined> {
  const { reason, tell } = ending;
  const message = { code: ending.code, reason: [reason] };
  const due = (record: ProcessRecord, terminal: readonly string[]): boolean =>
    !terminal.includes(record.state) && (ending.stillDue?.(record) ?? true);
  return ctx.db.transaction(async (tx) => {
    const negotiation = await ctx.negotiations.get(id, { tx });
    if (negotiation !== undefined) {
      if (!due(negotiation, NEGOTIATION_TERMINAL_STATES)) return undefined;
      await cancelPending(tx, id, reason);
      const next = await ctx.negotiations.transition(id, sent('ContractNegotiationTerminationMessage'), {
        tx,
        current: negotiation,
        changes: { reason, pendingAction: false },
      });
      const url = negotiationPeerUrl(next, 'termination');
      const pids = bothPids(next);
      if (tell && url !== undefined && pids !== undefined) {
        await sendDsp(tx, next, url, buildContractNegotiationTerminationMessage({ ...pids, ...message }));
      }
      await ending.record?.(tx, 'negotiation', next);
      return 'negotiation';
    }
    const transfer = await ctx.transfers.get(id, { tx });
    if (transfer === undefined || !due(transfer, TRANSFER_TERMINAL_STATES)) return undefined;
    await cancelPending(tx, id, reason);
    const next = await ctx.transfers.transition(id, sent('TransferTerminationMessage'), {
      tx,
      current: transfer,
      changes: { reason },
    });
    const url = transferPeerUrl(next, 'termination');
    const pids = bothPids(next);
    if (tell && url !== undefined && pids !== undefined) {
      await sendDsp(tx, next, url, buildTransferTerminationMessage({ ...pids, ...message }));
    }
    await ending.record?.(tx, 'transfer', next);
    return 'transfer';
  });
}
