// Shuyu's ODRL 2.2 policy engine: a pure library (no I/O). Compile once, evaluate many.
//
//   const { policy, problems } = await compilePolicy(json);      // any JSON-LD form
//   const decision = policy.evaluate({ action: 'use', ... });    // permit | deny | not-applicable
//   explain(decision)                                             // sentences, from the trace
//   await checkPolicy(json)                                       // errors + lint warnings

import { compilePolicy, type CompileOptions, type CompileResult } from './compile.js';
import type { Decision } from './evaluate/compiled-policy.js';
import { lintPolicy, type LintOptions } from './lint/lint.js';
import type { PolicyProblem } from './problems.js';
import type { EvaluationRequest } from './request/types.js';
import { defaultVocabularies } from './vocabulary/index.js';

export { compilePolicy, compilePolicySync, type CompileOptions, type CompileResult } from './compile.js';
export {
  CompiledPolicy,
  Decision,
  type DecisionCode,
  type DecisionValue,
  type DutyOutcome,
} from './evaluate/compiled-policy.js';
export { explain, reasonOf } from './evaluate/explain.js';
export type { ConstraintTrace, DutyTrace, RuleTrace, Trace } from './evaluate/trace.js';
export { lintPolicy, type LintOptions } from './lint/lint.js';
export type { Policy, Rule, Constraint } from './model/types.js';
export { formatProblem, type PolicyProblem, type Severity } from './problems.js';
export type { EvaluationRequest, RequestClaims, RequestAsset, DutyState } from './request/types.js';
export {
  compileVocabularies,
  defaultVocabularies,
  type Vocabularies,
  type VocabularyDefinitions,
} from './vocabulary/index.js';
export { OPERANDS } from './operands/registry.js';
export {
  createDocumentLoader,
  POLICY_CONTEXTS,
  ContextNotBundledError,
  type DocumentLoader,
} from './jsonld/document-loader.js';
export { SHUYU_NS, ODRL_NS } from './jsonld/namespaces.js';

export interface CheckResult extends CompileResult {
  /** Errors first, then lint warnings. */
  readonly report: readonly PolicyProblem[];
  /** Lint ran only on the parts of the policy that compiled (the policy has errors). */
  readonly lintedPartly: boolean;
}

/**
 * Lint warnings that would be wrong about a policy with parts left out (a dropped constraint is not
 * "unconstrained"), so they are not reported when lint runs on the parts that compiled.
 */
const NEEDS_WHOLE_POLICY = new Set(['LINT_UNCONSTRAINED', 'LINT_ALWAYS_CONFLICTS', 'LINT_OFFER_EMPTY']);

/** Compiles and lints, reporting every problem of every stage that can run: what `shuyu policy check` prints. */
export async function checkPolicy(
  input: unknown,
  options: CompileOptions & LintOptions = {},
): Promise<CheckResult> {
  const compiled = await compilePolicy(input, options);
  const vocabularies = options.vocabularies ?? defaultVocabularies();
  const model = compiled.policy.policy ?? compiled.partial;
  const lintedPartly = compiled.policy.policy === undefined && model !== undefined;
  let warnings = model ? lintPolicy(model, vocabularies, options) : [];
  if (lintedPartly) warnings = warnings.filter((w) => !NEEDS_WHOLE_POLICY.has(w.code));
  return {
    ...compiled,
    lintedPartly,
    report: [...compiled.problems, ...(compiled.warnings ?? []), ...warnings],
  };
}

/** One-shot: compile and evaluate. Never throws; an uncompilable policy denies with INVALID_POLICY. */
export async function evaluate(
  policy: unknown,
  request: EvaluationRequest,
  options: CompileOptions = {},
): Promise<Decision> {
  return (await compilePolicy(policy, options)).policy.evaluate(request);
}
