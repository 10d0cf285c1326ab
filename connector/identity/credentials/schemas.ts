// JSON Schemas for the claims Shuyu reads from its credential types, and for status list credentials, compiled
// once with ajv. The credential around the claims follows the open VC 2.0 data model (data-model.ts): any
// property the model allows, and any other claim beside Shuyu's, is accepted; only what Shuyu reads is checked.
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { VC_CONTEXT_V2_URL } from '../document-loader/loader.js';
import { SHUYU_CONTEXT_V1_URL } from '../document-loader/shuyu-context.js';
import { CredentialError } from '../errors.js';
import { assertVc20DataModel, subjectsOf } from './data-model.js';
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

const subjects: Record<ShuyuCredentialType, object> = {
  MembershipCredential: {
    type: 'object',
    required: ['id', 'dataSpace', 'organisationName', 'registrationNumber', 'role'],
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
    properties: { id: did, dataGradeClearance: { enum: [...DATA_GRADES] } },
  },
  DataProductRegistration: {
    type: 'object',
    required: ['id', 'productId', 'provider', 'datasets', 'dataGrade', 'dataSpace'],
    properties: {
      id: { type: 'string', maxLength: 128, pattern: '^urn:shuyu:product:' },
      productId: { type: 'string', pattern: '^SY-[A-Z0-9]{2,8}-\\d{4}-\\d{6,9}-[0-9A-Z]$' },
      provider: did,
      datasets: { type: 'array', minItems: 1, maxItems: 50, items: { ...uri } },
      dataGrade: { enum: ['general', 'important', 'core'] },
      dataSpace: { ...uri, maxLength: 512 },
    },
  },
};

const contextSchema = {
  type: 'array',
  minItems: 1,
  maxItems: 8,
  items: [{ const: VC_CONTEXT_V2_URL }],
  additionalItems: { type: 'string', maxLength: 512 },
};

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

/** The claim that tells, in a credential with several subjects, which subject carries a Shuyu type's claims. */
const KEY_CLAIM: Record<ShuyuCredentialType, string> = {
  MembershipCredential: 'registrationNumber',
  SectorCredential: 'sector',
  DataGradeClearance: 'dataGradeClearance',
  DataProductRegistration: 'productId',
};

const issuer = {
  anyOf: [uri, { type: 'object', required: ['id'], properties: { id: uri } }],
};

const statusListCredentialSchema = {
  type: 'object',
  required: ['@context', 'type', 'issuer', 'credentialSubject'],
  properties: {
    '@context': contextSchema,
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
  subjects: Record<ShuyuCredentialType, ValidateFunction>;
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
    subjects: {
      MembershipCredential: ajv.compile(subjects.MembershipCredential),
      SectorCredential: ajv.compile(subjects.SectorCredential),
      DataGradeClearance: ajv.compile(subjects.DataGradeClearance),
      DataProductRegistration: ajv.compile(subjects.DataProductRegistration),
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

function describe(errors: ErrorObject[] | null | undefined, prefix = ''): string {
  const error = errors?.[0];
  if (!error) return 'it does not match the schema';
  const path = prefix + error.instancePath.replace(/^\//, '').replace(/\//g, '.') || '(credential)';
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

function schemaInvalid(type: ShuyuCredentialType, reason: string): CredentialError {
  return new CredentialError('ERR_CREDENTIAL_SCHEMA_INVALID', `The ${type} is not valid: ${reason}.`, {
    details: { type },
  });
}

/**
 * The subject carrying `type`'s claims, checked against that type's schema: the only subject, or, in a
 * credential about several subjects, the one subject that has the type's key claim (e.g. registrationNumber).
 * Throws CredentialError ERR_CREDENTIAL_SCHEMA_INVALID.
 */
export function shuyuSubjectOf(
  type: ShuyuCredentialType,
  credential: Record<string, unknown>,
): Record<string, unknown> {
  const context = credential['@context'];
  if (!Array.isArray(context) || !context.includes(SHUYU_CONTEXT_V1_URL)) {
    throw schemaInvalid(type, `@context must include ${SHUYU_CONTEXT_V1_URL}, which defines Shuyu's claims`);
  }
  const all = subjectsOf(credential);
  const candidates = all.length === 1 ? all : all.filter((subject) => KEY_CLAIM[type] in subject);
  if (candidates.length !== 1 || candidates[0] === undefined) {
    throw schemaInvalid(
      type,
      `exactly one credentialSubject must carry "${KEY_CLAIM[type]}" (found ${candidates.length})`,
    );
  }
  const subject = candidates[0];
  const validate = schemas().subjects[type];
  if (!validate(subject)) throw schemaInvalid(type, describe(validate.errors, 'credentialSubject.'));
  return subject;
}

/**
 * Returns a human reason when `credential` breaks the VC 2.0 data model or its `type`'s claims are not what
 * Shuyu reads, else undefined.
 */
export function credentialSchemaViolation(type: ShuyuCredentialType, credential: object): string | undefined {
  try {
    assertVc20DataModel(credential as Record<string, unknown>);
    shuyuSubjectOf(type, credential as Record<string, unknown>);
    return undefined;
  } catch (error) {
    if (error instanceof CredentialError) return error.message.replace(/\.$/, '');
    throw error;
  }
}

export function statusListSchemaViolation(credential: unknown): string | undefined {
  const validate = schemas().statusList;
  return validate(credential) ? undefined : describe(validate.errors);
}
