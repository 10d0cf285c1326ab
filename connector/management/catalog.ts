// Asking other connectors' catalogs: POST /catalog/request and /catalog/dataset. The answer is what
// the peer sent (DSP JSON-LD, the one place this API passes it through) plus its paging links.

import { Router } from 'express';
import { requestCatalog, requestDataset, type ControlPlane } from '../control-plane/index.js';
import type { Json } from '../dsp/messages/index.js';
import { Input } from './input.js';

export function catalogRoutes(plane: ControlPlane): Router {
  const router = Router();
  router.post('/catalog/request', async (req, res) => {
    const input = new Input(req);
    const counterPartyAddress = input.string('counterPartyAddress', true);
    const counterPartyId = input.string('counterPartyId', true);
    const filter = input.array('filter');
    const offset = input.integer('offset');
    const limit = input.integer('limit');
    const cursor = input.string('cursor');
    input.check('catalog request');
    const answer = await requestCatalog(
      plane.client,
      {
        counterPartyAddress,
        counterPartyId,
        ...(filter !== undefined ? { filter: filter as Json[] } : {}),
        ...(offset !== undefined ? { offset } : {}),
        ...(limit !== undefined ? { limit } : {}),
        ...(cursor !== undefined ? { cursor } : {}),
      },
      plane.context.peerFormats,
    );
    res.json({ catalog: answer.body, links: answer.links });
  });
  router.post('/catalog/dataset', async (req, res) => {
    const input = new Input(req);
    const counterPartyAddress = input.string('counterPartyAddress', true);
    const counterPartyId = input.string('counterPartyId', true);
    const datasetId = input.string('datasetId', true);
    input.check('dataset request');
    const answer = await requestDataset(
      plane.client,
      counterPartyAddress,
      counterPartyId,
      datasetId,
      plane.context.peerFormats,
    );
    res.json({ dataset: answer.body });
  });
  return router;
}
