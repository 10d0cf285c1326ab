// The DSP 2025-1 transitions as the specification draws them, written by hand from its figures
// ("contract.negotiation.state.machine", "transfer-process-state-machine"), one line per transition:
// FROM MESSAGE SENDER TO ("-": no process yet; C = the consumer sends, P = the provider sends).
// Termination: the figure draws some sides only, the termination message's text allows it "at any
// state" by either party; we follow the text (see connector/negotiation/states.ts). The state-table
// tests (unit and over HTTP) check the connector against these lists, not against its own table.

export const NEGOTIATION_SPEC = `
  -          ContractRequestMessage                     C  REQUESTED
  -          ContractOfferMessage                       P  OFFERED
  REQUESTED  ContractOfferMessage                       P  OFFERED
  REQUESTED  ContractAgreementMessage                   P  AGREED
  OFFERED    ContractRequestMessage                     C  REQUESTED
  OFFERED    ContractNegotiationEventMessage:ACCEPTED   C  ACCEPTED
  ACCEPTED   ContractAgreementMessage                   P  AGREED
  AGREED     ContractAgreementVerificationMessage       C  VERIFIED
  VERIFIED   ContractNegotiationEventMessage:FINALIZED  P  FINALIZED
  REQUESTED  ContractNegotiationTerminationMessage      C  TERMINATED
  REQUESTED  ContractNegotiationTerminationMessage      P  TERMINATED
  OFFERED    ContractNegotiationTerminationMessage      C  TERMINATED
  OFFERED    ContractNegotiationTerminationMessage      P  TERMINATED
  ACCEPTED   ContractNegotiationTerminationMessage      C  TERMINATED
  ACCEPTED   ContractNegotiationTerminationMessage      P  TERMINATED
  AGREED     ContractNegotiationTerminationMessage      C  TERMINATED
  AGREED     ContractNegotiationTerminationMessage      P  TERMINATED
  VERIFIED   ContractNegotiationTerminationMessage      C  TERMINATED
  VERIFIED   ContractNegotiationTerminationMessage      P  TERMINATED
`;

export const TRANSFER_SPEC = `
  -          TransferRequestMessage      C  REQUESTED
  REQUESTED  TransferStartMessage        P  STARTED
  SUSPENDED  TransferStartMessage        P  STARTED
  SUSPENDED  TransferStartMessage        C  STARTED
  STARTED    TransferSuspensionMessage   P  SUSPENDED
  STARTED    TransferSuspensionMessage   C  SUSPENDED
  STARTED    TransferCompletionMessage   P  COMPLETED
  STARTED    TransferCompletionMessage   C  COMPLETED
  REQUESTED  TransferTerminationMessage  P  TERMINATED
  REQUESTED  TransferTerminationMessage  C  TERMINATED
  STARTED    TransferTerminationMessage  P  TERMINATED
  STARTED    TransferTerminationMessage  C  TERMINATED
  SUSPENDED  TransferTerminationMessage  P  TERMINATED
  SUSPENDED  TransferTerminationMessage  C  TERMINATED
`;
