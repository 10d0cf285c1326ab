// Key exports for the two signature stacks: jose (JWK / KeyObject) for JWTs, ed25519-multikey for Data Integrity.
import type { KeyObject } from 'node:crypto';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import type { Ed25519Key, PublicEd25519Jwk } from './key.js';

/** The DID URL of `key` as a verification method of `did` (`did#z6Mk...`). */
export function verificationMethodId(did: string, key: Ed25519Key): string {
  return `${did}#${key.kid}`;
}

/** Public JWK for DID documents and JWKS (never includes `d`). */
export function toPublicJwk(key: Ed25519Key): PublicEd25519Jwk & { kid: string; alg: 'EdDSA' } {
  return { ...key.publicJwk, kid: key.kid, alg: 'EdDSA' };
}

/** KeyObjects for jose's CompactSign / compactVerify. */
export function toJoseKeys(key: Ed25519Key): { privateKey: KeyObject; publicKey: KeyObject } {
  return { privateKey: key.signingKey(), publicKey: key.publicKey };
}

/**
 * An ed25519-multikey key pair (with secret) whose id and controller are set, ready for `keyPair.signer()` in a
 * DataIntegrityProof. Built from the 32-byte JWK `d`, which is what the multikey library expects on import.
 */
export async function toMultikeyKeyPair(
  key: Ed25519Key,
  controller: string,
): Promise<Ed25519Multikey.KeyPair> {
  return Ed25519Multikey.fromJwk({
    jwk: { ...key.exportPrivateJwk() },
    secretKey: true,
    id: verificationMethodId(controller, key),
    controller,
  });
}
