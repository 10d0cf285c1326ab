// Data-plane errors as HTTP problems, in one place. Token problems are 401 (the consumer must get a
// valid EDR), usage-control refusals 403 with the policy engine's reason, and source failures 5xx
// with a detail that names neither paths nor backend hosts (the operator's log has those).
import { HttpProblem } from '../../http/problem.js';
import type { DataPlaneError, DataPlaneErrorCode } from '../errors.js';

interface Mapping {
  readonly status: number;
  readonly code: string;
  /** A fixed detail replacing the error's message (which may name provider internals). */
  readonly detail?: string;
}

const SOURCE_DETAIL =
  "The provider cannot serve this asset's data right now; the provider's operator has been told why.";

// A data address that leads outside what the data plane may serve (a file link swapped after registration,
// a backend host no longer allowed): refused, not a fault; the operator is told what the asset points at.
const REFUSED_DETAIL =
  "This asset's data address points outside what the provider's data plane may serve; the provider's " +
  'operator has been told and must fix the asset.';

const MAPPINGS: Readonly<Partial<Record<DataPlaneErrorCode, Mapping>>> = {
  ERR_EDR_MALFORMED: { status: 401, code: 'invalid-token' },
  ERR_EDR_SIGNATURE_INVALID: { status: 401, code: 'invalid-token' },
  ERR_EDR_EXPIRED: { status: 401, code: 'token-expired' },
  ERR_EDR_BINDING_MISMATCH: { status: 401, code: 'token-binding-mismatch' },
  ERR_EDR_SESSION_EXPIRED: { status: 401, code: 'session-expired' },
  ERR_TRANSFER_UNKNOWN: { status: 403, code: 'transfer-unknown' },
  ERR_TRANSFER_NOT_ACTIVE: { status: 403, code: 'transfer-not-active' },
  ERR_USAGE_DENIED: { status: 403, code: 'usage-denied' },
  ERR_RANGE_NOT_SATISFIABLE: { status: 416, code: 'range-not-satisfiable' },
  ERR_SOURCE_BACKEND_FAILED: { status: 502, code: 'data-source-failed', detail: SOURCE_DETAIL },
  ERR_SOURCE_KIND_UNKNOWN: { status: 500, code: 'data-source-unavailable', detail: SOURCE_DETAIL },
  ERR_SOURCE_ADDRESS_INVALID: { status: 500, code: 'data-source-unavailable', detail: SOURCE_DETAIL },
  ERR_SOURCE_PATH_REFUSED: { status: 403, code: 'data-source-refused', detail: REFUSED_DETAIL },
  ERR_SOURCE_HOST_REFUSED: { status: 403, code: 'data-source-refused', detail: REFUSED_DETAIL },
  ERR_SOURCE_NOT_FOUND: { status: 500, code: 'data-source-unavailable', detail: SOURCE_DETAIL },
  ERR_PUSH_REFUSED: { status: 403, code: 'push-refused' },
  ERR_ANONYMISE_FAILED: { status: 500, code: 'duty-not-performed', detail: SOURCE_DETAIL },
};

/** Whether the operator's log should have the error: server faults and refused data addresses. */
export function isOperatorProblem(problem: HttpProblem): boolean {
  return problem.status >= 500 || problem.code === 'data-source-refused';
}

export function dataPlaneProblem(error: DataPlaneError): HttpProblem {
  const mapping = MAPPINGS[error.code] ?? { status: 500, code: 'internal' };
  return new HttpProblem(mapping.status, mapping.code, mapping.detail ?? error.message);
}
