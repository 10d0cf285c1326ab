// DSP transfer processes: the state table and durable records.
export {
  TRANSFER_MESSAGES,
  TRANSFER_RULES,
  TRANSFER_STATES,
  TRANSFER_TERMINAL_STATES,
  isTransferState,
  nextTransferState,
  transferTable,
  type TransferEvent,
  type TransferMessage,
  type TransferState,
} from './states.js';
export {
  TRANSFER_MIGRATIONS,
  TransferStore,
  type NewTransfer,
  type TransferChanges,
  type TransferFilter,
  type TransferRecord,
  type TransferStoreOptions,
  type TransferTransitionOptions,
  type TransferUpdateOptions,
} from './store.js';
