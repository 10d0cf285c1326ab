// Checking the signature of a `vc+jwt`: the key must be an assertionMethod of the issuer DID and be controlled
// by the issuer; the JWS algorithm must be the one that key type allows.
import { parseDidUrl, absoluteKeyId } from '../did/parse.js';
import { resolveVerificationKey } from '../did/resolve-key.js';
import type { DidResolver } from '../did/resolver.js';
import type { VerificationKey } from '../did/verification-method.js';
import { CredentialError } from '../errors.js';
import { hasValidSignature } from '../util/jwt.js';
import type { JwtSecuredCredential } from './parse.js';

/** Resolves the issuer's key for a credential proof and checks it belongs to the issuer. */
export async function issuerKey(
  resolver: DidResolver,
  issuer: string,
  keyId: string,
): Promise<VerificationKey> {
  const absolute = absoluteKeyId(keyId, issuer);
  if (parseDidUrl(absolute).did !== issuer) {
    throw new CredentialError(
      'ERR_CREDENTIAL_ISSUER_KEY_MISMATCH',
      `The credential is signed with ${absolute.slice(0, 200)}, which is not a key of its issuer ${issuer}.`,
      { details: { issuer, kid: absolute.slice(0, 200) } },
    );
  }
  const key = await resolveVerificationKey(resolver, issuer, absolute, 'assertionMethod');
  if (key.controller !== issuer) {
    throw new CredentialError(
      'ERR_CREDENTIAL_ISSUER_KEY_MISMATCH',
      `Key ${key.id} is controlled by ${key.controller}, not by the issuer ${issuer}.`,
      { details: { issuer, kid: key.id } },
    );
  }
  return key;
}

export async function verifyJwtCredentialProof(
  parsed: JwtSecuredCredential,
  resolver: DidResolver,
): Promise<VerificationKey> {
  const key = await issuerKey(resolver, parsed.issuer, parsed.keyId);
  if (parsed.jwt.header.alg !== key.alg) {
    throw new CredentialError(
      'ERR_CREDENTIAL_SIGNATURE_INVALID',
      `The credential JWT uses alg ${String(parsed.jwt.header.alg)}, but key ${key.id} requires ${key.alg}.`,
    );
  }
  if (!(await hasValidSignature(parsed.jwt.compact, key.publicKey, key.alg))) {
    throw new CredentialError(
      'ERR_CREDENTIAL_SIGNATURE_INVALID',
      `The credential signature does not verify with ${key.id}: it was altered or signed by another key.`,
      { details: { issuer: parsed.issuer, kid: key.id } },
    );
  }
  return key;
}
