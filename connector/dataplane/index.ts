// Shuyu's data plane, as a library the control plane calls (see README.md in this folder):
//   sources      where an asset's bytes are (file, http backend, inline/generated), one registry
//   edr          endpoint data references: issue, verify at every access, refresh before expiry
//   usage        the per-agreement meter deciding every access under the agreement's policy
//   duties       obligations with state and deadline; CSV column removal; usage notification
//   http         the pull router, push, and the consumer's resumable fetch

export {
  DataPlaneError,
  isDataPlaneError,
  type DataPlaneErrorCode,
  type DataPlaneErrorDetails,
} from './errors.js';
export type { DataPlaneIdentity, TransferLookup, TransferStateName, TransferView } from './types.js';
export { DATAPLANE_MIGRATIONS } from './migrations.js';
export {
  formatRangeHeader,
  parseContentRange,
  parseRangeHeader,
  resolveRange,
  type ByteRange,
  type RequestedRange,
} from './range.js';

// sources
export * from './sources/index.js';

// endpoint data references
export {
  DEFAULT_EDR_LIFETIME_SECONDS,
  DEFAULT_MAX_SESSION_SECONDS,
  EDR_TOKEN_TYPE,
  edrAudience,
  transferDataUrl,
  transferRefreshUrl,
  type EdrClaims,
} from './edr/claims.js';
export { issueEdr, edrToDataAddress, type EndpointDataReference, type IssueEdrInput } from './edr/issue.js';
export { verifyEdr, type VerifiedEdr, type VerifyEdrOptions } from './edr/verify.js';
export { refreshEdr, type RefreshEdrOptions } from './edr/refresh.js';

// usage control and duties
export { UsageMeter, type AccessContext, type AccessGrant, type Usage } from './usage/meter.js';
export {
  USE_UNTIL_HEADER,
  USES_LIMIT_HEADER,
  USES_REMAINING_HEADER,
  UsageLeftStore,
  usageLeft,
  usageLeftFromHeaders,
  usageLeftHeaders,
  type ObservedUsageLeft,
  type UsageLeft,
} from './usage/left.js';
export {
  ObligationStore,
  dutyKey,
  type Obligation,
  type ObligationState,
  type Performer,
  type RecordDutiesContext,
} from './duties/obligations.js';
export { dutyDeadline, findDutyRule } from './duties/deadline.js';
export { createCsvColumnRemover, type CsvAnonymiseOptions } from './duties/csv-anonymise.js';
export {
  anonymisationOf,
  type AnonymisationConfig,
  type UsageNotification,
  type UsageNotifier,
} from './duties/perform.js';
export {
  openAuthorizedData,
  type AccessRequest,
  type AccessServices,
  type AuthorizedData,
} from './access.js';

// HTTP
export { createDataPlaneRouter, type AccessEvent, type DataPlaneRouterOptions } from './http/router.js';
export { pushToEndpoint, pushTransfer, type PushOptions, type PushResult } from './http/push.js';
export { isPrivateAddress } from './net/private-address.js';

// consumer side
export {
  fetchTransfer,
  type FetchProgress,
  type FetchResult,
  type FetchTransferOptions,
} from './consumer/fetch-transfer.js';
export { formatBytes, progressPrinter, renderProgressBar } from './consumer/progress-bar.js';
