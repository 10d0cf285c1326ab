// Validation of what applicants and admins send, compiled once (ajv); every problem names the field with a
// JSON pointer. Sector roles must belong to their sector, registration numbers follow MembershipCredential.
import { Ajv, type ErrorObject } from 'ajv';
import {
  DATA_GRADES,
  isValidRegistrationNumber,
  MEMBER_ROLES,
  REGISTRATION_NUMBER_RULE,
  SECTOR_ROLES,
  SECTORS,
  type Sector,
} from '../../connector/identity/index.js';
import { HttpProblem, type FieldReason } from '../../connector/http/problem.js';
import type { ApplicationRequest, SectorMembership } from './types.js';
import type { DataGrade, MemberRole } from '../../connector/identity/index.js';

const ajv = new Ajv({ allErrors: true, strict: true, logger: false });

const text = (max: number) => ({ type: 'string', minLength: 1, maxLength: max, pattern: '\\S' });

const validateApplication = ajv.compile({
  type: 'object',
  additionalProperties: false,
  required: ['organisationName', 'registrationNumber', 'sectors', 'contact'],
  properties: {
    organisationName: text(200),
    registrationNumber: { type: 'string', maxLength: 96 },
    sectors: {
      type: 'array',
      minItems: 1,
      maxItems: SECTORS.length,
      items: {
        type: 'object',
        additionalProperties: false,
        required: ['sector', 'roles'],
        properties: {
          sector: { enum: [...SECTORS] },
          roles: { type: 'array', minItems: 1, maxItems: 8, uniqueItems: true, items: { type: 'string' } },
        },
      },
    },
    dataGradeClearance: { enum: [...DATA_GRADES] },
    contact: text(200),
    connectorUrl: { type: 'string', maxLength: 2048, pattern: '^https?://' },
  },
});

const validateApproval = ajv.compile({
  type: 'object',
  additionalProperties: false,
  properties: {
    dataGradeClearance: { enum: [...DATA_GRADES] },
    role: { enum: [...MEMBER_ROLES] },
    note: text(1000),
  },
});

const validateReason = ajv.compile({
  type: 'object',
  additionalProperties: false,
  required: ['reason'],
  properties: { reason: text(1000) },
});

const validateNote = ajv.compile({
  type: 'object',
  additionalProperties: false,
  properties: { note: text(1000) },
});

/** ajv errors as field reasons: a JSON pointer and a sentence each. */
export function fieldReasons(errors: ErrorObject[] | null | undefined): FieldReason[] {
  return (errors ?? []).map((error) => {
    const pointer =
      error.keyword === 'required'
        ? `${error.instancePath}/${String(error.params.missingProperty)}`
        : error.keyword === 'additionalProperties'
          ? `${error.instancePath}/${String(error.params.additionalProperty)}`
          : error.instancePath || '/';
    const reason =
      error.keyword === 'required'
        ? 'is required'
        : error.keyword === 'additionalProperties'
          ? 'is not a known field'
          : error.keyword === 'enum'
            ? `must be one of ${(error.params.allowedValues as unknown[]).join(', ')}`
            : error.keyword === 'pattern' && pointer.endsWith('connectorUrl')
              ? 'must be an http(s) URL'
              : error.keyword === 'pattern'
                ? 'must not be blank'
                : (error.message ?? 'is invalid');
    return { pointer, reason };
  });
}

function invalid(what: string, errors: FieldReason[]): HttpProblem {
  return new HttpProblem(
    400,
    'invalid-body',
    `The ${what} is not valid; fix the fields listed in "errors".`,
    errors,
  );
}

export function parseApplicationRequest(body: unknown): ApplicationRequest {
  if (!validateApplication(body)) throw invalid('application', fieldReasons(validateApplication.errors));
  const request = body as unknown as ApplicationRequest;
  const errors: FieldReason[] = [];
  if (!isValidRegistrationNumber(request.registrationNumber)) {
    errors.push({ pointer: '/registrationNumber', reason: `must be ${REGISTRATION_NUMBER_RULE}` });
  }
  const seen = new Set<Sector>();
  request.sectors.forEach((membership: SectorMembership, i) => {
    if (seen.has(membership.sector))
      errors.push({ pointer: `/sectors/${i}/sector`, reason: 'is listed twice' });
    seen.add(membership.sector);
    const allowed: readonly string[] = SECTOR_ROLES[membership.sector];
    membership.roles.forEach((role, j) => {
      if (!allowed.includes(role)) {
        errors.push({
          pointer: `/sectors/${i}/roles/${j}`,
          reason: `"${role}" is not a role of the ${membership.sector} sector (one of ${allowed.join(', ')})`,
        });
      }
    });
  });
  if (errors.length > 0) throw invalid('application', errors);
  return request;
}

export interface ApprovalRequest {
  dataGradeClearance?: DataGrade;
  role?: MemberRole;
  note?: string;
}

export function parseApproval(body: unknown): ApprovalRequest {
  const value = body ?? {};
  if (!validateApproval(value)) throw invalid('approval', fieldReasons(validateApproval.errors));
  return value as ApprovalRequest;
}

export function parseReason(body: unknown): string {
  if (!validateReason(body)) throw invalid('request', fieldReasons(validateReason.errors));
  return (body as { reason: string }).reason;
}

export function parseNote(body: unknown): string | undefined {
  const value = body ?? {};
  if (!validateNote(value)) throw invalid('request', fieldReasons(validateNote.errors));
  return (value as { note?: string }).note;
}
