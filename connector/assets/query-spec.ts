// Eclipse EDC's QuerySpec, the one filter item EDC puts in every CatalogRequestMessage (its
// JsonObjectFromQuerySpecTransformer / JsonObjectFromCriterionTransformer, compacted with its
// https://w3id.org/edc/dspace/v0.0.1 context):
//
//   { "@type": "QuerySpec", "offset": 0, "limit": 50, "sortOrder": "ASC", "sortField": "...",
//     "filterExpression": [{ "@type": "Criterion", "operandLeft": "...", "operator": "=", "operandRight": ... }] }
//
// Read in every form it arrives in: compact as above, `edc:`-prefixed, or with the full
// `https://w3id.org/edc/v0.0.1/ns/` IRIs the DSP message layer leaves after compacting with the DSP
// context alone (which also turns a one-element filterExpression or `in` list into a single value).
// Criteria on the dataset fields of dataset-fields.ts with =, !=, in, like and ilike (EDC's
// semantics: a list field matches when one of its values does; like/ilike with % and _) are applied;
// anything else is refused with the criterion named.

import { datasetField, DATASET_FIELD_NAMES, EDC_NS, type DatasetField } from './dataset-fields.js';
import { unsupportedFilter as unsupported } from './errors.js';
import type { Sort } from './query.js';
import { child, isRecord, kindOf, type JsonRecord } from './validate/fields.js';

export interface Criterion {
  readonly field: DatasetField;
  readonly operator: string;
  readonly right: string | readonly string[];
  /** Whether a dataset with these values of the field satisfies the criterion. */
  readonly holds: (values: readonly string[]) => boolean;
}

export interface QuerySpec {
  readonly limit: number | undefined;
  readonly offset: number | undefined;
  readonly sort: Sort | undefined;
  readonly criteria: readonly Criterion[];
}

export const CRITERION_OPERATORS = ['=', '!=', 'in', 'like', 'ilike'] as const;

const SPEC_KEYS = ['limit', 'offset', 'sortOrder', 'sortField', 'filterExpression'];
const CRITERION_KEYS = ['operandLeft', 'operator', 'operandRight'];

/** EDC's term without its namespace: `limit` for limit, edc:limit and https://w3id.org/edc/v0.0.1/ns/limit. */
function local(key: string): string {
  if (key.startsWith(EDC_NS)) return key.slice(EDC_NS.length);
  if (key.startsWith('edc:')) return key.slice(4);
  return key;
}

export function isQuerySpec(item: unknown): item is JsonRecord {
  if (!isRecord(item)) return false;
  const type = item['@type'];
  const types = Array.isArray(type) ? type : [type];
  return types.some((t) => typeof t === 'string' && local(t) === 'QuerySpec');
}

export function readQuerySpec(item: JsonRecord, pointer: string): QuerySpec {
  const fields = entriesOf(item, SPEC_KEYS, pointer, 'QuerySpec');
  const limit = integer(fields.get('limit'), child(pointer, 'limit'), 1);
  const offset = integer(fields.get('offset'), child(pointer, 'offset'), 0);
  const sortField = fields.get('sortField');
  const sortOrder = fields.get('sortOrder');
  let sort: Sort | undefined;
  if (sortField !== undefined || sortOrder !== undefined) {
    const order = literal(sortOrder);
    const descending = typeof order === 'string' && order.toUpperCase() === 'DESC';
    if (order !== undefined && !(typeof order === 'string' && /^(ASC|DESC)$/i.test(order)))
      throw unsupported(child(pointer, 'sortOrder'), `expected "ASC" or "DESC", found ${describe(order)}`);
    const name = literal(sortField);
    const field =
      name === undefined ? datasetField('@id') : typeof name === 'string' ? datasetField(name) : undefined;
    if (field === undefined || !field.sortable)
      throw unsupported(
        child(pointer, 'sortField'),
        `cannot sort by ${describe(name)}; sortable: ${DATASET_FIELD_NAMES.filter((n) => datasetField(n)?.sortable).join(', ')}`,
      );
    sort = { field, descending, key: `${field.name} ${descending ? 'DESC' : 'ASC'}` };
  }
  const expression = fields.get('filterExpression');
  const list = expression === undefined ? [] : Array.isArray(expression) ? expression : [expression];
  const criteria = list.map((c: unknown, i) => criterion(c, child(child(pointer, 'filterExpression'), i)));
  return { limit, offset, sort, criteria };
}

