// A DID plus one of its keys: everything that signs (credentials, status lists, presentations, ID tokens) takes
// a DidSigner, so the "which key, which kid, which algorithm" decision is made in one place.
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { inspect } from 'node:util';
import { parseDidUrl } from './did/parse.js';
import { DidError } from './errors.js';
import { toMultikeyKeyPair, verificationMethodId } from './keys/export.js';
import type { Ed25519Key } from './keys/key.js';
import type { KeyStore } from './keys/store.js';
import { signJwt } from './util/jwt.js';

export class DidSigner {
  readonly did: string;
  /** Absolute DID URL of the signing key, used as JWS `kid` and Data Integrity `verificationMethod`. */
  readonly keyId: string;
  readonly alg = 'EdDSA' as const;
  readonly #key: Ed25519Key;
  #multikeySigner: Promise<Ed25519Multikey.Signer> | undefined;

  constructor(did: string, key: Ed25519Key) {
    const parsed = parseDidUrl(did);
    if (parsed.fragment !== undefined) {
      throw new DidError('ERR_DID_INVALID', `A signer needs a DID, not a DID URL with fragment (${did}).`);
    }
    this.did = did;
    this.#key = key;
    this.keyId = verificationMethodId(did, key);
  }

  /** Signs a JWT/JWS with this key; `kid` and `alg` are set here and cannot be overridden. */
  signJwt(header: Record<string, unknown>, payload: Record<string, unknown>): Promise<string> {
    return signJwt({ ...header, kid: this.keyId }, payload, this.#key.signingKey(), this.alg);
  }

  /** The ed25519-multikey signer used by DataIntegrityProof (created once per DidSigner). */
  dataIntegritySigner(): Promise<Ed25519Multikey.Signer> {
    this.#multikeySigner ??= toMultikeyKeyPair(this.#key, this.did).then((pair) => pair.signer());
    return this.#multikeySigner;
  }

  toString(): string {
    return `DidSigner(${this.keyId})`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

/** A signer for `did` using the key store's current active key. Create a new one after rotating. */
export function createDidSigner(did: string, keys: KeyStore | Ed25519Key): DidSigner {
  return new DidSigner(did, 'activeKey' in keys ? keys.activeKey : keys);
}
