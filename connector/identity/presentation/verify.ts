// The verifier side of a `vp+jwt`: signed by an authentication key of the holder, holder = the expected
// caller, audience = us, nonce = the one this request carries (if any), not expired. The credentials inside are only
// extracted here; verifying them is the caller's next step.
import { systemClock, epochSeconds, type Clock } from '../clock.js';
import { absoluteKeyId, parseDidUrl } from '../did/parse.js';
import { resolveVerificationKey } from '../did/resolve-key.js';
import type { DidResolver } from '../did/resolver.js';
import { VC_CONTEXT_V2_URL } from '../document-loader/loader.js';
import { InputError, PresentationError } from '../errors.js';
import { isRecord } from '../util/json.js';
import { decodeJwt, hasValidSignature, numericDate } from '../util/jwt.js';
import { VP_JWT_TYP } from './create.js';

export const DEFAULT_MAX_PRESENTATION_BYTES = 12 * 1024;
export const DEFAULT_MAX_PRESENTATION_CREDENTIALS = 8;

export interface PresentationVerificationOptions {
  resolver: DidResolver;
  /** The DID the presentation must come from (the ID token's iss). */
  holder: string;
  /** Our DID. */
  audience: string;
  /** When given, the presentation's nonce must equal it. */
  nonce?: string;
  clock?: Clock;
  clockSkewSeconds?: number;
  maxBytes?: number;
  maxCredentials?: number;
}

export interface VerifiedPresentation {
  readonly holder: string;
  readonly keyId: string;
  /** The `verifiableCredential` entries, unverified. */
  readonly credentials: readonly unknown[];
  readonly expiresAt: Date | undefined;
}

function holderOf(payload: Record<string, unknown>): string | undefined {
  const { holder } = payload;
  if (typeof holder === 'string') return holder;
  return isRecord(holder) && typeof holder.id === 'string' ? holder.id : undefined;
}

export async function verifyPresentationJwt(
  input: unknown,
  options: PresentationVerificationOptions,
): Promise<VerifiedPresentation> {
  const skew = options.clockSkewSeconds ?? 30;
  const jwt = decodeJwt(input, 'Presentation JWT', options.maxBytes ?? DEFAULT_MAX_PRESENTATION_BYTES);
  const { header, payload } = jwt;
  if (header.typ !== VP_JWT_TYP) {
    throw new InputError('ERR_INPUT_MALFORMED', `Presentation JWT header "typ" must be "${VP_JWT_TYP}".`);
  }
  if (typeof header.kid !== 'string' || header.kid.length === 0 || 'crit' in header) {
    throw new InputError(
      'ERR_INPUT_MALFORMED',
      'Presentation JWT needs a "kid" header and no "crit" header.',
    );
  }

  const holder = holderOf(payload);
  if (holder !== options.holder || (payload.iss !== undefined && payload.iss !== holder)) {
    throw new PresentationError(
      'ERR_PRESENTATION_HOLDER_MISMATCH',
      `The presentation holder ${String(holder).slice(0, 200)} is not the caller ${options.holder}.`,
      { details: { caller: options.holder } },
    );
  }
  const kid = absoluteKeyId(header.kid, holder);
  if (parseDidUrl(kid).did !== holder) {
    throw new PresentationError(
      'ERR_PRESENTATION_HOLDER_MISMATCH',
      `The presentation is signed with ${kid.slice(0, 200)}, which is not a key of the holder ${holder}.`,
    );
  }
  const key = await resolveVerificationKey(options.resolver, holder, kid, 'authentication');
  if (
    key.controller !== holder ||
    header.alg !== key.alg ||
    !(await hasValidSignature(jwt.compact, key.publicKey, key.alg))
  ) {
    throw new PresentationError(
      'ERR_PRESENTATION_SIGNATURE_INVALID',
      `The presentation signature does not verify with ${key.id}: it was altered or signed by another key.`,
      { details: { holder, kid: key.id } },
    );
  }

  const context = payload['@context'];
  const types = Array.isArray(payload.type) ? payload.type : [payload.type];
  if (
    !Array.isArray(context) ||
    context[0] !== VC_CONTEXT_V2_URL ||
    !types.includes('VerifiablePresentation')
  ) {
    throw new InputError(
      'ERR_INPUT_MALFORMED',
      'The presentation must be a VC 2.0 VerifiablePresentation (first @context is the VC 2.0 context).',
    );
  }
  const audience = payload.aud;
  if (
    audience !== options.audience &&
    !(Array.isArray(audience) && audience.length === 1 && audience[0] === options.audience)
  ) {
    throw new PresentationError(
      'ERR_PRESENTATION_AUDIENCE_MISMATCH',
      `The presentation is addressed to ${JSON.stringify(audience)?.slice(0, 200)}, not to ${options.audience}.`,
      { details: { audience: options.audience } },
    );
  }
  if (options.nonce !== undefined && payload.nonce !== options.nonce) {
    throw new PresentationError(
      'ERR_PRESENTATION_NONCE_MISMATCH',
      'The presentation nonce does not match this request; presentations cannot be reused across requests.',
    );
  }
  const now = epochSeconds((options.clock ?? systemClock)());
  const exp = numericDate(payload, 'exp', 'Presentation JWT');
  if (exp !== undefined && exp + skew < now) {
    throw new PresentationError(
      'ERR_PRESENTATION_EXPIRED',
      'The presentation has expired; create a fresh one.',
    );
  }
  const entries = payload.verifiableCredential ?? [];
  const credentials = Array.isArray(entries) ? entries : [entries];
  const max = options.maxCredentials ?? DEFAULT_MAX_PRESENTATION_CREDENTIALS;
  if (credentials.length > max) {
    throw new InputError(
      'ERR_INPUT_TOO_LARGE',
      `The presentation carries ${credentials.length} credentials; at most ${max} are accepted.`,
    );
  }
  return {
    holder,
    keyId: key.id,
    credentials,
    expiresAt: exp !== undefined ? new Date(exp * 1000) : undefined,
  };
}
