// The federated catalog: crawler, index, per-asker search and the DSP view of the federation.
// See README.md in this folder for the design choices (catalog identity, stale results, fail closed).

export {
  openFederation,
  type Federation,
  type FederationSettings,
  type OpenFederationOptions,
} from './federation.js';
export { FEDERATION_MIGRATIONS } from './store/schema.js';
export { CatalogIdentity, type CatalogIdentityOptions } from './identity.js';
export { Crawler, type CrawlerOptions, type CrawlRequest } from './crawl/crawler.js';
export { CrawlFailure, type CrawlFailureCode } from './crawl/errors.js';
export {
  fetchCatalog,
  nextLink,
  DEFAULT_FETCH_LIMITS,
  type CatalogFetchLimits,
} from './crawl/fetch-catalog.js';
export { FederatedSearch, type DspRow } from './search/search.js';
export { parseSearchQuery, DEFAULT_LIMIT, MAX_LIMIT, MAX_OFFSET } from './search/query.js';
export {
  catalogRouter,
  CATALOG_API_PREFIX,
  CATALOG_DCAT_AP_PATH,
  CATALOG_DSP_PREFIX,
} from './http/router.js';
export { federatedCatalog } from './dsp/federated-catalog.js';
export { offerFeatures } from './policy/features.js';
export {
  summariseOffer,
  summarisePolicy,
  type OfferSummary,
  type PermissionSummary,
} from './summary/offer-summary.js';
export * from './types.js';
export { registerFederationMetrics, type FederationMetrics } from './metrics.js';
