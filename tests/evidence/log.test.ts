import { expect } from 'chai';
import { EvidenceLog, exportEvidence, verifyEvidenceExport } from '../../connector/evidence/index.js';
import { Database } from '../../connector/store/database.js';
import {
  appendSamples,
  cleanUp,
  LOG_DID,
  openDatabase,
  openTestLog,
  rejectsWithCode,
  TestClock,
  type TestLog,
} from './helpers.js';

describe('evidence: the log over SQLite', () => {
  let t: TestLog;
  beforeEach(async () => {
    t = await openTestLog({ clock: new TestClock() });
  });
  afterEach(cleanUp);

  it('appends entries with seq, time, kind, subject, canonical data and hashes', async () => {
    const e = await t.log.append('agreement', 'urn:uuid:agreement-1', {
      provider: 'did:web:provider.example',
      dropped: undefined,
      signatures: { provider: 'eyJ...', consumer: 'eyJ...' },
    });
    expect(e).to.include({
      seq: 0,
      at: '2026-03-01T08:00:00.000Z',
      kind: 'agreement',
      subject: 'urn:uuid:agreement-1',
    });
    expect(e.data).to.deep.equal({
      provider: 'did:web:provider.example',
      signatures: { consumer: 'eyJ...', provider: 'eyJ...' },
    });
    expect(e.prevHash).to.equal('0'.repeat(64));
    expect(e.leafHash).to.match(/^[0-9a-f]{64}$/);
    expect(await t.log.entry(0)).to.deep.equal(e);
    expect(await t.log.entry(1)).to.equal(undefined);
    const next = await t.log.append('transfer-state', 'urn:uuid:transfer-1', { state: 'STARTED' });
    expect(next.prevHash).to.equal(e.leafHash);
    expect(await t.log.size()).to.equal(2);
  });

  it('refuses bad kinds, subjects and data with ERR_EVIDENCE_INPUT_INVALID', async () => {
    await rejectsWithCode(t.log.append('Agreement!', 's', {}), 'ERR_EVIDENCE_INPUT_INVALID');
    await rejectsWithCode(t.log.append('duty', '', {}), 'ERR_EVIDENCE_INPUT_INVALID');
    await rejectsWithCode(t.log.append('duty', 'x'.repeat(513), {}), 'ERR_EVIDENCE_INPUT_INVALID');
    await rejectsWithCode(t.log.append('duty', 's', { at: new Date() }), 'ERR_EVIDENCE_INPUT_INVALID');
    await rejectsWithCode(t.log.append('duty', 's', { n: NaN }), 'ERR_EVIDENCE_INPUT_INVALID');
    await rejectsWithCode(
      t.log.append('duty', 's', { blob: 'x'.repeat(300 * 1024) }),
      'ERR_EVIDENCE_INPUT_INVALID',
    );
    expect(await t.log.size()).to.equal(0);
  });

  it('commits an append with the caller’s own write, and rolls both back together', async () => {
    await t.db.exec('CREATE TABLE transfer (id TEXT PRIMARY KEY, state TEXT NOT NULL)');
    await t.db.transaction(async (tx) => {
      await tx.run("INSERT INTO transfer VALUES ('t1', 'STARTED')");
      await t.log.append('transfer-state', 't1', { state: 'STARTED' }, { tx });
    });
    const failure = await t.db
      .transaction(async (tx) => {
        await tx.run("UPDATE transfer SET state = 'COMPLETED' WHERE id = 't1'");
        await t.log.append('transfer-state', 't1', { state: 'COMPLETED' }, { tx });
        throw new Error('the state change failed after its evidence was appended');
      })
      .catch((e: Error) => e.message);
    expect(failure).to.contain('state change failed');
    expect(await t.db.get<{ state: string }>("SELECT state FROM transfer WHERE id = 't1'")).to.deep.equal({
      state: 'STARTED',
    });
    expect(await t.log.size()).to.equal(1);
    // The tree is rolled back too: the next append gets seq 1 and everything still verifies.
    const next = await t.log.append('transfer-state', 't1', { state: 'COMPLETED' });
    expect(next.seq).to.equal(1);
    expect((await verifyEvidenceExport(await exportEvidence(t.log))).ok).to.equal(true);
  });

  it('serialises concurrent appends into one unbroken chain', async () => {
    const appended = await Promise.all(
      Array.from({ length: 60 }, (_, i) => t.log.append('data-access', `urn:uuid:t${i % 3}`, { i })),
    );
    expect(appended.map((e) => e.seq).sort((a, b) => a - b)).to.deep.equal(
      Array.from({ length: 60 }, (_, i) => i),
    );
    const report = await verifyEvidenceExport(await exportEvidence(t.log));
    expect(report.ok, JSON.stringify(report.firstFailure)).to.equal(true);
    expect(report.checked.entries).to.equal(60);
  });

  it('filters entries by subject, kind and range', async () => {
    await appendSamples(t, 30, 10);
    const bySubject = await t.log.entries({ subject: 'urn:uuid:transfer-3' });
    expect(bySubject.map((e) => e.seq)).to.deep.equal([3, 10, 17, 24]);
    const byKind = await t.log.entries({ kind: 'duty', from: 5, limit: 2 });
    expect(byKind.map((e) => e.seq)).to.deep.equal([9, 14]);
    expect((await t.log.entries({ from: 10, to: 13 })).map((e) => e.seq)).to.deep.equal([10, 11, 12]);
  });

  it('keeps the log across reopening, and refuses a database of another log', async () => {
    await appendSamples(t, 5);
    const root = await t.log.root();
    await t.db.close();
    const again = await openTestLog({ file: t.file });
    expect(await again.log.size()).to.equal(5);
    expect(await again.log.root()).to.equal(root);
    const db = await openDatabase(t.file);
    await rejectsWithCode(
      EvidenceLog.open(db, { logId: 'did:web:someone-else.example' }),
      'ERR_EVIDENCE_LOG_ID_MISMATCH',
    );
    await rejectsWithCode(EvidenceLog.open(db, { logId: 'not a did' }), 'ERR_EVIDENCE_INPUT_INVALID');
  });

  it('says what to do when the database lacks the evidence tables', async () => {
    const plain = await Database.open(`${t.file}.plain`);
    try {
      const error = await rejectsWithCode(
        EvidenceLog.open(plain, { logId: LOG_DID }),
        'ERR_EVIDENCE_NOT_MIGRATED',
      );
      expect(error.message).to.contain('EVIDENCE_MIGRATIONS');
    } finally {
      await plain.close();
    }
  });

  it('refuses updates, deletes, gaps and broken links at the database level', async () => {
    await appendSamples(t, 4);
    const last = (await t.log.entry(3))?.leafHash as string;
    await t.db.run(
      "INSERT INTO evidence_checkpoint (log_id, size, root, time, signature) VALUES (?, 4, 'r', 't', 's')",
      [LOG_DID],
    );
    for (const [sql, params] of [
      ["UPDATE evidence_entry SET data = '{}' WHERE seq = 1", []],
      ['DELETE FROM evidence_entry WHERE seq = 3', []],
      ['UPDATE evidence_checkpoint SET root = ?', ['x']],
      [
        "INSERT INTO evidence_entry VALUES (9, 'x', 'duty', 's', '{}', ?, ?, ?)",
        [Buffer.from(last, 'hex'), Buffer.alloc(32), Buffer.alloc(0)],
      ],
      [
        "INSERT INTO evidence_entry VALUES (4, 'x', 'duty', 's', '{}', ?, ?, ?)",
        [Buffer.alloc(32), Buffer.alloc(32), Buffer.alloc(0)],
      ],
    ] as const) {
      const message = await t.db.run(sql, [...params]).then(
        () => 'accepted',
        (e: Error) => e.message,
      );
      expect(message, sql).to.match(/append-only|in sequence/);
    }
    const report = await verifyEvidenceExport(await exportEvidence(t.log));
    expect(report.checks.find((c) => c.name === 'entries')?.status).to.equal('ok');
    expect(report.checked.entries).to.equal(4);
  });

  it('keeps one chain with several appends in flight in one transaction, and two log objects on one file', async () => {
    await t.db.transaction(async (tx) => {
      await Promise.all(Array.from({ length: 10 }, (_, i) => t.log.append('duty', 's', { i }, { tx })));
    });
    const other = await EvidenceLog.open(t.db, { logId: LOG_DID });
    for (let i = 0; i < 10; i++) {
      // Each object's cached tree edge is stale after the other's append; the database catches it.
      await (i % 2 === 0 ? t.log : other).append('duty', 's', { i });
    }
    const report = await verifyEvidenceExport(await exportEvidence(other));
    expect(report.ok, JSON.stringify(report.firstFailure)).to.equal(true);
    expect(report.checked.entries).to.equal(20);
  });
});
