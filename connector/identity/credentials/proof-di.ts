// Checking an eddsa-rdfc-2022 Data Integrity proof with @digitalbazaar/vc. We resolve and authorise the key
// ourselves first (so errors carry our codes), then give the library a loader that serves only the bundled
// contexts, that one key and a minimal controller document.
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as vc from '@digitalbazaar/vc';
import { DID_CONTEXT_V1 } from '../did/document.js';
import type { DidResolver } from '../did/resolver.js';
import type { VerificationKey } from '../did/verification-method.js';
import type { DocumentLoader, RemoteDocument } from '../document-loader/loader.js';
import { CredentialError, describeError, findIdentityError } from '../errors.js';
import type { DataIntegritySecuredCredential } from './parse.js';
import { issuerKey } from './proof-jwt.js';

export interface DataIntegrityProofOptions {
  resolver: DidResolver;
  documentLoader: DocumentLoader;
  now: Date;
  clockSkewSeconds: number;
}

function keyLoader(contexts: DocumentLoader, issuer: string, key: VerificationKey) {
  const jwk = key.publicKey.export({ format: 'jwk' });
  const method = { id: key.id, type: 'JsonWebKey2020', controller: issuer, publicKeyJwk: jwk };
  // Our own check already established the key is an assertionMethod of the issuer; this document only lets the
  // library's CredentialIssuancePurpose repeat that check on ids it can compare literally.
  const controller = { '@context': DID_CONTEXT_V1, id: issuer, assertionMethod: [key.id] };
  return async (url: string): Promise<RemoteDocument> => {
    if (url === key.id) return { contextUrl: null, documentUrl: url, document: method };
    if (url === issuer) return { contextUrl: null, documentUrl: url, document: controller };
    return contexts(url);
  };
}

export async function verifyDataIntegrityCredentialProof(
  parsed: DataIntegritySecuredCredential,
  options: DataIntegrityProofOptions,
): Promise<VerificationKey> {
  const key = await issuerKey(options.resolver, parsed.issuer, parsed.keyId);
  if (key.alg !== 'EdDSA') {
    throw new CredentialError(
      'ERR_CREDENTIAL_SIGNATURE_INVALID',
      `eddsa-rdfc-2022 needs an Ed25519 key, but ${key.id} is a ${key.alg} key.`,
    );
  }
  let result: vc.VerifyResult;
  try {
    result = await vc.verifyCredential({
      credential: structuredClone(parsed.credential),
      suite: new DataIntegrityProof({ cryptosuite }),
      documentLoader: keyLoader(options.documentLoader, parsed.issuer, key),
      purpose: new vc.CredentialIssuancePurpose(),
      now: options.now,
      maxClockSkew: options.clockSkewSeconds,
      // Status is checked by our own status-list checker afterwards (typed reasons, bounded cache); the library
      // refuses credentials with credentialStatus unless it is given some checkStatus function.
      checkStatus: async () => ({ verified: true }),
    });
  } catch (error) {
    result = { verified: false, error };
  }
  if (!result.verified) {
    const ours = findIdentityError(result.error);
    if (ours) throw ours;
    const inner = (result.error as { errors?: unknown[] } | undefined)?.errors?.[0] ?? result.error;
    throw new CredentialError(
      'ERR_CREDENTIAL_SIGNATURE_INVALID',
      `The credential's Data Integrity proof does not verify with ${key.id} (${describeError(inner)}): it was ` +
        'altered or signed by another key.',
      { cause: result.error, details: { issuer: parsed.issuer, kid: key.id } },
    );
  }
  return key;
}
