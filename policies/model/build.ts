// Builds the internal model from a canonical policy document and checks its meaning: every action,
// left operand and operator known, every right operand of the type its operand needs. Anything not
// understood is an error: a policy Shuyu cannot fully read is never evaluated as a permit.

import { inputPointer, type Canonical, type Json, type JsonObject } from '../jsonld/canonicalize.js';
import { OPERANDS, suggestOperand, UNSUPPORTED_ODRL_OPERANDS } from '../operands/registry.js';
import { childPointer, error, warning, type PolicyProblem } from '../problems.js';
import { acceptsDatatype, parseValue, TYPE_LABELS } from '../values/parse.js';
import type { TypedValue } from '../values/types.js';
import type { Vocabularies } from '../vocabulary/index.js';
import {
  DEPRECATED_ACTIONS,
  DEPRECATED_OPERANDS,
  DEPRECATED_WITHOUT_REPLACEMENT,
} from '../vocabulary/deprecated.js';
import {
  COMPARISON_OPERATORS,
  LOGICAL_OPERATORS,
  SET_OPERATORS,
  type ActionRef,
  type AtomicConstraint,
  type ConflictStrategy,
  type Constraint,
  type EntityRef,
  type LogicalOperator,
  type Operator,
  type Policy,
  type PolicyType,
  type Rule,
  type RuleKind,
} from './types.js';

const POLICY_TYPES: readonly PolicyType[] = [
  'Set',
  'Offer',
  'Agreement',
  'Policy',
  'Request',
  'Ticket',
  'Privacy',
  'Assertion',
];
const CONFLICTS: readonly ConflictStrategy[] = ['perm', 'prohibit', 'invalid'];
/** Profiles whose terms this engine implements (ODRL core, and Shuyu's data-space operands). */
export const SUPPORTED_PROFILES = new Set(['core', 'shuyu:profile', 'https://w3id.org/shuyu/v1']);
const DUTY_PARTY_FUNCTIONS = [
  'attributedParty',
  'attributingParty',
  'compensatedParty',
  'compensatingParty',
  'consentingParty',
  'consentedParty',
  'informedParty',
  'informingParty',
  'trackingParty',
  'trackedParty',
  'contractingParty',
  'contractedParty',
];
/** Upper bound on atomic rules after splitting multi-action / multi-target rules. */
export const MAX_ATOMIC_RULES = 10_000;

const isObject = (v: Json | undefined): v is JsonObject =>
  v !== null && typeof v === 'object' && !Array.isArray(v);
const list = (v: Json | undefined): Json[] => (v === undefined ? [] : Array.isArray(v) ? v : [v]);

interface Inherited {
  readonly target: readonly (EntityRef | undefined)[];
  readonly assigner: readonly (EntityRef | undefined)[];
  readonly assignee: readonly (EntityRef | undefined)[];
  readonly action: readonly ActionRef[];
}

export class ModelBuilder {
  readonly problems: PolicyProblem[] = [];
  /** Warnings found while reading (deprecated terms read as their ODRL 2.2 replacement). */
  readonly notes: PolicyProblem[] = [];
  private atomicRules = 0;

  constructor(
    private readonly canonical: Canonical,
    private readonly vocabularies: Vocabularies,
  ) {}

  private where(pointer: string): string {
    return inputPointer(this.canonical, pointer);
  }

  private fail(pointer: string, code: string, message: string): void {
    this.problems.push(error(code, this.where(pointer), message));
  }

  /** A deprecated ODRL term read as its 2.2 replacement: noted, so `policy check` tells the author. */
  private deprecated(pointer: string, kind: string, old: string, current: string): string {
    this.notes.push(
      warning(
        'LINT_DEPRECATED_TERM',
        this.where(pointer),
        `the ${kind} "${old}" is deprecated since ODRL 2.2 and read as "${current}"; write "${current}"`,
      ),
    );
    return current;
  }

  private noReplacement(name: string): string {
    return DEPRECATED_WITHOUT_REPLACEMENT.has(name)
      ? ` ("${name}" was deprecated by ODRL 2.2 without a replacement)`
      : '';
  }

