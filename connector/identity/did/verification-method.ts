// Reading verification methods out of a DID document: which keys exist, which relationships they serve, and
// the public key as a node:crypto KeyObject with the one JWS algorithm it may be used with.
import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { DidError } from '../errors.js';
import { sm2PublicKeyObject } from '../keys/sm2-key.js';
import { isRecord } from '../util/json.js';
import type { JwsAlgorithm } from '../util/jwt.js';
import { absoluteKeyId } from './parse.js';

export type VerificationRelationship = 'authentication' | 'assertionMethod' | 'capabilityInvocation';
export const VERIFICATION_RELATIONSHIPS: readonly VerificationRelationship[] = [
  'authentication',
  'assertionMethod',
  'capabilityInvocation',
];

export interface VerificationKey {
  /** Absolute DID URL of the verification method. */
  readonly id: string;
  readonly controller: string;
  readonly type: string;
  readonly alg: JwsAlgorithm;
  readonly publicKey: KeyObject;
}

export interface ResolvedDid {
  readonly did: string;
  /** The DID document as resolved (validated to be an object whose id is `did`). Treat as read-only. */
  readonly document: Readonly<Record<string, unknown>>;
  readonly keys: ReadonlyMap<string, VerificationKey>;
  /** Verification method ids listed (by reference or embedded) under each relationship. */
  readonly relationships: Readonly<Record<VerificationRelationship, ReadonlySet<string>>>;
  /** Verification methods present but not usable (unsupported key type): id -> reason. */
  readonly unsupported: ReadonlyMap<string, string>;
}

function documentInvalid(did: string, reason: string): DidError {
  return new DidError('ERR_DID_DOCUMENT_INVALID', `The DID document of ${did} is invalid: ${reason}.`, {
    details: { did },
  });
}

function keyFromJwk(jwk: Record<string, unknown>): { publicKey: KeyObject; alg: JwsAlgorithm } {
  if ('d' in jwk) throw new Error('publicKeyJwk contains private key material');
  const { kty, crv } = jwk;
  let alg: JwsAlgorithm;
  if (kty === 'OKP' && crv === 'Ed25519') alg = 'EdDSA';
  else if (kty === 'EC' && crv === 'P-256') alg = 'ES256';
  else if (kty === 'EC' && crv === 'P-384') alg = 'ES384';
  else if (kty === 'EC' && crv === 'SM2') alg = 'SM2';
  else throw new Error(`unsupported JWK key type ${String(kty)}/${String(crv)}`);
  if (typeof jwk.x !== 'string' || (kty === 'EC' && typeof jwk.y !== 'string')) {
    throw new Error('publicKeyJwk is missing its coordinates');
  }
  // Node reads no SM2 JWK, so the key is built from its SubjectPublicKeyInfo.
  if (alg === 'SM2') return { publicKey: sm2PublicKeyObject({ x: jwk.x, y: String(jwk.y) }), alg };
  const material: JsonWebKey =
    kty === 'EC' ? { kty, crv, x: jwk.x, y: String(jwk.y) } : { kty, crv, x: jwk.x };
  const publicKey = createPublicKey({ key: material, format: 'jwk' });
  return { publicKey, alg };
}

async function toVerificationKey(did: string, method: Record<string, unknown>): Promise<VerificationKey> {
  const id = absoluteKeyId(String(method.id), did);
  const controller = typeof method.controller === 'string' ? method.controller : '';
  const type = typeof method.type === 'string' ? method.type : '';
  if (!controller) throw new Error('verification method has no controller');
  if (isRecord(method.publicKeyJwk)) {
    return { id, controller, type, ...keyFromJwk(method.publicKeyJwk) };
  }
  if (typeof method.publicKeyMultibase === 'string') {
    if (!method.publicKeyMultibase.startsWith('z6Mk'))
      throw new Error('only Ed25519 multikeys are supported');
    const multikey = await Ed25519Multikey.from({
      '@context': 'https://w3id.org/security/multikey/v1',
      type: 'Multikey',
      id,
      controller,
      publicKeyMultibase: method.publicKeyMultibase,
    });
    const x = Buffer.from(multikey.publicKey).toString('base64url');
    return { id, controller, type, ...keyFromJwk({ kty: 'OKP', crv: 'Ed25519', x }) };
  }
  throw new Error('verification method has neither publicKeyJwk nor publicKeyMultibase');
}

