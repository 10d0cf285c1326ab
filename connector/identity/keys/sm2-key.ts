// The SM2 key of a connector or authority in a data space that uses the Chinese national algorithms for its
// evidence (connector/evidence/README.md, "Algorithms"). It signs evidence checkpoints and countersignatures
// only; credentials, presentations and tokens stay Ed25519. Stored beside the Ed25519 key set, in the same
// owner-only key directory (sm2-key.json, mode 0600), created on first use. The private scalar lives in a
// private field and is never part of toJSON(), util.inspect() or String().
//
// Published as a JsonWebKey2020 verification method with publicKeyJwk { kty: "EC", crv: "SM2", x, y }: a JWK
// names the curve in plain words, which every SM2-capable JOSE library reads, whereas a Multikey would need the
// multicodec "sm2-pub" (0x1206), still marked draft in the multicodec table.
import { createECDH, createHash, createPublicKey, type KeyObject } from 'node:crypto';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { systemClock, type Clock } from '../clock.js';
import { KeyStoreError, describeError } from '../errors.js';
import { isRecord } from '../util/json.js';
import { ensurePrivateDirectory, readPrivateFile, writePrivateFileAtomic } from './files.js';

export const SM2_KEY_FILE_NAME = 'sm2-key.json';
const FORMAT_VERSION = 1;
const COORDINATE_BYTES = 32;

// SubjectPublicKeyInfo of an EC key on the SM2 curve (id-ecPublicKey, curve OID 1.2.156.10197.1.301), before
// the 65-byte uncompressed point.
const SM2_SPKI_PREFIX = Buffer.from('3059301306072a8648ce3d020106082a811ccf5501822d034200', 'hex');

export interface PublicSm2Jwk {
  readonly kty: 'EC';
  readonly crv: 'SM2';
  readonly x: string;
  readonly y: string;
}

/** The public key as a KeyObject (SPKI on the SM2 curve), from the JWK coordinates. Throws on bad input. */
export function sm2PublicKeyObject(jwk: { x: string; y: string }): KeyObject {
  const x = Buffer.from(jwk.x, 'base64url');
  const y = Buffer.from(jwk.y, 'base64url');
  if (x.length !== COORDINATE_BYTES || y.length !== COORDINATE_BYTES) {
    throw new Error('an SM2 public key has 32-byte coordinates');
  }
  return createPublicKey({
    key: Buffer.concat([SM2_SPKI_PREFIX, Buffer.from([4]), x, y]),
    format: 'der',
    type: 'spki',
  });
}

/** The uncompressed point 04 || x || y of an SM2 public KeyObject, or undefined for another kind of key. */
export function sm2PublicPoint(key: KeyObject): Buffer | undefined {
  if (key.type !== 'public') return undefined;
  const der = key.export({ format: 'der', type: 'spki' });
  if (der.length !== SM2_SPKI_PREFIX.length + 65) return undefined;
  if (!der.subarray(0, SM2_SPKI_PREFIX.length).equals(SM2_SPKI_PREFIX)) return undefined;
  return der.subarray(SM2_SPKI_PREFIX.length);
}

export class Sm2Key {
  /** The verification method fragment: "sm2-" + the RFC 7638 JWK thumbprint (SHA-256). */
  readonly kid: string;
  readonly publicJwk: PublicSm2Jwk;
  readonly publicKey: KeyObject;
  readonly createdAt: string;
  readonly #d: Buffer;

  private constructor(d: Buffer, point: Buffer, createdAt: string) {
    this.#d = d;
    const x = point.subarray(1, 1 + COORDINATE_BYTES).toString('base64url');
    const y = point.subarray(1 + COORDINATE_BYTES).toString('base64url');
    this.publicJwk = Object.freeze({ kty: 'EC', crv: 'SM2', x, y });
    this.publicKey = sm2PublicKeyObject({ x, y });
    const thumbprint = createHash('sha256')
      .update(JSON.stringify({ crv: 'SM2', kty: 'EC', x, y }))
      .digest('base64url');
    this.kid = `sm2-${thumbprint}`;
    this.createdAt = createdAt;
    Object.freeze(this);
  }

  static generate(createdAt: Date): Sm2Key {
    const ecdh = createECDH('SM2');
    ecdh.generateKeys();
    return new Sm2Key(ecdh.getPrivateKey(), ecdh.getPublicKey(), createdAt.toISOString());
  }

  /** From the stored private scalar; the public point is derived and must match the stored one. */
  static fromPrivateJwk(jwk: Record<string, unknown>, createdAt: string): Sm2Key {
    if (jwk.kty !== 'EC' || jwk.crv !== 'SM2' || typeof jwk.d !== 'string') {
      throw new Error('not an SM2 private JWK');
    }
    const ecdh = createECDH('SM2');
    ecdh.setPrivateKey(Buffer.from(jwk.d, 'base64url'));
    const key = new Sm2Key(ecdh.getPrivateKey(), ecdh.getPublicKey(), createdAt);
    if (key.publicJwk.x !== jwk.x || key.publicJwk.y !== jwk.y) {
      throw new Error('public part does not match the private key');
    }
    return key;
  }

  /** The 32-byte private scalar, for the SM2 signer only. Never serialise or log it. */
  privateScalar(): Buffer {
    return Buffer.from(this.#d);
  }

  toJSON(): Record<string, unknown> {
    return { kid: this.kid, createdAt: this.createdAt, publicJwk: this.publicJwk };
  }

  toString(): string {
    return `Sm2Key(${this.kid})`;
  }

  [inspect.custom](): string {
    return this.toString();
  }
}

function corrupt(path: string, reason: string): KeyStoreError {
  return new KeyStoreError(
    'ERR_KEYSTORE_CORRUPT',
    `Key file ${path} is not a valid Shuyu SM2 key (${reason}); restore it from backup or move it away to ` +
      'create a new one (checkpoints signed with the old key then verify only with the DID documents stored in the evidence).',
    { details: { path } },
  );
}

/** Opens the SM2 key in `directory` (0700), creating it (file 0600) on first use. */
export async function openSm2Key(directory: string, options: { clock?: Clock } = {}): Promise<Sm2Key> {
  await ensurePrivateDirectory(directory);
  const path = join(directory, SM2_KEY_FILE_NAME);
  const text = await readPrivateFile(path);
  if (text === undefined) {
    const key = Sm2Key.generate((options.clock ?? systemClock)());
    const jwk = { ...key.publicJwk, d: key.privateScalar().toString('base64url') };
    await writePrivateFileAtomic(
      path,
      `${JSON.stringify({ version: FORMAT_VERSION, createdAt: key.createdAt, jwk }, null, 2)}\n`,
    );
    return key;
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch {
    throw corrupt(path, 'not JSON');
  }
  if (
    !isRecord(document) ||
    document.version !== FORMAT_VERSION ||
    !isRecord(document.jwk) ||
    typeof document.createdAt !== 'string'
  ) {
    throw corrupt(path, `expected {"version": ${FORMAT_VERSION}, "createdAt": ..., "jwk": {...}}`);
  }
  try {
    return Sm2Key.fromPrivateJwk(document.jwk, document.createdAt);
  } catch (error) {
    throw corrupt(path, `unusable key material: ${describeError(error)}`);
  }
}
