// The holder side: a verifiable presentation secured as a JWT (`typ: vp+jwt`), holder = the caller's DID,
// bound to one verifier (`aud`) and, when the protocol has one, a request (`nonce`), short-lived. JWT credentials are enveloped;
// Data Integrity credentials are embedded as they are.
import { systemClock, epochSeconds, type Clock } from '../clock.js';
import { VC_CONTEXT_V2_URL } from '../document-loader/loader.js';
import { InputError } from '../errors.js';
import type { DidSigner } from '../signer.js';
import { isRecord } from '../util/json.js';
import { envelopeCredential } from './envelope.js';

export const VP_JWT_TYP = 'vp+jwt';
export const DEFAULT_PRESENTATION_LIFETIME_SECONDS = 300;

export interface CreatePresentationOptions {
  holder: DidSigner;
  /** `vc+jwt` strings and/or Data Integrity secured credential objects. */
  credentials: ReadonlyArray<string | Record<string, unknown>>;
  /** The verifier's DID. */
  audience: string;
  /** DCP's scope queries carry none: the presentation is then bound by `aud` and its short `exp`. */
  nonce?: string;
  lifetimeSeconds?: number;
  clock?: Clock;
}

export async function createPresentationJwt(options: CreatePresentationOptions): Promise<string> {
  const { holder, audience, nonce } = options;
  const now = epochSeconds((options.clock ?? systemClock)());
  const entries = options.credentials.map((credential) => {
    if (typeof credential === 'string') return envelopeCredential(credential.trim());
    if (isRecord(credential)) return credential;
    throw new InputError('ERR_INPUT_MALFORMED', 'Presentation credentials must be JWT strings or objects.');
  });
  const payload = {
    '@context': [VC_CONTEXT_V2_URL],
    type: ['VerifiablePresentation'],
    holder: holder.did,
    verifiableCredential: entries,
    iss: holder.did,
    aud: audience,
    ...(nonce !== undefined ? { nonce } : {}),
    iat: now,
    exp: now + (options.lifetimeSeconds ?? DEFAULT_PRESENTATION_LIFETIME_SECONDS),
  };
  return holder.signJwt({ typ: VP_JWT_TYP, cty: 'vp' }, payload);
}
