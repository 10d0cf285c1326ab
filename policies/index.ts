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
}

/** Compiles and lints: what `shuyu policy check` prints. */
export async function checkPolicy(
  input: unknown,
  options: CompileOptions & LintOptions = {},
): Promise<CheckResult> {
  const compiled = await compilePolicy(input, options);
  const warnings = compiled.policy.policy
    ? lintPolicy(compiled.policy.policy, options.vocabularies ?? defaultVocabularies(), options)
    : [];
  return { ...compiled, report: [...compiled.problems, ...(compiled.warnings ?? []), ...warnings] };
}

/** One-shot: compile and evaluate. Never throws; an uncompilable policy denies with INVALID_POLICY. */
export async function evaluate(
  policy: unknown,
  request: EvaluationRequest,
  options: CompileOptions = {},
): Promise<Decision> {
  return (await compilePolicy(policy, options)).policy.evaluate(request);
}
