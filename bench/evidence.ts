// Evidence log throughput: appends (alone and 100 per transaction) beside a plain INSERT of the same rows,
// proofs at 100k entries beside recomputing the root from all leaves, proof verification beside bare
// SHA-256 of the same node bytes, and export + offline verification of the whole log.

import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  EVIDENCE_MIGRATIONS,
  EvidenceLog,
  MerkleAccumulator,
  exportEvidence,
  verifyConsistency,
  verifyEvidenceExport,
  verifyInclusion,
} from '../connector/evidence/index.js';
import {
  buildDidDocument,
  createDidSigner,
  Ed25519Key,
  type DidSigner,
} from '../connector/identity/index.js';
import { Database } from '../connector/store/database.js';
import { formatRate, measure, measureAsync, ratio, type Rate } from './harness.js';

const LOG_ID = 'did:web:bench.example';
const BIG = 100_000;

function event(n: number): { kind: string; subject: string; data: object } {
  return {
    kind: 'data-access',
    subject: `urn:uuid:transfer-${n % 97}`,
    data: { n, agreement: `urn:uuid:agreement-${n % 13}`, bytes: n * 17, range: 'bytes=0-1048575', ok: true },
  };
}

async function openLog(dir: string, name: string): Promise<{ db: Database; log: EvidenceLog }> {
  const db = await Database.open(join(dir, name), [
    ...EVIDENCE_MIGRATIONS,
    {
      id: 'bench/1',
      sql: 'CREATE TABLE plain (seq INTEGER PRIMARY KEY, at TEXT, kind TEXT, subject TEXT, data TEXT)',
    },
  ]);
  return { db, log: await EvidenceLog.open(db, { logId: LOG_ID }) };
}

async function timed(name: string, count: number, work: () => Promise<void>): Promise<Rate> {
  const t = process.hrtime.bigint();
  await work();
  const ns = Number(process.hrtime.bigint() - t);
  return { name, perSecond: (count * 1e9) / ns, nsPerOp: ns / count };
}

async function appendsInBatches(db: Database, log: EvidenceLog, count: number, batch: number): Promise<void> {
  let n = await log.size();
  for (let done = 0; done < count; done += batch) {
    await db.transaction(async (tx) => {
      for (let i = 0; i < batch; i++, n++) {
        const e = event(n);
        await log.append(e.kind, e.subject, e.data, { tx });
      }
    });
  }
}

async function plainInsertsInBatches(
  db: Database,
  count: number,
  batch: number,
  start: number,
): Promise<void> {
  let n = start;
  for (let done = 0; done < count; done += batch) {
    await db.transaction(async (tx) => {
      for (let i = 0; i < batch; i++, n++) {
        const e = event(n);
        await tx.run('INSERT INTO plain (seq, at, kind, subject, data) VALUES (?, ?, ?, ?, ?)', [
          n,
          new Date().toISOString(),
          e.kind,
          e.subject,
          JSON.stringify(e.data),
        ]);
      }
    });
  }
}

function print(rate: Rate, baseline?: Rate): void {
  console.log(formatRate(rate));
  if (baseline) {
    console.log(formatRate(baseline));
    console.log(`  ratio: ${ratio(rate, baseline)}`);
  }
}

