// Typed errors for the identity library. Every failure a caller can trigger with bad input surfaces as one of
// these, with a stable `code` to branch on and a message that says what went wrong and what to do next.
// Messages and details never carry key material or whole tokens.

export type InputErrorCode = 'ERR_INPUT_MALFORMED' | 'ERR_INPUT_TOO_LARGE';

export type NetworkErrorCode =
  | 'ERR_URL_INSECURE'
  | 'ERR_URL_INVALID'
  | 'ERR_HOST_NOT_ALLOWED'
  | 'ERR_FETCH_FAILED'
  | 'ERR_RESPONSE_TOO_LARGE';

export type KeyStoreErrorCode =
  | 'ERR_KEYSTORE_IO'
  | 'ERR_KEYSTORE_CORRUPT'
  | 'ERR_KEYSTORE_INSECURE_PERMISSIONS'
  | 'ERR_KEY_NOT_FOUND'
  | 'ERR_KEY_ACTIVE';

export type DidErrorCode =
  | 'ERR_DID_INVALID'
  | 'ERR_DID_METHOD_UNSUPPORTED'
  | 'ERR_DID_RESOLUTION_FAILED'
  | 'ERR_DID_DOCUMENT_INVALID'
  | 'ERR_VERIFICATION_METHOD_NOT_FOUND'
  | 'ERR_VERIFICATION_METHOD_NOT_AUTHORIZED'
  | 'ERR_VERIFICATION_METHOD_UNSUPPORTED';

export type DocumentLoaderErrorCode =
  'ERR_CONTEXT_NOT_ALLOWED' | 'ERR_CONTEXT_CONFLICT' | 'ERR_CONTEXT_INVALID';

export type CredentialErrorCode =
  | 'ERR_CREDENTIAL_SCHEMA_INVALID'
  | 'ERR_CREDENTIAL_TYPE_UNSUPPORTED'
  | 'ERR_CREDENTIAL_ISSUER_UNTRUSTED'
  | 'ERR_CREDENTIAL_ISSUER_KEY_MISMATCH'
  | 'ERR_CREDENTIAL_SIGNATURE_INVALID'
  | 'ERR_CREDENTIAL_EXPIRED'
  | 'ERR_CREDENTIAL_NOT_YET_VALID'
  | 'ERR_CREDENTIAL_REVOKED'
  | 'ERR_CREDENTIAL_SUSPENDED'
  | 'ERR_CREDENTIAL_STATUS_UNAVAILABLE'
  | 'ERR_CREDENTIAL_STATUS_INVALID'
  | 'ERR_CREDENTIAL_WRONG_DATA_SPACE';

export type IssuanceErrorCode = 'ERR_ISSUANCE_INVALID_INPUT' | 'ERR_ISSUANCE_FAILED';

export type StatusListErrorCode =
  | 'ERR_STATUS_LIST_INVALID'
  | 'ERR_STATUS_LIST_FULL'
  | 'ERR_STATUS_INDEX_INVALID'
  | 'ERR_STATUS_REVOCATION_PERMANENT'
  | 'ERR_STATUS_LIST_ISSUER_MISMATCH';

export type TokenErrorCode =
  | 'ERR_TOKEN_CLAIMS_INVALID'
  | 'ERR_TOKEN_AUDIENCE_MISMATCH'
  | 'ERR_TOKEN_EXPIRED'
  | 'ERR_TOKEN_NOT_YET_VALID'
  | 'ERR_TOKEN_LIFETIME_TOO_LONG'
  | 'ERR_TOKEN_SIGNATURE_INVALID'
  | 'ERR_TOKEN_REPLAYED'
  | 'ERR_REPLAY_CACHE_FULL';

export type PresentationErrorCode =
  | 'ERR_PRESENTATION_SIGNATURE_INVALID'
  | 'ERR_PRESENTATION_HOLDER_MISMATCH'
  | 'ERR_PRESENTATION_AUDIENCE_MISMATCH'
  | 'ERR_PRESENTATION_NONCE_MISMATCH'
  | 'ERR_PRESENTATION_EXPIRED'
  | 'ERR_PRESENTATION_SUBJECT_MISMATCH'
  | 'ERR_PRESENTATION_CREDENTIAL_MISSING'
  | 'ERR_CLAIMS_CONFLICT';

