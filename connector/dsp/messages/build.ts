// Typed builders for every DSP 2025-1 message Shuyu sends. Each adds `@context` (as an array, the
// form DSP requires) and the compact `@type`, drops fields left undefined, and checks the result
// against the official schema before it is handed out: a message that would be refused by a peer
// is a bug on our side, reported here with pointers rather than by the peer.

import { DspError } from './errors.js';
import { withEdcEndpoint } from './data-address.js';
import { wireFormat } from './format.js';
import { validateDspMessage } from './validate.js';
import {
  DSP_CONTEXT_URL,
  DSP_VERSION,
  type Catalog,
  type CatalogError,
  type CatalogRequestMessage,
  type ContractAgreementMessage,
  type ContractAgreementVerificationMessage,
  type ContractNegotiation,
  type ContractNegotiationError,
  type ContractNegotiationEventMessage,
  type ContractNegotiationTerminationMessage,
  type DatasetMessage,
  type DatasetRequestMessage,
  type DspMessages,
  type DspMessageType,
  type InitialContractOfferMessage,
  type InitialContractRequestMessage,
  type LaterContractOfferMessage,
  type LaterContractRequestMessage,
  type ProtocolVersion,
  type TransferCompletionMessage,
  type TransferError,
  type TransferProcess,
  type TransferRequestMessage,
  type TransferStartMessage,
  type TransferSuspensionMessage,
  type TransferTerminationMessage,
  type VersionResponse,
} from './types.js';

/** A message's own fields: everything but `@context` and `@type`, which the builder sets. */
export type Fields<M> = Omit<M, '@context' | '@type'>;

function withoutUndefined(fields: object): Record<string, unknown> {
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== undefined));
}

function checked<T>(type: Parameters<typeof validateDspMessage>[0], body: T): T {
  const errors = validateDspMessage(type, body);
  if (errors.length > 0) {
    throw new DspError(
      'invalid-outgoing-message',
      `Shuyu built a ${type} that breaks the DSP 2025-1 schema`,
      errors,
    );
  }
  return body;
}

function message<T extends DspMessageType>(type: T, fields: object): DspMessages[T] {
  const body = { '@context': [DSP_CONTEXT_URL], '@type': type, ...withoutUndefined(fields) };
  return checked(type, body as unknown as DspMessages[T]);
}

function errorBody<T extends 'ContractNegotiationError' | 'TransferError'>(
  type: T,
  fields: { providerPid?: string; consumerPid?: string },
): DspMessages[T] {
  if (fields.providerPid !== undefined && fields.consumerPid !== undefined) return message(type, fields);
  const body = { '@context': [DSP_CONTEXT_URL], '@type': type, ...withoutUndefined(fields) };
  return body as unknown as DspMessages[T];
}

// ---- catalog ----

export function buildCatalogRequestMessage(
  fields: Fields<CatalogRequestMessage> = {},
): CatalogRequestMessage {
  return message('CatalogRequestMessage', fields);
}

export function buildDatasetRequestMessage(fields: Fields<DatasetRequestMessage>): DatasetRequestMessage {
  return message('DatasetRequestMessage', fields);
}

/** The root catalog. Its offers sit on datasets and carry no `target` (trap 6). */
export function buildCatalog(fields: Fields<Catalog>): Catalog {
  return message('Catalog', fields);
}

/** The answer to a DatasetRequestMessage. */
export function buildDataset(fields: Fields<DatasetMessage>): DatasetMessage {
  return message('Dataset', fields);
}

export function buildCatalogError(fields: Fields<CatalogError> = {}): CatalogError {
  return message('CatalogError', fields);
}

// ---- contract negotiation ----

/**
 * Consumer → provider. Initial (opens a negotiation): `consumerPid`, `offer`, `callbackAddress`.
 * Later (counter-request): `providerPid`, `consumerPid`, `offer`, no callbackAddress (trap 5).
 */
export function buildContractRequestMessage(
  fields: Fields<InitialContractRequestMessage> | Fields<LaterContractRequestMessage>,
): InitialContractRequestMessage | LaterContractRequestMessage {
  return message('ContractRequestMessage', fields);
}

