// The catalog on the authority's admin API (admin API key, like every /authority/v1/admin route, so it
// moves with them):
//   admin  GET  /authority/v1/admin/catalog                      per member: last crawl, result, datasets,
//                                                                next crawl; the index size
//   admin  POST /authority/v1/admin/catalog/crawl[?member=DID&wait=false]   crawl now; waits by default
import { Router } from 'express';
import { requireAdmin } from '../../authority/http.js';
import { AUTHORITY_API_PREFIX, type AuthorityService } from '../../authority/service.js';
import type { Federation } from '../federation.js';
import { crawlHandler, crawlStatusHandler } from './router.js';

export const CATALOG_ADMIN_PATH = `${AUTHORITY_API_PREFIX}/admin/catalog`;

export function catalogAdminRouter(options: {
  readonly service: AuthorityService;
  readonly federation: Federation;
}): Router {
  const router = Router();
  const admin = requireAdmin(options.service);
  const { federation, service } = options;
  router.get(CATALOG_ADMIN_PATH, admin, crawlStatusHandler(federation));
  router.post(
    `${CATALOG_ADMIN_PATH}/crawl`,
    admin,
    crawlHandler({ crawler: federation.crawler, overview: federation.overview, service }, true),
  );
  return router;
}
