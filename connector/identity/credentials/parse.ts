// Recognising a secured credential in any of the forms it travels in: a compact `vc+jwt`, a
// `data:application/vc+jwt,` URL, an EnvelopedVerifiableCredential, or a JSON object with a Data Integrity
// proof. Parsing is bounded and performs no I/O; nothing here says the credential is genuine.
import { CredentialError, InputError } from '../errors.js';
import { boundedStringify, isRecord, parseJsonObject } from '../util/json.js';
import { decodeJwt, type DecodedJwt } from '../util/jwt.js';
import { VC_JWT_TYP } from './issue-jwt.js';

export const DEFAULT_MAX_CREDENTIAL_BYTES = 16 * 1024;
export const VC_JWT_DATA_URL_PREFIX = 'data:application/vc+jwt,';

export interface JwtSecuredCredential {
  readonly format: 'jwt';
  readonly jwt: DecodedJwt;
  readonly credential: Record<string, unknown>;
  readonly issuer: string;
  /** The JWS `kid`, as given (absolute DID URL or relative to the issuer). */
  readonly keyId: string;
}

export interface DataIntegrityProofValue extends Record<string, unknown> {
  readonly type: 'DataIntegrityProof';
  readonly cryptosuite: string;
  readonly verificationMethod: string;
  readonly proofPurpose: string;
  readonly proofValue: string;
}

export interface DataIntegritySecuredCredential {
  readonly format: 'data-integrity';
  /** A private copy of the credential including its proof. */
  readonly credential: Record<string, unknown>;
  readonly proof: DataIntegrityProofValue;
  readonly issuer: string;
  readonly keyId: string;
}

export type SecuredCredential = JwtSecuredCredential | DataIntegritySecuredCredential;

/** The issuer DID of a credential (`issuer` may be a string or an object with `id`). */
export function issuerOf(credential: Record<string, unknown>): string {
  const { issuer } = credential;
  if (typeof issuer === 'string') return issuer;
  if (isRecord(issuer) && typeof issuer.id === 'string') return issuer.id;
  throw new CredentialError('ERR_CREDENTIAL_SCHEMA_INVALID', 'The credential has no issuer id.');
}

function parseJwtCredential(compact: string, maxBytes: number): JwtSecuredCredential {
  const jwt = decodeJwt(compact, 'Credential JWT', maxBytes);
  if (jwt.header.typ !== VC_JWT_TYP) {
    throw new InputError(
      'ERR_INPUT_MALFORMED',
      `Credential JWT header "typ" is ${JSON.stringify(jwt.header.typ)}; a VC-JOSE-COSE credential has "vc+jwt".`,
    );
  }
  if (typeof jwt.header.kid !== 'string' || jwt.header.kid.length === 0 || jwt.header.kid.length > 2048) {
    throw new InputError(
      'ERR_INPUT_MALFORMED',
      'Credential JWT header has no "kid"; the issuer must name its key.',
    );
  }
  if ('crit' in jwt.header) {
    throw new InputError(
      'ERR_INPUT_MALFORMED',
      'Credential JWT uses "crit" header parameters, which are not supported.',
    );
  }
  const issuer = issuerOf(jwt.payload);
  if (jwt.payload.iss !== undefined && jwt.payload.iss !== issuer) {
    throw new CredentialError(
      'ERR_CREDENTIAL_SCHEMA_INVALID',
      'The JWT "iss" claim differs from the credential issuer.',
    );
  }
  return { format: 'jwt', jwt, credential: jwt.payload, issuer, keyId: jwt.header.kid };
}

function parseDataIntegrityCredential(credential: Record<string, unknown>): DataIntegritySecuredCredential {
  const { proof } = credential;
  if (proof === undefined) {
    throw new CredentialError(
      'ERR_CREDENTIAL_SIGNATURE_INVALID',
      'The credential carries no proof; send it as a vc+jwt or with an eddsa-rdfc-2022 Data Integrity proof.',
    );
  }
  // One proof only: the library accepts a proof set if ANY proof verifies, which is not what we want to rely on.
  if (
    !isRecord(proof) ||
    proof.type !== 'DataIntegrityProof' ||
    proof.cryptosuite !== 'eddsa-rdfc-2022' ||
    proof.proofPurpose !== 'assertionMethod' ||
    typeof proof.verificationMethod !== 'string' ||
    typeof proof.proofValue !== 'string'
  ) {
    throw new CredentialError(
      'ERR_CREDENTIAL_SIGNATURE_INVALID',
      'The credential proof must be a single DataIntegrityProof with cryptosuite eddsa-rdfc-2022, proofPurpose ' +
        'assertionMethod, a verificationMethod and a proofValue.',
    );
  }
  return {
    format: 'data-integrity',
    credential,
    proof: proof as DataIntegrityProofValue,
    issuer: issuerOf(credential),
    keyId: proof.verificationMethod,
  };
}

/** Recognises and decodes a secured credential. Throws InputError / CredentialError on malformed input. */
export function parseSecuredCredential(
  input: unknown,
  maxBytes: number = DEFAULT_MAX_CREDENTIAL_BYTES,
): SecuredCredential {
  if (typeof input === 'string') {
    const text = input.trim();
    if (text.startsWith(VC_JWT_DATA_URL_PREFIX)) {
      return parseJwtCredential(text.slice(VC_JWT_DATA_URL_PREFIX.length), maxBytes);
    }
    if (text.startsWith('{'))
      return parseDataIntegrityCredential(parseJsonObject(text, 'Credential', maxBytes));
    return parseJwtCredential(text, maxBytes);
  }
  if (!isRecord(input)) {
    throw new InputError('ERR_INPUT_MALFORMED', 'A credential must be a JWT string or a JSON object.');
  }
  const types = Array.isArray(input.type) ? input.type : [input.type];
  if (types.includes('EnvelopedVerifiableCredential')) {
    const id = input.id;
    if (typeof id !== 'string' || !id.startsWith(VC_JWT_DATA_URL_PREFIX)) {
      throw new InputError(
        'ERR_INPUT_MALFORMED',
        `An EnvelopedVerifiableCredential must have an id starting with "${VC_JWT_DATA_URL_PREFIX}".`,
      );
    }
    return parseJwtCredential(id.slice(VC_JWT_DATA_URL_PREFIX.length), maxBytes);
  }
  // Work on a private copy, so the caller cannot change the credential between our checks.
  const text = boundedStringify(input, 'Credential', maxBytes);
  return parseDataIntegrityCredential(JSON.parse(text) as Record<string, unknown>);
}
