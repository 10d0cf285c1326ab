// JSON Schemas for Shuyu's credential types and for status list credentials, compiled once with ajv. They are
// strict on purpose (no unknown properties): @digitalbazaar/vc is lenient on shape, so shape is checked here.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { VC_CONTEXT_V2_URL } from '../document-loader/loader.js';
import { SHUYU_CONTEXT_V1_URL } from '../document-loader/shuyu-context.js';
import { CredentialError } from '../errors.js';
import { isUnifiedSocialCreditCode } from './uscc.js';
import {
  ALL_SECTOR_ROLES,
  DATA_GRADES,
  MEMBER_ROLES,
  SECTORS,
  SECTOR_ROLES,
  SHUYU_CREDENTIAL_TYPES,
  type ShuyuCredentialType,
} from './vocabulary.js';

const addFormats = addFormatsModule.default;

const DID_PATTERN =
  '^did:[a-z0-9]+:(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})+(?::(?:[A-Za-z0-9._-]|%[0-9A-Fa-f]{2})+)*$';
const did = { type: 'string', maxLength: 2048, pattern: DID_PATTERN };
const uri = { type: 'string', maxLength: 2048, format: 'uri' };
const dateTime = { type: 'string', maxLength: 64, format: 'date-time' };
const numericDate = { type: 'number' };

/**
 * Registration numbers: an 18-character unified social credit code with a valid check character, a 20-character
 * LEI (ISO 17442), or — the looser rule for other jurisdictions — a scheme-prefixed id `CC[-REGISTER]:number`
 * such as `DE-HRB:123456` or `GB:01234567`.
 */
export const REGISTRATION_NUMBER_RULE =
  'an 18-character unified social credit code with a valid check character, a 20-character LEI, or a ' +
  'scheme-prefixed id such as DE-HRB:123456';
const registrationNumber = {
  type: 'string',
  maxLength: 96,
  anyOf: [
    { format: 'uscc' },
    { pattern: '^[A-Z0-9]{18}[0-9]{2}$' },
    { pattern: '^[A-Z]{2}(?:-[A-Z0-9]{1,16})?:[A-Za-z0-9][A-Za-z0-9./ -]{0,62}$' },
  ],
};

const statusEntry = {
  type: 'object',
  required: ['type', 'statusPurpose', 'statusListIndex', 'statusListCredential'],
  additionalProperties: false,
  properties: {
    id: uri,
    type: { const: 'BitstringStatusListEntry' },
    statusPurpose: { type: 'string', maxLength: 64 },
    statusListIndex: { type: 'string', pattern: '^(?:0|[1-9][0-9]{0,9})$' },
    statusListCredential: uri,
    statusSize: { const: 1 },
  },
};

const subjects: Record<ShuyuCredentialType, object> = {
  MembershipCredential: {
    type: 'object',
    required: ['id', 'dataSpace', 'organisationName', 'registrationNumber', 'role'],
    additionalProperties: false,
    properties: {
      id: did,
      dataSpace: { ...uri, maxLength: 512 },
      organisationName: { type: 'string', minLength: 1, maxLength: 256 },
      registrationNumber,
      role: { enum: [...MEMBER_ROLES] },
    },
  },
  SectorCredential: {
    type: 'object',
    required: ['id', 'sector', 'sectorRoles'],
    additionalProperties: false,
    properties: {
      id: did,
      sector: { enum: [...SECTORS] },
      sectorRoles: {
        type: 'array',
        minItems: 1,
        maxItems: 16,
        uniqueItems: true,
        items: { enum: ALL_SECTOR_ROLES },
      },
    },
    allOf: SECTORS.map((sector) => ({
      if: { properties: { sector: { const: sector } }, required: ['sector'] },
      then: { properties: { sectorRoles: { items: { enum: [...SECTOR_ROLES[sector]] } } } },
    })),
  },
  DataGradeClearance: {
    type: 'object',
    required: ['id', 'dataGradeClearance'],
    additionalProperties: false,
    properties: { id: did, dataGradeClearance: { enum: [...DATA_GRADES] } },
  },
};

function contextSchema(mustContain?: string): object {
  return {
    type: 'array',
    minItems: mustContain ? 2 : 1,
    maxItems: 8,
    items: [{ const: VC_CONTEXT_V2_URL }],
    additionalItems: { type: 'string', maxLength: 512 },
    ...(mustContain ? { contains: { const: mustContain } } : {}),
  };
}

function typeSchema(type: string): object {
  return {
    type: 'array',
    minItems: 2,
    maxItems: 8,
    uniqueItems: true,
    items: { type: 'string', maxLength: 128 },
    allOf: [{ contains: { const: 'VerifiableCredential' } }, { contains: { const: type } }],
  };
}

const issuer = {
  anyOf: [
    did,
    {
      type: 'object',
      required: ['id'],
      additionalProperties: false,
      properties: { id: did, name: { type: 'string', maxLength: 256 } },
    },
  ],
};

