// Received body (any JSON-LD form) → the compacted DSP 2025-1 form the schemas describe.
// Fast path: the body already uses the DSP context and compact keys, so it is taken as it is (with
// `@context` put in its array form). Otherwise jsonld expands it with the bundled loader (nothing is
// ever fetched; unknown contexts are refused) and compacts it with the DSP context (plus EDC's, for a
// message that uses EDC's terms, such as its QuerySpec catalog filter), after which
// `@context` is made an array again (trap 3: jsonld turns a one-element array into a string) and
// `@type` is a compact string (trap 4). Never throws: every failure comes back as pointer + reason.

import jsonld from 'jsonld';
import {
  ContextNotBundledError,
  DSP_DOCUMENT_LOADER,
  EDC_DSPACE_CONTEXT_URL,
  type DocumentLoader,
} from './loader.js';
import { EDC_NAMESPACE } from './data-address.js';
import { LIMITS, scanBody } from './scan.js';
import { DSP_CONTEXT_URL, type FieldReason, type Json, type JsonObject } from './types.js';

export interface NormalizeOptions {
  /** Serves JSON-LD contexts; defaults to the bundled DSP loader (tests pass a spy). */
  readonly documentLoader?: DocumentLoader;
}

export type Normalized =
  | { readonly ok: true; readonly value: JsonObject; readonly path: 'fast' | 'expanded' }
  | {
      readonly ok: false;
      readonly errors: FieldReason[];
      /** True when the pointers refer to the body as compacted with the DSP context, not as received. */
      readonly expanded: boolean;
    };

interface JsonLdEvent {
  readonly code: string;
  readonly message: string;
  readonly details?: Record<string, unknown>;
}
type EventHandler = (arg: { event: JsonLdEvent; next: () => void }) => void;
type Processor = (input: unknown, ctxOrOptions: unknown, options?: unknown) => Promise<unknown>;

const expand = jsonld.expand as unknown as Processor;
const compact = jsonld.compact as unknown as Processor;
const safeEventHandler = (jsonld as unknown as { safeEventHandler: EventHandler }).safeEventHandler;

/**
 * jsonld's safe mode (refuse anything expansion would silently drop), except for relative `@id`
 * values: DSP ids are often not IRIs ("02e83f88-..." in the spec's own nested catalog, "offer-1"
 * from EDC), and jsonld keeps such an id exactly as written, so nothing is lost.
 */
const strictEvents: EventHandler = ({ event, next }) => {
  if (event.code === 'relative @id reference') next();
  else safeEventHandler({ event, next });
};

function fail(errors: FieldReason[], expanded = false): Normalized {
  return { ok: false, errors, expanded };
}

function isObject(value: unknown): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

function parseText(text: string): { ok: true; value: unknown } | { ok: false; errors: FieldReason[] } {
  if (text.length > LIMITS.maxTextLength) {
    return {
      ok: false,
      errors: [{ pointer: '', reason: `the message is longer than ${LIMITS.maxTextLength} characters` }],
    };
  }
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (e) {
    return { ok: false, errors: [{ pointer: '', reason: `is not valid JSON: ${(e as Error).message}` }] };
  }
}

/**
 * Peers that write DSP as plain JSON say `id` and `type` where JSON-LD needs `@id` and `@type`; the DSP
 * context does not alias them (W3C ODRL's does), so JSON-LD processing would drop both. An object that
 * has no `@type` reads its `type` as `@type`, and one with no `@id` its `id` as `@id`, unless the
 * message's contexts give that key a meaning of its own (EDC's context makes `id` the property edc:id).
 * Returns `value` itself when nothing is renamed.
 */
function withKeywordAliases(value: JsonObject): JsonObject {
  const contexts = contextUrls(value['@context']);
  if (contexts === undefined) return value;
  const aliases: Array<[string, string]> = [['type', '@type']];
  if (!contexts.includes(EDC_DSPACE_CONTEXT_URL)) aliases.push(['id', '@id']);
  const walk = (node: unknown, depth: number): unknown => {
    if (!isObjectLike(node) || depth > LIMITS.maxDepth) return node;
    if (Array.isArray(node)) {
      const items = node.map((item) => walk(item, depth + 1));
      return items.some((item, i) => item !== node[i]) ? items : node;
    }
    let out = node as JsonObject;
    const copy = (): JsonObject => (out === node ? (out = { ...(node as JsonObject) }) : out);
    for (const [key, child] of Object.entries(node)) {
      if (key === '@context' || key === '@value') continue;
      const next = walk(child, depth + 1);
      if (next !== child) copy()[key] = next as Json;
    }
    for (const [alias, keyword] of aliases) {
      const aliased = out[alias];
      if (typeof aliased === 'string' && !Object.hasOwn(out, keyword) && !Object.hasOwn(out, '@value')) {
        const { [alias]: _renamed, ...rest } = copy();
        out = { ...rest, [keyword]: aliased };
      }
    }
    return out;
  };
  return walk(value, 0) as JsonObject;
}

