import { expect } from 'chai';
import { resolverFor } from '../identity/helpers.js';
import {
  countersignCheckpoint,
  entryLeafHash,
  exportEvidence,
  formatVerificationReport,
  proveEntry,
  resolverKeys,
  signCheckpoint,
  verifyEntryProof,
  verifyEvidenceExport,
  type CountersignedCheckpoint,
  type EntryProofDocument,
  type EvidenceEntry,
  type EvidenceExport,
  type JsonValue,
  type VerificationReport,
} from '../../connector/evidence/index.js';
import {
  appendSamples,
  cleanUp,
  createParty,
  didDocumentOf,
  FakeWeb,
  openTestLog,
  rejectsWithCode,
  TestClock,
  type Party,
  type TestLog,
} from './helpers.js';

type Mutable<T> = { -readonly [K in keyof T]: T[K] };
type MutableExport = Omit<Mutable<EvidenceExport>, 'entries' | 'checkpoints'> & {
  entries: Mutable<EvidenceEntry>[];
  checkpoints: Mutable<CountersignedCheckpoint>[];
};

/** A deep copy through JSON, as a file would be. */
const copy = <T>(value: T): T => JSON.parse(JSON.stringify(value)) as T;

/** Recomputes an entry's leafHash after a change (an attacker covering their tracks). */
function rehash(e: Mutable<EvidenceEntry>): void {
  e.leafHash = entryLeafHash(e);
}

/** Rewrites the chain from `from` on: renumbers, relinks and rehashes (the best a forger can do). */
function rechain(entries: Mutable<EvidenceEntry>[], from: number): void {
  for (let i = from; i < entries.length; i++) {
    const e = entries[i] as Mutable<EvidenceEntry>;
    e.seq = i;
    e.prevHash = (entries[i - 1] as EvidenceEntry).leafHash;
    rehash(e);
  }
}

function expectFailure(report: VerificationReport, code: string, seq: number | null): void {
  expect(report.ok).to.equal(false);
  expect(report.firstFailure, formatVerificationReport(report)).to.include({ code, seq });
  expect(report.firstFailure?.reason).to.be.a('string').and.match(/\.$/);
}

