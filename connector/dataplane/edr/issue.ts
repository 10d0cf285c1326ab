// Issuing an endpoint data reference for a started pull transfer.
import { randomUUID } from 'node:crypto';
import { epochSeconds, systemClock, type Clock } from '../../identity/clock.js';
import type { DidSigner } from '../../identity/signer.js';
import { httpDataAddress } from '../../dsp/messages/data-address.js';
import { DataPlaneError } from '../errors.js';
import {
  DEFAULT_EDR_LIFETIME_SECONDS,
  EDR_TOKEN_TYPE,
  MAX_EDR_LIFETIME_SECONDS,
  edrAudience,
  transferDataUrl,
  transferRefreshUrl,
  type EdrClaims,
} from './claims.js';

export interface IssueEdrInput {
  readonly agreementId: string;
  readonly transferId: string;
  readonly consumerDid: string;
  /** Must be the signer's DID. */
  readonly providerDid: string;
  /** Public base URL the data plane router is mounted at (e.g. https://provider.example/dataplane). */
  readonly endpoint: string;
  /** Token lifetime (default 300 s, at most one day). */
  readonly lifetimeSeconds?: number;
  /** Hard end of access through refreshing (set by refreshEdr). */
  readonly notAfter?: Date;
  /** When the first token of this transfer was issued (set by refreshEdr). */
  readonly sessionStartedAt?: Date;
}

export interface EndpointDataReference {
  readonly transferId: string;
  readonly agreementId: string;
  /** GET (or HEAD) the data here. */
  readonly endpoint: string;
  readonly authType: 'bearer';
  /** The token, sent as `Authorization: Bearer <authorization>`. */
  readonly authorization: string;
  /** ISO 8601. */
  readonly expiresAt: string;
  readonly expiresIn: number;
  /** POST here with the current, unexpired token to get a fresh reference. */
  readonly refreshEndpoint: string;
}

/** The endpoint type of an HTTP pull endpoint (IDSA's, which EDC also uses). */
export const HTTP_ENDPOINT_TYPE = 'https://w3id.org/idsa/v4.1/HTTP';

export async function issueEdr(
  input: IssueEdrInput,
  signer: DidSigner,
  options: { clock?: Clock } = {},
): Promise<EndpointDataReference> {
  if (input.providerDid !== signer.did) {
    throw new DataPlaneError(
      'ERR_EDR_BINDING_MISMATCH',
      `The provider DID ${input.providerDid} is not the signer's DID ${signer.did}; sign with the connector's own identity.`,
    );
  }
  const lifetime = input.lifetimeSeconds ?? DEFAULT_EDR_LIFETIME_SECONDS;
  if (!Number.isSafeInteger(lifetime) || lifetime < 1 || lifetime > MAX_EDR_LIFETIME_SECONDS) {
    throw new RangeError(`lifetimeSeconds must be an integer from 1 to ${MAX_EDR_LIFETIME_SECONDS}`);
  }
  const now = epochSeconds((options.clock ?? systemClock)());
  const hardEnd = input.notAfter === undefined ? Infinity : epochSeconds(input.notAfter);
  const exp = Math.min(now + lifetime, hardEnd);
  const claims: EdrClaims = {
    iss: signer.did,
    sub: input.consumerDid,
    aud: edrAudience(input.transferId),
    jti: randomUUID(),
    iat: now,
    nbf: now,
    exp,
    auth_time: input.sessionStartedAt === undefined ? now : epochSeconds(input.sessionStartedAt),
    agreement_id: input.agreementId,
    transfer_id: input.transferId,
  };
  const authorization = await signer.signJwt({ typ: EDR_TOKEN_TYPE }, { ...claims });
  return {
    transferId: input.transferId,
    agreementId: input.agreementId,
    endpoint: transferDataUrl(input.endpoint, input.transferId),
    authType: 'bearer',
    authorization,
    expiresAt: new Date(exp * 1000).toISOString(),
    expiresIn: exp - now,
    refreshEndpoint: transferRefreshUrl(input.endpoint, input.transferId),
  };
}

/**
 * A DSP DataAddress (TransferStartMessage) carrying the reference: the endpoint, token and auth type where
 * DSP and Eclipse EDC readers look for them (httpDataAddress), the rest as plain endpoint properties.
 */
export function edrToDataAddress(edr: EndpointDataReference): ReturnType<typeof httpDataAddress> {
  return httpDataAddress({
    endpointType: HTTP_ENDPOINT_TYPE,
    endpoint: edr.endpoint,
    authorization: edr.authorization,
    authType: edr.authType,
    properties: {
      expiresAt: edr.expiresAt,
      expiresIn: String(edr.expiresIn),
      refreshEndpoint: edr.refreshEndpoint,
    },
  });
}
