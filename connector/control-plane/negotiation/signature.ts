// Both parties' proof of one agreement. The provider signs the agreement it sends; the consumer checks that
// signature and signs its verification, which binds the same agreement and the provider's signature. Each
// side keeps both compact JWS (EdDSA, with a key of the signer's DID listed under assertionMethod).
//
// What is signed is a digest of the canonical agreement, not the JSON as written: the agreement crosses
// JSON-LD processing on its way (a peer may compact `odrl:refinement: [x]` to `odrl:refinement: x`), so the
// two sides may hold different JSON for the same agreement. The canonical agreement is the RFC 8785 text of
// the JSON-LD expansion of `{"@context": [DSP], "@type": "ContractAgreementMessage", "agreement": ...}`:
// every key a full IRI, every value a list, the same for every compacted form of one agreement.
//
//   provider  typ shuyu-agreement+jws
//             { agreementId, target, assigner, assignee, digest, signedAt }
//   consumer  typ shuyu-agreement-verification+jws
//             { agreementId, assigner, assignee, digest, providerSignature (SHA-256 of the provider's JWS,
//               or null when the provider sent none), verifiedAt }

import { createHash } from 'node:crypto';
import jsonld from 'jsonld';
import type { Agreement } from '../../dsp/messages/index.js';
import { DSP_CONTEXT_URL } from '../../dsp/messages/index.js';
import { DSP_DOCUMENT_LOADER } from '../../dsp/messages/loader.js';
import { checkJws } from '../../evidence/checkpoint/jws.js';
import type { KeyLookup } from '../../evidence/checkpoint/keys.js';
import { canonicalJson } from '../../evidence/index.js';
import type { DidSigner } from '../../identity/index.js';

export const AGREEMENT_SIGNATURE_TYP = 'shuyu-agreement+jws';
export const VERIFICATION_SIGNATURE_TYP = 'shuyu-agreement-verification+jws';

type AgreementLike = Readonly<Record<string, unknown>>;

export interface ProviderSignaturePayload {
  readonly agreementId: string;
  readonly target: string;
  readonly assigner: string;
  readonly assignee: string;
  /** SHA-256 (hex) of the canonical agreement. */
  readonly digest: string;
  readonly signedAt: string;
}

export interface VerificationPayload {
  readonly agreementId: string;
  readonly assigner: string;
  readonly assignee: string;
  readonly digest: string;
  /** SHA-256 (hex) of the provider's compact JWS; null when the provider sent no signature. */
  readonly providerSignature: string | null;
  readonly verifiedAt: string;
}

export class AgreementSignatureError extends Error {
  override readonly name = 'AgreementSignatureError';
}

interface JsonLdEvent {
  readonly code: string;
}
type EventHandler = (arg: { event: JsonLdEvent; next: () => void }) => void;
type Expand = (input: unknown, options: unknown) => Promise<unknown>;
const expand = jsonld.expand as unknown as Expand;
const safeEventHandler = (jsonld as unknown as { safeEventHandler: EventHandler }).safeEventHandler;

/**
 * Safe mode (anything expansion would drop is an error, so the digest covers every term), except relative
 * `@id` values, which DSP peers use and jsonld keeps as written (as the message layer does).
 */
const strictEvents: EventHandler = ({ event, next }) => {
  if (event.code === 'relative @id reference') next();
  else safeEventHandler({ event, next });
};

