// compilePolicy: any accepted policy form → a CompiledPolicy. The result always holds a policy to
// evaluate; when the input had errors that policy denies every request (fail closed) and the
// problems say why.

import { inputPointer, type CanonicalResult } from './jsonld/canonicalize.js';
import { loadPolicy, loadPolicySync } from './jsonld/load.js';
import { CompiledPolicy } from './evaluate/compiled-policy.js';
import { ModelBuilder } from './model/build.js';
import { error, type PolicyProblem } from './problems.js';
import { shapeMessage, validateShape } from './schema/policy-schema.js';
import { defaultVocabularies, type Vocabularies } from './vocabulary/index.js';
import type { Policy } from './model/types.js';
import type { Canonical } from './jsonld/canonicalize.js';

export interface CompileOptions {
  /** Hierarchies for actions, purposes, regions, sectors (defaults: vocabulary/). */
  readonly vocabularies?: Vocabularies;
}

export interface CompileResult {
  readonly ok: boolean;
  /** Always present; denies everything when ok is false. */
  readonly policy: CompiledPolicy;
  /** Errors (empty when ok). */
  readonly problems: readonly PolicyProblem[];
  /** Warnings found while compiling (deprecated ODRL terms read as their 2.2 replacement). */
  readonly warnings?: readonly PolicyProblem[];
  /** The canonical form, when the input could be read at all (used by the linter). */
  readonly canonical?: Canonical;
}

/** Compiles a policy in any JSON-LD form (expanding unknown contexts with the bundled loader). */
export async function compilePolicy(input: unknown, options: CompileOptions = {}): Promise<CompileResult> {
  return fromCanonical(await loadPolicy(input), options);
}

/** Synchronous compile for documents that need no JSON-LD expansion (DSP or ODRL context, or none). */
export function compilePolicySync(input: unknown, options: CompileOptions = {}): CompileResult {
  return fromCanonical(loadPolicySync(input), options);
}

function fromCanonical(loaded: CanonicalResult, options: CompileOptions): CompileResult {
  const vocabularies = options.vocabularies ?? defaultVocabularies();
  const failed = (problems: readonly PolicyProblem[], canonical?: Canonical): CompileResult => ({
    ok: false,
    policy: new CompiledPolicy(undefined, problems, vocabularies),
    problems,
    canonical,
  });
  if (!loaded.ok) return failed(loaded.problems);
  const canonical = loaded.value;
  const shape = validateShape(canonical.doc);
  if (shape.length > 0) {
    return failed(
      dedupe(
        shape.map((e) => error('ERR_POLICY_SHAPE', inputPointer(canonical, e.instancePath), shapeMessage(e))),
      ),
      canonical,
    );
  }
  const builder = new ModelBuilder(canonical, vocabularies);
  let model: Policy | undefined;
  try {
    model = builder.build();
  } catch (e) {
    // Vocabulary hierarchies given by the caller can be malformed (a cycle): report, do not throw.
    return failed(
      [error('ERR_INTERNAL', '', `the policy could not be compiled: ${(e as Error).message}`)],
      canonical,
    );
  }
  if (model === undefined) return { ...failed(builder.problems, canonical), warnings: builder.notes };
  return {
    ok: true,
    policy: new CompiledPolicy(model, [], vocabularies),
    problems: [],
    warnings: builder.notes,
    canonical,
  };
}

/** ajv with allErrors reports an anyOf failure and each branch's failure; keep one per place. */
function dedupe(problems: PolicyProblem[]): PolicyProblem[] {
  const seen = new Set<string>();
  return problems.filter((p) => {
    const key = `${p.path}\u0000${p.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
