// SM3 and SM2 for the evidence log, held to the standards' published examples, and the log, its proofs,
// checkpoints, exports and entry proofs when a data space chooses them.
//
// Sources of the example values (each restated in the test that uses it):
//   SM3: GB/T 32905-2016 (GM/T 0004-2012) Annex A, examples 1 ("abc") and 2 ("abcd" x 16).
//   SM2 on the recommended curve: GM/T 0003.5-2012 / GB/T 32918.5-2017 Annex A (signer ID 1234567812345678),
//     as reproduced in OpenSSL's test/sm2_internal_test.c (sm2_sig_test, with ZA and e in GmSSL's sm2test.c).
//   SM2 on the 256-bit example curve of GB/T 32918.2-2016 / GM/T 0003.2-2012 Annex A (ID ALICE123@YAHOO.COM),
//     as in draft-shen-sm2-ecdsa-02 Annex A and OpenSSL's test/sm2_internal_test.c.
import { expect } from 'chai';
import { createHash, createVerify, verify as nodeVerify } from 'node:crypto';
import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import {
  checkpointSignerFor,
  emptyRoot,
  entryPreimage,
  evidenceAlgorithmsFrom,
  exportEvidence,
  offlineKeys,
  proveEntry,
  SM2_CURVE,
  sm2Sign,
  sm2Verify,
  sm2Za,
  verifyCheckpoint,
  verifyConsistency,
  verifyEntryProof,
  verifyEvidenceExport,
  verifyInclusion,
  type Sm2Curve,
} from '../../connector/evidence/index.js';
import { publicKeyOf } from '../../connector/evidence/crypto/sm2.js';
import {
  buildDidDocument,
  indexDidDocument,
  openKeyStore,
  openProcessIdentity,
  openSm2Key,
  selectVerificationKey,
} from '../../connector/identity/index.js';
import {
  appendSamples,
  cleanUp,
  LOG_DID,
  naiveConsistency,
  naiveLeaf,
  naivePath,
  naiveRoot,
  openTestLog,
  rejectsWithCode,
  tempFile,
} from './helpers.js';

const hex = (text: string): bigint => BigInt(`0x${text.replace(/\s+/g, '')}`);
const MESSAGE = Buffer.from('message digest', 'ascii');