/** The canonical text of an agreement (see the top of this file). */
export async function canonicalAgreement(agreement: AgreementLike): Promise<string> {
  const { '@context': _context, ...rest } = agreement;
  try {
    const expanded = await expand(
      { '@context': [DSP_CONTEXT_URL], '@type': 'ContractAgreementMessage', agreement: rest },
      { documentLoader: DSP_DOCUMENT_LOADER, eventHandler: strictEvents, base: null },
    );
    return canonicalJson(expanded);
  } catch (error) {
    throw new AgreementSignatureError(
      `the agreement cannot be put in canonical form (${(error as Error).message}); it cannot be signed or checked`,
    );
  }
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** Digests by the agreement's JSON text: each side digests the same agreement twice (sign, then check). */
const digests = new Map<string, string>();
const MAX_REMEMBERED_DIGESTS = 1024;

/** SHA-256 (hex) of the canonical agreement; the JSON-LD expansion runs once per agreement text. */
export async function agreementDigest(agreement: AgreementLike): Promise<string> {
  const key = JSON.stringify(agreement);
  let digest = digests.get(key);
  if (digest === undefined) {
    digest = sha256Hex(await canonicalAgreement(agreement));
    if (digests.size >= MAX_REMEMBERED_DIGESTS) digests.clear();
    digests.set(key, digest);
  }
  return digest;
}

function text(agreement: AgreementLike, key: string): string {
  const value = agreement[key];
  return typeof value === 'string' ? value : '';
}

/** Provider: signs the agreement it is about to send. */
export async function signAgreement(
  agreement: Agreement | AgreementLike,
  signer: DidSigner,
  now: Date,
): Promise<{ signature: string; payload: ProviderSignaturePayload }> {
  const a = agreement as AgreementLike;
  const payload: ProviderSignaturePayload = {
    agreementId: text(a, '@id'),
    target: text(a, 'target'),
    assigner: text(a, 'assigner'),
    assignee: text(a, 'assignee'),
    digest: await agreementDigest(a),
    signedAt: now.toISOString(),
  };
  if (payload.assigner !== signer.did) {
    throw new AgreementSignatureError(`the agreement's assigner ${payload.assigner} is not ${signer.did}`);
  }
  return { signature: await signer.signJwt({ typ: AGREEMENT_SIGNATURE_TYP }, { ...payload }), payload };
}

/** Why the signed `payload` does not describe `expected`, or undefined. */
function mismatch(payload: Record<string, unknown>, expected: Record<string, unknown>): string | undefined {
  for (const [key, value] of Object.entries(expected)) {
    if (payload[key] !== value) return `its "${key}" is not the one of this agreement`;
  }
  return undefined;
}

export interface CheckedSignature<P> {
  readonly payload: P;
  /** The signer's DID document the key was found in (kept so the signature verifies offline later). */
  readonly didDocument: Readonly<Record<string, unknown>>;
}

/** Consumer: checks the provider's signature on the agreement it received. Throws AgreementSignatureError. */
export async function checkAgreementSignature(
  signature: string,
  agreement: AgreementLike,
  providerDid: string,
  keys: KeyLookup,
): Promise<CheckedSignature<ProviderSignaturePayload>> {
  const check = await checkJws(signature, AGREEMENT_SIGNATURE_TYP, providerDid, keys);
  if (!check.ok) throw new AgreementSignatureError(`the provider's signature is invalid: ${check.reason}`);
  const problem = mismatch(check.payload, {
    agreementId: text(agreement, '@id'),
    target: text(agreement, 'target'),
    assigner: text(agreement, 'assigner'),
    assignee: text(agreement, 'assignee'),
    digest: await agreementDigest(agreement),
  });
  if (problem !== undefined || typeof check.payload.signedAt !== 'string') {
    throw new AgreementSignatureError(
      `the provider's signature does not cover this agreement: ${problem ?? '"signedAt" is missing'}`,
    );
  }
  return {
    payload: check.payload as unknown as ProviderSignaturePayload,
    didDocument: check.found.didDocument,
  };
}

/** Consumer: signs its verification of the agreement (and of the provider's signature on it). */
export async function signVerification(
  agreement: AgreementLike,
  providerSignature: string | null,
  signer: DidSigner,
  now: Date,
): Promise<{ signature: string; payload: VerificationPayload }> {
  const payload: VerificationPayload = {
    agreementId: text(agreement, '@id'),
    assigner: text(agreement, 'assigner'),
    assignee: text(agreement, 'assignee'),
    digest: await agreementDigest(agreement),
    providerSignature: providerSignature === null ? null : sha256Hex(providerSignature),
    verifiedAt: now.toISOString(),
  };
  if (payload.assignee !== signer.did) {
    throw new AgreementSignatureError(`the agreement's assignee ${payload.assignee} is not ${signer.did}`);
  }
  return { signature: await signer.signJwt({ typ: VERIFICATION_SIGNATURE_TYP }, { ...payload }), payload };
}

/** Provider: checks the consumer's signed verification against the agreement and our own signature. */
export async function checkVerificationSignature(
  signature: string,
  agreement: AgreementLike,
  providerSignature: string | null,
  consumerDid: string,
  keys: KeyLookup,
): Promise<CheckedSignature<VerificationPayload>> {
  const check = await checkJws(signature, VERIFICATION_SIGNATURE_TYP, consumerDid, keys);
  if (!check.ok) throw new AgreementSignatureError(`the consumer's signature is invalid: ${check.reason}`);
  const problem = mismatch(check.payload, {
    agreementId: text(agreement, '@id'),
    assigner: text(agreement, 'assigner'),
    assignee: text(agreement, 'assignee'),
    digest: await agreementDigest(agreement),
    providerSignature: providerSignature === null ? null : sha256Hex(providerSignature),
  });
  if (problem !== undefined || typeof check.payload.verifiedAt !== 'string') {
    throw new AgreementSignatureError(
      `the consumer's signature does not verify this agreement: ${problem ?? '"verifiedAt" is missing'}`,
    );
  }
  return { payload: check.payload as unknown as VerificationPayload, didDocument: check.found.didDocument };
}
