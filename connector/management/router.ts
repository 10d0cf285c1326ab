// The management API (plain JSON, not JSON-LD) for the participant's own tools, below
// /management/v1 and behind the management API key: assets and offers, other connectors' catalogs,
// negotiations and agreements, transfers. Failures are problem+json with field-level reasons.

import { Router } from 'express';
import type { ControlPlane } from '../control-plane/index.js';
import { requireApiKey } from './api-key.js';
import { assetRoutes } from './assets.js';
import { catalogRoutes } from './catalog.js';
import { managementErrors } from './errors.js';
import { negotiationRoutes } from './negotiations.js';
import { transferRoutes } from './transfers.js';

export const MANAGEMENT_PATH = '/management/v1';

export function createManagementRouter(plane: ControlPlane, apiKey: string): Router {
  const router = Router();
  router.use(requireApiKey(apiKey));
  router.use(assetRoutes(plane.assets));
  router.use(catalogRoutes(plane));
  router.use(negotiationRoutes(plane));
  router.use(transferRoutes(plane));
  router.use(managementErrors);
  return router;
}
