// Turns ajv's raw errors into `{ pointer, reason }` sentences a peer's developer can act on. ajv
// reports every branch of a failed oneOf/anyOf ("must have required property 'and'", "... 'or'"...);
// those are folded into one sentence about the alternatives, and only errors that point deeper
// than the alternative (the actual wrong value) are kept.

import type { ErrorObject } from 'ajv';
import type { FieldReason } from './types.js';

/** Most errors reported for one message: past this the peer has bigger problems than our list. */
const MAX_REASONS = 50;

type SchemaNode = Record<string, unknown>;

export function describeValue(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return `"${value.length > 60 ? value.slice(0, 60) + '…' : value}"`;
  return `${typeof value} ${String(value)}`;
}

const ARTICLE: Readonly<Record<string, string>> = {
  string: 'a string',
  object: 'an object',
  array: 'an array',
  number: 'a number',
  integer: 'an integer',
  boolean: 'a boolean',
  null: 'null',
};

/** How an alternative reads in a sentence, for the named definitions DSP schemas branch between. */
const DEFINITION_NAMES: Readonly<Record<string, string>> = {
  LogicalConstraint: 'a logical constraint (exactly one of "and", "or", "xone", "andSequence")',
  AtomicConstraint: 'an atomic constraint ("leftOperand", "operator", "rightOperand")',
  DataService: 'a DataService object ("@id", "@type": "DataService", "endpointURL")',
};

/** Extra words for the alternatives the spec makes easy to get wrong (trap 5). */
const ONE_OF_HINTS: Readonly<Record<string, string>> = {
  'callbackAddress|providerPid':
    'an initial ContractRequestMessage carries "callbackAddress", a later one the "providerPid" it was given',
  'callbackAddress|consumerPid':
    'an initial ContractOfferMessage carries "callbackAddress", a later one the "consumerPid" it was given',
};

const NOT_HINTS: Readonly<Record<string, string>> = {
  target:
    'an offer inside a catalog or dataset must not name a "target": the dataset it belongs to is the target',
  hasPolicy: 'a catalog must not carry "hasPolicy": offers belong to its datasets',
};

/** What the spec's long regular expressions mean, by the property they check. */
const PATTERN_NAMES: Readonly<Record<string, string>> = {
  timestamp: 'an xsd:dateTime such as "2025-06-01T08:00:00Z"',
  serviceEndpoint: 'an http(s) URL ending in "/catalog"',
};

function quoted(keys: readonly string[]): string {
  return keys.map((k) => `"${k}"`).join(', ');
}

function join(words: readonly string[], last: string): string {
  return words.length <= 1 ? (words[0] ?? '') : `${words.slice(0, -1).join(', ')} ${last} ${words.at(-1)}`;
}

function pointerTo(parent: string, key: string): string {
  return `${parent}/${key.replace(/~/g, '~0').replace(/\//g, '~1')}`;
}

/** The keys of branches shaped `{ required: [key] }`, or undefined when any branch is another shape. */
function requiredOnlyBranches(branches: unknown): string[] | undefined {
  if (!Array.isArray(branches)) return undefined;
  const keys: string[] = [];
  for (const b of branches as SchemaNode[]) {
    const required = b?.required;
    if (Object.keys(b ?? {}).length !== 1 || !Array.isArray(required) || required.length !== 1)
      return undefined;
    keys.push(String(required[0]));
  }
  return keys;
}

function branchName(branch: SchemaNode): string {
  if (typeof branch.$ref === 'string') {
    const name = branch.$ref.split('/').at(-1) ?? branch.$ref;
    return DEFINITION_NAMES[name] ?? `a ${name}`;
  }
  if (typeof branch.type === 'string') {
    const items = branch.items as SchemaNode | undefined;
    if (branch.type === 'array' && typeof items?.type === 'string') return `an array of ${items.type}s`;
    return ARTICLE[branch.type] ?? branch.type;
  }
  if (Array.isArray(branch.enum)) return `one of ${branch.enum.join(', ')}`;
  return 'the expected shape';
}

function compositeReason(e: ErrorObject): FieldReason {
  const keys = requiredOnlyBranches(e.schema);
  const passing = (e.params as { passingSchemas?: number[] | null }).passingSchemas;
  if (keys) {
    const hint = ONE_OF_HINTS[[...keys].sort().join('|')];
    const tail = hint ? `: ${hint}` : '';
    if (e.keyword === 'anyOf')
      return { pointer: e.instancePath, reason: `needs at least one of ${quoted(keys)}` };
    if (Array.isArray(passing)) {
      const both = join(
        passing.map((i) => `"${keys[i] ?? ''}"`),
        'and',
      );
      return { pointer: e.instancePath, reason: `must not carry both ${both}${tail}` };
    }
    return { pointer: e.instancePath, reason: `needs exactly one of ${quoted(keys)}${tail}` };
  }
  // anyOf: [{ not: { required: [key] } }] is how the catalog schema forbids a key.
  const branches = (Array.isArray(e.schema) ? e.schema : []) as SchemaNode[];
  const forbidden = branches.length === 1 ? notRequiredKey(branches[0]?.not) : undefined;
  if (forbidden !== undefined) return notReason(e.instancePath, forbidden);
  if (Array.isArray(passing)) {
    return { pointer: e.instancePath, reason: 'matches more than one of the alternatives the schema allows' };
  }
  const names = branches.map(branchName);
  const hint =
    typeof e.data === 'number' && e.instancePath.endsWith('/rightOperand')
      ? `; write numbers as a typed value, e.g. {"@value": "${e.data}", "@type": "xsd:decimal"}`
      : '';
  return {
    pointer: e.instancePath,
    reason: `must be ${join(names, 'or')}, found ${describeValue(e.data)}${hint}`,
  };
}

