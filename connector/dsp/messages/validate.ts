// Validates DSP 2025-1 bodies against the official JSON schemas. All schemas go into one ajv
// instance at module load (their cross-file $refs use absolute ids, so nothing is fetched) and each
// message type's validator is compiled then; the hot path only calls a compiled function.

import { Ajv2019, type ValidateFunction } from 'ajv/dist/2019.js';
import addFormatsModule from 'ajv-formats';
import { DSP_SCHEMAS } from '../spec/schemas.js';
import { toFieldReasons } from './schema-errors.js';
import type { DspSchemaName, FieldReason } from './types.js';

const addFormats = addFormatsModule.default;

const BASE = 'https://w3id.org/dspace/2025/1/';

/** The schema (by `$id`) each body is checked against. */
const SCHEMA_IDS: Readonly<Record<DspSchemaName, string>> = {
  CatalogRequestMessage: 'catalog/catalog-request-message-schema.json',
  DatasetRequestMessage: 'catalog/dataset-request-message-schema.json',
  Catalog: 'catalog/catalog-schema.json',
  Dataset: 'catalog/dataset-schema.json',
  CatalogError: 'catalog/catalog-error-schema.json',
  ContractRequestMessage: 'negotiation/contract-request-message-schema.json',
  ContractOfferMessage: 'negotiation/contract-offer-message-schema.json',
  ContractAgreementMessage: 'negotiation/contract-agreement-message-schema.json',
  ContractAgreementVerificationMessage: 'negotiation/contract-agreement-verification-message-schema.json',
  ContractNegotiationEventMessage: 'negotiation/contract-negotiation-event-message-schema.json',
  ContractNegotiationTerminationMessage: 'negotiation/contract-negotiation-termination-message-schema.json',
  ContractNegotiation: 'negotiation/contract-negotiation-schema.json',
  ContractNegotiationError: 'negotiation/contract-negotiation-error-schema.json',
  TransferRequestMessage: 'transfer/transfer-request-message-schema.json',
  TransferStartMessage: 'transfer/transfer-start-message-schema.json',
  TransferCompletionMessage: 'transfer/transfer-completion-message-schema.json',
  TransferSuspensionMessage: 'transfer/transfer-suspension-message-schema.json',
  TransferTerminationMessage: 'transfer/transfer-termination-message-schema.json',
  TransferProcess: 'transfer/transfer-process-schema.json',
  TransferError: 'transfer/transfer-error-schema.json',
  VersionResponse: 'common/protocol-version-schema.json',
  DidService: 'common/did-service-schema.json',
};

export const DSP_SCHEMA_NAMES = Object.keys(SCHEMA_IDS) as readonly DspSchemaName[];

/**
 * Trap 1: three transfer schemas write `...#definitions/AbstractTransferCodeMessage`, a fragment ajv
 * cannot resolve (the spec means `#/definitions/`). Fixed on a copy, so the imported modules and
 * the files in connector/dsp/spec stay as published.
 */
function fixRefs(schema: object): object {
  return JSON.parse(JSON.stringify(schema).replaceAll('#definitions/', '#/definitions/')) as object;
}

function compileAll(): Readonly<Record<DspSchemaName, ValidateFunction>> {
  // allErrors: a peer fixes every problem in one round; verbose: the error renderer needs the
  // failing schema and value to write sentences. strict: false because the spec schemas use
  // `$comment`, `items` on strings and other keywords ajv's strict mode rejects.
  const ajv = new Ajv2019({ strict: false, allErrors: true, verbose: true });
  addFormats(ajv);
  for (const schema of DSP_SCHEMAS) ajv.addSchema(fixRefs(schema));
  const out = {} as Record<DspSchemaName, ValidateFunction>;
  for (const name of DSP_SCHEMA_NAMES) {
    const validate = ajv.getSchema(BASE + SCHEMA_IDS[name]);
    if (!validate) throw new Error(`DSP schema ${SCHEMA_IDS[name]} is not bundled`);
    out[name] = validate;
  }
  return out;
}

const VALIDATORS = compileAll();

/**
 * Checks `body` against the DSP 2025-1 schema for `type`. Returns the problems found (empty when
 * the body is valid): each a JSON pointer into `body` and a sentence saying what is wrong.
 */
export function validateDspMessage(type: DspSchemaName, body: unknown): FieldReason[] {
  const validate = VALIDATORS[type];
  if (validate === undefined)
    return [{ pointer: '', reason: `there is no DSP 2025-1 schema named "${type}"` }];
  return validate(body) ? [] : toFieldReasons(validate.errors);
}

/** True when `type` names a DSP 2025-1 schema (for input that is not typed at compile time). */
export function isDspSchemaName(type: string): type is DspSchemaName {
  return Object.hasOwn(SCHEMA_IDS, type);
}