  build(): Policy | undefined {
    const doc = this.canonical.doc;
    const type = this.policyType(doc.type);
    const profiles = list(doc.profile).filter((p): p is string => typeof p === 'string');
    profiles.forEach((p, i) => {
      if (!SUPPORTED_PROFILES.has(p)) {
        this.fail(
          childPointer('/profile', i),
          'ERR_UNKNOWN_PROFILE',
          `profile ${p} is not implemented by Shuyu; ODRL requires a processor to stop on an unknown profile`,
        );
      }
    });
    if (doc.inheritFrom !== undefined) {
      this.fail(
        '/inheritFrom',
        'ERR_INHERITANCE_UNSUPPORTED',
        'policy inheritance (inheritFrom) is not supported: merge the parent policy into this one',
      );
    }
    let conflict: ConflictStrategy = 'invalid';
    if (doc.conflict !== undefined) {
      if (CONFLICTS.includes(doc.conflict as ConflictStrategy)) conflict = doc.conflict as ConflictStrategy;
      else
        this.fail(
          '/conflict',
          'ERR_UNKNOWN_CONFLICT_STRATEGY',
          `conflict must be perm, prohibit or invalid, not ${String(doc.conflict)}`,
        );
    }
    const inherited: Inherited = {
      target: this.entities(doc.target, '/target'),
      assigner: this.entities(doc.assigner, '/assigner'),
      assignee: this.entities(doc.assignee, '/assignee'),
      action: list(doc.action).map((a, i) => this.action(a, childPointer('/action', i))),
    };
    const permissions = this.rules(doc.permission, '/permission', 'permission', inherited);
    const prohibitions = this.rules(doc.prohibition, '/prohibition', 'prohibition', inherited);
    const obligations = this.rules(doc.obligation, '/obligation', 'duty', inherited);
    const model: Policy = {
      uid: typeof doc.uid === 'string' ? doc.uid : undefined,
      type,
      profiles,
      conflict,
      target: inherited.target[0],
      assigner: inherited.assigner[0],
      assignee: inherited.assignee[0],
      permissions,
      prohibitions,
      obligations,
    };
    if (this.problems.length === 0) return model;
    // The parts that were understood, for `policy check` to lint; never evaluated.
    this.partial = model;
    return undefined;
  }

  /** After a failed build: the model without the constraints, rules and terms that were not understood. */
  partial: Policy | undefined;

  private policyType(raw: Json | undefined): PolicyType {
    if (raw === undefined) return 'Set'; // ODRL: Set is the default policy subclass
    const types = list(raw).filter((t): t is string => typeof t === 'string');
    const known = types.filter((t) => POLICY_TYPES.includes(t as PolicyType));
    if (known.length === 0) {
      this.fail(
        '/type',
        'ERR_UNKNOWN_POLICY_TYPE',
        `@type ${types.join(', ')} is not an ODRL policy type (Set, Offer, Agreement)`,
      );
      return 'Set';
    }
    return (known.find((t) => t !== 'Policy') as PolicyType) ?? 'Policy';
  }

  private entities(raw: Json | undefined, pointer: string): (EntityRef | undefined)[] {
    const items = list(raw);
    if (items.length === 0) return [undefined];
    return items.map((item, i) => this.entity(item, childPointer(pointer, i)));
  }

  private entity(raw: Json, pointer: string): EntityRef {
    if (typeof raw === 'string') return { id: raw, collection: false, refinements: [] };
    const obj = isObject(raw) ? raw : {};
    const types = list(obj.type).map(String);
    const refinements = this.constraints(obj.refinement, childPointer(pointer, 'refinement'));
    return {
      id: typeof obj.uid === 'string' ? obj.uid : undefined,
      collection:
        types.includes('AssetCollection') || types.includes('PartyCollection') || refinements.length > 0,
      source: typeof obj.source === 'string' ? obj.source : undefined,
      refinements,
    };
  }

  private action(raw: Json, pointer: string): ActionRef {
    let name =
      typeof raw === 'string' ? raw : isObject(raw) && typeof raw.value === 'string' ? raw.value : '';
    const replacement = DEPRECATED_ACTIONS.get(name);
    if (replacement !== undefined && !this.vocabularies.actions.has(name))
      name = this.deprecated(
        isObject(raw) ? childPointer(pointer, 'value') : pointer,
        'action',
        name,
        replacement,
      );
    if (!this.vocabularies.actions.has(name)) {
      this.fail(
        pointer,
        'ERR_UNKNOWN_ACTION',
        `action "${name}" is not an ODRL action Shuyu knows (e.g. use, read, distribute, transfer)${this.noReplacement(name)}`,
      );
    }
    const refinements = isObject(raw)
      ? this.constraints(raw.refinement, childPointer(pointer, 'refinement'))
      : [];
    return { name, refinements };
  }

  private rules(raw: Json | undefined, pointer: string, kind: RuleKind, inherited: Inherited): Rule[] {
    const out: Rule[] = [];
    list(raw).forEach((item, i) => {
      if (isObject(item)) out.push(...this.rule(item, childPointer(pointer, i), kind, inherited));
    });
    return out;
  }

