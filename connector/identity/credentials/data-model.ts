// The rules of the W3C Verifiable Credentials Data Model 2.0 (https://www.w3.org/TR/vc-data-model-2.0/) that
// apply to every credential, whatever its type: the open model. Every property the data model allows is
// accepted (evidence, termsOfUse, credentialSchema, refreshService, relatedResource, issuer objects with any
// properties, language-tagged name/description, subject arrays, inline @context objects, status arrays, and
// any claim an extension context defines); only the shapes the spec says MUST hold are checked. Each refusal
// names its rule (details.rule) so a caller and a test can tell which one failed. Shuyu's own claims are
// checked afterwards, by type, in schemas.ts.
import { VC_CONTEXT_V2_URL } from '../document-loader/loader.js';
import { CredentialError } from '../errors.js';
import { isRecord } from '../util/json.js';

export type DataModelRule =
  | 'context'
  | 'id'
  | 'type'
  | 'name-description'
  | 'issuer'
  | 'credential-subject'
  | 'validity'
  | 'credential-status'
  | 'credential-schema'
  | 'refresh-service'
  | 'terms-of-use'
  | 'evidence'
  | 'related-resource';

// XML Schema 1.1 dateTimeStamp, the spec's own expression (section "Representing Time"): a time zone is required.
const DATE_TIME_STAMP =
  /^-?(?:[1-9][0-9]{3,}|0[0-9]{3})-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12][0-9]|3[01])T(?:(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]+)?|24:00:00(?:\.0+)?)(?:Z|[+-](?:(?:0[0-9]|1[0-3]):[0-5][0-9]|14:00))$/;

function violation(rule: DataModelRule, reason: string): CredentialError {
  return new CredentialError(
    'ERR_CREDENTIAL_SCHEMA_INVALID',
    `The credential is not a valid VC 2.0 credential: ${reason}.`,
    { details: { rule } },
  );
}

/** A URL in the data model's sense: an absolute URI with a scheme (https:, did:, urn:, data:, ...). */
export function isUrl(value: unknown): value is string {
  if (typeof value !== 'string' || value.length === 0 || value.length > 8192) return false;
  if (!/^[A-Za-z][A-Za-z0-9+.-]*:\S+$/.test(value)) return false;
  try {
    new URL(value);
    return true;
  } catch {
    return false;
  }
}

/** One value or an ordered set of them, as the data model allows for most properties. */
function listOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [value];
}

function checkContext(credential: Record<string, unknown>): void {
  const context = credential['@context'];
  if (!Array.isArray(context) || context.length === 0) {
    throw violation('context', '"@context" must be an ordered set (an array) of URLs and objects');
  }
  if (context[0] !== VC_CONTEXT_V2_URL) {
    throw violation('context', `the first "@context" entry must be ${VC_CONTEXT_V2_URL}`);
  }
  for (const entry of context.slice(1)) {
    if (!isUrl(entry) && !isRecord(entry)) {
      throw violation('context', 'each later "@context" entry must be a URL or a context object');
    }
  }
}

function checkType(value: unknown, what: string, rule: DataModelRule, mustInclude?: string): void {
  const types = listOf(value);
  if (value === undefined || types.length === 0 || types.some((t) => typeof t !== 'string' || t === '')) {
    throw violation(rule, `${what} must have a "type": one or more terms or URLs`);
  }
  if (mustInclude !== undefined && !types.includes(mustInclude)) {
    throw violation(rule, `${what} "type" must include ${mustInclude}`);
  }
}

function checkOptionalId(value: Record<string, unknown>, what: string, rule: DataModelRule): void {
  if (value.id !== undefined && !isUrl(value.id)) throw violation(rule, `${what} "id" must be a URL`);
}

/** A string, a language value object ({"@value", "@language"?, "@direction"?}), or an array of those. */
function isLanguageString(value: unknown): boolean {
  if (typeof value === 'string') return true;
  if (!isRecord(value) || typeof value['@value'] !== 'string') return false;
  const { '@language': language, '@direction': direction } = value;
  if (
    language !== undefined &&
    (typeof language !== 'string' || !/^[A-Za-z]{1,8}(?:-[A-Za-z0-9]{1,8})*$/.test(language))
  ) {
    return false;
  }
  if (direction !== undefined && direction !== 'ltr' && direction !== 'rtl') return false;
  return Object.keys(value).every((key) => key === '@value' || key === '@language' || key === '@direction');
}

function checkNameAndDescription(value: Record<string, unknown>, what: string): void {
  for (const property of ['name', 'description'] as const) {
    const text = value[property];
    if (text === undefined) continue;
    const items = listOf(text);
    if (items.length === 0 || !items.every(isLanguageString)) {
      throw violation(
        'name-description',
        `${what} "${property}" must be a string or language value objects ({"@value", "@language", "@direction"})`,
      );
    }
  }
}

