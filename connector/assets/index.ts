// The participant's asset and offer registry and the DSP catalog it answers.
//
//   const db = await Database.open(file, [...ASSET_MIGRATIONS, ...]);
//   const store = new AssetStore(db);
//   await store.createAsset({...}); const { warnings } = await store.createOffer({...});
//   const catalog = new Catalog(store, { participantId: did, endpointURL: 'https://.../dsp' });
//   const page = await catalog.catalogFor(caller, { filter, limit }); // then { cursor: page.next, limit }
//   catalog.catalogDocument(page)                   // the DSP Catalog
//   await matchRequestedOffer(catalog, caller, { datasetId, offer })   // contract requests

export type {
  Approval,
  Asset,
  AssetInput,
  AssetSelector,
  DataAddress,
  FileDataAddress,
  HttpDataAddress,
  InlineDataAddress,
  Offer,
  OfferInput,
  Sector,
  AssetRegistration,
  TemporalCoverage,
} from './types.js';
export { SECTORS, DATA_ADDRESS_KINDS } from './types.js';
export {
  AssetError,
  CatalogQueryError,
  ConflictError,
  isAssetError,
  NotFoundError,
  ValidationError,
  type AssetErrorCode,
  type FieldError,
} from './errors.js';
export {
  ASSET_MIGRATIONS,
  AssetStore,
  EVERYTHING,
  type AssetStoreOptions,
  type OfferRecord,
  type OfferWrite,
  type RegistryChanges,
  type RowStamp,
} from './store.js';
export {
  ACCESS_POLICY_KEY,
  Catalog,
  type CatalogOptions,
  type CatalogPage,
  type ResolvedOffer,
} from './catalog.js';
export { DEFAULT_PAGE_SIZE, FILTER_PROPERTIES, MAX_PAGE_SIZE, type CatalogQuery } from './query.js';
export { ANONYMOUS_CALLER, type Caller } from './visibility.js';
export {
  buildCatalog,
  DATASET_KEYS,
  DSP_CONTEXT,
  DSP_OFFER_PREFIX,
  dspOfferId,
  parseDspOfferId,
  type CatalogDocumentOptions,
  type DspCatalog,
  type DspDataService,
  type DspDataset,
  type DspDistribution,
  type DspOffer,
} from './dsp.js';
export {
  agent as dcatAgent,
  catalogMetadata,
  FOAF,
  mediaTypeName,
  SECTOR_THEMES,
  type PublisherProfile,
} from './dcat-ap.js';
export {
  matchRequestedOffer,
  type OfferMatch,
  type OfferRefusal,
  type OfferRefusalReason,
  type RequestedOffer,
} from './match.js';
export { DCAT_AP_CONTEXT_URL, DCAT_AP_MEDIA_TYPE, harvestCatalog } from './dcat-ap-harvest.js';
