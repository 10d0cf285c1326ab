// The three DSP error bodies a DspError is answered with: CatalogError on catalog endpoints,
// ContractNegotiationError and TransferError on process endpoints, each with the stable `code`
// and a `reason` array (the sentence, then one entry per field problem).

import { buildCatalogError, buildContractNegotiationError, buildTransferError } from './build.js';
import type { DspError } from './errors.js';
import type { CatalogError, ContractNegotiationError, TransferError } from './types.js';

/** The pids a negotiation or transfer error body names, when they are known. */
export interface ProcessIds {
  readonly providerPid?: string;
  readonly consumerPid?: string;
}

function reasons(err: DspError): string[] {
  return [err.reason, ...err.errors.map((e) => `${e.pointer === '' ? '(message)' : e.pointer}: ${e.reason}`)];
}

export function catalogErrorBody(err: DspError): CatalogError {
  return buildCatalogError({ code: err.code, reason: reasons(err) });
}

/** Pids not known (a malformed request, an unknown process) are left out, never invented. */
export function negotiationErrorBody(err: DspError, ids: ProcessIds = {}): ContractNegotiationError {
  return buildContractNegotiationError({ ...ids, code: err.code, reason: reasons(err) });
}

export function transferErrorBody(err: DspError, ids: ProcessIds = {}): TransferError {
  return buildTransferError({ ...ids, code: err.code, reason: reasons(err) });
}
