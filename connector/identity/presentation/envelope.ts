// EnvelopedVerifiableCredential (VC 2.0 / VC-JOSE-COSE): a JWT credential carried inside a presentation as a
// `data:application/vc+jwt,<jwt>` URL.
import { VC_CONTEXT_V2_URL } from '../document-loader/loader.js';
import { VC_JWT_DATA_URL_PREFIX } from '../credentials/parse.js';

export interface EnvelopedVerifiableCredential {
  '@context': string;
  id: string;
  type: 'EnvelopedVerifiableCredential';
}

export function envelopeCredential(jwt: string): EnvelopedVerifiableCredential {
  const id = jwt.startsWith(VC_JWT_DATA_URL_PREFIX) ? jwt : `${VC_JWT_DATA_URL_PREFIX}${jwt}`;
  return { '@context': VC_CONTEXT_V2_URL, id, type: 'EnvelopedVerifiableCredential' };
}
