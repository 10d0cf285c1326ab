// Full verification of one credential, in this order (cheap, offline checks first; nothing is fetched
// for a credential whose issuer we would not trust anyway):
//   1. parse (size, JWT/JSON shape)               5. issuer in the trust list for the credential's type
//   2. every @context is bundled or the operator's 6. validFrom/validUntil (and JWT nbf/exp) against the clock
//   3. the VC 2.0 data model rules (data-model.ts)  7. signature by an assertionMethod key controlled by the issuer
//   4. for a Shuyu type: the claims Shuyu reads     8. credentialStatus (revocation, suspension)
// verifyCredential wants one of Shuyu's types (what policies read); verifyAnyCredential takes any VC 2.0
// credential a trusted issuer signed (the open model).
import { systemClock, type Clock } from '../clock.js';
import type { DidResolver } from '../did/resolver.js';
import { createDocumentLoader, type DocumentLoader } from '../document-loader/loader.js';
import { CredentialError, DocumentLoaderError } from '../errors.js';
import type { StatusChecker } from '../status-list/checker.js';
import { DEFAULT_MAX_CREDENTIAL_BYTES, parseSecuredCredential, type SecuredCredential } from './parse.js';
import { verifyDataIntegrityCredentialProof } from './proof-di.js';
import { verifyJwtCredentialProof } from './proof-jwt.js';
import { assertVc20DataModel, subjectsOf, typesOf } from './data-model.js';
import { detectCredentialType, shuyuSubjectOf } from './schemas.js';
import { assertIssuerTrusted, assertIssuerTrustedForAny, type TrustList } from './trust-list.js';
import type { CredentialFormat, SubjectByType } from './types.js';
import { assertWithinValidity } from './validity.js';
import type { ShuyuCredentialType } from './vocabulary.js';

export const DEFAULT_CLOCK_SKEW_SECONDS = 30;

export interface CredentialVerificationOptions {
  resolver: DidResolver;
  trustList: TrustList;
  /** Required for credentials that carry credentialStatus (they are rejected without one). */
  statusChecker?: StatusChecker;
  documentLoader?: DocumentLoader;
  clock?: Clock;
  clockSkewSeconds?: number;
  maxCredentialBytes?: number;
}

export interface VerifiedCredential<T extends ShuyuCredentialType = ShuyuCredentialType> {
  readonly format: CredentialFormat;
  readonly id: string | undefined;
  readonly type: T;
  readonly issuer: string;
  readonly subject: Readonly<SubjectByType[T]>;
  readonly validFrom: Date | undefined;
  readonly validUntil: Date | undefined;
  /** The verified credential (for JWTs, the payload). */
  readonly credential: Readonly<Record<string, unknown>>;
}

/** A credential of any type, verified (the open model). */
export interface VerifiedAnyCredential {
  readonly format: CredentialFormat;
  readonly id: string | undefined;
  readonly types: readonly string[];
  readonly issuer: string;
  readonly subjects: readonly Readonly<Record<string, unknown>>[];
  readonly validFrom: Date | undefined;
  readonly validUntil: Date | undefined;
  readonly credential: Readonly<Record<string, unknown>>;
}

function assertContextsBundled(parsed: SecuredCredential, loader: DocumentLoader): void {
  const contexts = parsed.credential['@context'];
  for (const url of Array.isArray(contexts) ? contexts : [contexts]) {
    if (typeof url === 'string' && !loader.has(url)) {
      throw new DocumentLoaderError(
        'ERR_CONTEXT_NOT_ALLOWED',
        `The credential uses JSON-LD context ${url.slice(0, 200)}, which is neither bundled with Shuyu nor in ` +
          "the data space operator's context folder; contexts are never fetched.",
        { details: { url: url.slice(0, 200) } },
      );
    }
  }
}

