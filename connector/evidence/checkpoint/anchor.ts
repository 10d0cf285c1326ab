// Anchoring checkpoints in an external ledger (a consortium chain, a public timestamping service): the plan
// is an adapter per ledger behind this interface. A receipt says where the ledger recorded which checkpoint;
// the log stores receipts beside the checkpoint and exports them. No ledger adapter ships yet; the in-memory
// one is for tests and shows the contract.
import { createHash } from 'node:crypto';
import { canonicalJson, type JsonValue } from '../json/canonical.js';
import type { HexHash } from '../merkle/hash.js';
import { checkpointBody, type Checkpoint } from './types.js';

export interface AnchorReceipt {
  /** Which ledger: the adapter's name plus the network, e.g. "fisco-bcos:energy-consortium". */
  readonly anchor: string;
  readonly logId: string;
  readonly size: number;
  readonly root: HexHash;
  /** What the ledger recorded: checkpointDigest() of the signed checkpoint. */
  readonly digest: HexHash;
  /** Where: a transaction id, block number and index, or a URL. */
  readonly reference: string;
  /** When the ledger accepted it (the ledger's time where it has one). */
  readonly time: string;
  /** Adapter-specific evidence (block header, Merkle path in the ledger), checked only by that adapter. */
  readonly proof?: JsonValue;
}

export interface CheckpointAnchor {
  readonly name: string;
  /** Records checkpointDigest(checkpoint) in the ledger; resolves once the ledger has accepted it. */
  anchor(checkpoint: Checkpoint): Promise<AnchorReceipt>;
  /** Looks the receipt up in the ledger (online); true when the ledger holds exactly that digest. */
  verify(receipt: AnchorReceipt): Promise<boolean>;
}

/** SHA-256 of the JCS form of the signed checkpoint (body + signature): one hash binds both. */
export function checkpointDigest(checkpoint: Checkpoint): HexHash {
  const signed = { ...checkpointBody(checkpoint), signature: checkpoint.signature };
  return createHash('sha256').update(canonicalJson(signed)).digest('hex');
}

/** A ledger in memory, for tests: every anchor is a new "block". */
export class InMemoryAnchor implements CheckpointAnchor {
  readonly name: string;
  readonly #ledger: string[] = [];

  constructor(name = 'in-memory') {
    this.name = name;
  }

  async anchor(checkpoint: Checkpoint): Promise<AnchorReceipt> {
    const digest = checkpointDigest(checkpoint);
    this.#ledger.push(digest);
    return {
      anchor: this.name,
      logId: checkpoint.logId,
      size: checkpoint.size,
      root: checkpoint.root,
      digest,
      reference: `block-${this.#ledger.length - 1}`,
      time: new Date().toISOString(),
    };
  }

  async verify(receipt: AnchorReceipt): Promise<boolean> {
    const block = /^block-(\d+)$/.exec(receipt.reference)?.[1];
    return block !== undefined && this.#ledger[Number(block)] === receipt.digest;
  }
}
