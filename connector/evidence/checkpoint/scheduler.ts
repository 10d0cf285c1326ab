// Checkpoints at a regular interval, but only when the log grew since the last one. One run at a time;
// stop() waits for a run in progress, so the database can be closed right after it.
import { errorReporter, rootLogger } from '../../logging/index.js';
import type { CheckpointSigner } from './sign.js';
import type { EvidenceLog } from '../log/evidence-log.js';
import type { StoredCheckpoint } from './types.js';

export interface CheckpointSchedulerOptions {
  readonly log: EvidenceLog;
  /** Called for every checkpoint, so a key rotation is picked up (e.g. `() => identity.signer()`). */
  readonly signer: () => CheckpointSigner;
  /** The connector's current DID document, stored with each checkpoint (e.g. `() => identity.didDocument()`). */
  readonly didDocument?: () => object;
  /** Default 60 s. */
  readonly intervalMs?: number;
  /** After each new checkpoint: publish it to the authority, anchor it. Errors go to onError. */
  readonly onCheckpoint?: (checkpoint: StoredCheckpoint) => void | Promise<void>;
  /** Default: the process's logger. A failed run is retried at the next interval. */
  readonly onError?: (error: unknown) => void;
}

export const DEFAULT_CHECKPOINT_INTERVAL_MS = 60_000;

export class CheckpointScheduler {
  readonly #options: CheckpointSchedulerOptions;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<unknown> = Promise.resolve();
  #started = false;

  constructor(options: CheckpointSchedulerOptions) {
    this.#options = options;
  }

  get running(): boolean {
    return this.#started;
  }

  start(): void {
    if (this.#started) return;
    this.#started = true;
    this.#schedule();
  }

  /** Stops the timer and waits for a checkpoint in progress. */
  async stop(): Promise<void> {
    this.#started = false;
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    await this.#running;
  }

  /** Checkpoints now if the log grew since the latest checkpoint; returns the new checkpoint, if any. */
  runOnce(): Promise<StoredCheckpoint | undefined> {
    const run = this.#running.then(() => this.#checkpointIfGrown());
    this.#running = run.catch(() => undefined);
    return run;
  }

  async #checkpointIfGrown(): Promise<StoredCheckpoint | undefined> {
    const { log } = this.#options;
    const [size, latest] = [await log.size(), await log.latestCheckpoint()];
    if (size === 0 || (latest && latest.size >= size)) return undefined;
    const didDocument = this.#options.didDocument?.();
    const checkpoint = await log.checkpoint(this.#options.signer(), didDocument ? { didDocument } : {});
    await this.#options.onCheckpoint?.(checkpoint);
    return checkpoint;
  }

  #schedule(): void {
    if (!this.#started) return;
    this.#timer = setTimeout(() => {
      this.runOnce()
        .catch((error: unknown) =>
          (this.#options.onError ?? errorReporter(rootLogger(), 'checkpoint'))(error),
        )
        .finally(() => this.#schedule());
    }, this.#options.intervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS);
    // A forgotten scheduler must not keep the process alive.
    this.#timer.unref();
  }
}
