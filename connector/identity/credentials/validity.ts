// Validity period checks (VC validFrom/validUntil and, for JWTs, nbf/exp) against the injected clock.
import { CredentialError } from '../errors.js';
import { isRecord } from '../util/json.js';

export interface ValidityPeriod {
  readonly validFrom: Date | undefined;
  readonly validUntil: Date | undefined;
}

function readDate(credential: Record<string, unknown>, property: string): Date | undefined {
  const value = credential[property];
  if (value === undefined) return undefined;
  const date = typeof value === 'string' ? new Date(value) : new Date(Number.NaN);
  if (Number.isNaN(date.getTime())) {
    throw new CredentialError(
      'ERR_CREDENTIAL_SCHEMA_INVALID',
      `The credential's ${property} is not a date-time.`,
    );
  }
  return date;
}

/** Latest of VC `validFrom` and JWT `nbf`; earliest of VC `validUntil` and JWT `exp`. */
export function validityPeriod(credential: Record<string, unknown>): ValidityPeriod {
  let validFrom = readDate(credential, 'validFrom');
  let validUntil = readDate(credential, 'validUntil');
  if (typeof credential.nbf === 'number') {
    const nbf = new Date(credential.nbf * 1000);
    if (!validFrom || nbf > validFrom) validFrom = nbf;
  }
  if (typeof credential.exp === 'number') {
    const exp = new Date(credential.exp * 1000);
    if (!validUntil || exp < validUntil) validUntil = exp;
  }
  return { validFrom, validUntil };
}

export function assertWithinValidity(
  credential: Record<string, unknown>,
  now: Date,
  clockSkewSeconds: number,
): ValidityPeriod {
  const period = validityPeriod(credential);
  const skewMs = clockSkewSeconds * 1000;
  const id = typeof credential.id === 'string' ? credential.id : '(no id)';
  if (period.validFrom && period.validFrom.getTime() - skewMs > now.getTime()) {
    throw new CredentialError(
      'ERR_CREDENTIAL_NOT_YET_VALID',
      `Credential ${id} is not valid before ${period.validFrom.toISOString()}; retry later or check the clocks.`,
      { details: { credentialId: id, validFrom: period.validFrom.toISOString() } },
    );
  }
  if (period.validUntil && period.validUntil.getTime() + skewMs < now.getTime()) {
    throw new CredentialError(
      'ERR_CREDENTIAL_EXPIRED',
      `Credential ${id} expired at ${period.validUntil.toISOString()}; the holder must obtain a new one.`,
      { details: { credentialId: id, validUntil: period.validUntil.toISOString() } },
    );
  }
  return period;
}

export function subjectIdOf(credential: Record<string, unknown>): string | undefined {
  const subject = credential.credentialSubject;
  return isRecord(subject) && typeof subject.id === 'string' ? subject.id : undefined;
}
