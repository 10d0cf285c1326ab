// Credential Service storage API (DCP credential issuance protocol): POST <CS>/credentials with a
// CredentialMessage, Authorization = the issuer's self-issued ID token (aud = our DID). Who may deliver and
// what is checked before anything is kept is the caller's `store` decision (connector.ts: the authority's
// credentials are verified like any presented credential; in the test identity mode the configured
// issuers may store, for the DCP TCK). 401 without a valid token, 400 for a body that is not a
// CredentialMessage or holds no vc+jwt, 403 when `store` refuses the issuer.
import { Router, type Request } from 'express';
import { HttpProblem } from '../../http/problem.js';
import type { Clock } from '../clock.js';
import type { DidResolver } from '../did/resolver.js';
import { IdentityError } from '../errors.js';
import { parseBearerToken } from '../tokens/bearer.js';
import { verifyIdToken } from '../tokens/id-token.js';
import type { ReplayCache } from '../tokens/replay-cache.js';
import { decodeJwt } from '../util/jwt.js';
import { dcpMessageProblems } from './schemas.js';

export const CREDENTIAL_STORAGE_PATH = '/credentials';

/** A credential a CredentialMessage delivered (not verified yet). */
export interface StoredCredential {
  readonly id: string;
  readonly type: string;
  readonly credential: string;
  readonly validFrom?: string;
  readonly validUntil?: string;
}

export interface CredentialStorageOptions {
  readonly did: string;
  readonly resolver: DidResolver;
  readonly replayCache: ReplayCache;
  /** Keeps what `issuer` delivered, or throws (HttpProblem 403, an IdentityError) to refuse it. */
  readonly store: (issuer: string, credentials: readonly StoredCredential[]) => Promise<void>;
  readonly clock?: Clock;
}

/** The storage route (mount under the CredentialService endpoint). */
export function credentialStorageRouter(options: CredentialStorageOptions): Router {
  const router = Router();
  router.post(CREDENTIAL_STORAGE_PATH, async (req: Request, res) => {
    let issuer: string;
    try {
      const proof = await verifyIdToken(parseBearerToken(req.headers.authorization), {
        resolver: options.resolver,
        audience: options.did,
        replayCache: options.replayCache,
        ...(options.clock ? { clock: options.clock } : {}),
      });
      issuer = proof.caller;
    } catch (error) {
      if (error instanceof IdentityError) throw new HttpProblem(401, 'unauthorized', error.message);
      throw error;
    }
    const problems = dcpMessageProblems('CredentialMessage', req.body);
    if (problems.length > 0) {
      throw new HttpProblem(400, 'invalid-body', 'The body is not a valid CredentialMessage.', problems);
    }
    const message = req.body as {
      credentials: { credentialType: string; payload: unknown; format: string }[];
    };
    const stored: StoredCredential[] = [];
    for (const [index, entry] of message.credentials.entries()) {
      if (typeof entry.payload !== 'string') {
        throw new HttpProblem(
          400,
          'unsupported-format',
          `Credential ${index} is not a vc+jwt; this Credential Service holds profile vc20-bssl/jwt only.`,
        );
      }
      let payload: Record<string, unknown>;
      try {
        payload = decodeJwt(entry.payload, `Credential ${index}`, 64 * 1024).payload;
      } catch (error) {
        throw new HttpProblem(400, 'invalid-credential', (error as Error).message);
      }
      const vc = (typeof payload.vc === 'object' && payload.vc !== null ? payload.vc : payload) as Record<
        string,
        unknown
      >;
      const id = [vc.id, payload.jti].find((v): v is string => typeof v === 'string') ?? `urn:tck:${index}`;
      stored.push({
        id,
        type: entry.credentialType,
        credential: entry.payload,
        ...(isDate(vc.validFrom) ? { validFrom: vc.validFrom } : {}),
        ...(isDate(vc.validUntil) ? { validUntil: vc.validUntil } : {}),
      });
    }
    try {
      await options.store(issuer, stored);
    } catch (error) {
      if (error instanceof IdentityError) throw new HttpProblem(400, 'invalid-credential', error.message);
      throw error;
    }
    res.status(200).json({});
  });
  return router;
}

function isDate(value: unknown): value is string {
  return typeof value === 'string' && !Number.isNaN(Date.parse(value));
}
