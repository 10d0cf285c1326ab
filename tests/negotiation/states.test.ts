import { expect } from 'chai';
import {
  NEGOTIATION_MESSAGES,
  NEGOTIATION_RULES,
  NEGOTIATION_STATES,
  negotiationTable,
  nextNegotiationState,
  received,
  sent,
} from '../../connector/negotiation/index.js';
import { describeCartesian } from './cartesian.js';
import { NEGOTIATION_SPEC } from './spec-transitions.js';

// DSP 2025-1, figure contract.negotiation.state.machine: "C" = the consumer sends, "P" = the provider sends.
// Termination: the figure draws some sides only, the termination message's text allows it "at any state"
// by either party; we follow the text (see connector/negotiation/states.ts).
const SPEC = NEGOTIATION_SPEC;

describe('negotiation/states', () => {
  describe('every role x state x event', () => {
    describeCartesian({
      states: NEGOTIATION_STATES,
      messages: NEGOTIATION_MESSAGES,
      spec: SPEC,
      specRows: 19,
      decide: nextNegotiationState,
    });
  });

  it('lists 19 rules and 38 allowed combinations', () => {
    expect(NEGOTIATION_RULES).to.have.length(19);
    expect(negotiationTable.allowed()).to.have.length(38);
  });

  it('explains a message from the wrong party', () => {
    expect(
      nextNegotiationState('provider', 'VERIFIED', received('ContractNegotiationEventMessage:FINALIZED')),
    ).to.deep.equal({
      ok: false,
      reason:
        'a ContractNegotiationEventMessage with eventType FINALIZED cannot be accepted in state VERIFIED by the provider: only the provider sends it',
    });
    expect(
      nextNegotiationState('provider', 'OFFERED', sent('ContractNegotiationEventMessage:ACCEPTED')),
    ).to.deep.equal({
      ok: false,
      reason:
        'a ContractNegotiationEventMessage with eventType ACCEPTED cannot be sent in state OFFERED by the provider: only the consumer sends it',
    });
  });

  it('explains a message out of turn with what may come instead', () => {
    expect(nextNegotiationState('consumer', 'OFFERED', received('ContractAgreementMessage'))).to.deep.equal({
      ok: false,
      reason:
        'a ContractAgreementMessage cannot be accepted in state OFFERED by the consumer: in OFFERED the provider may send only ContractNegotiationTerminationMessage',
    });
    expect(
      nextNegotiationState('provider', 'REQUESTED', received('ContractNegotiationEventMessage:ACCEPTED')),
    ).to.deep.equal({
      ok: false,
      reason:
        'a ContractNegotiationEventMessage with eventType ACCEPTED cannot be accepted in state REQUESTED by the provider: in REQUESTED the consumer may send only ContractNegotiationTerminationMessage',
    });
  });

  it('refuses everything in a terminal state, termination included', () => {
    for (const state of ['FINALIZED', 'TERMINATED'] as const) {
      for (const role of ['provider', 'consumer'] as const) {
        const result = nextNegotiationState(role, state, received('ContractNegotiationTerminationMessage'));
        expect(result).to.deep.equal({
          ok: false,
          reason: `a ContractNegotiationTerminationMessage cannot be accepted in state ${state} by the ${role}: ${state} is a terminal state`,
        });
      }
    }
  });

  it('says how a negotiation starts when there is none', () => {
    expect(nextNegotiationState('consumer', undefined, received('ContractAgreementMessage'))).to.deep.equal({
      ok: false,
      reason:
        'a ContractAgreementMessage cannot be accepted by the consumer without an existing negotiation: a new negotiation starts with a ContractRequestMessage from the consumer or a ContractOfferMessage from the provider',
    });
  });

  it('lets the provider agree straight from REQUESTED, as the specification draws it', () => {
    expect(nextNegotiationState('consumer', 'REQUESTED', received('ContractAgreementMessage'))).to.deep.equal(
      {
        ok: true,
        state: 'AGREED',
      },
    );
  });
});
