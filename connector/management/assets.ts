// Assets and offers (contract definitions): plain JSON CRUD over the registry. Validation, policy
// checks and conflicts come from AssetStore and surface as problem+json with pointers (errors.ts).

import { Router, type Request } from 'express';
import type { AssetStore } from '../assets/index.js';
import type { OfferCheckOptions } from '../assets/validate/policy.js';
import { HttpProblem } from '../http/problem.js';
import { pathParam } from './input.js';

export function assetRoutes(store: AssetStore): Router {
  const router = Router();
  router.get('/assets', async (_req, res) => {
    res.json({ assets: await store.listAssets() });
  });
  router.post('/assets', async (req, res) => {
    res.status(201).json(await store.createAsset(req.body));
  });
  router.get('/assets/:id', async (req, res) => {
    const id = pathParam(req, 'id');
    res.json((await store.getAsset(id)) ?? notFound('asset', id));
  });
  router.put('/assets/:id', async (req, res) => {
    res.json(await store.replaceAsset(pathParam(req, 'id'), req.body));
  });
  router.delete('/assets/:id', async (req, res) => {
    await store.deleteAsset(pathParam(req, 'id'));
    res.status(204).end();
  });

  router.get('/offers', async (_req, res) => {
    res.json({ offers: await store.listOffers() });
  });
  router.post('/offers', async (req, res) => {
    res.status(201).json(await store.createOffer(req.body, offerCheck(req)));
  });
  router.get('/offers/:id', async (req, res) => {
    const id = pathParam(req, 'id');
    res.json((await store.getOffer(id)) ?? notFound('offer', id));
  });
  router.put('/offers/:id', async (req, res) => {
    res.json(await store.replaceOffer(pathParam(req, 'id'), req.body, offerCheck(req)));
  });
  router.delete('/offers/:id', async (req, res) => {
    await store.deleteOffer(pathParam(req, 'id'));
    res.status(204).end();
  });
  return router;
}

function notFound(what: string, id: string): never {
  throw new HttpProblem(404, `${what}-not-found`, `no ${what} ${id} is registered`);
}

/** `?allowUnknown=true` publishes an offer whose purposes, regions or sectors are outside the vocabularies. */
function offerCheck(req: Request): OfferCheckOptions {
  const raw = req.query.allowUnknown;
  if (raw === undefined) return {};
  if (raw !== 'true' && raw !== 'false')
    throw new HttpProblem(400, 'invalid-query', 'allowUnknown must be true or false', [
      { pointer: '/allowUnknown', reason: 'must be true or false' },
    ]);
  return { allowUnknownTerms: raw === 'true' };
}
