// Which indexed offers an asker may see: each distinct (access policy, dataset grade[, provider]) key
// is evaluated once per search, exactly as the provider's connector evaluates it for a catalog request
// (connector/assets/visibility.ts): action read, the asker's DID as assignee, the provider as
// assigner, the asker's verified claims and the dataset's grade. The search then keeps offers whose
// key passed. Offers without an access policy have no key, so only admins see them (fail closed).
import type { CompiledPolicy, EvaluationRequest, RequestClaims } from '../../../policies/index.js';
import type { Clock } from '../../../connector/identity/index.js';
import type { JsonObject } from '../../../connector/dsp/messages/types.js';
import type { IndexStore } from '../store/index-store.js';
import type { Asker } from '../types.js';
import { compileDspPolicy, CompiledPolicyCache } from './compile.js';

interface KeyRow {
  vis_key: string;
  policy_row: number;
  grade: string;
  provider_did: string | null;
}

/** What an anonymous caller holds: nothing (a fact, so "holds none of" constraints can be decided). */
const NO_CLAIMS: RequestClaims = Object.freeze({ credentialTypes: [], sectors: [], sectorRoles: [] });

export class VisibilityEvaluator {
  readonly #cache = new CompiledPolicyCache();
  #keys: { version: number; rows: KeyRow[] } | undefined;

  constructor(
    private readonly store: IndexStore,
    private readonly clock: Clock,
  ) {}

  /** The visibility keys `asker` passes; 'all' for admins, who see every offer. */
  async visibleKeys(asker: Asker): Promise<string[] | 'all'> {
    if (asker.kind === 'admin') return 'all';
    const rows = await this.#keyRows();
    const now = this.clock().getTime();
    const visible: string[] = [];
    for (const row of rows) {
      const policy = await this.#policy(row.policy_row);
      if (policy.evaluate(this.#request(asker, row, now)).permitted) visible.push(row.vis_key);
    }
    return visible;
  }

  #request(asker: Exclude<Asker, { kind: 'admin' }>, row: KeyRow, now: number): EvaluationRequest {
    return {
      action: 'read',
      ...(asker.kind === 'member' ? { assignee: asker.did } : {}),
      ...(row.provider_did !== null ? { assigner: row.provider_did } : {}),
      ...(row.grade !== '' ? { asset: { dataGrade: row.grade } } : {}),
      claims: asker.kind === 'member' ? asker.claims : NO_CLAIMS,
      time: now,
    };
  }

  async #keyRows(): Promise<KeyRow[]> {
    const version = this.store.version;
    if (this.#keys === undefined || this.#keys.version !== version) {
      const rows = await this.store.db.all<KeyRow>('SELECT * FROM federation_visibility_keys');
      this.#keys = { version, rows };
    }
    return this.#keys.rows;
  }

  async #policy(row: number): Promise<CompiledPolicy> {
    const cached = this.#cache.get(row);
    if (cached !== undefined) return cached;
    const stored = await this.store.db.get<{ body: string }>(
      'SELECT body FROM federation_access_policies WHERE id = ?',
      [row],
    );
    // A row removed meanwhile (garbage-collected by a crawl) compiles to nothing: deny.
    const body: JsonObject = stored ? (JSON.parse(stored.body) as JsonObject) : {};
    const compiled = await compileDspPolicy(body, 'Set');
    this.#cache.set(row, compiled.policy);
    return compiled.policy;
  }
}
