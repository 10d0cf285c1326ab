// The DSP 2025-1 HTTP bindings of a connector: `GET /.well-known/dspace-version` (unauthenticated,
// no @context), `GET /catalog/dcat-ap` (the DCAT-AP harvest view, a token optional), and below the DSP base the catalog, negotiation and transfer endpoints, every one of
// them behind the identity layer's authentication. Failures anywhere on those paths are answered
// with DSP error bodies (errors.ts).

import type { Logger } from '../logging/index.js';
import { Router, type ErrorRequestHandler, type RequestHandler } from 'express';
import { DSP_PATH, type ControlPlane } from '../control-plane/index.js';
import { DCAT_AP_PATH, harvestRouter } from './catalog/harvest.js';
import { catalogRouter } from './catalog/router.js';
import { dspErrorHandler } from './errors.js';
import { buildVersionResponse, DspError } from './messages/index.js';
import { negotiationRouter } from './negotiation/router.js';
import { send } from './http.js';
import { transferRouter } from './transfer/router.js';

export interface DspMount {
  /** Mount before the connector's 404 handler. */
  readonly routes: Router;
  /** Register with the connector's error handlers (it also sees failures from before any route). */
  readonly errorHandler: ErrorRequestHandler;
}

/** Rate limits around the DSP authentication: per remote address before it, per caller DID after. */
export interface DspLimits {
  readonly perAddress: RequestHandler;
  readonly dspCaller: RequestHandler;
}

export function createDspBindings(
  plane: ControlPlane,
  authenticate: RequestHandler,
  logger?: Logger,
  limits?: DspLimits,
): DspMount {
  const routes = Router();
  routes.get('/.well-known/dspace-version', (_req, res) => send(res, 200, buildVersionResponse(DSP_PATH)));
  // The catalog as DCAT-AP for data portals: public, a DCP token optional (catalog/harvest.ts); anyone
  // may ask, so the address limit applies.
  if (limits) routes.use(DCAT_AP_PATH, limits.perAddress);
  routes.use(harvestRouter(plane.catalog, authenticate));
  const dsp = Router();
  if (limits) dsp.use(limits.perAddress, authenticate, limits.dspCaller);
  else dsp.use(authenticate);
  dsp.use(catalogRouter(plane.catalog, plane.context.dspBase));
  dsp.use(negotiationRouter(plane.negotiationProtocol));
  dsp.use(transferRouter(plane.transferProtocol));
  dsp.use((req, _res, next) => {
    next(new DspError('not-found', `there is no DSP endpoint ${req.method} ${DSP_PATH}${req.path}`));
  });
  routes.use(DSP_PATH, dsp);
  return { routes, errorHandler: dspErrorHandler(logger) };
}
