// The identity a running Shuyu process (connector or authority) has on the network: its key store, the
// did:web derived from its public URL, the DID document it serves, and the resolver / status checker it
// uses to verify others. Network access goes through globalThis.fetch, restricted by the host policy.
import { systemClock, type Clock } from './clock.js';
import { buildDidDocument, type DidDocument, type DidService } from './did/document.js';
import { createDidResolver, type DidResolver } from './did/resolver.js';
import { urlToDidWeb } from './did/web.js';
import { openSm2Key, type Sm2Key } from './keys/sm2-key.js';
import { openKeyStore, type KeyStore } from './keys/store.js';
import type { FetchLike } from './net/fetch.js';
import type { HostPolicy } from './net/host-policy.js';
import { createDidSigner, type DidSigner } from './signer.js';
import { createStatusListChecker, type StatusChecker } from './status-list/checker.js';

export interface ProcessIdentity {
  readonly did: string;
  readonly keys: KeyStore;
  /** The SM2 key for evidence checkpoints, when the data space uses SM2/SM3 (published in the DID document). */
  readonly sm2Key?: Sm2Key;
  /** A signer with the current active key (call again after a rotation). */
  signer(): DidSigner;
  didDocument(services?: readonly DidService[]): DidDocument;
}

/**
 * Opens (creating on first start) the key store in `keyDirectory`; the DID follows from `publicUrl`. With
 * `sm2`, also the SM2 key the evidence of a data space on SM2/SM3 is signed with.
 */
export async function openProcessIdentity(
  keyDirectory: string,
  publicUrl: string,
  clock: Clock = systemClock,
  options: { readonly sm2?: boolean } = {},
): Promise<ProcessIdentity> {
  const keys = await openKeyStore(keyDirectory, { clock });
  const sm2Key = options.sm2 ? await openSm2Key(keyDirectory, { clock }) : undefined;
  const did = urlToDidWeb(publicUrl);
  return {
    did,
    keys,
    ...(sm2Key ? { sm2Key } : {}),
    signer: () => createDidSigner(did, keys),
    didDocument: (services) =>
      buildDidDocument({
        did,
        keys: keys.publishedKeys,
        ...(services ? { services } : {}),
        ...(sm2Key ? { sm2Key } : {}),
      }),
  };
}

export interface NetworkVerifiers {
  readonly resolver: DidResolver;
  readonly statusChecker: StatusChecker;
}

/**
 * Resolver and status checker that reach other processes over HTTP. `hostPolicy` names the hosts they may
 * contact (a local data space allows 127.0.0.1 over plain http).
 */
export function createNetworkVerifiers(
  hostPolicy: HostPolicy,
  options: { fetch?: FetchLike; clock?: Clock; statusCacheTtlMs?: number; didCacheTtlMs?: number } = {},
): NetworkVerifiers {
  const fetch = options.fetch ?? (globalThis.fetch as unknown as FetchLike);
  const clock = options.clock ?? systemClock;
  const resolver = createDidResolver({
    fetch,
    hostPolicy,
    clock,
    ...(options.didCacheTtlMs !== undefined ? { cacheTtlMs: options.didCacheTtlMs } : {}),
  });
  const statusChecker = createStatusListChecker({
    fetch,
    hostPolicy,
    resolver,
    clock,
    ...(options.statusCacheTtlMs !== undefined ? { cacheTtlMs: options.statusCacheTtlMs } : {}),
  });
  return { resolver, statusChecker };
}
