// Compact JWS with SM2 signatures, for checkpoints and countersignatures of a data space on SM2/SM3. No JOSE
// registry names SM2; Shuyu writes `"alg": "SM2"`: the GB/T 32918.2 signature, with SM3 and the default
// signer ID 1234567812345678 in ZA, over the ASCII JWS signing input, as 64 bytes r || s (like ES256).
import type { KeyObject } from 'node:crypto';
import { sm2PublicPoint, type Sm2Key } from '../../identity/index.js';
import { decodePoint, fromBytes, sm2Sign, sm2Verify } from './sm2.js';

export const SM2_JWS_ALG = 'SM2';

const SEGMENT = /^[A-Za-z0-9_-]+$/;

const encode = (value: unknown): string => Buffer.from(JSON.stringify(value), 'utf8').toString('base64url');

export function signSm2Jws(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  key: Sm2Key,
): string {
  const input = `${encode({ ...header, alg: SM2_JWS_ALG })}.${encode(payload)}`;
  const publicKey = {
    x: fromBytes(Buffer.from(key.publicJwk.x, 'base64url')),
    y: fromBytes(Buffer.from(key.publicJwk.y, 'base64url')),
  };
  const signature = sm2Sign(fromBytes(key.privateScalar()), Buffer.from(input, 'ascii'), { publicKey });
  return `${input}.${signature.toString('base64url')}`;
}

/** The payload bytes when `jws` is signed with SM2 by `publicKey` (an SM2 SPKI KeyObject), else undefined. */
export function verifySm2Jws(jws: string, publicKey: KeyObject): Buffer | undefined {
  const parts = jws.split('.');
  if (parts.length !== 3 || !parts.every((part) => SEGMENT.test(part))) return undefined;
  const [header, payload, signature] = parts as [string, string, string];
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(header, 'base64url').toString('utf8'));
  } catch {
    return undefined;
  }
  const h = parsed as Record<string, unknown> | null;
  if (h === null || typeof h !== 'object' || h.alg !== SM2_JWS_ALG || 'crit' in h || 'b64' in h) {
    return undefined;
  }
  const encoded = sm2PublicPoint(publicKey);
  const point = encoded ? decodePoint(encoded) : undefined;
  if (!point) return undefined;
  const ok = sm2Verify(
    point,
    Buffer.from(`${header}.${payload}`, 'ascii'),
    Buffer.from(signature, 'base64url'),
  );
  return ok ? Buffer.from(payload, 'base64url') : undefined;
}
