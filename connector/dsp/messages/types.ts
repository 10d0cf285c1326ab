// DSP 2025-1 messages in the compacted JSON-LD form the official schemas describe: `@context` an
// array holding the DSP context, `@type` a compact string, bare DSP/ODRL terms as keys. These are the
// shapes Shuyu sends (build.ts) and the shapes parseDspMessage() hands back after normalising.

export const DSP_CONTEXT_URL = 'https://w3id.org/dspace/2025/1/context.jsonld';
export const DSP_VERSION = '2025-1';

export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

/** `@context` on the wire: always an array (a one-element string form is read but never sent). */
export type DspContext = readonly string[];

/** A problem with a received or built message: where (RFC 6901 pointer) and what, in a sentence. */
export type { FieldReason } from '../../http/problem.js';

// ---- ODRL as DSP carries it ----

export type OdrlOperator =
  | 'eq'
  | 'gt'
  | 'gteq'
  | 'lteq'
  | 'hasPart'
  | 'isA'
  | 'isAllOf'
  | 'isAnyOf'
  | 'isNoneOf'
  | 'isPartOf'
  | 'lt'
  | 'term-lteq'
  | 'neq';

export interface AtomicConstraint {
  leftOperand: string;
  operator: OdrlOperator;
  /** The DSP schema allows a string, an object (a typed value `{"@value","@type"}`) or an array; not a bare number. */
  rightOperand: string | JsonObject | Json[];
}

/** Exactly one of the four operands is set (the schema's `oneOf`). */
export interface LogicalConstraint {
  and?: Constraint[];
  or?: Constraint[];
  xone?: Constraint[];
  andSequence?: Constraint[];
}

export type Constraint = AtomicConstraint | LogicalConstraint;

export interface Duty {
  action: string;
  constraint?: Constraint[];
}

export interface Rule extends Duty {
  duty?: Duty[];
}

/** Every offer and agreement needs at least one permission or prohibition (trap 6). */
export type Rules =
  | { permission: Rule[]; prohibition?: Rule[]; obligation?: Duty[] }
  | { permission?: Rule[]; prohibition: Rule[]; obligation?: Duty[] };

interface PolicyCommon {
  '@id': string;
  profile?: string | string[];
}

/** An offer inside a Catalog, Dataset or Distribution: no `target`, the dataset is the target (trap 6). */
export type CatalogOffer = PolicyCommon & Rules & { '@type': 'Offer' };

/** An offer inside a negotiation message: names its `target` dataset (trap 6). */
export type MessageOffer = PolicyCommon & Rules & { '@type': 'Offer'; target: string };

export type Agreement = PolicyCommon &
  Rules & {
    '@type': 'Agreement';
    target: string;
    assigner: string;
    assignee: string;
    /** xsd:dateTime */
    timestamp?: string;
  };

// ---- catalog ----

export type DataService = {
  '@id': string;
  '@type': 'DataService';
  endpointURL: string;
  endpointDescription?: string;
} & Metadata;

export interface Distribution {
  '@type': 'Distribution';
  format: string;
  /** The `@id` of a DataService listed in the catalog, or the service inline. */
  accessService: string | DataService;
  hasPolicy?: CatalogOffer[];
}

/** Extra DCAT / Dublin Core metadata under prefixed keys the DSP context defines, e.g. `"dct:title"`. */
export type Metadata = Readonly<Record<`${'dct' | 'dcat'}:${string}`, Json>>;

export type Dataset = {
  '@id': string;
  '@type': 'Dataset';
  hasPolicy: CatalogOffer[];
  distribution: Distribution[];
} & Metadata;

export type NestedCatalog = {
  '@id': string;
  '@type': 'Catalog';
  dataset?: Dataset[];
  catalog?: NestedCatalog[];
  service?: DataService[];
  distribution?: Distribution[];
} & Metadata;

// ---- messages ----

interface Base<T extends string> {
  '@context': DspContext;
  '@type': T;
  /**
   * The sender's id of this message, when it gives one (the DSP TCK, EDC, Shuyu): part of the
   * message's identity, so a copy with the same id and content is a redelivery (control-plane/received.ts).
   */
  '@id'?: string;
}

interface Pids {
  providerPid: string;
  consumerPid: string;
}

interface CodeReason {
  code?: string;
  /** Human-readable reasons; the spec allows any JSON values, Shuyu sends strings. */
  reason?: Json[];
}

export interface CatalogRequestMessage extends Base<'CatalogRequestMessage'> {
  filter?: Json[];
}

export interface DatasetRequestMessage extends Base<'DatasetRequestMessage'> {
  dataset: string;
}

export type Catalog = Base<'Catalog'> & Omit<NestedCatalog, '@type'> & { participantId: string };

export type DatasetMessage = Base<'Dataset'> & Omit<Dataset, '@type'>;

export interface CatalogError extends Base<'CatalogError'>, CodeReason {}

/** Initial (consumer opens the negotiation): `callbackAddress`, no `providerPid` (trap 5). */
export interface InitialContractRequestMessage extends Base<'ContractRequestMessage'> {
  consumerPid: string;
  offer: MessageOffer;
  callbackAddress: string;
  providerPid?: never;
}

