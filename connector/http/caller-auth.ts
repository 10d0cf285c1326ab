// Turning identity failures into HTTP answers, and the two authentication middlewares:
//   - requireCaller: a DCP self-issued ID token (claims from the caller's Credential Service), for members;
//   - requireDidProof: an ID token only (proves control of a DID), for participants who have no
//     credentials yet, e.g. when they apply to the authority or collect what it issued.
// 401 = we could not tell who is calling; 403 = we know who, but their credentials do not let them in.
import type { Request, RequestHandler, Response } from 'express';
import { IdentityError } from '../identity/errors.js';
import type { DidResolver } from '../identity/did/resolver.js';
import { verifyIdToken, type VerifiedIdToken } from '../identity/tokens/id-token.js';
import { parseBearerToken } from '../identity/tokens/bearer.js';
import type { ReplayCache } from '../identity/tokens/replay-cache.js';
import type { RequestVerification, RequestVerifier, ScopeSource } from '../identity/dcp/verifier.js';
import { HttpProblem } from './problem.js';

/** The tokenId of a caller authenticated by the test identity mode's static token (never in production). */
export const TEST_IDENTITY_TOKEN_ID = 'test-identity';

/** Failures that concern the caller's credentials rather than the proof of who they are. */
const FORBIDDEN_CODES = new Set<string>([
  'ERR_CREDENTIAL_SCHEMA_INVALID',
  'ERR_CREDENTIAL_TYPE_UNSUPPORTED',
  'ERR_CREDENTIAL_ISSUER_UNTRUSTED',
  'ERR_CREDENTIAL_ISSUER_KEY_MISMATCH',
  'ERR_CREDENTIAL_SIGNATURE_INVALID',
  'ERR_CREDENTIAL_EXPIRED',
  'ERR_CREDENTIAL_NOT_YET_VALID',
  'ERR_CREDENTIAL_REVOKED',
  'ERR_CREDENTIAL_SUSPENDED',
  'ERR_CREDENTIAL_STATUS_UNAVAILABLE',
  'ERR_CREDENTIAL_STATUS_INVALID',
  'ERR_CREDENTIAL_WRONG_DATA_SPACE',
  'ERR_CONTEXT_NOT_ALLOWED',
  'ERR_PRESENTATION_CREDENTIAL_MISSING',
  'ERR_PRESENTATION_SUBJECT_MISMATCH',
  'ERR_STATUS_LIST_ISSUER_MISMATCH',
]);

/**
 * The caller's own server (its Credential Service, DID host) answered with a server error: a passing
 * failure, e.g. one of the caller's replicas died mid-request behind its load balancer. 503 makes the
 * caller retry where 401 would make it give up.
 */
function callerServerFailed(error: IdentityError): boolean {
  const status = error.details.status;
  return error.code === 'ERR_FETCH_FAILED' && typeof status === 'number' && status >= 500;
}

/** The problem for an identity failure; anything that is not an IdentityError is rethrown as is. */
export function identityProblem(error: unknown): HttpProblem {
  if (!(error instanceof IdentityError)) throw error;
  const forbidden = FORBIDDEN_CODES.has(error.code);
  return new HttpProblem(
    callerServerFailed(error) ? 503 : forbidden ? 403 : 401,
    error.code.replace(/^ERR_/, '').toLowerCase().replaceAll('_', '-'),
    error.message,
  );
}

export function callerOf(res: Response): RequestVerification {
  const caller = res.locals.caller as RequestVerification | undefined;
  if (!caller) throw new Error('requireCaller must run before this handler');
  return caller;
}

/** `scopesOf` names the credentials the request's decision reads (default: every Shuyu type). */
export function requireCaller(
  verifier: RequestVerifier,
  scopesOf?: (req: Request) => Promise<readonly string[] | undefined>,
): RequestHandler {
  return async (req, res, next) => {
    try {
      const scopes: ScopeSource | undefined = scopesOf && (() => scopesOf(req));
      res.locals.caller = await verifier.verifyAuthorization(req.headers.authorization, scopes);
      next();
    } catch (error) {
      next(error instanceof IdentityError ? identityProblem(error) : error);
    }
  };
}

export interface DidProofOptions {
  resolver: DidResolver;
  /** Our DID: the token must be addressed to it. */
  audience: string;
  replayCache: ReplayCache;
}

export function didProofOf(res: Response): VerifiedIdToken {
  const proof = res.locals.didProof as VerifiedIdToken | undefined;
  if (!proof) throw new Error('requireDidProof must run before this handler');
  return proof;
}

export async function verifyDidProof(req: Request, options: DidProofOptions): Promise<VerifiedIdToken> {
  try {
    return await verifyIdToken(parseBearerToken(req.headers.authorization), options);
  } catch (error) {
    throw error instanceof IdentityError ? identityProblem(error) : error;
  }
}

export function requireDidProof(options: DidProofOptions): RequestHandler {
  return async (req, res, next) => {
    try {
      res.locals.didProof = await verifyDidProof(req, options);
      next();
    } catch (error) {
      next(error);
    }
  };
}
