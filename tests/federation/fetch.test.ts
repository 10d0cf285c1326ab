// The crawler's HTTP side against a scripted provider on 127.0.0.1: pagination by Link header, and
// the refusals that protect the index (another origin in a next link, a catalog of someone else, a
// page that breaks the DSP schema or is too large, a provider that does not answer in time).
import { expect } from 'chai';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  CrawlFailure,
  DEFAULT_FETCH_LIMITS,
  fetchCatalog,
  nextLink,
} from '../../catalog/federation/index.js';
import { hostPolicyFor } from '../../connector/process/config.js';

const PROVIDER = 'did:web:provider.example';
const CONTEXT = ['https://w3id.org/dspace/2025/1/context.jsonld'];

function dataset(id: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    '@id': id,
    '@type': 'Dataset',
    'dct:title': `Title of ${id}`,
    hasPolicy: [
      { '@id': `urn:offer:${id}`, '@type': 'Offer', assigner: PROVIDER, permission: [{ action: 'use' }] },
    ],
    distribution: [{ '@type': 'Distribution', format: 'HttpData-PULL', accessService: 'urn:service' }],
    ...extra,
  };
}

function catalog(datasets: unknown[], participantId = PROVIDER): Record<string, unknown> {
  return { '@context': CONTEXT, '@id': 'urn:catalog', '@type': 'Catalog', participantId, dataset: datasets };
}

type Script = (req: IncomingMessage, res: ServerResponse, base: string) => void;

describe('federation: reading a provider catalog', () => {
  let server: Server;
  let base: string;
  let script: Script;
  const seen: { url: string; authorization?: string }[] = [];

  before(async () => {
    server = createServer((req, res) => {
      seen.push({
        url: req.url ?? '',
        ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
      });
      req.resume();
      req.on('end', () => script(req, res, base));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(
    () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  );
  beforeEach(() => {
    seen.length = 0;
  });

  let tokens = 0;
  const read = (limits = {}) =>
    fetchCatalog({
      connectorUrl: `${base}/dsp`,
      providerDid: PROVIDER,
      token: async () => `token-${++tokens}`,
      hostPolicy: hostPolicyFor(['127.0.0.1']),
      limits: { ...DEFAULT_FETCH_LIMITS, ...limits },
    });
  const send = (res: ServerResponse, body: unknown, headers: Record<string, string> = {}, status = 200) => {
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(JSON.stringify(body));
  };
  const failure = async (promise: Promise<unknown>): Promise<CrawlFailure> => {
    try {
      await promise;
    } catch (e) {
      expect(e).to.be.instanceOf(CrawlFailure);
      return e as CrawlFailure;
    }
    expect.fail('expected the crawl to fail');
  };

  it('reads rel="next" from Link headers', () => {
    expect(
      nextLink('<https://p.example/c?offset=2>; rel="next", <https://p.example/c?offset=0>; rel="previous"'),
    ).to.equal('https://p.example/c?offset=2');
    expect(nextLink('<a>; rel="previous", <b>; rel=next')).to.equal('b');
    expect(nextLink('<a>; rel="prev next"')).to.equal('a');
    expect(nextLink('<a>; rel="nextish"')).to.equal(undefined);
    expect(nextLink(null)).to.equal(undefined);
  });

  it('follows the pages with a fresh token for each request', async () => {
    script = (req, res, b) => {
      if (req.url === '/dsp/catalog/request') {
        send(res, catalog([dataset('urn:a'), dataset('urn:b')]), {
          link: `<${b}/dsp/catalog/request?page=2>; rel="next"`,
        });
      } else send(res, catalog([dataset('urn:c', { 'dcat:keyword': ['x', 'y'] })]));
    };
    const fetched = await read();
    expect(fetched.pages).to.equal(2);
    expect(fetched.datasets.map((d) => d.datasetId)).to.deep.equal(['urn:a', 'urn:b', 'urn:c']);
    expect(fetched.datasets[2]?.keywords).to.deep.equal(['x', 'y']);
    expect(seen.map((s) => s.url)).to.deep.equal(['/dsp/catalog/request', '/dsp/catalog/request?page=2']);
    expect(new Set(seen.map((s) => s.authorization)).size).to.equal(2);
  });

  it('never follows a next link to another origin (the token would go with it)', async () => {
    script = (_req, res) =>
      send(res, catalog([dataset('urn:a')]), { link: '<http://127.0.0.2:9/steal>; rel="next"' });
    const error = await failure(read());
    expect(error.code).to.equal('invalid-catalog');
    expect(error.message).to.match(/another origin/);
  });

  it('refuses the catalog of another participant', async () => {
    script = (_req, res) => send(res, catalog([dataset('urn:a')], 'did:web:someone-else.example'));
    const error = await failure(read());
    expect(error.code).to.equal('wrong-participant');
    expect(error.message).to.match(/not its own/);
  });

  it('refuses a page that breaks the DSP schema, and says where', async () => {
    script = (_req, res) => send(res, catalog([{ '@id': 'urn:a', '@type': 'Dataset', hasPolicy: [] }]));
    const error = await failure(read());
    expect(error).to.include({ code: 'invalid-catalog', retryable: false });
    expect(error.message).to.match(/\/dataset\/0/);
  });

  it('indexes a schema-valid catalog whose policies use terms outside the DSP context, with a warning', async () => {
    const offer = { '@id': 'urn:offer', '@type': 'Offer', conflict: 'perm', permission: [{ action: 'use' }] };
    script = (_req, res) => send(res, catalog([dataset('urn:a', { hasPolicy: [offer] })]));
    const fetched = await read();
    expect(fetched.datasets.map((d) => d.datasetId)).to.deep.equal(['urn:a']);
    expect(fetched.warnings.join()).to.match(/outside the DSP 2025-1 context \(conflict\)/);
  });

  it("reports HTTP errors with the provider's reason and retries only transient ones", async () => {
    script = (_req, res) =>
      send(res, { '@type': 'CatalogError', code: 'x', reason: ['not a member'] }, {}, 403);
    const forbidden = await failure(read());
    expect(forbidden).to.include({
      code: 'http-error',
      status: 403,
      retryable: false,
      statusCode: 'http-403',
    });
    expect(forbidden.message).to.match(/HTTP 403: not a member/);
    script = (_req, res) => send(res, {}, {}, 503);
    expect((await failure(read())).retryable).to.equal(true);
  });

  it('bounds the size of a page and the time a provider may take', async () => {
    script = (_req, res) => send(res, catalog([dataset('urn:a', { 'dct:description': 'x'.repeat(5000) })]));
    expect((await failure(read({ maxPageBytes: 2000 }))).code).to.equal('too-large');
    script = (_req, res) => setTimeout(() => send(res, catalog([])), 500);
    const slow = await failure(read({ timeoutMs: 100 }));
    expect(slow).to.include({ code: 'timeout', retryable: true });
  });

  it('contacts only hosts the authority allows', async () => {
    const error = await failure(
      fetchCatalog({
        connectorUrl: 'https://elsewhere.example/dsp',
        providerDid: PROVIDER,
        token: async () => 't',
        hostPolicy: hostPolicyFor(['127.0.0.1']),
        limits: DEFAULT_FETCH_LIMITS,
      }),
    );
    expect(error.code).to.equal('not-allowed');
    expect(seen).to.have.length(0);
  });
});
