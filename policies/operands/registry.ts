// Left operands the engine understands: the type of their values, how many values a request may
// carry and what that means for set operators, the operators that make sense, the vocabulary their
// hierarchy comes from, and where the request holds their value. An operand not listed here is
// unknown, and a policy using it is denied (fail closed).

import type { Operator } from '../model/types.js';
import type { EvaluationRequest } from '../request/types.js';
import type { TypedValue, ValueType } from '../values/types.js';
import type { Vocabularies } from '../vocabulary/index.js';

/**
 * How the request's values of an operand combine:
 * - one: a single value;
 * - declared: values the requester declares for its use (purposes, places): every one must satisfy;
 * - held: values the requester holds (credentials, sectors): one that satisfies is enough.
 */
export type Cardinality = 'one' | 'declared' | 'held';

export interface OperandDefinition {
  readonly name: string;
  /** Position in OPERANDS (evaluation memoises request values by it). */
  readonly index: number;
  readonly type: ValueType;
  readonly cardinality: Cardinality;
  readonly operators: readonly Operator[];
  readonly hierarchy?: keyof Vocabularies;
  /** Reads the raw value(s) from the request; undefined when the request does not say. */
  readonly read: (request: EvaluationRequest) => unknown;
  /** Noun phrase for explanations: "the purpose of use". */
  readonly label: string;
  /** A constraint on this operand may carry a unit (payAmount: the currency). */
  readonly unit?: boolean;
  /** Why a request value lies outside the operand's domain (count -5), or undefined when it fits. */
  readonly domain?: (value: TypedValue) => string | undefined;
  /** The request must give a list (held values: credentials, sectors, roles). */
  readonly list?: boolean;
}

const nonNegativeInteger = (v: TypedValue): string | undefined =>
  v.type === 'integer' && v.value < 0 ? `${v.text} is negative; a count is 0 or more` : undefined;
const nonNegativeDuration = (v: TypedValue): string | undefined =>
  v.type === 'duration' && (v.months < 0 || v.seconds < 0)
    ? `${v.text} is negative; a length of time is 0 or more`
    : undefined;
const nonNegativeDecimal = (v: TypedValue): string | undefined =>
  v.type === 'decimal' && v.scaled < 0n ? `${v.text} is negative` : undefined;
const HUNDRED = 100n * 10n ** 18n;
const percentage = (v: TypedValue): string | undefined =>
  v.type === 'decimal' && (v.scaled < 0n || v.scaled > HUNDRED)
    ? `${v.text} is not between 0 and 100`
    : undefined;

const ORDERED: readonly Operator[] = ['eq', 'neq', 'lt', 'lteq', 'gt', 'gteq'];
const DURATION_OPS: readonly Operator[] = ['eq', 'lt', 'lteq'];
const MEMBERSHIP: readonly Operator[] = ['eq', 'neq', 'isAnyOf', 'isNoneOf', 'isAllOf'];
const TAXONOMY: readonly Operator[] = ['eq', 'neq', 'isA', 'isAnyOf', 'isNoneOf', 'isAllOf', 'hasPart'];
const REGION_OPS: readonly Operator[] = [
  'eq',
  'neq',
  'isPartOf',
  'isA',
  'hasPart',
  'isAnyOf',
  'isNoneOf',
  'isAllOf',
];
const GRADE_OPS: readonly Operator[] = ['eq', 'neq', 'lt', 'lteq', 'gt', 'gteq', 'isAnyOf', 'isNoneOf'];

function odrl(
  name: Exclude<keyof EvaluationRequest, 'time'> | 'dateTime',
  type: ValueType,
  cardinality: Cardinality,
  operators: readonly Operator[],
  label: string,
  hierarchy?: keyof Vocabularies,
  domain?: (value: TypedValue) => string | undefined,
): OperandDefinition {
  const field = name === 'dateTime' ? 'time' : name;
  return { name, index: 0, type, cardinality, operators, label, hierarchy, domain, read: (r) => r[field] };
}

