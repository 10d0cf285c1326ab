// Credential Service, resolution API (DCP verifiable presentation protocol): POST <service>/presentations/query.
// Rules, in the order they are checked:
//   401: no Authorization, or the verifier's self-issued ID token does not verify (aud = us, capabilityInvocation
//        key of the verifier, jti not replayed), or its `token` claim is not an access token our STS granted
//        to that verifier;
//   400: the body is not a PresentationQueryMessage (schema), or has both `scope` and `presentationDefinition`,
//        or an empty scope list (the schema's minItems), or a scope Shuyu cannot read;
//   501: `presentationDefinition` (Presentation Exchange is not supported);
//   200: a PresentationResponseMessage with one vp+jwt holding the held credentials that are both requested
//        and granted; requested scopes that were not granted are left out, never an error.
import { Router, type Request, type Response } from 'express';
import { HttpProblem } from '../../http/problem.js';
import { systemClock, type Clock } from '../clock.js';
import type { DidResolver } from '../did/resolver.js';
import { IdentityError } from '../errors.js';
import type { Ed25519Key } from '../keys/key.js';
import { createPresentationJwt } from '../presentation/create.js';
import type { DidSigner } from '../signer.js';
import { parseBearerToken } from '../tokens/bearer.js';
import { verifyIdToken } from '../tokens/id-token.js';
import type { ReplayCache } from '../tokens/replay-cache.js';
import { assertDcpMessage, DCP_CONTEXT_URL, dcpMessageProblems } from './schemas.js';
import { parseScopes, selectByScopes, type Scope } from './scopes.js';
import { TOKEN_CLAIM, verifyAccessToken } from './sts.js';

/** The path a verifier appends to the CredentialService endpoint of the DID document. */
export const PRESENTATION_QUERY_PATH = '/presentations/query';
export const CREDENTIAL_SERVICE_TYPE = 'CredentialService';

/** A credential the holder keeps, as the Credential Service selects it. */
export interface HeldCredential {
  readonly id: string;
  readonly type: string;
  /** The vc+jwt. */
  readonly credential: string;
}

export interface CredentialServiceOptions {
  readonly did: string;
  readonly signer: () => DidSigner;
  /** Our published keys: access tokens are verified against them without resolving our own DID. */
  readonly ownKeys: () => readonly Ed25519Key[];
  /** The credentials presentable now (not expired, not future). */
  readonly credentials: (now: Date) => Promise<readonly HeldCredential[]>;
  readonly resolver: DidResolver;
  readonly replayCache: ReplayCache;
  readonly clock?: Clock;
}

export interface PresentationResponseMessage {
  readonly '@context': readonly string[];
  readonly type: 'PresentationResponseMessage';
  readonly presentation: readonly string[];
}

export interface CredentialService {
  /** Answers one query; throws HttpProblem for every refusal. */
  query(authorization: string | undefined, body: unknown): Promise<PresentationResponseMessage>;
  /** POST /presentations/query, to mount under the CredentialService endpoint. */
  readonly router: Router;
}

function unauthorized(error: unknown): HttpProblem {
  const detail = error instanceof IdentityError ? error.message : 'The access token is not valid.';
  return new HttpProblem(401, 'unauthorized', detail);
}

export function createCredentialService(options: CredentialServiceOptions): CredentialService {
  const clock = options.clock ?? systemClock;

  /** The verifier's DID and the scopes our STS granted it. */
  async function authorize(
    authorization: string | undefined,
  ): Promise<{ verifier: string; granted: Scope[] }> {
    try {
      const idToken = await verifyIdToken(parseBearerToken(authorization), {
        resolver: options.resolver,
        audience: options.did,
        replayCache: options.replayCache,
        clock,
      });
      const granted = await verifyAccessToken(idToken.payload[TOKEN_CLAIM], {
        ownDid: options.did,
        ownKeys: options.ownKeys(),
        bearer: idToken.caller,
        clock,
      });
      return { verifier: idToken.caller, granted };
    } catch (error) {
      if (error instanceof IdentityError) throw unauthorized(error);
      throw error;
    }
  }

  function requestedScopes(body: unknown): Scope[] {
    const record = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    if ('scope' in record && 'presentationDefinition' in record) {
      throw new HttpProblem(
        400,
        'scope-and-presentation-definition',
        'A PresentationQueryMessage has either "scope" or "presentationDefinition", never both.',
      );
    }
    const problems = dcpMessageProblems('PresentationQueryMessage', body);
    if (problems.length > 0) {
      throw new HttpProblem(
        400,
        'invalid-body',
        'The body is not a valid PresentationQueryMessage.',
        problems,
      );
    }
    if ('presentationDefinition' in record) {
      throw new HttpProblem(
        501,
        'presentation-definition-not-supported',
        'This Credential Service answers scope queries only; send "scope" instead of "presentationDefinition".',
      );
    }
    try {
      return parseScopes(record.scope as string[]);
    } catch (error) {
      throw new HttpProblem(400, 'invalid-scope', (error as Error).message);
    }
  }

  async function query(
    authorization: string | undefined,
    body: unknown,
  ): Promise<PresentationResponseMessage> {
    const { verifier, granted } = await authorize(authorization);
    const requested = requestedScopes(body);
    const now = clock();
    const selected = selectByScopes(await options.credentials(now), requested, granted);
    const presentation =
      selected.length === 0
        ? []
        : [
            await createPresentationJwt({
              holder: options.signer(),
              credentials: selected.map((held) => held.credential),
              audience: verifier,
              clock,
            }),
          ];
    const response: PresentationResponseMessage = {
      '@context': [DCP_CONTEXT_URL],
      type: 'PresentationResponseMessage',
      presentation,
    };
    assertDcpMessage('PresentationResponseMessage', response, 'Our presentation response');
    return response;
  }

  const router = Router();
  router.post(PRESENTATION_QUERY_PATH, async (req: Request, res: Response, next) => {
    try {
      res.json(await query(req.headers.authorization, req.body));
    } catch (error) {
      next(error);
    }
  });
  return { query, router };
}
