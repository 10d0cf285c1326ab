// Full verification of one Shuyu credential, in this order (cheap, offline checks first; nothing is fetched
// for a credential whose issuer we would not trust anyway):
//   1. parse (size, JWT/JSON shape)           5. issuer in the trust list
//   2. every @context is bundled             6. validFrom/validUntil (and JWT nbf/exp) against the clock
//   3. exactly one Shuyu type                7. signature by an assertionMethod key controlled by the issuer
//   4. JSON Schema of that type              8. credentialStatus (revocation, suspension)
import { systemClock, type Clock } from '../clock.js';
import type { DidResolver } from '../did/resolver.js';
import { createDocumentLoader, type DocumentLoader } from '../document-loader/loader.js';
import { CredentialError, DocumentLoaderError } from '../errors.js';
import type { StatusChecker } from '../status-list/checker.js';
import { DEFAULT_MAX_CREDENTIAL_BYTES, parseSecuredCredential, type SecuredCredential } from './parse.js';
import { verifyDataIntegrityCredentialProof } from './proof-di.js';
import { verifyJwtCredentialProof } from './proof-jwt.js';
import { credentialSchemaViolation, detectCredentialType } from './schemas.js';
import { assertIssuerTrusted, type TrustList } from './trust-list.js';
import type { CredentialFormat, SubjectByType } from './types.js';
import { assertWithinValidity, subjectIdOf } from './validity.js';
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

function assertContextsBundled(parsed: SecuredCredential, loader: DocumentLoader): void {
  const contexts = parsed.credential['@context'];
  for (const url of Array.isArray(contexts) ? contexts : [contexts]) {
    if (typeof url === 'string' && !loader.has(url)) {
      throw new DocumentLoaderError(
        'ERR_CONTEXT_NOT_ALLOWED',
        `The credential uses JSON-LD context ${url.slice(0, 200)}, which Shuyu does not bundle and never fetches.`,
        { details: { url: url.slice(0, 200) } },
      );
    }
  }
}

/** JWT registered claims must agree with the credential they secure (VC-JOSE-COSE). */
function assertJwtClaimsConsistent(credential: Record<string, unknown>): void {
  const subject = subjectIdOf(credential);
  if (credential.sub !== undefined && credential.sub !== subject) {
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

export async function verifyCredential(
  input: unknown,
  options: CredentialVerificationOptions,
): Promise<VerifiedCredential> {
  const clock = options.clock ?? systemClock;
  const skew = options.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS;
  const loader = options.documentLoader ?? createDocumentLoader();
  const parsed = parseSecuredCredential(input, options.maxCredentialBytes ?? DEFAULT_MAX_CREDENTIAL_BYTES);
  const { credential, issuer } = parsed;

  assertContextsBundled(parsed, loader);
  const type = detectCredentialType(credential.type);
  const violation = credentialSchemaViolation(type, credential);
  if (violation) {
    throw new CredentialError('ERR_CREDENTIAL_SCHEMA_INVALID', `The ${type} is not valid: ${violation}.`, {
      details: { type },
    });
  }
  assertJwtClaimsConsistent(credential);
  assertIssuerTrusted(options.trustList, issuer, type);
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

  return Object.freeze({
    format: parsed.format,
    id,
    type,
    issuer,
    subject: credential.credentialSubject as SubjectByType[typeof type],
    validFrom: period.validFrom,
    validUntil: period.validUntil,
    credential,
  });
}
