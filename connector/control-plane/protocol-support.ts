// Small pieces the negotiation and transfer protocol services share: refusing a peer address or a
// reused pid the DSP way, and reading a termination's reasons into one sentence to store.

import { DspError } from '../dsp/messages/index.js';
import type { HostPolicy } from '../identity/index.js';
import { ProcessError } from '../negotiation/index.js';
import { checkPeerAddress, PeerAddressError } from './peers/address.js';

/** A peer-supplied address as a base URL, or a 400 pointing at the field. */
export function peerAddressOrRefuse(policy: HostPolicy, value: unknown, pointer: string): string {
  try {
    return checkPeerAddress(policy, value, pointer.slice(1));
  } catch (e) {
    if (!(e instanceof PeerAddressError)) throw e;
    throw new DspError('bad-message', `refused ${pointer.slice(1)}: ${e.message}`, [
      { pointer, reason: e.message },
    ]);
  }
}

/** Runs `create`, turning a reused pid into a 400 that tells the peer what to do. */
export async function creating<T>(create: () => Promise<T>, pidField: string, pid: string): Promise<T> {
  try {
    return await create();
  } catch (e) {
    if (e instanceof ProcessError && e.code === 'ERR_DUPLICATE_PID') {
      throw new DspError('bad-message', `${pidField} ${pid} is already in use here; send a fresh one`, [
        { pointer: `/${pidField}`, reason: 'already in use' },
      ]);
    }
    throw e;
  }
}

/** "terminated by the provider (code): reason; reason" for the record's `reason`. */
export function terminationReason(
  by: string,
  code: string | undefined,
  reasons: readonly unknown[] = [],
): string {
  const text = reasons.map((r) => (typeof r === 'string' ? r : JSON.stringify(r))).join('; ');
  return `${by}${code ? ` (${code})` : ''}${text ? `: ${text}` : ''}`.slice(0, 2000);
}
