// DSP contract negotiations: the state table and durable records. state-table, errors and store-support
// are shared with transfer/.
export {
  type AllowedTransition,
  type Direction,
  type MessageEvent,
  type Role,
  type Rule,
  type TransitionResult,
  DIRECTIONS,
  ROLES,
  StateTable,
  otherRole,
  received,
  senderOf,
  sent,
} from './state-table.js';
export { ProcessError, type ProcessErrorCode } from './errors.js';
export type { JsonObject, Page, TxOption, Waiting, WriteOptions } from './store-support.js';
export {
  NEGOTIATION_MESSAGES,
  NEGOTIATION_RULES,
  NEGOTIATION_STATES,
  NEGOTIATION_TERMINAL_STATES,
  isNegotiationState,
  negotiationTable,
  nextNegotiationState,
  type NegotiationEvent,
  type NegotiationMessage,
  type NegotiationState,
} from './states.js';
export {
  NEGOTIATION_MIGRATIONS,
  NegotiationStore,
  type NegotiationChanges,
  type NegotiationFilter,
  type NegotiationRecord,
  type NegotiationStoreOptions,
  type NewNegotiation,
  type NegotiationUpdateOptions,
  type TransitionOptions,
} from './store.js';