describe('evidence: export and offline verification', () => {
  let web: FakeWeb;
  let clock: TestClock;
  let connector: Party;
  let authority: Party;
  let t: TestLog;
  let exported: EvidenceExport;

  before(async () => {
    web = new FakeWeb();
    clock = new TestClock();
    connector = await createParty(web, 'connector-a.example', clock);
    authority = await createParty(web, 'authority.example', clock);
    t = await openTestLog({ logId: connector.did, clock });
    const keys = resolverKeys(resolverFor(web, clock));
    for (const size of [10, 20, 30]) {
      await appendSamples(t, 10, 5);
      clock.advance(60_000);
      const c = await t.log.checkpoint(connector.signer, { didDocument: didDocumentOf(connector) });
      if (size === 20)
        await t.log.recordCountersignature(await countersignCheckpoint(c, authority.signer, { keys }), keys);
    }
    await appendSamples(t, 5); // 30..34 come after the latest checkpoint
    exported = copy(await exportEvidence(t.log));
  });
  after(cleanUp);

  const tamper = (change: (x: MutableExport) => void): MutableExport => {
    const x = copy(exported) as MutableExport;
    change(x);
    return x;
  };

  it('verifies an intact export, one line per check, and warns about entries after the last checkpoint', async () => {
    expect(exported).to.include({ format: 'shuyu-evidence-export/1', logId: connector.did, from: 0, to: 35 });
    expect(exported.checkpoints.map((c) => c.size)).to.deep.equal([10, 20, 30]);
    expect(exported.didDocuments.map((d) => d.id)).to.have.members([connector.did, authority.did]);
    const report = await verifyEvidenceExport(exported);
    expect(report.ok, formatVerificationReport(report)).to.equal(true);
    expect(report.checked).to.deep.equal({
      entries: 35,
      checkpoints: 3,
      checkpointSignatures: 3,
      countersignatures: 1,
      consistencyProofs: 0,
      inclusionProofs: 0,
      anchors: 0,
    });
    expect(report.checks.find((c) => c.name === 'coverage')).to.include({ status: 'warning' });
    const text = formatVerificationReport(report);
    expect(text).to.match(/^Verifying export of did:web:connector-a\.example, entries 0\.\.34 \(35\)/);
    expect(text).to.contain('ok     entries').and.contain('Result: verified.');
  });

  it('catches a modified entry and names it', async () => {
    const x = tamper((x) => {
      (x.entries[7] as { data: JsonValue }).data = { n: 7, state: 'COMPLETED', bytes: 0 };
    });
    const report = await verifyEvidenceExport(x);
    expectFailure(report, 'entry-modified', 7);
    expect(report.firstFailure?.reason).to.contain('Entry 7').and.contain('was modified');
    expect(formatVerificationReport(report)).to.contain('Result: FAILED at entry 7 (entry-modified)');
  });

  it('catches a deleted entry, in the middle and at the end', async () => {
    expectFailure(
      await verifyEvidenceExport(tamper((x) => void x.entries.splice(12, 1))),
      'entry-missing',
      12,
    );
    const two = await verifyEvidenceExport(tamper((x) => void x.entries.splice(12, 2)));
    expect(two.firstFailure?.reason).to.contain('entries 12..13 (2) were deleted');
    expectFailure(
      await verifyEvidenceExport(tamper((x) => void x.entries.splice(33, 2))),
      'entry-missing',
      33,
    );
    // Deleted and the rest renumbered: entry 12 is now the old 13 and no longer matches its hash.
    const renumbered = tamper((x) => {
      x.entries.splice(12, 1);
      x.entries.forEach((e, i) => (e.seq = i));
    });
    expectFailure(await verifyEvidenceExport(renumbered), 'entry-modified', 12);
  });

  it('catches reordered entries', async () => {
    const x = tamper((x) => {
      const [five, six] = [x.entries[5], x.entries[6]] as [Mutable<EvidenceEntry>, Mutable<EvidenceEntry>];
      x.entries[5] = six;
      x.entries[6] = five;
    });
    const report = await verifyEvidenceExport(x);
    expectFailure(report, 'entry-reordered', 5);
    expect(report.firstFailure?.reason).to.contain('out of order');
    // Swapped with the numbers swapped back: the content no longer hashes to the leaf hashes.
    const renumbered = tamper((x) => {
      const [five, six] = [x.entries[5], x.entries[6]] as [Mutable<EvidenceEntry>, Mutable<EvidenceEntry>];
      [five.seq, six.seq] = [6, 5];
      x.entries[5] = six;
      x.entries[6] = five;
    });
    expectFailure(await verifyEvidenceExport(renumbered), 'entry-modified', 5);
  });

  it('catches an inserted entry, even one with correct hashes linked to its predecessor', async () => {
    const forged = (x: MutableExport): Mutable<EvidenceEntry> => {
      const e = { ...(x.entries[10] as Mutable<EvidenceEntry>), data: { forged: true } };
      rehash(e);
      return e;
    };
    const x = tamper((x) => void x.entries.splice(10, 0, forged(x)));
    const report = await verifyEvidenceExport(x);
    expectFailure(report, 'entry-inserted', 10);
    expect(report.firstFailure?.reason).to.contain('appears 2 times');
    // The forger rewrites the whole chain after the insertion: every link holds, but checkpoint 20 (signed
    // before the forgery) no longer matches, and the report names the stretch since the last good one.
    const rewritten = tamper((x) => {
      x.entries.splice(10, 0, forged(x));
      x.entries.pop();
      rechain(x.entries, 10);
    });
    const deep = await verifyEvidenceExport(rewritten);
    expectFailure(deep, 'checkpoint-root-mismatch', 10);
    expect(deep.firstFailure?.reason).to.contain('an entry in 10..19 was changed');
    expect(deep.checks.find((c) => c.name === 'entries')).to.include({ status: 'ok' });
  });

  it('catches a broken chain link', async () => {
    const x = tamper((x) => {
      const e = x.entries[15] as Mutable<EvidenceEntry>;
      e.prevHash = (x.entries[13] as EvidenceEntry).leafHash;
      rehash(e);
    });
    expectFailure(await verifyEvidenceExport(x), 'chain-broken', 15);
  });

  it('catches a checkpoint whose root or signature was forged', async () => {
    const rootChanged = tamper((x) => {
      (x.checkpoints[1] as { root: string }).root = (x.checkpoints[2] as { root: string }).root;
    });
    const report = await verifyEvidenceExport(rootChanged);
    expectFailure(report, 'checkpoint-signature-invalid', null);
    expect(report.firstFailure?.reason).to.contain('checkpoint of size 20');
    const impostor = await createParty(new FakeWeb(), 'connector-a.example', clock);
    const c = exported.checkpoints[0] as EvidenceExport['checkpoints'][number];
    const forged = await signCheckpoint(c, impostor.signer);
    const bySomeoneElse = tamper((x) => {
      (x.checkpoints[0] as { signature: string }).signature = forged.signature;
    });
    expectFailure(await verifyEvidenceExport(bySomeoneElse), 'checkpoint-signature-invalid', null);
  });

  it('catches a fork: a second checkpoint of the same size with another root, signed by the same log', async () => {
    const c = exported.checkpoints[1] as EvidenceExport['checkpoints'][number];
    const other = await signCheckpoint({ ...c, root: 'e'.repeat(64) }, connector.signer);
    const x = tamper((x) => void x.checkpoints.push({ ...other, countersignatures: [] }));
    const report = await verifyEvidenceExport(x);
    expectFailure(report, 'checkpoint-fork', null);
    expect(report.firstFailure?.reason).to.contain('two different roots for size 20');
  });

  it('catches an invalid countersignature and signatures it cannot check', async () => {
    const x = tamper((x) => {
      const cs = x.checkpoints[1]?.countersignatures[0] as { time: string };
      cs.time = '2020-01-01T00:00:00.000Z';
    });
    expectFailure(await verifyEvidenceExport(x), 'countersignature-invalid', null);
    const noDocuments = tamper((x) => void (x.didDocuments = []));
    const report = await verifyEvidenceExport(noDocuments);
    expectFailure(report, 'signer-key-unavailable', null);
    expect(report.checks.find((c) => c.name === 'DID documents')).to.include({ status: 'warning' });
    // The same file verifies with keys resolved online.
    const online = await verifyEvidenceExport(noDocuments, { keys: resolverKeys(resolverFor(web, clock)) });
    expect(online.ok, formatVerificationReport(online)).to.equal(true);
  });

  it('rejects what is not an export', async () => {
    for (const bad of [
      null,
      [],
      { format: 'other' },
      { ...exported, from: 5, to: 2 },
      { ...exported, prefix: ['x'] },
    ]) {
      expectFailure(await verifyEvidenceExport(bad), 'document-malformed', null);
    }
    const entryBroken = tamper(
      (x) => void ((x.entries[3] as unknown as Record<string, unknown>).leafHash = 42),
    );
    expectFailure(await verifyEvidenceExport(entryBroken), 'entry-malformed', 3);
  });

  it('exports and verifies a range, bound to a later checkpoint by a consistency proof', async () => {
    const range = copy(await exportEvidence(t.log, { from: 12, to: 25 }));
    expect(range.entries.map((e) => e.seq)).to.deep.equal(Array.from({ length: 13 }, (_, i) => 12 + i));
    expect(range.checkpoints.map((c) => c.size)).to.deep.equal([20, 30]);
    expect(range.consistencyProofs.map((p) => [p.fromSize, p.toSize])).to.deep.equal([[25, 30]]);
    const report = await verifyEvidenceExport(range);
    expect(report.ok, formatVerificationReport(report)).to.equal(true);
    expect(report.checked).to.include({ entries: 13, checkpoints: 1, consistencyProofs: 1 });
    expect(report.checks.find((c) => c.name === 'coverage')).to.include({ status: 'ok' });

    const badPrefix = copy(range) as MutableExport;
    badPrefix.prefix = [...range.prefix.slice(0, -1), 'a'.repeat(64)];
    expectFailure(await verifyEvidenceExport(badPrefix), 'checkpoint-root-mismatch', 12);
    // Entries cut from the end of the range (and `to` lowered to match) break the proof to checkpoint 30.
    const cut = copy(range) as MutableExport;
    cut.entries = cut.entries.slice(0, -2);
    cut.to = 23;
    expectFailure(await verifyEvidenceExport(cut), 'consistency-proof-invalid', 22);
    await rejectsWithCode(exportEvidence(t.log, { from: 3, to: 99 }), 'ERR_EVIDENCE_OUT_OF_RANGE');
  });

  describe('entry proofs', () => {
    it('proves one entry against the latest checkpoint, verifiable offline', async () => {
      const proof = copy(await proveEntry(t.log, 13));
      expect(proof).to.include({ format: 'shuyu-evidence-proof/1', logId: connector.did });
      expect(proof.inclusion).to.include({ leafIndex: 13, treeSize: 30 });
      expect(proof.checkpoint.countersignatures).to.have.length(0);
      const report = await verifyEntryProof(proof);
      expect(report.ok, formatVerificationReport(report)).to.equal(true);
      expect(report.checked).to.include({ entries: 1, inclusionProofs: 1, checkpointSignatures: 1 });
    });

    it('fails a proof whose entry, path or checkpoint was changed', async () => {
      const proof = copy(await proveEntry(t.log, 13));
      const entry = copy(proof) as Omit<EntryProofDocument, 'entry'> & { entry: Mutable<EvidenceEntry> };
      entry.entry.subject = 'urn:uuid:someone-else';
      expectFailure(await verifyEntryProof(entry), 'entry-modified', 13);
      const path = copy(proof) as Mutable<EntryProofDocument> & { inclusion: { path: string[] } };
      path.inclusion.path[1] = 'd'.repeat(64);
      expectFailure(await verifyEntryProof(path), 'inclusion-proof-invalid', 13);
      const other = copy(proof) as Mutable<EntryProofDocument>;
      other.entry = copy((await t.log.entry(14)) as EvidenceEntry);
      expectFailure(await verifyEntryProof(other), 'inclusion-proof-invalid', 14);
      const size = copy(proof) as Mutable<EntryProofDocument> & { checkpoint: { size: number } };
      size.checkpoint.size = 31;
      expect((await verifyEntryProof(size)).ok).to.equal(false);
      expectFailure(await verifyEntryProof({ format: 'x' }), 'document-malformed', null);
    });

    it('needs a checkpoint covering the entry, or a signer to make one', async () => {
      await rejectsWithCode(proveEntry(t.log, 32), 'ERR_EVIDENCE_NOT_CHECKPOINTED');
      await rejectsWithCode(proveEntry(t.log, 99), 'ERR_EVIDENCE_OUT_OF_RANGE');
      const proof = await proveEntry(t.log, 32, { signer: connector.signer });
      expect(proof.checkpoint.size).to.equal(35);
      expect((await verifyEntryProof(proof)).ok).to.equal(true);
    });
  });
});
