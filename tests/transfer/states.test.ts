import { expect } from 'chai';
import { received, sent } from '../../connector/negotiation/index.js';
import {
  TRANSFER_MESSAGES,
  TRANSFER_RULES,
  TRANSFER_STATES,
  nextTransferState,
  transferTable,
} from '../../connector/transfer/index.js';
import { describeCartesian } from '../negotiation/cartesian.js';
import { TRANSFER_SPEC } from '../negotiation/spec-transitions.js';

// DSP 2025-1, figure transfer-process-state-machine: "C" = the consumer sends, "P" = the provider sends.
const SPEC = TRANSFER_SPEC;

describe('transfer/states', () => {
  describe('every role x state x event', () => {
    describeCartesian({
      states: TRANSFER_STATES,
      messages: TRANSFER_MESSAGES,
      spec: SPEC,
      specRows: 14,
      decide: nextTransferState,
    });
  });

  it('lists 14 rules and 28 allowed combinations', () => {
    expect(TRANSFER_RULES).to.have.length(14);
    expect(transferTable.allowed()).to.have.length(28);
  });

  it('refuses SUSPENDED -> COMPLETED for both parties: resume first', () => {
    expect(nextTransferState('provider', 'SUSPENDED', received('TransferCompletionMessage'))).to.deep.equal({
      ok: false,
      reason:
        'a TransferCompletionMessage cannot be accepted in state SUSPENDED by the provider: in SUSPENDED the consumer may send only TransferStartMessage or TransferTerminationMessage',
    });
    expect(nextTransferState('consumer', 'SUSPENDED', sent('TransferCompletionMessage')).ok).to.equal(false);
  });

  it('resumes SUSPENDED -> STARTED from either side but refuses STARTED -> STARTED', () => {
    expect(nextTransferState('consumer', 'SUSPENDED', sent('TransferStartMessage'))).to.deep.equal({
      ok: true,
      state: 'STARTED',
    });
    expect(nextTransferState('consumer', 'STARTED', received('TransferStartMessage'))).to.deep.equal({
      ok: false,
      reason:
        'a TransferStartMessage cannot be accepted in state STARTED by the consumer: in STARTED the provider may send only TransferSuspensionMessage, TransferCompletionMessage or TransferTerminationMessage',
    });
  });

  it('lets only the provider start a requested transfer', () => {
    expect(nextTransferState('provider', 'REQUESTED', received('TransferStartMessage'))).to.deep.equal({
      ok: false,
      reason:
        'a TransferStartMessage cannot be accepted in state REQUESTED by the provider: in REQUESTED the consumer may send only TransferTerminationMessage',
    });
  });

  it('refuses everything in COMPLETED and TERMINATED', () => {
    for (const state of ['COMPLETED', 'TERMINATED'] as const) {
      const result = nextTransferState('consumer', state, sent('TransferTerminationMessage'));
      expect(result).to.deep.equal({
        ok: false,
        reason: `a TransferTerminationMessage cannot be sent in state ${state} by the consumer: ${state} is a terminal state`,
      });
    }
  });
});
