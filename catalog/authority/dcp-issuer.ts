// The authority as a DCP Issuer Service (credential issuance protocol), advertised in its DID document as
// a service of type IssuerService at <publicUrl>/dcp/issuer:
//   GET  /dcp/issuer/metadata        IssuerMetadata: one CredentialObject per Shuyu credential type
//   POST /dcp/issuer/credentials     CredentialRequestMessage (Authorization: the holder's self-issued ID
//                                    token, aud = our DID) → the holder's current credentials of the
//                                    requested types are delivered as a CredentialMessage to the holder's
//                                    Credential Service (`<CS>/credentials`, our ID token), then 201 with
//                                    Location of the request status
//   GET  /dcp/issuer/requests/:id    CredentialStatus (the requesting holder only)
// What a member may hold is decided by the admin's approval as before (service.credentialsOf): this is
// the transport, so a wallet of any DCP vendor can collect Shuyu credentials. Request statuses are kept in
// memory (they describe a delivery that is already done when the 201 is sent).
import { randomUUID } from 'node:crypto';
import { Router, type Request } from 'express';
import { verifyDidProof } from '../../connector/http/caller-auth.js';
import { HttpProblem } from '../../connector/http/problem.js';
import {
  assertDcpMessage,
  assertFetchAllowed,
  createIdToken,
  credentialServiceEndpoint,
  DCP_CONTEXT_URL,
  dcpMessageProblems,
  ISSUER_SERVICE_TYPE,
  SHUYU_CONTEXT_V1_URL,
  SHUYU_CREDENTIAL_TYPES,
  type DidResolver,
  type FetchLike,
  type HostPolicy,
  type ProcessIdentity,
  type ReplayCache,
} from '../../connector/identity/index.js';
import { fetchBounded } from '../../connector/identity/net/fetch.js';
import type { AuthorityService } from './service.js';

export const ISSUER_SERVICE_PATH = '/dcp/issuer';
const PROFILE = 'vc20-bssl/jwt';

/** The DID document entry that advertises the Issuer Service. */
export function issuerService(identity: ProcessIdentity, publicUrl: string) {
  return {
    id: `${identity.did}#issuer-service`,
    type: ISSUER_SERVICE_TYPE,
    serviceEndpoint: publicUrl.replace(/\/+$/, '') + ISSUER_SERVICE_PATH,
  };
}

/** The CredentialObject id for a Shuyu credential type. */
export function credentialObjectId(type: string): string {
  return `urn:shuyu:credential-object:${type}`;
}

export interface IssuerServiceOptions {
  readonly service: AuthorityService;
  readonly identity: ProcessIdentity;
  readonly resolver: DidResolver;
  readonly replayCache: ReplayCache;
  readonly hostPolicy: HostPolicy;
  readonly fetch?: FetchLike;
}

interface RequestStatus {
  readonly holder: string;
  readonly holderPid: string;
  readonly status: 'ISSUED' | 'REJECTED';
}

export function issuerServiceRouter(options: IssuerServiceOptions): Router {
  const router = Router();
  const fetch = options.fetch ?? (globalThis.fetch as unknown as FetchLike);
  const statuses = new Map<string, RequestStatus>();
  const did = options.identity.did;
  const proofOf = (req: Request) =>
    verifyDidProof(req, { resolver: options.resolver, audience: did, replayCache: options.replayCache });

  router.get(`${ISSUER_SERVICE_PATH}/metadata`, (_req, res) => {
    const metadata = {
      '@context': [DCP_CONTEXT_URL],
      type: 'IssuerMetadata',
      issuer: did,
      credentialsSupported: SHUYU_CREDENTIAL_TYPES.map((type) => ({
        id: credentialObjectId(type),
        type: 'CredentialObject',
        credentialType: type,
        // The type's term in Shuyu's vocabulary, which defines its claims (credentials/schemas.ts checks them).
        credentialSchema: `${SHUYU_CONTEXT_V1_URL}#${type}`,
        // Issued to approved members of the data space (the admin's decision), renewed on request.
        offerReason: 'membership',
        bindingMethods: ['did:web'],
        profile: PROFILE,
      })),
    };
    assertDcpMessage('IssuerMetadata', metadata, 'Our issuer metadata');
    res.json(metadata);
  });

  router.post(`${ISSUER_SERVICE_PATH}/credentials`, async (req, res) => {
    const holder = (await proofOf(req)).caller;
    const problems = dcpMessageProblems('CredentialRequestMessage', req.body);
    if (problems.length > 0) {
      throw new HttpProblem(
        400,
        'invalid-body',
        'The body is not a valid CredentialRequestMessage.',
        problems,
      );
    }
    const message = req.body as { holderPid: string; credentials: { id: string }[] };
    const types = message.credentials.map(({ id }) => {
      const type = SHUYU_CREDENTIAL_TYPES.find((t) => credentialObjectId(t) === id);
      if (type === undefined) {
        throw new HttpProblem(400, 'unknown-credential-object', `${id} is not in this issuer's metadata.`);
      }
      return type;
    });
    const { credentials } = await options.service.credentialsOf(holder);
    const issued = credentials.filter((c) => (types as string[]).includes(c.type));
    const issuerPid = randomUUID();
    const delivery = {
      '@context': [DCP_CONTEXT_URL],
      type: 'CredentialMessage',
      issuerPid,
      holderPid: message.holderPid,
      status: 'ISSUED',
      credentials: issued.map((c) => ({ credentialType: c.type, payload: c.credential, format: PROFILE })),
    };
    assertDcpMessage('CredentialMessage', delivery, 'Our credential message');
    const endpoint = credentialServiceEndpoint(holder, (await options.resolver.resolve(holder)).document);
    const url = assertFetchAllowed(
      options.hostPolicy,
      endpoint.replace(/\/+$/, '') + '/credentials',
      `Credential Service of ${holder}`,
    );
    const { token } = await createIdToken({ signer: options.identity.signer(), audience: holder });
    try {
      await fetchBounded(fetch, url, {
        accept: 'application/json',
        maxBytes: 64 * 1024,
        timeoutMs: 10_000,
        what: `Credential Service of ${holder}`,
        post: {
          body: JSON.stringify(delivery),
          headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
        },
      });
    } catch (error) {
      throw new HttpProblem(
        502,
        'delivery-failed',
        `The credentials could not be delivered to ${holder}'s Credential Service: ${(error as Error).message}`,
      );
    }
    statuses.set(issuerPid, { holder, holderPid: message.holderPid, status: 'ISSUED' });
    res.status(201).location(`${ISSUER_SERVICE_PATH}/requests/${issuerPid}`).end();
  });

  router.get(`${ISSUER_SERVICE_PATH}/requests/:id`, async (req, res) => {
    const holder = (await proofOf(req)).caller;
    const status = statuses.get(String(req.params.id));
    if (status === undefined || status.holder !== holder) {
      throw new HttpProblem(404, 'unknown-request', 'No credential request with this id was made by you.');
    }
    const body = {
      '@context': [DCP_CONTEXT_URL],
      type: 'CredentialStatus',
      issuerPid: String(req.params.id),
      holderPid: status.holderPid,
      status: status.status,
    };
    assertDcpMessage('CredentialStatus', body, 'Our credential status');
    res.json(body);
  });
  return router;
}