/** The context URLs of a message whose `@context` is only URLs; undefined when it holds an inline one. */
function contextUrls(context: unknown): string[] | undefined {
  const list = Array.isArray(context) ? context : [context];
  return list.every((c) => typeof c === 'string') ? (list as string[]) : undefined;
}

/** Normalises a received DSP body (a parsed JSON value, or JSON text) to the compacted DSP form. */
export async function normalizeDspBody(body: unknown, options: NormalizeOptions = {}): Promise<Normalized> {
  let value = body;
  if (typeof value === 'string') {
    const parsed = parseText(value);
    if (!parsed.ok) return fail(parsed.errors);
    value = parsed.value;
  }
  // jsonld.expand() output is a one-node array: accept that form of one message too.
  if (Array.isArray(value) && value.length === 1) value = value[0];
  if (!isObject(value)) {
    return fail([
      { pointer: '', reason: `must be a JSON object (one DSP message), found ${describe(value)}` },
    ]);
  }
  let scan = scanBody(value);
  if (scan.errors.length > 0) return fail(scan.errors);
  const message = withKeywordAliases(value);
  if (message !== value) scan = scanBody(message);
  if (scan.compact) {
    return { ok: true, value: { ...message, '@context': [DSP_CONTEXT_URL] }, path: 'fast' };
  }
  const plainKeys = Object.keys(message).filter((k) => !k.startsWith('@'));
  if (!('@context' in message) && plainKeys.every((k) => !k.includes(':'))) {
    return fail([
      {
        pointer: '/@context',
        reason: `is missing: a DSP message carries "@context": ["${DSP_CONTEXT_URL}"] (or uses full IRIs)`,
      },
    ]);
  }
  return expandAndCompact(message, options.documentLoader ?? DSP_DOCUMENT_LOADER);
}

async function expandAndCompact(value: JsonObject, documentLoader: DocumentLoader): Promise<Normalized> {
  let nodes: unknown;
  try {
    nodes = await expand(value, { documentLoader, eventHandler: strictEvents, base: null });
  } catch (e) {
    return fail([jsonLdProblem(e, value)]);
  }
  if (!Array.isArray(nodes) || nodes.length !== 1 || !isObject(nodes[0])) {
    const count = Array.isArray(nodes) ? nodes.length : 0;
    return fail([
      { pointer: '', reason: `holds ${count} JSON-LD nodes after expansion; a DSP message is one` },
    ]);
  }
  // EDC's extra context names its own terms (QuerySpec in a catalog request's filter): compacting with
  // it too keeps them readable ("limit", not its full IRI), and the result says so in its @context.
  const contexts = outputContexts(value['@context'], nodes[0]);
  let compacted: unknown;
  try {
    compacted = await compact(nodes[0], contexts.length === 1 ? contexts[0] : contexts, {
      documentLoader,
      eventHandler: strictEvents,
    });
  } catch (e) {
    return fail([jsonLdProblem(e, value)]);
  }
  if (!isObject(compacted)) return fail([{ pointer: '', reason: 'did not compact to one JSON object' }]);
  const type = compacted['@type'];
  if (Array.isArray(type)) {
    return fail(
      [{ pointer: '/@type', reason: `must be one type, found ${type.length}: ${type.join(', ')}` }],
      true,
    );
  }
  wrapLogicalOperands(compacted, 0);
  return {
    ok: true,
    value: { ...compacted, '@context': contexts },
    path: 'expanded',
  };
}

/**
 * The DSP context, then EDC's when the message named it or uses EDC's terms (e.g. fully expanded, with
 * no context left to name).
 */
function outputContexts(context: unknown, expanded: unknown): string[] {
  const named = Array.isArray(context) ? context : [context];
  const edc = named.includes(EDC_DSPACE_CONTEXT_URL) || usesEdcTerms(expanded, 0);
  return edc ? [DSP_CONTEXT_URL, EDC_DSPACE_CONTEXT_URL] : [DSP_CONTEXT_URL];
}

/** True when a key or `@type` of the expanded message is in EDC's namespace (values are not looked at). */
function usesEdcTerms(node: unknown, depth: number): boolean {
  if (!isObjectLike(node) || depth > LIMITS.maxDepth) return false;
  if (Array.isArray(node)) return node.some((item) => usesEdcTerms(item, depth + 1));
  return Object.entries(node).some(
    ([key, child]) =>
      key.startsWith(EDC_NAMESPACE) ||
      (key === '@type' && [child].flat().some((t) => typeof t === 'string' && t.startsWith(EDC_NAMESPACE))) ||
      usesEdcTerms(child, depth + 1),
  );
}

