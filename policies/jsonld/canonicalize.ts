// Turns an ODRL policy written in any JSON form Shuyu accepts into one canonical plain-JSON shape:
// bare ODRL keys ("permission", "leftOperand"), canonical IRIs for actions, operands and types,
// arrays wherever ODRL allows several values. DSP-style compacted JSON (with or without the DSP or
// ODRL context), `odrl:`-prefixed keys and fully expanded JSON-LD all land on the same shape, so
// semantically equal policies evaluate the same. Documents with contexts we cannot read statically
// are expanded by jsonld first (see load.ts); this file is synchronous and pure.

import { canonicalIri, odrlLocalName, RDF_NS } from './namespaces.js';
import { childPointer, error, type PolicyProblem } from '../problems.js';

export type Json = null | boolean | number | string | Json[] | JsonObject;
export interface JsonObject {
  [key: string]: Json;
}

/** How the value of an ODRL property is read. */
type Kind =
  | 'id' // the node's identifier
  | 'type' // its class
  | 'ref' // IRI(s), or node objects for collections (target, assignee, ...)
  | 'vocab' // a term of a vocabulary (action, leftOperand, operator, conflict)
  | 'nodes' // nested rules or constraints
  | 'literal'; // a value kept as written (rightOperand, unit, status)

interface TermInfo {
  readonly kind: Kind;
  /** Several values allowed: the canonical form is then always an array. */
  readonly many: boolean;
}

const t = (kind: Kind, many = false): TermInfo => ({ kind, many });

/** The ODRL properties Shuyu understands, by canonical name. */
const TERMS: Readonly<Record<string, TermInfo>> = {
  uid: t('id'),
  type: t('type'),
  profile: t('ref', true),
  inheritFrom: t('ref', true),
  conflict: t('vocab'),
  permission: t('nodes', true),
  prohibition: t('nodes', true),
  obligation: t('nodes', true),
  duty: t('nodes', true),
  remedy: t('nodes', true),
  consequence: t('nodes', true),
  action: t('vocab', true),
  target: t('ref', true),
  assignee: t('ref', true),
  assigner: t('ref', true),
  constraint: t('nodes', true),
  refinement: t('nodes', true),
  and: t('nodes', true),
  or: t('nodes', true),
  xone: t('nodes', true),
  andSequence: t('nodes', true),
  leftOperand: t('vocab'),
  operator: t('vocab'),
  rightOperand: t('literal'),
  rightOperandReference: t('ref'),
  dataType: t('ref'),
  unit: t('literal'),
  status: t('literal'),
  partOf: t('ref', true),
  source: t('ref'),
  function: t('vocab'),
  value: t('vocab'),
  // Parties a duty names (who is paid, informed, attributed): kept for the duty's description.
  attributedParty: t('ref', true),
  attributingParty: t('ref', true),
  compensatedParty: t('ref', true),
  compensatingParty: t('ref', true),
  consentingParty: t('ref', true),
  consentedParty: t('ref', true),
  informedParty: t('ref', true),
  informingParty: t('ref', true),
  trackingParty: t('ref', true),
  trackedParty: t('ref', true),
  contractingParty: t('ref', true),
  contractedParty: t('ref', true),
};

/**
 * How the reader takes the value of `term` (a canonical property name), or undefined for a property it
 * does not know. Writers use it to keep IRIs IRIs on the wire (connector/assets/dsp.ts).
 */
export function termKind(term: string): TermKind | undefined {
  return Object.hasOwn(TERMS, term) ? TERMS[term]?.kind : undefined;
}

export type TermKind = Kind;

/** Input limits: a policy beyond them is refused with a clear error instead of exhausting memory. */
export const LIMITS = { maxDepth: 48, maxNodes: 200_000, maxStringLength: 16_384 } as const;

/** Where each canonical node came from, so problems can point into the document as written. */
export interface Origin {
  readonly path: string;
  /** canonical key → key as written */
  readonly keys?: Map<string, string>;
  /** true when a single value was wrapped into an array */
  readonly wrapped?: boolean;
}

export interface Canonical {
  readonly doc: JsonObject;
  readonly origins: WeakMap<object, Origin>;
}

export type CanonicalResult =
  | { ok: true; value: Canonical }
  /** `partial`: what could be read around the problems (dropped keys, bad literals), for `policy check`. */
  | { ok: false; problems: PolicyProblem[]; partial?: Canonical };

class Walker {
  readonly problems: PolicyProblem[] = [];
  readonly origins = new WeakMap<object, Origin>();
  private nodes = 0;

  fail(path: string, code: string, message: string): void {
    this.problems.push(error(code, path, message));
  }

  /** Counts a visited value; false (with a problem) once the document is too large. */
  budget(path: string): boolean {
    if (++this.nodes === LIMITS.maxNodes + 1) {
      this.fail(path, 'ERR_POLICY_TOO_LARGE', `the policy has more than ${LIMITS.maxNodes} values; split it`);
    }
    return this.nodes <= LIMITS.maxNodes;
  }

