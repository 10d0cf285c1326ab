// The product registry's HTTP API, on the authority's server. Thin handlers: authenticate, validate, call
// the registry, answer.
//   public     GET  /authority/v1/products                      registered products
//              GET  /authority/v1/products/:id                  one registered product (application id or identifier)
//              GET  /authority/v1/products/:id/credential       its DataProductRegistration (application/vc+jwt)
//   member     POST /authority/v1/products                      apply with a product description
//   (DID)      GET  /authority/v1/products/mine                 own applications, with credentials once registered
//   admin      (productAdminRouter, on the admin listener only)
//              GET  /authority/v1/admin/products[?state=]       applications
//   (API key)  GET  /authority/v1/admin/products/:id
//              POST /authority/v1/admin/products/:id/approve    {note?}: register
//              POST /authority/v1/admin/products/:id/reject     {reason}
import { Router, type Request, type RequestHandler, type Response } from 'express';
import { didProofOf, requireDidProof } from '../../../connector/http/caller-auth.js';
import { HttpProblem } from '../../../connector/http/problem.js';
import type { DidResolver } from '../../../connector/identity/did/resolver.js';
import type { ReplayCache } from '../../../connector/identity/tokens/replay-cache.js';
import { adminOf, intParam, requireAdmin, stateFilter } from '../http.js';
import { AUTHORITY_API_PREFIX, type AuthorityService } from '../service.js';
import { parseNote, parseReason } from '../validate.js';
import type { ProductRegistry } from './service.js';
import { PRODUCT_STATES, type ProductRecord } from './types.js';
import { parseProductDescription } from './validate.js';

type Handler = (req: Request, res: Response) => Promise<void>;

export interface ProductRouterOptions {
  registry: ProductRegistry;
  service: AuthorityService;
  resolver: DidResolver;
  replayCache: ReplayCache;
  clock: () => Date;
}

/** ?limit=&offset= of a listing. */
function page(req: Request): { limit?: number; offset?: number } {
  const limit = intParam(req.query.limit, 'limit');
  const offset = intParam(req.query.offset, 'offset');
  return { ...(limit !== undefined ? { limit } : {}), ...(offset !== undefined ? { offset } : {}) };
}

/** What everyone may read of a registered product (the description is public once registered). */
function publicView(record: ProductRecord, credentialUrl: string): Record<string, unknown> {
  const { credential: _credential, decidedBy: _by, ...rest } = record;
  return { ...rest, credentialUrl };
}

export function productRouter(options: ProductRouterOptions): Router {
  const { registry, service, clock } = options;
  const router = Router();
  const route = (handler: Handler): RequestHandler => handler as RequestHandler;
  const didProof = requireDidProof({
    resolver: options.resolver,
    audience: service.did,
    replayCache: options.replayCache,
  });
  const base = `${AUTHORITY_API_PREFIX}/products`;
  const registered = async (id: string): Promise<ProductRecord> => {
    const record = await registry.product(id);
    if (record.state !== 'registered' || !record.productId) {
      throw new HttpProblem(404, 'not-found', `There is no registered data product ${id}.`);
    }
    return record;
  };

  router.post(
    base,
    didProof,
    route(async (req, res) => {
      const description = parseProductDescription(req.body, clock());
      const record = await registry.apply(didProofOf(res).caller, description);
      res.status(201).location(`${base}/mine`).json(record);
    }),
  );
  router.get(
    `${base}/mine`,
    didProof,
    route(async (req, res) => {
      const records = await registry.list({ providerDid: didProofOf(res).caller, ...page(req) });
      res.json({
        products: records.map((r) =>
          r.productId ? { ...r, credentialUrl: registry.credentialUrl(r.productId) } : r,
        ),
      });
    }),
  );
  router.get(
    base,
    route(async (req, res) => {
      const records = await registry.list({ state: 'registered', ...page(req) });
      res.json({ products: records.map((r) => publicView(r, registry.credentialUrl(r.productId ?? ''))) });
    }),
  );
  router.get(
    `${base}/:id`,
    route(async (req, res) => {
      const record = await registered(String(req.params.id));
      res.json(publicView(record, registry.credentialUrl(record.productId ?? '')));
    }),
  );
  router.get(
    `${base}/:id/credential`,
    route(async (req, res) => {
      const record = await registered(String(req.params.id));
      res.type('application/vc+jwt').send(record.credential);
    }),
  );

  return router;
}

/** The registry's admin operations (admin key): the admin listener only. */
export function productAdminRouter(options: Pick<ProductRouterOptions, 'registry' | 'service'>): Router {
  const { registry, service } = options;
  const router = Router();
  const route = (handler: Handler): RequestHandler => handler as RequestHandler;
  const admin = requireAdmin(service);
  const adminBase = `${AUTHORITY_API_PREFIX}/admin/products`;
  router.get(
    adminBase,
    admin,
    route(async (req, res) => {
      const state = stateFilter(req.query.state, PRODUCT_STATES);
      res.json({ products: await registry.list({ ...(state ? { state } : {}), ...page(req) }) });
    }),
  );
  router.get(
    `${adminBase}/:id`,
    admin,
    route(async (req, res) => {
      res.json(await registry.product(String(req.params.id)));
    }),
  );
  router.post(
    `${adminBase}/:id/approve`,
    admin,
    route(async (req, res) => {
      const record = await registry.register(String(req.params.id), adminOf(res), parseNote(req.body));
      res.json({ ...record, credentialUrl: registry.credentialUrl(record.productId ?? '') });
    }),
  );
  router.post(
    `${adminBase}/:id/reject`,
    admin,
    route(async (req, res) => {
      res.json(await registry.reject(String(req.params.id), adminOf(res), parseReason(req.body)));
    }),
  );
  return router;
}
