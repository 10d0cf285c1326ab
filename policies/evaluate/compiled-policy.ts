// A policy compiled into closures (compile once, evaluate many, as ajv does with schemas). The fast
// path computes the decision without building a trace; the trace and the reason are computed on
// demand by evaluating again with tracing on, which gives the same answer because evaluation is a
// pure function of (policy, request, time).

import { canonicalIri } from '../jsonld/namespaces.js';
import type { AtomicConstraint, Constraint, EntityRef, Policy, Rule } from '../model/types.js';
import { OPERANDS, readRequestValues, type OperandDefinition } from '../operands/registry.js';
import type { PolicyProblem } from '../problems.js';
import type { EvaluationRequest } from '../request/types.js';
import { requestShapeError } from '../request/validate.js';
import { currentAction } from '../vocabulary/deprecated.js';
import { parseDateTime, parseValue } from '../values/parse.js';
import type { TypedValue } from '../values/types.js';
import type { Vocabularies } from '../vocabulary/index.js';
import { holds } from './operators.js';
import {
  constraintText,
  valuesText,
  type ConstraintTrace,
  type DutyStateName,
  type DutyTrace,
  type RuleOutcome,
  type RuleTrace,
  type Trace,
} from './trace.js';

// Constraint outcomes in Kleene's three-valued logic: an error is "unknown".
const FALSE = 0;
const TRUE = 1;
const ERROR = 2;
const NOT_APPLICABLE = 3;
type Outcome = typeof FALSE | typeof TRUE | typeof ERROR;
type RuleResult = Outcome | typeof NOT_APPLICABLE;

export type DecisionValue = 'permit' | 'deny' | 'not-applicable';

/** Why a decision came out as it did, as a stable code (the trace has the details). */
export type DecisionCode =
  | 'PERMITTED'
  | 'PERMITTED_BY_CONFLICT_STRATEGY'
  | 'NO_RULE_APPLIES'
  | 'CONSTRAINT_NOT_SATISFIED'
  | 'DUTY_VIOLATED'
  | 'PROHIBITED'
  | 'POLICY_VOID_BY_CONFLICT'
  | 'OBLIGATION_VIOLATED'
  | 'EVALUATION_ERROR'
  | 'MISSING_INFORMATION'
  | 'INVALID_POLICY'
  | 'INVALID_REQUEST';

export interface DutyOutcome {
  readonly uid?: string;
  readonly action: string;
  readonly state: Exclude<DutyStateName, 'inactive'>;
  /** Refinements of the duty's action (how it must be done), as text. */
  readonly refinements: readonly string[];
  readonly constraints: readonly string[];
  readonly parties: Readonly<Record<string, readonly string[]>>;
  readonly target?: string;
  /** true for a policy-level obligation, false for a duty of the permission used. */
  readonly obligation: boolean;
  readonly path: string;
}

interface CompiledDuty {
  readonly rule: Rule;
  /** The outcome reported for each state, built once (outcomes are immutable). */
  readonly outcomes: Readonly<Record<DutyOutcome['state'], DutyOutcome>>;
  readonly active: (ctx: Context) => Outcome;
  readonly consequences: readonly CompiledDuty[];
  readonly refinements: readonly string[];
  readonly constraints: readonly string[];
}

interface CompiledRule {
  readonly rule: Rule;
  /** Action refinements, collection refinements and constraints, all of which must hold. */
  readonly conditions: readonly { readonly role: string; readonly test: (ctx: Context) => Outcome }[];
  readonly duties: readonly CompiledDuty[];
  /** Remedies of a prohibition (listed in the trace when it applies). */
  readonly remedies: readonly CompiledDuty[];
}

/**
 * Per-evaluation state: the request, the time, its operand values (read and checked against their
 * domains once per request), and the trace sink. The fast path reuses one Context per compiled
 * policy (evaluation is synchronous and never re-entered).
 */
class Context {
  /** The request's values by operand index; null when the request does not give one. */
  private readonly values: (readonly TypedValue[] | null)[] = new Array(OPERANDS.size).fill(null);
  readonly sink: ConstraintTrace[][] = [];
  request: EvaluationRequest = EMPTY_REQUEST;
  now = 0;
  requestAction = '';
  /** Constraints left unknown because the request lacks a value, or because a value was malformed or incomparable. */
  missing = 0;
  broken = 0;
  requestTarget: string | undefined;
  requestAssignee: string | undefined;
  /** Operand indexes the request defers to use time (EvaluationRequest.deferred); empty for most requests. */
  readonly deferred = new Set<number>();
  /** Whether the rule being evaluated is a prohibition (a deferred constraint must then not trigger it). */
  inProhibition = false;

  constructor(readonly tracing: boolean) {}

  reset(request: EvaluationRequest, now: number): this {
    this.request = request;
    this.now = now;
    if (this.tracing) this.sink.length = 0;
    this.missing = 0;
    this.broken = 0;
    if (this.deferred.size > 0) this.deferred.clear();
    return this;
  }