/** Later (counter-request in an existing negotiation): `providerPid`, no `callbackAddress`. */
export interface LaterContractRequestMessage extends Base<'ContractRequestMessage'>, Pids {
  offer: MessageOffer;
  callbackAddress?: never;
}

export type ContractRequestMessage = InitialContractRequestMessage | LaterContractRequestMessage;

/** Initial (provider opens the negotiation): `callbackAddress`, no `consumerPid` (trap 5). */
export interface InitialContractOfferMessage extends Base<'ContractOfferMessage'> {
  providerPid: string;
  offer: MessageOffer;
  callbackAddress: string;
  consumerPid?: never;
}

export interface LaterContractOfferMessage extends Base<'ContractOfferMessage'>, Pids {
  offer: MessageOffer;
  callbackAddress?: never;
}

export type ContractOfferMessage = InitialContractOfferMessage | LaterContractOfferMessage;

export interface ContractAgreementMessage extends Base<'ContractAgreementMessage'>, Pids {
  agreement: Agreement;
}

export interface ContractAgreementVerificationMessage
  extends Base<'ContractAgreementVerificationMessage'>, Pids {}

export type NegotiationEventType = 'ACCEPTED' | 'FINALIZED';

export interface ContractNegotiationEventMessage extends Base<'ContractNegotiationEventMessage'>, Pids {
  eventType: NegotiationEventType;
}

export interface ContractNegotiationTerminationMessage
  extends Base<'ContractNegotiationTerminationMessage'>, Pids, CodeReason {}

export type NegotiationState =
  'REQUESTED' | 'OFFERED' | 'ACCEPTED' | 'AGREED' | 'VERIFIED' | 'FINALIZED' | 'TERMINATED';

export interface ContractNegotiation extends Base<'ContractNegotiation'>, Pids {
  state: NegotiationState;
}

/** The schema requires both pids; when one is unknown (e.g. no such negotiation) it is left out. */
export interface ContractNegotiationError extends Base<'ContractNegotiationError'>, CodeReason {
  providerPid?: string;
  consumerPid?: string;
}

export interface EndpointProperty {
  '@type': 'EndpointProperty';
  name: string;
  value: string;
}

export interface DataAddress {
  '@type': 'DataAddress';
  endpointType: string;
  endpoint?: string;
  endpointProperties?: EndpointProperty[];
}

export interface TransferRequestMessage extends Base<'TransferRequestMessage'> {
  consumerPid: string;
  agreementId: string;
  format: string;
  callbackAddress: string;
  /** Push transfers: where the provider should send the data. */
  dataAddress?: DataAddress;
}

export interface TransferStartMessage extends Base<'TransferStartMessage'>, Pids {
  /** Pull transfers: where and how the consumer fetches the data. */
  dataAddress?: DataAddress;
}

export interface TransferCompletionMessage extends Base<'TransferCompletionMessage'>, Pids {}
export interface TransferSuspensionMessage extends Base<'TransferSuspensionMessage'>, Pids, CodeReason {}
export interface TransferTerminationMessage extends Base<'TransferTerminationMessage'>, Pids, CodeReason {}

export type TransferState = 'REQUESTED' | 'STARTED' | 'TERMINATED' | 'COMPLETED' | 'SUSPENDED';

export interface TransferProcess extends Base<'TransferProcess'>, Pids {
  state: TransferState;
}

export interface TransferError extends Base<'TransferError'>, CodeReason {
  providerPid?: string;
  consumerPid?: string;
}

/** `GET /.well-known/dspace-version`: plain JSON, no `@context` (trap 8). */
export interface VersionResponse {
  protocolVersions: ProtocolVersion[];
}

export interface ProtocolVersion {
  version: string;
  /** Path of this version's DSP endpoints, relative to the connector's root. */
  path: string;
  binding: 'HTTPS';
  serviceId?: string;
  identifierType?: string;
  auth?: { protocol: string; version: string; profile?: string[] };
}

/** Every JSON-LD message type, by its `@type`. */
export interface DspMessages {
  CatalogRequestMessage: CatalogRequestMessage;
  DatasetRequestMessage: DatasetRequestMessage;
  Catalog: Catalog;
  Dataset: DatasetMessage;
  CatalogError: CatalogError;
  ContractRequestMessage: ContractRequestMessage;
  ContractOfferMessage: ContractOfferMessage;
  ContractAgreementMessage: ContractAgreementMessage;
  ContractAgreementVerificationMessage: ContractAgreementVerificationMessage;
  ContractNegotiationEventMessage: ContractNegotiationEventMessage;
  ContractNegotiationTerminationMessage: ContractNegotiationTerminationMessage;
  ContractNegotiation: ContractNegotiation;
  ContractNegotiationError: ContractNegotiationError;
  TransferRequestMessage: TransferRequestMessage;
  TransferStartMessage: TransferStartMessage;
  TransferCompletionMessage: TransferCompletionMessage;
  TransferSuspensionMessage: TransferSuspensionMessage;
  TransferTerminationMessage: TransferTerminationMessage;
  TransferProcess: TransferProcess;
  TransferError: TransferError;
}

export type DspMessageType = keyof DspMessages;

/** Documents with a schema but no `@type`: the version body and a DID document's DSP service entry. */
export type DspPlainDocument = 'VersionResponse' | 'DidService';

export type DspSchemaName = DspMessageType | DspPlainDocument;
