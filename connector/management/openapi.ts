// The OpenAPI 3.1 document of the management API, served at `GET /management/v1/openapi.json`. It is
// built here from the same vocabularies the handlers check against (sectors, data grades, process
// states), and tests/management/openapi.test.ts holds it to the router: every route the router has is
// documented, every documented operation exists, and the request schemas accept the examples given
// here and refuse what the API refuses. Schemas are JSON Schema 2020-12 (OpenAPI 3.1's dialect).

import { GRADES } from '../../policies/vocabulary/grades.js';
import { DATA_ADDRESS_KINDS, SECTORS } from '../assets/index.js';
import { MAX_DECLARED_LENGTH, MAX_DECLARED_VALUES } from '../control-plane/extensions.js';
import { AUTOMATION_STEPS } from '../control-plane/automation-config.js';
import { NEGOTIATION_STATES } from '../negotiation/index.js';
import { PROBLEM_TYPE_BASE } from '../http/problem.js';
import { TRANSFER_STATES } from '../transfer/index.js';
import { DEFAULT_WAIT_MS, MAX_WAIT_MS } from './wait.js';

type Json = Record<string, unknown>;

const ref = (name: string): Json => ({ $ref: `#/components/schemas/${name}` });
const json = (schema: Json, examples?: Record<string, unknown>): Json => ({
  'application/json': {
    schema,
    ...(examples
      ? { examples: Object.fromEntries(Object.entries(examples).map(([k, value]) => [k, { value }])) }
      : {}),
  },
});
const problem = (description: string): Json => ({
  description,
  content: { 'application/problem+json': { schema: ref('Problem') } },
});
const ok = (description: string, schema: Json): Json => ({ description, content: json(schema) });
const body = (schema: Json, examples: Record<string, unknown>, required = true): Json => ({
  required,
  content: json(schema, examples),
});
const idParam = (what: string): Json => ({
  name: 'id',
  in: 'path',
  required: true,
  description: `The ${what}'s id (percent-encoded: ids are IRIs such as urn:uuid:...).`,
  schema: { type: 'string', minLength: 1 },
});
const listOf = (key: string, item: string): Json => ({
  type: 'object',
  required: [key],
  properties: { [key]: { type: 'array', items: ref(item) } },
});

const PAGING: Json[] = [
  {
    name: 'limit',
    in: 'query',
    description: 'Page size, 1 to 500 (default 50).',
    schema: { type: 'integer', minimum: 1, maximum: 500 },
  },
  { name: 'offset', in: 'query', description: 'Records to skip.', schema: { type: 'integer', minimum: 0 } },
];
const ALLOW_UNKNOWN: Json = {
  name: 'allowUnknown',
  in: 'query',
  description:
    'true: accept purposes, regions and sectors outside the vocabularies (a warning). They match only requests naming exactly them.',
  schema: { type: 'string', enum: ['true', 'false'] },
};
const ROLE: Json = {
  name: 'role',
  in: 'query',
  description: 'Only this role (comma-separated for both).',
  schema: { type: 'string', pattern: '^(provider|consumer)(,(provider|consumer))?$' },
};
const states = (all: readonly string[], name: string, description: string): Json => ({
  name,
  in: 'query',
  description: `${description} Comma-separated, among ${all.join(', ')}.`,
  schema: { type: 'string', pattern: `^(${all.join('|')})(,(${all.join('|')}))*$` },
});
const TIMEOUT: Json = {
  name: 'timeoutMs',
  in: 'query',
  description: `With waitFor: how long to wait, 0 to ${MAX_WAIT_MS} ms (default ${DEFAULT_WAIT_MS}).`,
  schema: { type: 'integer', minimum: 0, maximum: MAX_WAIT_MS },
};

/** Any ODRL policy, in any JSON-LD form the policy engine reads; checked by the engine (problems → 400). */
const POLICY: Json = {
  type: 'object',
  description:
    'An ODRL 2.2 policy in any JSON-LD form (compacted with the ODRL context, expanded, or Shuyu’s plain form). The policy engine checks it; its problems come back as field-level reasons.',
};

/** One value or a list of them (a declared purpose or place of use). */
const DECLARED: Json = {
  oneOf: [
    { type: 'string', minLength: 1, maxLength: MAX_DECLARED_LENGTH, pattern: '\\S' },
    {
      type: 'array',
      minItems: 1,
      maxItems: MAX_DECLARED_VALUES,
      items: { type: 'string', minLength: 1, maxLength: MAX_DECLARED_LENGTH, pattern: '\\S' },
    },
  ],
};