  /**
   * Reads every operand value the request gives and checks it against the operand's domain, once:
   * undefined when all fit, otherwise why the request is malformed. `terms` are the vocabulary terms
   * the policy itself names, by operand index (an open vocabulary: a term the policy uses is known).
   */
  prepare(
    vocabularies: Vocabularies,
    terms: readonly (ReadonlySet<string> | undefined)[],
  ): string | undefined {
    const request = this.request;
    const raws = this.raws;
    readRequestValues(request, raws);
    if (request.time === undefined) raws[DATE_TIME_INDEX] = this.now;
    for (let i = 0; i < OPERAND_LIST.length; i++) {
      const raw = raws[i];
      if (raw === undefined || raw === null) {
        this.values[i] = null;
        continue;
      }
      // Requests repeat their values (the same purpose, the same credentials): a value equal to the
      // previous request's, primitive by primitive, was already read and checked.
      if (this.sameAsLast(i, raw)) {
        this.values[i] = this.lastValue[i] as readonly TypedValue[] | null;
        continue;
      }
      const value = readLeft(OPERAND_LIST[i] as OperandDefinition, raw, vocabularies, terms[i]);
      if (typeof value === 'string') return value;
      this.values[i] = value;
      this.remember(i, raw, value);
    }
    if (request.deferred !== undefined) {
      for (const name of request.deferred) {
        const operand = OPERANDS.get(canonicalIri(name)) ?? OPERANDS.get(name);
        if (operand !== undefined) this.deferred.add(operand.index);
      }
    }
    return undefined;
  }

  private readonly raws: unknown[] = new Array(OPERANDS.size).fill(undefined);
  private readonly lastRaw: unknown[] = new Array(OPERANDS.size).fill(undefined);
  private readonly lastValue: (readonly TypedValue[] | null)[] = new Array(OPERANDS.size).fill(null);

  private sameAsLast(i: number, raw: unknown): boolean {
    const last = this.lastRaw[i];
    if (!Array.isArray(raw)) return raw === last && typeof raw !== 'object';
    if (!Array.isArray(last) || last.length !== raw.length) return false;
    for (let j = 0; j < raw.length; j++) if (raw[j] !== last[j]) return false;
    return true;
  }

  /** Keeps primitives (and lists of them, copied): objects may change between requests. */
  private remember(i: number, raw: unknown, value: readonly TypedValue[] | null): void {
    let keep: unknown = undefined;
    if (Array.isArray(raw)) {
      if (raw.every((item) => typeof item !== 'object')) keep = raw.slice();
    } else if (typeof raw !== 'object') keep = raw;
    this.lastRaw[i] = keep;
    this.lastValue[i] = value;
  }

  private lastAction = '';
  private lastActionName = '';

  /** The request's action as an ODRL 2.2 term (requests repeat their action: remember the last). */
  actionOf(action: string): string {
    if (action !== this.lastAction) {
      this.lastAction = action;
      this.lastActionName = currentAction(canonicalIri(action));
    }
    return this.lastActionName;
  }

  /** The request's values for an operand, or null when it gives none. */
  left(operand: OperandDefinition): readonly TypedValue[] | null {
    return this.values[operand.index] as readonly TypedValue[] | null;
  }

  record(entry: ConstraintTrace): void {
    this.sink[this.sink.length - 1]?.push(entry);
  }
}

const EMPTY_REQUEST: EvaluationRequest = { action: '' };
const OPERAND_LIST: readonly OperandDefinition[] = [...OPERANDS.values()];
const DATE_TIME_INDEX = (OPERANDS.get('dateTime') as OperandDefinition).index;

/** One operand's request values: a list, null when absent, or why they are outside its domain. */
function readLeft(
  operand: OperandDefinition,
  raw: unknown,
  vocabularies: Vocabularies,
  policyTerms: ReadonlySet<string> | undefined,
): readonly TypedValue[] | string | null {
  const items = Array.isArray(raw) ? (raw as unknown[]) : undefined;
  if (items === undefined && operand.list) return `the request's ${operand.label} must be a list`;
  if (items !== undefined) {
    if (operand.cardinality === 'one')
      return `the request gives a list for ${operand.label}, expected one value`;
    if (items.length === 0 && operand.cardinality !== 'held') return null;
  }
  const hierarchy = operand.hierarchy === undefined ? undefined : vocabularies[operand.hierarchy];
  const out: TypedValue[] = [];
  const n = items === undefined ? 1 : items.length;
  for (let i = 0; i < n; i++) {
    const parsed = parseValue(operand.type, items === undefined ? raw : items[i]);
    if (!parsed.ok) return `the request's ${operand.label} is malformed: ${parsed.reason}`;
    const value = parsed.value;
    const outside = operand.domain?.(value);
    if (outside !== undefined) return `the request's ${operand.label} is out of range: ${outside}`;
    // A term outside the vocabulary (MARKETING, advertising) may lie anywhere in it: it could
    // neither satisfy a permission nor be shown to escape a prohibition, so it is refused.
    if (
      hierarchy !== undefined &&
      value.type === 'iri' &&
      !hierarchy.has(value.value) &&
      !(policyTerms?.has(value.value) ?? false)
    ) {
      return `the request's ${operand.label} "${value.text}" is not a term of the ${hierarchy.name} vocabulary`;
    }
    out.push(value);
  }
  return out;
}

