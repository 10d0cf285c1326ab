// DCP 1.0 messages and their JSON schemas. The official schemas (schemas/, Apache-2.0, see README.md) are
// imported as modules so they travel into dist/, compiled once per process by compileDcpSchemas() (the
// connector calls it at start-up), and every DCP message Shuyu sends or receives goes through
// validateDcpMessage().
import { Ajv2019, type ValidateFunction } from 'ajv/dist/2019.js';
import addFormatsModule from 'ajv-formats';
import { toFieldReasons } from '../../dsp/messages/schema-errors.js';
import type { FieldReason } from '../../http/problem.js';
import { DcpError } from '../errors.js';
import context from './schemas/context-schema.json' with { type: 'json' };
import credentialMessage from './schemas/credential-message-schema.json' with { type: 'json' };
import credentialObject from './schemas/credential-object-schema.json' with { type: 'json' };
import credentialOfferMessage from './schemas/credential-offer-message-schema.json' with { type: 'json' };
import credentialRequestMessage from './schemas/credential-request-message-schema.json' with { type: 'json' };
import credentialStatus from './schemas/credential-status-schema.json' with { type: 'json' };
import issuerMetadata from './schemas/issuer-metadata-schema.json' with { type: 'json' };
import presentationQueryMessage from './schemas/presentation-query-message-schema.json' with { type: 'json' };
import presentationResponseMessage from './schemas/presentation-response-message-schema.json' with { type: 'json' };

const addFormats = addFormatsModule.default;

/** The DCP JSON-LD context every message names. */
export const DCP_CONTEXT_URL = 'https://w3id.org/dspace-dcp/v1.0/dcp.jsonld';

const BASE = 'https://w3id.org/dspace-dcp/v1.0/';

const SCHEMA_IDS = {
  PresentationQueryMessage: 'presentation/presentation-query-message-schema.json',
  PresentationResponseMessage: 'presentation/presentation-response-message-schema.json',
  CredentialRequestMessage: 'issuance/credential-request-message-schema.json',
  // Published under presentation/ although it is an issuance message (as in the spec's sources).
  CredentialMessage: 'presentation/credential-message-schema.json',
  CredentialOfferMessage: 'issuance/credential-offer-message-schema.json',
  CredentialStatus: 'issuance/credential-status-schema.json',
  IssuerMetadata: 'issuance/issuer-metadata-schema.json',
} as const;

export type DcpMessageName = keyof typeof SCHEMA_IDS;

/**
 * The schemas point at Presentation Exchange schemas (identity.foundation) that DCP does not publish.
 * Shuyu answers presentationDefinition queries 501 and sends no presentationSubmission, so these stand-ins
 * only say "an object": nothing is fetched at run time.
 */
const PRESENTATION_EXCHANGE_STAND_INS = [
  {
    $id: 'https://identity.foundation/presentation-exchange/schemas/presentation-definition.json',
    type: 'object',
  },
  {
    $id: 'https://identity.foundation/presentation-exchange/schemas/presentation-submission.json',
    type: 'object',
    properties: { presentation_submission: { type: 'object' } },
  },
];

let validators: Readonly<Record<DcpMessageName, ValidateFunction>> | undefined;

/** Compiles every DCP schema (once per process; later calls return the same validators). */
export function compileDcpSchemas(): Readonly<Record<DcpMessageName, ValidateFunction>> {
  if (validators) return validators;
  // strict: false because the published schemas use `items` on strings, which strict mode rejects.
  const ajv = new Ajv2019({ strict: false, allErrors: true, verbose: true });
  addFormats(ajv);
  // The context schema's own $id says "v08" while every $ref names it under v1.0.
  ajv.addSchema({ ...context, $id: `${BASE}common/context-schema.json` });
  for (const schema of [
    credentialMessage,
    credentialObject,
    credentialOfferMessage,
    credentialRequestMessage,
    credentialStatus,
    issuerMetadata,
    presentationQueryMessage,
    presentationResponseMessage,
    ...PRESENTATION_EXCHANGE_STAND_INS,
  ]) {
    ajv.addSchema(schema);
  }
  const out = {} as Record<DcpMessageName, ValidateFunction>;
  for (const [name, id] of Object.entries(SCHEMA_IDS) as [DcpMessageName, string][]) {
    const validate = ajv.getSchema(BASE + id);
    if (!validate) throw new Error(`DCP schema ${id} is not bundled`);
    out[name] = validate;
  }
  validators = out;
  return out;
}

/** The problems `body` has as a DCP `name` message (empty when valid). */
export function dcpMessageProblems(name: DcpMessageName, body: unknown): FieldReason[] {
  const validate = compileDcpSchemas()[name];
  return validate(body) ? [] : toFieldReasons(validate.errors);
}

/** Throws ERR_DCP_MESSAGE_INVALID unless `body` is a valid DCP `name` message. */
export function assertDcpMessage(name: DcpMessageName, body: unknown, what: string): void {
  const problems = dcpMessageProblems(name, body);
  if (problems.length === 0) return;
  const first = problems
    .slice(0, 3)
    .map((p) => `${p.pointer || '/'}: ${p.reason}`)
    .join('; ');
  throw new DcpError('ERR_DCP_MESSAGE_INVALID', `${what} is not a valid DCP ${name}: ${first}.`, {
    details: { message: name },
  });
}
