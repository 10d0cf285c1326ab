// Test-only identity: a configured static bearer token stands for a fixed participant and fixed claims, so
// end-to-end tests and local demos run without DIDs and credentials. It must be enabled explicitly and it
// refuses to run on anything but a loopback bind address: a static token on a reachable port is a backdoor.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { VerifiedClaims } from './claims/types.js';
import { freezeClaims } from './claims/map.js';
import { TestIdentityError } from './errors.js';
import { isLoopbackHost } from './net/loopback.js';
import { parseBearerToken } from './tokens/bearer.js';

export const MIN_TEST_TOKEN_LENGTH = 16;

export interface TestIdentityConfig {
  /** Must be true; the mode is never on by default. */
  enabled: boolean;
  /** The static bearer token (at least 16 characters). */
  token: string;
  participantId: string;
  claims?: Partial<Omit<VerifiedClaims, 'participantId'>>;
}

export interface TestIdentity {
  /** Claims for a matching `Authorization` header value; throws ERR_TEST_IDENTITY_TOKEN_INVALID otherwise. */
  verifyAuthorization(header: string | undefined | null): Readonly<VerifiedClaims>;
}

/** Throws unless `bindHost` is a loopback address (127.0.0.0/8, localhost, ::1). */
export function assertTestIdentityAllowed(bindHost: string): void {
  if (typeof bindHost !== 'string' || !isLoopbackHost(bindHost)) {
    throw new TestIdentityError(
      'ERR_TEST_IDENTITY_NOT_LOOPBACK',
      `The test identity mode is only allowed when the connector binds to a loopback address, not ` +
        `"${String(bindHost).slice(0, 100)}"; bind to 127.0.0.1 or disable the test identity mode.`,
      { details: { bindHost: String(bindHost).slice(0, 100) } },
    );
  }
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

export function createTestIdentity(config: TestIdentityConfig, bindHost: string): TestIdentity {
  if (config === null || typeof config !== 'object' || config.enabled !== true) {
    throw new TestIdentityError(
      'ERR_TEST_IDENTITY_DISABLED',
      'The test identity mode is disabled; set enabled: true explicitly (tests and local demos only).',
    );
  }
  assertTestIdentityAllowed(bindHost);
  if (
    typeof config.token !== 'string' ||
    config.token.length < MIN_TEST_TOKEN_LENGTH ||
    !/^[A-Za-z0-9._~+/-]+=*$/.test(config.token)
  ) {
    throw new TestIdentityError(
      'ERR_TEST_IDENTITY_CONFIG_INVALID',
      `The test identity token must be at least ${MIN_TEST_TOKEN_LENGTH} characters of A-Z a-z 0-9 . _ ~ + / -.`,
    );
  }
  if (typeof config.participantId !== 'string' || config.participantId.length === 0) {
    throw new TestIdentityError(
      'ERR_TEST_IDENTITY_CONFIG_INVALID',
      'The test identity needs a participantId.',
    );
  }
  const expected = digest(config.token);
  const claims = freezeClaims({
    credentialTypes: [],
    sectors: [],
    sectorRoles: [],
    ...config.claims,
    participantId: config.participantId,
  });
  return {
    verifyAuthorization(header) {
      let presented: string | undefined;
      try {
        presented = parseBearerToken(header);
      } catch {
        presented = undefined;
      }
      // Compare digests in constant time so the token cannot be guessed byte by byte from response timings.
      if (presented === undefined || !timingSafeEqual(digest(presented), expected)) {
        throw new TestIdentityError(
          'ERR_TEST_IDENTITY_TOKEN_INVALID',
          'The bearer token is not the test token.',
        );
      }
      return claims;
    },
  };
}
