// Verifying the compact JWS of a checkpoint or countersignature: the header's `typ` keeps one kind of signed
// statement from passing for another, the `kid` must be a key of the expected DID, and the algorithm is the
// one the key allows (never taken from the header alone).
import { compactVerify, decodeProtectedHeader } from 'jose';
import { parseDidUrl } from '../../identity/index.js';
import { verifySm2Jws } from '../crypto/sm2-jws.js';
import { EvidenceError } from '../errors.js';
import type { FoundKey, KeyLookup } from './keys.js';

export type JwsCheck =
  | { readonly ok: true; readonly payload: Record<string, unknown>; readonly found: FoundKey }
  | { readonly ok: false; readonly keyUnavailable: boolean; readonly reason: string };

const fail = (reason: string, keyUnavailable = false): JwsCheck => ({ ok: false, keyUnavailable, reason });

export async function checkJws(
  jws: unknown,
  typ: string,
  signerDid: string,
  keys: KeyLookup,
): Promise<JwsCheck> {
  if (typeof jws !== 'string' || jws.split('.').length !== 3)
    return fail('the signature is not a compact JWS');
  let header;
  try {
    header = decodeProtectedHeader(jws);
  } catch {
    return fail('the JWS header cannot be decoded');
  }
  if (header.typ !== typ) return fail(`the JWS "typ" is ${String(header.typ)}, not ${typ}`);
  const kid = header.kid;
  let kidDid: string;
  try {
    kidDid = parseDidUrl(kid).did;
  } catch {
    return fail('the JWS "kid" is not a DID URL');
  }
  if (kidDid !== signerDid)
    return fail(`it was signed with ${String(kid)}, a key of another DID than ${signerDid}`);
  let found: FoundKey;
  try {
    found = await keys.find(signerDid, kid as string);
  } catch (error) {
    const unavailable = error instanceof EvidenceError && error.code === 'ERR_EVIDENCE_KEY_UNAVAILABLE';
    return fail(
      error instanceof Error ? error.message.replace(/\.$/, '') : 'the signing key is unknown',
      unavailable,
    );
  }
  if (header.alg !== found.key.alg)
    return fail(`the JWS "alg" ${String(header.alg)} does not fit key ${kid}`);
  let payload: unknown;
  try {
    // jose knows no SM2; the SM2 path checks the GB/T 32918.2 signature itself.
    const bytes =
      found.key.alg === 'SM2'
        ? verifySm2Jws(jws, found.key.publicKey)
        : (await compactVerify(jws, found.key.publicKey, { algorithms: [found.key.alg] })).payload;
    if (bytes === undefined) throw new Error('bad SM2 signature');
    payload = JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return fail(`the signature does not verify with key ${String(kid)}`);
  }
  if (payload === null || typeof payload !== 'object' || Array.isArray(payload))
    return fail('the JWS payload is not a JSON object');
  return { ok: true, payload: payload as Record<string, unknown>, found };
}

/** Why `payload` differs from `expected` (same members, same values), or undefined. */
export function payloadMismatch(
  payload: Record<string, unknown>,
  expected: Readonly<Record<string, string | number>>,
): string | undefined {
  const keys = Object.keys(expected);
  const extra = Object.keys(payload).filter((k) => !keys.includes(k));
  if (extra.length > 0) return `the signed payload has unexpected members (${extra.join(', ')})`;
  for (const key of keys) {
    if (payload[key] !== expected[key]) return `the signed "${key}" differs from the one shown`;
  }
  return undefined;
}
