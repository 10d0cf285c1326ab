// Entry point from raw input to the canonical policy JSON: parse (if text), decide whether the
// document's contexts can be read statically (fast path) or need full JSON-LD expansion, and hand
// the result to canonicalize().

import jsonld from 'jsonld';
import { canonicalize, describe, type CanonicalResult, type Json, type JsonObject } from './canonicalize.js';
import {
  createDocumentLoader,
  ContextNotBundledError,
  SHUYU_CONTEXT_URL,
  type DocumentLoader,
} from './document-loader.js';
import { error, type PolicyProblem } from '../problems.js';

/** Contexts whose ODRL terms the fast path reads exactly as JSON-LD expansion would. */
const STATIC_CONTEXTS = new Set([
  'http://www.w3.org/ns/odrl.jsonld',
  'https://www.w3.org/ns/odrl.jsonld',
  'https://w3id.org/dspace/2025/1/context.jsonld',
  'https://w3id.org/dspace/2025/1/odrl-profile.jsonld',
  'https://w3id.org/dspace/2024/1/context.json',
]);

/** Largest policy text accepted (bytes of JSON). */
export const MAX_POLICY_TEXT = 4 * 1024 * 1024;

const defaultLoader = createDocumentLoader();
const ODRL_COMPACTION_CONTEXT = 'http://www.w3.org/ns/odrl.jsonld' as unknown as jsonld.ContextDefinition;

/** Parses JSON text into a value, or a problem saying where the syntax breaks. */
export function parseJson(
  text: string,
): { ok: true; value: Json } | { ok: false; problems: ReturnType<typeof error>[] } {
  if (text.length > MAX_POLICY_TEXT) {
    return {
      ok: false,
      problems: [error('ERR_POLICY_TOO_LARGE', '', `the document is larger than ${MAX_POLICY_TEXT} bytes`)],
    };
  }
  try {
    return { ok: true, value: JSON.parse(text) as Json };
  } catch (e) {
    const { line, column } = positionOf(text, (e as Error).message);
    const why = (e as Error).message.replace(/ in JSON at position \d+.*$| in JSON$/, '');
    return {
      ok: false,
      problems: [
        {
          ...error('ERR_MALFORMED_JSON', '', `not valid JSON at line ${line}, column ${column}: ${why}`),
          line,
          column,
        },
      ],
    };
  }
}

/** Line and column (1-based) of a JSON.parse error: V8 names the position, or the text ended early. */
export function positionOf(text: string, message: string): { line: number; column: number } {
  const m = /at position (\d+)/.exec(message) ?? /line (\d+) column (\d+)/.exec(message);
  let offset = text.length;
  if (m !== null && m.length === 2) offset = Math.min(Number(m[1]), text.length);
  else if (m !== null) return { line: Number(m[1]), column: Number(m[2]) };
  const before = text.slice(0, offset);
  const line = before.split('\n').length;
  return { line, column: offset - before.lastIndexOf('\n') };
}

/** True when the document (anywhere) has a context the fast path cannot read statically. */
export function needsExpansion(value: Json, depth = 0, seen = new Set<object>()): boolean {
  if (depth > 64 || value === null || typeof value !== 'object') return false;
  // Objects can be shared or point back at their parents (an offer inside an in-memory catalog):
  // visit each once, or the walk is exponential.
  if (seen.has(value)) return false;
  seen.add(value);
  if (Array.isArray(value)) return value.some((v) => needsExpansion(v, depth + 1, seen));
  for (const [key, child] of Object.entries(value)) {
    if (key === '@context') {
      if (depth > 0) return true;
      const list = Array.isArray(child) ? child : [child];
      if (!list.every((c) => typeof c === 'string' && STATIC_CONTEXTS.has(c))) return true;
    } else if (needsExpansion(child, depth + 1, seen)) return true;
  }
  return false;
}

/** jsonld.expand returns a one-node array: accept that form of one policy too. */
function single(value: Json): Json {
  return Array.isArray(value) && value.length === 1 ? (value[0] as Json) : value;
}

