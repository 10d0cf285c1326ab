// Issuing a credential as VC-JOSE-COSE: the JWS payload is the credential itself (no `vc` claim), header
// `typ: vc+jwt`, `cty: vc`, EdDSA. Registered claims mirror the VC fields so JWT-only tooling reads them too.
import { systemClock, epochSeconds, type Clock } from '../clock.js';
import { IssuanceError } from '../errors.js';
import type { DidSigner } from '../signer.js';

export const VC_JWT_TYP = 'vc+jwt';

export interface IssueJwtOptions {
  clock?: Clock;
}

function seconds(value: string, name: string): number {
  const time = Date.parse(value);
  if (Number.isNaN(time))
    throw new IssuanceError('ERR_ISSUANCE_INVALID_INPUT', `${name} is not a date-time.`);
  return Math.floor(time / 1000);
}

/** The members issuing reads; the rest of the credential is signed as given. */
export interface SignableCredential {
  /** A DID, or (VC 2.0) an object with the DID as `id` and any other properties. */
  issuer: string | { id: string };
  id?: string;
  validFrom?: string;
  validUntil?: string;
}

/** Signs an unsigned credential (see buildCredential, StatusListAuthority.listCredential) as a `vc+jwt`. */
export async function issueCredentialJwt<C extends SignableCredential>(
  credential: C,
  signer: DidSigner,
  options: IssueJwtOptions = {},
): Promise<string> {
  const issuer = typeof credential.issuer === 'string' ? credential.issuer : credential.issuer.id;
  if (issuer !== signer.did) {
    throw new IssuanceError(
      'ERR_ISSUANCE_INVALID_INPUT',
      `The credential issuer ${issuer} is not the signer's DID ${signer.did}.`,
    );
  }
  const clock = options.clock ?? systemClock;
  const subject = (credential as { credentialSubject?: { id?: unknown } }).credentialSubject;
  const payload: Record<string, unknown> = {
    ...(credential as Record<string, unknown>),
    iss: issuer,
    iat: epochSeconds(clock()),
    ...(credential.id ? { jti: credential.id } : {}),
    ...(typeof subject?.id === 'string' ? { sub: subject.id } : {}),
    ...(credential.validFrom ? { nbf: seconds(credential.validFrom, 'validFrom') } : {}),
    ...(credential.validUntil ? { exp: seconds(credential.validUntil, 'validUntil') } : {}),
  };
  return signer.signJwt({ typ: VC_JWT_TYP, cty: 'vc' }, payload);
}
