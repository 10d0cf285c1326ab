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
  /** Stages that could not run because an earlier one failed (shape, meaning, lint). */
  readonly skipped?: readonly string[];
  /** When the policy has errors: the parts that were understood (for linting; never evaluated). */
  readonly partial?: Policy;
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
  // Every stage that can run does, so one pass reports every problem (`shuyu policy check`).
  const problems: PolicyProblem[] = loaded.ok ? [] : [...loaded.problems];
  const canonical = loaded.ok ? loaded.value : loaded.partial;
  const skipped: string[] = [];
  const failed = (extra: Partial<CompileResult> = {}): CompileResult => ({
    ok: false,
    policy: new CompiledPolicy(undefined, problems, vocabularies),
    problems,
    canonical,
    skipped,
    ...extra,
  });
  if (canonical === undefined) {
    skipped.push('shape', 'meaning', 'lint');
    return failed();
  }
  const shape = validateShape(canonical.doc);
  const shapeProblems = dedupe(
    shape.map((e) => error('ERR_POLICY_SHAPE', inputPointer(canonical, e.instancePath), shapeMessage(e))),
  );
  problems.push(...notFollowing(problems, shapeProblems));
  const builder = new ModelBuilder(canonical, vocabularies);
  let model: Policy | undefined;
  try {
    model = builder.build();
  } catch (e) {
    // Vocabulary hierarchies given by the caller can be malformed (a cycle): report, do not throw.
    problems.push(error('ERR_INTERNAL', '', `the policy could not be compiled: ${(e as Error).message}`));
    skipped.push('meaning', 'lint');
    return failed({ warnings: builder.notes });
  }
  problems.push(...notFollowing(problems, builder.problems));
  if (model === undefined || problems.length > 0)
    return failed({ warnings: builder.notes, partial: model ?? builder.partial });
  return {
    ok: true,
    policy: new CompiledPolicy(model, [], vocabularies),
    problems: [],
    warnings: builder.notes,
    canonical,
    skipped: [],
  };
}

/**
 * A later stage's problems, without those that only follow from an earlier stage's problem at the
 * same place (an action that is not a string is also "missing" to the model): one mistake, one report.
 */
function notFollowing(earlier: readonly PolicyProblem[], later: readonly PolicyProblem[]): PolicyProblem[] {
  const related = (a: string, b: string): boolean =>
    a === b || (a !== '' && b.startsWith(`${a}/`)) || (b !== '' && a.startsWith(`${b}/`));
  return later.filter((p) => !earlier.some((e) => related(e.path, p.path)));
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
