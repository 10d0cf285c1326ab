// The callee side of a DSP request. In order:
//   1. ID token: size, shape, iss = sub, aud = our DID, exp/iat/nbf, lifetime, then DID resolution and the
//      signature by a capabilityInvocation key of the caller, then jti replay (every request, cached or not).
//   2. Presentation (vp_token): signed by an authentication key of the caller, holder = caller, aud = our DID,
//      nonce = the token's jti, not expired.
//   3. Claims cache: if this caller presented exactly these credentials recently, reuse the claims.
//   4. Otherwise every credential is verified (see credentials/verify.ts), its subject must be the caller, the
//      required types must be present and the membership must be for our data space; claims are mapped and
//      cached until the earliest credential expiry (at most the cache's maximum lifetime).
import { createHash } from 'node:crypto';
import { systemClock, type Clock } from '../clock.js';
import { ClaimsCache } from '../claims/cache.js';
import { claimsFromCredentials, freezeClaims } from '../claims/map.js';
import type { VerifiedClaims } from '../claims/types.js';
import {
  DEFAULT_CLOCK_SKEW_SECONDS,
  verifyCredential,
  type VerifiedCredential,
} from '../credentials/verify.js';
import type { TrustList } from '../credentials/trust-list.js';
import type { DidResolver } from '../did/resolver.js';
import { createDocumentLoader, type DocumentLoader } from '../document-loader/loader.js';
import { CredentialError, InputError, PresentationError } from '../errors.js';
import { verifyPresentationJwt } from '../presentation/verify.js';
import type { StatusChecker } from '../status-list/checker.js';
import { parseBearerToken } from './bearer.js';
import { DEFAULT_MAX_ID_TOKEN_BYTES, verifyIdToken } from './id-token.js';
import { InMemoryReplayCache, type ReplayCache } from './replay-cache.js';
import { VP_TOKEN_CLAIM } from './request-token.js';

export interface RequestVerifierOptions {
  /** Our DID: tokens and presentations must be addressed to it. */
  ourDid: string;
  resolver: DidResolver;
  trustList: TrustList;
  statusChecker?: StatusChecker;
  documentLoader?: DocumentLoader;
  /** Default: an in-memory cache for this verifier. Share one across verifiers of the same connector. */
  replayCache?: ReplayCache;
  /** Default: an in-memory cache with a 5-minute bound; `false` verifies every credential on every request. */
  claimsCache?: ClaimsCache | false;
  clock?: Clock;
  clockSkewSeconds?: number;
  maxTokenLifetimeSeconds?: number;
  maxTokenBytes?: number;
  maxCredentials?: number;
  /** Credential types every caller must present; default ['MembershipCredential']. */
  requiredCredentialTypes?: readonly string[];
  /** If set, the caller's MembershipCredential must be for this data space. */
  dataSpace?: string;
}

export interface RequestVerification {
  readonly claims: Readonly<VerifiedClaims>;
  /** The caller's DID (equal to claims.participantId). */
  readonly caller: string;
  readonly tokenId: string;
  readonly tokenExpiresAt: Date;
  /** True when the claims came from the claims cache (credentials were not re-verified). */
  readonly fromCache: boolean;
}

export interface RequestVerifier {
  verify(token: unknown): Promise<RequestVerification>;
  /** Same, from an `Authorization` header value. */
  verifyAuthorization(header: string | undefined | null): Promise<RequestVerification>;
}

function credentialsDigest(entries: readonly unknown[]): string {
  return createHash('sha256').update(JSON.stringify(entries)).digest('base64url');
}

