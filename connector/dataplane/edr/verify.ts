// Verifying an endpoint data reference at every access: our own signature (any key still published,
// so rotation does not cut running transfers off), then its bindings (audience, transfer, agreement,
// consumer), its expiry, and finally the transfer's current state: a token stops working the moment
// the transfer is suspended, completed or terminated, whatever its expiry says.
import { epochSeconds, systemClock, type Clock } from '../../identity/clock.js';
import { isIdentityError } from '../../identity/errors.js';
import { decodeJwt, hasValidSignature } from '../../identity/util/jwt.js';
import { DataPlaneError } from '../errors.js';
import type { DataPlaneIdentity, TransferLookup, TransferView } from '../types.js';
import { EDR_TOKEN_TYPE, MAX_EDR_TOKEN_BYTES, edrAudience, type EdrClaims } from './claims.js';

export interface VerifyEdrOptions {
  readonly identity: Pick<DataPlaneIdentity, 'did' | 'keys'>;
  readonly lookupTransfer: TransferLookup;
  /** The transfer the token is presented for (from the URL): another transfer's token is refused. */
  readonly transferId?: string;
  readonly agreementId?: string;
  readonly consumerDid?: string;
  readonly clock?: Clock;
  /** Leeway for exp and nbf (default 5 s; both sides of an EDR usually share no clock). */
  readonly clockSkewSeconds?: number;
}

export interface VerifiedEdr {
  readonly claims: EdrClaims;
  readonly transfer: TransferView;
  /** The DID URL of the key that signed the token. */
  readonly keyId: string;
  readonly expiresAt: Date;
  readonly sessionStartedAt: Date;
}

function malformed(reason: string): DataPlaneError {
  return new DataPlaneError(
    'ERR_EDR_MALFORMED',
    `The bearer token is not a valid endpoint data reference: ${reason}. Use the authorization of the EDR this provider issued.`,
  );
}

function mismatch(reason: string, transferId?: string): DataPlaneError {
  return new DataPlaneError(
    'ERR_EDR_BINDING_MISMATCH',
    `The endpoint data reference was issued for ${reason}; use the EDR of this transfer.`,
    { details: transferId === undefined ? {} : { transferId } },
  );
}

function readClaims(payload: Record<string, unknown>): EdrClaims {
  const strings = ['iss', 'sub', 'aud', 'jti', 'agreement_id', 'transfer_id'] as const;
  const numbers = ['iat', 'nbf', 'exp', 'auth_time'] as const;
  for (const name of strings) {
    const value = payload[name];
    if (typeof value !== 'string' || value.length === 0 || value.length > 2048) {
      throw malformed(`claim "${name}" must be a non-empty string`);
    }
  }
  for (const name of numbers) {
    if (typeof payload[name] !== 'number' || !Number.isFinite(payload[name])) {
      throw malformed(`claim "${name}" must be a number of seconds`);
    }
  }
  return payload as unknown as EdrClaims;
}

async function checkSignature(
  jwt: ReturnType<typeof decodeJwt>,
  identity: VerifyEdrOptions['identity'],
): Promise<string> {
  const { header } = jwt;
  if (header.typ !== EDR_TOKEN_TYPE)
    throw malformed(`its type is ${JSON.stringify(header.typ)}, not ${EDR_TOKEN_TYPE}`);
  if (header.alg !== 'EdDSA' || 'crit' in header || typeof header.kid !== 'string') {
    throw malformed('it must be signed with EdDSA, name its key in "kid" and carry no "crit"');
  }
  const prefix = `${identity.did}#`;
  const fragment = header.kid.startsWith(prefix) ? header.kid.slice(prefix.length) : undefined;
  const key = identity.keys.publishedKeys.find((candidate) => candidate.kid === fragment);
  if (key === undefined || !(await hasValidSignature(jwt.compact, key.publicKey, 'EdDSA'))) {
    throw new DataPlaneError(
      'ERR_EDR_SIGNATURE_INVALID',
      'The endpoint data reference was not signed by this connector (forged, altered, or signed with a key ' +
        'that is no longer published); ask the provider for a new transfer.',
    );
  }
  return header.kid;
}

export async function verifyEdr(token: string, options: VerifyEdrOptions): Promise<VerifiedEdr> {
  let jwt: ReturnType<typeof decodeJwt>;
  try {
    jwt = decodeJwt(token, 'The endpoint data reference', MAX_EDR_TOKEN_BYTES);
  } catch (error) {
    if (isIdentityError(error)) throw malformed(error.message.replace(/\.$/, ''));
    throw error;
  }
  const keyId = await checkSignature(jwt, options.identity);
  const claims = readClaims(jwt.payload);
  if (claims.iss !== options.identity.did)
    throw malformed(`it was issued by ${claims.iss}, not by this connector`);
  if (claims.aud !== edrAudience(claims.transfer_id)) throw mismatch('another audience');

  const now = epochSeconds((options.clock ?? systemClock)());
  const skew = options.clockSkewSeconds ?? 5;
  if (now >= claims.exp + skew) {
    throw new DataPlaneError(
      'ERR_EDR_EXPIRED',
      `The endpoint data reference expired at ${new Date(claims.exp * 1000).toISOString()}; refresh it before it ` +
        'expires (POST to its refreshEndpoint) or request the transfer again.',
      { details: { transferId: claims.transfer_id } },
    );
  }
  if (claims.nbf > now + skew || claims.iat > now + skew)
    throw malformed('it is not valid yet (check the clocks)');

  if (options.transferId !== undefined && claims.transfer_id !== options.transferId) {
    throw mismatch('another transfer', options.transferId);
  }
  if (options.agreementId !== undefined && claims.agreement_id !== options.agreementId) {
    throw mismatch('another agreement', claims.transfer_id);
  }
  if (options.consumerDid !== undefined && claims.sub !== options.consumerDid) {
    throw mismatch('another consumer', claims.transfer_id);
  }

  const transfer = await options.lookupTransfer(claims.transfer_id);
  if (transfer === undefined) {
    throw new DataPlaneError(
      'ERR_TRANSFER_UNKNOWN',
      'The transfer this reference was issued for no longer exists; request the transfer again.',
      { details: { transferId: claims.transfer_id } },
    );
  }
  if (transfer.agreementId !== claims.agreement_id) throw mismatch('another agreement', claims.transfer_id);
  if (transfer.consumerDid !== claims.sub) throw mismatch('another consumer', claims.transfer_id);
  if (transfer.state !== 'STARTED') {
    throw new DataPlaneError(
      'ERR_TRANSFER_NOT_ACTIVE',
      `The transfer is ${transfer.state}, so its data cannot be accessed; ` +
        (transfer.state === 'SUSPENDED'
          ? 'wait until the provider resumes it.'
          : 'request a new transfer under the agreement.'),
      { details: { transferId: claims.transfer_id, state: transfer.state } },
    );
  }
  return {
    claims,
    transfer,
    keyId,
    expiresAt: new Date(claims.exp * 1000),
    sessionStartedAt: new Date(claims.auth_time * 1000),
  };
}
