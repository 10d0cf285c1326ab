// DSP 2025-1 catalog endpoints: the catalog a caller may see (only datasets whose access policy its
// verified claims satisfy), one page at a time with `Link` headers to the next and previous pages,
// and single datasets (unknown and hidden both answer 404).
//
// Filters name dataset properties by the keys datasets carry on the wire, since a DSP message may only
// use terms of its JSON-LD context: [{"dcat:keyword": "x"}, {"https://w3id.org/shuyu/v1#sector":
// "medical"}, {"https://w3id.org/shuyu/v1#dataGrade": "general"}]. Anything else is a 400.

import { Router, type Request } from 'express';
import { CatalogQueryError, DATASET_KEYS, DEFAULT_PAGE_SIZE, type Catalog } from '../../assets/index.js';
import { DspError } from '../messages/index.js';
import { callerFrom, param, readMessage, send } from '../http.js';

export function catalogRouter(catalog: Catalog, dspBase: string): Router {
  const router = Router();
  router.post('/catalog/request', async (req, res) => {
    const message = await readMessage('CatalogRequestMessage', req, res);
    const offset = pagingParam(req, 'offset', 0);
    const limit = pagingParam(req, 'limit', DEFAULT_PAGE_SIZE);
    const page = await catalog
      .catalogFor(callerFrom(res), { filter: registryFilter(message.filter), offset, limit })
      .catch((e: unknown) => {
        throw e instanceof CatalogQueryError ? fromQueryError(e) : e;
      });
    const links: string[] = [];
    const pageUrl = (from: number): string => `<${dspBase}/catalog/request?offset=${from}&limit=${limit}>`;
    if (offset + page.datasets.length < page.total) links.push(`${pageUrl(offset + limit)}; rel="next"`);
    if (offset > 0) links.push(`${pageUrl(Math.max(0, offset - limit))}; rel="previous"`);
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

/** `?offset=` / `?limit=` as a non-negative integer (the catalog checks the range). */
function pagingParam(req: Request, name: string, fallback: number): number {
  const raw = req.query[name];
  if (raw === undefined) return fallback;
  const value = typeof raw === 'string' && /^\d{1,9}$/.test(raw) ? Number(raw) : Number.NaN;
  if (Number.isNaN(value)) {
    throw new DspError('bad-message', `the ${name} query parameter must be a non-negative integer`, [
      { pointer: name, reason: `found ${JSON.stringify(raw)}` },
    ]);
  }
  return value;
}

function fromQueryError(e: CatalogQueryError): DspError {
  const code = e.code === 'ERR_CATALOG_FILTER_UNSUPPORTED' ? 'unsupported-filter' : 'bad-message';
  return new DspError(code, e.message, e.fields);
}

/** Wire keys of the filterable dataset properties → the registry's filter names. */
const WIRE_FILTERS: ReadonlyMap<string, string> = new Map([
  [DATASET_KEYS.keywords, 'keyword'],
  [DATASET_KEYS.sector, 'sector'],
  [DATASET_KEYS.dataGrade, 'dataGrade'],
]);

/** The message's filter in the registry's terms; items it cannot map pass unchanged (and are refused). */
function registryFilter(filter: unknown): unknown {
  if (!Array.isArray(filter)) return filter;
  return filter.map((item: unknown) => {
    if (item === null || typeof item !== 'object' || Array.isArray(item)) return item;
    const entries = Object.entries(item);
    const [key, value] = entries[0] ?? [];
    const name = key === undefined ? undefined : WIRE_FILTERS.get(key);
    return entries.length === 1 && name !== undefined ? { [name]: value } : item;
  });
}
