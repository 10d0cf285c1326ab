// DCP self-issued ID tokens: iss = sub = the caller's DID, aud = the callee's DID, jti, iat, exp (minutes),
// signed with a capabilityInvocation key of the caller. Verification follows DCP's order: claims first (no
// network for tokens not meant for us), then DID resolution and signature, then the jti replay check.
import { randomUUID } from 'node:crypto';
import { systemClock, epochSeconds, type Clock } from '../clock.js';
import { absoluteKeyId, parseDidUrl } from '../did/parse.js';
import { resolveVerificationKey } from '../did/resolve-key.js';
import type { DidResolver } from '../did/resolver.js';
import { InputError, TokenError } from '../errors.js';
import type { DidSigner } from '../signer.js';
import { decodeJwt, hasValidDecodedSignature, numericDate } from '../util/jwt.js';
import type { ReplayCache } from './replay-cache.js';

export const DEFAULT_ID_TOKEN_LIFETIME_SECONDS = 300;
export const DEFAULT_MAX_ID_TOKEN_LIFETIME_SECONDS = 600;
/** Node's default limit for all HTTP headers together is 16 KiB; the token travels in one of them. */
export const DEFAULT_MAX_ID_TOKEN_BYTES = 16 * 1024;

export interface CreateIdTokenOptions {
  signer: DidSigner;
  /** The callee's DID. */
  audience: string;
  lifetimeSeconds?: number;
  jti?: string;
  /** Extra claims (e.g. DCP's `token`); registered claims cannot be overridden. */
  claims?: Record<string, unknown>;
  clock?: Clock;
}

export interface CreatedIdToken {
  readonly token: string;
  readonly jti: string;
  readonly expiresAt: Date;
}

export async function createIdToken(options: CreateIdTokenOptions): Promise<CreatedIdToken> {
  const now = epochSeconds((options.clock ?? systemClock)());
  const jti = options.jti ?? randomUUID();
  const exp = now + (options.lifetimeSeconds ?? DEFAULT_ID_TOKEN_LIFETIME_SECONDS);
  const payload = {
    ...(options.claims ?? {}),
    iss: options.signer.did,
    sub: options.signer.did,
    aud: options.audience,
    jti,
    iat: now,
    exp,
  };
  const token = await options.signer.signJwt({ typ: 'JWT' }, payload);
  return { token, jti, expiresAt: new Date(exp * 1000) };
}

export interface IdTokenVerificationOptions {
  resolver: DidResolver;
  /** Our DID: the token's `aud` must be exactly this. */
  audience: string;
  replayCache: ReplayCache;
  clock?: Clock;
  /** Leeway for exp/nbf/iat (default 30 s). */
  clockSkewSeconds?: number;
  /** Longest accepted exp - iat (default 600 s); bounds how long jti values must be remembered. */
  maxLifetimeSeconds?: number;
  maxTokenBytes?: number;
  /**
   * The caller's own checks of the payload (e.g. a required claim), run with the standard ones before the
   * issuer's DID document is fetched: a token that fails cheaply makes us reach nowhere.
   */
  checkPayload?: (payload: Readonly<Record<string, unknown>>) => void;
}

export interface VerifiedIdToken {
  /** The caller's DID (iss = sub). */
  readonly caller: string;
  readonly jti: string;
  readonly keyId: string;
  readonly issuedAt: Date;
  readonly expiresAt: Date;
  readonly payload: Readonly<Record<string, unknown>>;
}

function claimsInvalid(reason: string): TokenError {
  return new TokenError('ERR_TOKEN_CLAIMS_INVALID', `The ID token is invalid: ${reason}.`);
}