  node(value: Json, path: string, depth: number): JsonObject | undefined {
    if (!this.budget(path)) return undefined;
    if (depth > LIMITS.maxDepth) {
      this.fail(path, 'ERR_POLICY_TOO_DEEP', `nesting deeper than ${LIMITS.maxDepth} levels is refused`);
      return undefined;
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      this.fail(path, 'ERR_EXPECTED_OBJECT', `expected a JSON object, found ${describe(value)}`);
      return undefined;
    }
    const out: JsonObject = {};
    const keys = new Map<string, string>();
    for (const [key, raw] of Object.entries(value)) {
      const keyPath = childPointer(path, key);
      if (key === '@context') continue; // handled by the loader before we get here
      const term = resolveKey(key);
      if (term === null) continue; // a property of another vocabulary: metadata, not policy
      if (term === undefined) {
        this.fail(keyPath, 'ERR_UNKNOWN_PROPERTY', unknownPropertyMessage(key));
        continue;
      }
      const info = TERMS[term];
      if (info === undefined) continue;
      const canonical = this.value(raw, info, keyPath, depth + 1, term);
      if (canonical === undefined) continue;
      const previous = out[term];
      if (previous !== undefined) {
        if (!info.many || !Array.isArray(previous) || !Array.isArray(canonical)) {
          this.fail(
            keyPath,
            'ERR_DUPLICATE_PROPERTY',
            `"${term}" is given twice (as "${keys.get(term)}" and "${key}")`,
          );
          continue;
        }
        previous.push(...canonical);
        continue;
      }
      out[term] = canonical;
      keys.set(term, key);
    }
    this.origins.set(out, { path, keys });
    return out;
  }

  private value(raw: Json, info: TermInfo, path: string, depth: number, term: string): Json | undefined {
    if (info.many) {
      const list = unwrapList(raw);
      const listPath = list !== raw ? `${path}/${listKeyOf(raw)}` : path;
      const items = Array.isArray(list) ? list : [list];
      const out: Json[] = [];
      items.forEach((item, i) => {
        const itemPath = Array.isArray(list) ? childPointer(listPath, i) : path;
        const v = this.single(item, info.kind, itemPath, depth, term);
        if (v !== undefined) out.push(v);
      });
      this.origins.set(out, { path: Array.isArray(list) ? listPath : path, wrapped: !Array.isArray(list) });
      return out;
    }
    let single = unwrapList(raw);
    if (Array.isArray(single)) {
      if (single.length === 1 && info.kind !== 'literal') single = single[0] as Json;
      else if (info.kind !== 'literal') {
        this.fail(path, 'ERR_EXPECTED_ONE_VALUE', `"${term}" takes one value, found ${single.length}`);
        return undefined;
      }
    }
    return this.single(single, info.kind, path, depth, term);
  }

  private single(raw: Json, kind: Kind, path: string, depth: number, term: string): Json | undefined {
    if (!this.budget(path)) return undefined;
    if (typeof raw === 'string' && raw.length > LIMITS.maxStringLength) {
      this.fail(
        path,
        'ERR_VALUE_TOO_LONG',
        `a string longer than ${LIMITS.maxStringLength} characters is refused`,
      );
      return undefined;
    }
    switch (kind) {
      case 'id':
        // Canonical like every other IRI, so a collection written "dcat:x" matches a request for it.
        return typeof raw === 'string' ? canonicalIri(raw) : this.expectIri(raw, path, term);
      case 'type':
        if (Array.isArray(raw))
          return raw.map((v) => (typeof v === 'string' ? canonicalIri(v) : describe(v)));
        return typeof raw === 'string' ? canonicalIri(raw) : this.expectIri(raw, path, term);
      case 'vocab':
      case 'ref': {
        if (typeof raw === 'string') return canonicalIri(raw);
        if (isObject(raw)) {
          const ref = referenceOf(raw);
          if (ref !== undefined) return canonicalIri(ref);
          return this.node(raw, path, depth); // a collection or an action with refinements
        }
        return this.expectIri(raw, path, term);
      }
      case 'nodes':
        return this.node(raw, path, depth);
      case 'literal':
        return this.literal(raw, path, depth);
    }
  }

  private literal(raw: Json, path: string, depth: number): Json | undefined {
    if (depth > LIMITS.maxDepth) {
      this.fail(path, 'ERR_POLICY_TOO_DEEP', `nesting deeper than ${LIMITS.maxDepth} levels is refused`);
      return undefined;
    }
    const value = unwrapList(raw);
    const listPath = value !== raw ? `${path}/${listKeyOf(raw)}` : path;
    if (Array.isArray(value)) {
      const items: Json[] = [];
      value.forEach((item, i) => {
        if (!this.budget(path)) return;
        const v = this.literal(item, childPointer(listPath, i), depth + 1);
        if (v !== undefined) items.push(v);
      });
      if (items.length === 1) return items[0] as Json;
      this.origins.set(items, { path: listPath });
      return items;
    }
    if (isObject(value)) {
      if ('@value' in value) {
        const extra = Object.keys(value).find((k) => !VALUE_OBJECT_KEYS.has(k));
        if (extra !== undefined) {
          // JSON-LD value objects have no other keys; dropping one silently could change the meaning.
          this.fail(path, 'ERR_BAD_LITERAL', `a typed value has @value and @type only, not "${extra}"`);
          return undefined;
        }
        const v = value['@value'] as Json;
        const type = value['@type'];
        if (typeof type === 'string') return { '@value': v, '@type': canonicalIri(type) };
        return v;
      }
      if (typeof value['@id'] === 'string') return { '@id': canonicalIri(value['@id']) };
      this.fail(
        path,
        'ERR_BAD_LITERAL',
        'a right operand must be a value, a typed value {"@value", "@type"} or an IRI {"@id"}',
      );
      return undefined;
    }
    return value;
  }

