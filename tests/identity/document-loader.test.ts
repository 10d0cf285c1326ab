import { expect } from 'chai';
import jsonld from 'jsonld';
import {
  SHUYU_CONTEXT_V1_URL,
  bundledContextUrls,
  createDocumentLoader,
} from '../../connector/identity/index.js';
import { rejectsWithCode, throwsWithCode } from './helpers.js';

describe('identity/document-loader', () => {
  let originalFetch: typeof globalThis.fetch;
  let networkCalls: string[];

  // Any network access from the loader (or jsonld behind it) would go through the global fetch: trap it.
  beforeEach(() => {
    originalFetch = globalThis.fetch;
    networkCalls = [];
    globalThis.fetch = (async (input: unknown) => {
      networkCalls.push(String(input));
      throw new Error('network access is forbidden in this test');
    }) as typeof globalThis.fetch;
  });
  afterEach(() => {
    globalThis.fetch = originalFetch;
  });

  it('serves the bundled contexts', async () => {
    const loader = createDocumentLoader();
    for (const url of [
      'https://www.w3.org/ns/credentials/v2',
      'https://www.w3.org/2018/credentials/v1',
      'https://w3id.org/security/data-integrity/v2',
      'https://w3id.org/security/multikey/v1',
      'https://www.w3.org/ns/did/v1',
      'https://www.w3.org/ns/credentials/status/v1',
      'https://www.w3.org/ns/odrl.jsonld',
      SHUYU_CONTEXT_V1_URL,
    ]) {
      expect(bundledContextUrls()).to.include(url);
      const remote = await loader(url);
      expect(remote.documentUrl).to.equal(url);
      expect(remote.document).to.have.property('@context');
    }
    const shuyu = (await loader(SHUYU_CONTEXT_V1_URL)).document as { '@context': Record<string, unknown> };
    expect(shuyu['@context']['@protected']).to.equal(true);
    for (const term of [
      'MembershipCredential',
      'SectorCredential',
      'DataGradeClearance',
      'dataSpace',
      'sectorRoles',
    ]) {
      expect(shuyu['@context']).to.have.property(term);
    }
    expect(networkCalls).to.deep.equal([]);
  });

  it('refuses an unknown context URL with a typed error and no network request', async () => {
    const loader = createDocumentLoader();
    const error = await rejectsWithCode(
      loader('https://evil.example/context.jsonld'),
      'ERR_CONTEXT_NOT_ALLOWED',
    );
    expect(error.message).to.contain('never fetched');
    expect(networkCalls).to.deep.equal([]);
  });

  it('refuses unknown contexts inside jsonld processing as well, still without network', async () => {
    const loader = createDocumentLoader();
    const document = { '@context': ['https://evil.example/ctx'], name: 'x' };
    let thrown: unknown;
    try {
      await jsonld.expand(document, { documentLoader: loader as never });
    } catch (error) {
      thrown = error;
    }
    expect(
      JSON.stringify((thrown as { details?: { cause?: { code?: string } } }).details?.cause?.code),
    ).to.equal('"ERR_CONTEXT_NOT_ALLOWED"');
    expect(networkCalls).to.deep.equal([]);
  });

  it('accepts extra contexts from other modules but never lets them replace a bundled one', async () => {
    const extra = { '@context': { hello: 'https://example.org/hello' } };
    const loader = createDocumentLoader({ extraContexts: new Map([['https://example.org/ctx/v1', extra]]) });
    expect((await loader('https://example.org/ctx/v1')).document).to.deep.equal(extra);
    expect(loader.has('https://example.org/ctx/v1')).to.equal(true);
    // The default loader is unaffected by another loader's extras.
    expect(createDocumentLoader().has('https://example.org/ctx/v1')).to.equal(false);
    throwsWithCode(
      () =>
        createDocumentLoader({
          extraContexts: new Map([['https://www.w3.org/ns/credentials/v2', { '@context': { evil: 'x' } }]]),
        }),
      'ERR_CONTEXT_CONFLICT',
    );
  });

  it('hands out frozen documents so no caller can change a context for others', async () => {
    const loader = createDocumentLoader();
    const { document } = await loader(SHUYU_CONTEXT_V1_URL);
    expect(Object.isFrozen(document)).to.equal(true);
    expect(() => {
      (document as Record<string, unknown>)['@context'] = {};
    }).to.throw(TypeError);
  });
});