function criterion(item: unknown, pointer: string): Criterion {
  if (!isRecord(item)) throw unsupported(pointer, `expected a Criterion object, found ${kindOf(item)}`);
  const fields = entriesOf(item, CRITERION_KEYS, pointer, 'Criterion');
  const left = literal(fields.get('operandLeft'));
  const operator = literal(fields.get('operator'));
  const rawRight = fields.get('operandRight');
  const right = Array.isArray(rawRight) ? rawRight.map(literal) : literal(rawRight);
  const text = `criterion ${describe(left)} ${describe(operator)} ${describe(right)}`;
  if (typeof left !== 'string')
    throw unsupported(child(pointer, 'operandLeft'), `${text}: operandLeft must name a dataset property`);
  const field = datasetField(left);
  if (field === undefined)
    throw unsupported(
      child(pointer, 'operandLeft'),
      `${text}: Shuyu cannot filter by "${left}"; it can by ${DATASET_FIELD_NAMES.join(', ')}`,
    );
  const op = typeof operator === 'string' ? operator.trim().toLowerCase() : undefined;
  if (op === undefined || !(CRITERION_OPERATORS as readonly string[]).includes(op))
    throw unsupported(
      child(pointer, 'operator'),
      `${text}: operator ${describe(operator)} is not supported; supported: ${CRITERION_OPERATORS.join(', ')}`,
    );
  const rightPointer = child(pointer, 'operandRight');
  if (op === 'in') {
    const values = Array.isArray(right) ? right : [right];
    if (values.length === 0 || !values.every((v): v is string => typeof v === 'string'))
      throw unsupported(rightPointer, `${text}: "in" needs a list of strings`);
    const set = new Set(values);
    return { field, operator: op, right: values, holds: (vs) => vs.some((v) => set.has(v)) };
  }
  if (typeof right !== 'string')
    throw unsupported(rightPointer, `${text}: "${op}" needs a string, found ${kindOf(right)}`);
  switch (op) {
    case '=':
      return { field, operator: op, right, holds: (vs) => vs.includes(right) };
    case '!=':
      return { field, operator: op, right, holds: (vs) => !vs.includes(right) };
    default: {
      const pattern = likePattern(right, op === 'ilike');
      return { field, operator: op, right, holds: (vs) => vs.some((v) => pattern.test(v)) };
    }
  }
}

/** SQL LIKE as EDC applies it: % any run of characters, _ one character, the rest literal. */
function likePattern(text: string, ignoreCase: boolean): RegExp {
  const body = text.replace(/[.*+?^${}()|[\]\\%_]/g, (c) => (c === '%' ? '.*' : c === '_' ? '.' : `\\${c}`));
  return new RegExp(`^${body}$`, ignoreCase ? 'si' : 's');
}

/** The object's properties by EDC local name; unknown ones are refused. */
function entriesOf(
  item: JsonRecord,
  allowed: readonly string[],
  pointer: string,
  what: string,
): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const [key, value] of Object.entries(item)) {
    if (key === '@type' || key === '@id') continue;
    const name = local(key);
    if (!allowed.includes(name))
      throw unsupported(
        child(pointer, key),
        `${what} property "${key}" is not supported; supported: ${allowed.join(', ')}`,
      );
    out.set(name, value);
  }
  return out;
}

/** A JSON-LD value object's value ({"@value": 50} → 50); anything else as it is. */
function literal(value: unknown): unknown {
  return isRecord(value) && '@value' in value ? value['@value'] : value;
}

function integer(value: unknown, pointer: string, min: number): number | undefined {
  const v = literal(value);
  if (v === undefined) return undefined;
  const n = typeof v === 'string' && /^\d{1,15}$/.test(v) ? Number(v) : v;
  if (typeof n === 'number' && Number.isSafeInteger(n) && n >= min) return n;
  throw unsupported(pointer, `expected an integer of at least ${min}, found ${describe(v)}`);
}

function describe(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}
