// The identity a running Shuyu process (connector or authority) has on the network: its key store, the
// did:web derived from its public URL, the DID document it serves, and the resolver / status checker it
// uses to verify others. Network access goes through globalThis.fetch, restricted by the host policy. Every
// Shuyu process runs a DCP Credential Service under <publicUrl>/dcp/v1, advertised in its DID document.
import { systemClock, type Clock } from './clock.js';
import { CREDENTIAL_SERVICE_TYPE } from './dcp/credential-service.js';
import { buildDidDocument, type DidDocument, type DidService } from './did/document.js';
import { createDidResolver, type DidResolver } from './did/resolver.js';
import { urlToDidWeb } from './did/web.js';
import { openSm2Key, type Sm2Key } from './keys/sm2-key.js';
import { openKeyStore, type KeyStore } from './keys/store.js';
import type { FetchLike } from './net/fetch.js';
import type { HostPolicy } from './net/host-policy.js';
import { createDidSigner, type DidSigner } from './signer.js';
import { createStatusListChecker, type StatusChecker } from './status-list/checker.js';

/** Where a Shuyu process mounts its DCP Credential Service (the DID document's CredentialService endpoint). */
export const CREDENTIAL_SERVICE_PATH = '/dcp/v1';

export interface ProcessIdentity {
  readonly did: string;
  /** The CredentialService endpoint advertised in the DID document. */
  readonly credentialServiceUrl: string;
  readonly keys: KeyStore;
  /** The SM2 key for evidence checkpoints, when the data space uses SM2/SM3 (published in the DID document). */
  readonly sm2Key?: Sm2Key;
  /** A signer with the current active key (call again after a rotation). */
  signer(): DidSigner;
  /** The DID document: published keys and the CredentialService (plus `services`, if given). */
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
  const credentialServiceUrl = publicUrl.replace(/\/+$/, '') + CREDENTIAL_SERVICE_PATH;
  const credentialService: DidService = {
    id: `${did}#credential-service`,
    type: CREDENTIAL_SERVICE_TYPE,
    serviceEndpoint: credentialServiceUrl,
  };
  return {
    did,
    credentialServiceUrl,
    keys,
    ...(sm2Key ? { sm2Key } : {}),
    signer: () => createDidSigner(did, keys),
    didDocument: (services = []) =>
      buildDidDocument({
        did,
        keys: keys.publishedKeys,
        services: [credentialService, ...services],
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
