// Hooks the official DCP TCK (eclipse-dataspacetck/dcp-tck) needs from a Credential Service under test,
// mounted only in the test-only identity mode (connector.json `testIdentity`, loopback only), like the
// DSP TCK hooks (connector/dsp/tck.ts). docs/conformance.md explains the setup.
//
//   POST /tck/dcp/sts/token   the token-service step: an OAuth2 client-credentials form
//        (grant_type=client_credentials, client_id, client_secret = the static test token, audience = the
//        verifier's DID, bearer_access_scope = space-separated scopes) → {access_token: a self-issued ID
//        token for `audience` whose `token` claim grants it those scopes}. The TCK reads the `token` claim.
// The storage step (a CredentialMessage to <CS>/credentials) is the Credential Service's storage API
// (storage.ts); in this mode it also takes credentials from the configured `dcp.trustedIssuers`.
import express, { Router } from 'express';
import { HttpProblem } from '../../http/problem.js';
import type { TestIdentity } from '../test-identity.js';
import { parseScopes } from './scopes.js';
import type { SecureTokenService } from './sts.js';

export const TCK_DCP_STS_TOKEN_PATH = '/tck/dcp/sts/token';

export interface DcpTckHooksOptions {
  readonly identity: TestIdentity;
  readonly sts: SecureTokenService;
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
