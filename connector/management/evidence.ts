// The evidence log and the agreements' proofs and duties through the management API (below
// /management/v1, behind its key):
//
//   GET  /evidence?subject=&kind=&from=&limit=     entries (in seq order) and the log's size; agreementId=
//                                                  (its entries and its transfers') or transferId= for subject=
//   GET  /evidence/entries/:seq                    one entry
//   GET  /evidence/entries/:seq/proof              shuyu-evidence-proof/1: inclusion proof in the latest checkpoint
//                                                  (checkpointing first when none covers the entry yet)
//   GET  /evidence/consistency?from=&to=           RFC 9162 consistency proof between two tree sizes (to: the
//                                                  latest checkpoint), with both roots and their checkpoints
//   GET  /evidence/export?from=&to=                shuyu-evidence-export/1, verifiable offline
//   GET  /evidence/checkpoints?minSize=&maxSize=   our checkpoints with the authority's countersignatures
//   POST /evidence/checkpoints                     checkpoint now (and publish), if the log grew
//   GET  /agreements/:id/duties                    the agreement's duties: the consumer's first, by deadline
//   GET  /agreements/:id/signatures                both parties' signatures of the agreement

import { Router, type ErrorRequestHandler, type Request } from 'express';
import type { AgreementSignatureStore } from '../control-plane/records.js';
import type { ObligationStore } from '../dataplane/index.js';
import {
  EvidenceError,
  exportEvidence,
  proveEntry,
  type CheckpointScheduler,
  type EvidenceLog,
} from '../evidence/index.js';
import { HttpProblem } from '../http/problem.js';
import type { NegotiationRecord, NegotiationStore } from '../negotiation/index.js';
import { optionalQuery, pathParam } from './input.js';

export interface EvidenceRoutesOptions {
  readonly log: EvidenceLog;
  readonly scheduler: CheckpointScheduler;
  readonly obligations: ObligationStore;
  readonly negotiations: NegotiationStore;
  readonly signatures: AgreementSignatureStore;
  /** The ids of our transfers under an agreement (their entries belong to the agreement's). */
  readonly transfersOf: (agreementId: string) => Promise<readonly string[]>;
}

function intQuery(req: Request, name: string): number | undefined {
  const raw = req.query[name];
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || !/^\d{1,15}$/.test(raw)) {
    throw new HttpProblem(400, 'invalid-query', `${name} must be a non-negative integer`, [
      { pointer: name, reason: `found ${JSON.stringify(raw)}` },
    ]);
  }
  return Number(raw);
}

function seqParam(req: Request): number {
  const raw = pathParam(req, 'seq');
  if (!/^\d{1,15}$/.test(raw)) {
    throw new HttpProblem(400, 'invalid-path', 'the entry number must be a non-negative integer', [
      { pointer: 'seq', reason: `found ${JSON.stringify(raw)}` },
    ]);
  }
  return Number(raw);
}

/** EvidenceErrors of a read as problems; anything else unchanged. */
function evidenceProblem(error: unknown): unknown {
  if (!(error instanceof EvidenceError)) return error;
  switch (error.code) {
    case 'ERR_EVIDENCE_OUT_OF_RANGE':
      return new HttpProblem(400, 'evidence-out-of-range', error.message);
    case 'ERR_EVIDENCE_NOT_CHECKPOINTED':
      return new HttpProblem(409, 'evidence-not-checkpointed', error.message);
    default:
      return error;
  }
}

