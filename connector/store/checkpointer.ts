// WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside the COMMIT that
// crosses its threshold, on the writer's thread, which is the main thread with better-sqlite3: every
// few hundred commits one COMMIT took 2–60 ms (the WAL copied into the database file and two fsyncs),
// stalling every request of the process meanwhile. The writer turns the automatic checkpoint off and
// this worker thread, with its own connection to the file, runs a PASSIVE checkpoint (it waits for
// no reader or writer) after every CHECKPOINT_EVERY commits. Nothing runs while nothing commits.
// Durability is unchanged: a commit is in the WAL when it returns, checkpointed or not.

import { createRequire } from 'node:module';
import { Worker } from 'node:worker_threads';

/** Commits between checkpoints (SQLite's own threshold is 1000 WAL pages; a state change writes a few). */
export const CHECKPOINT_EVERY = 100;

// CommonJS, evaluated in the worker: no module of ours to resolve under tsx or from dist/.
const WORKER_SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const Sqlite = require(workerData.binding);
const db = new Sqlite(workerData.file, { fileMustExist: true, timeout: 0 });
parentPort.on('message', () => {
  try { db.pragma('wal_checkpoint(PASSIVE)'); } catch {} // busy or failed: the next round tries again
  parentPort.postMessage('done');
});
`;

export class WalCheckpointer {
  private commits = 0;
  private worker: Worker | undefined;
  private running = false;
  private failed = false;

  /** `fallback` checkpoints on the calling thread, used if the worker cannot run. */
  constructor(
    private readonly file: string,
    private readonly fallback: () => void,
  ) {}

  /** Counts a commit; every CHECKPOINT_EVERY commits asks for a checkpoint (none while one runs). */
  committed(): void {
    if (++this.commits < CHECKPOINT_EVERY || this.running) return;
    this.commits = 0;
    if (this.failed) {
      this.fallback();
      return;
    }
    this.running = true;
    this.start().postMessage('checkpoint');
  }

  async close(): Promise<void> {
    const worker = this.worker;
    this.worker = undefined;
    if (worker !== undefined) await worker.terminate();
  }

  private start(): Worker {
    if (this.worker !== undefined) return this.worker;
    const worker = new Worker(WORKER_SOURCE, {
      eval: true,
      workerData: { file: this.file, binding: createRequire(import.meta.url).resolve('better-sqlite3') },
    });
    worker.on('message', () => (this.running = false));
    worker.on('error', () => {
      // E.g. no thread could be started: checkpoint on this thread from now on, as SQLite did.
      this.failed = true;
      this.running = false;
      this.worker = undefined;
    });
    // After the listeners: adding a 'message' listener refs the worker's port again. Unreferenced, a
    // checkpointer never keeps the process alive, even for a database nobody closed.
    worker.unref();
    this.worker = worker;
    return worker;
  }
}
