// The evidence log over SQLite: append-only entries chained by hash, the Merkle tree kept in the same rows,
// and the checkpoints, countersignatures, DID documents and anchor receipts that let others verify it.
// Everything lives in the database (memory holds only a cache the database checks), so a crash loses at most
// an uncommitted append, and an append inside the caller's transaction commits or rolls back with it.
import { isDid, systemClock, type Clock } from '../../identity/index.js';
import type { Store, Queries } from '../../store/database.js';
import { recoverable } from '../../store/dialect.js';
import type { AnchorReceipt } from '../checkpoint/anchor.js';
import type { KeyLookup } from '../checkpoint/keys.js';
import { checkDidDocument, recordAnchorReceipt, recordCountersignatures } from '../checkpoint/record.js';
import { signCheckpoint, type CheckpointSigner } from '../checkpoint/sign.js';
import * as store from '../checkpoint/store.js';
import type { CountersignedCheckpoint, StoredCheckpoint } from '../checkpoint/types.js';
import { EvidenceError } from '../errors.js';
import { DEFAULT_EVIDENCE_HASH, emptyRoot, type EvidenceHash, type HexHash } from '../merkle/hash.js';
import { consistencyRanges, inclusionRanges, perfectCover } from '../merkle/shape.js';
import { canonicalInput, insertEntry, isOutOfSequence } from './append.js';
import type { EvidenceEntry, EvidenceKind } from './entry.js';
import { claimHash, claimLogId } from './open.js';
import { readEntries, readEntry, readSize, type EntryFilter } from './read.js';
import { loadFrontier, rangeHashes, type Frontier } from './tree.js';

export type { EntryFilter } from './read.js';
export type { CheckpointRange } from '../checkpoint/store.js';

export interface TxOption {
  /**
   * The caller's open transaction (from `db.transaction`). Pass it whenever the call happens inside one:
   * the database serialises everything through one queue, so a call that waited for its own would hang.
   */
  readonly tx?: Queries;
}

export interface OpenEvidenceLogOptions {
  /** The DID of the connector keeping the log; recorded at first open and checked at every later open. */
  readonly logId: string;
  readonly clock?: Clock;
  /** Largest canonical `data` accepted, in bytes. Default 256 KiB. */
  readonly maxDataBytes?: number;
  /**
   * The hash function: 'sha-256' (default) or 'sm3' (a data space on SM2/SM3). Recorded at first open; a later
   * open with another one fails (ERR_EVIDENCE_HASH_MISMATCH).
   */
  readonly hash?: EvidenceHash;
}

export interface InclusionProof {
  readonly leafIndex: number;
  readonly treeSize: number;
  /** RFC 9162 inclusion path, from the leaf's sibling upwards. */
  readonly path: readonly HexHash[];
}

export interface ConsistencyProof {
  readonly fromSize: number;
  readonly toSize: number;
  /** RFC 9162 consistency path. */
  readonly path: readonly HexHash[];
}

export const DEFAULT_MAX_DATA_BYTES = 256 * 1024;

function outOfRange(message: string): EvidenceError {
  return new EvidenceError('ERR_EVIDENCE_OUT_OF_RANGE', message);
}