/**
 * Provider → consumer. Initial (provider opens): `providerPid`, `offer`, `callbackAddress`.
 * Later (counter-offer): `providerPid`, `consumerPid`, `offer`, no callbackAddress (trap 5).
 */
export function buildContractOfferMessage(
  fields: Fields<InitialContractOfferMessage> | Fields<LaterContractOfferMessage>,
): InitialContractOfferMessage | LaterContractOfferMessage {
  return message('ContractOfferMessage', fields);
}

export function buildContractAgreementMessage(
  fields: Fields<ContractAgreementMessage>,
): ContractAgreementMessage {
  return message('ContractAgreementMessage', fields);
}

export function buildContractAgreementVerificationMessage(
  fields: Fields<ContractAgreementVerificationMessage>,
): ContractAgreementVerificationMessage {
  return message('ContractAgreementVerificationMessage', fields);
}

/** ACCEPTED (consumer accepts the provider's offer) or FINALIZED (provider confirms the verification). */
export function buildContractNegotiationEventMessage(
  fields: Fields<ContractNegotiationEventMessage>,
): ContractNegotiationEventMessage {
  return message('ContractNegotiationEventMessage', fields);
}

export function buildContractNegotiationTerminationMessage(
  fields: Fields<ContractNegotiationTerminationMessage>,
): ContractNegotiationTerminationMessage {
  return message('ContractNegotiationTerminationMessage', fields);
}

/** The negotiation's state, as answered to GET and to the messages that create one. */
export function buildContractNegotiation(fields: Fields<ContractNegotiation>): ContractNegotiation {
  return message('ContractNegotiation', fields);
}

/**
 * The schema requires both pids, but an error can concern a process whose ids are not known (a
 * malformed request, an unknown pid): then the body goes out without them, unchecked.
 */
export function buildContractNegotiationError(
  fields: Fields<ContractNegotiationError>,
): ContractNegotiationError {
  return errorBody('ContractNegotiationError', fields);
}

// ---- transfer process ----

/**
 * The format goes out as an IRI that survives JSON-LD expansion ("dspace:HttpData-PULL", format.ts), a
 * push data address with its endpoint also where EDC reads it (data-address.ts).
 */
export function buildTransferRequestMessage(fields: Fields<TransferRequestMessage>): TransferRequestMessage {
  return message('TransferRequestMessage', {
    ...fields,
    format: wireFormat(fields.format),
    dataAddress: fields.dataAddress && withEdcEndpoint(fields.dataAddress),
  });
}

/** A data address goes out with its endpoint also where EDC reads it (data-address.ts). */
export function buildTransferStartMessage(fields: Fields<TransferStartMessage>): TransferStartMessage {
  return message('TransferStartMessage', {
    ...fields,
    dataAddress: fields.dataAddress && withEdcEndpoint(fields.dataAddress),
  });
}

export function buildTransferCompletionMessage(
  fields: Fields<TransferCompletionMessage>,
): TransferCompletionMessage {
  return message('TransferCompletionMessage', fields);
}

export function buildTransferSuspensionMessage(
  fields: Fields<TransferSuspensionMessage>,
): TransferSuspensionMessage {
  return message('TransferSuspensionMessage', fields);
}

export function buildTransferTerminationMessage(
  fields: Fields<TransferTerminationMessage>,
): TransferTerminationMessage {
  return message('TransferTerminationMessage', fields);
}

export function buildTransferProcess(fields: Fields<TransferProcess>): TransferProcess {
  return message('TransferProcess', fields);
}

/** Like buildContractNegotiationError: pids that are not known are left out. */
export function buildTransferError(fields: Fields<TransferError>): TransferError {
  return errorBody('TransferError', fields);
}

// ---- version metadata ----

/**
 * The body of `GET /.well-known/dspace-version`: plain JSON with no `@context` (trap 8), served
 * unversioned and without authentication. `path` is where this connector's 2025-1 endpoints live.
 */
export function buildVersionResponse(
  path: string,
  extra: Omit<ProtocolVersion, 'version' | 'path' | 'binding'> = {},
): VersionResponse {
  const entry: ProtocolVersion = { version: DSP_VERSION, path, binding: 'HTTPS', ...withoutUndefined(extra) };
  return checked('VersionResponse', { protocolVersions: [entry] });
}