export class CompiledPolicy {
  private readonly permissions: readonly CompiledRule[];
  private readonly prohibitions: readonly CompiledRule[];
  private readonly obligations: readonly CompiledDuty[];
  /** Vocabulary terms the policy names, by operand index: the request may use them too. */
  private readonly policyTerms: readonly (ReadonlySet<string> | undefined)[];

  constructor(
    /** The model; undefined when the policy did not compile (it then denies everything). */
    readonly policy: Policy | undefined,
    /** Errors that made the policy uncompilable (empty when it compiled). */
    readonly problems: readonly PolicyProblem[],
    private readonly vocabularies: Vocabularies,
  ) {
    this.permissions = policy?.permissions.map((r) => this.compileRule(r)) ?? [];
    this.prohibitions = policy?.prohibitions.map((r) => this.compileRule(r)) ?? [];
    this.obligations = policy?.obligations.map((r) => this.compileDuty(r, true)) ?? [];
    this.policyTerms = policy === undefined ? [] : termsOf(policy);
  }

  /** Evaluates a request. Never throws: a malformed request is denied with INVALID_REQUEST. */
  evaluate(request: EvaluationRequest): Decision {
    // "now" only matters when the request gives no time (reading the clock costs on the hot path).
    const now = request?.time === undefined ? Date.now() : 0;
    try {
      return this.run(request, now, this.fastContext, NO_TRACE);
    } catch (e) {
      // Defensive: a reader hitting an exotic request object must still deny, not throw.
      return new Decision(
        this,
        request,
        now,
        'deny',
        'INVALID_REQUEST',
        EMPTY_DUTIES,
        String((e as Error)?.message ?? e),
      );
    }
  }

  /** Evaluates with tracing on (used by Decision.trace; exposed for tools). */
  traceOf(request: EvaluationRequest, now: number): { decision: Decision; trace: Trace } {
    const rules: RuleTrace[] = [];
    const decision = this.run(request, now, new Context(true), rules);
    const time =
      request?.time === undefined
        ? new Date(now).toISOString()
        : String(request.time instanceof Date ? request.time.toISOString() : request.time);
    return {
      decision,
      trace: {
        policy: {
          uid: this.policy?.uid,
          type: this.policy?.type ?? 'invalid',
          conflict: this.policy?.conflict ?? 'invalid',
        },
        request: {
          action: String(request?.action),
          target: request?.target,
          assignee: request?.assignee,
          time,
        },
        rules,
      },
    };
  }

  private readonly fastContext = new Context(false);

  private decide(
    ctx: Context,
    decision: DecisionValue,
    code: DecisionCode,
    duties: readonly DutyOutcome[] = EMPTY_DUTIES,
    detail?: string,
  ): Decision {
    // A shallow copy: a caller reusing its request object for the next access keeps this trace right.
    const request =
      typeof ctx.request === 'object' && ctx.request !== null ? { ...ctx.request } : ctx.request;
    return new Decision(this, request, ctx.now, decision, code, duties, detail);
  }

  /**
   * MISSING_INFORMATION when only absent values left constraints unknown, EVALUATION_ERROR when a
   * value was malformed or incomparable. The fast path stops early in logical constraints, so it
   * asks the traced evaluation, which looks at every constraint (errors are the rare path).
   */
  private unknownCode(ctx: Context): DecisionCode {
    if (!ctx.tracing) return this.run(ctx.request, ctx.now, new Context(true), []).code;
    return ctx.broken > 0 ? 'EVALUATION_ERROR' : 'MISSING_INFORMATION';
  }

