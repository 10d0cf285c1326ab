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

// credentials
export * from './credentials/vocabulary.js';
export type * from './credentials/types.js';
export { isUnifiedSocialCreditCode } from './credentials/uscc.js';
export {
  credentialSchemaViolation,
  detectCredentialType,
  isValidRegistrationNumber,
  REGISTRATION_NUMBER_RULE,
  statusListSchemaViolation,
} from './credentials/schemas.js';
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
  isIssuerTrusted,
  type TrustList,
  type TrustedIssuer,
} from './credentials/trust-list.js';
export {
  verifyCredential,
  DEFAULT_CLOCK_SKEW_SECONDS,
  type CredentialVerificationOptions,
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
export { InMemoryReplayCache, type ReplayCache } from './tokens/replay-cache.js';
export { parseBearerToken } from './tokens/bearer.js';
export {
  createRequestToken,
  VP_TOKEN_CLAIM,
  type CreateRequestTokenOptions,
} from './tokens/request-token.js';
export {
  createRequestVerifier,
  type RequestVerification,
  type RequestVerifier,
  type RequestVerifierOptions,
} from './tokens/request-verifier.js';

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
