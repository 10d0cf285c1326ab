// The federated catalog's HTTP API, mounted on the authority's server. Thin handlers: authenticate
// the asker, validate, call the search or the crawler, answer.
//   anyone*   GET  /catalog/v1/search?q=&sector=&grade=&publisher=&format=&licence=&purpose=&region=
//                                      &credential=&price=&sort=&limit=&offset=
//   anyone*   GET  /catalog/v1/datasets/:provider/:datasetId
//   admin     GET  /catalog/v1/crawl-status                          (also /authority/v1/admin/catalog)
//   admin     POST /catalog/v1/crawl[?wait=true&member=DID]           (also /authority/v1/admin/catalog/crawl)
//   member    POST /catalog/v1/notices                             "my offers changed" (DID-proof token)
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
import { HttpProblem, logProblem, toProblem } from '../../../connector/http/problem.js';
import { didProofOf, requireDidProof } from '../../../connector/http/caller-auth.js';
import type { DidResolver, ReplayCache } from '../../../connector/identity/index.js';
import type { Logger } from '../../../connector/logging/index.js';
import type { ScheduledRecrawl } from '../crawl/on-demand.js';
import type { AuthorityService } from '../../authority/service.js';
import type { Crawler } from '../crawl/crawler.js';
import { dspPaging, federatedCatalog, filterQuery } from '../dsp/federated-catalog.js';
import { parseSearchQuery } from '../search/query.js';
import type { FederatedSearch } from '../search/search.js';
import type { CatalogOverview } from '../types.js';
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
  readonly overview: () => Promise<CatalogOverview>;
  /** Schedules a crawl of a member that said its offers changed; undefined when automatic crawls are off. */
  readonly recrawl: (did: string) => ScheduledRecrawl | undefined;
  /** Verify the members' notices (DID-proof tokens addressed to the authority, single use). */
  readonly resolver: DidResolver;
  readonly replayCache: ReplayCache;
  readonly logger: Logger;
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
  const { search } = options;
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

  const admin: RequestHandler = (req, _res, next) => {
    authenticateAsker(req, options)
      .then((asker) => requireAdminAsker(asker))
      .then(() => next(), next);
  };
  router.get(`${CATALOG_API_PREFIX}/crawl-status`, admin, crawlStatusHandler(options));
  router.post(`${CATALOG_API_PREFIX}/crawl`, admin, crawlHandler(options, false));

  // A member's connector says its offers changed: crawl it within seconds, not at the next scheduled crawl.
  // The token proves the DID (signed by its key, addressed to us, single use); only active members count.
  router.post(
    `${CATALOG_API_PREFIX}/notices`,
    requireDidProof({
      resolver: options.resolver,
      audience: options.service.did,
      replayCache: options.replayCache,
    }),
    route(async (_req, res) => {
      const did = didProofOf(res).caller;
      const member = await memberForNotice(options.service, did);
      const scheduled = options.recrawl(member);
      options.logger.debug(
        { member, ...(scheduled ?? {}) },
        scheduled
          ? `notice from ${member}: crawl scheduled`
          : `notice from ${member}: automatic crawls are off`,
      );
      res.status(202).json({ member, ...(scheduled ? { crawl: scheduled } : { crawl: null }) });
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
      logProblem(options.logger, req, error, problem);
      const reason = [
        problem.detail,
        ...problem.errors.map((e) => `${e.pointer || '(message)'}: ${e.reason}`),
      ];
      res.status(problem.status).json(buildCatalogError({ code: problem.code, reason }));
    }
  });

  return router;
}

/** The member a notice comes from, when it is active and has a catalog to crawl; else a 403 saying why. */
async function memberForNotice(service: AuthorityService, did: string): Promise<string> {
  const member = await service.member(did).catch(() => undefined);
  if (member === undefined) {
    throw new HttpProblem(403, 'not-a-member', `${did} is not a member of this data space.`);
  }
  if (member.state !== 'active') {
    throw new HttpProblem(403, 'member-not-active', `${did} is ${member.state}: its catalog is not crawled.`);
  }
  if (member.connectorUrl === undefined) {
    throw new HttpProblem(
      403,
      'no-connector',
      `${did} registered no connector URL, so there is no catalog to crawl.`,
    );
  }
  return did;
}

export interface CatalogAdminOptions {
  readonly crawler: Crawler;
  readonly overview: () => Promise<CatalogOverview>;
  readonly service: AuthorityService;
}

/** GET: the crawl status per member, the next scheduled crawl and the index size. */
export function crawlStatusHandler(options: Pick<CatalogAdminOptions, 'overview'>): RequestHandler {
  return route(async (_req, res) => {
    res.setHeader('Cache-Control', 'no-store');
    res.json(await options.overview());
  });
}

/**
 * POST: crawl now, every member or `?member=DID`; `?wait=true` answers with the summary when it is done
 * (`waitByDefault` for the admin API, which the CLI calls), otherwise 202 at once.
 */
export function crawlHandler(options: CatalogAdminOptions, waitByDefault: boolean): RequestHandler {
  return route(async (req, res) => {
    const wait = req.query.wait;
    if (wait !== undefined && wait !== 'true' && wait !== 'false') {
      throw new HttpProblem(400, 'invalid-query', '"wait" must be true or false.', [
        { pointer: 'wait', reason: 'must be true or false' },
      ]);
    }
    const member = req.query.member;
    if (member !== undefined && (typeof member !== 'string' || !member.startsWith('did:'))) {
      throw new HttpProblem(400, 'invalid-query', '"member" must be a member DID.', [
        { pointer: 'member', reason: 'must be a DID' },
      ]);
    }
    if (member !== undefined) {
      const known = await options.service.member(member).catch(() => undefined);
      if (known === undefined || known.state !== 'active' || known.connectorUrl === undefined) {
        throw new HttpProblem(
          404,
          'not-crawlable',
          `${member} is not an active member with a connector URL; "shuyu catalog status" lists who is crawled.`,
        );
      }
    }
    const { crawler } = options;
    const alreadyRunning = crawler.running;
    const crawl = crawler.crawlNow(member === undefined ? {} : { providers: [member] });
    if (wait === 'true' || (wait === undefined && waitByDefault)) {
      const summary = await crawl;
      const providers = (await options.overview()).providers.filter(
        (p) => member === undefined || p.did === member,
      );
      res.json({ alreadyRunning, summary, providers });
      return;
    }
    crawl.catch(() => undefined); // reported in the crawl status
    res.status(202).location(`${CATALOG_API_PREFIX}/crawl-status`).json({ started: true, alreadyRunning });
  });
}
