// DSP protocol errors: one class with a stable code, the HTTP status the spec asks for and a reason
// a peer's operator can act on (error-bodies.ts renders it as CatalogError, ContractNegotiationError
// or TransferError). DspError is an HttpProblem, so the shared problem middleware still answers
// with the right status if one escapes a DSP router.
//
// Status choices (DSP 2025-1 HTTPS bindings):
// - not found → 404, and "not yours" (the caller is not a party to that negotiation or transfer)
//   → the same 404 with the same code and wording: the bindings say an unauthorized client gets 404,
//   and identical answers keep process ids from leaking to third parties.
// - invalid state transition → 400 with an error body (never 404, never 5xx: the TCK fails those).
// - malformed or schema-invalid message, unsupported catalog filter → 400.
// - unauthenticated (no token, or one that does not verify) → 401. The bindings' "unauthorized → 404"
//   is about a known caller asking for someone else's process; a caller we cannot identify at all is
//   told so, so a peer with an expired or mis-scoped token can tell that apart from a wrong id.

import { HttpProblem } from '../../http/problem.js';
import type { FieldReason } from './types.js';

export type DspErrorCode =
  | 'not-found'
  | 'invalid-transition'
  | 'bad-message'
  | 'unsupported-filter'
  | 'unauthenticated'
  | 'invalid-outgoing-message'
  | 'internal';

export const DSP_ERROR_STATUS: Readonly<Record<DspErrorCode, number>> = {
  'not-found': 404,
  'invalid-transition': 400,
  'bad-message': 400,
  'unsupported-filter': 400,
  unauthenticated: 401,
  'invalid-outgoing-message': 500,
  internal: 500,
};

export class DspError extends HttpProblem {
  override readonly code: DspErrorCode;

  constructor(code: DspErrorCode, reason: string, errors: readonly FieldReason[] = []) {
    super(DSP_ERROR_STATUS[code], code, reason, errors);
    this.code = code;
    this.name = 'DspError';
  }

  /** The sentence for the peer (the problem's `detail`). */
  get reason(): string {
    return this.detail;
  }

  /** Unknown id, or an id the caller is not a party to: both must look the same to the caller. */
  static notFound(kind: string, id: string): DspError {
    return new DspError('not-found', `no ${kind} with id "${id}" is available to you on this connector`);
  }

  static invalidTransition(kind: string, state: string, message: string): DspError {
    return new DspError(
      'invalid-transition',
      `a ${message} cannot be applied to a ${kind} in state ${state}`,
    );
  }

  /** A body that parseDspMessage() refused, with its pointer errors. */
  static badMessage(type: string, errors: readonly FieldReason[]): DspError {
    const first = errors[0];
    const where = first ? ` (${first.pointer === '' ? 'the message' : first.pointer}: ${first.reason})` : '';
    const more = errors.length > 1 ? ` and ${errors.length - 1} more problem(s)` : '';
    return new DspError('bad-message', `the body is not a valid DSP 2025-1 ${type}${where}${more}`, errors);
  }

  static unauthenticated(why: string): DspError {
    return new DspError('unauthenticated', `the request is not authenticated: ${why}`);
  }
}

/** Any thrown value as a DspError; unexpected ones become an "internal" error that reveals nothing. */
export function asDspError(e: unknown): DspError {
  if (e instanceof DspError) return e;
  return new DspError(
    'internal',
    'the connector failed to process the request; its operator has the details',
  );
}
