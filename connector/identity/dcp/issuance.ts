// The holder side of DCP credential issuance: find the issuer's IssuerService in its DID document, read
// its IssuerMetadata, and send a CredentialRequestMessage for every credential object it offers (our own
// self-issued ID token, aud = the issuer). The issuer answers 201 and delivers a CredentialMessage to our
// Credential Service's storage API (storage.ts), which is where the credentials enter the wallet.
import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { DidResolver } from '../did/resolver.js';
import { DcpError } from '../errors.js';
import { fetchBounded, type FetchLike } from '../net/fetch.js';
import { assertFetchAllowed, type HostPolicy } from '../net/host-policy.js';
import type { DidSigner } from '../signer.js';
import { createIdToken } from '../tokens/id-token.js';
import { isRecord } from '../util/json.js';
import { assertDcpMessage, DCP_CONTEXT_URL } from './schemas.js';

export const ISSUER_SERVICE_TYPE = 'IssuerService';

export interface RequestCredentialsOptions {
  readonly issuerDid: string;
  readonly signer: DidSigner;
  readonly resolver: DidResolver;
  readonly hostPolicy: HostPolicy;
  readonly fetch?: FetchLike;
  readonly clock?: Clock;
}

function issuerServiceEndpoint(did: string, document: Readonly<Record<string, unknown>>): string {
  const services = Array.isArray(document.service) ? document.service : [];
  const found = services.find(
    (s): s is { serviceEndpoint: string } =>
      isRecord(s) && s.type === ISSUER_SERVICE_TYPE && typeof s.serviceEndpoint === 'string',
  );
  if (!found) {
    throw new DcpError(
      'ERR_DCP_QUERY_FAILED',
      `The DID document of ${did} lists no ${ISSUER_SERVICE_TYPE}, so credentials cannot be requested from it.`,
    );
  }
  return found.serviceEndpoint.replace(/\/+$/, '');
}

/** Requests every credential the issuer offers; resolves with the request status URL once it answered 201. */
export async function requestCredentials(options: RequestCredentialsOptions): Promise<string> {
  const fetch = options.fetch ?? (globalThis.fetch as unknown as FetchLike);
  const { issuerDid } = options;
  const base = issuerServiceEndpoint(issuerDid, (await options.resolver.resolve(issuerDid)).document);
  const what = `Issuer Service of ${issuerDid}`;
  const metadataUrl = assertFetchAllowed(options.hostPolicy, `${base}/metadata`, what);
  const { body } = await fetchBounded(fetch, metadataUrl, {
    accept: 'application/json',
    maxBytes: 64 * 1024,
    timeoutMs: 10_000,
    what,
  });
  let metadata: unknown;
  try {
    metadata = JSON.parse(body);
  } catch {
    throw new DcpError('ERR_DCP_MESSAGE_INVALID', `${what} answered metadata that is not JSON.`);
  }
  assertDcpMessage('IssuerMetadata', metadata, `The metadata of ${what}`);
  const offered = (metadata as { credentialsSupported: { id: string }[] }).credentialsSupported;
  const message = {
    '@context': [DCP_CONTEXT_URL],
    type: 'CredentialRequestMessage',
    holderPid: randomUUID(),
    credentials: offered.map(({ id }) => ({ id })),
  };
  assertDcpMessage('CredentialRequestMessage', message, 'Our credential request');
  const { token } = await createIdToken({
    signer: options.signer,
    audience: issuerDid,
    ...(options.clock ? { clock: options.clock } : {}),
  });
  const requestUrl = assertFetchAllowed(options.hostPolicy, `${base}/credentials`, what);
  let response;
  try {
    response = await fetch(requestUrl.href, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        authorization: `Bearer ${token}`,
        accept: 'application/json',
      },
      body: JSON.stringify(message),
      redirect: 'error',
      signal: AbortSignal.timeout(30_000),
    });
  } catch (error) {
    throw new DcpError(
      'ERR_DCP_QUERY_FAILED',
      `${what}: the credential request failed (${(error as Error).message}).`,
    );
  }
  if (response.status !== 201) {
    const detail = new TextDecoder().decode(await response.arrayBuffer()).slice(0, 500);
    throw new DcpError(
      'ERR_DCP_QUERY_FAILED',
      `${what} answered HTTP ${response.status} to our request: ${detail}`,
    );
  }
  return new URL(response.headers.get('location') ?? '', `${base}/`).href;
}