  private run(request: EvaluationRequest, now: number, context: Context, rules: RuleTrace[]): Decision {
    const ctx = context.reset(request, now);
    if (this.policy === undefined) return this.decide(ctx, 'deny', 'INVALID_POLICY');
    const malformed = requestShapeError(request);
    if (malformed !== undefined) return this.decide(ctx, 'deny', 'INVALID_REQUEST', EMPTY_DUTIES, malformed);
    ctx.requestAction = ctx.actionOf(request.action);
    if (!this.vocabularies.actions.has(ctx.requestAction)) {
      return this.decide(
        ctx,
        'deny',
        'INVALID_REQUEST',
        EMPTY_DUTIES,
        `the requested action "${request.action}" is not an ODRL action Shuyu knows`,
      );
    }
    if (request.time !== undefined && !isInstant(request.time)) {
      return this.decide(
        ctx,
        'deny',
        'INVALID_REQUEST',
        EMPTY_DUTIES,
        `the request time ${JSON.stringify(request.time)} is not a date-time${typeof request.time === 'number' ? ' (epoch milliseconds are finite and within ±8.64e15)' : ''}`,
      );
    }
    const outside = ctx.prepare(this.vocabularies, this.policyTerms);
    if (outside !== undefined) return this.decide(ctx, 'deny', 'INVALID_REQUEST', EMPTY_DUTIES, outside);
    ctx.requestTarget = typeof request.target === 'string' ? canonicalIri(request.target) : undefined;
    ctx.requestAssignee = typeof request.assignee === 'string' ? canonicalIri(request.assignee) : undefined;

    // Permissions: the first satisfied one with the fewest pending duties is the one used.
    let granted: DutyOutcome[] | undefined;
    let applicable = false;
    let permissionError = false;
    let dutyViolated = false;
    for (const p of this.permissions) {
      const result = this.evaluateRule(p, ctx, rules, 'permission');
      if (result === NOT_APPLICABLE) continue;
      applicable = true;
      if (result === ERROR) permissionError = true;
      if (result !== TRUE) continue;
      const duties = this.dutyOutcomes(p.duties, ctx, false, rules[rules.length - 1]);
      if (duties === null) {
        dutyViolated = true;
        continue;
      }
      if (granted === undefined || pendingCount(duties) < pendingCount(granted)) granted = duties;
    }

    let prohibited = false;
    let prohibitionError = false;
    for (const x of this.prohibitions) {
      const result = this.evaluateRule(x, ctx, rules, 'prohibition');
      if (result === TRUE && ctx.tracing) {
        const trace = rules[rules.length - 1];
        for (const remedy of x.remedies) dutyState(remedy, ctx, trace?.remedies as DutyTrace[] | undefined);
      }
      if (result === TRUE) prohibited = true;
      else if (result === ERROR) prohibitionError = true;
    }

    const obligations = this.dutyOutcomes(this.obligations, ctx, true, undefined, rules);
    // Fail closed: a prohibition we could not evaluate may apply.
    if (prohibitionError || (granted === undefined && !prohibited && permissionError)) {
      return this.decide(ctx, 'deny', this.unknownCode(ctx));
    }
    if (obligations === null) return this.decide(ctx, 'deny', 'OBLIGATION_VIOLATED');
    if (granted !== undefined) {
      const duties = obligations.length > 0 ? [...granted, ...obligations] : granted;
      if (!prohibited) return this.decide(ctx, 'permit', 'PERMITTED', duties);
      switch (this.policy.conflict) {
        case 'perm':
          return this.decide(ctx, 'permit', 'PERMITTED_BY_CONFLICT_STRATEGY', duties);
        case 'prohibit':
          return this.decide(ctx, 'deny', 'PROHIBITED');
        case 'invalid':
          return this.decide(ctx, 'deny', 'POLICY_VOID_BY_CONFLICT');
      }
    }
    if (prohibited) return this.decide(ctx, 'deny', 'PROHIBITED');
    if (dutyViolated) return this.decide(ctx, 'deny', 'DUTY_VIOLATED');
    if (applicable) return this.decide(ctx, 'deny', 'CONSTRAINT_NOT_SATISFIED');
    return this.decide(ctx, 'not-applicable', 'NO_RULE_APPLIES');
  }

  private evaluateRule(
    c: CompiledRule,
    ctx: Context,
    traces: RuleTrace[],
    kind: 'permission' | 'prohibition',
  ): RuleResult {
    const rule = c.rule;
    const why = this.notApplicable(rule, ctx);
    if (why !== undefined) {
      if (ctx.tracing) traces.push(ruleTrace(rule, kind, 'not-applicable', [], why));
      return NOT_APPLICABLE;
    }
    if (ctx.tracing) ctx.sink.push([]);
    ctx.inProhibition = kind === 'prohibition';
    let result = conjunction(c.conditions, ctx);
    ctx.inProhibition = false;
    if (result !== FALSE && (rule.target !== undefined || rule.assignee !== undefined)) {
      // Membership the request does not state is unknown, never "matches all" (fail closed).
      const unknown = this.unknownMembership(rule, ctx);
      if (unknown !== undefined) {
        ctx.missing++;
        result = ERROR;
        if (ctx.tracing)
          ctx.record({
            path: rule.path,
            role: 'membership',
            constraint: 'target / assignee',
            outcome: 'error',
            reason: unknown,
          });
      }
    }
    if (ctx.tracing) traces.push(ruleTrace(rule, kind, outcomeName(result), ctx.sink.pop() ?? []));
    return result;
  }

  /** Undefined when the rule applies (or may apply) to this request; otherwise a sentence saying why not. */
  private notApplicable(rule: Rule, ctx: Context, matchAction = true): string | undefined {
    const actions = this.vocabularies.actions;
    // An obligation's action is what the assignee must do, not what it asks for: match parties only.
    if (matchAction && !actions.within(ctx.requestAction, rule.action.name)) {
      return ctx.tracing
        ? `the rule is about ${rule.action.name}, which does not include ${ctx.requestAction}`
        : '';
    }
    if (
      rule.target !== undefined &&
      entityMatch(rule.target, ctx.requestTarget, ctx.request.asset?.partOf) === NO_MATCH
    ) {
      return ctx.tracing
        ? `the rule's target is ${entityName(rule.target)}, the request is about ${ctx.requestTarget ?? 'no target'}${ctx.request.asset?.partOf ? ` (part of ${ctx.request.asset.partOf.join(', ') || 'no collection'})` : ''}`
        : '';
    }
    if (
      rule.assignee !== undefined &&
      entityMatch(rule.assignee, ctx.requestAssignee, ctx.request.assigneeOf) === NO_MATCH
    ) {
      return ctx.tracing
        ? `the rule is assigned to ${entityName(rule.assignee)}, the requester is ${ctx.requestAssignee ?? 'not named'}${ctx.request.assigneeOf ? ` (member of ${ctx.request.assigneeOf.join(', ') || 'no collection'})` : ''}`
        : '';
    }
    const assigner = ctx.request.assigner;
    if (
      rule.assigner?.id !== undefined &&
      assigner !== undefined &&
      canonicalIri(assigner) !== rule.assigner.id
    ) {
      return ctx.tracing ? `the rule is assigned by ${rule.assigner.id}, not ${assigner}` : '';
    }
    return undefined;
  }