function notRequiredKey(schema: unknown): string | undefined {
  const required = (schema as SchemaNode | undefined)?.required;
  return Array.isArray(required) && required.length === 1 ? String(required[0]) : undefined;
}

function notReason(parent: string, key: string): FieldReason {
  return { pointer: pointerTo(parent, key), reason: NOT_HINTS[key] ?? `"${key}" is not allowed here` };
}

function leafReason(e: ErrorObject): FieldReason {
  const at = e.instancePath;
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required':
      return { pointer: pointerTo(at, String(p.missingProperty)), reason: 'is required but missing' };
    case 'const':
      return {
        pointer: at,
        reason: `must be ${JSON.stringify(p.allowedValue)}, found ${describeValue(e.data)}`,
      };
    case 'enum':
      return {
        pointer: at,
        reason: `must be one of ${(p.allowedValues as unknown[]).join(', ')}, found ${describeValue(e.data)}`,
      };
    case 'type':
      return {
        pointer: at,
        reason: `must be ${ARTICLE[String(p.type)] ?? p.type}, found ${describeValue(e.data)}`,
      };
    case 'minItems':
      return {
        pointer: at,
        reason: p.limit === 1 ? 'must not be empty' : `must have at least ${String(p.limit)} items`,
      };
    case 'pattern': {
      const expected = PATTERN_NAMES[at.split('/').at(-1) ?? ''] ?? `text matching ${String(p.pattern)}`;
      return { pointer: at, reason: `must be ${expected}, found ${describeValue(e.data)}` };
    }
    case 'contains':
      return {
        pointer: at,
        reason: `must contain ${JSON.stringify((e.schema as SchemaNode).const ?? e.schema)}`,
      };
    case 'not': {
      const key = notRequiredKey(e.schema);
      if (key !== undefined) return notReason(at, key);
      return { pointer: at, reason: 'has a shape the schema forbids here' };
    }
    default:
      return { pointer: at, reason: e.message ?? `fails the schema's "${e.keyword}" rule` };
  }
}

function isComposite(e: ErrorObject): boolean {
  return e.keyword === 'oneOf' || e.keyword === 'anyOf';
}

/** True when every branch is written inline, so its errors' schema paths start with the composite's. */
function inlineBranches(e: ErrorObject): boolean {
  return Array.isArray(e.schema) && (e.schema as SchemaNode[]).every((b) => typeof b?.$ref !== 'string');
}

/** Indexes of errors that merely restate why one alternative of a failed oneOf/anyOf did not match. */
function branchNoise(errors: readonly ErrorObject[]): Set<number> {
  const noise = new Set<number>();
  errors.forEach((c, i) => {
    if (!isComposite(c)) return;
    const within = (e: ErrorObject): boolean =>
      e.instancePath === c.instancePath || e.instancePath.startsWith(c.instancePath + '/');
    if (inlineBranches(c)) {
      // Branches written inline: their errors sit at the same data path, under the composite's schema path.
      for (let j = 0; j < i; j++) {
        const e = errors[j] as ErrorObject;
        if (e.instancePath === c.instancePath && e.schemaPath.startsWith(c.schemaPath + '/')) noise.add(j);
      }
      return;
    }
    // Branches behind $refs: ajv resets schema paths inside each, so take the run of errors right
    // before the composite that lie at its data path (deeper ones name the real culprit: kept).
    let deeper = false;
    for (let j = i - 1; j >= 0 && within(errors[j] as ErrorObject); j--) {
      if ((errors[j] as ErrorObject).instancePath === c.instancePath) noise.add(j);
      else deeper = true;
    }
    // A deeper error already says what is wrong ("/rightOperand must be ..."); the list of
    // alternatives for the enclosing object would only repeat it less precisely.
    if (deeper) noise.add(i);
  });
  return noise;
}

/** ajv errors (from a validator compiled with `allErrors` and `verbose`) as pointer + sentence. */
export function toFieldReasons(errors: readonly ErrorObject[] | null | undefined): FieldReason[] {
  if (!errors || errors.length === 0) return [];
  const noise = branchNoise(errors);
  const out: FieldReason[] = [];
  const seen = new Set<string>();
  errors.forEach((e, i) => {
    if (noise.has(i)) return;
    const r = isComposite(e) ? compositeReason(e) : leafReason(e);
    const key = `${r.pointer}\u0000${r.reason}`;
    if (seen.has(key) || out.length >= MAX_REASONS) return;
    seen.add(key);
    out.push(r);
  });
  return out;
}
