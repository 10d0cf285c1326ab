// Property-based checks of the policy engine (fast-check): generators for policies (every operator,
// logical constraint, refinement, collection, duty) and for requests, and the properties the engine
// promises. tests/policies/properties.test.ts runs a few thousand cases per property in `npm test`;
// `npm run fuzz -- policy` (fuzz/run.ts) runs 100 000.

import fc from 'fast-check';
import {
  compilePolicySync,
  explain,
  reasonOf,
  type CompiledPolicy,
  type Decision,
  type EvaluationRequest,
} from '../policies/index.js';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

// ---------------------------------------------------------------------------------------------
// Value pools shared by policies and requests, so that generated requests often satisfy policies.

const PURPOSES = [
  'scientific-research',
  'clinical-research',
  'medical-research',
  'marketing',
  'targeted-advertising',
  'public-health',
];
const REGIONS = ['CN', 'CN-BJ', 'CN-SH', 'EU', 'DE', 'FR'];
const SECTORS = ['medical', 'clinical-care', 'finance', 'banking'];
const ROLES = ['hospital', 'healthcare-provider', 'bank', 'research-institute'];
const CREDENTIALS = ['MembershipCredential', 'SectorCredential', 'DataGradeClearance'];
const GRADES = ['general', 'important', 'core', 'JR-L3'];
const ACTIONS = ['use', 'read', 'distribute', 'modify', 'print', 'display', 'play', 'transfer'];
const DUTY_ACTIONS = ['anonymize', 'delete', 'compensate', 'inform', 'attribute'];
const TIMES = [
  '2025-06-01T00:00:00Z',
  '2026-06-01T00:00:00Z',
  '2027-06-01T00:00:00+08:00',
  '2028-06-01T00:00:00Z',
];
const DURATIONS = ['P1D', 'P12D', 'P30D', 'P180D', 'PT3H', 'P1M'];
const PARTIES = ['did:web:hospital.example', 'did:web:bank.example'];
const PARTY_COLLECTIONS = ['urn:party:hospitals', 'urn:party:banks'];
const DATASETS = ['urn:dataset:1', 'urn:dataset:2'];
const ASSET_COLLECTIONS = ['urn:collection:outpatient', 'urn:collection:finance'];
const DUTY_UIDS = ['urn:duty:1', 'urn:duty:2'];

const SET_OPERATORS = ['isAnyOf', 'isAllOf', 'isNoneOf', 'hasPart'];
const ORDERED = ['eq', 'neq', 'lt', 'lteq', 'gt', 'gteq'];

const pick = <T>(values: readonly T[]): fc.Arbitrary<T> => fc.constantFrom(...values);
const someOf = <T>(values: readonly T[], max = 3): fc.Arbitrary<T[]> =>
  fc.uniqueArray(pick(values), { minLength: 1, maxLength: max });
const typed = (value: string, type: string): JsonObject => ({ '@value': value, '@type': type });

/** An atomic constraint with operators and right operands that fit its left operand. */
function atomicConstraint(): fc.Arbitrary<JsonObject> {
  const terms = (leftOperand: string, values: readonly string[], operators: readonly string[]) =>
    fc
      .record({ operator: pick(operators), one: pick(values), many: someOf(values) })
      .map(({ operator, one, many }): JsonObject => ({
        leftOperand,
        operator,
        rightOperand: SET_OPERATORS.includes(operator) ? many : one,
      }));
  const TAXONOMY = ['eq', 'neq', 'isA', 'isAnyOf', 'isNoneOf', 'isAllOf', 'hasPart'];
  return fc.oneof(
    fc
      .record({ operator: pick(ORDERED), time: pick(TIMES), day: fc.boolean() })
      .map(({ operator, time, day }) => ({
        leftOperand: 'dateTime',
        operator,
        rightOperand: day ? typed(time.slice(0, 10), 'xsd:date') : typed(time, 'xsd:dateTime'),
      })),
    fc.record({ operator: pick(ORDERED), n: fc.integer({ min: 0, max: 20 }) }).map(({ operator, n }) => ({
      leftOperand: 'count',
      operator,
      rightOperand: n,
    })),
    fc
      .record({
        leftOperand: pick(['elapsedTime', 'meteredTime']),
        operator: pick(['eq', 'lt', 'lteq']),
        d: pick(DURATIONS),
      })
      .map(({ leftOperand, operator, d }) => ({
        leftOperand,
        operator,
        rightOperand: typed(d, 'xsd:duration'),
      })),
    terms('purpose', PURPOSES, TAXONOMY),
    terms('spatial', REGIONS, ['eq', 'neq', 'isPartOf', 'isA', 'hasPart', 'isAnyOf', 'isNoneOf', 'isAllOf']),
    terms('recipient', PARTIES, ['eq', 'neq', 'isAnyOf', 'isNoneOf', 'isAllOf']),
    terms('shuyu:sector', SECTORS, TAXONOMY),
    terms('shuyu:sectorRole', ROLES, TAXONOMY),
    terms('shuyu:credentialType', CREDENTIALS, ['eq', 'neq', 'hasPart', 'isAllOf', 'isAnyOf', 'isNoneOf']),
    terms('shuyu:dataGradeClearance', GRADES, [
      'eq',
      'neq',
      'lt',
      'lteq',
      'gt',
      'gteq',
      'isAnyOf',
      'isNoneOf',
    ]),
    terms('shuyu:dataGrade', GRADES, ['eq', 'lt', 'lteq', 'gteq', 'isAnyOf']),
    fc
      .record({ operator: pick(ORDERED), amount: pick(['0', '100.00', '5000']), unit: fc.boolean() })
      .map(({ operator, amount, unit }) => ({
        leftOperand: 'payAmount',
        operator,
        rightOperand: typed(amount, 'xsd:decimal'),
        ...(unit ? { unit: 'CNY' } : {}),
      })),
    fc.record({ operator: pick(ORDERED), n: fc.integer({ min: 0, max: 100 }) }).map(({ operator, n }) => ({
      leftOperand: 'percentage',
      operator,
      rightOperand: n,
    })),
  );
}

