// The management API (plain JSON, not JSON-LD) for the participant's own tools, below
// /management/v1 and behind the management API key: assets and offers, other connectors' catalogs,
// negotiations and agreements, transfers. Failures are problem+json with field-level reasons. Its
// OpenAPI 3.1 document (openapi.ts) is served at /openapi.json, without the key.

import { Router } from 'express';
import type { ControlPlane } from '../control-plane/index.js';
import { metricsHandler, type ServerMetrics } from '../metrics/index.js';
import { requireApiKey } from './api-key.js';
import { assetRoutes } from './assets.js';
import { catalogRoutes } from './catalog.js';
import { managementErrors } from './errors.js';
import { policyRoutes } from './policies.js';
import { negotiationRoutes } from './negotiations.js';
import { managementOpenApi, type OpenApiExtension } from './openapi.js';
import { transferRoutes } from './transfers.js';

export const MANAGEMENT_PATH = '/management/v1';

export interface ManagementRouterOptions {
  /** Routes other modules add below the same path, documented in the served OpenAPI document. */
  readonly openApi?: readonly OpenApiExtension[];
  /** Served at GET /metrics (Prometheus text), behind the key like everything but the document. */
  readonly metrics?: ServerMetrics;
}

/** The /metrics route in the management API's document. */
export const METRICS_OPENAPI: OpenApiExtension = {
  paths: {
    '/metrics': {
      get: {
        tags: ['meta'],
        summary:
          'Prometheus metrics of this connector and its process (text exposition format); scrape with the management key as a bearer token.',
        responses: {
          200: {
            description: 'The metrics (docs/operations.md lists them).',
            content: { 'text/plain': { schema: { type: 'string' } } },
          },
        },
      },
    },
  },
};

export function createManagementRouter(
  plane: ControlPlane,
  apiKey: string,
  options: ManagementRouterOptions = {},
): Router {
  const router = Router();
  // Everything needs the key, the OpenAPI document too (it lists what an operator can do here).
  router.use(requireApiKey(apiKey));
  const document = JSON.stringify(managementOpenApi(MANAGEMENT_PATH, options.openApi));
  router.get('/openapi.json', (_req, res) => {
    res.type('application/json').send(document);
  });
  if (options.metrics !== undefined) router.get('/metrics', metricsHandler(options.metrics));
  router.use(assetRoutes(plane.assets));
  router.use(catalogRoutes(plane));
  router.use(negotiationRoutes(plane));
  router.use(transferRoutes(plane));
  router.use(policyRoutes());
  router.use(managementErrors);
  return router;
}