/** Validates a resolved DID document and indexes its keys and verification relationships. */
export async function indexDidDocument(did: string, document: unknown): Promise<ResolvedDid> {
  if (!isRecord(document)) throw documentInvalid(did, 'it is not a JSON object');
  if (document.id !== did) {
    throw documentInvalid(
      did,
      `its id is "${String(document.id).slice(0, 200)}", not the DID that was resolved`,
    );
  }
  const methods = new Map<string, Record<string, unknown>>();
  const addMethod = (method: unknown): void => {
    if (!isRecord(method) || typeof method.id !== 'string')
      throw documentInvalid(did, 'a verification method has no id');
    methods.set(absoluteKeyId(method.id, did), method);
  };
  const listed = document.verificationMethod ?? [];
  if (!Array.isArray(listed)) throw documentInvalid(did, '"verificationMethod" is not an array');
  listed.forEach(addMethod);

  const relationships = {} as Record<VerificationRelationship, Set<string>>;
  for (const relationship of VERIFICATION_RELATIONSHIPS) {
    const entries = document[relationship] ?? [];
    if (!Array.isArray(entries)) throw documentInvalid(did, `"${relationship}" is not an array`);
    const ids = new Set<string>();
    for (const entry of entries) {
      if (typeof entry === 'string') {
        ids.add(absoluteKeyId(entry, did));
      } else {
        addMethod(entry);
        ids.add(absoluteKeyId(String((entry as Record<string, unknown>).id), did));
      }
    }
    relationships[relationship] = ids;
  }

  const keys = new Map<string, VerificationKey>();
  const unsupported = new Map<string, string>();
  for (const [id, method] of methods) {
    try {
      keys.set(id, await toVerificationKey(did, method));
    } catch (error) {
      unsupported.set(id, error instanceof Error ? error.message : 'unusable key');
    }
  }
  return { did, document, keys, relationships, unsupported };
}

/**
 * Picks the key for `kid` (absolute or relative) under `relationship`. Without a kid, the document must have
 * exactly one usable key for that relationship (the DCP rule for ID tokens without `kid`).
 */
export function selectVerificationKey(
  resolved: ResolvedDid,
  kid: string | undefined,
  relationship: VerificationRelationship,
): VerificationKey {
  const allowed = resolved.relationships[relationship];
  let id: string;
  if (kid === undefined) {
    const candidates = [...allowed].filter((candidate) => resolved.keys.has(candidate));
    if (candidates.length !== 1 || candidates[0] === undefined) {
      throw new DidError(
        'ERR_VERIFICATION_METHOD_NOT_FOUND',
        `No "kid" was given and ${resolved.did} has ${candidates.length} usable ${relationship} keys; the signer ` +
          'must name its key in the JWS "kid" header.',
        { details: { did: resolved.did } },
      );
    }
    id = candidates[0];
  } else {
    id = absoluteKeyId(kid, resolved.did);
  }
  const key = resolved.keys.get(id);
  if (!key) {
    const reason = resolved.unsupported.get(id);
    throw new DidError(
      reason ? 'ERR_VERIFICATION_METHOD_UNSUPPORTED' : 'ERR_VERIFICATION_METHOD_NOT_FOUND',
      reason
        ? `Verification method ${id} cannot be used: ${reason}.`
        : `Verification method ${id} is not in the DID document of ${resolved.did}; the key may have been retired.`,
      { details: { did: resolved.did, kid: id } },
    );
  }
  if (!allowed.has(id)) {
    throw new DidError(
      'ERR_VERIFICATION_METHOD_NOT_AUTHORIZED',
      `Verification method ${id} is not listed under "${relationship}" in the DID document of ${resolved.did}.`,
      { details: { did: resolved.did, kid: id, relationship } },
    );
  }
  return key;
}
