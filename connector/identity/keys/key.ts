// An Ed25519 key of the connector. The private half lives only in a node:crypto KeyObject held in a private
// field: it is never part of toJSON(), util.inspect() or String(), so logging a key cannot leak it.
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { inspect } from 'node:util';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';

export type KeyStatus = 'active' | 'published';

export interface PublicEd25519Jwk {
  readonly kty: 'OKP';
  readonly crv: 'Ed25519';
  readonly x: string;
}

export interface PrivateEd25519Jwk extends PublicEd25519Jwk {
  readonly d: string;
}

export interface KeyMetadata {
  readonly status: KeyStatus;
  readonly createdAt: string;
  /** When the key stopped being the active signing key (set on rotation). */
  readonly retiredAt?: string;
}

export class Ed25519Key {
  /** Key identifier: the Multikey `publicKeyMultibase` (z6Mk...), also used as the DID URL fragment. */
  readonly kid: string;
  readonly publicKeyMultibase: string;
  readonly publicJwk: PublicEd25519Jwk;
  readonly publicKey: KeyObject;
  readonly status: KeyStatus;
  readonly createdAt: string;
  readonly retiredAt: string | undefined;
  readonly #privateKey: KeyObject;

  private constructor(privateKey: KeyObject, publicKeyMultibase: string, metadata: KeyMetadata) {
    this.#privateKey = privateKey;
    this.publicKey = createPublicKey(privateKey);
    const jwk = this.publicKey.export({ format: 'jwk' });
    this.publicJwk = Object.freeze({ kty: 'OKP', crv: 'Ed25519', x: String(jwk.x) });
    this.publicKeyMultibase = publicKeyMultibase;
    this.kid = publicKeyMultibase;
    this.status = metadata.status;
    this.createdAt = metadata.createdAt;
    this.retiredAt = metadata.retiredAt;
    Object.freeze(this);
  }

  /** Imports a private JWK (32-byte `d`). Throws a plain Error on bad material; callers wrap it. */
  static async fromPrivateJwk(jwk: PrivateEd25519Jwk, metadata: KeyMetadata): Promise<Ed25519Key> {
    const privateKey = createPrivateKey({ key: { ...jwk }, format: 'jwk' });
    if (privateKey.asymmetricKeyType !== 'ed25519') throw new Error('not an Ed25519 key');
    const derivedX = createPublicKey(privateKey).export({ format: 'jwk' }).x;
    if (derivedX !== jwk.x) throw new Error('public part does not match the private key');
    const multikey = await Ed25519Multikey.fromJwk({ jwk: { kty: 'OKP', crv: 'Ed25519', x: jwk.x } });
    return new Ed25519Key(privateKey, multikey.publicKeyMultibase, metadata);
  }

  static async generate(createdAt: Date): Promise<Ed25519Key> {
    const { privateKey } = generateKeyPairSync('ed25519');
    const jwk = privateKey.export({ format: 'jwk' });
    return Ed25519Key.fromPrivateJwk(
      { kty: 'OKP', crv: 'Ed25519', x: String(jwk.x), d: String(jwk.d) },
      { status: 'active', createdAt: createdAt.toISOString() },
    );
  }

  /** The same key with different lifecycle metadata (rotation). */
  withMetadata(metadata: KeyMetadata): Ed25519Key {
    return new Ed25519Key(this.#privateKey, this.publicKeyMultibase, metadata);
  }

  /** The private key for signing (jose accepts KeyObject). Keep it in memory; never serialise or log it. */
  signingKey(): KeyObject {
    return this.#privateKey;
  }

  /** Private JWK with a 32-byte `d`, only for persisting to the key file and building a Multikey signer. */
  exportPrivateJwk(): PrivateEd25519Jwk {
    const jwk = this.#privateKey.export({ format: 'jwk' });
    return { kty: 'OKP', crv: 'Ed25519', x: String(jwk.x), d: String(jwk.d) };
  }

  toJSON(): Record<string, unknown> {
    return {
      kid: this.kid,
      status: this.status,
      createdAt: this.createdAt,
      ...(this.retiredAt ? { retiredAt: this.retiredAt } : {}),
      publicJwk: this.publicJwk,
    };
  }

  toString(): string {
    return `Ed25519Key(${this.kid}, ${this.status})`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}