/** validate/fields.ts DATASET_ID: an IRI or a plain id, not a JSON-LD keyword or blank node. */
const DATASET_ID = '^(?![@]|_:)[^\\s<>"{}|\\\\^`]+$';
const MEDIA_TYPE =
  '^[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}/[A-Za-z0-9][A-Za-z0-9!#$&^_.+-]{0,126}(\\s*;.*)?$';
const DATE_TIME = '^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}(:\\d{2}(\\.\\d+)?)?(Z|[+-]\\d{2}:\\d{2})$';
const HTTP_URL = '^[Hh][Tt][Tt][Pp][Ss]?://';
const nonEmpty = (max: number): Json => ({ type: 'string', minLength: 1, maxLength: max, pattern: '\\S' });

const EXAMPLE_POLICY = {
  '@type': 'Offer',
  permission: [
    {
      action: 'use',
      constraint: [{ leftOperand: 'shuyu:sector', operator: 'isA', rightOperand: 'medical' }],
    },
  ],
  prohibition: [{ action: 'distribute' }],
};
const EXAMPLE_ASSET = {
  id: 'urn:dataset:outpatient-visits',
  title: 'Outpatient visits, anonymised',
  description: 'Monthly outpatient visit counts per department.',
  keywords: ['outpatient', 'visits'],
  sector: 'medical',
  dataGrade: 'general',
  format: 'text/csv',
  licence: 'https://hospital.example/licences/research',
  publisher: 'did:web:hospital.example',
  // Small data can travel inline; a file must lie under the connector's files directory (<dataDir>/files).
  dataAddress: { kind: 'inline', data: 'month,department,visits\n2026-01,cardiology,412\n' },
};
const EXAMPLE_OFFER = {
  id: 'research',
  assetSelector: { assetIds: ['urn:dataset:outpatient-visits'] },
  accessPolicy: {
    permission: [
      {
        action: 'read',
        constraint: [
          { leftOperand: 'shuyu:credentialType', operator: 'hasPart', rightOperand: 'MembershipCredential' },
        ],
      },
    ],
  },
  contractPolicy: EXAMPLE_POLICY,
  approval: 'automatic',
};
const PEER = {
  counterPartyAddress: 'https://provider.example/dsp',
  counterPartyId: 'did:web:provider.example',
};

