// Fixtures for the evidence tests: logs in real SQLite files in temp directories, signing parties with
// did:web identities (from the identity fixtures), and a naive Merkle tree written straight from the RFC
// 9162 definitions, used as the independent reference the log is compared with.
import { createHash } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDidDocument } from '../../connector/identity/index.js';
import {
  EVIDENCE_MIGRATIONS,
  EvidenceLog,
  type EvidenceEntry,
  type EvidenceHash,
} from '../../connector/evidence/index.js';
import type { Store } from '../../connector/store/database.js';
import { openTestStore } from '../support/store.js';
import {
  createParty,
  FakeWeb,
  rejectsWithCode,
  removeTempDirs,
  TestClock,
  type Party,
} from '../identity/helpers.js';

export { FakeWeb, TestClock, createParty, rejectsWithCode, type Party };

const dirs: string[] = [];
const databases: Store[] = [];

export async function tempFile(name = 'evidence.sqlite'): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'shuyu-evidence-'));
  dirs.push(dir);
  return join(dir, name);
}

export async function openDatabase(file: string): Promise<Store> {
  const db = await openTestStore(file, EVIDENCE_MIGRATIONS);
  databases.push(db);
  return db;
}

export interface TestLog {
  readonly db: Store;
  readonly log: EvidenceLog;
  readonly file: string;
}

export const LOG_DID = 'did:web:connector-a.example';

export async function openTestLog(
  options: { file?: string; logId?: string; clock?: TestClock; hash?: EvidenceHash } = {},
): Promise<TestLog> {
  const file = options.file ?? (await tempFile());
  const db = await openDatabase(file);
  const log = await EvidenceLog.open(db, {
    logId: options.logId ?? LOG_DID,
    ...(options.hash ? { hash: options.hash } : {}),
    ...(options.clock ? { clock: options.clock.now } : {}),
  });
  return { db, log, file };
}

export async function cleanUp(): Promise<void> {
  await Promise.all(databases.splice(0).map((db) => db.close().catch(() => undefined)));
  await Promise.all(dirs.splice(0).map((dir) => rm(dir, { recursive: true, force: true })));
  await removeTempDirs();
}

/** Sample data of the kinds the connector logs, varied by n. */
export function sampleEvent(n: number): { kind: string; subject: string; data: object } {
  const kinds = ['agreement', 'agreement-verification', 'transfer-state', 'data-access', 'duty'];
  return {
    kind: kinds[n % kinds.length] as string,
    subject: `urn:uuid:transfer-${n % 7}`,
    data: {
      n,
      state: n % 2 === 0 ? 'STARTED' : 'COMPLETED',
      bytes: n * 1024,
      note: `事件 ${n}`,
      ratio: n / 3,
    },
  };
}

/** Appends `count` sample entries, `batch` per transaction (1: each commits on its own). */
export async function appendSamples(t: TestLog, count: number, batch = 1): Promise<EvidenceEntry[]> {
  const out: EvidenceEntry[] = [];
  const start = await t.log.size();
  for (let i = 0; i < count; i += batch) {
    const events = Array.from({ length: Math.min(batch, count - i) }, (_, j) => sampleEvent(start + i + j));
    if (batch === 1) {
      for (const e of events) out.push(await t.log.append(e.kind, e.subject, e.data));
      continue;
    }
    out.push(
      ...(await t.db.transaction(async (tx) => {
        const done: EvidenceEntry[] = [];
        for (const e of events) done.push(await t.log.append(e.kind, e.subject, e.data, { tx }));
        return done;
      })),
    );
  }
  return out;
}

// ---- the naive reference, straight from RFC 9162 §2.1.1 ----

/** Node's name of the hash: 'sha256' (the default) or 'sm3'. */
export type NaiveHash = 'sha256' | 'sm3';

const digest = (alg: NaiveHash, ...parts: Buffer[]): Buffer => {
  const h = createHash(alg);
  for (const p of parts) h.update(p);
  return h.digest();
};

export function naiveLeaf(bytes: Buffer, alg: NaiveHash = 'sha256'): Buffer {
  return digest(alg, Buffer.from([0]), bytes);
}

/** MTH(D[n]) over leaf hashes, by the RFC's recursive definition. */
export function naiveRoot(leaves: readonly Buffer[], alg: NaiveHash = 'sha256'): Buffer {
  if (leaves.length === 0) return digest(alg);
  if (leaves.length === 1) return leaves[0] as Buffer;
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return digest(alg, Buffer.from([1]), naiveRoot(leaves.slice(0, k), alg), naiveRoot(leaves.slice(k), alg));
}

/** PATH(m, D[n]) by the RFC's definition. */
export function naivePath(m: number, leaves: readonly Buffer[], alg: NaiveHash = 'sha256'): Buffer[] {
  if (leaves.length <= 1) return [];
  let k = 1;
  while (k * 2 < leaves.length) k *= 2;
  return m < k
    ? [...naivePath(m, leaves.slice(0, k), alg), naiveRoot(leaves.slice(k), alg)]
    : [...naivePath(m - k, leaves.slice(k), alg), naiveRoot(leaves.slice(0, k), alg)];
}

/** PROOF(m, D[n]) = SUBPROOF(m, D[n], true) by the RFC's definition. */
export function naiveConsistency(m: number, leaves: readonly Buffer[], alg: NaiveHash = 'sha256'): Buffer[] {
  const sub = (first: number, d: readonly Buffer[], whole: boolean): Buffer[] => {
    if (first === d.length) return whole ? [] : [naiveRoot(d, alg)];
    let k = 1;
    while (k * 2 < d.length) k *= 2;
    return first <= k
      ? [...sub(first, d.slice(0, k), whole), naiveRoot(d.slice(k), alg)]
      : [...sub(first - k, d.slice(k), false), naiveRoot(d.slice(0, k), alg)];
  };
  return m === 0 || m === leaves.length ? [] : sub(m, leaves, true);
}

/** The party's current DID document, as the connector would record it with a checkpoint. */
export function didDocumentOf(party: Party): object {
  return buildDidDocument({ did: party.did, keys: party.keys.publishedKeys });
}