/** ODRL's logical operands: the schema wants arrays, but the DSP context gives them no `@set`. */
const LOGICAL_OPERANDS: ReadonlySet<string> = new Set(['and', 'or', 'xone', 'andSequence']);

/**
 * The DSP context declares `"@container": "@set"` for every list property except the logical
 * constraint operands, so compaction turns a one-constraint `"and": [{...}]` into an object the
 * schema rejects. Put the array back (in place: `value` is jsonld's fresh output).
 */
function wrapLogicalOperands(value: unknown, depth: number): void {
  if (!isObjectLike(value) || depth > LIMITS.maxDepth) return;
  if (Array.isArray(value)) {
    for (const item of value) wrapLogicalOperands(item, depth + 1);
    return;
  }
  const node = value as JsonObject;
  for (const [key, child] of Object.entries(node)) {
    if (LOGICAL_OPERANDS.has(key) && isObject(child)) node[key] = [child];
    wrapLogicalOperands(node[key], depth + 1);
  }
}

/** The innermost cause jsonld wrapped (loader errors arrive as details.cause of a JsonLdError). */
function rootCause(e: unknown): unknown {
  let current = e;
  for (let i = 0; i < 8 && isObjectLike(current); i++) {
    if (current instanceof ContextNotBundledError) return current;
    const next = (current as { details?: { cause?: unknown } }).details?.cause;
    if (next === undefined) break;
    current = next;
  }
  return current;
}

function isObjectLike(v: unknown): v is object {
  return v !== null && typeof v === 'object';
}

/** A jsonld failure as a field reason, pointing where the culprit appears in the body. */
function jsonLdProblem(e: unknown, body: JsonObject): FieldReason {
  const cause = rootCause(e);
  if (cause instanceof ContextNotBundledError) {
    return {
      pointer: findValue(body, cause.url) ?? '/@context',
      reason: `names the JSON-LD context ${cause.url}, which Shuyu does not bundle; contexts are never fetched from the network, so use "${DSP_CONTEXT_URL}" (with prefixed names or full IRIs for other vocabularies)`,
    };
  }
  const event = (e as { details?: { event?: JsonLdEvent } })?.details?.event;
  if (event) return eventProblem(event, body);
  const message = (cause as Error)?.message ?? String(cause);
  const code = String((e as { details?: { code?: unknown } })?.details?.code ?? '');
  // jsonld names the JSON-LD spec's error code; the context ones are the common case.
  const pointer = /context|protected|version|iri mapping|term/.test(code)
    ? '/@context'
    : /type/.test(code)
      ? '/@type'
      : '';
  return { pointer, reason: `is not usable JSON-LD (${code || 'error'}): ${message}` };
}

function eventProblem(event: JsonLdEvent, body: JsonObject): FieldReason {
  const d = event.details ?? {};
  switch (event.code) {
    case 'invalid property': {
      const key = String(d.property);
      return {
        pointer: findKey(body, key) ?? '',
        reason: `"${key}" is not a term of the message's JSON-LD context, so JSON-LD processing would drop it; use a DSP 2025-1 term, a prefixed name such as "dct:title", or a full IRI`,
      };
    }
    case 'relative @type reference':
      return {
        pointer: findValue(body, String(d.type)) ?? '/@type',
        reason: `"${String(d.type)}" is not a type the message's JSON-LD context defines, nor a full IRI`,
      };
    default:
      return {
        pointer: '',
        reason: `would lose data in JSON-LD processing (${event.code}): ${event.message}`,
      };
  }
}

/** Pointer to the first place `key` is used as a property name (depth-first), for error messages. */
function findKey(value: unknown, key: string, pointer = '', depth = 0): string | undefined {
  if (!isObjectLike(value) || depth > LIMITS.maxDepth) return undefined;
  for (const [k, child] of Object.entries(value)) {
    const here = `${pointer}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`;
    if (k === key) return here;
    const found = findKey(child, key, here, depth + 1);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** Pointer to the first place the string `wanted` appears as a value. */
function findValue(value: unknown, wanted: string, pointer = '', depth = 0): string | undefined {
  if (value === wanted) return pointer;
  if (!isObjectLike(value) || depth > LIMITS.maxDepth) return undefined;
  for (const [k, child] of Object.entries(value)) {
    const found = findValue(
      child,
      wanted,
      `${pointer}/${k.replace(/~/g, '~0').replace(/\//g, '~1')}`,
      depth + 1,
    );
    if (found !== undefined) return found;
  }
  return undefined;
}
