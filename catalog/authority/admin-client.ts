// A typed client of the authority's admin API, for the CLI (and scripts): one method per admin operation.
import { requestJson } from '../../connector/http/json-client.js';
import { AUTHORITY_API_PREFIX } from './service.js';
import type { ProductRecord } from './products/types.js';
import type { Application, AuditEntry, Member, MemberState } from './types.js';
import type { CatalogOverview, CrawlSummary } from '../federation/types.js';

export interface CatalogCrawlResult {
  readonly alreadyRunning: boolean;
  readonly summary: CrawlSummary;
  readonly providers: CatalogOverview['providers'];
}

export class AdminApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly problem?: { errors?: { pointer: string; reason: string }[] },
  ) {
    super(message);
  }
}

export class AuthorityAdminClient {
  readonly #base: string;

  constructor(
    authorityUrl: string,
    private readonly adminKey: string,
  ) {
    this.#base = authorityUrl.replace(/\/+$/, '') + AUTHORITY_API_PREFIX + '/admin';
  }

  #call<T>(method: 'GET' | 'POST', path: string, body?: unknown, timeoutMs = 15_000): Promise<T> {
    return requestJson<T>(this.#base + path, { method, bearer: this.adminKey, body, timeoutMs }, (f) =>
      f.status === 0
        ? new AdminApiError(
            0,
            `cannot reach the authority at ${this.#base} (${f.detail}); is it running? (shuyu authority start)`,
          )
        : new AdminApiError(f.status, f.detail, f.problem as AdminApiError['problem']),
    );
  }

  async applications(state?: string): Promise<Application[]> {
    const query = state ? `?state=${encodeURIComponent(state)}` : '';
    return (await this.#call<{ applications: Application[] }>('GET', `/applications${query}`)).applications;
  }

  async members(state?: MemberState): Promise<Member[]> {
    const query = state ? `?state=${encodeURIComponent(state)}` : '';
    return (await this.#call<{ members: Member[] }>('GET', `/members${query}`)).members;
  }

  approve(
    id: string,
    approval: { dataGradeClearance?: string; role?: string; note?: string },
  ): Promise<{ application: Application; member: Member; credentials: { id: string; type: string }[] }> {
    return this.#call('POST', `/applications/${encodeURIComponent(id)}/approve`, approval);
  }

  reject(id: string, reason: string): Promise<Application> {
    return this.#call('POST', `/applications/${encodeURIComponent(id)}/reject`, { reason });
  }

  suspend(did: string, reason: string): Promise<Member> {
    return this.#call('POST', `/members/${encodeURIComponent(did)}/suspend`, { reason });
  }

  reinstate(did: string, note?: string): Promise<Member> {
    return this.#call('POST', `/members/${encodeURIComponent(did)}/reinstate`, note ? { note } : {});
  }

  revoke(did: string, reason: string): Promise<Member> {
    return this.#call('POST', `/members/${encodeURIComponent(did)}/revoke`, { reason });
  }

  async products(state?: string): Promise<ProductRecord[]> {
    const query = state ? `?state=${encodeURIComponent(state)}` : '';
    return (await this.#call<{ products: ProductRecord[] }>('GET', `/products${query}`)).products;
  }

  approveProduct(id: string, note?: string): Promise<ProductRecord & { credentialUrl: string }> {
    return this.#call('POST', `/products/${encodeURIComponent(id)}/approve`, note ? { note } : {});
  }

  rejectProduct(id: string, reason: string): Promise<ProductRecord> {
    return this.#call('POST', `/products/${encodeURIComponent(id)}/reject`, { reason });
  }

  /** The federated catalog: per member the last and next crawl, and the index size. */
  catalogStatus(): Promise<CatalogOverview> {
    return this.#call('GET', '/catalog');
  }

  /** Crawls every member, or one, now; resolves when the crawl is done. */
  crawl(member?: string): Promise<CatalogCrawlResult> {
    const query = member ? `?member=${encodeURIComponent(member)}` : '';
    return this.#call('POST', `/catalog/crawl${query}`, undefined, 300_000);
  }

  async audit(limit = 50): Promise<AuditEntry[]> {
    return (await this.#call<{ entries: AuditEntry[] }>('GET', `/audit?limit=${limit}`)).entries;
  }
}
