// Management API failures as problem+json: the registry's and the stores' typed errors mapped to
// statuses in one place, with their field-level reasons (JSON pointers into the request body).

import type { ErrorRequestHandler } from 'express';
import { isAssetError, type AssetError } from '../assets/index.js';
import { HttpProblem } from '../http/problem.js';
import { ProcessError } from '../negotiation/index.js';

const ASSET_STATUS: Readonly<Record<AssetError['code'], number>> = {
  ERR_ASSET_INVALID: 400,
  ERR_OFFER_INVALID: 400,
  ERR_ASSET_NOT_FOUND: 404,
  ERR_OFFER_NOT_FOUND: 404,
  ERR_ASSET_EXISTS: 409,
  ERR_OFFER_EXISTS: 409,
  ERR_ASSET_IN_USE: 409,
  ERR_CATALOG_QUERY_INVALID: 400,
  ERR_CATALOG_FILTER_UNSUPPORTED: 400,
};

const PROCESS_STATUS: Readonly<Record<ProcessError['code'], number>> = {
  ERR_NOT_FOUND: 404,
  ERR_INVALID_TRANSITION: 409,
  ERR_VERSION_CONFLICT: 409,
  ERR_DUPLICATE_PID: 409,
  ERR_INVALID_INPUT: 400,
};

/** Typed errors of the layers below as HttpProblems; anything else unchanged. */
export function managementProblem(error: unknown): unknown {
  if (isAssetError(error)) {
    return new HttpProblem(ASSET_STATUS[error.code], codeOf(error.code), error.message, error.fields);
  }
  if (error instanceof ProcessError) {
    // A refused step names the state it was refused in and why (the state table's reason).
    const members = error.state === undefined ? {} : { state: error.state, reason: error.message };
    return new HttpProblem(PROCESS_STATUS[error.code], codeOf(error.code), error.message, [], members);
  }
  return error;
}

/** The last middleware of the management router: hands the mapped error to the problem handler. */
export const managementErrors: ErrorRequestHandler = (err, _req, _res, next) => {
  next(managementProblem(err));
};

/** ERR_ASSET_NOT_FOUND → asset-not-found. */
function codeOf(code: string): string {
  return code.replace(/^ERR_/, '').toLowerCase().replaceAll('_', '-');
}
