// Typed failures of the negotiation and transfer stores (shared by transfer/). Callers branch on `code`;
// the DSP layer maps them to responses: ERR_NOT_FOUND -> 404, ERR_INVALID_TRANSITION -> 400 (never 404 or
// 5xx, see the DSP README's trap 7), ERR_VERSION_CONFLICT and ERR_DUPLICATE_PID -> 409, ERR_INVALID_INPUT -> 400.

export type ProcessErrorCode =
  | 'ERR_NOT_FOUND'
  | 'ERR_INVALID_TRANSITION'
  | 'ERR_VERSION_CONFLICT'
  | 'ERR_DUPLICATE_PID'
  | 'ERR_INVALID_INPUT';

export class ProcessError extends Error {
  override readonly name = 'ProcessError';

  constructor(
    readonly code: ProcessErrorCode,
    message: string,
    /** The record's state when the error happened, when there was a record. */
    readonly state?: string,
    override readonly cause?: unknown,
  ) {
    super(message);
  }
}

/** A UNIQUE violation (either backend); the stores turn it into ERR_DUPLICATE_PID. */
export { isUniqueViolation } from '../store/types.js';