  private expectIri(raw: Json, path: string, term: string): undefined {
    this.fail(
      path,
      'ERR_EXPECTED_IRI',
      `"${term}" must be an IRI or term (a string), found ${describe(raw)}`,
    );
    return undefined;
  }
}

/** Canonical name of a property key; null for another vocabulary's property; undefined if unknown. */
function resolveKey(key: string): string | null | undefined {
  switch (key) {
    case '@id':
    case 'uid':
      return 'uid';
    case '@type':
    case 'type':
      return 'type';
    case 'timestamp': // DSP puts the agreement's time on the policy object: metadata, not policy
      return null;
    case 'value':
    case 'rdf:value':
    case `${RDF_NS}value`:
      return 'value';
  }
  if (key.startsWith('@')) return undefined;
  const local = odrlLocalName(key);
  if (local !== undefined) {
    const name = local === 'datatype' ? 'dataType' : local;
    return name in TERMS ? name : undefined;
  }
  if (!key.includes(':')) return key in TERMS ? key : undefined;
  return null;
}

function unknownPropertyMessage(key: string): string {
  const hints: Record<string, string> = {
    constraints: 'constraint',
    permissions: 'permission',
    prohibitions: 'prohibition',
    obligations: 'obligation',
    duties: 'duty',
    id: '@id',
    operand: 'leftOperand',
    datatype: 'dataType',
  };
  const hint = hints[key];
  return (
    `unknown property "${key}": an ODRL policy must not carry properties Shuyu cannot evaluate` +
    (hint ? ` (did you mean "${hint}"?)` : '; prefix metadata with its vocabulary, e.g. "dct:title"')
  );
}

function unwrapList(value: Json): Json {
  if (isObject(value)) {
    if (Array.isArray(value['@list'])) return value['@list'];
    if (Array.isArray(value['@set'])) return value['@set'];
  }
  return value;
}

// `type` is the ODRL context's alias of @type (documents compacted with it after expansion).
const VALUE_OBJECT_KEYS = new Set(['@value', '@type', 'type', '@language', '@direction', '@index']);

function listKeyOf(value: Json): string {
  return isObject(value) && Array.isArray(value['@set']) ? '@set' : '@list';
}

function referenceOf(value: JsonObject): string | undefined {
  const keys = Object.keys(value);
  if (keys.length === 1 && typeof value['@id'] === 'string') return value['@id'];
  if (typeof value['@value'] === 'string' && keys.every((k) => k.startsWith('@'))) return value['@value'];
  return undefined;
}

function isObject(value: Json | undefined): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string')
    return `the string "${value.length > 40 ? value.slice(0, 40) + '…' : value}"`;
  return `${typeof value} ${String(value)}`;
}

/** Canonicalises one policy document (already free of contexts that need expansion). */
export function canonicalize(input: Json): CanonicalResult {
  const walker = new Walker();
  const doc = walker.node(input, '', 0);
  if (doc === undefined) return { ok: false, problems: walker.problems };
  if (walker.problems.length > 0)
    return { ok: false, problems: walker.problems, partial: { doc, origins: walker.origins } };
  return { ok: true, value: { doc, origins: walker.origins } };
}

/** Maps a JSON pointer into the canonical document back to the document as written. */
export function inputPointer(canonical: Canonical, pointer: string): string {
  if (pointer === '') return canonical.origins.get(canonical.doc)?.path ?? '';
  const segments = pointer
    .split('/')
    .slice(1)
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  let node: Json | undefined = canonical.doc;
  let path = canonical.origins.get(canonical.doc)?.path ?? '';
  for (const segment of segments) {
    if (node === null || typeof node !== 'object') return path + '/' + segment;
    const origin = canonical.origins.get(node);
    if (Array.isArray(node)) {
      const index = Number(segment);
      const item: Json | undefined = node[index];
      const itemOrigin = item !== null && typeof item === 'object' ? canonical.origins.get(item) : undefined;
      path =
        itemOrigin?.path ??
        (origin?.wrapped ? (origin.path ?? path) : childPointer(origin?.path ?? path, segment));
      node = item;
    } else {
      const written = origin?.keys?.get(segment) ?? segment;
      const child: Json | undefined = node[segment];
      const childOrigin =
        child !== null && child !== undefined && typeof child === 'object'
          ? canonical.origins.get(child)
          : undefined;
      path = childOrigin?.path ?? childPointer(origin?.path ?? path, written);
      node = child;
    }
  }
  return path;
}
