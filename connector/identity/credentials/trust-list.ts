// Which issuers the connector accepts, optionally per credential type (e.g. a sector regulator may issue
// SectorCredentials but not memberships).
import { CredentialError } from '../errors.js';

export interface TrustedIssuer {
  readonly did: string;
  /** Credential types this issuer is trusted for; omitted = every Shuyu type. */
  readonly credentialTypes?: readonly string[];
}

export type TrustList = readonly TrustedIssuer[];

export function isIssuerTrusted(trustList: TrustList, issuer: string, credentialType: string): boolean {
  return trustList.some(
    (entry) =>
      entry.did === issuer &&
      (entry.credentialTypes === undefined || entry.credentialTypes.includes(credentialType)),
  );
}

export function assertIssuerTrusted(trustList: TrustList, issuer: string, credentialType: string): void {
  if (isIssuerTrusted(trustList, issuer, credentialType)) return;
  const knownIssuer = trustList.some((entry) => entry.did === issuer);
  throw new CredentialError(
    'ERR_CREDENTIAL_ISSUER_UNTRUSTED',
    knownIssuer
      ? `Issuer ${issuer} is trusted, but not for ${credentialType}; extend its entry in the trust list if it should be.`
      : `Issuer ${issuer} is not in the trust list; only the data-space authorities configured there may issue ` +
          `${credentialType}.`,
    { details: { issuer, credentialType } },
  );
}
