// The verifier side of a DSP request under DCP. In order:
//   1. The caller's self-issued ID token: size, shape, iss = sub, aud = our DID, exp/iat, lifetime, DID
//      resolution (cached), signature by a capabilityInvocation key, jti replay. Every request, cached or not.
//   2. Its `token` claim must be present (the access token we hand to the caller's Credential Service).
//   3. The scopes this decision needs: what the request's policy reads (policy-scopes.ts, given by the caller
//      of verify), always membership; a fixed set when configured (the DCP TCK).
//   4. Claims cache: a caller verified recently for these scopes or more is answered from the cache, with no
//      Credential Service call. A query already under way for them is shared (single flight): concurrent
//      first requests of one caller make one query.
//   5. Otherwise: find the CredentialService in the caller's DID document, POST a PresentationQueryMessage
//      for our scopes with our own ID token carrying the access token (through the host policy), validate the
//      PresentationResponseMessage, verify each vp+jwt (holder = caller, aud = us, authentication key), then
//      every credential (credentials/verify.ts: issuer trust, signature, validity, status list), that each
//      is about the caller and was asked for, that the required types are there and the membership is for
//      our data space. Claims are mapped and cached until the earliest credential expiry (at most the cache's
//      bound, which is the revocation bound).
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
import { CredentialError, DcpError, PresentationError } from '../errors.js';
import { fetchBounded, type FetchLike } from '../net/fetch.js';
import { assertFetchAllowed, type HostPolicy } from '../net/host-policy.js';
import { verifyPresentationJwt } from '../presentation/verify.js';
import type { DidSigner } from '../signer.js';
import type { StatusChecker } from '../status-list/checker.js';
import { parseBearerToken } from '../tokens/bearer.js';
import { createIdToken, verifyIdToken } from '../tokens/id-token.js';
import { InMemoryReplayCache, type ReplayCache } from '../tokens/replay-cache.js';
import { isRecord } from '../util/json.js';
import { CREDENTIAL_SERVICE_TYPE, PRESENTATION_QUERY_PATH } from './credential-service.js';
import { assertDcpMessage, DCP_CONTEXT_URL } from './schemas.js';
import { ALL_SCOPES } from './policy-scopes.js';
import { parseScopes, scopeCovers, scopeForType, type Scope } from './scopes.js';
import { TOKEN_CLAIM } from './sts.js';

export const DEFAULT_MAX_QUERY_RESPONSE_BYTES = 1024 * 1024;
/** A member may hold many credentials now that they no longer travel in a header. */
export const DEFAULT_MAX_QUERIED_CREDENTIALS = 64;

export interface DcpVerifierOptions {
  /** Our DID: tokens and presentations must be addressed to it. */
  ourDid: string;
  /** Signs our own ID token towards the caller's Credential Service. */
  signer: () => DidSigner;
  resolver: DidResolver;
  trustList: TrustList;
  /** Which Credential Service endpoints we may call (the same policy as DID documents and status lists). */
  hostPolicy: HostPolicy;
  fetch?: FetchLike;
  statusChecker?: StatusChecker;
  documentLoader?: DocumentLoader;
  /** Default: an in-memory cache for this verifier. Share one across verifiers of the same process. */
  replayCache?: ReplayCache;
  /** Default: an in-memory cache with a 5-minute bound; `false` queries on every request. */
  claimsCache?: ClaimsCache | false;
  clock?: Clock;
  clockSkewSeconds?: number;
  maxTokenLifetimeSeconds?: number;
  maxTokenBytes?: number;
  /**
   * Fixed scopes asked for whatever the request (connector.json `dcp.scopes`, the DCP TCK). Without it each
   * request asks for the scopes given to verify(), default every Shuyu type (membership, sector, clearance).
   */
  scopes?: readonly string[];
  /** Credential types every caller must present; default ['MembershipCredential']. */
  requiredCredentialTypes?: readonly string[];
  /** If set, the caller's MembershipCredential must be for this data space. */
  dataSpace?: string;
  queryTimeoutMs?: number;
  maxResponseBytes?: number;
  maxCredentials?: number;
}

export interface RequestVerification {
  readonly claims: Readonly<VerifiedClaims>;
  /** The caller's DID (equal to claims.participantId). */
  readonly caller: string;
  readonly tokenId: string;
  readonly tokenExpiresAt: Date;
  /** True when the claims came from the claims cache (no Credential Service call). */
  readonly fromCache: boolean;
  /**
   * The service endpoints the caller's DID document lists (resolved on demand, from the resolver's cache):
   * where the caller says its DSP endpoint is when that is not on the host serving its DID (EDC's
   * identity hub and control plane usually differ).
   */
  readonly serviceEndpoints?: () => Promise<readonly string[]>;
}

/**
 * The scopes the decision at hand needs, or a function computing them once the ID token is verified (so
 * an unauthenticated request costs no policy lookup); undefined = every Shuyu type.
 */
export type ScopeSource = readonly string[] | (() => Promise<readonly string[] | undefined>);