/** Synchronous: canonicalises documents that need no JSON-LD expansion, refuses the others. */
export function loadPolicySync(input: unknown): CanonicalResult {
  const value: { ok: true; value: Json } | { ok: false; problems: PolicyProblem[] } =
    typeof input === 'string' ? parseJson(input) : { ok: true, value: input as Json };
  if (!value.ok) return value;
  value.value = single(value.value);
  if (needsExpansion(value.value)) {
    return {
      ok: false,
      problems: [
        error(
          'ERR_NEEDS_EXPANSION',
          '/@context',
          'this policy uses a JSON-LD context that needs expansion: compile it with compilePolicy() (async)',
        ),
      ],
    };
  }
  return canonicalize(value.value);
}

/** Canonicalises a policy in any JSON-LD form, expanding it with the bundled contexts when needed. */
export async function loadPolicy(
  input: unknown,
  loader: DocumentLoader = defaultLoader,
): Promise<CanonicalResult> {
  const value: { ok: true; value: Json } | { ok: false; problems: PolicyProblem[] } =
    typeof input === 'string' ? parseJson(input) : { ok: true, value: input as Json };
  if (!value.ok) return value;
  value.value = single(value.value);
  if (!needsExpansion(value.value)) return canonicalize(value.value);
  if (value.value === null || typeof value.value !== 'object' || Array.isArray(value.value)) {
    return {
      ok: false,
      problems: [error('ERR_EXPECTED_OBJECT', '', `expected a JSON object, found ${describe(value.value)}`)],
    };
  }
  let expanded: unknown;
  try {
    expanded = await jsonld.expand(
      value.value as jsonld.JsonLdDocument,
      { documentLoader: loader, safe: true } as unknown as jsonld.Options.Expand,
    );
  } catch (e) {
    return { ok: false, problems: [error(codeOf(e), '/@context', messageOf(e))] };
  }
  const nodes = Array.isArray(expanded) ? (expanded as JsonObject[]) : [];
  if (nodes.length !== 1) {
    return {
      ok: false,
      problems: [
        error(
          'ERR_NOT_ONE_POLICY',
          '',
          `after JSON-LD expansion the document holds ${nodes.length} top-level nodes; expected exactly one policy`,
        ),
      ],
    };
  }
  // Compacted again with the ODRL context, the document reads as most authors wrote it (bare ODRL
  // keys), so problems point at familiar paths rather than at full IRIs.
  try {
    const compacted = (await (jsonld.compact as (d: unknown, c: unknown, o: unknown) => Promise<unknown>)(
      nodes[0] as jsonld.JsonLdDocument,
      ODRL_COMPACTION_CONTEXT,
      {
        documentLoader: loader,
        compactArrays: false, // keep arrays where the author wrote them, so pointers keep their /0
      } as unknown as jsonld.Options.Compact,
    )) as JsonObject;
    delete compacted['@context'];
    // Without array compaction jsonld wraps the node in @graph.
    const graph = compacted['@graph'];
    const node = Array.isArray(graph) && graph.length === 1 ? (graph[0] as JsonObject) : compacted;
    return canonicalize(node);
  } catch {
    return canonicalize(nodes[0] as JsonObject);
  }
}

function rootCause(e: unknown): unknown {
  let current = e;
  for (let i = 0; i < 8 && current && typeof current === 'object'; i++) {
    if (current instanceof ContextNotBundledError) return current;
    const details = (current as { details?: { cause?: unknown } }).details;
    const next = details?.cause ?? (current as { cause?: unknown }).cause;
    if (next === undefined) break;
    current = next;
  }
  return current;
}

function codeOf(e: unknown): string {
  return rootCause(e) instanceof ContextNotBundledError ? 'ERR_CONTEXT_NOT_BUNDLED' : 'ERR_JSONLD';
}

function messageOf(e: unknown): string {
  const cause = rootCause(e);
  if (cause instanceof ContextNotBundledError) return cause.message;
  return `JSON-LD expansion failed: ${(e as Error)?.message ?? String(e)}`;
}

export { SHUYU_CONTEXT_URL };
