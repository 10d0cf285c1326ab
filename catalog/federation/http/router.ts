// The federated catalog's HTTP API, mounted on the authority's server. Thin handlers: authenticate
// the asker, validate, call the search or the crawler, answer.
//   anyone*   GET  /catalog/v1/search?q=&sector=&grade=&publisher=&format=&licence=&purpose=&region=
//                                      &credential=&price=&sort=&limit=&offset=
//   anyone*   GET  /catalog/v1/datasets/:provider/:datasetId
//   admin     GET  /catalog/v1/crawl-status
//   admin     POST /catalog/v1/crawl[?wait=true]
//   member    POST /catalog/dsp/catalog/request[?offset=&limit=]   (DSP CatalogRequestMessage)
//   anyone*   GET  /catalog/dcat-ap[?offset=&limit=]                (DCAT-AP JSON-LD, for data portals)
// * members (request token) see what their credentials would show them at each provider, admins
//   (admin API key) see everything, anonymous callers only offers open to a caller with no claims.
import {
  DCAT_AP_MEDIA_TYPE,
  harvestCatalog,
  type PublisherProfile,
} from '../../../connector/assets/index.js';
import { Router, type Request, type RequestHandler, type Response } from 'express';
import {
  buildCatalogError,
  DspError,
  parseDspMessage,
  type CatalogRequestMessage,
} from '../../../connector/dsp/messages/index.js';
import { HttpProblem, toProblem } from '../../../connector/http/problem.js';
import type { Crawler } from '../crawl/crawler.js';
import { dspPaging, federatedCatalog, filterQuery } from '../dsp/federated-catalog.js';
import { parseSearchQuery } from '../search/query.js';
import type { FederatedSearch } from '../search/search.js';
import type { ProviderCrawlStatus } from '../types.js';
import {
  authenticateAsker,
  authenticateMember,
  requireAdminAsker,
  type AskerAuthentication,
} from './asker.js';

export const CATALOG_API_PREFIX = '/catalog/v1';
export const CATALOG_DSP_PREFIX = '/catalog/dsp';
/** The federation's DCAT-AP harvest view (connector/assets/dcat-ap-harvest.ts). */
export const CATALOG_DCAT_AP_PATH = '/catalog/dcat-ap';

export interface CatalogRouterOptions extends AskerAuthentication {
  readonly search: FederatedSearch;
  readonly crawler: Crawler;
  readonly crawlStatus: () => Promise<ProviderCrawlStatus[]>;
  /** The authority's public base URL (for the DSP endpoint and its Link headers). */
  readonly publicUrl: string;
  /** The authority's registration: the DSP catalog's DCAT-AP publisher. */
  readonly publisher?: PublisherProfile;
  /** Told each search's duration in seconds (metrics). */
  readonly observeSearch?: (seconds: number) => void;
}

type Handler = (req: Request, res: Response) => Promise<void>;
const route = (handler: Handler): RequestHandler => handler as RequestHandler;

