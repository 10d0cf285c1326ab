// The DSP 2025-1 message layer: read what peers send (parseDspMessage), build what Shuyu sends
// (build*), validate either against the official schemas, and answer errors the DSP way.

export * from './types.js';
export { parseDspMessage, type ParseOptions, type ParseResult } from './parse.js';
export { normalizeDspBody, type NormalizeOptions, type Normalized } from './normalize.js';
export { validateDspMessage, isDspSchemaName, DSP_SCHEMA_NAMES } from './validate.js';
export {
  readDataAddress,
  httpDataAddress,
  EDC_NAMESPACE,
  EDC_ENDPOINT_PROPERTY,
  EDC_AUTHORIZATION_PROPERTY,
  EDC_AUTH_TYPE_PROPERTY,
  type DataAddressView,
  type HttpDataAddressInput,
} from './data-address.js';
export { wireFormat, readFormat } from './format.js';
export { LIMITS as DSP_MESSAGE_LIMITS } from './scan.js';
export {
  DSP_DOCUMENT_LOADER,
  EDC_DSPACE_CONTEXT_URL,
  ContextNotBundledError,
  type DocumentLoader,
} from './loader.js';
export { DspError, DSP_ERROR_STATUS, asDspError, type DspErrorCode } from './errors.js';
export {
  catalogErrorBody,
  negotiationErrorBody,
  transferErrorBody,
  type ProcessIds,
} from './error-bodies.js';
export * from './build.js';