export type DcpErrorCode =
  | 'ERR_DCP_TOKEN_CLAIM_MISSING'
  | 'ERR_DCP_ACCESS_TOKEN_INVALID'
  | 'ERR_DCP_CREDENTIAL_SERVICE_MISSING'
  | 'ERR_DCP_QUERY_FAILED'
  | 'ERR_DCP_MESSAGE_INVALID'
  | 'ERR_DCP_SCOPE_INVALID';

export type TestIdentityErrorCode =
  | 'ERR_TEST_IDENTITY_DISABLED'
  | 'ERR_TEST_IDENTITY_NOT_LOOPBACK'
  | 'ERR_TEST_IDENTITY_CONFIG_INVALID'
  | 'ERR_TEST_IDENTITY_TOKEN_INVALID';

export type IdentityErrorCode =
  | InputErrorCode
  | NetworkErrorCode
  | KeyStoreErrorCode
  | DidErrorCode
  | DocumentLoaderErrorCode
  | CredentialErrorCode
  | IssuanceErrorCode
  | StatusListErrorCode
  | TokenErrorCode
  | PresentationErrorCode
  | DcpErrorCode
  | TestIdentityErrorCode;

/** Non-secret facts that help an operator locate the problem (a DID, a URL, a credential id, an index). */
export type ErrorDetails = Readonly<Record<string, string | number | boolean>>;

export interface IdentityErrorOptions {
  cause?: unknown;
  details?: ErrorDetails;
}

export class IdentityError<C extends IdentityErrorCode = IdentityErrorCode> extends Error {
  readonly code: C;
  readonly details: ErrorDetails;

  constructor(code: C, message: string, options: IdentityErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = new.target.name;
    this.code = code;
    this.details = Object.freeze({ ...(options.details ?? {}) });
  }
}

export class InputError extends IdentityError<InputErrorCode> {}
export class NetworkError extends IdentityError<NetworkErrorCode> {}
export class KeyStoreError extends IdentityError<KeyStoreErrorCode> {}
export class DidError extends IdentityError<DidErrorCode> {}
export class DocumentLoaderError extends IdentityError<DocumentLoaderErrorCode> {}
export class CredentialError extends IdentityError<CredentialErrorCode> {}
export class IssuanceError extends IdentityError<IssuanceErrorCode> {}
export class StatusListError extends IdentityError<StatusListErrorCode> {}
export class TokenError extends IdentityError<TokenErrorCode> {}
export class PresentationError extends IdentityError<PresentationErrorCode> {}
export class DcpError extends IdentityError<DcpErrorCode> {}
export class TestIdentityError extends IdentityError<TestIdentityErrorCode> {}

export function isIdentityError(value: unknown): value is IdentityError {
  return value instanceof IdentityError;
}

/**
 * Finds an IdentityError wrapped inside third-party errors (jsonld and jsonld-signatures wrap whatever our
 * document loader throws in `cause`, `details.cause` or `errors[]`), so the caller sees our code, not theirs.
 */
export function findIdentityError(value: unknown, depth = 0): IdentityError | undefined {
  if (depth > 8 || value === null || typeof value !== 'object') return undefined;
  if (value instanceof IdentityError) return value;
  const record = value as { cause?: unknown; details?: unknown; errors?: unknown; error?: unknown };
  const candidates: unknown[] = [record.cause, record.error];
  if (record.details !== null && typeof record.details === 'object') {
    candidates.push((record.details as { cause?: unknown }).cause);
  }
  if (Array.isArray(record.errors)) candidates.push(...record.errors);
  for (const candidate of candidates) {
    const found = findIdentityError(candidate, depth + 1);
    if (found) return found;
  }
  return undefined;
}

/** A short, single-line description of an unknown thrown value, for wrapping third-party failures. */
export function describeError(value: unknown): string {
  if (value instanceof Error) return value.message.split('\n')[0] ?? value.name;
  return typeof value === 'string' ? value : 'unknown error';
}
