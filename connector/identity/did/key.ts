// did:key resolution, fully offline: the DID is the (Ed25519) public key, so the document is derived from it.
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { driver } from '@digitalbazaar/did-method-key';
import { DidError, describeError } from '../errors.js';
import type { Ed25519Key } from '../keys/key.js';

const ED25519_MULTIKEY_HEADER = 'z6Mk';

// One driver per module is fine: it is stateless apart from the list of accepted key types set here.
const didKeyDriver = driver();
didKeyDriver.use({ multibaseMultikeyHeader: ED25519_MULTIKEY_HEADER, fromMultibase: Ed25519Multikey.from });

/** The did:key DID of an Ed25519 key (`did:key:z6Mk...`). */
export function didKeyFromKey(key: Ed25519Key): string {
  return `did:key:${key.publicKeyMultibase}`;
}

/** Builds the DID document of a did:key DID. Only Ed25519 (z6Mk) keys are supported. */
export async function resolveDidKey(did: string): Promise<Record<string, unknown>> {
  const value = did.slice('did:key:'.length);
  if (!did.startsWith('did:key:') || !/^z[1-9A-HJ-NP-Za-km-z]+$/.test(value)) {
    throw new DidError('ERR_DID_INVALID', `"${did.slice(0, 200)}" is not a did:key DID.`);
  }
  if (!value.startsWith(ED25519_MULTIKEY_HEADER)) {
    throw new DidError(
      'ERR_DID_METHOD_UNSUPPORTED',
      `did:key ${did.slice(0, 80)} is not an Ed25519 key; only Ed25519 did:key DIDs are supported.`,
    );
  }
  try {
    const document = await didKeyDriver.get({ did });
    return document as Record<string, unknown>;
  } catch (error) {
    throw new DidError(
      'ERR_DID_INVALID',
      `did:key ${did.slice(0, 80)} cannot be decoded: ${describeError(error)}.`,
      {
        cause: error,
      },
    );
  }
}
