// Talking to the data space authority as a participant: learn who it is, apply for membership, check the
// application, and collect the issued credentials into the wallet. Every call proves control of our DID
// with a fresh self-issued ID token addressed to the authority.
import {
  createIdToken,
  verifyCredential,
  type DidResolver,
  type DidSigner,
  type StatusChecker,
} from '../identity/index.js';
import type { Wallet, WalletCredential } from './store.js';

export const AUTHORITY_PREFIX = '/authority/v1';

export interface AuthorityInfo {
  did: string;
  dataSpace: string;
  statusLists: { revocation: string; suspension: string };
}

export class AuthorityClientError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly problem?: Record<string, unknown>,
  ) {
    super(message);
  }
}

async function readJson(response: Response, what: string): Promise<unknown> {
  const text = await response.text();
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (!response.ok) {
    const problem = body as Record<string, unknown> | undefined;
    const detail = typeof problem?.detail === 'string' ? problem.detail : text.slice(0, 300);
    throw new AuthorityClientError(
      response.status,
      `${what} failed (${response.status}): ${detail}`,
      problem,
    );
  }
  return body;
}

export interface AuthorityClientOptions {
  /** The authority's base URL, e.g. http://127.0.0.1:7700. */
  url: string;
  signer: () => DidSigner;
  /** Default globalThis.fetch. */
  fetch?: typeof fetch;
}

export class AuthorityClient {
  readonly #url: string;
  readonly #signer: () => DidSigner;
  readonly #fetch: typeof fetch;
  #info: AuthorityInfo | undefined;

  constructor(options: AuthorityClientOptions) {
    this.#url = options.url.replace(/\/+$/, '');
    this.#signer = options.signer;
    this.#fetch = options.fetch ?? globalThis.fetch;
  }

  async info(): Promise<AuthorityInfo> {
    if (this.#info) return this.#info;
    let response: Response;
    try {
      response = await this.#fetch(`${this.#url}${AUTHORITY_PREFIX}`, {
        signal: AbortSignal.timeout(10_000),
      });
    } catch (error) {
      throw new AuthorityClientError(
        0,
        `cannot reach the authority at ${this.#url} (${(error as Error).message}); is it running?`,
      );
    }
    this.#info = (await readJson(response, 'Asking the authority who it is')) as AuthorityInfo;
    return this.#info;
  }

  async #authorised(
    path: string,
    init: { method: 'GET' | 'POST'; body?: unknown },
    what: string,
  ): Promise<unknown> {
    const { did } = await this.info();
    const { token } = await createIdToken({ signer: this.#signer(), audience: did, lifetimeSeconds: 120 });
    const response = await this.#fetch(`${this.#url}${AUTHORITY_PREFIX}${path}`, {
      method: init.method,
      headers: {
        authorization: `Bearer ${token}`,
        ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      signal: AbortSignal.timeout(15_000),
    });
    return readJson(response, what);
  }

  apply(application: Record<string, unknown>): Promise<Record<string, unknown>> {
    return this.#authorised('/applications', { method: 'POST', body: application }, 'Applying') as Promise<
      Record<string, unknown>
    >;
  }

  async myApplications(): Promise<Record<string, unknown>[]> {
    const body = (await this.#authorised(
      '/applications/mine',
      { method: 'GET' },
      'Listing applications',
    )) as {
      applications: Record<string, unknown>[];
    };
    return body.applications;
  }

  /**
   * Fetches our credentials, verifies each one (issuer = the authority, signature, validity, status) and
   * replaces the authority's credentials in the wallet with them. Nothing is stored if any fails.
   */
  async collectInto(
    wallet: Wallet,
    verifiers: { resolver: DidResolver; statusChecker: StatusChecker },
    now: () => Date = () => new Date(),
  ): Promise<WalletCredential[]> {
    const info = await this.info();
    const body = (await this.#authorised(
      '/credentials/mine',
      { method: 'GET' },
      'Collecting credentials',
    )) as {
      credentials: { id: string; type: string; credential: string; validFrom: string; validUntil: string }[];
    };
    const holder = this.#signer().did;
    const received: WalletCredential[] = [];
    for (const record of body.credentials) {
      const verified = await verifyCredential(record.credential, {
        resolver: verifiers.resolver,
        statusChecker: verifiers.statusChecker,
        trustList: [{ did: info.did }],
        clock: now,
      });
      if (verified.subject.id !== holder) {
        throw new AuthorityClientError(
          0,
          `The authority returned a credential for ${verified.subject.id}, not us.`,
        );
      }
      received.push({
        id: verified.id ?? record.id,
        type: verified.type,
        format: 'jwt',
        issuer: verified.issuer,
        credential: record.credential,
        ...(verified.validFrom ? { validFrom: verified.validFrom.toISOString() } : {}),
        ...(verified.validUntil ? { validUntil: verified.validUntil.toISOString() } : {}),
        receivedAt: now().toISOString(),
      });
    }
    await wallet.replaceFromIssuer(info.did, received);
    return received;
  }
}