const SCHEMAS: Record<string, Json> = {
  Problem: {
    type: 'object',
    description:
      'RFC 9457 problem details. Bad input lists every problem found in `errors`, each with a JSON pointer into the request body (or the name of the query parameter).',
    required: ['type', 'title', 'status', 'detail'],
    properties: {
      type: {
        type: 'string',
        description: `${PROBLEM_TYPE_BASE}<code>, e.g. ${PROBLEM_TYPE_BASE}invalid-body`,
      },
      title: { type: 'string' },
      status: { type: 'integer', minimum: 400, maximum: 599 },
      detail: { type: 'string', description: 'What went wrong and what to do about it.' },
      errors: { type: 'array', items: ref('FieldReason') },
      state: {
        type: 'string',
        description: 'A refused negotiation or transfer action (409): the process’s current state.',
      },
      reason: { type: 'string', description: 'A refused action (409): why it is not valid now.' },
    },
  },
  FieldReason: {
    type: 'object',
    required: ['pointer', 'reason'],
    properties: {
      pointer: { type: 'string', description: 'JSON pointer (RFC 6901) into the body, or a parameter name.' },
      reason: { type: 'string' },
      code: { type: 'string', description: 'The policy engine’s code, when a policy check found it.' },
    },
  },
  DataAddress: {
    description:
      'Where the data really is; read by the data plane, never shown in the catalog. Settings besides these are kept for the data plane.',
    oneOf: [
      {
        type: 'object',
        required: ['kind', 'path'],
        properties: { kind: { const: 'file' }, path: { type: 'string', pattern: '^/', maxLength: 4096 } },
      },
      {
        type: 'object',
        required: ['kind', 'url'],
        properties: {
          kind: { const: 'http' },
          url: { type: 'string', pattern: HTTP_URL, maxLength: 2048 },
        },
      },
      {
        type: 'object',
        required: ['kind', 'data'],
        properties: { kind: { const: 'inline' }, data: { type: 'string', maxLength: 1024 * 1024 } },
      },
    ],
    properties: { kind: { enum: [...DATA_ADDRESS_KINDS] } },
  },
  AssetInput: {
    type: 'object',
    additionalProperties: false,
    required: ['id', 'title', 'sector', 'dataGrade', 'format', 'licence', 'publisher', 'dataAddress'],
    properties: {
      id: {
        type: 'string',
        maxLength: 512,
        pattern: DATASET_ID,
        description:
          'The DSP dataset id: an absolute IRI (urn:x:y), or a plain id such as a UUID (expands as a relative IRI in JSON-LD).',
      },
      title: nonEmpty(500),
      description: { type: 'string', maxLength: 10_000 },
      keywords: {
        type: 'array',
        maxItems: 50,
        uniqueItems: true,
        items: nonEmpty(100),
      },
      sector: { enum: [...SECTORS] },
      dataGrade: { enum: [...GRADES] },
      format: { type: 'string', maxLength: 255, pattern: MEDIA_TYPE, description: 'A media type.' },
      licence: { type: 'string', maxLength: 2048, pattern: HTTP_URL, description: 'Licence URL.' },
      publisher: nonEmpty(512),
      issued: { type: 'string', pattern: DATE_TIME, description: 'Default: the time of registration.' },
      modified: { type: 'string', pattern: DATE_TIME, description: 'Default: the time of the write.' },
      dataAddress: ref('DataAddress'),
      themes: {
        type: 'array',
        maxItems: 20,
        uniqueItems: true,
        items: nonEmpty(512),
        description:
          'DCAT-AP dcat:theme: EU data theme codes (HEAL, ECON, ENER, EDUC, ...), Shuyu sectors or http(s) IRIs. ' +
          "Default: the sector's EU theme and the sector.",
      },
      spatial: {
        type: 'array',
        maxItems: 20,
        uniqueItems: true,
        items: nonEmpty(512),
        description:
          "DCAT-AP dct:spatial: ISO 3166 codes (CN, CN-BJ) or http(s) IRIs. Default: the member's regions.",
      },
      temporal: {
        type: 'object',
        additionalProperties: false,
        minProperties: 1,
        description: 'DCAT-AP dct:temporal: the period the data covers (dates YYYY-MM-DD or date-times).',
        properties: { start: { type: 'string', maxLength: 64 }, end: { type: 'string', maxLength: 64 } },
      },
      contact: {
        type: 'string',
        maxLength: 256,
        description:
          "DCAT-AP dcat:contactPoint: an e-mail address or a telephone number. Default: the member's.",
      },
    },
  },
  Asset: {
    allOf: [ref('AssetInput')],
    required: ['description', 'keywords', 'issued', 'modified'],
  },
  AssetSelector: {
    type: 'object',
    additionalProperties: false,
    maxProperties: 1,
    description: 'Which assets the offer covers: all ({}), a list, or one sector.',
    properties: {
      assetIds: { type: 'array', minItems: 1, maxItems: 10_000, uniqueItems: true, items: nonEmpty(512) },
      sector: { enum: [...SECTORS] },
    },
  },
  OfferInput: {
    type: 'object',
    additionalProperties: false,
    required: ['id', 'accessPolicy', 'contractPolicy'],
    properties: {
      id: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$' },
      assetSelector: ref('AssetSelector'),
      accessPolicy: {
        ...POLICY,
        description: 'Who sees the offer in the catalog (action read); no target.',
      },
      contractPolicy: {
        ...POLICY,
        description: 'The terms a negotiation agrees on: an ODRL Offer, no target, no assigner.',
      },
      approval: {
        enum: ['automatic', 'manual'],
        description: 'manual: a matching request waits for the operator (default automatic).',
      },
    },
  },
  Offer: { allOf: [ref('OfferInput')], required: ['assetSelector', 'approval'] },
  OfferWrite: {
    type: 'object',
    required: ['offer', 'warnings'],
    properties: {
      offer: ref('Offer'),
      warnings: { type: 'array', items: ref('FieldReason'), description: 'Lint warnings of the policies.' },
    },
  },
  CatalogRequest: {
    type: 'object',
    required: ['counterPartyAddress', 'counterPartyId'],
    properties: {
      counterPartyAddress: { type: 'string', minLength: 1, description: 'The provider’s DSP base URL.' },
      counterPartyId: {
        type: 'string',
        minLength: 1,
        maxLength: 2048,
        description: 'The provider’s participant id (DID).',
      },
      filter: {
        type: 'array',
        description:
          'DSP catalog filter items, passed on as given (the message has the DSP context only: an EDC QuerySpec goes with its https://w3id.org/edc/v0.0.1/ns/ keys).',
      },
      offset: { type: 'integer', minimum: 0 },
      limit: { type: 'integer', minimum: 0 },
      cursor: {
        type: 'string',
        description: 'The `cursor` of a paging link (`links.next`) of an earlier answer.',
      },
    },
  },
  DatasetRequest: {
    type: 'object',
    required: ['counterPartyAddress', 'counterPartyId', 'datasetId'],
    properties: {
      counterPartyAddress: { type: 'string', minLength: 1 },
      counterPartyId: { type: 'string', minLength: 1, maxLength: 2048 },
      datasetId: { type: 'string', minLength: 1 },
    },
  },
  StartNegotiation: {
    type: 'object',
    required: ['counterPartyAddress', 'counterPartyId', 'datasetId'],
    anyOf: [{ required: ['offerId'] }, { required: ['offer'] }],
    properties: {
      role: {
        enum: ['consumer', 'provider'],
        description:
          'consumer (default): request the provider’s offer (counterPartyAddress: the provider’s DSP base). provider: offer one of ours to a consumer (counterPartyAddress: the consumer’s DSP base; offerId: one of our offers, by its id or catalog @id, or `offer`: terms inline).',
      },
      counterPartyAddress: { type: 'string', minLength: 1, pattern: '\\S' },
      counterPartyId: { type: 'string', minLength: 1, maxLength: 2048, pattern: '\\S' },
      datasetId: { type: 'string', minLength: 1, pattern: '\\S' },
      offerId: {
        type: 'string',
        minLength: 1,
        pattern: '\\S',
        description:
          'The catalog offer’s @id; without `offer`, the offer is read from the provider’s dataset.',
      },
      offer: { ...POLICY, description: 'The offer as the provider’s catalog shows it.' },
    },
  },
  OfferBody: {
    type: 'object',
    properties: { offer: { ...POLICY, description: 'Other terms; default the current ones.' } },
  },
  CounterRequest: { type: 'object', required: ['offer'], properties: { offer: POLICY } },
  Reason: { type: 'object', properties: { reason: { type: 'string', minLength: 1, pattern: '\\S' } } },
  Empty: { type: 'object', description: 'No fields; the body may be left out.' },
  Negotiation: {
    type: 'object',
    required: [
      'id',
      'role',
      'state',
      'counterPartyId',
      'counterPartyAddress',
      'offer',
      'pendingAction',
      'version',
    ],
    properties: {
      id: { type: 'string', description: 'Our own pid.' },
      role: { enum: ['provider', 'consumer'] },
      providerPid: { type: ['string', 'null'] },
      consumerPid: { type: ['string', 'null'] },
      counterPartyId: { type: 'string' },
      counterPartyAddress: { type: 'string' },
      state: { enum: [...NEGOTIATION_STATES] },
      datasetId: { type: ['string', 'null'] },
      offer: { type: 'object' },
      agreement: { type: ['object', 'null'] },
      agreementId: { type: ['string', 'null'] },
      reason: { type: ['string', 'null'], description: 'Why it was terminated, in words.' },
      pendingAction: {
        type: 'boolean',
        description:
          'Waiting for the operator: manual approval, a received offer, or a manual automation step.',
      },
      heldStep: {
        enum: [...AUTOMATION_STEPS],
        description: 'Our next step, left to the operator because the automation has it manual.',
      },
      createdAt: { type: 'string' },
      updatedAt: { type: 'string' },
      version: { type: 'integer' },
    },
  },
  Agreement: {
    type: 'object',
    required: ['id', 'agreement', 'role', 'counterPartyId', 'negotiationId', 'negotiationState', 'agreedAt'],
    properties: {
      id: { type: 'string' },
      agreement: { type: 'object', description: 'The ODRL Agreement as both sides stored it.' },
      role: { enum: ['provider', 'consumer'] },
      counterPartyId: { type: 'string' },
      datasetId: { type: ['string', 'null'] },
      negotiationId: { type: 'string' },
      negotiationState: { enum: [...NEGOTIATION_STATES] },
      agreedAt: { type: 'string' },
    },
  },
  StartTransfer: {
    type: 'object',
    required: ['agreementId', 'format'],
    properties: {
      agreementId: { type: 'string', minLength: 1, pattern: '\\S' },
      format: {
        type: 'string',
        minLength: 1,
        pattern: '\\S',
        description: 'e.g. HttpData-PULL, HttpData-PUSH.',
      },
      counterPartyAddress: {
        type: 'string',
        minLength: 1,
        pattern: '\\S',
        description: 'Default: the address the agreement was negotiated with.',
      },
      dataAddress: {
        type: 'object',
        description: 'Push transfers: where the provider sends the data (DSP DataAddress).',
      },
      purpose: {
        ...DECLARED,
        description: 'The purpose(s) of use declared to the provider, checked at every access.',
      },
      spatial: { ...DECLARED, description: 'Where the data will be used (e.g. CN-BJ), checked likewise.' },
    },
  },
  Transfer: {
    type: 'object',
    required: ['id', 'role', 'state', 'agreementId', 'counterPartyId', 'format', 'version'],
    properties: {
      id: { type: 'string' },
      role: { enum: ['provider', 'consumer'] },
      providerPid: { type: ['string', 'null'] },
      consumerPid: { type: ['string', 'null'] },
      agreementId: { type: 'string' },
      counterPartyId: { type: 'string' },
      counterPartyAddress: { type: 'string' },
      format: { type: 'string' },
      dataAddress: { type: ['object', 'null'] },
      state: { enum: [...TRANSFER_STATES] },
      reason: { type: ['string', 'null'] },
      createdAt: { type: 'string' },
      updatedAt: { type: 'string' },
      version: { type: 'integer' },
      heldStep: {
        enum: [...AUTOMATION_STEPS],
        description: 'Our next step, left to the operator because the automation has it manual.',
      },
      access: {
        type: 'object',
        description: 'The data address’s endpoint and token, wherever the peer put them.',
        properties: { endpoint: { type: 'string' }, authorization: { type: 'string' } },
      },
    },
  },
  Catalog: {
    type: 'object',
    required: ['catalog', 'links'],
    properties: {
      catalog: { type: 'object', description: 'The peer’s DSP Catalog, as it answered (JSON-LD).' },
      links: {
        type: 'object',
        properties: { next: { type: 'string' }, previous: { type: 'string' } },
      },
    },
  },
  Dataset: {
    type: 'object',
    required: ['dataset'],
    properties: { dataset: { type: 'object', description: 'The peer’s DSP Dataset (JSON-LD).' } },
  },
};