export interface RequestVerifier {
  verify(token: unknown, scopes?: ScopeSource): Promise<RequestVerification>;
  /** Same, from an `Authorization` header value. */
  verifyAuthorization(header: string | undefined | null, scopes?: ScopeSource): Promise<RequestVerification>;
}

/** Every string serviceEndpoint a DID document lists. */
function serviceEndpointsOf(document: unknown): string[] {
  const services = isRecord(document) && Array.isArray(document.service) ? document.service : [];
  return services.flatMap((service: unknown) =>
    isRecord(service) && typeof service.serviceEndpoint === 'string' ? [service.serviceEndpoint] : [],
  );
}

/** The CredentialService endpoint of a resolved DID document. */
export function credentialServiceEndpoint(did: string, document: Readonly<Record<string, unknown>>): string {
  const services = Array.isArray(document.service) ? document.service : [];
  for (const service of services) {
    if (!isRecord(service)) continue;
    const types = Array.isArray(service.type) ? service.type : [service.type];
    if (types.includes(CREDENTIAL_SERVICE_TYPE) && typeof service.serviceEndpoint === 'string') {
      return service.serviceEndpoint;
    }
  }
  throw new DcpError(
    'ERR_DCP_CREDENTIAL_SERVICE_MISSING',
    `The DID document of ${did} lists no service of type ${CREDENTIAL_SERVICE_TYPE}, so its credentials cannot be queried.`,
    { details: { caller: did } },
  );
}

