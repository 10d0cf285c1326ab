// The product registry (数据产品登记): active members apply with a product description, reviewers register
// or reject it with a reason, and registration assigns the unified product identifier and issues a signed
// DataProductRegistration credential about the product. Each step is one SQLite transaction with its audit
// entry (and, on registration, the status list state), like membership applications.
import { randomUUID } from 'node:crypto';
import { systemClock, type Clock, type CredentialClaims } from '../../../connector/identity/index.js';
import { HttpProblem } from '../../../connector/http/problem.js';
import type { Store, Queries } from '../../../connector/store/database.js';
import type { AuthorityService } from '../service.js';
import { AUTHORITY_API_PREFIX } from '../service.js';
import { authorityTables } from '../store.js';
import { formatProductId } from './identifier.js';
import { productTables as tables, type ProductFilter } from './store.js';
import type { ProductDescription, ProductRecord, ProductState } from './types.js';

export interface ProductRegistryOptions {
  db: Store;
  authority: AuthorityService;
  /** The authority's public base URL (credential URLs are under it). */
  publicUrl: string;
  /** The data space's code in product identifiers (2-8 capital letters or digits); default "DS". */
  dataSpaceCode?: string;
  clock?: Clock;
}

const MAX_PAGE = 500;

/** The subject id of a product's credential. */
export function productIri(productId: string): string {
  return `urn:shuyu:product:${productId}`;
}

export class ProductRegistry {
  readonly #db: Store;
  readonly #authority: AuthorityService;
  readonly #publicUrl: string;
  readonly #code: string;
  readonly #clock: Clock;

  constructor(options: ProductRegistryOptions) {
    this.#db = options.db;
    this.#authority = options.authority;
    this.#publicUrl = options.publicUrl.replace(/\/+$/, '');
    this.#code = options.dataSpaceCode ?? 'DS';
    formatProductId(this.#code, 2000, 1); // a bad code stops the start, not the first registration
    this.#clock = options.clock ?? systemClock;
  }

  /** Where anyone fetches a registered product's credential (application/vc+jwt). */
  credentialUrl(productId: string): string {
    return `${this.#publicUrl}${AUTHORITY_API_PREFIX}/products/${encodeURIComponent(productId)}/credential`;
  }

  async apply(providerDid: string, description: ProductDescription): Promise<ProductRecord> {
    return this.#db.transaction(async (tx) => {
      const member = await authorityTables.member(tx, providerDid);
      if (!member || member.state !== 'active') {
        throw new HttpProblem(
          403,
          'not-an-active-member',
          `${providerDid} is ${member ? member.state : 'not a member'}: only active members register data products.`,
        );
      }
      const claimed = await tables.claimedDatasets(tx, providerDid, description.datasetIds);
      if (claimed.length > 0) {
        throw new HttpProblem(
          409,
          'dataset-already-claimed',
          'Some datasets already belong to a pending or registered product.',
          claimed.map((c) => ({
            pointer: `/datasetIds/${description.datasetIds.indexOf(c.datasetId)}`,
            reason: `is in product application ${c.applicationId} (${c.state})`,
          })),
        );
      }
      const record: ProductRecord = {
        id: `urn:uuid:${randomUUID()}`,
        state: 'pending',
        provider: {
          did: member.did,
          organisationName: member.organisationName,
          registrationNumber: member.registrationNumber,
        },
        description,
        submittedAt: this.#clock().toISOString(),
      };
      await tables.insert(tx, record);
      await authorityTables.audit(tx, {
        at: record.submittedAt,
        actor: providerDid,
        action: 'product.apply',
        subject: record.id,
        detail: { name: description.name.en, datasets: description.datasetIds },
      });
      return record;
    });
  }

  async #pending(tx: Queries, id: string): Promise<ProductRecord> {
    const record = await tables.get(tx, id);
    if (!record) throw new HttpProblem(404, 'not-found', `There is no product application ${id}.`);
    if (record.state !== 'pending') {
      throw new HttpProblem(
        409,
        'already-decided',
        `Product application ${record.id} was already ${record.state} by ${record.decidedBy ?? '?'} at ` +
          `${record.decidedAt ?? '?'}.`,
      );
    }
    return record;
  }

  /** Registers a pending product: identifier, credential and decision in one transaction. */
  register(id: string, actor: string, note?: string): Promise<ProductRecord> {
    return this.#authority.issuing(async (tx, issue, now) => {
      const record = await this.#pending(tx, id);
      const provider = await authorityTables.member(tx, record.provider.did);
      if (!provider || provider.state !== 'active') {
        throw new HttpProblem(
          409,
          'provider-not-active',
          `The provider ${record.provider.did} is ${provider?.state ?? 'no member'}; reject the application instead.`,
        );
      }
      const year = now.getUTCFullYear();
      const productId = formatProductId(this.#code, year, await tables.nextSequence(tx, year));
      const claims: CredentialClaims = {
        type: 'DataProductRegistration',
        subject: {
          id: productIri(productId),
          productId,
          provider: record.provider.did,
          datasets: [...record.description.datasetIds],
          dataGrade: record.description.dataGrade,
          dataSpace: this.#authority.dataSpace,
        },
      };
      const [credential] = await issue(productIri(productId), [claims]);
      if (!credential) throw new Error('no credential issued');
      const at = now.toISOString();
      await tables.register(tx, record.id, {
        at,
        by: actor,
        ...(note ? { note } : {}),
        productId,
        credentialId: credential.id,
        credential: credential.credential,
        statusIndex: credential.statusIndex,
      });
      await authorityTables.audit(tx, {
        at,
        actor,
        action: 'product.register',
        subject: record.id,
        detail: { productId, credential: credential.id, ...(note ? { note } : {}) },
      });
      return (await tables.get(tx, record.id)) as ProductRecord;
    });
  }

  reject(id: string, actor: string, reason: string): Promise<ProductRecord> {
    return this.#db.transaction(async (tx) => {
      const record = await this.#pending(tx, id);
      const at = this.#clock().toISOString();
      await tables.reject(tx, record.id, { at, by: actor, reason });
      await authorityTables.audit(tx, {
        at,
        actor,
        action: 'product.reject',
        subject: record.id,
        detail: { reason },
      });
      return (await tables.get(tx, record.id)) as ProductRecord;
    });
  }

  /** By application id or product identifier. */
  async product(id: string): Promise<ProductRecord> {
    const record = await tables.get(this.#db, id);
    if (!record) throw new HttpProblem(404, 'not-found', `There is no data product ${id}.`);
    return record;
  }

  list(
    filter: { state?: ProductState; providerDid?: string; limit?: number; offset?: number } = {},
  ): Promise<ProductRecord[]> {
    const query: ProductFilter = {
      ...(filter.state ? { state: filter.state } : {}),
      ...(filter.providerDid ? { providerDid: filter.providerDid } : {}),
      limit: Math.min(Math.max(Math.trunc(filter.limit ?? 50), 1), MAX_PAGE),
      offset: Math.max(Math.trunc(filter.offset ?? 0), 0),
    };
    return tables.list(this.#db, query);
  }

  /** The registered product holding a provider's dataset (the federated catalog's "registered"). */
  registeredFor(providerDid: string, datasetId: string): Promise<ProductRecord | undefined> {
    return tables.registeredFor(this.#db, providerDid, datasetId);
  }
}