const BAD = problem('Bad input: every problem with its JSON pointer.');
const NOT_FOUND = problem('No such resource.');
const CONFLICT = problem(
  'A conflict: the id exists, the resource is in use, or the state table refuses the action.',
);
const REFUSED = problem(
  'Not valid now: `state` is the process’s current state, `reason` says why (the state table’s words).',
);
const PEER_REFUSED = problem('The peer refused the call with a 4xx (its status and reasons quoted).');
const PEER_FAILED = problem('The peer could not be reached, failed (5xx) or answered no JSON.');

const negotiationAction = (summary: string, requestBody: Json | undefined): Json => ({
  post: {
    tags: ['negotiations'],
    summary,
    parameters: [idParam('negotiation')],
    ...(requestBody ? { requestBody } : {}),
    responses: {
      200: ok('The negotiation after the action.', ref('Negotiation')),
      400: BAD,
      404: NOT_FOUND,
      409: REFUSED,
    },
  },
});
const transferAction = (summary: string, requestBody: Json | undefined): Json => ({
  post: {
    tags: ['transfers'],
    summary,
    parameters: [idParam('transfer')],
    ...(requestBody ? { requestBody } : {}),
    responses: {
      200: ok('The transfer after the action.', ref('Transfer')),
      400: BAD,
      404: NOT_FOUND,
      409: REFUSED,
    },
  },
});
const reasonBody = body(
  ref('Reason'),
  { withReason: { reason: 'the study was cancelled' }, none: {} },
  false,
);
const emptyBody = body(ref('Empty'), { none: {} }, false);