export function createRequestVerifier(options: RequestVerifierOptions): RequestVerifier {
  const clock = options.clock ?? systemClock;
  const skew = options.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS;
  const replayCache = options.replayCache ?? new InMemoryReplayCache({ clock });
  const claimsCache =
    options.claimsCache === false ? undefined : (options.claimsCache ?? new ClaimsCache({ clock }));
  const documentLoader = options.documentLoader ?? createDocumentLoader();
  const required = options.requiredCredentialTypes ?? ['MembershipCredential'];

  async function verifyCredentials(
    caller: string,
    entries: readonly unknown[],
  ): Promise<VerifiedCredential[]> {
    const settled = await Promise.allSettled(
      entries.map((entry) =>
        verifyCredential(entry, {
          resolver: options.resolver,
          trustList: options.trustList,
          documentLoader,
          clock,
          clockSkewSeconds: skew,
          ...(options.statusChecker ? { statusChecker: options.statusChecker } : {}),
        }),
      ),
    );
    // Report the first failure in presentation order, so the reason is deterministic.
    const failure = settled.find((result) => result.status === 'rejected');
    if (failure) throw failure.reason;
    const credentials = settled.map((result) => (result as PromiseFulfilledResult<VerifiedCredential>).value);
    for (const credential of credentials) {
      if (credential.subject.id !== caller) {
        throw new PresentationError(
          'ERR_PRESENTATION_SUBJECT_MISMATCH',
          `Credential ${credential.id ?? '(no id)'} is about ${credential.subject.id}, not about the caller ` +
            `${caller}; a participant can only present its own credentials.`,
          { details: { caller } },
        );
      }
    }
    const types = new Set<string>(credentials.map((credential) => credential.type));
    const missing = required.filter((type) => !types.has(type));
    if (missing.length > 0) {
      throw new PresentationError(
        'ERR_PRESENTATION_CREDENTIAL_MISSING',
        `${caller} did not present ${missing.join(', ')}, which this connector requires.`,
        { details: { caller, missing: missing.join(',') } },
      );
    }
    if (options.dataSpace !== undefined) {
      for (const credential of credentials) {
        if (credential.type !== 'MembershipCredential') continue;
        const subject = credential.subject as { dataSpace?: string };
        if (subject.dataSpace !== options.dataSpace) {
          throw new CredentialError(
            'ERR_CREDENTIAL_WRONG_DATA_SPACE',
            `${caller}'s membership is for data space ${String(subject.dataSpace)}, not ${options.dataSpace}.`,
            { details: { caller } },
          );
        }
      }
    }
    return credentials;
  }

  async function verify(token: unknown): Promise<RequestVerification> {
    const idToken = await verifyIdToken(token, {
      resolver: options.resolver,
      audience: options.ourDid,
      replayCache,
      clock,
      clockSkewSeconds: skew,
      ...(options.maxTokenLifetimeSeconds !== undefined
        ? { maxLifetimeSeconds: options.maxTokenLifetimeSeconds }
        : {}),
      ...(options.maxTokenBytes !== undefined ? { maxTokenBytes: options.maxTokenBytes } : {}),
    });
    const caller = idToken.caller;
    const vpToken = idToken.payload[VP_TOKEN_CLAIM];
    if (typeof vpToken !== 'string') {
      throw new InputError(
        'ERR_INPUT_MALFORMED',
        `The ID token carries no "${VP_TOKEN_CLAIM}" claim; Shuyu expects the caller's presentation inside the token.`,
      );
    }
    const presentation = await verifyPresentationJwt(vpToken, {
      resolver: options.resolver,
      holder: caller,
      audience: options.ourDid,
      nonce: idToken.jti,
      clock,
      clockSkewSeconds: skew,
      // The presentation travels inside the token, so the token limit bounds it.
      maxBytes: options.maxTokenBytes ?? DEFAULT_MAX_ID_TOKEN_BYTES,
      ...(options.maxCredentials !== undefined ? { maxCredentials: options.maxCredentials } : {}),
    });
    const result = { caller, tokenId: idToken.jti, tokenExpiresAt: idToken.expiresAt };

    const digest = credentialsDigest(presentation.credentials);
    const cached = claimsCache?.lookup(caller, digest);
    if (cached) return { ...result, claims: cached, fromCache: true };

    const credentials = await verifyCredentials(caller, presentation.credentials);
    const claims = freezeClaims(claimsFromCredentials(caller, credentials));
    const expiries = credentials.flatMap((credential) =>
      credential.validUntil ? [credential.validUntil.getTime()] : [],
    );
    claimsCache?.store(
      caller,
      digest,
      claims,
      expiries.length > 0 ? new Date(Math.min(...expiries)) : undefined,
    );
    return { ...result, claims, fromCache: false };
  }

  return {
    verify,
    verifyAuthorization: async (header) => verify(parseBearerToken(header)),
  };
}