  /**
   * For a rule that may apply: undefined when its target and assignee match the request, otherwise
   * a sentence saying what the request leaves unknown (membership it does not state).
   */
  private unknownMembership(rule: Rule, ctx: Context): string | undefined {
    if (
      rule.target !== undefined &&
      entityMatch(rule.target, ctx.requestTarget, ctx.request.asset?.partOf) === UNKNOWN_MATCH
    ) {
      return ctx.tracing
        ? rule.target.id === undefined && rule.target.source === undefined
          ? 'the target has no identifier (uid or source), so no request can show it is that asset'
          : `the request does not say whether its target is ${entityName(rule.target)} or part of it (give target and asset.partOf)`
        : '';
    }
    if (
      rule.assignee !== undefined &&
      entityMatch(rule.assignee, ctx.requestAssignee, ctx.request.assigneeOf) === UNKNOWN_MATCH
    ) {
      return ctx.tracing
        ? rule.assignee.id === undefined && rule.assignee.source === undefined
          ? 'the assignee has no identifier (uid or source), so no request can show it is that party'
          : `the request does not say whether the requester is ${entityName(rule.assignee)} or a member of it (give assignee and assigneeOf)`
        : '';
    }
    return undefined;
  }

  /** Duty outcomes; null when a duty was violated and not remedied by its consequences. */
  private dutyOutcomes(
    duties: readonly CompiledDuty[],
    ctx: Context,
    obligation: boolean,
    ruleTraceForDuties?: RuleTrace,
    obligationTraces?: RuleTrace[],
  ): DutyOutcome[] | null {
    if (duties.length === 0) return EMPTY_DUTIES;
    const out: DutyOutcome[] = [];
    let violated = false;
    for (const d of duties) {
      if (obligation && this.notApplicable(d.rule, ctx, false) !== undefined) continue;
      const trace = ctx.tracing ? ([] as DutyTrace[]) : undefined;
      const state = dutyState(d, ctx, trace);
      if (trace && ruleTraceForDuties) (ruleTraceForDuties.duties as DutyTrace[]).push(...trace);
      if (trace && obligationTraces) {
        obligationTraces.push({
          ...ruleTrace(d.rule, 'obligation', state === 'violated' ? 'not-satisfied' : 'satisfied', []),
          duties: trace,
        });
      }
      if (state === 'inactive') continue;
      if (state === 'violated') violated = true;
      out.push(d.outcomes[state]);
    }
    return violated ? null : out;
  }

  private compileRule(rule: Rule): CompiledRule {
    const conditions: { role: string; test: (ctx: Context) => Outcome }[] = [];
    for (const r of rule.action.refinements)
      conditions.push({
        role: `refinement of action ${rule.action.name}`,
        test: this.compileConstraint(r, `refinement of action ${rule.action.name}`),
      });
    for (const [role, entity] of [
      ['target', rule.target],
      ['assignee', rule.assignee],
    ] as const) {
      for (const r of entity?.refinements ?? [])
        conditions.push({
          role: `refinement of the ${role}`,
          test: this.compileConstraint(r, `refinement of the ${role}`),
        });
    }
    for (const c of rule.constraints)
      conditions.push({ role: 'constraint', test: this.compileConstraint(c, 'constraint') });
    return {
      rule,
      conditions,
      duties: rule.duties.map((d) => this.compileDuty(d)),
      remedies: rule.remedies.map((d) => this.compileDuty(d)),
    };
  }

  private compileDuty(rule: Rule, obligation = false): CompiledDuty {
    const tests = rule.constraints.map((c) => ({
      role: 'duty constraint',
      test: this.compileConstraint(c, 'duty constraint'),
    }));
    const refinements = rule.action.refinements.map(constraintText);
    const constraints = rule.constraints.map(constraintText);
    const outcome = (state: DutyOutcome['state']): DutyOutcome =>
      Object.freeze({
        uid: rule.uid,
        action: rule.action.name,
        state,
        refinements,
        constraints,
        parties: rule.parties,
        target: rule.target?.id,
        obligation,
        path: rule.path,
      });
    return {
      rule,
      outcomes: {
        pending: outcome('pending'),
        fulfilled: outcome('fulfilled'),
        violated: outcome('violated'),
        remedied: outcome('remedied'),
      },
      active: (ctx) => conjunction(tests, ctx),
      consequences: rule.consequences.map((d) => this.compileDuty(d, obligation)),
      refinements,
      constraints,
    };
  }