function credentialSchema(type: ShuyuCredentialType): object {
  return {
    type: 'object',
    required: ['@context', 'type', 'issuer', 'validFrom', 'credentialSubject'],
    additionalProperties: false,
    properties: {
      '@context': contextSchema(SHUYU_CONTEXT_V1_URL),
      id: uri,
      type: typeSchema(type),
      issuer,
      name: { type: 'string', maxLength: 256 },
      description: { type: 'string', maxLength: 1024 },
      validFrom: dateTime,
      validUntil: dateTime,
      credentialSubject: subjects[type],
      credentialStatus: {
        anyOf: [statusEntry, { type: 'array', minItems: 1, maxItems: 4, items: statusEntry }],
      },
      // Data Integrity proof: its members are checked by the proof verifier.
      proof: { type: 'object' },
      // JWT claims VC-JOSE-COSE allows beside the credential; cross-checked against the VC fields.
      iss: did,
      sub: { type: 'string', maxLength: 2048 },
      jti: { type: 'string', maxLength: 2048 },
      iat: numericDate,
      nbf: numericDate,
      exp: numericDate,
    },
  };
}

const statusListCredentialSchema = {
  type: 'object',
  required: ['@context', 'type', 'issuer', 'credentialSubject'],
  properties: {
    '@context': contextSchema(),
    id: uri,
    type: typeSchema('BitstringStatusListCredential'),
    issuer,
    validFrom: dateTime,
    validUntil: dateTime,
    credentialSubject: {
      type: 'object',
      required: ['type', 'statusPurpose', 'encodedList'],
      properties: {
        id: uri,
        type: { const: 'BitstringStatusList' },
        statusPurpose: {
          anyOf: [
            { type: 'string', maxLength: 64 },
            { type: 'array', minItems: 1, maxItems: 8, items: { type: 'string', maxLength: 64 } },
          ],
        },
        encodedList: { type: 'string', pattern: '^u[A-Za-z0-9_-]+$' },
        ttl: { type: 'number', minimum: 0 },
      },
    },
  },
};

interface Compiled {
  credentials: Record<ShuyuCredentialType, ValidateFunction>;
  statusList: ValidateFunction;
  registrationNumber: ValidateFunction;
}

let compiled: Compiled | undefined;

// Compiled on first use and then reused: schemas are constants, so this cache holds no request state.
function schemas(): Compiled {
  if (compiled) return compiled;
  const ajv = new Ajv({
    strict: true,
    strictTypes: false,
    strictTuples: false,
    allErrors: false,
    logger: false,
  });
  addFormats(ajv, ['uri', 'date-time']);
  ajv.addFormat('uscc', { type: 'string', validate: isUnifiedSocialCreditCode });
  compiled = {
    credentials: {
      MembershipCredential: ajv.compile(credentialSchema('MembershipCredential')),
      SectorCredential: ajv.compile(credentialSchema('SectorCredential')),
      DataGradeClearance: ajv.compile(credentialSchema('DataGradeClearance')),
    },
    statusList: ajv.compile(statusListCredentialSchema),
    registrationNumber: ajv.compile(registrationNumber),
  };
  return compiled;
}

/** The rule MembershipCredential applies to `registrationNumber` (see REGISTRATION_NUMBER_RULE). */
export function isValidRegistrationNumber(value: unknown): boolean {
  return schemas().registrationNumber(value);
}

function describe(errors: ErrorObject[] | null | undefined): string {
  const error = errors?.[0];
  if (!error) return 'it does not match the schema';
  const path = error.instancePath.replace(/^\//, '').replace(/\//g, '.') || '(credential)';
  if (path.endsWith('registrationNumber')) return `${path} must be ${REGISTRATION_NUMBER_RULE}`;
  if (error.keyword === 'additionalProperties') {
    return `${path} has an unexpected property "${String(error.params.additionalProperty)}"`;
  }
  if (error.keyword === 'enum') {
    const allowed = (error.params.allowedValues as unknown[]).map(String).join(', ');
    return `${path} must be one of: ${allowed}`;
  }
  return `${path} ${error.message ?? 'is invalid'}`;
}

/** The one Shuyu credential type among `types`; throws if there is none or more than one. */
export function detectCredentialType(types: unknown): ShuyuCredentialType {
  const list = Array.isArray(types) ? types : [types];
  const found = SHUYU_CREDENTIAL_TYPES.filter((type) => list.includes(type));
  if (found.length !== 1 || found[0] === undefined) {
    throw new CredentialError(
      'ERR_CREDENTIAL_TYPE_UNSUPPORTED',
      found.length === 0
        ? `The credential is none of ${SHUYU_CREDENTIAL_TYPES.join(', ')}; Shuyu cannot use it.`
        : `The credential claims several Shuyu types (${found.join(', ')}); issue one credential per type.`,
    );
  }
  return found[0];
}

/** Returns a human reason when `credential` does not match the schema of `type`, else undefined. */
export function credentialSchemaViolation(
  type: ShuyuCredentialType,
  credential: unknown,
): string | undefined {
  const validate = schemas().credentials[type];
  return validate(credential) ? undefined : describe(validate.errors);
}

export function statusListSchemaViolation(credential: unknown): string | undefined {
  const validate = schemas().statusList;
  return validate(credential) ? undefined : describe(validate.errors);
}
