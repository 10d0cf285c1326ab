// The connector's own DID document, built from its published keys. Every published key (the active one and
// those retired but not yet removed) is listed under authentication, assertionMethod and capabilityInvocation,
// so signatures made just before a rotation keep verifying until the old key is explicitly retired.
import { DidError } from '../errors.js';
import { verificationMethodId } from '../keys/export.js';
import type { Ed25519Key } from '../keys/key.js';
import type { PublicSm2Jwk, Sm2Key } from '../keys/sm2-key.js';
import { parseDidUrl } from './parse.js';

export const DID_CONTEXT_V1 = 'https://www.w3.org/ns/did/v1';
export const MULTIKEY_CONTEXT_V1 = 'https://w3id.org/security/multikey/v1';
export const JWS_2020_CONTEXT_V1 = 'https://w3id.org/security/suites/jws-2020/v1';

/** JsonWebKey2020 is what EDC-based connectors read most widely; Multikey is the newer W3C form. */
export type VerificationMethodFormat = 'JsonWebKey2020' | 'Multikey';

export interface DidService {
  readonly id: string;
  readonly type: string;
  readonly serviceEndpoint: string;
}

export interface VerificationMethodEntry {
  readonly id: string;
  readonly type: VerificationMethodFormat;
  readonly controller: string;
  readonly publicKeyJwk?: { kty: 'OKP'; crv: 'Ed25519'; x: string } | PublicSm2Jwk;
  readonly publicKeyMultibase?: string;
}

export interface DidDocument {
  readonly '@context': readonly string[];
  readonly id: string;
  readonly verificationMethod: readonly VerificationMethodEntry[];
  readonly authentication: readonly string[];
  readonly assertionMethod: readonly string[];
  readonly capabilityInvocation: readonly string[];
  readonly service?: readonly DidService[];
}

export interface BuildDidDocumentOptions {
  did: string;
  /** Keys to publish, typically `keyStore.publishedKeys` (active key first). */
  keys: readonly Ed25519Key[];
  format?: VerificationMethodFormat;
  services?: readonly DidService[];
  /** An SM2 key for evidence checkpoints (data spaces on SM2/SM3): listed under assertionMethod only. */
  sm2Key?: Sm2Key;
}

export function buildDidDocument(options: BuildDidDocumentOptions): DidDocument {
  const { did, keys, format = 'JsonWebKey2020', services } = options;
  const parsed = parseDidUrl(did);
  if (parsed.fragment !== undefined) {
    throw new DidError(
      'ERR_DID_INVALID',
      `A DID document needs a DID, not a DID URL with fragment (${did}).`,
    );
  }
  if (keys.length === 0) {
    throw new DidError('ERR_DID_DOCUMENT_INVALID', 'A DID document needs at least one key.');
  }
  const methods: VerificationMethodEntry[] = keys.map((key) =>
    format === 'Multikey'
      ? { id: verificationMethodId(did, key), type: 'Multikey', controller: did, publicKeyMultibase: key.kid }
      : {
          id: verificationMethodId(did, key),
          type: 'JsonWebKey2020',
          controller: did,
          publicKeyJwk: { ...key.publicJwk },
        },
  );
  const ids = methods.map((method) => method.id);
  const sm2: VerificationMethodEntry[] = options.sm2Key
    ? [
        {
          id: `${did}#${options.sm2Key.kid}`,
          type: 'JsonWebKey2020',
          controller: did,
          publicKeyJwk: { ...options.sm2Key.publicJwk },
        },
      ]
    : [];
  const contexts = [DID_CONTEXT_V1, format === 'Multikey' ? MULTIKEY_CONTEXT_V1 : JWS_2020_CONTEXT_V1];
  if (sm2.length > 0 && format === 'Multikey') contexts.push(JWS_2020_CONTEXT_V1);
  return {
    '@context': contexts,
    id: did,
    verificationMethod: [...methods, ...sm2],
    authentication: ids,
    assertionMethod: [...ids, ...sm2.map((method) => method.id)],
    capabilityInvocation: ids,
    ...(services && services.length > 0 ? { service: services.map((service) => ({ ...service })) } : {}),
  };
}