  private compileConstraint(c: Constraint, role: string): (ctx: Context) => Outcome {
    if (c.kind === 'logical') {
      const members = c.constraints.map((m) => this.compileConstraint(m, role));
      const text = constraintText(c);
      return (ctx) => {
        if (ctx.tracing) ctx.sink.push([]);
        const result = logical(c.operator, members, ctx);
        if (ctx.tracing) {
          const children = ctx.sink.pop() ?? [];
          const count = children.filter((t) => t.outcome === 'satisfied').length;
          ctx.record({
            path: c.path,
            role,
            constraint: text,
            outcome: outcomeName(result) as ConstraintTrace['outcome'],
            reason: logicalReason(c.operator, result, count, children.length),
            constraints: children,
          });
        }
        return result;
      };
    }
    return this.compileAtomic(c, role);
  }

  private compileAtomic(c: AtomicConstraint, role: string): (ctx: Context) => Outcome {
    const operand = OPERANDS.get(c.leftOperand) as OperandDefinition;
    const hierarchy = operand.hierarchy ? this.vocabularies[operand.hierarchy] : undefined;
    const text = constraintText(c);
    const trace = (ctx: Context, outcome: Outcome, reason: string, left?: readonly TypedValue[]): Outcome => {
      if (ctx.tracing) {
        ctx.record({
          path: c.path,
          role,
          constraint: text,
          outcome: outcomeName(outcome) as ConstraintTrace['outcome'],
          requestValue: left ? valuesText(left, operand.cardinality !== 'one') : undefined,
          reason,
        });
      }
      return outcome;
    };
    const simple = c.rightOperandReference === undefined && c.unit === undefined && c.status === undefined;
    const { operator, rightOperand } = c;
    const cardinality = operand.cardinality;
    return (ctx) => {
      if (simple && !ctx.tracing) {
        // The hot path: no reference to resolve, no unit, no status, no trace.
        const l = ctx.left(operand);
        if (l === null) {
          if (ctx.deferred.has(operand.index)) return ctx.inProhibition ? FALSE : TRUE;
          ctx.missing++; // absent: unknown, not false
          return ERROR;
        }
        if (typeof l === 'string') {
          ctx.broken++;
          return ERROR;
        }
        const t = holds(operator, cardinality, l, rightOperand, hierarchy);
        if (t === 'indeterminate') ctx.broken++;
        return t === true ? TRUE : t === false ? FALSE : ERROR;
      }
      let left = ctx.left(operand);
      if (left === null && c.status !== undefined) left = [c.status];
      // A value the request does not give is unknown, not false: a prohibition on it must not be
      // escaped by leaving the value out (fail closed).
      if (left === null) {
        // Deferred to use time: satisfiable now (a permission may hold, a prohibition does not apply yet);
        // the data plane decides it at every access.
        if (ctx.deferred.has(operand.index)) {
          return ctx.inProhibition
            ? trace(ctx, FALSE, `${operand.label} is decided at use time`)
            : trace(ctx, TRUE, `${operand.label} is decided at use time`);
        }
        ctx.missing++;
        return trace(ctx, ERROR, `the request does not give ${operand.label}`);
      }
      ctx.broken++; // every other path to ERROR below is a malformed or incomparable value
      if (typeof left === 'string') return trace(ctx, ERROR, left);
      let right = c.rightOperand;
      if (c.rightOperandReference !== undefined) {
        const resolved = resolveReference(c, operand, ctx.request);
        if (typeof resolved === 'string') return trace(ctx, ERROR, resolved, left);
        right = resolved;
      }
      if (c.unit !== undefined) {
        const pay = ctx.request.payAmount;
        const unit =
          typeof pay === 'object' && pay !== null && typeof pay.unit === 'string'
            ? canonicalIri(pay.unit)
            : undefined;
        if (unit !== canonicalIri(c.unit)) {
          return trace(
            ctx,
            ERROR,
            `the constraint is in ${c.unit} but the request's amount is in ${unit ?? 'no currency'}`,
            left,
          );
        }
      }
      const truth = holds(c.operator, operand.cardinality, left, right, hierarchy);
      if (truth === 'indeterminate') {
        return trace(
          ctx,
          ERROR,
          ctx.tracing
            ? `${valuesText(left, false)} and ${valuesText(right, c.rightIsList)} cannot be compared with ${c.operator} (their order is indeterminate)`
            : '',
          left,
        );
      }
      ctx.broken--;
      if (!ctx.tracing) return truth ? TRUE : FALSE;
      const [yes, no] = PHRASES[c.operator];
      const reason = `${valuesText(left, false).replace(/^\[(.*)\]$/, '$1')} (${operand.label}) ${truth ? yes : no} ${valuesText(right, c.rightIsList)}`;
      return trace(ctx, truth ? TRUE : FALSE, reason, left);
    };
  }
}

const EMPTY_DUTIES: DutyOutcome[] = [];
/** The ECMAScript time value range (±8.64e15 ms): an epoch number outside it is no instant. */
const MAX_TIME_VALUE = 8.64e15;

