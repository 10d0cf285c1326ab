// GET /catalog/dcat-ap: the connector's catalog as DCAT-AP JSON-LD for data portals to harvest
// (connector/assets/dcat-ap-harvest.ts). Public: without a token the caller sees what a caller with no
// credentials sees in the DSP catalog (datasets with an offer whose access policy asks nothing); with
// a DCP token (the DSP authentication, optional here) exactly its DSP view. Pages of up to 1000
// datasets, `Link: <…?cursor=…>; rel="next"` as in the DSP catalog. JSON-LD only (application/ld+json,
// or application/json); anything else is a 406.

import { Router, type Request, type RequestHandler } from 'express';
import {
  ANONYMOUS_CALLER,
  CatalogQueryError,
  DCAT_AP_MEDIA_TYPE,
  harvestCatalog,
  MAX_PAGE_SIZE,
  type Catalog,
} from '../../assets/index.js';
import { HttpProblem } from '../../http/problem.js';
import { callerFrom } from '../http.js';

export const DCAT_AP_PATH = '/catalog/dcat-ap';

export function harvestRouter(catalog: Catalog, authenticate: RequestHandler): Router {
  const router = Router();
  // The DSP authentication when a token is sent (a bad one is refused, never read as anonymous).
  const optionalAuth: RequestHandler = (req, res, next) =>
    req.headers.authorization === undefined ? next() : authenticate(req, res, next);
  router.get(DCAT_AP_PATH, optionalAuth, async (req, res) => {
    const type = req.accepts([DCAT_AP_MEDIA_TYPE, 'application/json']);
    if (type === false) {
      throw new HttpProblem(
        406,
        'not-acceptable',
        `The DCAT-AP harvest view is served as JSON-LD only: accept ${DCAT_AP_MEDIA_TYPE}.`,
      );
    }
    const caller = res.locals.caller === undefined ? ANONYMOUS_CALLER : callerFrom(res);
    const limit = limitParam(req);
    const cursor = typeof req.query.cursor === 'string' ? req.query.cursor : undefined;
    const page = await catalog
      .catalogFor(caller, { limit, ...(cursor ? { cursor } : {}) })
      .catch((e: unknown) => {
        if (!(e instanceof CatalogQueryError)) throw e;
        throw new HttpProblem(400, 'invalid-query', e.message, e.fields);
      });
    if (page.next !== undefined)
      res.set('Link', `<${DCAT_AP_PATH}?cursor=${page.next}&limit=${page.limit}>; rel="next"`);
    res.set('Cache-Control', 'no-store');
    res
      .status(200)
      .type(type)
      .send(JSON.stringify(harvestCatalog(catalog.catalogDocument(page))));
  });
  return router;
}

function limitParam(req: Request): number {
  const raw = req.query.limit;
  if (raw === undefined) return MAX_PAGE_SIZE;
  if (typeof raw !== 'string' || !/^\d{1,4}$/.test(raw) || Number(raw) < 1 || Number(raw) > MAX_PAGE_SIZE) {
    throw new HttpProblem(400, 'invalid-query', `"limit" must be an integer from 1 to ${MAX_PAGE_SIZE}.`, [
      { pointer: 'limit', reason: `found ${JSON.stringify(raw)}` },
    ]);
  }
  return Number(raw);
}
