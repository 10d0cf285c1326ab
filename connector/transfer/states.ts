// The DSP 2025-1 transfer process state machine (specification figure "transfer-process-state-machine"):
// only the consumer requests and only the provider starts a REQUESTED transfer; either side may suspend,
// resume (a TransferStartMessage in SUSPENDED), complete or terminate. A SUSPENDED transfer must be
// resumed before it can complete, and STARTED -> STARTED is not a transition.

import {
  StateTable,
  type MessageEvent,
  type Role,
  type Rule,
  type TransitionResult,
} from '../negotiation/state-table.js';

export const TRANSFER_STATES = ['REQUESTED', 'STARTED', 'SUSPENDED', 'COMPLETED', 'TERMINATED'] as const;
export type TransferState = (typeof TRANSFER_STATES)[number];

export const TRANSFER_TERMINAL_STATES: readonly TransferState[] = ['COMPLETED', 'TERMINATED'];

export const TRANSFER_MESSAGES = [
  'TransferRequestMessage',
  'TransferStartMessage',
  'TransferSuspensionMessage',
  'TransferCompletionMessage',
  'TransferTerminationMessage',
] as const;
export type TransferMessage = (typeof TRANSFER_MESSAGES)[number];

export type TransferEvent = MessageEvent<TransferMessage>;

const rules: Rule<TransferState, TransferMessage>[] = [
  { from: undefined, message: 'TransferRequestMessage', sender: 'consumer', to: 'REQUESTED' },
  { from: 'REQUESTED', message: 'TransferStartMessage', sender: 'provider', to: 'STARTED' },
  { from: 'SUSPENDED', message: 'TransferStartMessage', sender: 'provider', to: 'STARTED' },
  { from: 'SUSPENDED', message: 'TransferStartMessage', sender: 'consumer', to: 'STARTED' },
  { from: 'STARTED', message: 'TransferSuspensionMessage', sender: 'provider', to: 'SUSPENDED' },
  { from: 'STARTED', message: 'TransferSuspensionMessage', sender: 'consumer', to: 'SUSPENDED' },
  { from: 'STARTED', message: 'TransferCompletionMessage', sender: 'provider', to: 'COMPLETED' },
  { from: 'STARTED', message: 'TransferCompletionMessage', sender: 'consumer', to: 'COMPLETED' },
];

// Termination: from every non-terminal state, by either party.
for (const from of TRANSFER_STATES.filter((s) => !TRANSFER_TERMINAL_STATES.includes(s))) {
  for (const sender of ['consumer', 'provider'] as const) {
    rules.push({ from, message: 'TransferTerminationMessage', sender, to: 'TERMINATED' });
  }
}

export const TRANSFER_RULES: readonly Rule<TransferState, TransferMessage>[] = rules;

export const transferTable = new StateTable<TransferState, TransferMessage>({
  process: 'transfer process',
  states: TRANSFER_STATES,
  messages: TRANSFER_MESSAGES,
  terminal: TRANSFER_TERMINAL_STATES,
  rules: TRANSFER_RULES,
});

/** The transfer's next state for `role` after `event`, or a sentence saying why it is refused. */
export function nextTransferState(
  role: Role,
  state: TransferState | undefined,
  event: TransferEvent,
): TransitionResult<TransferState> {
  return transferTable.decide(role, state, event);
}

export function isTransferState(value: string): value is TransferState {
  return (TRANSFER_STATES as readonly string[]).includes(value);
}
