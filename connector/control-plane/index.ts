// The connector's control plane: DSP negotiations and transfers in both roles, run by explicit state
// tables, persisted before any message leaves, delivered through the outbox, resumed after a restart.
export {
  CONTROL_PLANE_MIGRATIONS,
  DSP_PATH,
  createControlPlane,
  type ConnectorHandle,
  type ControlPlane,
  type ControlPlaneOptions,
  type OutboxTuning,
} from './control-plane.js';
export type { Caller, Commit, ControlPlaneContext, DspReply, ProcessKind, ProcessRecord } from './context.js';
export { NegotiationActions, type StartNegotiation } from './negotiation/actions.js';
export { NegotiationProtocol } from './negotiation/protocol.js';
export { TransferActions, type StartTransfer } from './transfer/actions.js';
export { TransferProtocol } from './transfer/protocol.js';
export { Automation, heldStep, negotiationStep, transferStep } from './automation.js';
export {
  AUTOMATION_STEPS,
  AUTOMATION_STEP_DESCRIPTIONS,
  AutomationConfigError,
  parseAutomationFlag,
  resolveAutomation,
  type AutomationModes,
  type AutomationSettings,
  type AutomationStep,
  type StepMode,
} from './automation-config.js';
export { DspClient, parseLinks, type PeerAnswer } from './peers/dsp-client.js';
export { checkPeerAddress, PeerAddressError, peerUrl } from './peers/address.js';
export { placeholderPullAddress, isPullFormat, isPushFormat } from './transfer/data-address.js';
export {
  remoteOffer,
  requestCatalog,
  requestDataset,
  type RemoteCatalogQuery,
} from './peers/remote-catalog.js';