/** A request time is one instant: finite epoch ms, a valid Date, or an xsd:dateTime (not a whole day). */
function isInstant(time: unknown): boolean {
  if (typeof time === 'number') return Math.abs(time) <= MAX_TIME_VALUE; // false for NaN
  const parsed = parseDateTime(time);
  return parsed.ok && parsed.value.start === parsed.value.end;
}

function pendingCount(duties: readonly DutyOutcome[]): number {
  let n = 0;
  for (const d of duties) if (d.state === 'pending') n++;
  return n;
}
/** The fast path's trace sink: never written, because its context does not trace. */
const NO_TRACE: RuleTrace[] = [];

/** How each operator reads in an explanation: [when it holds, when it does not]. */
const PHRASES: Readonly<Record<AtomicConstraint['operator'], readonly [string, string]>> = {
  eq: ['equals', 'does not equal'],
  neq: ['differs from', 'equals'],
  lt: ['is below', 'is not below'],
  lteq: ['is at most', 'exceeds'],
  gt: ['exceeds', 'does not exceed'],
  gteq: ['is at least', 'is below'],
  isA: ['is a kind of', 'is not a kind of'],
  isPartOf: ['is part of', 'is not part of'],
  hasPart: ['includes', 'does not include'],
  isAnyOf: ['is one of', 'is not one of'],
  isAllOf: ['covers all of', 'does not cover all of'],
  isNoneOf: ['is none of', 'includes one of'],
};

const MATCH = 0;
const NO_MATCH = 1;
const UNKNOWN_MATCH = 2;

/**
 * Is the request's target (or requester) the rule's asset (or party)? Yes when it is that one or
 * states membership of it (partOf / assigneeOf); no when the request states otherwise; unknown when
 * it does not say, and always for an entity without an identifier (uid or source).
 */
function entityMatch(
  entity: EntityRef,
  id: string | undefined,
  memberOf: readonly string[] | undefined,
): typeof MATCH | typeof NO_MATCH | typeof UNKNOWN_MATCH {
  const key = entity.id ?? entity.source;
  if (key === undefined) return UNKNOWN_MATCH;
  if (id === key) return MATCH;
  if (memberOf !== undefined) {
    for (const m of memberOf) if (canonicalIri(m) === key) return MATCH;
    return NO_MATCH;
  }
  if (id === undefined) return UNKNOWN_MATCH;
  return entity.collection ? UNKNOWN_MATCH : NO_MATCH;
}

function entityName(entity: EntityRef): string {
  return (
    entity.id ?? (entity.source !== undefined ? `the collection from ${entity.source}` : 'an unnamed entity')
  );
}

function resolveReference(
  c: AtomicConstraint,
  operand: OperandDefinition,
  request: EvaluationRequest,
): readonly TypedValue[] | string {
  const ref = c.rightOperandReference as string;
  const raw = request.references?.[ref];
  if (raw === undefined) return `the right operand references ${ref}, which the request does not resolve`;
  const items = Array.isArray(raw) ? raw : [raw];
  const out: TypedValue[] = [];
  for (const item of items) {
    const parsed = parseValue(operand.type, item);
    if (!parsed.ok) return `the value of ${ref} is malformed: ${parsed.reason}`;
    out.push(parsed.value);
  }
  return out;
}

/** Kleene conjunction; stops at the first false unless tracing (the trace shows every condition). */
function conjunction(
  conditions: readonly { readonly test: (ctx: Context) => Outcome }[],
  ctx: Context,
): Outcome {
  let result: Outcome = TRUE;
  for (let i = 0; i < conditions.length; i++) {
    const r = (conditions[i] as { test: (ctx: Context) => Outcome }).test(ctx);
    if (r === FALSE) {
      result = FALSE;
      if (!ctx.tracing) return FALSE;
    } else if (r === ERROR && result === TRUE) result = ERROR;
  }
  return result;
}

function logical(op: string, members: readonly ((ctx: Context) => Outcome)[], ctx: Context): Outcome {
  let trues = 0;
  let errors = 0;
  for (const m of members) {
    const r = m(ctx);
    if (r === TRUE) trues++;
    else if (r === ERROR) errors++;
    if (!ctx.tracing) {
      if (op === 'or' && r === TRUE) return TRUE;
      if ((op === 'and' || op === 'andSequence') && r === FALSE) return FALSE;
      if (op === 'xone' && trues > 1) return FALSE;
    }
  }
  switch (op) {
    case 'or':
      return trues > 0 ? TRUE : errors > 0 ? ERROR : FALSE;
    case 'xone':
      return trues > 1 ? FALSE : errors > 0 ? ERROR : trues === 1 ? TRUE : FALSE;
    default: // and, andSequence
      return trues === members.length ? TRUE : trues + errors === members.length ? ERROR : FALSE;
  }
}

function logicalReason(op: string, result: Outcome, satisfied: number, total: number): string {
  const need =
    op === 'or'
      ? 'at least one'
      : op === 'xone'
        ? 'exactly one'
        : op === 'andSequence'
          ? 'all, in order,'
          : 'all';
  const verdict = result === TRUE ? 'holds' : result === ERROR ? 'could not be decided' : 'does not hold';
  return `${op} ${verdict}: ${need} of ${total} must be satisfied and ${satisfied} ${satisfied === 1 ? 'is' : 'are'}`;
}