describe('evidence: SM3 and SM2 (national algorithms)', () => {
  after(cleanUp);

  describe('SM3, GB/T 32905-2016 Annex A', () => {
    it('hashes "abc" and "abcd" x 16 to the published digests', () => {
      const sm3 = (text: string) => createHash('sm3').update(text, 'ascii').digest('hex');
      expect(sm3('abc')).to.equal(
        '66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0', // example 1
      );
      expect(sm3('abcd'.repeat(16))).to.equal(
        'debe9ff92275b8a138604889c18e5a4d6fdb70e5387e5765293dcba39c0c5732', // example 2
      );
    });
  });

  describe('SM2 signatures, GB/T 32918.2', () => {
    // GM/T 0003.5-2012 / GB/T 32918.5-2017 Annex A: the recommended curve, default signer ID.
    const d = hex('3945208F 7B2144B1 3F36E38A C6D39F95 88939369 2860B51A 42FB81EF 4DF7C5B8');
    const k = hex('59276E27 D506861A 16680F3A D9C02DCC EF3CC1FA 3CDBE4CE 6D54B80D EAC1BC21');
    const xA = hex('09F9DF31 1E5421A1 50DD7D16 1E4BC5C6 72179FAD 1833FC07 6BB08FF3 56F35020');
    const yA = hex('CCEA490C E26775A5 2DC6EA71 8CC1AA60 0AED05FB F35E084A 6632F607 2DA9AD13');
    const r = 'F5A03B0648D2C4630EEAC513E1BB81A15944DA3827D5B74143AC7EACEEE720B3';
    const s = 'B1B6AA29DF212FD8763182BC0D421CA1BB9038FD1F7F42D4840B69C485BBC1AA';

    it('reproduces the recommended-curve example: public key, ZA, e and (r, s) with its fixed k', () => {
      expect(publicKeyOf(d)).to.deep.equal({ x: xA, y: yA });
      const za = sm2Za({ x: xA, y: yA }, '1234567812345678');
      expect(za.toString('hex')).to.equal('b2e14c5c79c6df5b85f4fe7ed8db7a262b9da7e07ccb0ea9f4747b8ccda8a4f3');
      const e = createHash('sm3').update(za).update(MESSAGE).digest('hex');
      expect(e).to.equal('f0b43e94ba45accaace692ed534382eb17e6ab5a19ce7b31f4486fdfc0d28640');
      const signature = sm2Sign(d, MESSAGE, { k });
      expect(signature.toString('hex')).to.equal((r + s).toLowerCase());
    });

    it('verifies the published signature with the published public key, and nothing altered', () => {
      const publicKey = { x: xA, y: yA };
      const signature = Buffer.from(r + s, 'hex');
      expect(sm2Verify(publicKey, MESSAGE, signature)).to.equal(true);
      expect(sm2Verify(publicKey, Buffer.from('message digesT'), signature)).to.equal(false);
      expect(sm2Verify(publicKey, MESSAGE, signature, { id: 'ALICE123@YAHOO.COM' })).to.equal(false);
      const flipped = Buffer.from(signature);
      flipped[40] = (flipped[40] as number) ^ 1;
      expect(sm2Verify(publicKey, MESSAGE, flipped)).to.equal(false);
      expect(sm2Verify({ x: xA, y: yA + 1n }, MESSAGE, signature)).to.equal(false);
    });

    it('reproduces the GB/T 32918.2 Annex A example on its 256-bit example curve, ID ALICE123@YAHOO.COM', () => {
      const curve: Sm2Curve = {
        p: hex('8542D69E 4C044F18 E8B92435 BF6FF7DE 45728391 5C45517D 722EDB8B 08F1DFC3'),
        a: hex('787968B4 FA32C3FD 2417842E 73BBFEFF 2F3C848B 6831D7E0 EC65228B 3937E498'),
        b: hex('63E4C6D3 B23B0C84 9CF84241 484BFE48 F61D59A5 B16BA06E 6E12D1DA 27C5249A'),
        gx: hex('421DEBD6 1B62EAB6 746434EB C3CC315E 32220B3B ADD50BDC 4C4E6C14 7FEDD43D'),
        gy: hex('0680512B CBB42C07 D47349D2 153B70C4 E5D7FDFC BFA36EA1 A85841B9 E46E09A2'),
        n: hex('8542D69E 4C044F18 E8B92435 BF6FF7DD 29772063 0485628D 5AE74EE7 C32E79B7'),
      };
      const dA = hex('128B2FA8 BD433C6C 068C8D80 3DFF7979 2A519A55 171B1B65 0C23661D 15897263');
      const publicKey = {
        x: hex('0AE4C779 8AA0F119 471BEE11 825BE462 02BB79E2 A5844495 E97C04FF 4DF2548A'),
        y: hex('7C0240F8 8F1CD4E1 6352A73C 17B7F16F 07353E53 A176D684 A9FE0C6B B798E857'),
      };
      const id = 'ALICE123@YAHOO.COM';
      expect(publicKeyOf(dA, curve)).to.deep.equal(publicKey);
      const signature = sm2Sign(dA, MESSAGE, {
        curve,
        id,
        k: hex('6CB28D99 385C175C 94F94E93 4817663F C176D925 DD72B727 260DBAAE 1FB2F96F'),
      });
      expect(signature.toString('hex')).to.equal(
        '40f1ec59f793d9f49e09dcef49130d4194f79fb1eed2caa55bacdb49c4e755d1' +
          '6fc6dac32c5d5cf10c77dfb20f7c2eb667a457872fb09ec56327a67ec7deebe7',
      );
      expect(sm2Verify(publicKey, MESSAGE, signature, { curve, id })).to.equal(true);
      expect(sm2Verify(publicKey, MESSAGE, signature, { curve })).to.equal(false);
    });

    it('signs with random k: every signature differs and verifies; Node’s ECDSA on the SM2 curve is not SM2', () => {
      const a = sm2Sign(d, MESSAGE);
      const b = sm2Sign(d, MESSAGE);
      expect(a.equals(b)).to.equal(false);
      expect(sm2Verify({ x: xA, y: yA }, MESSAGE, a) && sm2Verify({ x: xA, y: yA }, MESSAGE, b)).to.equal(
        true,
      );
      // Why the scheme is written out: node:crypto verifies the published SM2 signature as plain ECDSA (no ZA,
      // another equation) and rejects it.
      const spki = Buffer.concat([
        Buffer.from('3059301306072a8648ce3d020106082a811ccf5501822d034200', 'hex'),
        Buffer.from([4]),
        Buffer.from(xA.toString(16).padStart(64, '0'), 'hex'),
        Buffer.from(yA.toString(16).padStart(64, '0'), 'hex'),
      ]);
      const key = {
        key: spki,
        format: 'der' as const,
        type: 'spki' as const,
        dsaEncoding: 'ieee-p1363' as const,
      };
      expect(nodeVerify(null, MESSAGE, key, Buffer.from(r + s, 'hex'))).to.equal(false);
      expect(
        createVerify('sm3')
          .update(MESSAGE)
          .verify(key, Buffer.from(r + s, 'hex')),
      ).to.equal(false);
      expect(SM2_CURVE.n).to.equal(
        hex('FFFFFFFE FFFFFFFF FFFFFFFF FFFFFFFF 7203DF6B 21C6052B 53BBF409 39D54123'),
      );
    });
  });

  describe('an SM3 log', () => {
    it('chains and trees with SM3: leaves, roots and proofs equal the naive SM3 tree', async () => {
      const t = await openTestLog({ hash: 'sm3' });
      expect(t.log.hash).to.equal('sm3');
      expect(await t.log.root()).to.equal(emptyRoot('sm3'));
      expect(emptyRoot('sm3')).to.equal(createHash('sm3').digest('hex'));
      const entries = await appendSamples(t, 13);
      const leaves = entries.map((e) => naiveLeaf(Buffer.from(entryPreimage(e), 'utf8'), 'sm3'));
      expect(entries.map((e) => e.leafHash)).to.deep.equal(leaves.map((l) => l.toString('hex')));
      expect(entries[1]?.prevHash).to.equal(entries[0]?.leafHash);
      for (const size of [1, 2, 7, 8, 13]) {
        expect(await t.log.root(size)).to.equal(naiveRoot(leaves.slice(0, size), 'sm3').toString('hex'));
      }
      const root = await t.log.root();
      const inclusion = await t.log.inclusionProof(5);
      expect(inclusion.path).to.deep.equal(naivePath(5, leaves, 'sm3').map((h) => h.toString('hex')));
      expect(verifyInclusion(leaves[5] as Buffer, 5, 13, inclusion.path, root, 'sm3')).to.equal(true);
      expect(verifyInclusion(leaves[5] as Buffer, 5, 13, inclusion.path, root)).to.equal(false);
      const consistency = await t.log.consistencyProof(6);
      expect(consistency.path).to.deep.equal(
        naiveConsistency(6, leaves, 'sm3').map((h) => h.toString('hex')),
      );
      expect(verifyConsistency(6, 13, consistency.path, await t.log.root(6), root, 'sm3')).to.equal(true);
    });

    it('keeps its hash for life: reopening with SHA-256 is refused, and an old SHA-256 log stays SHA-256', async () => {
      const sm3 = await openTestLog({ hash: 'sm3' });
      await appendSamples(sm3, 1);
      await rejectsWithCode(openTestLog({ file: sm3.file }), 'ERR_EVIDENCE_HASH_MISMATCH');
      const sha = await openTestLog();
      await appendSamples(sha, 2);
      await rejectsWithCode(openTestLog({ file: sha.file, hash: 'sm3' }), 'ERR_EVIDENCE_HASH_MISMATCH');
      expect((await openTestLog({ file: sha.file })).log.hash).to.equal('sha-256');
    });
  });

  describe('the data space’s choice', () => {
    it('reads "default", "sm" or nothing, and refuses anything else naming the setting', () => {
      expect(evidenceAlgorithmsFrom(undefined, 'x')).to.equal('default');
      expect(evidenceAlgorithmsFrom('sm', 'x')).to.equal('sm');
      expect(() => evidenceAlgorithmsFrom('gm', 'evidence.algorithms in connector.json')).to.throw(
        /evidence\.algorithms in connector\.json is "gm"; use "default" .* or "sm"/,
      );
    });
  });

  describe('SM2 keys, DID documents and checkpoints', () => {
    it('keeps the SM2 key owner-only beside the key set, and publishes it under assertionMethod only', async () => {
      const dir = join(await tempFile('x'), '..', 'keys');
      const key = await openSm2Key(dir);
      expect((await stat(join(dir, 'sm2-key.json'))).mode & 0o777).to.equal(0o600);
      expect((await openSm2Key(dir)).kid).to.equal(key.kid);
      expect(JSON.stringify(key)).to.not.include('"d"');
      const keys = await openKeyStore(dir);
      const document = buildDidDocument({ did: LOG_DID, keys: keys.publishedKeys, sm2Key: key });
      const id = `${LOG_DID}#${key.kid}`;
      expect(document.assertionMethod).to.include(id);
      expect(document.authentication).to.not.include(id);
      expect(document.verificationMethod.find((m) => m.id === id)).to.deep.include({
        type: 'JsonWebKey2020',
        publicKeyJwk: { kty: 'EC', crv: 'SM2', x: key.publicJwk.x, y: key.publicJwk.y },
      });
      const resolved = await indexDidDocument(LOG_DID, document);
      expect(selectVerificationKey(resolved, id, 'assertionMethod').alg).to.equal('SM2');
    });

    it('signs checkpoints with SM2; exports and entry proofs name SM3 and verify offline; tampering is named', async () => {
      const dir = join(await tempFile('x'), '..', 'identity');
      const identity = await openProcessIdentity(dir, 'https://connector-a.example', undefined, {
        sm2: true,
      });
      const t = await openTestLog({ hash: 'sm3', logId: identity.did });
      await appendSamples(t, 9);
      const signer = checkpointSignerFor('sm', identity);
      const checkpoint = await t.log.checkpoint(signer, { didDocument: identity.didDocument() });
      expect(checkpoint.hash).to.equal('sm3');
      const header = JSON.parse(
        Buffer.from(checkpoint.signature.split('.')[0] as string, 'base64url').toString(),
      );
      expect(header).to.include({ alg: 'SM2', kid: `${identity.did}#${identity.sm2Key?.kid}` });
      const keys = offlineKeys([identity.didDocument()]);
      expect((await verifyCheckpoint(checkpoint, keys)).ok).to.equal(true);
      // The signed hash name cannot be stripped: without it the payload no longer matches.
      const stripped = { ...checkpoint, hash: undefined };
      expect((await verifyCheckpoint(stripped, keys)).signature?.reason).to.match(
        /unexpected members \(hash\)/,
      );

      const exported = await exportEvidence(t.log);
      expect(exported.hash).to.equal('sm3');
      const report = await verifyEvidenceExport(JSON.parse(JSON.stringify(exported)));
      expect(report.ok, JSON.stringify(report.failures)).to.equal(true);
      expect(report.checked).to.include({ entries: 9, checkpointSignatures: 1, checkpoints: 1 });

      const tampered = JSON.parse(JSON.stringify(exported)) as { entries: { data: unknown }[] };
      (tampered.entries[4] as { data: unknown }).data = { forged: true };
      const bad = await verifyEvidenceExport(tampered);
      expect(bad.ok).to.equal(false);
      expect(bad.firstFailure).to.deep.include({ code: 'entry-modified', seq: 4 });
      expect(bad.firstFailure?.reason).to.match(/Entry 4 .* was modified/);

      // Claiming SHA-256 for an SM3 export fails at the first entry, and the checkpoints say otherwise.
      const relabelled = await verifyEvidenceExport({ ...exported, hash: 'sha-256' });
      expect(relabelled.firstFailure).to.deep.include({ code: 'entry-modified', seq: 0 });
      expect(relabelled.failures.map((f) => f.code)).to.include('checkpoint-malformed');

      const proof = await proveEntry(t.log, 7);
      expect(proof.hash).to.equal('sm3');
      expect((await verifyEntryProof(JSON.parse(JSON.stringify(proof)))).ok).to.equal(true);
      const forged = JSON.parse(JSON.stringify(proof)) as { entry: { subject: string } };
      forged.entry.subject = 'urn:other';
      expect((await verifyEntryProof(forged)).firstFailure).to.deep.include({
        code: 'entry-modified',
        seq: 7,
      });
    });
  });
});