const PATHS: Record<string, Json> = {
  '/openapi.json': {
    get: {
      tags: ['meta'],
      summary: 'This document (the key is needed, as everywhere in this API).',
      responses: { 200: ok('The OpenAPI 3.1 document.', { type: 'object' }) },
    },
  },
  '/assets': {
    get: {
      tags: ['assets'],
      summary: 'Every registered asset.',
      responses: { 200: ok('The assets, by id.', listOf('assets', 'Asset')) },
    },
    post: {
      tags: ['assets'],
      summary: 'Registers an asset.',
      requestBody: body(ref('AssetInput'), { file: EXAMPLE_ASSET }),
      responses: { 201: ok('The asset as stored.', ref('Asset')), 400: BAD, 409: CONFLICT },
    },
  },
  '/assets/{id}': {
    parameters: [idParam('asset')],
    get: {
      tags: ['assets'],
      summary: 'One asset.',
      responses: { 200: ok('The asset.', ref('Asset')), 404: NOT_FOUND },
    },
    put: {
      tags: ['assets'],
      summary: 'Replaces an asset (same id).',
      requestBody: body(ref('AssetInput'), { file: EXAMPLE_ASSET }),
      responses: { 200: ok('The asset as stored.', ref('Asset')), 400: BAD, 404: NOT_FOUND },
    },
    delete: {
      tags: ['assets'],
      summary: 'Removes an asset no offer lists.',
      responses: { 204: { description: 'Removed.' }, 404: NOT_FOUND, 409: CONFLICT },
    },
  },
  '/offers': {
    get: {
      tags: ['offers'],
      summary: 'Every offer (contract definition).',
      responses: { 200: ok('The offers, by id.', listOf('offers', 'Offer')) },
    },
    post: {
      tags: ['offers'],
      summary:
        'Registers an offer; both policies are checked by the policy engine. A purpose, region or sector outside the vocabularies is an error (ERR_UNKNOWN_TERM) unless allowUnknown=true.',
      parameters: [ALLOW_UNKNOWN],
      requestBody: body(ref('OfferInput'), { research: EXAMPLE_OFFER }),
      responses: { 201: ok('The offer and its lint warnings.', ref('OfferWrite')), 400: BAD, 409: CONFLICT },
    },
  },
  '/offers/{id}': {
    parameters: [idParam('offer')],
    get: {
      tags: ['offers'],
      summary: 'One offer.',
      responses: { 200: ok('The offer.', ref('Offer')), 404: NOT_FOUND },
    },
    put: {
      tags: ['offers'],
      summary: 'Replaces an offer (same id); checked as when it is registered.',
      parameters: [ALLOW_UNKNOWN],
      requestBody: body(ref('OfferInput'), { research: EXAMPLE_OFFER }),
      responses: {
        200: ok('The offer and its lint warnings.', ref('OfferWrite')),
        400: BAD,
        404: NOT_FOUND,
        409: CONFLICT,
      },
    },
    delete: {
      tags: ['offers'],
      summary: 'Removes an offer.',
      responses: { 204: { description: 'Removed.' }, 404: NOT_FOUND },
    },
  },
  '/catalog/request': {
    post: {
      tags: ['catalog'],
      summary: 'One page of a peer’s DSP catalog, as it shows it to us.',
      requestBody: body(ref('CatalogRequest'), { firstPage: { ...PEER, limit: 20 } }),
      responses: {
        200: ok('The catalog and its paging links.', ref('Catalog')),
        400: BAD,
        424: PEER_REFUSED,
        502: PEER_FAILED,
      },
    },
  },
  '/catalog/dataset': {
    post: {
      tags: ['catalog'],
      summary: 'One of a peer’s datasets.',
      requestBody: body(ref('DatasetRequest'), {
        visits: { ...PEER, datasetId: 'urn:dataset:outpatient-visits' },
      }),
      responses: { 200: ok('The dataset.', ref('Dataset')), 400: BAD, 424: PEER_REFUSED, 502: PEER_FAILED },
    },
  },
  '/policies/check': {
    post: {
      tags: ['policies'],
      summary: 'Checks an ODRL policy (schema, meaning, lint) before it is published. Stores nothing.',
      requestBody: body(
        {
          type: 'object',
          required: ['policy'],
          properties: { policy: { type: 'object' } },
          additionalProperties: false,
        },
        { offer: { policy: EXAMPLE_POLICY } },
      ),
      responses: {
        200: ok('Whether the policy compiles, and every problem with its pointer.', {
          type: 'object',
          required: ['ok', 'problems'],
          properties: {
            ok: { type: 'boolean' },
            problems: {
              type: 'array',
              items: {
                type: 'object',
                required: ['code', 'severity', 'pointer', 'message'],
                properties: {
                  code: { type: 'string' },
                  severity: { type: 'string' },
                  pointer: { type: 'string' },
                  message: { type: 'string' },
                },
              },
            },
          },
        }),
        400: BAD,
      },
    },
  },
  '/policies/evaluate': {
    post: {
      tags: ['policies'],
      summary:
        'Evaluates a request against a policy and explains the decision (docs/policies.md). Stores nothing.',
      requestBody: body(
        {
          type: 'object',
          required: ['policy', 'request'],
          properties: { policy: { type: 'object' }, request: { type: 'object' } },
          additionalProperties: false,
        },
        {
          member: {
            policy: EXAMPLE_POLICY,
            request: {
              action: 'use',
              claims: { credentialTypes: ['MembershipCredential'], sectors: ['medical'] },
            },
          },
        },
      ),
      responses: {
        200: ok('The decision and why.', {
          type: 'object',
          required: ['decision', 'code', 'reason', 'explanation'],
          properties: {
            decision: { type: 'string' },
            code: { type: 'string' },
            reason: { type: 'string' },
            explanation: { type: 'string' },
          },
        }),
        400: BAD,
      },
    },
  },
  '/negotiations': {
    get: {
      tags: ['negotiations'],
      summary: 'Negotiations, newest first.',
      parameters: [ROLE, states(NEGOTIATION_STATES, 'state', 'Only these states.'), ...PAGING],
      responses: { 200: ok('The negotiations.', listOf('negotiations', 'Negotiation')), 400: BAD },
    },
    post: {
      tags: ['negotiations'],
      summary:
        'Starts a negotiation: as consumer, a ContractRequestMessage to the provider; with role provider, a ContractOfferMessage to the consumer’s /negotiations/offers.',
      requestBody: body(ref('StartNegotiation'), {
        byOfferId: {
          ...PEER,
          datasetId: 'urn:dataset:outpatient-visits',
          offerId: 'urn:shuyu:offer:research:urn:dataset:outpatient-visits',
        },
        withOffer: {
          ...PEER,
          datasetId: 'urn:dataset:outpatient-visits',
          offer: { '@id': 'urn:shuyu:offer:research:urn:dataset:outpatient-visits', ...EXAMPLE_POLICY },
        },
        providerOffer: {
          role: 'provider',
          counterPartyAddress: 'https://consumer.example/dsp',
          counterPartyId: 'did:web:consumer.example',
          datasetId: 'urn:dataset:outpatient-visits',
          offerId: 'research',
        },
      }),
      responses: {
        201: ok('The negotiation: REQUESTED (consumer) or OFFERED (provider).', ref('Negotiation')),
        400: BAD,
        404: problem('The provider shows us no such offer, or (provider) we have no such offer or dataset.'),
        424: PEER_REFUSED,
        502: PEER_FAILED,
      },
    },
  },
  '/negotiations/{id}': {
    get: {
      tags: ['negotiations'],
      summary: 'One negotiation; with waitFor, answers once it is in one of those states (long poll).',
      parameters: [
        idParam('negotiation'),
        states(NEGOTIATION_STATES, 'waitFor', 'Wait until the negotiation is in one of these states.'),
        TIMEOUT,
      ],
      responses: { 200: ok('The negotiation.', ref('Negotiation')), 400: BAD, 404: NOT_FOUND },
    },
  },
  '/negotiations/{id}/offer': negotiationAction(
    'Provider: offers the current terms, or a counter-offer.',
    body(ref('OfferBody'), { current: {}, counter: { offer: EXAMPLE_POLICY } }, false),
  ),
  '/negotiations/{id}/agree': negotiationAction(
    'Provider: agrees (REQUESTED, or ACCEPTED after our offer); the agreement goes to the consumer.',
    emptyBody,
  ),
  '/negotiations/{id}/finalize': negotiationAction(
    'Provider: finalizes a VERIFIED agreement (the FINALIZED event goes to the consumer).',
    emptyBody,
  ),
  '/negotiations/{id}/request': negotiationAction(
    'Consumer: a counter-request with other terms.',
    body(ref('CounterRequest'), { counter: { offer: EXAMPLE_POLICY } }),
  ),
  '/negotiations/{id}/accept': negotiationAction('Consumer: accepts the provider’s offer.', emptyBody),
  '/negotiations/{id}/verify': negotiationAction('Consumer: verifies the agreement received.', emptyBody),
  '/negotiations/{id}/terminate': negotiationAction(
    'Either role: terminates, telling the peer why.',
    reasonBody,
  ),
  '/agreements': {
    get: {
      tags: ['agreements'],
      summary: 'Finalized agreements, either role.',
      parameters: PAGING,
      responses: { 200: ok('The agreements.', listOf('agreements', 'Agreement')), 400: BAD },
    },
  },
  '/agreements/{id}': {
    get: {
      tags: ['agreements'],
      summary: 'One agreement.',
      parameters: [idParam('agreement')],
      responses: { 200: ok('The agreement.', ref('Agreement')), 404: NOT_FOUND },
    },
  },
  '/transfers': {
    get: {
      tags: ['transfers'],
      summary: 'Transfers, newest first.',
      parameters: [
        ROLE,
        states(TRANSFER_STATES, 'state', 'Only these states.'),
        {
          name: 'agreementId',
          in: 'query',
          description: 'Only the transfers under this agreement.',
          schema: { type: 'string', minLength: 1 },
        },
        ...PAGING,
      ],
      responses: { 200: ok('The transfers.', listOf('transfers', 'Transfer')), 400: BAD },
    },
    post: {
      tags: ['transfers'],
      summary: 'Requests a transfer as consumer under a finalized agreement.',
      requestBody: body(ref('StartTransfer'), {
        pull: { agreementId: 'urn:uuid:6f1c9d2e-0b7a-4c55-9e43-2a8f3b7d1c00', format: 'HttpData-PULL' },
        push: {
          agreementId: 'urn:uuid:6f1c9d2e-0b7a-4c55-9e43-2a8f3b7d1c00',
          format: 'HttpData-PUSH',
          dataAddress: {
            '@type': 'DataAddress',
            endpointType: 'https://w3id.org/idsa/v4.1/HTTP',
            endpoint: 'https://consumer.example/inbox',
          },
        },
      }),
      responses: {
        201: ok('The transfer, REQUESTED.', ref('Transfer')),
        400: BAD,
        409: problem('No finalized agreement of ours as consumer carries that id.'),
      },
    },
  },
  '/transfers/{id}': {
    get: {
      tags: ['transfers'],
      summary: 'One transfer; with waitFor, answers once it is in one of those states (long poll).',
      parameters: [
        idParam('transfer'),
        states(TRANSFER_STATES, 'waitFor', 'Wait until the transfer is in one of these states.'),
        TIMEOUT,
      ],
      responses: { 200: ok('The transfer.', ref('Transfer')), 400: BAD, 404: NOT_FOUND },
    },
  },
  '/transfers/{id}/start': transferAction(
    'Provider: starts a REQUESTED transfer (a pull transfer’s data address goes to the consumer).',
    emptyBody,
  ),
  '/transfers/{id}/suspend': transferAction('Either role: suspends.', reasonBody),
  '/transfers/{id}/resume': transferAction('Either role: resumes a SUSPENDED transfer.', emptyBody),
  '/transfers/{id}/complete': transferAction('Either role: completes.', emptyBody),
  '/transfers/{id}/terminate': transferAction('Either role: terminates, telling the peer why.', reasonBody),
};

