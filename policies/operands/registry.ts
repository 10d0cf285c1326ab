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
  const read = READERS[name];
  if (read === undefined) throw new Error(`no request reader for ${name}`);
  return { name, index: 0, type, cardinality, operators, label, hierarchy, domain, read };
}

/**
 * One reader per field: each property read stays monomorphic (one shared `r[field]` would be a
 * megamorphic keyed load on the evaluation hot path).
 */
const READERS: Readonly<Record<string, (r: EvaluationRequest) => unknown>> = {
  dateTime: (r) => r.time,
  elapsedTime: (r) => r.elapsedTime,
  meteredTime: (r) => r.meteredTime,
  count: (r) => r.count,
  purpose: (r) => r.purpose,
  spatial: (r) => r.spatial,
  recipient: (r) => r.recipient,
  industry: (r) => r.industry,
  fileFormat: (r) => r.fileFormat,
  language: (r) => r.language,
  deliveryChannel: (r) => r.deliveryChannel,
  virtualLocation: (r) => r.virtualLocation,
  systemDevice: (r) => r.systemDevice,
  product: (r) => r.product,
  version: (r) => r.version,
  percentage: (r) => r.percentage,
};

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

/**
 * Every operand's raw request value in one pass, by operand index (the order of OPERANDS): the
 * evaluation hot path reads all of them once per request, and one function with plain property
 * reads is several times faster than a call per operand. tests/policies/registry.test.ts checks it
 * agrees with each operand's `read`.
 */
export function readRequestValues(r: EvaluationRequest, into: unknown[]): void {
  into[0] = r.time;
  into[1] = r.elapsedTime;
  into[2] = r.meteredTime;
  into[3] = r.count;
  into[4] = r.purpose;
  into[5] = r.spatial;
  into[6] = r.recipient;
  into[7] = r.industry;
  const pay = r.payAmount;
  into[8] = typeof pay === 'object' && pay !== null ? pay.amount : pay;
  into[9] = r.fileFormat;
  into[10] = r.language;
  into[11] = r.deliveryChannel;
  into[12] = r.virtualLocation;
  into[13] = r.systemDevice;
  into[14] = r.product;
  into[15] = r.version;
  into[16] = r.percentage;
  const c = r.claims;
  into[17] = c?.credentialTypes;
  into[18] = c?.dataSpace;
  into[19] = c?.memberRole;
  into[20] = c?.registrationNumber;
  into[21] = c?.sectors;
  into[22] = c?.sectorRoles;
  into[23] = c?.dataGradeClearance;
  into[24] = r.asset?.dataGrade;
}
