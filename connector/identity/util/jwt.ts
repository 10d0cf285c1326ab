// Compact JWS/JWT handling shared by credentials, presentations and ID tokens: bounded decoding before any key
// lookup, and signing/verification with the algorithm pinned to the key type. EdDSA with Ed25519 keys (every
// key Shuyu makes) uses node:crypto's synchronous Ed25519 directly: about 3x less CPU than jose's WebCrypto
// path and no thread-pool hop, on the hot path of every DSP request. Other algorithms go through jose.
import { CompactSign, compactVerify } from 'jose';
import { sign as ed25519Sign, verify as ed25519Verify, type KeyObject } from 'node:crypto';
import { InputError } from '../errors.js';
import { assertMaxBytes, assertMaxDepth, isRecord } from './json.js';

/** SM2 (GB/T 32918.2 with SM3 and the default signer ID) is only for evidence checkpoints; jose refuses it. */
export type JwsAlgorithm = 'EdDSA' | 'ES256' | 'ES384' | 'SM2';

export interface DecodedJwt {
  readonly header: Record<string, unknown>;
  readonly payload: Record<string, unknown>;
  readonly compact: string;
}

const SEGMENT = /^[A-Za-z0-9_-]+$/;

function decodeSegment(segment: string, what: string, part: string): Record<string, unknown> {
  if (!SEGMENT.test(segment)) {
    throw new InputError('ERR_INPUT_MALFORMED', `${what}: the JWT ${part} is not base64url.`);
  }
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    throw new InputError('ERR_INPUT_MALFORMED', `${what}: the JWT ${part} is not valid JSON.`);
  }
  if (!isRecord(value)) {
    throw new InputError('ERR_INPUT_MALFORMED', `${what}: the JWT ${part} must be a JSON object.`);
  }
  assertMaxDepth(value, what);
  return value;
}

/** Decodes (without verifying) a compact JWS with a JSON payload, enforcing a size limit first. */
export function decodeJwt(compact: unknown, what: string, maxBytes: number): DecodedJwt {
  if (typeof compact !== 'string') {
    throw new InputError('ERR_INPUT_MALFORMED', `${what} must be a compact JWT string.`);
  }
  assertMaxBytes(compact, maxBytes, what);
  const parts = compact.split('.');
  if (parts.length !== 3) {
    throw new InputError(
      'ERR_INPUT_MALFORMED',
      `${what} is not a compact JWS (expected three dot-separated parts, got ${parts.length}).`,
    );
  }
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  if (!SEGMENT.test(signaturePart)) {
    throw new InputError('ERR_INPUT_MALFORMED', `${what}: the JWT signature is missing or not base64url.`);
  }
  return {
    header: decodeSegment(headerPart, what, 'header'),
    payload: decodeSegment(payloadPart, what, 'payload'),
    compact,
  };
}

/** Signs `payload` as a compact JWS. The `alg` header is set from the key; other headers come from `header`. */
export async function signJwt(
  header: Record<string, unknown>,
  payload: Record<string, unknown>,
  key: KeyObject,
  alg: JwsAlgorithm,
): Promise<string> {
  if (alg === 'EdDSA' && key.asymmetricKeyType === 'ed25519') {
    const signingInput = `${base64url(JSON.stringify({ ...header, alg }))}.${base64url(JSON.stringify(payload))}`;
    return `${signingInput}.${ed25519Sign(null, Buffer.from(signingInput), key).toString('base64url')}`;
  }
  const bytes = new TextEncoder().encode(JSON.stringify(payload));
  return new CompactSign(bytes).setProtectedHeader({ ...header, alg }).sign(key);
}

function base64url(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

/**
 * The Ed25519 fast path of verification, with jose's header rules: the header is a JSON object whose alg is
 * exactly EdDSA, with no "crit" (no extension we would have to understand) and no unencoded payload.
 */
function hasValidEd25519Signature(compact: string, key: KeyObject): boolean {
  const parts = compact.split('.');
  if (parts.length !== 3) return false;
  const [header, payload, signature] = parts as [string, string, string];
  if (!SEGMENT.test(header) || !SEGMENT.test(payload) || !SEGMENT.test(signature)) return false;
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(header, 'base64url').toString('utf8'));
  } catch {
    return false;
  }
  if (!isRecord(parsed) || parsed.alg !== 'EdDSA' || 'crit' in parsed || 'b64' in parsed) return false;
  const bytes = Buffer.from(signature, 'base64url');
  if (bytes.length !== 64) return false;
  return ed25519Verify(null, Buffer.from(`${header}.${payload}`), key, bytes);
}

/**
 * Same as hasValidSignature for a JWT decodeJwt already parsed (and so already checked for shape): the
 * header is not split, matched and parsed a second time. The hot path of every DSP request uses it.
 */
export async function hasValidDecodedSignature(
  jwt: DecodedJwt,
  key: KeyObject,
  alg: JwsAlgorithm,
): Promise<boolean> {
  if (alg !== 'EdDSA' || key.asymmetricKeyType !== 'ed25519') return hasValidSignature(jwt.compact, key, alg);
  const { header, compact } = jwt;
  if (header.alg !== 'EdDSA' || 'crit' in header || 'b64' in header) return false;
  const dot = compact.lastIndexOf('.');
  const signature = Buffer.from(compact.slice(dot + 1), 'base64url');
  if (signature.length !== 64) return false;
  try {
    return ed25519Verify(null, Buffer.from(compact.slice(0, dot)), key, signature);
  } catch {
    return false;
  }
}

/** True when the compact JWS carries a valid signature by `key` with exactly algorithm `alg`. */
export async function hasValidSignature(
  compact: string,
  key: KeyObject,
  alg: JwsAlgorithm,
): Promise<boolean> {
  if (alg === 'EdDSA' && key.asymmetricKeyType === 'ed25519') {
    try {
      return hasValidEd25519Signature(compact, key);
    } catch {
      return false;
    }
  }
  try {
    await compactVerify(compact, key, { algorithms: [alg] });
    return true;
  } catch {
    return false;
  }
}

/** Reads a NumericDate claim (seconds since epoch); undefined when absent, error when present but not a number. */
export function numericDate(
  payload: Record<string, unknown>,
  claim: string,
  what: string,
): number | undefined {
  const value = payload[claim];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new InputError('ERR_INPUT_MALFORMED', `${what}: the "${claim}" claim must be a number of seconds.`);
  }
  return value;
}
