// The caller side of a DSP request: one self-issued ID token that carries a presentation of the caller's
// credentials in its `vp_token` claim, the presentation's nonce being the token's jti.
import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import { createPresentationJwt } from '../presentation/create.js';
import type { DidSigner } from '../signer.js';
import { createIdToken, DEFAULT_ID_TOKEN_LIFETIME_SECONDS } from './id-token.js';

/** Name of the ID token claim that carries the `vp+jwt`. */
export const VP_TOKEN_CLAIM = 'vp_token';

export interface CreateRequestTokenOptions {
  signer: DidSigner;
  /** The callee's DID. */
  audience: string;
  /** The caller's credentials: `vc+jwt` strings and/or Data Integrity secured objects. */
  credentials: ReadonlyArray<string | Record<string, unknown>>;
  lifetimeSeconds?: number;
  clock?: Clock;
}

/** Builds the value for `Authorization: Bearer <token>`. */
export async function createRequestToken(options: CreateRequestTokenOptions): Promise<string> {
  const { signer, audience, clock } = options;
  const lifetimeSeconds = options.lifetimeSeconds ?? DEFAULT_ID_TOKEN_LIFETIME_SECONDS;
  const jti = randomUUID();
  const vp = await createPresentationJwt({
    holder: signer,
    credentials: options.credentials,
    audience,
    nonce: jti,
    lifetimeSeconds,
    ...(clock ? { clock } : {}),
  });
  const { token } = await createIdToken({
    signer,
    audience,
    jti,
    lifetimeSeconds,
    claims: { [VP_TOKEN_CLAIM]: vp },
    ...(clock ? { clock } : {}),
  });
  return token;
}
