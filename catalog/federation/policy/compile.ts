// Policies as the crawler reads them from DSP catalogs: compact DSP JSON (Shuyu operands as full IRIs)
// without a context of their own. The DSP context is added so the engine reads the terms exactly as
// a JSON-LD processor would; a policy that does not compile denies everything (the engine's rule).
import { DSP_CONTEXT_URL, type JsonObject } from '../../../connector/dsp/messages/types.js';
import { compilePolicy, type CompileResult, type CompiledPolicy } from '../../../policies/index.js';
import type { Policy } from '../../../policies/model/types.js';

/** Compiles a policy taken out of a DSP catalog; `type` is used when the body names none. */
export function compileDspPolicy(body: JsonObject, type: 'Set' | 'Offer'): Promise<CompileResult> {
  return compilePolicy({
    '@context': [DSP_CONTEXT_URL],
    '@type': type,
    ...body,
  });
}

/**
 * Whether any rule names an assigner. Only then can the provider (the request's assigner) change the
 * decision, so only then is visibility decided per provider rather than once per policy and grade.
 */
export function namesAssigner(policy: Policy | undefined): boolean {
  if (policy === undefined) return false;
  if (policy.assigner !== undefined) return true;
  return [...policy.permissions, ...policy.prohibitions, ...policy.obligations].some(
    (rule) => rule.assigner !== undefined,
  );
}

/** A bounded map of compiled access policies by row id (rows never change; ids are never reused). */
export class CompiledPolicyCache {
  readonly #entries = new Map<number, CompiledPolicy>();

  constructor(private readonly maxEntries = 10_000) {}

  get(row: number): CompiledPolicy | undefined {
    return this.#entries.get(row);
  }

  set(row: number, policy: CompiledPolicy): void {
    if (this.#entries.size >= this.maxEntries) {
      const oldest = this.#entries.keys().next();
      if (!oldest.done) this.#entries.delete(oldest.value);
    }
    this.#entries.set(row, policy);
  }

  get size(): number {
    return this.#entries.size;
  }
}