  /** One rule as written, split into atomic rules (one action, target, assigner, assignee each). */
  private rule(raw: JsonObject, pointer: string, kind: RuleKind, inherited: Inherited): Rule[] {
    const actions =
      raw.action !== undefined
        ? list(raw.action).map((a, i) => this.action(a, childPointer(`${pointer}/action`, i)))
        : inherited.action;
    if (actions.length === 0) {
      this.fail(pointer, 'ERR_MISSING_ACTION', `every ${kind} needs an action (here or at policy level)`);
      return [];
    }
    const targets =
      raw.target !== undefined ? this.entities(raw.target, `${pointer}/target`) : inherited.target;
    const assigners =
      raw.assigner !== undefined ? this.entities(raw.assigner, `${pointer}/assigner`) : inherited.assigner;
    const assignees =
      raw.assignee !== undefined ? this.entities(raw.assignee, `${pointer}/assignee`) : inherited.assignee;
    const constraints = this.constraints(raw.constraint, `${pointer}/constraint`);
    const nested: Inherited = { target: targets, assigner: assigners, assignee: assignees, action: [] };
    const duties = kind === 'permission' ? this.rules(raw.duty, `${pointer}/duty`, 'duty', nested) : [];
    const remedies =
      kind === 'prohibition' ? this.rules(raw.remedy, `${pointer}/remedy`, 'duty', nested) : [];
    const consequences =
      kind === 'duty' ? this.rules(raw.consequence, `${pointer}/consequence`, 'duty', nested) : [];
    if (kind !== 'permission' && raw.duty !== undefined)
      this.fail(
        `${pointer}/duty`,
        'ERR_MISPLACED_PROPERTY',
        `a ${kind} cannot have duties (only permissions do)`,
      );
    if (kind !== 'prohibition' && raw.remedy !== undefined)
      this.fail(
        `${pointer}/remedy`,
        'ERR_MISPLACED_PROPERTY',
        `a ${kind} cannot have remedies (only prohibitions do)`,
      );
    if (kind !== 'duty' && raw.consequence !== undefined)
      this.fail(
        `${pointer}/consequence`,
        'ERR_MISPLACED_PROPERTY',
        `a ${kind} cannot have consequences (only duties do)`,
      );
    const parties: Record<string, string[]> = {};
    for (const fn of DUTY_PARTY_FUNCTIONS) {
      const values = list(raw[fn]).filter((v): v is string => typeof v === 'string');
      if (values.length > 0) parties[fn] = values;
    }
    const path = this.where(pointer);
    const out: Rule[] = [];
    for (const action of actions) {
      for (const target of targets) {
        for (const assigner of assigners) {
          for (const assignee of assignees) {
            if (++this.atomicRules > MAX_ATOMIC_RULES) {
              if (this.atomicRules === MAX_ATOMIC_RULES + 1) {
                this.fail(
                  pointer,
                  'ERR_POLICY_TOO_LARGE',
                  `the policy expands to more than ${MAX_ATOMIC_RULES} atomic rules; split it`,
                );
              }
              return out;
            }
            out.push({
              kind,
              path,
              uid: typeof raw.uid === 'string' ? raw.uid : undefined,
              action,
              target,
              assigner,
              assignee,
              constraints,
              duties,
              remedies,
              consequences,
              parties,
            });
          }
        }
      }
    }
    return out;
  }

  private constraints(raw: Json | undefined, pointer: string): Constraint[] {
    const out: Constraint[] = [];
    list(raw).forEach((item, i) => {
      if (!isObject(item)) return;
      const c = this.constraint(item, childPointer(pointer, i));
      if (c) out.push(c);
    });
    return out;
  }

  private constraint(raw: JsonObject, pointer: string): Constraint | undefined {
    const logical = LOGICAL_OPERATORS.filter((op) => raw[op] !== undefined);
    const uid = typeof raw.uid === 'string' ? raw.uid : undefined;
    if (logical.length > 0) {
      if (logical.length > 1 || raw.leftOperand !== undefined) {
        this.fail(
          pointer,
          'ERR_AMBIGUOUS_CONSTRAINT',
          'a logical constraint has exactly one of and / or / xone / andSequence and no leftOperand',
        );
        return undefined;
      }
      const operator = logical[0] as LogicalOperator;
      return {
        kind: 'logical',
        path: this.where(pointer),
        uid,
        operator,
        constraints: this.constraints(raw[operator], `${pointer}/${operator}`),
      };
    }
    return this.atomic(raw, pointer, uid);
  }

