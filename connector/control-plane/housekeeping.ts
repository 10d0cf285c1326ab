// Keeps the outbox and inbox from growing forever: delivered or cancelled outbox rows and remembered
// incoming messages older than the retention are deleted at start and then every few hours. A week is far
// longer than any peer's retries last, so a duplicate still arriving is still recognised. Request tokens the
// replay cache remembers go once they have expired (they can no longer be replayed anyway).
import { pruneReplayCache, type Clock } from '../identity/index.js';
import { pruneOutbox, type Inbox } from '../outbox/index.js';
import type { Store } from '../store/database.js';

export const DEFAULT_RETENTION_MS = 7 * 86_400_000;
const INTERVAL_MS = 6 * 3_600_000;

export interface Housekeeping {
  /** Deletes what is past retention now; returns how many rows went. */
  runOnce(): Promise<{ outbox: number; inbox: number; replay: number }>;
  stop(): void;
}

export function startHousekeeping(
  db: Store,
  inbox: Inbox,
  clock: Clock,
  onError: (error: unknown) => void,
  retentionMs = DEFAULT_RETENTION_MS,
): Housekeeping {
  const runOnce = async (): Promise<{ outbox: number; inbox: number; replay: number }> => {
    const now = clock();
    const before = new Date(now.getTime() - retentionMs);
    return {
      outbox: await pruneOutbox(db, before),
      inbox: await inbox.prune(before),
      replay: await pruneReplayCache(db, now),
    };
  };
  const run = (): void => void runOnce().catch(onError);
  run();
  const timer = setInterval(run, INTERVAL_MS);
  timer.unref(); // never keeps a process alive
  return { runOnce, stop: () => clearInterval(timer) };
}