export function evidenceRoutes(options: EvidenceRoutesOptions): Router {
  const { log, scheduler } = options;
  const router = Router();

  router.get('/evidence', async (req, res) => {
    const subject = optionalQuery(req, 'subject');
    const agreementId = optionalQuery(req, 'agreementId');
    const transferId = optionalQuery(req, 'transferId');
    const kind = optionalQuery(req, 'kind');
    const from = intQuery(req, 'from');
    const limit = Math.min(intQuery(req, 'limit') ?? 100, 1000);
    if ([subject, agreementId, transferId].filter((v) => v !== undefined).length > 1) {
      throw new HttpProblem(400, 'invalid-query', 'give one of subject, agreementId and transferId', [
        { pointer: 'agreementId', reason: 'not with subject or transferId' },
      ]);
    }
    // An agreement's entries are its own (agreement, duties), those of the negotiation that made it (its
    // states) and those of the transfers under it.
    const subjects =
      agreementId !== undefined
        ? [
            agreementId,
            ...(await options.negotiations.list({ agreementId, limit: 10 })).map((n) => n.id),
            ...(await options.transfersOf(agreementId)),
          ]
        : [subject ?? transferId].filter((s): s is string => s !== undefined);
    const query = { ...(kind !== undefined ? { kind } : {}), ...(from !== undefined ? { from } : {}), limit };
    const entries =
      subjects.length === 0
        ? await log.entries(query)
        : (await Promise.all(subjects.map((s) => log.entries({ ...query, subject: s }))))
            .flat()
            .sort((a, b) => a.seq - b.seq)
            .slice(0, limit);
    res.json({ logId: log.logId, size: await log.size(), entries });
  });

  router.get('/evidence/entries/:seq', async (req, res) => {
    const seq = seqParam(req);
    const entry = await log.entry(seq);
    if (entry === undefined)
      throw new HttpProblem(404, 'entry-not-found', `there is no evidence entry ${seq}`);
    res.json(entry);
  });

  router.get('/evidence/entries/:seq/proof', async (req, res) => {
    const seq = seqParam(req);
    if ((await log.entry(seq)) === undefined) {
      throw new HttpProblem(404, 'entry-not-found', `there is no evidence entry ${seq}`);
    }
    const latest = await log.latestCheckpoint();
    // A checkpoint covering the entry is made (and published) as the scheduler would make it.
    if (latest === undefined || latest.size <= seq) await scheduler.runOnce();
    res.json(await proveEntry(log, seq));
  });

  router.get('/evidence/consistency', async (req, res) => {
    const from = intQuery(req, 'from');
    if (from === undefined) {
      throw new HttpProblem(400, 'invalid-query', 'from (the earlier tree size) is required', [
        { pointer: 'from', reason: 'is required' },
      ]);
    }
    const to = intQuery(req, 'to') ?? (await log.latestCheckpoint())?.size ?? (await log.size());
    const proof = await log.consistencyProof(from, to);
    const at = async (size: number) => (await log.checkpoints({ minSize: size, maxSize: size }))[0] ?? null;
    res.json({
      logId: log.logId,
      fromSize: proof.fromSize,
      toSize: proof.toSize,
      fromRoot: await log.root(proof.fromSize),
      toRoot: await log.root(proof.toSize),
      path: proof.path,
      checkpoints: { from: await at(proof.fromSize), to: await at(proof.toSize) },
    });
  });

  router.get('/evidence/export', async (req, res) => {
    const from = intQuery(req, 'from');
    const to = intQuery(req, 'to');
    res.json(
      await exportEvidence(log, {
        ...(from !== undefined ? { from } : {}),
        ...(to !== undefined ? { to } : {}),
      }),
    );
  });

  router.get('/evidence/checkpoints', async (req, res) => {
    const minSize = intQuery(req, 'minSize');
    const maxSize = intQuery(req, 'maxSize');
    const checkpoints = await log.checkpoints({
      ...(minSize !== undefined ? { minSize } : {}),
      ...(maxSize !== undefined ? { maxSize } : {}),
    });
    res.json({ logId: log.logId, checkpoints });
  });

  router.post('/evidence/checkpoints', async (_req, res) => {
    const made = await scheduler.runOnce();
    const checkpoint =
      made === undefined ? await log.latestCheckpoint() : await freshCheckpoint(log, made.id);
    res
      .status(made === undefined ? 200 : 201)
      .json({ logId: log.logId, created: made !== undefined, checkpoint });
  });

  router.get('/agreements/:id/duties', async (req, res) => {
    const id = pathParam(req, 'id');
    const negotiation = await agreementOf(options.negotiations, id);
    const consumer = await options.obligations.forConsumer(id);
    const all = await options.obligations.list(id);
    res.json({
      agreementId: id,
      role: negotiation.role,
      duties: [...consumer, ...all.filter((o) => o.performer !== 'consumer')],
    });
  });

  router.get('/agreements/:id/signatures', async (req, res) => {
    const id = pathParam(req, 'id');
    const negotiation = await agreementOf(options.negotiations, id);
    const signatures = await options.signatures.get(negotiation.id);
    res.json({
      agreementId: id,
      role: negotiation.role,
      negotiationId: negotiation.id,
      digest: signatures?.digest ?? null,
      providerSignature: signatures?.providerSignature ?? null,
      consumerSignature: signatures?.consumerSignature ?? null,
    });
  });

  const errors: ErrorRequestHandler = (error, _req, _res, next) => next(evidenceProblem(error));
  router.use(errors);
  return router;
}

/** The checkpoint as stored now (with the countersignature publishing added). */
async function freshCheckpoint(log: EvidenceLog, id: number) {
  const latest = await log.latestCheckpoint();
  return latest?.id === id ? latest : ((await log.checkpoints()).find((c) => c.id === id) ?? latest);
}

async function agreementOf(negotiations: NegotiationStore, id: string): Promise<NegotiationRecord> {
  const negotiation =
    (await negotiations.findByAgreementId('consumer', id)) ??
    (await negotiations.findByAgreementId('provider', id));
  if (negotiation === undefined || negotiation.agreement === null) {
    throw new HttpProblem(404, 'agreement-not-found', `no agreement ${id}`);
  }
  return negotiation;
}

// ---- the routes above in the management API's OpenAPI document (createManagementRouter's `openApi`) ----