function dutyState(
  d: CompiledDuty,
  ctx: Context,
  trace: DutyTrace[] | undefined,
  asConsequence = false,
): DutyStateName {
  if (ctx.tracing) ctx.sink.push([]);
  const active = d.active(ctx);
  const constraints = ctx.tracing ? (ctx.sink.pop() ?? []) : [];
  const reported = ctx.request.duties?.[d.rule.uid ?? ''] ?? ctx.request.duties?.[d.rule.action.name];
  let state: DutyStateName;
  const consequenceTraces: DutyTrace[] = [];
  if (active === FALSE)
    state = 'inactive'; // fail closed: a duty whose activation errs is active
  else if (asConsequence && active !== TRUE)
    // Fail closed for remedies too: a consequence whose activation cannot be decided remedies nothing,
    // whatever is reported (else leaving information out could turn a violation into a permit).
    state = 'pending';
  else if (reported === 'fulfilled') state = 'fulfilled';
  else if (reported === 'violated') {
    // Remedied only when some consequence applies and every one that applies was fulfilled:
    // an inactive consequence fulfils nothing.
    let active = 0;
    let unmet = 0;
    for (const q of d.consequences) {
      const s = dutyState(q, ctx, trace ? consequenceTraces : undefined, true);
      if (s === 'inactive') continue;
      active++;
      if (s !== 'fulfilled' && s !== 'remedied') unmet++;
    }
    const remedied = active > 0 && unmet === 0;
    state = remedied ? 'remedied' : 'violated';
  } else state = 'pending';
  trace?.push({
    path: d.rule.path,
    uid: d.rule.uid,
    action: d.rule.action.name,
    state,
    constraints,
    consequences: consequenceTraces,
  });
  return state;
}

function outcomeName(r: RuleResult): RuleOutcome {
  return r === TRUE ? 'satisfied' : r === FALSE ? 'not-satisfied' : r === ERROR ? 'error' : 'not-applicable';
}

function ruleTrace(
  rule: Rule,
  kind: RuleTrace['kind'],
  outcome: RuleOutcome,
  constraints: ConstraintTrace[],
  notApplicable?: string,
): RuleTrace {
  return {
    kind,
    path: rule.path,
    uid: rule.uid,
    action: rule.action.name,
    target: rule.target?.id,
    assignee: rule.assignee?.id,
    outcome,
    notApplicable,
    constraints,
    duties: [],
    remedies: [],
  };
}

/**
 * The answer to one request. `decision`, `code` and `duties` are computed eagerly; `trace` and
 * `reason` are computed the first time they are read (the fast path builds no trace).
 */
export class Decision {
  private cachedTrace: Trace | undefined;

  constructor(
    private readonly compiled: CompiledPolicy,
    private readonly request: EvaluationRequest,
    private readonly now: number,
    readonly decision: DecisionValue,
    readonly code: DecisionCode,
    /** Duties the permit carries (pending or fulfilled), including active policy obligations. */
    readonly duties: readonly DutyOutcome[],
    /** Detail for INVALID_REQUEST. */
    readonly detail?: string,
  ) {}

  get permitted(): boolean {
    return this.decision === 'permit';
  }

  get problems(): readonly PolicyProblem[] {
    return this.compiled.problems;
  }

  get trace(): Trace {
    if (this.cachedTrace === undefined) {
      try {
        this.cachedTrace = this.compiled.traceOf(this.request, this.now).trace;
      } catch {
        this.cachedTrace = {
          policy: { type: 'invalid', conflict: 'invalid' },
          request: { action: '', time: '' },
          rules: [],
        };
      }
    }
    return this.cachedTrace;
  }

  toJSON(): object {
    return {
      decision: this.decision,
      code: this.code,
      duties: this.duties,
      detail: this.detail,
      problems: this.problems,
      trace: this.trace,
    };
  }
}

/** The vocabulary terms a policy's constraints name, by operand index (for operands with a hierarchy). */
function termsOf(policy: Policy): (Set<string> | undefined)[] {
  const terms: (Set<string> | undefined)[] = new Array(OPERANDS.size).fill(undefined);
  const constraint = (c: Constraint): void => {
    if (c.kind === 'logical') return c.constraints.forEach(constraint);
    const operand = OPERANDS.get(c.leftOperand);
    if (operand?.hierarchy === undefined) return;
    const set = (terms[operand.index] ??= new Set());
    for (const v of c.rightOperand) if (v.type === 'iri') set.add(v.value);
  };
  const rule = (r: Rule): void => {
    r.action.refinements.forEach(constraint);
    r.target?.refinements.forEach(constraint);
    r.assignee?.refinements.forEach(constraint);
    r.constraints.forEach(constraint);
    [...r.duties, ...r.remedies, ...r.consequences].forEach(rule);
  };
  [...policy.permissions, ...policy.prohibitions, ...policy.obligations].forEach(rule);
  return terms;
}