export async function verifyIdToken(
  token: unknown,
  options: IdTokenVerificationOptions,
): Promise<VerifiedIdToken> {
  const skew = options.clockSkewSeconds ?? 30;
  const jwt = decodeJwt(token, 'ID token', options.maxTokenBytes ?? DEFAULT_MAX_ID_TOKEN_BYTES);
  const { header, payload } = jwt;
  // Refuse credentials and presentations presented as ID tokens (token confusion).
  if (header.typ !== undefined && String(header.typ).toUpperCase() !== 'JWT') {
    throw new InputError(
      'ERR_INPUT_MALFORMED',
      `An ID token has typ "JWT", not ${JSON.stringify(header.typ)}.`,
    );
  }
  if ('crit' in header || (header.kid !== undefined && typeof header.kid !== 'string')) {
    throw new InputError(
      'ERR_INPUT_MALFORMED',
      'The ID token header has an unsupported "crit" or a non-string "kid".',
    );
  }

  const { iss, sub, aud, jti } = payload;
  if (typeof iss !== 'string' || typeof sub !== 'string') throw claimsInvalid('"iss" and "sub" are required');
  if (iss !== sub) throw claimsInvalid('"iss" and "sub" must both be the caller\'s DID');
  parseDidUrl(iss);
  if (typeof jti !== 'string' || jti.length === 0 || jti.length > 256) {
    throw claimsInvalid('"jti" must be a string of 1..256 characters');
  }
  if (aud !== options.audience && !(Array.isArray(aud) && aud.length === 1 && aud[0] === options.audience)) {
    throw new TokenError(
      'ERR_TOKEN_AUDIENCE_MISMATCH',
      `The ID token is addressed to ${JSON.stringify(aud)?.slice(0, 200)}, not to ${options.audience}.`,
      { details: { audience: options.audience } },
    );
  }
  const iat = numericDate(payload, 'iat', 'ID token');
  const exp = numericDate(payload, 'exp', 'ID token');
  const nbf = numericDate(payload, 'nbf', 'ID token');
  if (iat === undefined || exp === undefined) throw claimsInvalid('"iat" and "exp" are required');
  if (exp <= iat) throw claimsInvalid('"exp" must be after "iat"');
  const now = epochSeconds((options.clock ?? systemClock)());
  if (exp + skew <= now) {
    throw new TokenError(
      'ERR_TOKEN_EXPIRED',
      'The ID token has expired; the caller must send a fresh token.',
      {
        details: { expiredAt: new Date(exp * 1000).toISOString() },
      },
    );
  }
  if (iat - skew > now || (nbf !== undefined && nbf - skew > now)) {
    throw new TokenError(
      'ERR_TOKEN_NOT_YET_VALID',
      "The ID token is not valid yet; check the caller's clock.",
    );
  }
  const maxLifetime = options.maxLifetimeSeconds ?? DEFAULT_MAX_ID_TOKEN_LIFETIME_SECONDS;
  if (exp - iat > maxLifetime) {
    throw new TokenError(
      'ERR_TOKEN_LIFETIME_TOO_LONG',
      `The ID token is valid for ${exp - iat} s; at most ${maxLifetime} s is accepted.`,
    );
  }

  options.checkPayload?.(payload);
  const kid = header.kid === undefined ? undefined : absoluteKeyId(header.kid, iss);
  if (kid !== undefined && parseDidUrl(kid).did !== iss) {
    throw new TokenError(
      'ERR_TOKEN_SIGNATURE_INVALID',
      `The ID token key ${kid.slice(0, 200)} is not a key of ${iss}.`,
    );
  }
  const key = await resolveVerificationKey(options.resolver, iss, kid, 'capabilityInvocation');
  if (
    key.controller !== iss ||
    header.alg !== key.alg ||
    !(await hasValidDecodedSignature(jwt, key.publicKey, key.alg))
  ) {
    throw new TokenError(
      'ERR_TOKEN_SIGNATURE_INVALID',
      `The ID token signature does not verify with ${key.id}: it was altered or signed by another key.`,
      { details: { caller: iss, kid: key.id } },
    );
  }

  // Scoped by caller so one participant cannot burn another's jti values.
  if (!(await options.replayCache.remember(`${iss} ${jti}`, (exp + skew) * 1000))) {
    throw new TokenError(
      'ERR_TOKEN_REPLAYED',
      'This ID token was already used; every request needs a new token.',
      {
        details: { caller: iss },
      },
    );
  }
  return {
    caller: iss,
    jti,
    keyId: key.id,
    issuedAt: new Date(iat * 1000),
    expiresAt: new Date(exp * 1000),
    payload,
  };
}
