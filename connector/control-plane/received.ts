// Applying a message a peer sent, once. Peers deliver at least once. A message is a duplicate only
// when it is identical (same sender, process and digest of its content, its top-level `@id` included
// when the sender gives one) to the one that produced the process's current state and the process has
// not changed since (same record version). A duplicate gets the same answer again and changes nothing.
// So a message with a fresh `@id` is a new message even when its content repeats an earlier one (the
// DSP TCK's second counter-offer), and one without an `@id` is recognised by content alone. Everything
// else goes through the state table: a message valid now is applied (a transfer suspended, resumed and
// suspended again receives two identical TransferSuspensionMessages, and both count), an invalid one
// is a 400, and a terminal state is never left nor misreported by replaying an answer given before the
// process moved on.

import { ProcessError } from '../negotiation/index.js';
import { messageDigest, type Inbox } from '../outbox/index.js';
import type { Store, Queries } from '../store/database.js';
import type { DspReply } from './context.js';

/** What the inbox keeps per (sender and process, message digest): the answer and the version it left. */
interface Remembered {
  readonly reply: DspReply;
  readonly version: number;
}

/** The outcome of applying a message: the answer, and the record version it left behind. */
export interface Applied<R extends DspReply = DspReply> {
  readonly reply: R;
  readonly version: number;
}

/** Applies `message` to a process whose record (as read in `tx`) has version `current`, once. */
export async function applyReceived<R extends DspReply>(
  inbox: Inbox,
  tx: Queries,
  key: string,
  message: unknown,
  current: number,
  apply: () => Promise<Applied<R>>,
): Promise<R> {
  const digest = messageDigest(message);
  const earlier = await inbox.lookup<Partial<Remembered>>(key, digest, { tx });
  if (earlier?.version === current && earlier.reply !== undefined) return earlier.reply as R;
  const { reply, version } = await apply();
  await inbox.remember(tx, key, digest, { reply, version } satisfies Remembered);
  return reply;
}

/**
 * Creates a process from an initial message, once: a repeat gets the first answer while the process
 * it created is unchanged. Once that process has moved on, a repeat without a message `@id` is refused
 * with the state table's reason (`refusal`), never answered with a stale state; a repeat with the same
 * `@id` is the sender's redelivery (the answer to its first copy was lost, and it still needs our pid)
 * and gets the process as it is now (`answer`).
 */
export async function createReceived<R extends DspReply, P extends { version: number; state: string }>(
  db: Store,
  inbox: Inbox,
  key: string,
  message: { readonly '@id'?: unknown },
  created: {
    /** Our pid in an answer given before. */
    readonly pidOf: (reply: R) => string;
    /** Our process `pid` now. */
    readonly current: (tx: Queries, pid: string) => Promise<P | undefined>;
    /** Why the message is refused in `state`. */
    readonly refusal: (state: string) => string;
    /** The answer to a redelivered copy: the process as it is now. */
    readonly answer: (process: P) => R;
    readonly create: (tx: Queries) => Promise<Applied<R>>;
  },
): Promise<R> {
  const digest = messageDigest(message);
  return db.transaction(async (tx) => {
    const earlier = await inbox.lookup<Partial<Remembered>>(key, digest, { tx });
    if (earlier?.reply !== undefined) {
      const reply = earlier.reply as R;
      const now = await created.current(tx, created.pidOf(reply));
      if (now !== undefined && now.version === earlier.version) return reply;
      if (now !== undefined && typeof message['@id'] === 'string') return created.answer(now);
      if (now !== undefined) {
        throw new ProcessError('ERR_INVALID_TRANSITION', created.refusal(now.state), now.state);
      }
    }
    const { reply, version } = await created.create(tx);
    await inbox.remember(tx, key, digest, { reply, version } satisfies Remembered);
    return reply;
  });
}

/** Inbox key of the messages `sender` sends about process `pid` (our own pid). */
export function inboxKey(sender: string, pid: string): string {
  return `${sender} ${pid}`;
}