/** Atomic and logical constraints (or, xone, and, andSequence), nested up to two levels. */
const constraint: fc.Arbitrary<JsonObject> = fc.letrec<{ c: JsonObject }>((tie) => ({
  c: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    atomicConstraint(),
    fc
      .record({
        op: pick(['or', 'xone', 'and', 'andSequence']),
        members: fc.array(tie('c'), { minLength: 1, maxLength: 3 }),
      })
      .map(({ op, members }): JsonObject => ({
        [op]: op === 'andSequence' ? { '@list': members } : members,
      })),
  ),
})).c;

const constraints = fc.array(constraint, { maxLength: 3 });

/** An action, sometimes with a refinement. */
const action: fc.Arbitrary<Json> = fc.oneof(
  pick(ACTIONS),
  fc.record({
    value: pick(ACTIONS),
    refinement: fc.array(atomicConstraint(), { minLength: 1, maxLength: 2 }),
  }),
);

/** A target: absent, an asset, an asset collection by uid or source, or one defined by a refinement. */
const target: fc.Arbitrary<Json | undefined> = fc.oneof(
  fc.constant(undefined),
  pick(DATASETS),
  pick(ASSET_COLLECTIONS).map((uid) => ({ '@type': 'AssetCollection', uid })),
  pick(ASSET_COLLECTIONS).map((source) => ({ '@type': 'AssetCollection', source })),
  fc
    .array(atomicConstraint(), { minLength: 1, maxLength: 2 })
    .map((refinement) => ({ '@type': 'AssetCollection', refinement })),
);

/** An assignee: absent, a party, a party collection by uid or source, refined, or a party without identifier. */
const assignee: fc.Arbitrary<Json | undefined> = fc.oneof(
  fc.constant(undefined),
  pick(PARTIES),
  pick(PARTY_COLLECTIONS).map((uid) => ({ '@type': 'PartyCollection', uid })),
  pick(PARTY_COLLECTIONS).map((source) => ({ '@type': 'PartyCollection', source })),
  fc
    .record({
      uid: pick(PARTY_COLLECTIONS),
      refinement: fc.array(atomicConstraint(), { minLength: 1, maxLength: 1 }),
    })
    .map(({ uid, refinement }) => ({ '@type': 'PartyCollection', uid, refinement })),
  fc.constant({ '@type': 'Party' }),
);

const withDefined = (o: Record<string, Json | undefined>): JsonObject => {
  const out: JsonObject = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k] = v;
  return out;
};

/** A duty (or remedy, or consequence): an action, maybe a uid and constraints. */
const duty = (withConsequence: boolean): fc.Arbitrary<JsonObject> =>
  fc
    .record({
      uid: fc.option(pick(DUTY_UIDS), { nil: undefined }),
      action: fc.oneof(
        pick(DUTY_ACTIONS),
        fc.record({
          value: pick(DUTY_ACTIONS),
          refinement: fc.array(atomicConstraint(), { minLength: 1, maxLength: 1 }),
        }),
      ),
      constraint: fc.option(fc.array(atomicConstraint(), { minLength: 1, maxLength: 2 }), { nil: undefined }),
      consequence: withConsequence
        ? fc.option(fc.array(duty(false), { minLength: 1, maxLength: 1 }), { nil: undefined })
        : fc.constant(undefined),
    })
    .map((d) => withDefined(d as Record<string, Json | undefined>));

