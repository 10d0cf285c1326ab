// Assembling an unsigned VC 2.0 credential from claims, validated against its schema before anything signs it.
import { randomUUID } from 'node:crypto';
import { systemClock, toXsdDateTime, type Clock } from '../clock.js';
import { VC_CONTEXT_V2_URL } from '../document-loader/loader.js';
import { SHUYU_CONTEXT_V1_URL } from '../document-loader/shuyu-context.js';
import { IssuanceError } from '../errors.js';
import { isRecord } from '../util/json.js';
import { credentialSchemaViolation } from './schemas.js';
import { SHUYU_CREDENTIAL_TYPES } from './vocabulary.js';
import type { CredentialClaims, StatusListEntry, UnsignedCredential } from './types.js';

export interface BuildCredentialOptions {
  claims: CredentialClaims;
  issuer: string;
  /** Default `urn:uuid:<random>`. */
  id?: string;
  /** Default: now. */
  validFrom?: Date;
  validUntil?: Date;
  credentialStatus?: readonly StatusListEntry[];
  clock?: Clock;
}

export function buildCredential(options: BuildCredentialOptions): UnsignedCredential {
  const { claims } = options;
  if (!isRecord(claims) || !isRecord(claims.subject) || !SHUYU_CREDENTIAL_TYPES.includes(claims.type)) {
    throw new IssuanceError(
      'ERR_ISSUANCE_INVALID_INPUT',
      `Claims must be {type, subject} with type one of ${SHUYU_CREDENTIAL_TYPES.join(', ')}.`,
    );
  }
  const clock = options.clock ?? systemClock;
  const validFrom = options.validFrom ?? clock();
  if (
    Number.isNaN(validFrom.getTime()) ||
    (options.validUntil && Number.isNaN(options.validUntil.getTime()))
  ) {
    throw new IssuanceError('ERR_ISSUANCE_INVALID_INPUT', 'validFrom and validUntil must be valid dates.');
  }
  if (options.validUntil && options.validUntil.getTime() <= validFrom.getTime()) {
    throw new IssuanceError('ERR_ISSUANCE_INVALID_INPUT', 'validUntil must be later than validFrom.');
  }
  const credential: UnsignedCredential = {
    '@context': [VC_CONTEXT_V2_URL, SHUYU_CONTEXT_V1_URL],
    id: options.id ?? `urn:uuid:${randomUUID()}`,
    type: ['VerifiableCredential', options.claims.type],
    issuer: options.issuer,
    validFrom: toXsdDateTime(validFrom),
    ...(options.validUntil ? { validUntil: toXsdDateTime(options.validUntil) } : {}),
    credentialSubject: structuredClone(options.claims.subject),
    ...(options.credentialStatus && options.credentialStatus.length > 0
      ? { credentialStatus: options.credentialStatus.map((entry) => ({ ...entry })) }
      : {}),
  };
  const violation = credentialSchemaViolation(options.claims.type, credential);
  if (violation) {
    throw new IssuanceError('ERR_ISSUANCE_INVALID_INPUT', `Refusing to issue: ${violation}.`, {
      details: { type: options.claims.type },
    });
  }
  return credential;
}
