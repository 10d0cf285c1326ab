// One call to issue a Shuyu credential in either format; JWT (VC-JOSE-COSE) is the default because it is what
// DCP/EDC data spaces exchange and it verifies about ten times faster than Data Integrity.
import type { Clock } from '../clock.js';
import type { DocumentLoader } from '../document-loader/loader.js';
import type { DidSigner } from '../signer.js';
import { buildCredential } from './build.js';
import { issueCredentialDataIntegrity } from './issue-di.js';
import { issueCredentialJwt } from './issue-jwt.js';
import type { CredentialClaims, CredentialFormat, StatusListEntry, UnsignedCredential } from './types.js';

export interface IssueCredentialOptions {
  claims: CredentialClaims;
  signer: DidSigner;
  format?: CredentialFormat;
  id?: string;
  validFrom?: Date;
  validUntil?: Date;
  credentialStatus?: readonly StatusListEntry[];
  clock?: Clock;
  documentLoader?: DocumentLoader;
}

export type IssuedCredential =
  | { format: 'jwt'; jwt: string; credential: UnsignedCredential }
  | { format: 'data-integrity'; credential: Record<string, unknown> };

export async function issueCredential(options: IssueCredentialOptions): Promise<IssuedCredential> {
  const { signer, clock } = options;
  const credential = buildCredential({
    claims: options.claims,
    issuer: signer.did,
    ...(options.id !== undefined ? { id: options.id } : {}),
    ...(options.validFrom ? { validFrom: options.validFrom } : {}),
    ...(options.validUntil ? { validUntil: options.validUntil } : {}),
    ...(options.credentialStatus ? { credentialStatus: options.credentialStatus } : {}),
    ...(clock ? { clock } : {}),
  });
  if (options.format === 'data-integrity') {
    return {
      format: 'data-integrity',
      credential: await issueCredentialDataIntegrity(credential, signer, {
        ...(clock ? { clock } : {}),
        ...(options.documentLoader ? { documentLoader: options.documentLoader } : {}),
      }),
    };
  }
  return {
    format: 'jwt',
    jwt: await issueCredentialJwt(credential, signer, clock ? { clock } : {}),
    credential,
  };
}
