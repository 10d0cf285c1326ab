// The endpoint data reference (EDR): what the provider hands the consumer when a pull transfer
// starts. Its token is a short-lived JWT signed with the connector's DID key:
//   iss = provider DID, sub = consumer DID, aud = urn:shuyu:edr:<transfer id>,
//   agreement_id, transfer_id, auth_time (when the first token of this transfer was issued),
//   iat = nbf, exp, jti.
// The typ header keeps it from being confused with the connector's other JWTs (ID tokens, VCs).

export const EDR_TOKEN_TYPE = 'shuyu-edr+jwt';
export const DEFAULT_EDR_LIFETIME_SECONDS = 300;
export const MAX_EDR_LIFETIME_SECONDS = 86_400;
/** How long refreshing may extend one transfer's access before a new transfer is needed. */
export const DEFAULT_MAX_SESSION_SECONDS = 7 * 86_400;
export const MAX_EDR_TOKEN_BYTES = 8 * 1024;

export interface EdrClaims {
  readonly iss: string;
  readonly sub: string;
  readonly aud: string;
  readonly jti: string;
  readonly iat: number;
  readonly nbf: number;
  readonly exp: number;
  readonly auth_time: number;
  readonly agreement_id: string;
  readonly transfer_id: string;
}

export function edrAudience(transferId: string): string {
  return `urn:shuyu:edr:${transferId}`;
}

/** The data URL of a transfer under the data plane's public base URL. */
export function transferDataUrl(baseUrl: string, transferId: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/data/${encodeURIComponent(transferId)}`;
}

export function transferRefreshUrl(baseUrl: string, transferId: string): string {
  return `${transferDataUrl(baseUrl, transferId)}/refresh`;
}
