// The DSP 2025-1 contract negotiation state machine (specification figure
// "contract.negotiation.state.machine"): which message, sent by whom, moves a negotiation from which
// state to which. Both parties run the same table; `nextNegotiationState` answers for one of them.
//
// One deliberate reading of the spec: the figure draws ACCEPTED -> TERMINATED and VERIFIED -> TERMINATED
// for the provider only and AGREED -> TERMINATED for the consumer only, but the termination message's own
// section says it "can be sent at any state of a CN" by either party. We follow the text: either side may
// terminate from every non-terminal state (a consumer waiting for an agreement must be able to give up).

import { StateTable, type MessageEvent, type Role, type Rule, type TransitionResult } from './state-table.js';

export const NEGOTIATION_STATES = [
  'REQUESTED',
  'OFFERED',
  'ACCEPTED',
  'AGREED',
  'VERIFIED',
  'FINALIZED',
  'TERMINATED',
] as const;
export type NegotiationState = (typeof NEGOTIATION_STATES)[number];

export const NEGOTIATION_TERMINAL_STATES: readonly NegotiationState[] = ['FINALIZED', 'TERMINATED'];

/** The DSP negotiation messages; the event message is split by its eventType because each moves differently. */
export const NEGOTIATION_MESSAGES = [
  'ContractRequestMessage',
  'ContractOfferMessage',
  'ContractNegotiationEventMessage:ACCEPTED',
  'ContractAgreementMessage',
  'ContractAgreementVerificationMessage',
  'ContractNegotiationEventMessage:FINALIZED',
  'ContractNegotiationTerminationMessage',
] as const;
export type NegotiationMessage = (typeof NEGOTIATION_MESSAGES)[number];

export type NegotiationEvent = MessageEvent<NegotiationMessage>;

const rules: Rule<NegotiationState, NegotiationMessage>[] = [
  { from: undefined, message: 'ContractRequestMessage', sender: 'consumer', to: 'REQUESTED' },
  { from: undefined, message: 'ContractOfferMessage', sender: 'provider', to: 'OFFERED' },
  { from: 'REQUESTED', message: 'ContractOfferMessage', sender: 'provider', to: 'OFFERED' },
  { from: 'REQUESTED', message: 'ContractAgreementMessage', sender: 'provider', to: 'AGREED' },
  { from: 'OFFERED', message: 'ContractRequestMessage', sender: 'consumer', to: 'REQUESTED' },
  {
    from: 'OFFERED',
    message: 'ContractNegotiationEventMessage:ACCEPTED',
    sender: 'consumer',
    to: 'ACCEPTED',
  },
  { from: 'ACCEPTED', message: 'ContractAgreementMessage', sender: 'provider', to: 'AGREED' },
  { from: 'AGREED', message: 'ContractAgreementVerificationMessage', sender: 'consumer', to: 'VERIFIED' },
  {
    from: 'VERIFIED',
    message: 'ContractNegotiationEventMessage:FINALIZED',
    sender: 'provider',
    to: 'FINALIZED',
  },
];

// Termination: from every non-terminal state, by either party.
for (const from of NEGOTIATION_STATES.filter((s) => !NEGOTIATION_TERMINAL_STATES.includes(s))) {
  for (const sender of ['consumer', 'provider'] as const) {
    rules.push({ from, message: 'ContractNegotiationTerminationMessage', sender, to: 'TERMINATED' });
  }
}

export const NEGOTIATION_RULES: readonly Rule<NegotiationState, NegotiationMessage>[] = rules;

export const negotiationTable = new StateTable<NegotiationState, NegotiationMessage>({
  process: 'negotiation',
  states: NEGOTIATION_STATES,
  messages: NEGOTIATION_MESSAGES,
  terminal: NEGOTIATION_TERMINAL_STATES,
  rules: NEGOTIATION_RULES,
  label: (m) => m.replace(':', ' with eventType '),
});

/** The negotiation's next state for `role` after `event`, or a sentence saying why it is refused. */
export function nextNegotiationState(
  role: Role,
  state: NegotiationState | undefined,
  event: NegotiationEvent,
): TransitionResult<NegotiationState> {
  return negotiationTable.decide(role, state, event);
}

export function isNegotiationState(value: string): value is NegotiationState {
  return (NEGOTIATION_STATES as readonly string[]).includes(value);
}