const DEFINITIONS: readonly Omit<OperandDefinition, 'index'>[] = [
  odrl('dateTime', 'dateTime', 'one', ORDERED, 'the time of the request'),
  odrl(
    'elapsedTime',
    'duration',
    'one',
    DURATION_OPS,
    'the time elapsed since the first use',
    undefined,
    nonNegativeDuration,
  ),
  odrl(
    'meteredTime',
    'duration',
    'one',
    DURATION_OPS,
    'the accumulated time of use',
    undefined,
    nonNegativeDuration,
  ),
  odrl(
    'count',
    'integer',
    'one',
    ORDERED,
    'the number of uses including this one',
    undefined,
    nonNegativeInteger,
  ),
  odrl('purpose', 'iri', 'declared', TAXONOMY, 'the purpose of use', 'purposes'),
  odrl('spatial', 'iri', 'declared', REGION_OPS, 'the place of use', 'regions'),
  odrl('recipient', 'iri', 'declared', MEMBERSHIP, 'the recipient'),
  odrl('industry', 'iri', 'declared', TAXONOMY, 'the industry of use', 'sectors'),
  {
    name: 'payAmount',
    type: 'decimal',
    cardinality: 'one',
    operators: ORDERED,
    label: 'the amount paid',
    unit: true,
    domain: nonNegativeDecimal,
    read: (r) => (typeof r.payAmount === 'object' && r.payAmount !== null ? r.payAmount.amount : r.payAmount),
  },
  odrl('fileFormat', 'string', 'declared', MEMBERSHIP, 'the file format'),
  odrl('language', 'string', 'declared', MEMBERSHIP, 'the language'),
  odrl('deliveryChannel', 'iri', 'declared', MEMBERSHIP, 'the delivery channel'),
  odrl('virtualLocation', 'iri', 'declared', MEMBERSHIP, 'the virtual location'),
  odrl('systemDevice', 'iri', 'declared', MEMBERSHIP, 'the system device'),
  odrl('product', 'iri', 'declared', MEMBERSHIP, 'the product'),
  odrl('version', 'string', 'one', ['eq', 'neq', 'isAnyOf', 'isNoneOf'], 'the version'),
  odrl('percentage', 'decimal', 'one', ORDERED, 'the percentage used', undefined, percentage),
  // Data-space operands: claims of the requester's verified credentials and facts about the asset.
  {
    name: 'shuyu:credentialType',
    type: 'string',
    cardinality: 'held',
    operators: ['eq', 'neq', 'hasPart', 'isAllOf', 'isAnyOf', 'isNoneOf'],
    label: 'the verified credentials held',
    list: true,
    read: (r) => r.claims?.credentialTypes,
  },
  {
    name: 'shuyu:dataSpace',
    type: 'iri',
    cardinality: 'one',
    operators: MEMBERSHIP,
    label: 'the data space of membership',
    read: (r) => r.claims?.dataSpace,
  },
  {
    name: 'shuyu:memberRole',
    type: 'string',
    cardinality: 'one',
    operators: MEMBERSHIP,
    label: 'the role in the data space',
    read: (r) => r.claims?.memberRole,
  },
  {
    name: 'shuyu:registrationNumber',
    type: 'string',
    cardinality: 'one',
    operators: MEMBERSHIP,
    label: "the organisation's registration number",
    read: (r) => r.claims?.registrationNumber,
  },
  {
    name: 'shuyu:sector',
    type: 'iri',
    cardinality: 'held',
    operators: TAXONOMY,
    hierarchy: 'sectors',
    label: 'the sectors of the verified sector credentials',
    list: true,
    read: (r) => r.claims?.sectors,
  },
  {
    name: 'shuyu:sectorRole',
    type: 'iri',
    cardinality: 'held',
    operators: TAXONOMY,
    hierarchy: 'sectorRoles',
    label: 'the verified sector roles',
    list: true,
    read: (r) => r.claims?.sectorRoles,
  },
  {
    name: 'shuyu:dataGradeClearance',
    type: 'grade',
    cardinality: 'one',
    operators: GRADE_OPS,
    label: 'the verified data-grade clearance',
    read: (r) => r.claims?.dataGradeClearance,
  },
  {
    name: 'shuyu:dataGrade',
    type: 'grade',
    cardinality: 'one',
    operators: GRADE_OPS,
    label: "the dataset's data grade",
    read: (r) => r.asset?.dataGrade,
  },
];

export const OPERANDS: ReadonlyMap<string, OperandDefinition> = new Map(
  DEFINITIONS.map((d, index) => [d.name, { ...d, index }]),
);

/** ODRL 2.2 left operands Shuyu does not evaluate (named so the error can say so). */
export const UNSUPPORTED_ODRL_OPERANDS = new Set([
  'absolutePosition',
  'absoluteSpatialPosition',
  'absoluteTemporalPosition',
  'absoluteSize',
  'delayPeriod',
  'event',
  'media',
  'relativePosition',
  'relativeSpatialPosition',
  'relativeTemporalPosition',
  'relativeSize',
  'resolution',
  'spatialCoordinates',
  'timeInterval',
  'unitOfCount',
]);

/** A close known operand name, for "did you mean" hints. */
export function suggestOperand(name: string): string | undefined {
  const bare = name.replace(/^.*[#/:]/, '').toLowerCase();
  for (const key of OPERANDS.keys()) {
    if (key.replace(/^shuyu:/, '').toLowerCase() === bare) return key;
  }
  return undefined;
}