export async function run(): Promise<void> {
  console.log('\n# Evidence log (connector/evidence/)');
  const dir = await mkdtemp(join(tmpdir(), 'shuyu-bench-evidence-'));
  try {
    const small = await openLog(dir, 'appends.sqlite');
    let plainSeq = 0;
    const single = await measureAsync(
      'append, one transaction each',
      async () => {
        const e = event(0);
        await small.log.append(e.kind, e.subject, e.data);
      },
      2000,
    );
    const singlePlain = await measureAsync(
      'plain INSERT of the same row, one transaction each (baseline)',
      () => plainInsertsInBatches(small.db, 1, 1, plainSeq++),
      2000,
    );
    print(single, singlePlain);
    const batched = await timed('append, 100 per transaction', 20_000, () =>
      appendsInBatches(small.db, small.log, 20_000, 100),
    );
    plainSeq += 100;
    const batchedPlain = await timed('plain INSERT, 100 per transaction (baseline)', 20_000, () =>
      plainInsertsInBatches(small.db, 20_000, 100, plainSeq),
    );
    print(batched, batchedPlain);
    const bytes = Buffer.from(
      JSON.stringify({ ...event(1), at: new Date().toISOString(), prevHash: '0'.repeat(64) }),
    );
    print(
      measure('SHA-256 of one entry’s bytes (the hashing floor)', () =>
        createHash('sha256').update(bytes).digest(),
      ),
    );
    await small.db.close();

    const big = await openLog(dir, 'big.sqlite');
    const build = await timed(`build a ${BIG / 1000}k-entry log (1000 per transaction)`, BIG, () =>
      appendsInBatches(big.db, big.log, BIG, 1000),
    );
    print(build);
    let seed = 7;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed % n;
    };
    const root = await big.log.root();
    const inclusion = await measureAsync(
      `inclusion proof at ${BIG / 1000}k entries`,
      () => big.log.inclusionProof(random(BIG), BIG),
      2000,
    );
    const consistency = await measureAsync(
      `consistency proof at ${BIG / 1000}k entries`,
      () => big.log.consistencyProof(1 + random(BIG - 1), BIG),
      2000,
    );
    const leaves = (await big.log.entries({ limit: BIG })).map((e) => Buffer.from(e.leafHash, 'hex'));
    const recompute = measure(
      `recompute the root from all ${BIG / 1000}k leaf hashes (what a proof would cost without stored nodes)`,
      () => {
        const acc = new MerkleAccumulator();
        for (const leaf of leaves) acc.push(leaf);
        return acc.root();
      },
      1,
    );
    print(inclusion);
    print(consistency);
    print(recompute);
    console.log(
      `  ratio: a proof from stored nodes is ${(inclusion.perSecond / recompute.perSecond).toFixed(0)}x faster than one recomputation`,
    );

    const index = 54_321;
    const proof = await big.log.inclusionProof(index, BIG);
    const leafHash = leaves[index]?.toString('hex') as string;
    const cproof = await big.log.consistencyProof(77_777, BIG);
    const root1 = await big.log.root(77_777);
    if (!verifyInclusion(leafHash, index, BIG, proof.path, root))
      throw new Error('bench proof does not verify');
    const nodes = proof.path.map((p) =>
      Buffer.concat([Buffer.from([1]), Buffer.from(p, 'hex'), Buffer.from(p, 'hex')]),
    );
    print(
      measure(`verify an inclusion proof (${proof.path.length} hashes)`, () =>
        verifyInclusion(leafHash, index, BIG, proof.path, root),
      ),
      measure(`${nodes.length} bare SHA-256 of 65-byte nodes (baseline)`, () => {
        for (const node of nodes) createHash('sha256').update(node).digest();
      }),
    );
    print(
      measure(`verify a consistency proof (${cproof.path.length} hashes)`, () =>
        verifyConsistency(77_777, BIG, cproof.path, root1, root),
      ),
    );

    const signer = await benchSigner();
    await big.log.checkpoint(signer.signer, { didDocument: signer.didDocument });
    const exported = await timed(`export all ${BIG / 1000}k entries`, BIG, async () => {
      await exportEvidence(big.log);
    });
    const doc = await exportEvidence(big.log);
    const verified = await timed(`verify the export offline (entries/s)`, BIG, async () => {
      const report = await verifyEvidenceExport(doc);
      if (!report.ok) throw new Error('bench export does not verify');
    });
    print(exported);
    print(verified);
    await big.db.close();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** A throwaway signer whose DID is the bench log's, with its DID document (for offline verification). */
async function benchSigner(): Promise<{ signer: DidSigner; didDocument: object }> {
  const key = await Ed25519Key.generate(new Date());
  return {
    signer: createDidSigner(LOG_ID, key),
    didDocument: buildDidDocument({ did: LOG_ID, keys: [key] }),
  };
}
