// The two process ids of a negotiation or transfer, seen from one side: our own pid is the record id,
// the counterparty's pid may still be unknown (an initial message is answered before the peer's
// ACK is read). Messages on an existing process must name both, consistently.

import { DSP_CONTEXT_URL, DspError } from '../dsp/messages/index.js';
import type { Role } from '../negotiation/index.js';
import type { ControlPlaneContext, ProcessKind } from './context.js';

export interface ProcessPids {
  readonly id: string;
  readonly role: Role;
  readonly providerPid: string | null;
  readonly consumerPid: string | null;
}

export interface MessagePids {
  readonly providerPid: string;
  readonly consumerPid: string;
}

/**
 * Checks a received message's pids against the record; returns the counterparty's pid to store when
 * the record did not know it yet. Throws a 400 DspError naming the field that disagrees.
 */
export function checkMessagePids(
  record: ProcessPids,
  message: MessagePids,
): { providerPid?: string; consumerPid?: string } {
  const own = record.role === 'provider' ? 'providerPid' : 'consumerPid';
  const theirs = record.role === 'provider' ? 'consumerPid' : 'providerPid';
  if (message[own] !== record.id) {
    const reason = `must be ${record.id}, the process this endpoint addresses`;
    throw new DspError('bad-message', `${own} ${message[own]} does not match the path`, [
      { pointer: `/${own}`, reason },
    ]);
  }
  const known = record[theirs];
  if (known === null) return { [theirs]: message[theirs] };
  if (message[theirs] !== known) {
    throw new DspError('bad-message', `${theirs} ${message[theirs]} is not the one of this process`, [
      { pointer: `/${theirs}`, reason: `must be ${known}` },
    ]);
  }
  return {};
}

/** Both pids, or undefined while the counterparty's is not known. */
export function bothPids(record: ProcessPids): MessagePids | undefined {
  return record.providerPid !== null && record.consumerPid !== null
    ? { providerPid: record.providerPid, consumerPid: record.consumerPid }
    : undefined;
}

/** The counterparty's pid, which addresses the process on its side. */
export function peerPid(record: ProcessPids): string | null {
  return record.role === 'provider' ? record.consumerPid : record.providerPid;
}

/** How long a GET is held for the peer's pid, at most (its ACK is on the way). */
export const PEER_PID_WAIT_MS = 5_000;

/**
 * A process that a `GET /negotiations/:pid` or `GET /transfers/:pid` may show whole. The peer that
 * was sent our initial message (request or offer) may ask for it before its answer naming its pid has
 * reached us: its handler ran, the answer is on the wire (the TCK does this). The DSP schema requires
 * both pids, so the GET is held until the ACK's pid is stored (woken by that commit, or by a message
 * of the peer's that names it), the process ends, or `waitMs` pass; then it is answered as it is.
 */
export async function withPeerPid<R extends ProcessPids & { readonly state: string }>(
  ctx: ControlPlaneContext,
  kind: ProcessKind,
  record: R,
  read: () => Promise<R | undefined>,
  settled: (record: R) => boolean,
  waitMs = PEER_PID_WAIT_MS,
): Promise<R> {
  const done = (r: R): boolean => bothPids(r) !== undefined || settled(r);
  if (done(record)) return record;
  return new Promise<R>((resolve, reject) => {
    let latest = record;
    let finished = false;
    const finish = (r: R): void => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      unwatch();
      resolve(r);
    };
    const check = (): void => {
      read().then((r) => {
        if (r === undefined) return finish(latest);
        latest = r;
        if (done(r)) finish(r);
      }, reject);
    };
    // Watch before reading again, so a commit between the two cannot be missed.
    const unwatch = ctx.watch(kind, record.id, check);
    const timer = setTimeout(() => finish(latest), waitMs);
    check();
  });
}

/**
 * The process as the GET shows it when the peer's pid is still unknown after `withPeerPid` (a peer
 * that looks the process up before it answers our request): our pid and the state, without the pid
 * we do not know (EDC answers the same way), instead of a 404 for a pid we sent.
 */
export function earlyProcessBody<T extends 'ContractNegotiation' | 'TransferProcess'>(
  type: T,
  record: ProcessPids & { readonly state: string },
): { '@context': string[]; '@type': T; state: string } & Partial<MessagePids> {
  const own = record.role === 'provider' ? 'providerPid' : 'consumerPid';
  return { '@context': [DSP_CONTEXT_URL], '@type': type, [own]: record.id, state: record.state };
}
