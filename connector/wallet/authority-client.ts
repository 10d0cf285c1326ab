// Talking to the data space authority as a participant: learn who it is and its profile, apply for
// membership, check the application. Every call proves control of our DID with a fresh self-issued ID
// token addressed to the authority. Issued credentials arrive by DCP issuance (identity/dcp/issuance.ts).
import { createIdToken, type DidSigner } from '../identity/index.js';
import { requestJson, type JsonFailure } from '../http/json-client.js';

export const AUTHORITY_PREFIX = '/authority/v1';

export interface AuthorityInfo {
  did: string;
  dataSpace: string;
  statusLists: { revocation: string; suspension: string };
}

/** The data space profile the authority distributes (catalog/authority/profile.ts); checked by the reader. */
export interface DistributedProfile {
  trustedIssuers?: unknown;
  contexts?: unknown;
  /** The data space's rate limits for members' connectors (http/rate-limit/settings.ts). */
  rateLimits?: unknown;
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

  /** The caller's error for a failed call: unreachable, or the authority's problem detail. */
  #failure(what: string): (f: JsonFailure) => AuthorityClientError {
    return (f) =>
      f.status === 0
        ? new AuthorityClientError(
            0,
            `cannot reach the authority at ${this.#url} (${f.detail}); is it running?`,
          )
        : new AuthorityClientError(f.status, `${what} failed (${f.status}): ${f.detail}`, f.problem);
  }

  async info(): Promise<AuthorityInfo> {
    this.#info ??= await requestJson<AuthorityInfo>(
      `${this.#url}${AUTHORITY_PREFIX}`,
      { method: 'GET', timeoutMs: 10_000, fetch: this.#fetch },
      this.#failure('Asking the authority who it is'),
    );
    return this.#info;
  }

  /** The operator's profile: issuers trusted beside the authority, and JSON-LD contexts to load. */
  profile(): Promise<DistributedProfile> {
    return requestJson<DistributedProfile>(
      `${this.#url}${AUTHORITY_PREFIX}/profile`,
      { method: 'GET', timeoutMs: 10_000, fetch: this.#fetch },
      this.#failure('Reading the data space profile'),
    );
  }

  /** Where the authority pushes signed status changes (Server-Sent Events). */
  statusEventsUrl(): string {
    return `${this.#url}${AUTHORITY_PREFIX}/status/events`;
  }

  /** A fresh self-issued ID token addressed to the authority (proves our DID). */
  async idToken(): Promise<string> {
    const { did } = await this.info();
    const { token } = await createIdToken({ signer: this.#signer(), audience: did, lifetimeSeconds: 120 });
    return token;
  }

  async #authorised(
    path: string,
    init: { method: 'GET' | 'POST'; body?: unknown },
    what: string,
  ): Promise<unknown> {
    const token = await this.idToken();
    return requestJson(
      `${this.#url}${AUTHORITY_PREFIX}${path}`,
      { method: init.method, bearer: token, body: init.body, timeoutMs: 15_000, fetch: this.#fetch },
      this.#failure(what),
    );
  }

  apply(application: Record<string, unknown>): Promise<Record<string, unknown>> {
    return this.#authorised('/applications', { method: 'POST', body: application }, 'Applying') as Promise<
      Record<string, unknown>
    >;
  }

  /**
   * Tells the federated catalog our offers changed, so it crawls our catalog within seconds instead of at
   * its next scheduled crawl (catalog/federation/README.md, "Notices").
   */
  async noticeCatalogChanged(): Promise<void> {
    const token = await this.idToken();
    await requestJson(
      `${this.#url}/catalog/v1/notices`,
      { method: 'POST', bearer: token, body: {}, timeoutMs: 10_000, fetch: this.#fetch },
      this.#failure('Telling the catalog our offers changed'),
    );
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
}
