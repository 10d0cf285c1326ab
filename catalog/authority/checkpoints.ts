// Countersigning members' evidence checkpoints (connector/evidence/README.md, "What the authority does"):
//
//   POST /authority/v1/checkpoints          a member publishes a checkpoint of its evidence log
//        (DID proof)                        { checkpoint, consistency?: { fromSize, proof } }
//                                           201 the checkpoint with the authority's timestamped countersignature
//   GET  /authority/v1/checkpoints/latest?logId=DID
//        (public)                           the last checkpoint countersigned for that log
//
// Only an active member may publish, and only checkpoints of its own log (logId = its DID). The authority
// verifies the log's signature, then compares the checkpoint with the last one it countersigned for that
// log: the member must send a consistency proof from that size (409 `consistency-proof-required` names it),
// and a fork (same size, another root), a rollback (smaller) or a bad proof is refused (409
// `checkpoint-fork`). So once the authority has countersigned a tree head, the member cannot show anyone a
// history that does not extend it without the two signatures contradicting each other. In a data space on
// SM2/SM3 (authority.json `evidence.algorithms: "sm"`) the authority countersigns with its SM2 key and takes
// only SM3 tree heads signed with SM2 (400 `checkpoint-algorithm` otherwise).
//
// Mounted by catalog/authority/process.ts with AUTHORITY_CHECKPOINT_MIGRATIONS on the authority's database.

import { Router, type Request, type RequestHandler, type Response } from 'express';
import { didProofOf, requireDidProof } from '../../connector/http/caller-auth.js';
import { HttpProblem, problemBody } from '../../connector/http/problem.js';
import {
  checkpointSignerFor,
  countersignCheckpoint,
  EvidenceError,
  SM2_JWS_ALG,
  type EvidenceAlgorithms,
  isHexHash,
  resolverKeys,
  type CountersignedCheckpoint,
  type HexHash,
} from '../../connector/evidence/index.js';
import { checkpointShapeProblem } from '../../connector/evidence/checkpoint/verify.js';
import { checkpointBody } from '../../connector/evidence/checkpoint/types.js';
import {
  systemClock,
  type Clock,
  type DidResolver,
  type ProcessIdentity,
  type ReplayCache,
} from '../../connector/identity/index.js';
import type { Store, Migration, Queries } from '../../connector/store/database.js';
import { AUTHORITY_API_PREFIX, type AuthorityService } from './service.js';

export const CHECKPOINTS_PATH = `${AUTHORITY_API_PREFIX}/checkpoints`;

export const AUTHORITY_CHECKPOINT_MIGRATIONS: readonly Migration[] = [
  {
    id: 'authority-checkpoints/1',
    sql: `
      CREATE TABLE authority_checkpoint (
        id INTEGER PRIMARY KEY,
        log_id TEXT NOT NULL,
        size INTEGER NOT NULL CHECK (size >= 0),
        root TEXT NOT NULL,
        time TEXT NOT NULL,
        signature TEXT NOT NULL,
        countersignature TEXT NOT NULL,
        countersigned_at TEXT NOT NULL
      );
      CREATE INDEX authority_checkpoint_log ON authority_checkpoint (log_id, id);
    `,
  },
  {
    // The log's hash function when it is not SHA-256 (so 'sm3'); part of what the log signed.
    id: 'authority-checkpoints/2',
    sql: `ALTER TABLE authority_checkpoint ADD COLUMN hash TEXT CHECK (hash IS NULL OR hash = 'sm3');`,
  },
];

/** Longest consistency proof accepted (a proof has at most about 2 log2(size) hashes). */
const MAX_PROOF_LENGTH = 128;

interface Row {
  log_id: string;
  size: number;
  root: string;
  time: string;
  signature: string;
  countersignature: string;
  countersigned_at: string;
  hash: string | null;
}

/** The checkpoints this authority countersigned, newest last per log. */
export class CountersignedCheckpointStore {
  constructor(
    private readonly db: Store,
    private readonly authorityDid: string,
  ) {}

  async latest(logId: string, tx?: Queries): Promise<CountersignedCheckpoint | undefined> {
    const row = await (tx ?? this.db).get<Row>(
      'SELECT * FROM authority_checkpoint WHERE log_id = ? ORDER BY id DESC LIMIT 1',
      [logId],
    );
    return row === undefined ? undefined : this.toCheckpoint(row);
  }

