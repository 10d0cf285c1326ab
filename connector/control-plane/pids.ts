// The two process ids of a negotiation or transfer, seen from one side: our own pid is the record id,
// the counterparty's pid may still be unknown (an initial message is answered before the peer's
// ACK is read). Messages on an existing process must name both, consistently.

import { DspError } from '../dsp/messages/index.js';
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
