// Registering the provider's data products at the authority (数据产品登记): the management API hands a
// product description to the authority, signed as this connector's DID (a self-issued ID token, as for
// membership), and keeps the authority's answers. Syncing reads the authority's decisions; a registration's
// credential is verified (issuer = the authority, signature, status, about our datasets) before it is kept and
// before the datasets' DSP entries reference it.
import type { AssetStore } from '../assets/index.js';
import { requestJson } from '../http/json-client.js';
import { HttpProblem } from '../http/problem.js';
import { verifyCredential, type Clock, type DidResolver, type StatusChecker } from '../identity/index.js';
import type { AuthorityClient } from '../wallet/authority-client.js';
import { ProductRegistrationStore, type ProductRegistration } from './store.js';
import type { Store } from '../store/database.js';

const PRODUCTS_PATH = '/authority/v1/products';

export interface ProductRegistrationsOptions {
  readonly db: Store;
  readonly assets: AssetStore;
  readonly authority: AuthorityClient;
  readonly authorityUrl: string;
  readonly ourDid: string;
  /** Our DSP endpoint, written into descriptions that name none. */
  readonly dspEndpoint: string;
  readonly verifiers: { resolver: DidResolver; statusChecker: StatusChecker };
  readonly clock: Clock;
}

export class ProductRegistrations {
  readonly #store: ProductRegistrationStore;
  readonly #options: ProductRegistrationsOptions;
  readonly #base: string;

  constructor(options: ProductRegistrationsOptions) {
    this.#options = options;
    this.#store = new ProductRegistrationStore(options.db);
    this.#base = options.authorityUrl.replace(/\/+$/, '') + PRODUCTS_PATH;
  }

  async #call<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
    let token: string;
    try {
      token = await this.#options.authority.idToken();
    } catch (error) {
      throw new HttpProblem(502, 'authority-unreachable', (error as Error).message);
    }
    return requestJson<T>(this.#base + path, { method, bearer: token, body, timeoutMs: 15_000 }, (f) =>
      f.status === 0
        ? new HttpProblem(502, 'authority-unreachable', `cannot reach the authority: ${f.detail}`)
        : // The authority's verdict, passed on with its field pointers (they point into the same description).
          new HttpProblem(
            f.status >= 500 ? 502 : f.status,
            typeof f.problem?.type === 'string'
              ? (f.problem.type.split('/').pop() ?? 'authority-refused')
              : 'authority-refused',
            `The authority refused: ${f.detail}`,
            Array.isArray(f.problem?.errors)
              ? (f.problem.errors as { pointer: string; reason: string }[])
              : [],
          ),
    );
  }

  /** Applies for registration of a product made of our datasets; `description` is the 数据产品说明书. */
  async apply(description: unknown): Promise<ProductRegistration> {
    const body = withEndpoint(description, this.#options.dspEndpoint);
    const ids = (body as { datasetIds?: unknown }).datasetIds;
    if (Array.isArray(ids)) {
      const missing: { pointer: string; reason: string }[] = [];
      for (const [i, id] of ids.entries()) {
        if (typeof id === 'string' && (await this.#options.assets.getAsset(id)) === undefined) {
          missing.push({
            pointer: `/datasetIds/${i}`,
            reason: `${id} is not one of this connector's assets`,
          });
        }
      }
      if (missing.length > 0) {
        throw new HttpProblem(
          400,
          'invalid-body',
          "A product can only hold this connector's own datasets.",
          missing,
        );
      }
    }
    const record = await this.#call<ProductRegistration>('POST', '', body);
    await this.#store.save(record, this.#options.clock().toISOString());
    return record;
  }

  /**
   * Reads the authority's decisions on our applications, keeps each (verifying registration credentials) and
   * puts the registration on the registered datasets. Returns every registration we know of.
   */
  async sync(): Promise<ProductRegistration[]> {
    const { products } = await this.#call<{ products: ProductRegistration[] }>('GET', '/mine');
    const now = this.#options.clock().toISOString();
    for (const product of products) {
      const known = await this.#store.get(product.id);
      if (known && known.state === product.state) continue;
      if (product.state === 'registered') await this.#verify(product);
      await this.#store.save(product, now);
      if (
        product.state === 'registered' &&
        product.productId &&
        product.credentialId &&
        product.credentialUrl
      ) {
        for (const datasetId of product.description.datasetIds) {
          if ((await this.#options.assets.getAsset(datasetId)) === undefined) continue; // deleted since
          await this.#options.assets.setRegistration(datasetId, {
            productId: product.productId,
            credentialId: product.credentialId,
            credentialUrl: product.credentialUrl,
          });
        }
      }
    }
    return this.#store.list();
  }

  list(): Promise<ProductRegistration[]> {
    return this.#store.list();
  }

  /**
   * While an application of ours awaits review, asks the authority every `intervalMs` for its decision, so a
   * registered product reaches our DSP catalog without anyone reading the list (also after a restart, for
   * applications made before it). Nothing is asked when nothing is pending. Returns the stop function.
   */
  follow(intervalMs: number): () => void {
    let busy = false;
    const tick = async (): Promise<void> => {
      if (busy) return;
      busy = true;
      try {
        if ((await this.#store.list()).some((p) => p.state === 'pending')) await this.sync();
      } catch {
        // The authority may be down: the next tick (or a read of the list) asks again.
      } finally {
        busy = false;
      }
    };
    const timer = setInterval(() => void tick(), intervalMs);
    timer.unref();
    return () => clearInterval(timer);
  }

  async get(id: string): Promise<ProductRegistration> {
    const record = await this.#store.get(id);
    if (!record) throw new HttpProblem(404, 'not-found', `This connector has no product registration ${id}.`);
    return record;
  }

  async #verify(product: ProductRegistration): Promise<void> {
    if (!product.credential) {
      throw new HttpProblem(
        502,
        'authority-answer-invalid',
        `Registered product ${product.id} came without its credential.`,
      );
    }
    const authorityDid = (await this.#options.authority.info()).did;
    const verified = await verifyCredential(product.credential, {
      resolver: this.#options.verifiers.resolver,
      statusChecker: this.#options.verifiers.statusChecker,
      trustList: [{ did: authorityDid }],
      clock: this.#options.clock,
    });
    const subject = verified.subject as unknown as {
      productId?: string;
      provider?: string;
      datasets?: string[];
    };
    const datasets = [...(subject.datasets ?? [])].sort().join(' ');
    if (
      verified.type !== 'DataProductRegistration' ||
      subject.provider !== this.#options.ourDid ||
      subject.productId !== product.productId ||
      datasets !== [...product.description.datasetIds].sort().join(' ')
    ) {
      throw new HttpProblem(
        502,
        'authority-answer-invalid',
        `The credential of ${product.id} does not register our datasets as ${String(product.productId)}.`,
      );
    }
  }
}

function withEndpoint(description: unknown, dspEndpoint: string): unknown {
  if (description === null || typeof description !== 'object' || Array.isArray(description))
    return description;
  return 'dspEndpoint' in description ? description : { ...description, dspEndpoint };
}
