// The member's registration as its catalog's DCAT-AP publisher (connector/assets/dcat-ap.ts), read from
// the credentials the authority issued it: the MembershipCredential's organisation name and
// registration number (the unified social credit code), the SectorCredential's sector. Decoded only:
// these are the connector's own credentials, stored as the authority sent them.
import type { PublisherProfile } from '../assets/dcat-ap.js';
import { SECTORS, type Sector } from '../assets/types.js';
import { parseSecuredCredential } from '../identity/credentials/parse.js';
import type { Wallet } from './store.js';

function subjectOf(credential: string): Record<string, unknown> | undefined {
  try {
    const subject = parseSecuredCredential(credential).credential.credentialSubject;
    return subject !== null && typeof subject === 'object' && !Array.isArray(subject)
      ? (subject as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined; // not a credential Shuyu can read: no default from it
  }
}

/** The profile the wallet's credentials give, with `extra` (contact, regions, homepage) from configuration. */
export async function walletPublisher(
  wallet: Wallet,
  extra: Partial<PublisherProfile> = {},
): Promise<PublisherProfile | undefined> {
  const credentials = await wallet.list();
  const membership = credentials.find((c) => c.type === 'MembershipCredential');
  const subject = membership && subjectOf(membership.credential);
  const name = subject?.organisationName;
  if (typeof name !== 'string') return extra.name === undefined ? undefined : { ...extra, name: extra.name };
  const identifier = subject?.registrationNumber;
  const sector = credentials
    .filter((c) => c.type === 'SectorCredential')
    .map((c) => subjectOf(c.credential)?.sector)
    .find((s): s is Sector => (SECTORS as readonly unknown[]).includes(s));
  return {
    ...extra,
    name,
    ...(typeof identifier === 'string' ? { identifier } : {}),
    ...(sector === undefined ? {} : { sector }),
  };
}