const rule = (kind: 'permission' | 'prohibition'): fc.Arbitrary<JsonObject> =>
  fc
    .record({
      action,
      target,
      assignee,
      constraint: constraints,
      duty:
        kind === 'permission'
          ? fc.option(fc.array(duty(true), { minLength: 1, maxLength: 2 }), { nil: undefined })
          : fc.constant(undefined),
      remedy:
        kind === 'prohibition'
          ? fc.option(fc.array(duty(false), { minLength: 1, maxLength: 1 }), { nil: undefined })
          : fc.constant(undefined),
    })
    .map((r) => withDefined(r as Record<string, Json | undefined>));

/** A policy in plain compact JSON: permissions, prohibitions, obligations, a conflict strategy. */
export const policyArbitrary: fc.Arbitrary<JsonObject> = fc
  .record({
    '@type': pick(['Set', 'Offer', 'Agreement']),
    conflict: fc.option(pick(['perm', 'prohibit', 'invalid']), { nil: undefined }),
    permission: fc.array(rule('permission'), { minLength: 1, maxLength: 3 }),
    prohibition: fc.option(fc.array(rule('prohibition'), { minLength: 1, maxLength: 2 }), { nil: undefined }),
    obligation: fc.option(fc.array(duty(false), { minLength: 1, maxLength: 1 }), { nil: undefined }),
  })
  .map((p) => ({ uid: 'urn:fuzz:policy', ...withDefined(p as Record<string, Json | undefined>) }));

// ---------------------------------------------------------------------------------------------
// Requests

const oneOrMany = (values: readonly string[]): fc.Arbitrary<string | string[]> =>
  fc.oneof(pick(values), someOf(values, 2));

/** A well-formed request drawn from the same pools as the policies. */
export const requestArbitrary: fc.Arbitrary<EvaluationRequest> = fc
  .record(
    {
      action: pick(ACTIONS),
      assignee: pick(PARTIES),
      assigneeOf: fc.uniqueArray(pick(PARTY_COLLECTIONS), { maxLength: 2 }),
      assigner: pick(['did:web:provider.example']),
      target: pick(DATASETS),
      asset: fc.record(
        { dataGrade: pick(GRADES), partOf: fc.uniqueArray(pick(ASSET_COLLECTIONS), { maxLength: 2 }) },
        { requiredKeys: [] },
      ),
      time: pick(TIMES),
      purpose: oneOrMany(PURPOSES),
      spatial: oneOrMany(REGIONS),
      recipient: pick(PARTIES),
      count: fc.integer({ min: 0, max: 25 }),
      elapsedTime: fc.oneof(pick(DURATIONS), fc.integer({ min: 0, max: 400 * 86_400 })),
      meteredTime: pick(DURATIONS),
      payAmount: fc.oneof(
        pick(['0', '150.50', '6000']),
        fc.record({ amount: pick(['100.00', '5000']), unit: pick(['CNY', 'EUR']) }),
      ),
      percentage: fc.integer({ min: 0, max: 100 }),
      claims: fc.record(
        {
          credentialTypes: fc.uniqueArray(pick(CREDENTIALS), { maxLength: 3 }),
          sectors: fc.uniqueArray(pick(SECTORS), { maxLength: 2 }),
          sectorRoles: fc.uniqueArray(pick(ROLES), { maxLength: 2 }),
          dataGradeClearance: pick(GRADES),
        },
        { requiredKeys: [] },
      ),
      duties: fc.dictionary(pick([...DUTY_UIDS, ...DUTY_ACTIONS]), pick(['fulfilled', 'violated'] as const), {
        maxKeys: 3,
      }),
      deferred: someOf(['purpose', 'spatial', 'count', 'elapsedTime'], 2),
    },
    { requiredKeys: ['action', 'time'] },
  )
  .map((r) => r as EvaluationRequest);

/** A field of a request that can be removed, as a path: top-level, or inside claims or asset. */
type FieldPath = readonly [string] | readonly ['claims' | 'asset', string];

function fieldsOf(request: EvaluationRequest): FieldPath[] {
  const out: FieldPath[] = [];
  for (const key of Object.keys(request)) {
    if (key === 'claims' || key === 'asset') {
      const inner = (request as unknown as Record<string, Record<string, unknown>>)[key] ?? {};
      for (const k of Object.keys(inner)) out.push([key, k]);
    }
    out.push([key]);
  }
  return out;
}

