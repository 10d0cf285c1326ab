// Typed errors of the asset registry and its catalog, with stable codes to branch on (the DSP and
// management layers map them to status codes in one place). Validation errors carry one reason per
// field, each with a JSON pointer into the input, as connector/http's FieldReason expects.

export interface FieldError {
  /** JSON pointer (RFC 6901) into the input ('' = the whole input). */
  readonly pointer: string;
  readonly reason: string;
  /** The policy engine's code when a policy check found the problem (ERR_..., LINT_...). */
  readonly code?: string;
}

export type AssetErrorCode =
  | 'ERR_ASSET_INVALID'
  | 'ERR_OFFER_INVALID'
  | 'ERR_ASSET_NOT_FOUND'
  | 'ERR_OFFER_NOT_FOUND'
  | 'ERR_ASSET_EXISTS'
  | 'ERR_OFFER_EXISTS'
  | 'ERR_ASSET_IN_USE'
  | 'ERR_CATALOG_QUERY_INVALID'
  | 'ERR_CATALOG_FILTER_UNSUPPORTED';

export class AssetError<C extends AssetErrorCode = AssetErrorCode> extends Error {
  constructor(
    readonly code: C,
    message: string,
    /** Field-level reasons (validation) or the blocking references (ERR_ASSET_IN_USE). */
    readonly fields: readonly FieldError[] = [],
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** The input does not describe a valid asset or offer (management API: 400 / 422). */
export class ValidationError extends AssetError<'ERR_ASSET_INVALID' | 'ERR_OFFER_INVALID'> {}

/** No such asset or offer (404). */
export class NotFoundError extends AssetError<'ERR_ASSET_NOT_FOUND' | 'ERR_OFFER_NOT_FOUND'> {}

/** The write conflicts with what is stored: the id exists, or offers still reference the asset (409). */
export class ConflictError extends AssetError<'ERR_ASSET_EXISTS' | 'ERR_OFFER_EXISTS' | 'ERR_ASSET_IN_USE'> {}

/** A catalog request the connector cannot answer: bad paging or an unsupported filter (DSP: 400). */
export class CatalogQueryError extends AssetError<
  'ERR_CATALOG_QUERY_INVALID' | 'ERR_CATALOG_FILTER_UNSUPPORTED'
> {}

export function isAssetError(value: unknown): value is AssetError {
  return value instanceof AssetError;
}

/** A filter the catalog cannot honour, naming where it is and why. */
export function unsupportedFilter(pointer: string, reason: string): CatalogQueryError {
  return new CatalogQueryError(
    'ERR_CATALOG_FILTER_UNSUPPORTED',
    `unsupported catalog filter at ${pointer}: ${reason}`,
    [{ pointer, reason }],
  );
}
