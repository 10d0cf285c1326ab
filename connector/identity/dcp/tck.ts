// Hooks the official DCP TCK (eclipse-dataspacetck/dcp-tck) needs from a Credential Service under test,
// mounted only in the test-only identity mode (connector.json `testIdentity`, loopback only), like the
// DSP TCK hooks (connector/dsp/tck.ts). docs/conformance.md explains the setup.
//
//   POST /tck/dcp/sts/token   the token-service step: an OAuth2 client-credentials form
//        (grant_type=client_credentials, client_id, client_secret = the static test token, audience = the
//        verifier's DID, bearer_access_scope = space-separated scopes) → {access_token: a self-issued ID
//        token for `audience` whose `token` claim grants it those scopes}. The TCK reads the `token` claim.
//   POST <CS>/credentials     the storage step: a CredentialMessage, Authorization = a self-issued ID token
//        from the issuer (aud = our DID); only issuers in `trustedIssuers` may store. The vc+jwt
//        credentials go into the wallet under that issuer.
import express, { Router, type Request } from 'express';
import { HttpProblem } from '../../http/problem.js';
import type { Clock } from '../clock.js';
import type { DidResolver } from '../did/resolver.js';
import { IdentityError } from '../errors.js';
import type { TestIdentity } from '../test-identity.js';
import { parseBearerToken } from '../tokens/bearer.js';
import { verifyIdToken } from '../tokens/id-token.js';
import type { ReplayCache } from '../tokens/replay-cache.js';
import { decodeJwt } from '../util/jwt.js';
import { dcpMessageProblems } from './schemas.js';
import { parseScopes } from './scopes.js';
import type { SecureTokenService } from './sts.js';

export const TCK_DCP_STS_TOKEN_PATH = '/tck/dcp/sts/token';
export const CREDENTIAL_STORAGE_PATH = '/credentials';

/** A credential the storage step delivered. */
export interface StoredCredential {
  readonly id: string;
  readonly type: string;
  readonly credential: string;
  readonly validFrom?: string;
  readonly validUntil?: string;
}

export interface DcpTckHooksOptions {
  readonly did: string;
  readonly identity: TestIdentity;
  readonly sts: SecureTokenService;
  readonly resolver: DidResolver;
  readonly replayCache: ReplayCache;
  /** DIDs allowed to store credentials (the TCK's issuer). */
  readonly trustedIssuers: readonly string[];
  /** Puts what `issuer` delivered into the wallet. */
  readonly store: (issuer: string, credentials: readonly StoredCredential[]) => Promise<void>;
  readonly clock?: Clock;
}

/** The STS token hook (mount at the app root). */
export function dcpTckStsRouter(options: DcpTckHooksOptions): Router {
  const router = Router();
  router.post(
    TCK_DCP_STS_TOKEN_PATH,
    express.urlencoded({ extended: false, limit: '16kb' }),
    async (req, res) => {
      const form = (req.body ?? {}) as Record<string, unknown>;
      try {
        options.identity.verifyAuthorization(`Bearer ${String(form.client_secret ?? '')}`);
      } catch {
        throw new HttpProblem(401, 'invalid-client', 'client_secret must be the test identity token.');
      }
      if (form.grant_type !== 'client_credentials' || typeof form.audience !== 'string') {
        throw new HttpProblem(
          400,
          'invalid-request',
          'Send grant_type=client_credentials, client_id, client_secret, audience and bearer_access_scope.',
        );
      }
      const scopes = String(form.bearer_access_scope ?? '')
        .split(' ')
        .filter((s) => s.length > 0);
      try {
        parseScopes(scopes);
      } catch (error) {
        throw new HttpProblem(400, 'invalid-scope', (error as Error).message);
      }
      const token = await options.sts.tokenFor(form.audience, scopes.length > 0 ? scopes : undefined);
      res.json({ access_token: token, token_type: 'Bearer', expires_in: 300 });
    },
  );
  return router;
}

/** The storage hook (mount under the CredentialService endpoint). */
export function dcpTckStorageRouter(options: DcpTckHooksOptions): Router {
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
    if (!options.trustedIssuers.includes(issuer)) {
      throw new HttpProblem(403, 'issuer-not-trusted', `${issuer} may not store credentials here.`);
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
    await options.store(issuer, stored);
    res.status(200).json({});
  });
  return router;
}

function isDate(value: unknown): value is string {
  return typeof value === 'string' && !Number.isNaN(Date.parse(value));
}
