import { expect } from 'chai';
import {
  buildDidDocument,
  createDidResolver,
  didKeyFromKey,
  didWebToUrl,
  indexDidDocument,
  isLoopbackHost,
  openKeyStore,
  resolveDidKey,
  selectVerificationKey,
  urlToDidWeb,
} from '../../connector/identity/index.js';
import {
  FakeWeb,
  TestClock,
  createParty,
  rejectsWithCode,
  removeTempDirs,
  tempDir,
  throwsWithCode,
} from './helpers.js';

describe('identity/did', () => {
  after(removeTempDirs);

  describe('did:web <-> URL', () => {
    it('maps domain, path and port forms', () => {
      expect(didWebToUrl('did:web:example.com').href).to.equal('https://example.com/.well-known/did.json');
      expect(didWebToUrl('did:web:example.com:connectors:a').href).to.equal(
        'https://example.com/connectors/a/did.json',
      );
      expect(didWebToUrl('did:web:example.com%3A8443').href).to.equal(
        'https://example.com:8443/.well-known/did.json',
      );
      expect(didWebToUrl('did:web:127.0.0.1%3A8080').href).to.equal(
        'https://127.0.0.1:8080/.well-known/did.json',
      );
    });

    it('uses plain http only for loopback hosts and only when asked', () => {
      const options = { allowHttpForLoopback: true };
      expect(didWebToUrl('did:web:127.0.0.1%3A8080', options).href).to.equal(
        'http://127.0.0.1:8080/.well-known/did.json',
      );
      expect(didWebToUrl('did:web:localhost%3A9000:c1', options).href).to.equal(
        'http://localhost:9000/c1/did.json',
      );
      expect(didWebToUrl('did:web:%5B%3A%3A1%5D%3A8080', options).href).to.equal(
        'http://[::1]:8080/.well-known/did.json',
      );
      expect(didWebToUrl('did:web:example.com', options).protocol).to.equal('https:');
      expect(didWebToUrl('did:web:10.0.0.5%3A8080', options).protocol).to.equal('https:');
    });

    it('maps URLs back to DIDs and refuses http for non-loopback hosts', () => {
      expect(urlToDidWeb('https://example.com')).to.equal('did:web:example.com');
      expect(urlToDidWeb('https://example.com/.well-known/did.json')).to.equal('did:web:example.com');
      expect(urlToDidWeb('https://example.com:8443/connectors/a/')).to.equal(
        'did:web:example.com%3A8443:connectors:a',
      );
      expect(urlToDidWeb('http://127.0.0.1:8080')).to.equal('did:web:127.0.0.1%3A8080');
      expect(urlToDidWeb('http://[::1]:8080/c/did.json')).to.equal('did:web:%5B%3A%3A1%5D%3A8080:c');
      for (const did of ['did:web:example.com%3A8443:connectors:a', 'did:web:127.0.0.1%3A8080']) {
        expect(urlToDidWeb(didWebToUrl(did, { allowHttpForLoopback: true }))).to.equal(did);
      }
      const error = throwsWithCode(() => urlToDidWeb('http://example.com'), 'ERR_DID_INVALID');
      expect(error.message).to.contain('loopback');
      throwsWithCode(() => urlToDidWeb('http://10.1.2.3:8080'), 'ERR_DID_INVALID');
      throwsWithCode(() => urlToDidWeb('ftp://example.com'), 'ERR_DID_INVALID');
      throwsWithCode(() => urlToDidWeb('https://example.com/%E0%A4%A'), 'ERR_DID_INVALID');
      throwsWithCode(() => urlToDidWeb('not a url'), 'ERR_DID_INVALID');
    });

    it('rejects malformed did:web identifiers', () => {
      for (const bad of [
        'did:web:',
        'did:key:z6Mk',
        'did:web:exa mple.com',
        'did:web:example.com:..:etc',
        'did:web:user%40example.com',
        'did:web:example.com%2Fpath',
        'did:web:example.com#key-1',
        'did:web:example.com:%E0%A4%A',
      ]) {
        throwsWithCode(() => didWebToUrl(bad), 'ERR_DID_INVALID');
      }
    });

    it('recognises loopback hosts and nothing else', () => {
      for (const host of [
        '127.0.0.1',
        '127.1.2.3',
        'localhost',
        'LOCALHOST',
        '::1',
        '[::1]',
        '0:0:0:0:0:0:0:1',
      ]) {
        expect(isLoopbackHost(host), host).to.equal(true);
      }
      for (const host of [
        '0.0.0.0',
        '::',
        '10.0.0.1',
        '128.0.0.1',
        'localhost.example.com',
        '::ffff:10.0.0.1',
        '',
      ]) {
        expect(isLoopbackHost(host), host).to.equal(false);
      }
      expect(isLoopbackHost('::ffff:127.0.0.1')).to.equal(true);
    });
  });

  describe('documents', () => {
    it('builds JsonWebKey2020 and Multikey documents listing every published key under all relationships', async () => {
      const store = await openKeyStore(await tempDir());
      await store.rotate();
      const did = 'did:web:connector.example';
      const jwkDocument = buildDidDocument({
        did,
        keys: store.publishedKeys,
        services: [
          { id: `${did}#dsp`, type: 'DataService', serviceEndpoint: 'https://connector.example/dsp' },
        ],
      });
      expect(jwkDocument['@context']).to.deep.equal([
        'https://www.w3.org/ns/did/v1',
        'https://w3id.org/security/suites/jws-2020/v1',
      ]);
      expect(jwkDocument.verificationMethod).to.have.length(2);
      expect(jwkDocument.verificationMethod[0]).to.deep.include({ type: 'JsonWebKey2020', controller: did });
      expect(jwkDocument.verificationMethod[0]?.publicKeyJwk).to.deep.equal(store.activeKey.publicJwk);
      expect(JSON.stringify(jwkDocument)).not.to.contain(store.activeKey.exportPrivateJwk().d);
      const ids = jwkDocument.verificationMethod.map((method) => method.id);
      expect(jwkDocument.authentication).to.deep.equal(ids);
      expect(jwkDocument.assertionMethod).to.deep.equal(ids);
      expect(jwkDocument.capabilityInvocation).to.deep.equal(ids);
      expect(jwkDocument.service).to.have.length(1);

      const multikeyDocument = buildDidDocument({ did, keys: store.publishedKeys, format: 'Multikey' });
      expect(multikeyDocument.verificationMethod[0]).to.deep.include({
        type: 'Multikey',
        publicKeyMultibase: store.activeKey.kid,
      });
      // Both forms index to the same usable keys.
      for (const document of [jwkDocument, multikeyDocument]) {
        const resolved = await indexDidDocument(did, document);
        const key = selectVerificationKey(resolved, `#${store.activeKey.kid}`, 'assertionMethod');
        expect(key.alg).to.equal('EdDSA');
        expect(key.publicKey.export({ format: 'jwk' }).x).to.equal(store.activeKey.publicJwk.x);
      }
    });

    it('rejects a document whose id is not the resolved DID', async () => {
      await rejectsWithCode(
        indexDidDocument('did:web:a.example', { id: 'did:web:b.example', verificationMethod: [] }),
        'ERR_DID_DOCUMENT_INVALID',
      );
    });

    it('resolves did:key offline', async () => {
      const store = await openKeyStore(await tempDir());
      const did = didKeyFromKey(store.activeKey);
      const document = await resolveDidKey(did);
      expect(document.id).to.equal(did);
      const web = new FakeWeb();
      const resolver = createDidResolver({ fetch: web.fetch, hostPolicy: { allow: [] } });
      const resolved = await resolver.resolve(did);
      const key = selectVerificationKey(resolved, `${did}#${store.activeKey.kid}`, 'capabilityInvocation');
      expect(key.controller).to.equal(did);
      expect(web.requests).to.deep.equal([]);
      await rejectsWithCode(
        resolver.resolve('did:key:zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme'),
        'ERR_DID_METHOD_UNSUPPORTED',
      );
    });
  });

  describe('resolver', () => {
    it('fetches did:web documents through the injected fetch and caches them with a TTL', async () => {
      const web = new FakeWeb();
      const clock = new TestClock();
      const party = await createParty(web, 'alice.example');
      const resolver = createDidResolver({
        fetch: web.fetch,
        hostPolicy: { allow: ['alice.example'] },
        clock: clock.now,
        cacheTtlMs: 60_000,
      });
      const first = await resolver.resolve(party.did);
      await resolver.resolve(party.did);
      expect(first.did).to.equal(party.did);
      expect(web.requests).to.deep.equal(['https://alice.example/.well-known/did.json']);
      clock.advance(61_000);
      await resolver.resolve(party.did);
      expect(web.requests).to.have.length(2);
    });

    it('bounds the cache size', async () => {
      const web = new FakeWeb();
      const parties = [
        await createParty(web, 'a.example'),
        await createParty(web, 'b.example'),
        await createParty(web, 'c.example'),
      ];
      const resolver = createDidResolver({
        fetch: web.fetch,
        hostPolicy: { allow: '*' },
        cacheMaxEntries: 2,
      });
      for (const party of parties) await resolver.resolve(party.did);
      await resolver.resolve(parties[0]?.did ?? '');
      expect(web.requests).to.have.length(4);
    });

    it('refuses hosts outside the allow-list without fetching', async () => {
      const web = new FakeWeb();
      const party = await createParty(web, 'mallory.example');
      const resolver = createDidResolver({
        fetch: web.fetch,
        hostPolicy: { allow: ['alice.example', '*.trusted.example'] },
      });
      await rejectsWithCode(resolver.resolve(party.did), 'ERR_HOST_NOT_ALLOWED');
      expect(web.requests).to.deep.equal([]);
    });

    it('uses http for loopback DIDs only with allowHttpForLoopback, and never for other hosts', async () => {
      const web = new FakeWeb();
      const did = 'did:web:127.0.0.1%3A8080';
      const store = await openKeyStore(await tempDir());
      web.serve(
        'http://127.0.0.1:8080/.well-known/did.json',
        buildDidDocument({ did, keys: store.publishedKeys }),
      );
      const local = createDidResolver({
        fetch: web.fetch,
        hostPolicy: { allow: ['127.0.0.1:8080'], allowHttpForLoopback: true },
      });
      expect((await local.resolve(did)).did).to.equal(did);
      expect(web.requests).to.deep.equal(['http://127.0.0.1:8080/.well-known/did.json']);
      // Without the flag the resolver asks https, which the fake web does not serve.
      const strict = createDidResolver({ fetch: web.fetch, hostPolicy: { allow: ['127.0.0.1:8080'] } });
      await rejectsWithCode(strict.resolve(did), 'ERR_DID_RESOLUTION_FAILED');
      expect(web.requests.at(-1)).to.equal('https://127.0.0.1:8080/.well-known/did.json');
    });

    it('rejects oversized documents', async () => {
      const web = new FakeWeb();
      const party = await createParty(web, 'big.example');
      const url = didWebToUrl(party.did).href;
      const document = JSON.parse(web.documents.get(url)?.body ?? '{}') as Record<string, unknown>;
      web.serve(url, { ...document, padding: 'x'.repeat(70_000) });
      const resolver = createDidResolver({ fetch: web.fetch, hostPolicy: { allow: '*' } });
      await rejectsWithCode(resolver.resolve(party.did), 'ERR_RESPONSE_TOO_LARGE');
    });

    it('rejects malformed documents, HTTP errors and unsupported methods with typed errors', async () => {
      const web = new FakeWeb();
      web.serve('https://broken.example/.well-known/did.json', '{not json');
      web.serve('https://gone.example/.well-known/did.json', 'gone', 'text/plain', 410);
      const resolver = createDidResolver({ fetch: web.fetch, hostPolicy: { allow: '*' } });
      await rejectsWithCode(resolver.resolve('did:web:broken.example'), 'ERR_DID_DOCUMENT_INVALID');
      await rejectsWithCode(resolver.resolve('did:web:gone.example'), 'ERR_DID_RESOLUTION_FAILED');
      await rejectsWithCode(resolver.resolve('did:ion:abc'), 'ERR_DID_METHOD_UNSUPPORTED');
      await rejectsWithCode(resolver.resolve('not a did'), 'ERR_DID_INVALID');
      await rejectsWithCode(resolver.resolve('did:web:a.example#key'), 'ERR_DID_INVALID');
    });

    it('refetches a stale document once when a key is unknown, but not more than once per interval', async () => {
      const web = new FakeWeb();
      const clock = new TestClock();
      const party = await createParty(web, 'rotating.example', clock);
      const resolver = createDidResolver({ fetch: web.fetch, hostPolicy: { allow: '*' }, clock: clock.now });
      await resolver.resolve(party.did);
      await party.keys.rotate();
      party.publish();
      clock.advance(31_000);
      const refreshed = await resolver.refresh(party.did);
      expect(refreshed.keys.has(party.signer.keyId)).to.equal(true);
      await resolver.refresh(party.did);
      expect(web.requests).to.have.length(2);
    });
  });
});
