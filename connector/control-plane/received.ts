// Applying a message a peer sent, once. Peers deliver at least once, and DSP messages carry no
// message id, so a message counts as a duplicate when (1) it is not a valid transition in the
// process's current state and (2) the same sender sent the same message (same digest) for the same
// process before: the duplicate then gets the first answer and changes nothing. A message that is
// valid now is applied even if an identical one came before: a transfer suspended, resumed and
// suspended again receives two identical TransferSuspensionMessages, and both must count.

import { ProcessError } from '../negotiation/index.js';
import { messageDigest, type Inbox } from '../outbox/index.js';
import type { Queries } from '../store/database.js';
import type { DspReply } from './context.js';

export async function applyReceived(
  inbox: Inbox,
  tx: Queries,
  key: string,
  message: unknown,
  apply: () => Promise<DspReply>,
): Promise<DspReply> {
  const digest = messageDigest(message);
  try {
    const reply = await apply();
    // Stores the answer unless an identical message was applied before (that answer is kept).
    await inbox.remember(tx, key, digest, reply);
    return reply;
  } catch (e) {
    if (e instanceof ProcessError && e.code === 'ERR_INVALID_TRANSITION') {
      const earlier = await inbox.lookup<DspReply>(key, digest, { tx });
      if (earlier !== undefined) return earlier;
    }
    throw e;
  }
}

/** Inbox key of the messages `sender` sends about process `pid` (our own pid). */
export function inboxKey(sender: string, pid: string): string {
  return `${sender} ${pid}`;
}
