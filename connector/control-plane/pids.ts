// The two process ids of a negotiation or transfer, seen from one side: our own pid is the record id,
// the counterparty's pid may still be unknown (an initial message is answered before the peer's
// ACK is read). Messages on an existing process must name both, consistently.

import { DSP_CONTEXT_URL, DspError } from '../dsp/messages/index.js';
import type { Role } from '../negotiation/index.js';

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

/**
 * The process as `GET /negotiations/:pid` or `GET /transfers/:pid` shows it. Before the provider's
 * ACK is read a consumer knows only its own pid, yet the provider may already ask (a peer may look a
 * process up before it answers the request that disclosed it): it then gets our pid and the state,
 * without the pid we do not know yet (EDC answers the same way), instead of a 404 for a pid we sent.
 */
export function earlyProcessBody<T extends 'ContractNegotiation' | 'TransferProcess'>(
  type: T,
  record: ProcessPids & { readonly state: string },
): { '@context': string[]; '@type': T; state: string } & Partial<MessagePids> {
  const own = record.role === 'provider' ? 'providerPid' : 'consumerPid';
  return { '@context': [DSP_CONTEXT_URL], '@type': type, [own]: record.id, state: record.state };
}