export function createDcpVerifier(options: DcpVerifierOptions): RequestVerifier {
  const clock = options.clock ?? systemClock;
  const skew = options.clockSkewSeconds ?? DEFAULT_CLOCK_SKEW_SECONDS;
  const replayCache = options.replayCache ?? new InMemoryReplayCache({ clock });
  const claimsCache =
    options.claimsCache === false ? undefined : (options.claimsCache ?? new ClaimsCache({ clock }));
  const documentLoader = options.documentLoader ?? createDocumentLoader();
  const fetch = options.fetch ?? (globalThis.fetch as unknown as FetchLike);
  const required = options.requiredCredentialTypes ?? ['MembershipCredential'];
  const fixedScopes = options.scopes ? [...options.scopes] : undefined;
  if (fixedScopes) parseScopes(fixedScopes); // a bad configuration fails at start, not per request
  const requiredScopes = required.map(scopeForType);
  /** Queries under way, per caller with the scopes each asked for: a request needing no more waits on one. */
  const inFlight = new Map<
    string,
    { scopes: ReadonlySet<string>; claims: Promise<Readonly<VerifiedClaims>> }[]
  >();

  /** The required types' scopes added to `asked` (none missing: `asked` itself, no copy on the hit path). */
  const withRequired = (asked: readonly string[]): readonly string[] => {
    const missing = requiredScopes.filter((scope) => !asked.includes(scope));
    return missing.length === 0 ? asked : [...missing, ...asked];
  };
  const defaultScopes = fixedScopes ?? withRequired(ALL_SCOPES);

  /** The scopes to ask: the fixed ones, or the required types' and the decision's, without duplicates. */
  async function scopesFor(source: () => Promise<readonly string[] | undefined>): Promise<readonly string[]> {
    if (fixedScopes) return fixedScopes;
    try {
      const asked = await source();
      return asked === undefined ? defaultScopes : withRequired(asked);
    } catch {
      return defaultScopes; // the policy could not be looked at: ask for everything
    }
  }

  /** Asks the caller's Credential Service for its presentations; returns the vp+jwt strings. */
  async function queryPresentations(
    caller: string,
    accessToken: string,
    scopeTexts: readonly string[],
  ): Promise<string[]> {
    const resolved = await options.resolver.resolve(caller);
    const endpoint = credentialServiceEndpoint(caller, resolved.document);
    const url = assertFetchAllowed(
      options.hostPolicy,
      endpoint.replace(/\/+$/, '') + PRESENTATION_QUERY_PATH,
      `Credential Service of ${caller}`,
    );
    const { token } = await createIdToken({
      signer: options.signer(),
      audience: caller,
      claims: { [TOKEN_CLAIM]: accessToken },
      clock,
    });
    const message = {
      '@context': [DCP_CONTEXT_URL],
      type: 'PresentationQueryMessage',
      scope: [...scopeTexts],
    };
    assertDcpMessage('PresentationQueryMessage', message, 'Our presentation query');
    const { body } = await fetchBounded(fetch, url, {
      accept: 'application/json',
      maxBytes: options.maxResponseBytes ?? DEFAULT_MAX_QUERY_RESPONSE_BYTES,
      timeoutMs: options.queryTimeoutMs ?? 10_000,
      what: `Credential Service of ${caller}`,
      post: {
        body: JSON.stringify(message),
        headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      },
    });
    let response: unknown;
    try {
      response = JSON.parse(body);
    } catch {
      throw new DcpError('ERR_DCP_QUERY_FAILED', `The Credential Service of ${caller} did not answer JSON.`, {
        details: { caller },
      });
    }
    assertDcpMessage('PresentationResponseMessage', response, `The answer of ${caller}'s Credential Service`);
    const presentations = (response as { presentation: unknown[] }).presentation;
    if (presentations.some((entry) => typeof entry !== 'string')) {
      throw new DcpError(
        'ERR_DCP_QUERY_FAILED',
        `The Credential Service of ${caller} answered a presentation that is not a vp+jwt (profile vc20-bssl/jwt).`,
        { details: { caller } },
      );
    }
    return presentations as string[];
  }

  async function verifyCredentials(
    caller: string,
    entries: readonly unknown[],
    scopes: readonly Scope[],
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
      // DCP: the presentation must be created according to the scopes we asked for.
      const asked = scopes.some((scope) =>
        scopeCovers(scope, { id: credential.id ?? '', type: credential.type }),
      );
      if (!asked) {
        throw new DcpError(
          'ERR_DCP_QUERY_FAILED',
          `${caller}'s Credential Service returned a ${credential.type}, which no scope of the query asked for.`,
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

  /** One Credential Service query and the verification of what it answered; the claims are cached. */
  async function queryClaims(
    caller: string,
    accessToken: string,
    scopeTexts: readonly string[],
  ): Promise<Readonly<VerifiedClaims>> {
    const scopes = parseScopes(scopeTexts);
    const presentations = await queryPresentations(caller, accessToken, scopeTexts);
    const entries: unknown[] = [];
    for (const vp of presentations) {
      const presentation = await verifyPresentationJwt(vp, {
        resolver: options.resolver,
        holder: caller,
        audience: options.ourDid,
        clock,
        clockSkewSeconds: skew,
        maxBytes: options.maxResponseBytes ?? DEFAULT_MAX_QUERY_RESPONSE_BYTES,
        maxCredentials: options.maxCredentials ?? DEFAULT_MAX_QUERIED_CREDENTIALS,
      });
      entries.push(...presentation.credentials);
    }
    const credentials = await verifyCredentials(caller, entries, scopes);
    const claims = freezeClaims(claimsFromCredentials(caller, credentials));
    const expiries = credentials.flatMap((credential) =>
      credential.validUntil ? [credential.validUntil.getTime()] : [],
    );
    claimsCache?.store(
      caller,
      scopeTexts,
      claims,
      expiries.length > 0 ? new Date(Math.min(...expiries)) : undefined,
    );
    return claims;
  }

  /** The query for `scopes` (or more) already under way for `caller`, else a new one, shared. */
  function sharedQuery(
    caller: string,
    accessToken: string,
    scopes: readonly string[],
  ): Promise<Readonly<VerifiedClaims>> {
    const pending = inFlight.get(caller);
    const joined = pending?.find((query) => scopes.every((scope) => query.scopes.has(scope)));
    if (joined) return joined.claims;
    const query = { scopes: new Set(scopes), claims: queryClaims(caller, accessToken, scopes) };
    inFlight.set(caller, [...(pending ?? []), query]);
    const done = (): void => {
      const left = (inFlight.get(caller) ?? []).filter((other) => other !== query);
      if (left.length > 0) inFlight.set(caller, left);
      else inFlight.delete(caller);
    };
    query.claims.then(done, done);
    return query.claims;
  }

  async function verify(token: unknown, scopeSource?: ScopeSource): Promise<RequestVerification> {
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
      // Checked before the caller's DID document is fetched.
      checkPayload: (payload) => {
        const claim = payload[TOKEN_CLAIM];
        if (typeof claim !== 'string' || claim.length === 0) {
          throw new DcpError(
            'ERR_DCP_TOKEN_CLAIM_MISSING',
            `The ID token carries no "${TOKEN_CLAIM}" claim: under DCP it holds the access token for the ` +
              "caller's Credential Service.",
            { details: { caller: String(payload.iss).slice(0, 200) } },
          );
        }
      },
    });
    const caller = idToken.caller;
    const accessToken = idToken.payload[TOKEN_CLAIM] as string;
    const result = {
      caller,
      tokenId: idToken.jti,
      tokenExpiresAt: idToken.expiresAt,
      serviceEndpoints: async () => serviceEndpointsOf((await options.resolver.resolve(caller)).document),
    };
    // Synchronous unless the scopes need a lookup: the cache-hit path stays one await (the ID token) long.
    const scopes =
      typeof scopeSource === 'function'
        ? await scopesFor(scopeSource)
        : (fixedScopes ?? (scopeSource ? withRequired(scopeSource) : defaultScopes));
    const cached = claimsCache?.lookup(caller, scopes);
    if (cached) return { ...result, claims: cached, fromCache: true };
    // Shared with concurrent requests of this caller: the access tokens differ, the caller and its
    // credentials do not.
    return { ...result, claims: await sharedQuery(caller, accessToken, scopes), fromCache: false };
  }

  return {
    verify,
    verifyAuthorization: async (header, scopes) => verify(parseBearerToken(header), scopes),
  };
}