export function catalogRouter(options: CatalogRouterOptions): Router {
  const router = Router();
  const { search, crawler } = options;
  const base = options.publicUrl.replace(/\/+$/, '');

  router.get(
    `${CATALOG_API_PREFIX}/search`,
    route(async (req, res) => {
      const query = parseSearchQuery(req.query as Record<string, unknown>);
      const asker = await authenticateAsker(req, options);
      res.setHeader('Cache-Control', 'no-store');
      const started = performance.now();
      const found = await search.search(query, asker);
      options.observeSearch?.((performance.now() - started) / 1000);
      res.json(found);
    }),
  );

  router.get(
    `${CATALOG_API_PREFIX}/datasets/:provider/:datasetId`,
    route(async (req, res) => {
      const asker = await authenticateAsker(req, options);
      const provider = String(req.params.provider);
      const datasetId = String(req.params.datasetId);
      const view = await search.dataset(provider, datasetId, asker);
      if (view === undefined) {
        // Unknown and not visible to you look the same, as at the provider.
        throw new HttpProblem(
          404,
          'not-found',
          `No dataset ${datasetId} of ${provider} is available to you.`,
        );
      }
      res.setHeader('Cache-Control', 'no-store');
      res.json(view);
    }),
  );

  router.get(
    `${CATALOG_API_PREFIX}/crawl-status`,
    route(async (req, res) => {
      requireAdminAsker(await authenticateAsker(req, options));
      res.json({
        crawling: crawler.running,
        ...(crawler.lastSummary ? { lastCrawl: crawler.lastSummary } : {}),
        providers: await options.crawlStatus(),
      });
    }),
  );

  router.post(
    `${CATALOG_API_PREFIX}/crawl`,
    route(async (req, res) => {
      requireAdminAsker(await authenticateAsker(req, options));
      const wait = req.query.wait;
      if (wait !== undefined && wait !== 'true' && wait !== 'false') {
        throw new HttpProblem(400, 'invalid-query', '"wait" must be true or false.', [
          { pointer: 'wait', reason: 'must be true or false' },
        ]);
      }
      const alreadyRunning = crawler.running;
      const crawl = crawler.crawlNow();
      if (wait === 'true') {
        res.json({ alreadyRunning, summary: await crawl });
        return;
      }
      crawl.catch(() => undefined); // reported in the crawl status
      res.status(202).location(`${CATALOG_API_PREFIX}/crawl-status`).json({ started: true, alreadyRunning });
    }),
  );

  // The same federated catalog as DCAT-AP JSON-LD, for data portals: every member's datasets the asker
  // may see (anonymous: those open to a caller with no claims), one nested catalog per provider.
  router.get(
    CATALOG_DCAT_AP_PATH,
    route(async (req, res) => {
      const type = req.accepts([DCAT_AP_MEDIA_TYPE, 'application/json']);
      if (type === false) {
        throw new HttpProblem(
          406,
          'not-acceptable',
          `The DCAT-AP harvest view is served as JSON-LD only: accept ${DCAT_AP_MEDIA_TYPE}.`,
        );
      }
      const { offset, limit } = dspPaging(req.query as Record<string, unknown>);
      const asker = await authenticateAsker(req, options);
      const page = await search.dspPage({ sort: 'provider', offset, limit }, asker);
      if (offset + page.rows.length < page.total) {
        res.setHeader(
          'Link',
          `<${base}${CATALOG_DCAT_AP_PATH}?offset=${offset + limit}&limit=${limit}>; rel="next"`,
        );
      }
      const catalog = federatedCatalog({
        participantId: options.service.did,
        endpointURL: `${base}${CATALOG_DSP_PREFIX}`,
        rows: page.rows,
        ...(options.publisher ? { publisher: options.publisher } : {}),
      });
      res.setHeader('Cache-Control', 'no-store');
      res
        .status(200)
        .type(type)
        .send(JSON.stringify(harvestCatalog(catalog)));
    }),
  );

  router.post(`${CATALOG_DSP_PREFIX}/catalog/request`, async (req, res) => {
    try {
      const { offset, limit } = dspPaging(req.query as Record<string, unknown>);
      const asker = await authenticateMember(req, options);
      const parsed = await parseDspMessage('CatalogRequestMessage', req.body);
      if (!parsed.ok) throw DspError.badMessage('CatalogRequestMessage', parsed.errors);
      const message: CatalogRequestMessage = parsed.message;
      const query = { ...filterQuery(message.filter), sort: 'provider' as const, offset, limit };
      const page = await search.dspPage(query, asker);
      if (offset + page.rows.length < page.total) {
        const next = `${base}${CATALOG_DSP_PREFIX}/catalog/request?offset=${offset + limit}&limit=${limit}`;
        res.setHeader('Link', `<${next}>; rel="next"`);
      }
      res.json(
        federatedCatalog({
          participantId: options.service.did,
          endpointURL: `${base}${CATALOG_DSP_PREFIX}`,
          rows: page.rows,
          ...(options.publisher ? { publisher: options.publisher } : {}),
        }),
      );
    } catch (error) {
      // DSP peers read CatalogError bodies, not problem+json.
      const problem = toProblem(error);
      if (problem.status >= 500) console.error(error);
      const reason = [
        problem.detail,
        ...problem.errors.map((e) => `${e.pointer || '(message)'}: ${e.reason}`),
      ];
      res.status(problem.status).json(buildCatalogError({ code: problem.code, reason }));
    }
  });

  return router;
}