function without(request: EvaluationRequest, path: FieldPath): EvaluationRequest {
  const copy = { ...request } as Record<string, unknown>;
  if (path.length === 1) delete copy[path[0]];
  else {
    const inner = { ...(copy[path[0]] as Record<string, unknown>) };
    delete inner[path[1]];
    copy[path[0]] = inner;
  }
  return copy as unknown as EvaluationRequest;
}

function replaced(request: EvaluationRequest, path: FieldPath, value: unknown): EvaluationRequest {
  const copy = { ...request } as Record<string, unknown>;
  if (path.length === 1) copy[path[0]] = value;
  else copy[path[0]] = { ...(copy[path[0]] as Record<string, unknown>), [path[1]]: value };
  return copy as unknown as EvaluationRequest;
}

/**
 * Fields whose removal is not "less information":
 * - time: an absent time means now (the clock), a value in its own right;
 * - assigner: the provider evaluating its own policy (absent = itself), not a fact the requester states;
 * - duties: what the connector reports; an unreported duty is pending and comes back with the permit
 *   as an obligation to discharge (docs/policies.md, Duties), by design;
 * - deferred: removing it makes deferred constraints decidable now, which only denies more.
 */
const NOT_INFORMATION = new Set(['time', 'assigner', 'duties', 'deferred']);

/** Values outside each field's domain (wrong type, out of range, unknown term, not a list). */
const OUT_OF_DOMAIN: Readonly<Record<string, readonly unknown[]>> = {
  action: ['zzUnknownAction', 42, ''],
  assignee: [42, '', ['did:web:hospital.example']],
  assigneeOf: ['urn:party:hospitals', [42], {}],
  assigner: [42, {}],
  target: [42, ['urn:dataset:1']],
  asset: ['urn:dataset:1', 42],
  time: [1e20, -1e20, Number.NaN, 'yesterday', '2026-06-01', {}],
  purpose: ['MARKETING', 'advertising', 42, ['marketing', 'Marketing'], {}],
  spatial: ['Beijing', 'cn', 7, ['CN', 'XX-YY']],
  recipient: [42, {}, ''],
  count: [-5, 1.5, 'abc', 1e20, ['1', '2']],
  elapsedTime: ['-P1D', 'P1X', -3, 'soon'],
  meteredTime: ['-PT1H', 'forever', -1],
  payAmount: ['-1', 'lots', { amount: 'x' }, -5],
  percentage: [101, -1, 'half'],
  claims: ['x', 42],
  credentialTypes: ['MembershipCredential', [42]],
  sectors: ['medical', ['Finance'], [42]],
  sectorRoles: ['hospital', ['Hospital']],
  dataGradeClearance: ['secret', 3, ['important']],
  dataGrade: ['secret', 3],
  partOf: ['urn:collection:outpatient', [42]],
  duties: [{ 'urn:duty:1': 'Violated' }, { anonymize: 'maybe' }, 'fulfilled'],
  deferred: ['purpose', [42]],
};

/** Object keys and term values (actions, operands, operators, types) of a policy, with their paths. */
function termNodes(
  doc: Json,
  path: (string | number)[] = [],
  out: { path: (string | number)[]; key: boolean }[] = [],
): typeof out {
  if (Array.isArray(doc)) doc.forEach((v, i) => termNodes(v, [...path, i], out));
  else if (doc !== null && typeof doc === 'object') {
    for (const [k, v] of Object.entries(doc)) {
      if (k === 'uid') continue; // an identifier, not a term: any string is a valid uid
      out.push({ path: [...path, k], key: true });
      // A party's or asset's @type may name classes of any vocabulary (vcard:Organization), so only
      // the policy's own @type and datatypes ({"@value", "@type"}) are ODRL / XSD terms.
      const typeTerm = k === '@type' && (path.length === 0 || '@value' in doc);
      const termValued = typeTerm || ['action', 'value', 'leftOperand', 'operator', 'conflict'].includes(k);
      if (termValued && typeof v === 'string') out.push({ path: [...path, k], key: false });
      termNodes(v, [...path, k], out);
    }
  }
  return out;
}

function mutate(doc: Json, node: { path: (string | number)[]; key: boolean }, term: string): Json {
  const copy = structuredClone(doc) as Json;
  let parent = copy as Record<string | number, Json>;
  for (const segment of node.path.slice(0, -1)) parent = parent[segment] as Record<string | number, Json>;
  const last = node.path[node.path.length - 1] as string | number;
  if (node.key) {
    const value = parent[last] as Json;
    delete parent[last];
    parent[term] = value;
  } else parent[last] = term;
  return copy;
}

