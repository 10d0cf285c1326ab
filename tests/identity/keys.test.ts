import { expect } from 'chai';
import { chmod, readFile, stat, writeFile } from 'node:fs/promises';
import { verify as cryptoVerify } from 'node:crypto';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { compactVerify } from 'jose';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import {
  KEYSET_FILE_NAME,
  buildDidDocument,
  createDidSigner,
  issueCredential,
  openKeyStore,
  toJoseKeys,
  toMultikeyKeyPair,
  toPublicJwk,
  verifyCredential,
} from '../../connector/identity/index.js';
import {
  FakeWeb,
  TestClock,
  createParty,
  membershipClaims,
  rejectsWithCode,
  removeTempDirs,
  resolverFor,
  tempDir,
} from './helpers.js';

const posix = process.platform !== 'win32';

describe('identity/keys', () => {
  after(removeTempDirs);

  it('creates a key on first start with file mode 0600 in a 0700 directory, and reloads the same key', async function () {
    if (!posix) this.skip();
    const dir = join(await tempDir(), 'keys');
    const store = await openKeyStore(dir);
    expect((await stat(dir)).mode & 0o777).to.equal(0o700);
    expect((await stat(join(dir, KEYSET_FILE_NAME))).mode & 0o777).to.equal(0o600);
    expect(store.publishedKeys).to.have.length(1);
    expect(store.activeKey.kid).to.match(/^z6Mk/);

    const reloaded = await openKeyStore(dir);
    expect(reloaded.activeKey.kid).to.equal(store.activeKey.kid);
    expect(reloaded.activeKey.exportPrivateJwk()).to.deep.equal(store.activeKey.exportPrivateJwk());
  });

  it('refuses a key file that group or others can read', async function () {
    if (!posix) this.skip();
    const dir = await tempDir();
    await openKeyStore(dir);
    await chmod(join(dir, KEYSET_FILE_NAME), 0o644);
    const error = await rejectsWithCode(openKeyStore(dir), 'ERR_KEYSTORE_INSECURE_PERMISSIONS');
    expect(error.message).to.contain('chmod 600');
  });

  it('refuses a key directory others can access', async function () {
    if (!posix) this.skip();
    const dir = await tempDir();
    await chmod(dir, 0o755);
    await rejectsWithCode(openKeyStore(dir), 'ERR_KEYSTORE_INSECURE_PERMISSIONS');
  });

  it('reports a corrupt key file with a typed error and without echoing its content', async () => {
    const dir = await tempDir();
    await writeFile(
      join(dir, KEYSET_FILE_NAME),
      '{"version":1,"keys":[{"status":"active","d":"SECRETSECRET"}]}',
      {
        mode: 0o600,
      },
    );
    const error = await rejectsWithCode(openKeyStore(dir), 'ERR_KEYSTORE_CORRUPT');
    expect(error.message).not.to.contain('SECRETSECRET');
  });

  it('never exposes the private key through JSON, inspect or String', async () => {
    const store = await openKeyStore(await tempDir());
    const { d } = store.activeKey.exportPrivateJwk();
    for (const rendering of [
      JSON.stringify(store.activeKey),
      JSON.stringify(store),
      inspect(store.activeKey, { depth: 10, showHidden: true }),
      inspect(store, { depth: 10, showHidden: true }),
      String(store.activeKey),
      inspect(createDidSigner('did:web:a.example', store), { depth: 10 }),
    ]) {
      expect(rendering).not.to.contain(d);
    }
  });

  it('exports for jose (KeyObject, public JWK) and for Data Integrity (ed25519-multikey)', async () => {
    const store = await openKeyStore(await tempDir());
    const key = store.activeKey;
    const jwk = toPublicJwk(key);
    expect(jwk).to.deep.equal({ ...key.publicJwk, kid: key.kid, alg: 'EdDSA' });
    expect(jwk).not.to.have.property('d');
    expect(Buffer.from(key.exportPrivateJwk().d, 'base64url')).to.have.length(32);

    const signer = createDidSigner('did:web:a.example', key);
    const jws = await signer.signJwt({}, { hello: 'world' });
    const { protectedHeader } = await compactVerify(jws, toJoseKeys(key).publicKey);
    expect(protectedHeader).to.include({ alg: 'EdDSA', kid: `did:web:a.example#${key.kid}` });

    const pair = await toMultikeyKeyPair(key, 'did:web:a.example');
    expect(pair.id).to.equal(`did:web:a.example#${key.kid}`);
    expect(pair.publicKeyMultibase).to.equal(key.publicKeyMultibase);
    const data = new TextEncoder().encode('data');
    const signature = await pair.signer().sign({ data });
    expect(cryptoVerify(null, data, toJoseKeys(key).publicKey, signature)).to.equal(true);
    const published = await Ed25519Multikey.from({
      '@context': 'https://w3id.org/security/multikey/v1',
      type: 'Multikey',
      id: pair.id,
      controller: 'did:web:a.example',
      publicKeyMultibase: key.publicKeyMultibase,
    });
    expect(Buffer.from(published.publicKey).toString('base64url')).to.equal(key.publicJwk.x);
  });

  it('rotation adds an active key, keeps the old one published and verifiable until it is retired', async () => {
    const web = new FakeWeb();
    const clock = new TestClock();
    const issuer = await createParty(web, 'issuer.example', clock);
    const oldKid = issuer.keys.activeKey.kid;
    const oldCredential = await issueCredential({
      claims: membershipClaims('did:web:member.example'),
      signer: issuer.signer,
      clock: clock.now,
    });

    const next = await issuer.keys.rotate();
    issuer.publish();
    expect(issuer.keys.activeKey.kid).to.equal(next.kid).and.not.equal(oldKid);
    expect(issuer.keys.publishedKeys.map((key) => key.kid)).to.deep.equal([next.kid, oldKid]);
    expect(issuer.keys.getKey(oldKid)?.status).to.equal('published');
    expect(issuer.keys.getKey(oldKid)?.retiredAt).to.equal(clock.now().toISOString());
    const document = buildDidDocument({ did: issuer.did, keys: issuer.keys.publishedKeys });
    expect(document.assertionMethod).to.have.length(2);

    // Rotation survives a restart.
    const reopened = await openKeyStore(issuer.keys.directory);
    expect(reopened.publishedKeys.map((key) => key.kid)).to.deep.equal([next.kid, oldKid]);

    const options = { resolver: resolverFor(web, clock), trustList: [{ did: issuer.did }], clock: clock.now };
    const input = oldCredential.format === 'jwt' ? oldCredential.jwt : '';
    await verifyCredential(input, options);

    await rejectsWithCode(issuer.keys.retire(next.kid), 'ERR_KEY_ACTIVE');
    const oldX = issuer.keys.getKey(oldKid)?.publicJwk.x ?? '';
    await issuer.keys.retire(oldKid);
    issuer.publish();
    expect(issuer.keys.getKey(oldKid)).to.equal(undefined);
    expect(await readFile(join(issuer.keys.directory, KEYSET_FILE_NAME), 'utf8')).not.to.contain(oldX);
    // A fresh verifier (no cached DID document) no longer accepts the retired key.
    await rejectsWithCode(
      verifyCredential(input, { ...options, resolver: resolverFor(web, clock) }),
      'ERR_VERIFICATION_METHOD_NOT_FOUND',
    );
    await rejectsWithCode(issuer.keys.retire('z6MkUnknown'), 'ERR_KEY_NOT_FOUND');
  });
});
