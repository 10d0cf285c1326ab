// Where verification keys come from: the DID documents carried in an export (offline), or a DID resolver
// (online). Either way a key must be listed under assertionMethod: checkpoints are assertions.
import {
  DidError,
  indexDidDocument,
  resolveDidKey,
  resolveVerificationKey,
  selectVerificationKey,
  type DidResolver,
  type ResolvedDid,
  type VerificationKey,
} from '../../identity/index.js';
import { EvidenceError } from '../errors.js';

export interface FoundKey {
  readonly key: VerificationKey;
  /** The DID document the key was found in (stored with the evidence so it verifies offline later). */
  readonly didDocument: Readonly<Record<string, unknown>>;
}

export interface KeyLookup {
  /**
   * The key `kid` of `did` for assertions. Throws EvidenceError ERR_EVIDENCE_SIGNATURE_INVALID when the DID's
   * documents do not list the key, ERR_EVIDENCE_KEY_UNAVAILABLE when there is no document to look in.
   */
  find(did: string, kid: string): Promise<FoundKey>;
}

function keyUnavailable(did: string, kid: string, why: string): EvidenceError {
  return new EvidenceError(
    'ERR_EVIDENCE_KEY_UNAVAILABLE',
    `The key ${kid} of ${did} cannot be checked: ${why}`,
    {
      details: { did, kid },
    },
  );
}

function keyUnknown(did: string, kid: string, why: string): EvidenceError {
  return new EvidenceError(
    'ERR_EVIDENCE_SIGNATURE_INVALID',
    `The key ${kid} is not a key of ${did}: ${why}`,
    {
      details: { did, kid },
    },
  );
}

/**
 * Keys from DID documents at hand (several versions of one DID's document may be given, for key rotation);
 * did:key DIDs are derived offline.
 */
export function offlineKeys(documents: readonly unknown[]): KeyLookup {
  let indexed: Promise<Map<string, ResolvedDid[]>> | undefined;
  const index = async (): Promise<Map<string, ResolvedDid[]>> => {
    const byDid = new Map<string, ResolvedDid[]>();
    for (const document of documents) {
      const id = (document as { id?: unknown } | null)?.id;
      if (typeof id !== 'string') continue;
      try {
        const resolved = await indexDidDocument(id, document);
        byDid.set(id, [...(byDid.get(id) ?? []), resolved]);
      } catch {
        // An unusable document is as good as a missing one; find() says so for the keys that needed it.
      }
    }
    return byDid;
  };
  return {
    async find(did, kid) {
      indexed ??= index();
      let versions = (await indexed).get(did) ?? [];
      // A did:key needs no document: it is derived from the DID itself.
      if (versions.length === 0 && did.startsWith('did:key:')) {
        versions = [await indexDidDocument(did, await resolveDidKey(did)).catch(() => undefined)].filter(
          (v): v is ResolvedDid => v !== undefined,
        );
      }
      if (versions.length === 0) throw keyUnavailable(did, kid, 'no usable DID document for it is at hand');
      for (const resolved of versions) {
        try {
          return {
            key: selectVerificationKey(resolved, kid, 'assertionMethod'),
            didDocument: resolved.document,
          };
        } catch {
          // try the next version
        }
      }
      throw keyUnknown(did, kid, 'none of its DID documents at hand lists it under assertionMethod');
    },
  };
}

/** Keys resolved over the network (did:web) or derived (did:key), through the identity library's resolver. */
export function resolverKeys(resolver: DidResolver): KeyLookup {
  return {
    async find(did, kid) {
      try {
        const key = await resolveVerificationKey(resolver, did, kid, 'assertionMethod');
        return { key, didDocument: (await resolver.resolve(did)).document };
      } catch (error) {
        const why = error instanceof Error ? error.message : 'resolution failed';
        if (error instanceof DidError && error.code.startsWith('ERR_VERIFICATION_METHOD_')) {
          throw keyUnknown(
            did,
            kid,
            `${why} (a retired key: verify with the DID documents stored with the evidence)`,
          );
        }
        throw keyUnavailable(did, kid, why);
      }
    },
  };
}
