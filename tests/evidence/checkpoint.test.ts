import { expect } from 'chai';
import { decodeProtectedHeader, decodeJwt } from 'jose';
import { createDidSigner, didKeyFromKey, Ed25519Key } from '../../connector/identity/index.js';
import { resolverFor } from '../identity/helpers.js';
import {
  CHECKPOINT_TYP,
  CheckpointScheduler,
  InMemoryAnchor,
  compareCheckpoints,
  countersignCheckpoint,
  exportEvidence,
  findForks,
  offlineKeys,
  resolverKeys,
  signCheckpoint,
  verifyCheckpoint,
  verifyEvidenceExport,
  type KeyLookup,
  type StoredCheckpoint,
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

describe('evidence: checkpoints and countersignatures', () => {
  let web: FakeWeb;
  let clock: TestClock;
  let connector: Party;
  let authority: Party;
  let t: TestLog;
  let keys: KeyLookup;

  beforeEach(async () => {
    web = new FakeWeb();
    clock = new TestClock();
    connector = await createParty(web, 'connector-a.example', clock);
    authority = await createParty(web, 'authority.example', clock);
    t = await openTestLog({ logId: connector.did, clock });
    keys = resolverKeys(resolverFor(web, clock));
  });
  afterEach(cleanUp);

  async function checkpointNow(): Promise<StoredCheckpoint> {
    return t.log.checkpoint(connector.signer, { didDocument: didDocumentOf(connector) });
  }

  it('signs the tree head with the log’s DID key as a compact EdDSA JWS', async () => {
    await appendSamples(t, 9);
    const c = await checkpointNow();
    expect(c).to.include({
      logId: connector.did,
      size: 9,
      root: await t.log.root(9),
      time: clock.now().toISOString(),
    });
    expect(decodeProtectedHeader(c.signature)).to.include({
      alg: 'EdDSA',
      typ: CHECKPOINT_TYP,
      kid: connector.signer.keyId,
    });
    expect(decodeJwt(c.signature)).to.deep.equal({ logId: c.logId, size: 9, root: c.root, time: c.time });
    expect(await t.log.latestCheckpoint()).to.deep.equal(c);
    // Offline, from the DID document stored with the checkpoint, and online, from the resolver.
    expect(await verifyCheckpoint(c, offlineKeys(await t.log.didDocuments([connector.did])))).to.deep.equal({
      ok: true,
      countersignatures: [],
    });
    expect((await verifyCheckpoint(c, keys)).ok).to.equal(true);
  });

  it('verifies a did:key log offline without any DID document', async () => {
    const key = await Ed25519Key.generate(clock.now());
    const did = didKeyFromKey(key);
    const keyLog = await openTestLog({ logId: did, clock });
    await appendSamples(keyLog, 3);
    const c = await keyLog.log.checkpoint(createDidSigner(did, key));
    expect((await verifyCheckpoint(c, offlineKeys([]))).ok).to.equal(true);
    expect((await verifyEvidenceExport(await exportEvidence(keyLog.log))).ok).to.equal(true);
  });

  it('refuses a signer of another DID', async () => {
    await rejectsWithCode(t.log.checkpoint(authority.signer), 'ERR_EVIDENCE_SIGNER_MISMATCH');
    await rejectsWithCode(
      signCheckpoint({ logId: connector.did, size: 0, root: '0'.repeat(64), time: 'x' }, authority.signer),
      'ERR_EVIDENCE_SIGNER_MISMATCH',
    );
  });

  it('detects forged checkpoint signatures', async () => {
    await appendSamples(t, 5);
    const c = await checkpointNow();
    const otherRoot = { ...c, root: 'f'.repeat(64) };
    expect((await verifyCheckpoint(otherRoot, keys)).signature?.reason).to.contain('"root" differs');
    // An impostor's key claiming the connector's kid.
    const impostor = await createParty(new FakeWeb(), 'connector-a.example', clock);
    const forged = await signCheckpoint(
      { logId: c.logId, size: c.size, root: c.root, time: c.time },
      impostor.signer,
    );
    const [, payload, signature] = forged.signature.split('.');
    const header = { ...decodeProtectedHeader(forged.signature), kid: connector.signer.keyId };
    const withOurKid = `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${payload}.${signature}`;
    expect((await verifyCheckpoint({ ...c, signature: forged.signature }, keys)).ok).to.equal(false);
    expect((await verifyCheckpoint({ ...c, signature: withOurKid }, keys)).signature?.reason).to.contain(
      'does not verify',
    );
    // A countersignature is not a checkpoint signature (typ differs).
    const countersigned = await countersignCheckpoint(c, connector.signer, { clock: clock.now });
    const reused = { ...c, signature: countersigned.countersignatures[0]?.signature as string };
    expect((await verifyCheckpoint(reused, keys)).signature?.reason).to.contain('typ');
    // No DID document at hand: the key is unavailable, which is reported as such.
    expect((await verifyCheckpoint(c, offlineKeys([]))).signature?.keyUnavailable).to.equal(true);
  });

  it('is countersigned and timestamped by the authority, verified, and stored with the authority’s DID document', async () => {
    await appendSamples(t, 12);
    const c = await checkpointNow();
    clock.advance(1500);
    const countersigned = await countersignCheckpoint(c, authority.signer, { keys, clock: clock.now });
    expect(countersigned.countersignatures).to.have.length(1);
    expect(countersigned.countersignatures[0]).to.include({
      authority: authority.did,
      time: clock.now().toISOString(),
    });
    expect(decodeJwt(countersigned.countersignatures[0]?.signature as string)).to.include({
      size: 12,
      root: c.root,
      authority: authority.did,
      countersignedAt: clock.now().toISOString(),
    });
    expect((await verifyCheckpoint(countersigned, keys)).ok).to.equal(true);

    const stored = await t.log.recordCountersignature(countersigned, keys);
    expect(stored.countersignatures).to.deep.equal(countersigned.countersignatures);
    expect((await t.log.latestCheckpoint())?.countersignatures).to.have.length(1);
    expect(await t.log.didDocuments([authority.did])).to.have.length(1);
    // Recording it again changes nothing.
    await t.log.recordCountersignature(countersigned, keys);
    expect((await t.log.latestCheckpoint())?.countersignatures).to.have.length(1);

    // Offline: the export carries both DID documents and verifies both signatures.
    const report = await verifyEvidenceExport(await exportEvidence(t.log));
    expect(report.ok, JSON.stringify(report.failures)).to.equal(true);
    expect(report.checked).to.include({ checkpointSignatures: 1, countersignatures: 1, checkpoints: 1 });
  });

  it('refuses to store countersignatures that are invalid or for checkpoints it never made', async () => {
    await appendSamples(t, 3);
    const c = await checkpointNow();
    const countersigned = await countersignCheckpoint(c, authority.signer, { clock: clock.now });
    const tampered = {
      ...countersigned,
      countersignatures: [
        {
          ...(countersigned.countersignatures[0] as { authority: string; time: string; signature: string }),
          time: '2030-01-01T00:00:00.000Z',
        },
      ],
    };
    expect((await verifyCheckpoint(tampered, keys)).countersignatures[0]?.ok).to.equal(false);
    await rejectsWithCode(t.log.recordCountersignature(tampered, keys), 'ERR_EVIDENCE_SIGNATURE_INVALID');
    const foreign = await countersignCheckpoint(
      await signCheckpoint({ ...c, size: 2, root: await t.log.root(2) }, connector.signer),
      authority.signer,
    );
    await rejectsWithCode(t.log.recordCountersignature(foreign, keys), 'ERR_EVIDENCE_CHECKPOINT_UNKNOWN');
    expect((await t.log.latestCheckpoint())?.countersignatures).to.deep.equal([]);
  });

  it('lets the authority refuse a bad log signature, a fork and a rollback, and accept a proven extension', async () => {
    await appendSamples(t, 10);
    const first = await checkpointNow();
    await appendSamples(t, 7);
    const second = await checkpointNow();
    const proof = (await t.log.consistencyProof(10, 17)).path;
    const ok = await countersignCheckpoint(second, authority.signer, {
      keys,
      previous: { checkpoint: first, proof },
    });
    expect(ok.countersignatures).to.have.length(1);

    await rejectsWithCode(
      countersignCheckpoint({ ...second, root: first.root }, authority.signer, { keys }),
      'ERR_EVIDENCE_SIGNATURE_INVALID',
    );
    // A fork: the log signs a different root for size 10 (the same key, so the signature is valid).
    const fork = await signCheckpoint(
      { ...first, root: await t.log.root(11), time: clock.now().toISOString() },
      connector.signer,
    );
    const refused = await rejectsWithCode(
      countersignCheckpoint(fork, authority.signer, { keys, previous: { checkpoint: first, proof: [] } }),
      'ERR_EVIDENCE_FORK',
    );
    expect(refused.message).to.contain('forked');
    await rejectsWithCode(
      countersignCheckpoint(first, authority.signer, { keys, previous: { checkpoint: second, proof: [] } }),
      'ERR_EVIDENCE_FORK',
    );
    await rejectsWithCode(
      countersignCheckpoint(second, authority.signer, {
        keys,
        previous: { checkpoint: first, proof: proof.slice(1) },
      }),
      'ERR_EVIDENCE_FORK',
    );
  });

  it('detects a fork: two checkpoints of one size with different roots signed by the same log', async () => {
    await appendSamples(t, 8);
    const honest = await checkpointNow();
    const forked = await signCheckpoint({ ...honest, root: 'a'.repeat(64) }, connector.signer);
    expect((await verifyCheckpoint(forked, keys)).ok).to.equal(true); // both are validly signed ...
    expect(compareCheckpoints(honest, forked)).to.include({ consistent: false, fork: true }); // ... and contradict
    expect(findForks([honest, { ...honest, size: 9 }, forked])).to.deep.equal([[0, 2]]);
    expect(compareCheckpoints(honest, honest)).to.deep.equal({ consistent: true, fork: false });
  });

  it('follows a key rotation: old and new checkpoints verify offline from the stored DID documents', async () => {
    await appendSamples(t, 4);
    await checkpointNow();
    const oldKid = connector.keys.activeKey.kid;
    await connector.keys.rotate();
    await connector.keys.retire(oldKid); // the old key leaves the published DID document
    connector.publish();
    await appendSamples(t, 4);
    await checkpointNow();
    expect(await t.log.didDocuments([connector.did])).to.have.length(2);
    // Resolving today's document alone cannot verify the first checkpoint any more; the stored one can.
    const [first] = await t.log.checkpoints();
    expect((await verifyCheckpoint(first as StoredCheckpoint, keys)).ok).to.equal(false);
    const report = await verifyEvidenceExport(await exportEvidence(t.log));
    expect(report.ok, JSON.stringify(report.failures)).to.equal(true);
    expect(report.checked.checkpointSignatures).to.equal(2);
  });

  it('anchors checkpoints through the adapter interface and keeps the receipts', async () => {
    await appendSamples(t, 6);
    const c = await checkpointNow();
    const ledger = new InMemoryAnchor();
    const receipt = await ledger.anchor(c);
    expect(await ledger.verify(receipt)).to.equal(true);
    expect(await ledger.verify({ ...receipt, digest: 'b'.repeat(64) })).to.equal(false);
    await t.log.recordAnchorReceipt(receipt);
    expect(await t.log.anchorReceipts()).to.deep.equal([receipt]);
    await rejectsWithCode(
      t.log.recordAnchorReceipt({ ...receipt, size: 5 }),
      'ERR_EVIDENCE_CHECKPOINT_UNKNOWN',
    );
    const x = await exportEvidence(t.log);
    expect((await verifyEvidenceExport(x)).checked.anchors).to.equal(1);
    const bad = await verifyEvidenceExport({ ...x, anchors: [{ ...receipt, digest: 'c'.repeat(64) }] });
    expect(bad.firstFailure?.code).to.equal('anchor-mismatch');
  });

  describe('the scheduler', () => {
    it('checkpoints at its interval only when the log grew, reports each one, and stops cleanly', async () => {
      const seen: number[] = [];
      const scheduler = new CheckpointScheduler({
        log: t.log,
        signer: () => connector.signer,
        didDocument: () => didDocumentOf(connector),
        intervalMs: 10,
        onCheckpoint: (c) => void seen.push(c.size),
      });
      expect(await scheduler.runOnce()).to.equal(undefined); // empty log: nothing to sign
      await appendSamples(t, 3);
      scheduler.start();
      scheduler.start(); // idempotent
      const deadline = Date.now() + 5000;
      while (seen.length === 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      expect(seen).to.deep.equal([3]);
      await new Promise((r) => setTimeout(r, 50));
      expect(seen).to.deep.equal([3]); // no growth, no new checkpoint
      await appendSamples(t, 2);
      while (seen.length === 1 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      expect(seen).to.deep.equal([3, 5]);
      await scheduler.stop();
      expect(scheduler.running).to.equal(false);
      await appendSamples(t, 1);
      await new Promise((r) => setTimeout(r, 40));
      expect(seen).to.deep.equal([3, 5]);
      expect((await t.log.checkpoints()).map((c) => c.size)).to.deep.equal([3, 5]);
    });

    it('reports failures to onError and keeps going', async () => {
      const errors: unknown[] = [];
      const scheduler = new CheckpointScheduler({
        log: t.log,
        signer: () => authority.signer, // wrong DID: every run fails
        intervalMs: 5,
        onError: (e) => errors.push(e),
      });
      await appendSamples(t, 1);
      scheduler.start();
      const deadline = Date.now() + 5000;
      while (errors.length < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
      await scheduler.stop();
      expect(errors.length).to.be.at.least(2);
      expect((errors[0] as { code?: string }).code).to.equal('ERR_EVIDENCE_SIGNER_MISMATCH');
    });
  });
});