type Json = Record<string, unknown>;
const problem = (description: string): Json => ({
  description,
  content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
});
const ok = (description: string, schema: Json): Json => ({
  description,
  content: { 'application/json': { schema } },
});
const query = (name: string, description: string, type: 'integer' | 'string' = 'integer'): Json => ({
  name,
  in: 'query',
  required: false,
  description,
  schema: type === 'integer' ? { type: 'integer', minimum: 0 } : { type: 'string', minLength: 1 },
});
const path = (name: string, description: string, type: 'integer' | 'string' = 'string'): Json => ({
  name,
  in: 'path',
  required: true,
  description,
  schema: type === 'integer' ? { type: 'integer', minimum: 0 } : { type: 'string', minLength: 1 },
});
const OBJECT: Json = { type: 'object' };
const SEQ = path('seq', 'The entry number (0, 1, 2, ...).', 'integer');
const AGREEMENT = path('id', "The agreement's id (percent-encoded).");
const BAD = problem('Bad input: every problem with its pointer.');

/** What evidenceRoutes serves, for the management API's OpenAPI document. */
export const EVIDENCE_OPENAPI = {
  paths: {
    '/evidence': {
      get: {
        tags: ['evidence'],
        summary:
          'Evidence entries in seq order, optionally about one subject or of one kind, and the log size.',
        parameters: [
          query('subject', 'Only entries about this subject (an agreement or transfer id).', 'string'),
          query(
            'agreementId',
            "Only the agreement's entries and those of its negotiation and of our transfers under it (not with subject or transferId).",
            'string',
          ),
          query('transferId', "Only this transfer's entries (same as subject).", 'string'),
          query(
            'kind',
            'Only entries of this kind (agreement, negotiation-state, transfer-state, data-access, duty...).',
            'string',
          ),
          query('from', 'First entry number.'),
          query('limit', 'At most this many entries (default 100, at most 1000).'),
        ],
        responses: { 200: ok('The entries.', OBJECT), 400: BAD },
      },
    },
    '/evidence/entries/{seq}': {
      get: {
        tags: ['evidence'],
        summary: 'One entry.',
        parameters: [SEQ],
        responses: { 200: ok('The entry.', OBJECT), 400: BAD, 404: problem('No such entry.') },
      },
    },
    '/evidence/entries/{seq}/proof': {
      get: {
        tags: ['evidence'],
        summary:
          'A self-contained proof (shuyu-evidence-proof/1) that the entry is in the log: its inclusion proof in the latest checkpoint, verifiable offline.',
        parameters: [SEQ],
        responses: { 200: ok('The proof.', OBJECT), 400: BAD, 404: problem('No such entry.') },
      },
    },
    '/evidence/consistency': {
      get: {
        tags: ['evidence'],
        summary:
          'An RFC 9162 consistency proof between two tree sizes, with both roots and their checkpoints.',
        parameters: [
          { ...query('from', 'The earlier tree size.'), required: true },
          query('to', 'The later tree size (default: the latest checkpoint).'),
        ],
        responses: { 200: ok('The proof.', OBJECT), 400: BAD },
      },
    },
    '/evidence/export': {
      get: {
        tags: ['evidence'],
        summary:
          'The log (or a range of it) as shuyu-evidence-export/1, verifiable offline; its `hash` names the log’s hash function (sha-256, or sm3 in a data space on SM2/SM3).',
        parameters: [query('from', 'First entry (default 0).'), query('to', 'End entry, exclusive.')],
        responses: { 200: ok('The export.', OBJECT), 400: BAD },
      },
    },
    '/evidence/checkpoints': {
      get: {
        tags: ['evidence'],
        summary: 'Our signed checkpoints with the authority’s countersignatures.',
        parameters: [query('minSize', 'Smallest tree size.'), query('maxSize', 'Largest tree size.')],
        responses: { 200: ok('The checkpoints.', OBJECT), 400: BAD },
      },
      post: {
        tags: ['evidence'],
        summary: 'Makes a checkpoint now (and publishes it to the authority) if the log grew.',
        responses: {
          200: ok('Nothing new: the latest checkpoint.', OBJECT),
          201: ok('The new checkpoint.', OBJECT),
        },
      },
    },
    '/agreements/{id}/duties': {
      get: {
        tags: ['agreements'],
        summary: 'The agreement’s duties with performer, state and deadline: the consumer’s first.',
        parameters: [AGREEMENT],
        responses: { 200: ok('The duties.', OBJECT), 404: problem('No such agreement.') },
      },
    },
    '/agreements/{id}/signatures': {
      get: {
        tags: ['agreements'],
        summary: 'The canonical agreement’s digest and both parties’ signatures.',
        parameters: [AGREEMENT],
        responses: { 200: ok('The signatures.', OBJECT), 404: problem('No such agreement.') },
      },
    },
  },
} as const;
