// kill -9 in the middle of a stream of appends: everything acknowledged survives, nothing half-written
// remains (no entry without its tree nodes, no transaction half-applied), and the log carries on.
import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import {
  EvidenceLog,
  exportEvidence,
  formatVerificationReport,
  verifyEvidenceExport,
} from '../../connector/evidence/index.js';
import { cleanUp, naiveRoot, openDatabase, tempFile } from './helpers.js';

describe('evidence: crash safety', () => {
  after(cleanUp);

  it('after kill -9 during appends, the log verifies, keeps every acknowledged entry and has no partial one', async () => {
    const file = await tempFile();
    const fixture = fileURLToPath(new URL('./fixtures/append-process.ts', import.meta.url));
    const child = spawn(process.execPath, ['--import', 'tsx', fixture, file], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let acknowledged = -1;
    let errors = '';
    let buffered = '';
    child.stderr.on('data', (c: Buffer) => (errors += c.toString()));
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no progress from the child: ${errors}`)), 15_000);
      child.stdout.on('data', (c: Buffer) => {
        buffered += c.toString();
        const lines = buffered.split('\n');
        buffered = lines.pop() ?? '';
        for (const line of lines) acknowledged = Math.max(acknowledged, Number(line));
        if (acknowledged >= 600) {
          clearTimeout(timer);
          resolve();
        }
      });
      void exited.then(() => reject(new Error(`the child exited early: ${errors}`)));
    });
    child.kill('SIGKILL');
    await exited;

    const db = await openDatabase(file);
    const log = await EvidenceLog.open(db, { logId: 'did:web:connector-a.example' });
    const size = await log.size();
    expect(size).to.be.greaterThan(acknowledged);

    const report = await verifyEvidenceExport(await exportEvidence(log));
    expect(report.ok, formatVerificationReport(report)).to.equal(true);
    expect(report.checked.entries).to.equal(size);

    // Transactions are all or nothing: every batched entry has its state row and vice versa, ten per batch.
    const batched = await db.all<{ seq: number }>(
      "SELECT seq FROM evidence_entry WHERE kind = 'transfer-state'",
    );
    const states = await db.all<{ seq: number }>('SELECT seq FROM transfer_state ORDER BY seq');
    expect(states.map((r) => r.seq)).to.deep.equal(batched.map((r) => r.seq));
    expect(batched.length % 10).to.equal(0);

    // The stored tree matches the entries: roots from stored nodes equal the naive root at several sizes.
    const leaves = (await log.entries({ limit: size })).map((e) => Buffer.from(e.leafHash, 'hex'));
    for (const n of [1, 2, 3, 64, 100, size - 1, size]) {
      expect(await log.root(n), `size ${n}`).to.equal(naiveRoot(leaves.slice(0, n)).toString('hex'));
    }
    expect((await log.inclusionProof(size - 1)).treeSize).to.equal(size);

    // And it carries on where it stopped.
    const next = await log.append('duty', 'urn:uuid:after-crash', { ok: true });
    expect(next.seq).to.equal(size);
    expect((await verifyEvidenceExport(await exportEvidence(log))).ok).to.equal(true);
  });
});