function checkIssuer(credential: Record<string, unknown>): void {
  const { issuer } = credential;
  if (typeof issuer === 'string') {
    if (!isUrl(issuer)) throw violation('issuer', '"issuer" must be a URL or an object with a URL "id"');
    return;
  }
  if (!isRecord(issuer) || !isUrl(issuer.id)) {
    throw violation('issuer', '"issuer" must be a URL or an object with a URL "id"');
  }
  checkNameAndDescription(issuer, 'issuer');
}

function checkSubjects(credential: Record<string, unknown>): void {
  const subject = credential.credentialSubject;
  const subjects = listOf(subject);
  if (subject === undefined || subjects.length === 0) {
    throw violation(
      'credential-subject',
      '"credentialSubject" is missing: a credential makes claims about a subject',
    );
  }
  for (const entry of subjects) {
    if (!isRecord(entry) || Object.keys(entry).length === 0) {
      throw violation(
        'credential-subject',
        'each "credentialSubject" must be an object with at least one claim',
      );
    }
    checkOptionalId(entry, 'credentialSubject', 'credential-subject');
  }
}

function checkValidity(credential: Record<string, unknown>): void {
  for (const property of ['validFrom', 'validUntil'] as const) {
    const value = credential[property];
    if (value !== undefined && (typeof value !== 'string' || !DATE_TIME_STAMP.test(value))) {
      throw violation(
        'validity',
        `"${property}" must be an XML Schema dateTimeStamp such as 2026-01-01T00:00:00Z`,
      );
    }
  }
  const { validFrom, validUntil } = credential;
  if (typeof validFrom === 'string' && typeof validUntil === 'string') {
    if (new Date(validFrom).getTime() > new Date(validUntil).getTime()) {
      throw violation('validity', '"validUntil" is before "validFrom"');
    }
  }
}

/** Optional properties whose every value must be an object with a type (and, for some, a URL id). */
function checkTypedObjects(
  credential: Record<string, unknown>,
  property: string,
  rule: DataModelRule,
  idRequired: boolean,
): void {
  const value = credential[property];
  if (value === undefined) return;
  const items = listOf(value);
  if (items.length === 0) throw violation(rule, `"${property}" must not be empty`);
  for (const item of items) {
    if (!isRecord(item)) throw violation(rule, `each "${property}" value must be an object`);
    if (idRequired && item.id === undefined)
      throw violation(rule, `each "${property}" value must have a URL "id"`);
    checkOptionalId(item, property, rule);
    checkType(item.type, `each "${property}" value`, rule);
  }
}

function checkRelatedResources(credential: Record<string, unknown>): void {
  const value = credential.relatedResource;
  if (value === undefined) return;
  for (const item of listOf(value)) {
    if (!isRecord(item) || !isUrl(item.id)) {
      throw violation('related-resource', 'each "relatedResource" must be an object with a URL "id"');
    }
    if (typeof item.digestSRI !== 'string' && typeof item.digestMultibase !== 'string') {
      throw violation(
        'related-resource',
        'each "relatedResource" must carry "digestSRI" or "digestMultibase"',
      );
    }
  }
}

/**
 * Throws CredentialError ERR_CREDENTIAL_SCHEMA_INVALID (details.rule says which) unless `credential` follows
 * the VC 2.0 data model. Unknown properties are allowed: an extension context defines them.
 */
export function assertVc20DataModel(credential: Record<string, unknown>): void {
  checkContext(credential);
  checkOptionalId(credential, 'the credential', 'id');
  checkType(credential.type, 'the credential', 'type', 'VerifiableCredential');
  checkNameAndDescription(credential, 'the credential');
  checkIssuer(credential);
  checkSubjects(credential);
  checkValidity(credential);
  checkTypedObjects(credential, 'credentialStatus', 'credential-status', false);
  checkTypedObjects(credential, 'credentialSchema', 'credential-schema', true);
  checkTypedObjects(credential, 'refreshService', 'refresh-service', false);
  checkTypedObjects(credential, 'termsOfUse', 'terms-of-use', false);
  checkTypedObjects(credential, 'evidence', 'evidence', false);
  checkRelatedResources(credential);
}

/** The credential's subjects (credentialSubject is one object or an array of them). */
export function subjectsOf(credential: Record<string, unknown>): Record<string, unknown>[] {
  return listOf(credential.credentialSubject).filter(isRecord);
}

/** The credential's types as strings. */
export function typesOf(credential: Record<string, unknown>): string[] {
  return listOf(credential.type).filter((t): t is string => typeof t === 'string');
}