// ---------------------------------------------------------------------------------------------
// Properties

function compiled(policy: JsonObject): CompiledPolicy {
  return compilePolicySync(policy).policy;
}

/** Reads everything a caller may read from a decision (the trace is computed lazily). */
function readAll(d: Decision): string {
  return [d.decision, d.code, JSON.stringify(d.toJSON()), reasonOf(d), ...explain(d)].join('\n');
}

const requests = fc.array(requestArbitrary, { minLength: 1, maxLength: 3 });

export interface PropertyDefinition {
  readonly name: string;
  readonly property: fc.IPropertyWithHooks<never> | fc.IProperty<never>;
}

export function policyProperties(): { name: string; property: fc.IProperty<unknown[]> }[] {
  return [
    {
      name: 'evaluation never throws (well-formed, malformed and arbitrary requests)',
      property: fc.property(policyArbitrary, requests, fc.anything({ maxDepth: 2 }), (policy, rs, junk) => {
        const p = compiled(policy);
        for (const r of [...rs, junk as EvaluationRequest, { ...rs[0], claims: junk } as EvaluationRequest])
          readAll(p.evaluate(r));
        readAll(compilePolicySync(junk).policy.evaluate(rs[0] as EvaluationRequest));
        return true;
      }) as fc.IProperty<unknown[]>,
    },
    {
      name: 'removing information from a request never turns a deny into a permit',
      property: fc.property(policyArbitrary, requestArbitrary, fc.nat(), (policy, request, which) => {
        const p = compiled(policy);
        if (p.evaluate(request).permitted) return true;
        // A value of a deferred operand is removable by design: without it the constraint is decided
        // at use time (satisfiable now), with it it is judged now (docs/policies.md, Deferred operands).
        const deferred = new Set(request.deferred ?? []);
        const fields = fieldsOf(request).filter(
          (f) => !NOT_INFORMATION.has(f[0]) && !deferred.has(f[f.length - 1] as string),
        );
        if (fields.length === 0) return true;
        const field = fields[which % fields.length] as FieldPath;
        const d = p.evaluate(without(request, field));
        if (d.permitted)
          throw new Error(`removing ${field.join('.')} permitted (was ${p.evaluate(request).code})`);
        return true;
      }) as fc.IProperty<unknown[]>,
    },
    {
      name: 'replacing any request value with an out-of-domain one never permits',
      property: fc.property(
        policyArbitrary,
        requestArbitrary,
        fc.nat(),
        fc.nat(),
        (policy, request, which, k) => {
          const p = compiled(policy);
          const fields = fieldsOf(request).filter(
            (f) => OUT_OF_DOMAIN[f[f.length - 1] as string] !== undefined,
          );
          if (fields.length === 0) return true;
          const field = fields[which % fields.length] as FieldPath;
          const values = OUT_OF_DOMAIN[field[field.length - 1] as string] as readonly unknown[];
          const value = values[k % values.length];
          const d = p.evaluate(replaced(request, field, value));
          if (d.permitted) throw new Error(`${field.join('.')} = ${JSON.stringify(value)} permitted`);
          return true;
        },
      ) as fc.IProperty<unknown[]>,
    },
    {
      name: 'mutating any policy node into an unknown term never permits',
      property: fc.property(policyArbitrary, requests, fc.nat(), (policy, rs, which) => {
        const nodes = termNodes(policy);
        const node = nodes[which % nodes.length] as (typeof nodes)[number];
        const mutated = mutate(policy, node, 'zzUnknownTerm');
        const p = compilePolicySync(mutated).policy;
        for (const r of rs) {
          const d = p.evaluate(r);
          if (d.permitted)
            throw new Error(
              `${node.key ? 'key' : 'value'} at /${node.path.join('/')} → zzUnknownTerm permitted`,
            );
        }
        return true;
      }) as fc.IProperty<unknown[]>,
    },
    {
      name: "reading back a policy's canonical serialisation gives the same decisions",
      property: fc.property(policyArbitrary, requests, (policy, rs) => {
        const first = compilePolicySync(policy);
        if (first.canonical === undefined) return true;
        const again = compilePolicySync(JSON.parse(JSON.stringify(first.canonical.doc)));
        for (const r of rs) {
          const a = first.policy.evaluate(r);
          const b = again.policy.evaluate(r);
          if (a.decision !== b.decision || a.code !== b.code)
            throw new Error(`${a.decision}/${a.code} became ${b.decision}/${b.code}`);
        }
        return true;
      }) as fc.IProperty<unknown[]>,
    },
  ];
}