  private atomic(raw: JsonObject, pointer: string, uid: string | undefined): AtomicConstraint | undefined {
    let name = String(raw.leftOperand);
    const replacement = DEPRECATED_OPERANDS.get(name);
    if (replacement !== undefined)
      name = this.deprecated(`${pointer}/leftOperand`, 'left operand', name, replacement);
    const operand = OPERANDS.get(name);
    if (operand === undefined) {
      const hint = suggestOperand(name);
      const why = UNSUPPORTED_ODRL_OPERANDS.has(name)
        ? `the ODRL left operand "${name}" is not supported by Shuyu`
        : `unknown left operand "${name}"${this.noReplacement(name)}`;
      this.fail(
        `${pointer}/leftOperand`,
        'ERR_UNKNOWN_LEFT_OPERAND',
        `${why}; a rule using it is never permitted${hint ? ` (did you mean "${hint}"?)` : ''}`,
      );
      return undefined;
    }
    const operator = String(raw.operator);
    if (
      !(COMPARISON_OPERATORS as readonly string[]).includes(operator) &&
      !(SET_OPERATORS as readonly string[]).includes(operator)
    ) {
      this.fail(
        `${pointer}/operator`,
        'ERR_UNKNOWN_OPERATOR',
        `unknown operator "${operator}"; ODRL operators are ${[...COMPARISON_OPERATORS, ...SET_OPERATORS].join(', ')}`,
      );
      return undefined;
    }
    if (!operand.operators.includes(operator as Operator)) {
      this.fail(
        `${pointer}/operator`,
        'ERR_OPERATOR_TYPE_MISMATCH',
        `operator ${operator} does not apply to ${name} (${TYPE_LABELS[operand.type]}); use one of ${operand.operators.join(', ')}`,
      );
      return undefined;
    }
    const dataType = typeof raw.dataType === 'string' ? raw.dataType : undefined;
    if (dataType !== undefined && !acceptsDatatype(operand.type, dataType)) {
      this.fail(
        `${pointer}/dataType`,
        'ERR_TYPE_MISMATCH',
        `dataType ${dataType} does not fit ${name}, which takes ${TYPE_LABELS[operand.type]}`,
      );
      return undefined;
    }
    let unit: string | undefined;
    if (raw.unit !== undefined) {
      const u = isObject(raw.unit) && typeof raw.unit['@id'] === 'string' ? raw.unit['@id'] : raw.unit;
      if (!operand.unit || typeof u !== 'string') {
        this.fail(
          `${pointer}/unit`,
          'ERR_UNIT_NOT_APPLICABLE',
          `a unit is only understood on payAmount (the currency), not on ${name}`,
        );
        return undefined;
      }
      unit = u;
    }
    const reference = typeof raw.rightOperandReference === 'string' ? raw.rightOperandReference : undefined;
    const rawRight = raw.rightOperand;
    const rightIsList = Array.isArray(rawRight);
    const values: TypedValue[] = [];
    if (rawRight !== undefined) {
      const items = Array.isArray(rawRight) ? rawRight : [rawRight];
      items.forEach((item, i) => {
        const parsed = parseValue(operand.type, item, 'policy');
        const at = rightIsList ? `${pointer}/rightOperand/${i}` : `${pointer}/rightOperand`;
        if (parsed.ok) values.push(parsed.value);
        else
          this.fail(
            at,
            'ERR_TYPE_MISMATCH',
            `${name} compares ${TYPE_LABELS[operand.type]}: ${parsed.reason}`,
          );
      });
      if (values.length !== items.length) return undefined;
    }
    const setOperator = ['isAnyOf', 'isAllOf', 'isNoneOf', 'hasPart'].includes(operator);
    if (rightIsList && !setOperator) {
      this.fail(
        `${pointer}/rightOperand`,
        'ERR_TYPE_MISMATCH',
        `operator ${operator} compares with one value; use isAnyOf, isAllOf or isNoneOf for a list`,
      );
      return undefined;
    }
    let status: TypedValue | undefined;
    if (raw.status !== undefined) {
      const parsed = parseValue(operand.type, raw.status, 'policy');
      if (!parsed.ok) {
        this.fail(`${pointer}/status`, 'ERR_TYPE_MISMATCH', `status of ${name}: ${parsed.reason}`);
        return undefined;
      }
      status = parsed.value;
    }
    return {
      kind: 'atomic',
      path: this.where(pointer),
      uid,
      leftOperand: name,
      operator: operator as Operator,
      rightOperand: values,
      rightIsList,
      rightOperandReference: reference,
      valueType: operand.type,
      unit,
      status,
    };
  }
}