  /** Stores a checkpoint with our countersignature, unless another one was stored for the log meanwhile. */
  async add(countersigned: CountersignedCheckpoint, previousSignature: string | undefined): Promise<boolean> {
    const ours = countersigned.countersignatures.find((c) => c.authority === this.authorityDid);
    if (ours === undefined) throw new Error('the checkpoint carries no countersignature of this authority');
    return this.db.transaction(async (tx) => {
      const latest = await this.latest(countersigned.logId, tx);
      if (latest?.signature !== previousSignature) return false;
      await tx.run(
        `INSERT INTO authority_checkpoint
           (log_id, size, root, time, signature, countersignature, countersigned_at, hash)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
        [
          countersigned.logId,
          countersigned.size,
          countersigned.root,
          countersigned.time,
          countersigned.signature,
          ours.signature,
          ours.time,
          countersigned.hash === 'sm3' ? 'sm3' : null,
        ],
      );
      return true;
    });
  }

  private toCheckpoint(row: Row): CountersignedCheckpoint {
    return {
      logId: row.log_id,
      size: row.size,
      root: row.root,
      time: row.time,
      ...(row.hash === 'sm3' ? { hash: 'sm3' as const } : {}),
      signature: row.signature,
      countersignatures: [
        { authority: this.authorityDid, time: row.countersigned_at, signature: row.countersignature },
      ],
    };
  }
}

export interface CheckpointRoutesOptions {
  readonly service: AuthorityService;
  /** The authority's identity: its key countersigns. */
  readonly identity: ProcessIdentity;
  /** Opened with AUTHORITY_CHECKPOINT_MIGRATIONS. */
  readonly db: Store;
  /** Resolves members' DIDs (their proofs of control and their checkpoint keys). */
  readonly resolver: DidResolver;
  /** Share the one of the authority's other DID-proof routes, so a token is used once across them. */
  readonly replayCache: ReplayCache;
  readonly clock?: Clock;
  /** The data space's evidence algorithms (default "default"): what the authority countersigns with and accepts. */
  readonly algorithms?: EvidenceAlgorithms;
}

interface Consistency {
  readonly fromSize: number;
  readonly proof: readonly HexHash[];
}

function invalid(pointer: string, reason: string): HttpProblem {
  return new HttpProblem(
    400,
    'invalid-body',
    `The checkpoint publication is not valid: ${pointer} ${reason}.`,
    [{ pointer, reason }],
  );
}

function readBody(body: unknown): { checkpoint: CountersignedCheckpoint; consistency?: Consistency } {
  if (body === null || typeof body !== 'object' || Array.isArray(body)) {
    throw invalid('', 'must be a JSON object {checkpoint, consistency?}');
  }
  const { checkpoint, consistency } = body as { checkpoint?: unknown; consistency?: unknown };
  const shape = checkpointShapeProblem(checkpoint);
  if (shape !== undefined) throw invalid('/checkpoint', shape.replace(/^it /, ''));
  if (consistency === undefined) return { checkpoint: checkpoint as CountersignedCheckpoint };
  const c = consistency as { fromSize?: unknown; proof?: unknown } | null;
  if (c === null || typeof c !== 'object') throw invalid('/consistency', 'must be {fromSize, proof}');
  if (typeof c.fromSize !== 'number' || !Number.isSafeInteger(c.fromSize) || c.fromSize < 0) {
    throw invalid('/consistency/fromSize', 'must be a non-negative integer');
  }
  if (!Array.isArray(c.proof) || c.proof.length > MAX_PROOF_LENGTH || !c.proof.every(isHexHash)) {
    throw invalid('/consistency/proof', 'must be a list of hashes in lowercase hex');
  }
  return {
    checkpoint: checkpoint as CountersignedCheckpoint,
    consistency: { fromSize: c.fromSize, proof: c.proof as HexHash[] },
  };
}

/** 409 naming the last checkpoint we countersigned, which the next proof must start from. */
function sendProofRequired(res: Response, last: CountersignedCheckpoint, why: string): void {
  const problem = new HttpProblem(
    409,
    'consistency-proof-required',
    `${why}: send a consistency proof from size ${last.size}, the last checkpoint of this log the authority countersigned.`,
  );
  res
    .status(409)
    .type('application/problem+json')
    .send(
      JSON.stringify({
        ...problemBody(problem),
        lastCheckpoint: { size: last.size, root: last.root, time: last.time },
      }),
    );
}

/** In a data space on SM2/SM3, a checkpoint must be an SM3 tree head signed with SM2. */
function requireSm(checkpoint: CountersignedCheckpoint): void {
  let alg: unknown;
  try {
    alg = (
      JSON.parse(Buffer.from(checkpoint.signature.split('.')[0] ?? '', 'base64url').toString('utf8')) as {
        alg?: unknown;
      }
    ).alg;
  } catch {
    alg = undefined;
  }
  if (checkpoint.hash !== 'sm3' || alg !== SM2_JWS_ALG) {
    throw new HttpProblem(
      400,
      'checkpoint-algorithm',
      `This data space keeps evidence with SM3 and SM2; the checkpoint is hashed with ${checkpoint.hash ?? 'sha-256'} ` +
        `and signed with ${String(alg)}. Set "evidence": { "algorithms": "sm" } in connector.json and start a new log.`,
    );
  }
}

/** The authority's checkpoint routes (see the top of this file). */
export function checkpointRoutes(options: CheckpointRoutesOptions): Router {
  const { service, identity, resolver } = options;
  const algorithms = options.algorithms ?? 'default';
  const router = Router();
  const store = new CountersignedCheckpointStore(options.db, identity.did);
  const keys = resolverKeys(resolver);
  const didProof = requireDidProof({ resolver, audience: service.did, replayCache: options.replayCache });
  // One publication per log at a time: each is compared with the one countersigned before it.
  const queues = new Map<string, Promise<unknown>>();
  const serial = <T>(logId: string, work: () => Promise<T>): Promise<T> => {
    const previous = queues.get(logId) ?? Promise.resolve();
    const run = previous.then(work, work);
    const settled = run.catch(() => undefined);
    queues.set(logId, settled);
    void settled.then(() => queues.get(logId) === settled && queues.delete(logId));
    return run;
  };

  const activeMember = async (did: string): Promise<void> => {
    let state: string;
    try {
      state = (await service.member(did)).state;
    } catch (error) {
      if (error instanceof HttpProblem && error.status === 404) {
        throw new HttpProblem(403, 'not-a-member', `${did} is not a member of this data space.`);
      }
      throw error;
    }
    if (state !== 'active') {
      throw new HttpProblem(
        403,
        'member-not-active',
        `${did} is ${state}; only active members' checkpoints are countersigned.`,
      );
    }
  };

  const publish: RequestHandler = async (req: Request, res: Response) => {
    const caller = didProofOf(res).caller;
    await activeMember(caller);
    const { checkpoint, consistency } = readBody(req.body);
    if (checkpoint.logId !== caller) {
      throw new HttpProblem(
        403,
        'not-your-log',
        `You are ${caller}; only the log ${checkpoint.logId} itself may publish its checkpoints.`,
      );
    }
    if (algorithms === 'sm') requireSm(checkpoint);
    await serial(checkpoint.logId, async () => {
      const last = await store.latest(checkpoint.logId);
      if (last !== undefined && last.size === checkpoint.size && last.root === checkpoint.root) {
        // Published again (an answer that got lost): the countersignature already given.
        res.status(200).json({ checkpoint: last });
        return;
      }
      if (last !== undefined && consistency?.fromSize !== last.size) {
        sendProofRequired(
          res,
          last,
          consistency === undefined
            ? 'No consistency proof was sent'
            : `The proof starts at size ${consistency.fromSize}`,
        );
        return;
      }
      let countersigned: CountersignedCheckpoint;
      try {
        const plain = { ...checkpointBody(checkpoint), signature: checkpoint.signature };
        countersigned = await countersignCheckpoint(plain, checkpointSignerFor(algorithms, identity), {
          keys,
          ...(options.clock ? { clock: options.clock } : { clock: systemClock }),
          ...(last !== undefined && consistency !== undefined
            ? { previous: { checkpoint: last, proof: consistency.proof } }
            : {}),
        });
      } catch (error) {
        if (!(error instanceof EvidenceError)) throw error;
        if (error.code === 'ERR_EVIDENCE_FORK') throw new HttpProblem(409, 'checkpoint-fork', error.message);
        throw new HttpProblem(400, 'checkpoint-signature-invalid', error.message);
      }
      if (!(await store.add(countersigned, last?.signature))) {
        throw new HttpProblem(
          409,
          'checkpoint-conflict',
          'Another checkpoint of this log was published meanwhile; retry.',
        );
      }
      res.status(201).json({ checkpoint: countersigned });
    });
  };

  router.post(CHECKPOINTS_PATH, didProof, publish);

  router.get(`${CHECKPOINTS_PATH}/latest`, (async (req: Request, res: Response) => {
    const logId = req.query.logId;
    if (typeof logId !== 'string' || logId === '') {
      throw new HttpProblem(400, 'invalid-query', 'Name the log: ?logId=<the member DID>.', [
        { pointer: 'logId', reason: 'is required' },
      ]);
    }
    const last = await store.latest(logId);
    if (last === undefined) {
      throw new HttpProblem(404, 'not-found', `No checkpoint of ${logId} has been countersigned here.`);
    }
    res.json({ checkpoint: last });
  }) as RequestHandler);

  return router;
}
