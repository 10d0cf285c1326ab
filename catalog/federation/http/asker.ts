// Who is asking the federated catalog: an admin (admin API key), a member (a request token addressed
// to the authority, presenting its credentials, exactly what a provider's connector would get), or
// nobody (no Authorization header). A header that is present but does not verify is refused, never
// read as anonymous. The authority is the issuer, so a member's state is checked in its own records:
// a suspended or revoked member is refused at once, without waiting for status-list caches.
import type { Request } from 'express';
import type { AuthorityService } from '../../authority/service.js';
import { identityProblem } from '../../../connector/http/caller-auth.js';
import { HttpProblem } from '../../../connector/http/problem.js';
import {
  IdentityError,
  type RequestVerification,
  type RequestVerifier,
} from '../../../connector/identity/index.js';
import type { Asker } from '../types.js';

/** Admin API keys start with this (AuthorityService.createAdminKey); request tokens are JWTs. */
const ADMIN_KEY_PREFIX = 'shuyu_admin_';

export interface AskerAuthentication {
  readonly service: AuthorityService;
  readonly verifier: RequestVerifier;
}

function unauthenticated(detail: string): HttpProblem {
  return new HttpProblem(401, 'unauthenticated', detail);
}

export async function authenticateAsker(req: Request, auth: AskerAuthentication): Promise<Asker> {
  const header = req.headers.authorization;
  if (header === undefined || header.trim() === '') return { kind: 'anonymous' };
  const bearer = /^Bearer\s+(\S+)\s*$/i.exec(header)?.[1];
  if (bearer === undefined) {
    throw unauthenticated(
      'Send "Authorization: Bearer <request token or admin API key>", or nothing to search anonymously.',
    );
  }
  if (bearer.startsWith(ADMIN_KEY_PREFIX)) {
    const name = await auth.service.adminKeyName(bearer);
    if (name === undefined)
      throw unauthenticated('This admin API key is not valid; use a key "shuyu authority init" printed.');
    return { kind: 'admin', name };
  }
  let verified: RequestVerification;
  try {
    verified = await auth.verifier.verifyAuthorization(header);
  } catch (error) {
    if (error instanceof IdentityError) throw identityProblem(error);
    throw error;
  }
  const member = await auth.service.member(verified.caller).catch(() => undefined);
  if (member === undefined || member.state !== 'active') {
    throw new HttpProblem(
      403,
      'member-not-active',
      `${verified.caller} is ${member ? member.state : 'not a member'} in this data space, so the catalog shows it nothing.`,
    );
  }
  return { kind: 'member', did: verified.caller, claims: verified.claims };
}

/** The asker, who must be a member (DSP requests). */
export async function authenticateMember(req: Request, auth: AskerAuthentication): Promise<Asker> {
  if (!req.headers.authorization) {
    throw unauthenticated(
      'A DSP catalog request needs "Authorization: Bearer <request token>" addressed to the authority\'s DID.',
    );
  }
  const asker = await authenticateAsker(req, auth);
  if (asker.kind === 'anonymous') throw unauthenticated('A request token is required.');
  return asker;
}

export function requireAdminAsker(asker: Asker): void {
  if (asker.kind !== 'admin') {
    throw new HttpProblem(
      asker.kind === 'anonymous' ? 401 : 403,
      'admin-key-required',
      'This is an admin operation: send "Authorization: Bearer <admin API key>".',
    );
  }
}