/** Routes added to the management API by other modules, documented with it. */
export interface OpenApiExtension {
  readonly paths: Readonly<Record<string, unknown>>;
  readonly schemas?: Readonly<Record<string, unknown>>;
}

/** The management API's OpenAPI 3.1 document, with `extensions`' paths and schemas. */
export function managementOpenApi(
  serverUrl = '/management/v1',
  extensions: readonly OpenApiExtension[] = [],
): Json {
  return {
    openapi: '3.1.0',
    info: {
      title: 'Shuyu connector management API',
      version: '1',
      description:
        'The participant’s own API: assets and offers, other connectors’ catalogs, negotiations, agreements and transfers. Plain JSON; every failure is problem+json, bad input with field-level reasons.',
    },
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    servers: [
      {
        url: serverUrl,
        description:
          'Relative to the connector’s management listener (connector.json "management": default 127.0.0.1 and its own port, printed at start and written to <dataDir>/management-url); never served on the public DSP port.',
      },
    ],
    security: [{ apiKey: [] }],
    tags: ['assets', 'offers', 'catalog', 'negotiations', 'agreements', 'transfers', 'meta'].map((name) => ({
      name,
    })),
    paths: { ...PATHS, ...Object.assign({}, ...extensions.map((e) => e.paths)) },
    components: {
      securitySchemes: {
        apiKey: {
          type: 'http',
          scheme: 'bearer',
          description: 'The management API key from <data dir>/management-api-key.',
        },
      },
      schemas: { ...SCHEMAS, ...Object.assign({}, ...extensions.map((e) => e.schemas ?? {})) },
    },
  };
}
