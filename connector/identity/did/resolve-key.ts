// Resolving "the key `kid` of DID `did` for `relationship`", refreshing a possibly stale cached document once
// when the key is unknown (the peer may have rotated since we cached its DID document).
import { DidError } from '../errors.js';
import type { DidResolver } from './resolver.js';
import {
  selectVerificationKey,
  type VerificationKey,
  type VerificationRelationship,
} from './verification-method.js';

export async function resolveVerificationKey(
  resolver: DidResolver,
  did: string,
  kid: string | undefined,
  relationship: VerificationRelationship,
): Promise<VerificationKey> {
  const resolved = await resolver.resolve(did);
  try {
    return selectVerificationKey(resolved, kid, relationship);
  } catch (error) {
    if (!(error instanceof DidError) || error.code !== 'ERR_VERIFICATION_METHOD_NOT_FOUND') throw error;
  }
  return selectVerificationKey(await resolver.refresh(did), kid, relationship);
}