function isCount(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

const hex = (hashes: readonly Buffer[]): HexHash[] => hashes.map((h) => h.toString('hex'));

export class EvidenceLog {
  readonly #db: Store;
  readonly #clock: Clock;
  readonly #maxDataBytes: number;
  #frontier: Frontier | undefined;
  #appending: Promise<unknown> = Promise.resolve();
  /** DID document objects found stored (recordDidDocument). */
  readonly #storedDidDocuments = new WeakSet<object>();

  private constructor(
    db: Store,
    readonly logId: string,
    /** The log's hash function, named in its checkpoints and exports. */
    readonly hash: EvidenceHash,
    options: OpenEvidenceLogOptions,
  ) {
    this.#db = db;
    this.#clock = options.clock ?? systemClock;
    this.#maxDataBytes = options.maxDataBytes ?? DEFAULT_MAX_DATA_BYTES;
  }

  /** Opens the log in `db`, which must have been opened with EVIDENCE_MIGRATIONS. */
  static async open(db: Store, options: OpenEvidenceLogOptions): Promise<EvidenceLog> {
    if (!isDid(options.logId) || options.logId.includes('#')) {
      throw new EvidenceError(
        'ERR_EVIDENCE_INPUT_INVALID',
        `The evidence log id must be the connector's DID, got "${String(options.logId).slice(0, 200)}".`,
      );
    }
    await claimLogId(db, options.logId);
    const hash = await claimHash(db, options.hash ?? DEFAULT_EVIDENCE_HASH);
    return new EvidenceLog(db, options.logId, hash, options);
  }

  #queries(options: TxOption): Queries {
    return options.tx ?? this.#db;
  }

  #now(): string {
    return this.#clock().toISOString();
  }

  /**
   * Appends an entry and returns it. With `tx`, it is part of the caller's transaction (the state change and
   * its evidence commit together); without, it commits on its own. Appends are serialised.
   */
  async append(
    kind: EvidenceKind,
    subject: string,
    data: unknown,
    options: TxOption = {},
  ): Promise<EvidenceEntry> {
    const dataJson = canonicalInput(kind, subject, data, this.#maxDataBytes);
    const work = (q: Queries): Promise<EvidenceEntry> =>
      this.#exclusive(async () => {
        // Other processes (replicas) may append too: the write transaction excludes them (SQLite's, and
        // the store's advisory lock on PostgreSQL), so the head read and checked here is the head.
        // Read the clock in seq order, so `at` never goes backwards because of waiting in the queue.
        const input = { at: this.#now(), kind, subject, dataJson };
        // The cached frontier may be stale (the caller's transaction rolled back, or another log object
        // appended): the database then refuses the insert, and one retry from a fresh read settles it.
        for (let attempt = 0; ; attempt++) {
          const cached = this.#frontier;
          const frontier = cached ?? (await loadFrontier(q, this.hash));
          this.#frontier = undefined;
          try {
            // Only a cached frontier can be stale; the refusal must then leave the transaction usable.
            const done = cached
              ? await recoverable(q, () => insertEntry(q, frontier, input))
              : await insertEntry(q, frontier, input);
            this.#frontier = done.frontier;
            return done.entry;
          } catch (error) {
            if (attempt > 0 || !isOutOfSequence(error)) throw error;
          }
        }
      });
    return options.tx ? work(options.tx) : this.#db.transaction(work);
  }

  /** Runs appends one at a time even when a caller starts several inside one transaction. */
  #exclusive<T>(work: () => Promise<T>): Promise<T> {
    const result = this.#appending.then(work, work);
    this.#appending = result.catch(() => undefined);
    return result;
  }

  entry(seq: number, options: TxOption = {}): Promise<EvidenceEntry | undefined> {
    return readEntry(this.#queries(options), seq);
  }

  /** Entries in seq order, optionally about one subject or of one kind (default limit 1000). */
  entries(filter: EntryFilter = {}, options: TxOption = {}): Promise<EvidenceEntry[]> {
    return readEntries(this.#queries(options), filter);
  }

  /** Number of entries (the tree size). */
  size(options: TxOption = {}): Promise<number> {
    return readSize(this.#queries(options));
  }

  /** `size` (default: the current size), checked to be a size the log has had. */
  async #treeSize(q: Queries, size: number | undefined, what: string): Promise<number> {
    const current = await readSize(q);
    const n = size ?? current;
    if (!isCount(n) || n > current) {
      throw outOfRange(`${what} ${String(n)} is not a tree size of this log (it has ${current} entries).`);
    }
    return n;
  }

  /** The Merkle root (RFC 9162 MTH) of the first `size` entries; the whole log by default. */
  async root(size?: number, options: TxOption = {}): Promise<HexHash> {
    const q = this.#queries(options);
    const n = await this.#treeSize(q, size, 'Size');
    if (n === 0) return emptyRoot(this.hash);
    return hex(await rangeHashes(q, [{ start: 0, size: n }], this.hash))[0] as HexHash;
  }

  /** The hashes of the perfect subtrees that make up the tree of `size` leaves, largest first (for exports). */
  async compactRange(size: number, options: TxOption = {}): Promise<HexHash[]> {
    const q = this.#queries(options);
    await this.#treeSize(q, size, 'Size');
    const ranges = perfectCover({ start: 0, size }).map((node) => ({
      start: node.index * 2 ** node.level,
      size: 2 ** node.level,
    }));
    return hex(await rangeHashes(q, ranges, this.hash));
  }

  /** RFC 9162 inclusion proof of entry `seq` in the tree of `treeSize` (default: the whole log). */
  async inclusionProof(seq: number, treeSize?: number, options: TxOption = {}): Promise<InclusionProof> {
    const q = this.#queries(options);
    const n = await this.#treeSize(q, treeSize, 'Tree size');
    if (!isCount(seq) || seq >= n) throw outOfRange(`Entry ${String(seq)} is not in the tree of size ${n}.`);
    return {
      leafIndex: seq,
      treeSize: n,
      path: hex(await rangeHashes(q, inclusionRanges(seq, n), this.hash)),
    };
  }

  /** RFC 9162 consistency proof that the tree of `fromSize` is a prefix of the tree of `toSize` (default: now). */
  async consistencyProof(
    fromSize: number,
    toSize?: number,
    options: TxOption = {},
  ): Promise<ConsistencyProof> {
    const q = this.#queries(options);
    const n = await this.#treeSize(q, toSize, 'Tree size');
    if (!isCount(fromSize) || fromSize > n) {
      throw outOfRange(
        `A consistency proof needs 0 <= fromSize <= toSize; got ${String(fromSize)} and ${n}.`,
      );
    }
    return {
      fromSize,
      toSize: n,
      path: hex(await rangeHashes(q, consistencyRanges(fromSize, n), this.hash)),
    };
  }

  /**
   * Signs the current tree head with the log's DID key and stores it. `didDocument` (the connector's current
   * document) is stored too, so the signature still verifies offline after later key rotations.
   */
  async checkpoint(
    signer: CheckpointSigner,
    options: { readonly didDocument?: object } = {},
  ): Promise<StoredCheckpoint> {
    const document = options.didDocument === undefined ? undefined : checkDidDocument(options.didDocument);
    const size = await this.size();
    const root = await this.root(size);
    const body = { logId: this.logId, size, root, time: this.#now(), hash: this.hash };
    const signed = await signCheckpoint(body, signer);
    const id = await this.#db.transaction(async (q) => {
      if (document) await store.insertDidDocument(q, document, signed.time);
      return store.insertCheckpoint(q, signed);
    });
    return { ...signed, id, countersignatures: [] };
  }

  latestCheckpoint(options: TxOption = {}): Promise<StoredCheckpoint | undefined> {
    return store.latestCheckpoint(this.#queries(options));
  }

  /** The first checkpoint of a size larger than `size`, if any. */
  firstCheckpointAfter(size: number, options: TxOption = {}): Promise<StoredCheckpoint | undefined> {
    return store.firstCheckpointAfter(this.#queries(options), size);
  }

  /** Checkpoints (with countersignatures) whose size is within the range, by size then signing order. */
  checkpoints(range: store.CheckpointRange = {}, options: TxOption = {}): Promise<StoredCheckpoint[]> {
    return store.loadCheckpoints(this.#queries(options), range);
  }

  /**
   * Stores the countersignatures an authority returned for one of our checkpoints, after verifying each
   * (keeping the authority's DID document, so they verify offline later). Repeats are ignored.
   */
  async recordCountersignature(
    countersigned: CountersignedCheckpoint,
    keys: KeyLookup,
  ): Promise<StoredCheckpoint> {
    const id = await recordCountersignatures(this.#db, countersigned, keys, this.#now());
    const same = await this.checkpoints({ minSize: countersigned.size, maxSize: countersigned.size });
    return same.find((c) => c.id === id) as StoredCheckpoint;
  }

  /**
   * Stores a version of a signer's DID document (deduplicated by content). A document object found stored
   * (the resolver hands out the same object while it caches it) is not written again: every signature a
   * peer sends would otherwise cost a statement.
   */
  async recordDidDocument(document: object, options: TxOption = {}): Promise<void> {
    if (this.#storedDidDocuments.has(document)) return;
    const there = await store.insertDidDocument(
      this.#queries(options),
      checkDidDocument(document),
      this.#now(),
    );
    // Only a row found there is known committed (one inserted now goes with the caller's transaction).
    if (there) this.#storedDidDocuments.add(document);
  }

  /** Every stored version of the DID documents of `dids`. */
  didDocuments(dids: readonly string[], options: TxOption = {}): Promise<Record<string, unknown>[]> {
    return store.loadDidDocuments(this.#queries(options), dids);
  }

  /** Stores a ledger's receipt for one of our checkpoints. */
  recordAnchorReceipt(receipt: AnchorReceipt): Promise<void> {
    return recordAnchorReceipt(this.#db, receipt, this.#now());
  }

  anchorReceipts(range: store.CheckpointRange = {}, options: TxOption = {}): Promise<AnchorReceipt[]> {
    return store.loadAnchorReceipts(this.#queries(options), range);
  }
}
