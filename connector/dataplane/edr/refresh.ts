// Refreshing before expiry: the holder of a valid, unexpired reference for a started transfer gets a
// new one with the same bindings. The session start travels along (auth_time), so refreshing cannot
// stretch access past maxSessionSeconds; a suspended or ended transfer cannot be refreshed at all.
import { epochSeconds, systemClock } from '../../identity/clock.js';
import type { DidSigner } from '../../identity/signer.js';
import { DataPlaneError } from '../errors.js';
import { DEFAULT_MAX_SESSION_SECONDS } from './claims.js';
import { issueEdr, type EndpointDataReference } from './issue.js';
import { verifyEdr, type VerifyEdrOptions } from './verify.js';

export interface RefreshEdrOptions extends VerifyEdrOptions {
  readonly signer: DidSigner;
  /** Public base URL of the data plane router. */
  readonly endpoint: string;
  readonly lifetimeSeconds?: number;
  readonly maxSessionSeconds?: number;
}

export async function refreshEdr(token: string, options: RefreshEdrOptions): Promise<EndpointDataReference> {
  const verified = await verifyEdr(token, options);
  const now = (options.clock ?? systemClock)();
  const sessionEnd = new Date(
    (verified.claims.auth_time + (options.maxSessionSeconds ?? DEFAULT_MAX_SESSION_SECONDS)) * 1000,
  );
  if (epochSeconds(now) >= epochSeconds(sessionEnd)) {
    throw new DataPlaneError(
      'ERR_EDR_SESSION_EXPIRED',
      `Access through this transfer ended at ${sessionEnd.toISOString()}; request a new transfer under the agreement.`,
      { details: { transferId: verified.claims.transfer_id } },
    );
  }
  return issueEdr(
    {
      agreementId: verified.claims.agreement_id,
      transferId: verified.claims.transfer_id,
      consumerDid: verified.claims.sub,
      providerDid: options.signer.did,
      endpoint: options.endpoint,
      ...(options.lifetimeSeconds !== undefined ? { lifetimeSeconds: options.lifetimeSeconds } : {}),
      notAfter: sessionEnd,
      sessionStartedAt: verified.sessionStartedAt,
    },
    options.signer,
    options.clock ? { clock: options.clock } : {},
  );
}
