// Public API of Shuyu's identity library: keys, DIDs, JSON-LD contexts, credentials, status lists,
// presentations, ID tokens, claims and the test-only identity mode. See docs/identity.md.

export * from './errors.js';
export { systemClock, epochSeconds, toXsdDateTime, type Clock } from './clock.js';

// keys
export { Ed25519Key, type KeyStatus, type PublicEd25519Jwk, type KeyMetadata } from './keys/key.js';
export { KeyStore, openKeyStore, KEYSET_FILE_NAME, type OpenKeyStoreOptions } from './keys/store.js';
export {
  Sm2Key,
  openSm2Key,
  sm2PublicKeyObject,
  sm2PublicPoint,
  SM2_KEY_FILE_NAME,
  type PublicSm2Jwk,
} from './keys/sm2-key.js';
export { toJoseKeys, toMultikeyKeyPair, toPublicJwk, verificationMethodId } from './keys/export.js';
export { DidSigner, createDidSigner } from './signer.js';

// network policy
export { isLoopbackHost } from './net/loopback.js';
export { assertFetchAllowed, isHostAllowed, type HostPolicy } from './net/host-policy.js';
export type { FetchLike, FetchInit, FetchResponseLike } from './net/fetch.js';

// DIDs
export { didWebToUrl, urlToDidWeb, type DidWebUrlOptions } from './did/web.js';
export { didKeyFromKey, resolveDidKey } from './did/key.js';
export { parseDidUrl, isDid, type ParsedDidUrl } from './did/parse.js';
export {
  buildDidDocument,
  DID_CONTEXT_V1,
  JWS_2020_CONTEXT_V1,
  MULTIKEY_CONTEXT_V1,
  type BuildDidDocumentOptions,
  type DidDocument,
  type DidService,
  type VerificationMethodFormat,
} from './did/document.js';
export {
  indexDidDocument,
  selectVerificationKey,
  type ResolvedDid,
  type VerificationKey,
  type VerificationRelationship,
} from './did/verification-method.js';
export { createDidResolver, type DidResolver, type DidResolverOptions } from './did/resolver.js';
export { resolveVerificationKey } from './did/resolve-key.js';

// JSON-LD
export {
  bundledContextUrls,
  createDocumentLoader,
  ODRL_CONTEXT_URL,
  VC_CONTEXT_V1_URL,
  VC_CONTEXT_V2_URL,
  type CreateDocumentLoaderOptions,
  type DocumentLoader,
  type RemoteDocument,
} from './document-loader/loader.js';
export { SHUYU_CONTEXT_V1, SHUYU_CONTEXT_V1_URL } from './document-loader/shuyu-context.js';
export {
  OPERATOR_CONTEXTS_INDEX,
  parseOperatorContexts,
  readOperatorContextFolder,
} from './document-loader/operator-contexts.js';

// credentials
export * from './credentials/vocabulary.js';
export type * from './credentials/types.js';
export { isUnifiedSocialCreditCode } from './credentials/uscc.js';
export {
  credentialSchemaViolation,
  detectCredentialType,
  isValidRegistrationNumber,
  shuyuSubjectOf,
  REGISTRATION_NUMBER_RULE,
  statusListSchemaViolation,
} from './credentials/schemas.js';
export {
  assertVc20DataModel,
  isUrl,
  subjectsOf,
  typesOf,
  type DataModelRule,
} from './credentials/data-model.js';
export { buildCredential, type BuildCredentialOptions } from './credentials/build.js';
export { issueCredentialJwt, VC_JWT_TYP } from './credentials/issue-jwt.js';
export { issueCredentialDataIntegrity } from './credentials/issue-di.js';
export { issueCredential, type IssueCredentialOptions, type IssuedCredential } from './credentials/issue.js';
export {
  parseSecuredCredential,
  DEFAULT_MAX_CREDENTIAL_BYTES,
  VC_JWT_DATA_URL_PREFIX,
  type SecuredCredential,
} from './credentials/parse.js';
export {
  assertIssuerTrusted,
  assertIssuerTrustedForAny,
  isIssuerTrusted,
  parseTrustList,
  type TrustList,
  type TrustedIssuer,
} from './credentials/trust-list.js';
export {
  verifyCredential,
  verifyAnyCredential,
  DEFAULT_CLOCK_SKEW_SECONDS,
  type CredentialVerificationOptions,
  type VerifiedAnyCredential,
  type VerifiedCredential,
} from './credentials/verify.js';

