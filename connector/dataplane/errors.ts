// Typed data-plane failures with stable codes. Callers branch on `code`; http/problems.ts maps each
// code to a status and a problem+json body in one place. Messages say what to do and never carry
// tokens, credentials or the provider's file paths.

export type DataPlaneErrorCode =
  // sources
  | 'ERR_SOURCE_KIND_UNKNOWN'
  | 'ERR_SOURCE_ADDRESS_INVALID'
  | 'ERR_SOURCE_PATH_REFUSED'
  | 'ERR_SOURCE_NOT_FOUND'
  | 'ERR_SOURCE_HOST_REFUSED'
  | 'ERR_SOURCE_BACKEND_FAILED'
  | 'ERR_RANGE_NOT_SATISFIABLE'
  // endpoint data references
  | 'ERR_EDR_MALFORMED'
  | 'ERR_EDR_SIGNATURE_INVALID'
  | 'ERR_EDR_EXPIRED'
  | 'ERR_EDR_BINDING_MISMATCH'
  | 'ERR_EDR_SESSION_EXPIRED'
  | 'ERR_TRANSFER_UNKNOWN'
  | 'ERR_TRANSFER_NOT_ACTIVE'
  // usage control and duties
  | 'ERR_USAGE_DENIED'
  | 'ERR_ANONYMISE_FAILED'
  | 'ERR_OBLIGATION_NOT_FOUND'
  // push and the consumer side
  | 'ERR_PUSH_REFUSED'
  | 'ERR_PUSH_FAILED'
  | 'ERR_FETCH_REFUSED'
  | 'ERR_FETCH_FAILED';

/** Non-secret facts for operators and callers (a transfer id, a status, a size). */
export type DataPlaneErrorDetails = Readonly<Record<string, string | number | boolean>>;

export class DataPlaneError extends Error {
  readonly details: DataPlaneErrorDetails;

  constructor(
    readonly code: DataPlaneErrorCode,
    message: string,
    options: { details?: DataPlaneErrorDetails; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'DataPlaneError';
    this.details = Object.freeze({ ...(options.details ?? {}) });
  }
}

export function isDataPlaneError(value: unknown, code?: DataPlaneErrorCode): value is DataPlaneError {
  return value instanceof DataPlaneError && (code === undefined || value.code === code);
}

/** One line describing an unknown thrown value, for wrapping third-party failures. */
export function describeError(value: unknown): string {
  if (value instanceof Error) return value.message.split('\n')[0] ?? value.name;
  return typeof value === 'string' ? value : 'unknown error';
}
