// DSP 2025-1 catalog endpoints: the catalog a caller may see (only datasets whose access policy its
// verified claims satisfy), one page at a time with `Link` headers to the next and previous pages,
// and single datasets (unknown and hidden both answer 404).
//
// Paging: the Link headers carry keyset cursors (`?cursor=...&limit=n`), so a page costs the same
// wherever it is in the catalog; `?offset=` still works, and so does an EDC QuerySpec's offset and
// limit in the filter. The URL wins over the QuerySpec: a client re-sending the same message to the
// next link gets the next page. Filters (connector/assets/query.ts) are Shuyu's one-property items
// or EDC's QuerySpec; anything else is a 400 CatalogError naming what could not be honoured.

import { Router, type Request } from 'express';
import { CatalogQueryError, type Catalog } from '../../assets/index.js';
import { DspError } from '../messages/index.js';
import { callerFrom, param, readMessage, send } from '../http.js';

export function catalogRouter(catalog: Catalog, dspBase: string): Router {
  const router = Router();
  router.post('/catalog/request', async (req, res) => {
    const message = await readMessage('CatalogRequestMessage', req, res);
    const offset = pagingParam(req, 'offset');
    const limit = pagingParam(req, 'limit');
    const cursor = cursorParam(req);
    const page = await catalog
      .catalogFor(callerFrom(res), { filter: message.filter, offset, limit, cursor })
      .catch((e: unknown) => {
        throw e instanceof CatalogQueryError ? fromQueryError(e) : e;
      });
    const pageUrl = (at: string): string => `<${dspBase}/catalog/request?cursor=${at}&limit=${page.limit}>`;
    const links: string[] = [];
    if (page.next !== undefined) links.push(`${pageUrl(page.next)}; rel="next"`);
    if (page.previous !== undefined) links.push(`${pageUrl(page.previous)}; rel="previous"`);
    if (links.length > 0) res.set('Link', links.join(', '));
    send(res, 200, catalog.catalogDocument(page));
  });
  router.get('/catalog/datasets/:id', async (req, res) => {
    const id = param(req, 'id');
    const dataset = await catalog.datasetFor(callerFrom(res), id);
    if (dataset === undefined) throw DspError.notFound('dataset', id);
    send(res, 200, dataset);
  });
  return router;
}

/** `?offset=` / `?limit=` as a non-negative integer (the catalog checks the range), or undefined. */
function pagingParam(req: Request, name: string): number | undefined {
  const raw = req.query[name];
  if (raw === undefined) return undefined;
  const value = typeof raw === 'string' && /^\d{1,9}$/.test(raw) ? Number(raw) : Number.NaN;
  if (Number.isNaN(value)) {
    throw new DspError('bad-message', `the ${name} query parameter must be a non-negative integer`, [
      { pointer: name, reason: `found ${JSON.stringify(raw)}` },
    ]);
  }
  return value;
}

/** `?cursor=` as given by an earlier page's Link (the catalog checks it). */
function cursorParam(req: Request): string | undefined {
  const raw = req.query.cursor;
  if (raw === undefined || typeof raw === 'string') return raw;
  throw new DspError('bad-message', 'the cursor query parameter must be given once', [
    { pointer: 'cursor', reason: 'found several values' },
  ]);
}

function fromQueryError(e: CatalogQueryError): DspError {
  const code = e.code === 'ERR_CATALOG_FILTER_UNSUPPORTED' ? 'unsupported-filter' : 'bad-message';
  return new DspError(code, e.message, e.fields);
}