export {
  verifyCredentialOffline,
  verifyPresentationOffline,
  type CheckOutcome,
  type CheckResult,
  type CredentialReport,
  type OfflineVerificationInput,
  type PresentationReport,
} from './credentials/report.js';

// status lists
export {
  StatusBitstring,
  MIN_STATUS_LIST_LENGTH,
  DEFAULT_MAX_STATUS_LIST_BITS,
} from './status-list/bitstring.js';
export {
  StatusListAuthority,
  STATUS_PURPOSES,
  type CreateStatusListAuthorityOptions,
  type IssueListCredentialOptions,
  type StatusAllocation,
  type StatusListAuthorityState,
} from './status-list/authority.js';
export {
  createStatusListChecker,
  type StatusChecker,
  type StatusCheckTarget,
  type StatusListCheckerOptions,
} from './status-list/checker.js';

// a running process's identity
export {
  createNetworkVerifiers,
  openProcessIdentity,
  CREDENTIAL_SERVICE_PATH,
  type NetworkVerifiers,
  type ProcessIdentity,
} from './process-identity.js';

// presentations and tokens
export { envelopeCredential, type EnvelopedVerifiableCredential } from './presentation/envelope.js';
export { createPresentationJwt, VP_JWT_TYP, type CreatePresentationOptions } from './presentation/create.js';
export {
  verifyPresentationJwt,
  type PresentationVerificationOptions,
  type VerifiedPresentation,
} from './presentation/verify.js';
export {
  createIdToken,
  verifyIdToken,
  type CreateIdTokenOptions,
  type IdTokenVerificationOptions,
  type VerifiedIdToken,
} from './tokens/id-token.js';
export {
  STATUS_EVENT_TYP,
  subscribeStatusEvents,
  verifyStatusEvent,
  type MemberStanding,
  type StatusEvent,
  type StatusSubscription,
  type StatusSubscriptionOptions,
} from './status-list/events.js';
export {
  InMemoryReplayCache,
  pruneReplayCache,
  REPLAY_CACHE_MIGRATIONS,
  SqliteReplayCache,
  type ReplayCache,
} from './tokens/replay-cache.js';
export { parseBearerToken } from './tokens/bearer.js';

// DCP 1.0: Secure Token Service, Credential Service, verifier (see dcp/README.md)
export {
  createSecureTokenService,
  verifyAccessToken,
  ACCESS_TOKEN_TYP,
  DEFAULT_GRANTED_SCOPES,
  TOKEN_CLAIM,
  type SecureTokenService,
  type SecureTokenServiceOptions,
} from './dcp/sts.js';
export {
  createCredentialService,
  CREDENTIAL_SERVICE_TYPE,
  PRESENTATION_QUERY_PATH,
  type CredentialService,
  type CredentialServiceOptions,
  type HeldCredential,
  type PresentationResponseMessage,
} from './dcp/credential-service.js';
export {
  createDcpVerifier,
  credentialServiceEndpoint,
  type DcpVerifierOptions,
  type RequestVerification,
  type RequestVerifier,
} from './dcp/verifier.js';
export {
  parseScope,
  parseScopes,
  scopeForType,
  SHUYU_CREDENTIAL_TYPES,
  VC_ID_ALIAS,
  VC_TYPE_ALIAS,
  type Scope,
} from './dcp/scopes.js';
export {
  credentialStorageRouter,
  CREDENTIAL_STORAGE_PATH,
  type CredentialStorageOptions,
  type StoredCredential,
} from './dcp/storage.js';
export { requestCredentials, ISSUER_SERVICE_TYPE, type RequestCredentialsOptions } from './dcp/issuance.js';
export {
  assertDcpMessage,
  compileDcpSchemas,
  dcpMessageProblems,
  DCP_CONTEXT_URL,
  type DcpMessageName,
} from './dcp/schemas.js';

// claims
export type { VerifiedClaims } from './claims/types.js';
export { claimsFromCredentials } from './claims/map.js';
export { compareDataGrades, dataGradeRank, highestDataGrade } from './claims/grades.js';
export { ClaimsCache, type ClaimsCacheOptions } from './claims/cache.js';

// test-only identity
export {
  assertTestIdentityAllowed,
  createTestIdentity,
  MIN_TEST_TOKEN_LENGTH,
  type TestIdentity,
  type TestIdentityConfig,
} from './test-identity.js';
