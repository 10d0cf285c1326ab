// Publishing our evidence checkpoints to the data space authority, which countersigns and timestamps them
// (catalog/authority/checkpoints.ts). Each checkpoint goes with a consistency proof from the last one the
// authority countersigned for our log; when we do not know that size (first publication since start), the
// authority's 409 names it and we send the proof from there. The countersignature is verified and stored
// with the checkpoint (EvidenceLog.recordCountersignature), so exports and proofs carry it.

import { checkpointBody } from '../evidence/checkpoint/types.js';
import type { CountersignedCheckpoint, EvidenceLog, KeyLookup, StoredCheckpoint } from '../evidence/index.js';
import { createIdToken, type DidSigner } from '../identity/index.js';

export const AUTHORITY_CHECKPOINTS_PATH = '/authority/v1/checkpoints';

export class CheckpointPublishError extends Error {
  override readonly name = 'CheckpointPublishError';

  constructor(
    message: string,
    /** The HTTP status the authority answered (0: unreachable). */
    readonly status: number,
  ) {
    super(message);
  }
}

export interface CheckpointPublisherOptions {
  readonly log: EvidenceLog;
  /** The authority's base URL, and its DID (the audience of our proof of control). */
  readonly authorityUrl: string;
  readonly authorityDid: () => Promise<string>;
  readonly signer: () => DidSigner;
  /** Verifies the authority's countersignature (resolverKeys over the connector's resolver). */
  readonly keys: KeyLookup;
  readonly fetch?: typeof fetch;
  /** Per request (default 15 s). */
  readonly timeoutMs?: number;
}

interface Problem {
  readonly code?: string;
  readonly detail?: string;
  readonly type?: string;
  readonly lastCheckpoint?: { readonly size?: unknown };
}

export class CheckpointPublisher {
  /** The size of the last checkpoint the authority countersigned for us, as far as we know. */
  private countersignedSize: number | undefined;

  constructor(private readonly options: CheckpointPublisherOptions) {}

  /** Publishes `checkpoint` and stores the countersignature; returns the checkpoint as now stored. */
  async publish(checkpoint: StoredCheckpoint): Promise<StoredCheckpoint> {
    const first = await this.send(checkpoint, this.countersignedSize);
    let answer = first;
    if (first.status === 409 && typeof first.problem?.lastCheckpoint?.size === 'number') {
      const size = first.problem.lastCheckpoint.size;
      if (size > checkpoint.size) {
        throw new CheckpointPublishError(
          `the authority already countersigned a checkpoint of size ${size}, larger than this one (${checkpoint.size})`,
          409,
        );
      }
      answer = await this.send(checkpoint, size);
    }
    if (answer.countersigned === undefined) {
      const detail = answer.problem?.detail ?? `HTTP ${answer.status}`;
      throw new CheckpointPublishError(
        `the authority did not countersign checkpoint ${checkpoint.size}: ${detail}`,
        answer.status,
      );
    }
    const stored = await this.options.log.recordCountersignature(answer.countersigned, this.options.keys);
    this.countersignedSize = checkpoint.size;
    return stored;
  }

  private async send(
    checkpoint: StoredCheckpoint,
    fromSize: number | undefined,
  ): Promise<{ status: number; countersigned?: CountersignedCheckpoint; problem?: Problem }> {
    const { options } = this;
    const consistency =
      fromSize === undefined || fromSize > checkpoint.size
        ? undefined
        : { fromSize, proof: (await options.log.consistencyProof(fromSize, checkpoint.size)).path };
    const audience = await options.authorityDid();
    const { token } = await createIdToken({ signer: options.signer(), audience, lifetimeSeconds: 120 });
    let response: Response;
    try {
      response = await (options.fetch ?? fetch)(
        `${options.authorityUrl.replace(/\/+$/, '')}${AUTHORITY_CHECKPOINTS_PATH}`,
        {
          method: 'POST',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
          body: JSON.stringify({
            checkpoint: { ...checkpointBody(checkpoint), signature: checkpoint.signature },
            ...(consistency ? { consistency } : {}),
          }),
          signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
        },
      );
    } catch (error) {
      throw new CheckpointPublishError(
        `cannot reach the authority at ${options.authorityUrl} (${(error as Error).message})`,
        0,
      );
    }
    const text = await response.text();
    let body: unknown;
    try {
      body = text ? JSON.parse(text) : undefined;
    } catch {
      body = undefined;
    }
    if (response.ok) {
      const countersigned = (body as { checkpoint?: CountersignedCheckpoint } | undefined)?.checkpoint;
      return countersigned === undefined
        ? { status: response.status, problem: { detail: 'the answer holds no checkpoint' } }
        : { status: response.status, countersigned };
    }
    return { status: response.status, problem: (body ?? { detail: text.slice(0, 300) }) as Problem };
  }
}
