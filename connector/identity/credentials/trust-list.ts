// Which issuers the connector accepts, optionally per credential type (e.g. a sector regulator may issue
// SectorCredentials but not memberships, or a data space trusts a national CA's MembershipCredentials beside
// its own authority's). The data space profile (profile.ts) lists the issuers beyond the authority.
import { CredentialError } from '../errors.js';

export interface TrustedIssuer {
  readonly did: string;
  /** Credential types this issuer is trusted for; omitted = every type. */
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

/** For a credential of any type: the issuer must be trusted for at least one of its types. */
export function assertIssuerTrustedForAny(
  trustList: TrustList,
  issuer: string,
  types: readonly string[],
): void {
  const specific = types.filter((type) => type !== 'VerifiableCredential');
  const candidates = specific.length > 0 ? specific : ['VerifiableCredential'];
  if (candidates.some((type) => isIssuerTrusted(trustList, issuer, type))) return;
  assertIssuerTrusted(trustList, issuer, candidates.join(' / '));
}

const DID = /^did:[a-z0-9]+:\S+$/;

/**
 * Reads trusted issuers from configuration (the data space profile): an array of {did, credentialTypes?}.
 * Throws a plain Error naming the bad entry; the caller says which file it came from.
 */
export function parseTrustList(value: unknown): TrustList {
  if (!Array.isArray(value))
    throw new Error('trusted issuers must be an array of {"did", "credentialTypes"?}');
  return value.map((entry, index) => {
    const record = entry as { did?: unknown; credentialTypes?: unknown };
    if (
      typeof entry !== 'object' ||
      entry === null ||
      typeof record.did !== 'string' ||
      !DID.test(record.did)
    ) {
      throw new Error(`trusted issuer #${index} needs a "did" (a DID string)`);
    }
    const types = record.credentialTypes;
    if (types === undefined) return { did: record.did };
    if (
      !Array.isArray(types) ||
      types.length === 0 ||
      !types.every((t) => typeof t === 'string' && t !== '')
    ) {
      throw new Error(`trusted issuer #${index} "credentialTypes" must be a non-empty array of type names`);
    }
    return { did: record.did, credentialTypes: [...(types as string[])] };
  });
}
