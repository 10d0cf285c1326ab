// Secure Token Service (DCP base protocol, "Self-Issued ID Token" and "Verifiable Presentation Access
// Token"). For each outgoing request the holder signs a JWT with its active key, around a second one
// reused per verifier for half its lifetime:
//   - the access token (`typ: at+jwt`): iss = aud = our DID (it is only ever read back by our own
//     Credential Service), sub = the verifier's DID, `scope` = the granted scopes, short exp;
//   - the self-issued ID token (`typ: JWT`): iss = sub = our DID, aud = the verifier's DID, jti, iat, exp,
//     with the access token in its `token` claim. The key is listed under capabilityInvocation in our
//     DID document (did/document.ts lists every published key there).
// The distinct `typ` keeps an access token from being accepted as an ID token and vice versa.
import { randomUUID } from 'node:crypto';
import { epochSeconds, systemClock, type Clock } from '../clock.js';
import { DcpError } from '../errors.js';
import { verificationMethodId } from '../keys/export.js';
import type { Ed25519Key } from '../keys/key.js';
import type { DidSigner } from '../signer.js';
import { createIdToken, DEFAULT_ID_TOKEN_LIFETIME_SECONDS } from '../tokens/id-token.js';
import { decodeJwt, hasValidSignature, numericDate } from '../util/jwt.js';
import { parseScopes, scopeForType, SHUYU_CREDENTIAL_TYPES, type Scope } from './scopes.js';

export const ACCESS_TOKEN_TYP = 'at+jwt';
/** The ID token claim carrying the access token (DCP base protocol). */
export const TOKEN_CLAIM = 'token';
const MAX_ACCESS_TOKEN_BYTES = 8 * 1024;
/** Verifiers whose access token is kept for reuse (the list starts afresh beyond this). */
const MAX_REUSED_ACCESS_TOKENS = 1000;

/** The scopes Shuyu grants a verifier by default: its own credential types. */
export const DEFAULT_GRANTED_SCOPES: readonly string[] = SHUYU_CREDENTIAL_TYPES.map(scopeForType);

export interface SecureTokenServiceOptions {
  /** The current signer (called per token, so a key rotation takes effect at once). */
  signer: () => DidSigner;
  clock?: Clock;
  lifetimeSeconds?: number;
  /** Scopes granted when a call names none. Default DEFAULT_GRANTED_SCOPES. */
  defaultScopes?: readonly string[];
}

export interface SecureTokenService {
  /** The value for `Authorization: Bearer` towards `verifierDid`, granting it read access to `scopes`. */
  tokenFor(verifierDid: string, scopes?: readonly string[]): Promise<string>;
  /** The access token alone (what the DCP TCK's token-service step asks for). */
  accessTokenFor(verifierDid: string, scopes?: readonly string[]): Promise<string>;
}

export function createSecureTokenService(options: SecureTokenServiceOptions): SecureTokenService {
  const clock = options.clock ?? systemClock;
  const lifetimeSeconds = options.lifetimeSeconds ?? DEFAULT_ID_TOKEN_LIFETIME_SECONDS;
  const defaults = options.defaultScopes ?? DEFAULT_GRANTED_SCOPES;

  async function accessTokenFor(verifierDid: string, scopes = defaults): Promise<string> {
    parseScopes(scopes); // refuse to grant what our Credential Service could not read back
    const signer = options.signer();
    const now = epochSeconds(clock());
    return signer.signJwt(
      { typ: ACCESS_TOKEN_TYP },
      {
        iss: signer.did,
        aud: signer.did,
        sub: verifierDid,
        scope: scopes.join(' '),
        jti: randomUUID(),
        iat: now,
        exp: now + lifetimeSeconds,
      },
    );
  }

  // The access token a verifier presents back to our Credential Service, reused for later requests to
  // the same verifier while it has at least half its lifetime left: it carries no jti that anyone checks
  // for replay, and after its first request a verifier answers from its claims cache without using it.
  // One signature less per request; the ID token around it stays fresh (its jti is replay-checked).
  const issued = new Map<string, { signer: DidSigner; token: string; renewAt: number }>();
  async function reusableAccessToken(verifierDid: string, scopes = defaults): Promise<string> {
    const key = `${verifierDid} ${scopes.join(' ')}`;
    const signer = options.signer();
    const now = epochSeconds(clock());
    const cached = issued.get(key);
    // Same signer (a key rotation takes effect at once) and not yet past half its lifetime.
    if (cached !== undefined && cached.signer === signer && now < cached.renewAt) return cached.token;
    const token = await accessTokenFor(verifierDid, scopes);
    if (issued.size >= MAX_REUSED_ACCESS_TOKENS) issued.clear();
    issued.set(key, { signer, token, renewAt: now + Math.floor(lifetimeSeconds / 2) });
    return token;
  }

  return {
    accessTokenFor,
    tokenFor: async (verifierDid, scopes) => {
      const accessToken = await reusableAccessToken(verifierDid, scopes);
      const { token } = await createIdToken({
        signer: options.signer(),
        audience: verifierDid,
        lifetimeSeconds,
        claims: { [TOKEN_CLAIM]: accessToken },
        clock,
      });
      return token;
    },
  };
}

export interface AccessTokenCheck {
  /** Our DID (the token's issuer and audience). */
  readonly ownDid: string;
  /** Our published keys (the token must be signed by one of them). */
  readonly ownKeys: readonly Ed25519Key[];
  /** The DID of whoever presents the token (the verifier's ID token `iss`). */
  readonly bearer: string;
  readonly clock?: Clock;
  readonly clockSkewSeconds?: number;
}

function invalid(reason: string): DcpError {
  return new DcpError('ERR_DCP_ACCESS_TOKEN_INVALID', `The access token is not valid: ${reason}.`);
}

/** Verifies an access token our STS issued and returns the scopes it grants to `bearer`. */
export async function verifyAccessToken(token: unknown, check: AccessTokenCheck): Promise<Scope[]> {
  const jwt = decodeJwt(token, 'Access token', MAX_ACCESS_TOKEN_BYTES);
  const { header, payload } = jwt;
  if (header.typ !== ACCESS_TOKEN_TYP) throw invalid(`its typ is not "${ACCESS_TOKEN_TYP}"`);
  const key = check.ownKeys.find((k) => verificationMethodId(check.ownDid, k) === header.kid);
  if (key === undefined || header.alg !== 'EdDSA') throw invalid('it was not signed by this participant');
  if (!(await hasValidSignature(jwt.compact, key.publicKey, 'EdDSA'))) {
    throw invalid('its signature does not verify');
  }
  if (payload.iss !== check.ownDid || payload.aud !== check.ownDid) {
    throw invalid('it was issued for another Credential Service');
  }
  if (payload.sub !== check.bearer) {
    throw invalid(`it was granted to another verifier, not to ${check.bearer}`);
  }
  const exp = numericDate(payload, 'exp', 'Access token');
  const now = epochSeconds((check.clock ?? systemClock)());
  if (exp === undefined || exp + (check.clockSkewSeconds ?? 30) <= now) throw invalid('it has expired');
  if (typeof payload.scope !== 'string') throw invalid('it has no "scope" claim');
  return parseScopes(payload.scope.split(' ').filter((s) => s.length > 0));
}