/** JWT registered claims must agree with the credential they secure (VC-JOSE-COSE). */
function assertJwtClaimsConsistent(credential: Record<string, unknown>): void {
  const subjectIds = subjectsOf(credential).map((subject) => subject.id);
  if (credential.sub !== undefined && !subjectIds.includes(credential.sub)) {
    throw new CredentialError(
      'ERR_CREDENTIAL_SCHEMA_INVALID',
      'The JWT "sub" claim differs from credentialSubject.id.',
    );
  }
  if (credential.jti !== undefined && credential.id !== undefined && credential.jti !== credential.id) {
    throw new CredentialError(
      'ERR_CREDENTIAL_SCHEMA_INVALID',
      'The JWT "jti" claim differs from the credential id.',
    );
  }
}

interface Checked<T> {
  readonly parsed: SecuredCredential;
  readonly period: { validFrom: Date | undefined; validUntil: Date | undefined };
  readonly typed: T;
}

/** Steps 1-8; `checkType` runs step 4 and 5 (what the credential must be, and who may issue it). */
async function verifySecured<T>(
  input: unknown,
  options: CredentialVerificationOptions,
  checkType: (credential: Record<string, unknown>, issuer: string) => T,
): Promise<Checked<T>> {
  const clock = options.clock ?? systemClock;
  const skew = options.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS;
  const loader = options.documentLoader ?? createDocumentLoader();
  const parsed = parseSecuredCredential(input, options.maxCredentialBytes ?? DEFAULT_MAX_CREDENTIAL_BYTES);
  const { credential, issuer } = parsed;

  assertContextsBundled(parsed, loader);
  assertVc20DataModel(credential);
  const typed = checkType(credential, issuer);
  assertJwtClaimsConsistent(credential);
  const now = clock();
  const period = assertWithinValidity(credential, now, skew);

  if (parsed.format === 'jwt') {
    await verifyJwtCredentialProof(parsed, options.resolver);
  } else {
    await verifyDataIntegrityCredentialProof(parsed, {
      resolver: options.resolver,
      documentLoader: loader,
      now,
      clockSkewSeconds: skew,
    });
  }

  const id = typeof credential.id === 'string' ? credential.id : undefined;
  if (credential.credentialStatus !== undefined) {
    if (!options.statusChecker) {
      throw new CredentialError(
        'ERR_CREDENTIAL_STATUS_UNAVAILABLE',
        `Credential ${id ?? '(no id)'} has a credentialStatus but no status checker is configured; configure one ` +
          'so revocation and suspension are enforced.',
      );
    }
    await options.statusChecker.check({
      issuer,
      credentialStatus: credential.credentialStatus,
      ...(id !== undefined ? { credentialId: id } : {}),
    });
  }
  return { parsed, period, typed };
}

/** Verifies a credential of one of Shuyu's types (its claims are what policies read). */
export async function verifyCredential(
  input: unknown,
  options: CredentialVerificationOptions,
): Promise<VerifiedCredential> {
  const { parsed, period, typed } = await verifySecured(input, options, (credential, issuer) => {
    const type = detectCredentialType(credential.type);
    const subject = shuyuSubjectOf(type, credential);
    assertIssuerTrusted(options.trustList, issuer, type);
    return { type, subject };
  });
  const { credential } = parsed;
  const { type, subject } = typed;
  return Object.freeze({
    format: parsed.format,
    id: typeof credential.id === 'string' ? credential.id : undefined,
    type,
    issuer: parsed.issuer,
    subject: subject as unknown as SubjectByType[typeof type],
    validFrom: period.validFrom,
    validUntil: period.validUntil,
    credential,
  });
}

/**
 * Verifies any VC 2.0 credential: the data model, contexts bundled or supplied by the operator, an issuer
 * trusted for one of its types, validity, signature and status. Nothing Shuyu-specific is required.
 */
export async function verifyAnyCredential(
  input: unknown,
  options: CredentialVerificationOptions,
): Promise<VerifiedAnyCredential> {
  const { parsed, period } = await verifySecured(input, options, (credential, issuer) => {
    assertIssuerTrustedForAny(options.trustList, issuer, typesOf(credential));
  });
  const { credential } = parsed;
  return Object.freeze({
    format: parsed.format,
    id: typeof credential.id === 'string' ? credential.id : undefined,
    types: typesOf(credential),
    issuer: parsed.issuer,
    subjects: subjectsOf(credential),
    validFrom: period.validFrom,
    validUntil: period.validUntil,
    credential,
  });
}
