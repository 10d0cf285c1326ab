// One walk over a received body that (1) enforces the size and depth limits before anything else
// (jsonld and ajv recurse; a hostile body must not exhaust the stack or memory) and (2) decides
// whether the body already is the compacted DSP form, so JSON-LD processing can be skipped.

import { DSP_CONTEXT_URL, type FieldReason } from './types.js';
import { DSP_ODRL_PROFILE_URL, EDC_DSPACE_CONTEXT_URL } from './loader.js';
import { DSP_TERMS, isStableKey } from './terms.js';

/** Input limits, in the spirit of policies/jsonld/canonicalize.ts LIMITS, sized for catalogs. */
export const LIMITS = {
  /** JSON nesting: a catalog → dataset → offer → rule → nested logical constraints stays far below. */
  maxDepth: 64,
  /** Values in one body (every object, array and scalar): a catalog of a few thousand datasets. */
  maxNodes: 200_000,
  /** One string: long enough for an access token in a DataAddress. */
  maxStringLength: 65_536,
  /** A body given as JSON text. */
  maxTextLength: 8 * 1024 * 1024,
} as const;

/**
 * Contexts that may stand beside the DSP context on the fast path: checked (tests/dsp/messages) to
 * expand every DSP term exactly as the DSP context alone does. The W3C ODRL context is not among
 * them: it types some ODRL terms differently, so such bodies take the expansion path.
 */
const FAST_CONTEXTS: ReadonlySet<string> = new Set([
  DSP_CONTEXT_URL,
  DSP_ODRL_PROFILE_URL,
  EDC_DSPACE_CONTEXT_URL,
]);

/** Keywords the compacted DSP form uses; any other (@graph, @list, @reverse...) needs expansion. */
const NODE_KEYWORDS: ReadonlySet<string> = new Set(['@id', '@type']);
const VALUE_KEYWORDS: ReadonlySet<string> = new Set(['@value', '@type', '@language', '@direction']);

export interface ScanResult {
  /** Limit violations: when not empty, the body must be refused. */
  readonly errors: FieldReason[];
  /** True when the body is in the compacted DSP form already (and within limits). */
  readonly compact: boolean;
}

function segment(key: string | number): string {
  return String(key).replace(/~/g, '~0').replace(/\//g, '~1');
}

function fastContext(value: unknown): boolean {
  if (value === DSP_CONTEXT_URL) return true;
  return (
    Array.isArray(value) &&
    value.includes(DSP_CONTEXT_URL) &&
    value.every((c) => typeof c === 'string' && FAST_CONTEXTS.has(c))
  );
}

class Scanner {
  readonly errors: FieldReason[] = [];
  compact = true;
  private nodes = 0;

  /** Walks `value`; returns false once a limit is hit (the walk then stops). */
  walk(value: unknown, pointer: string, depth: number): boolean {
    if (++this.nodes > LIMITS.maxNodes) {
      this.errors.push({
        pointer,
        reason: `the message holds more than ${LIMITS.maxNodes} JSON values; it is refused`,
      });
      return false;
    }
    if (typeof value === 'string') {
      if (value.length <= LIMITS.maxStringLength) return true;
      this.errors.push({
        pointer,
        reason: `is a string of ${value.length} characters; at most ${LIMITS.maxStringLength} are accepted`,
      });
      return false;
    }
    if (value === null || typeof value !== 'object') return true;
    if (depth >= LIMITS.maxDepth) {
      this.errors.push({ pointer, reason: `is nested deeper than ${LIMITS.maxDepth} levels; it is refused` });
      return false;
    }
    if (Array.isArray(value)) {
      for (let i = 0; i < value.length; i++) {
        if (!this.walk(value[i], `${pointer}/${i}`, depth + 1)) return false;
      }
      return true;
    }
    const entries = Object.entries(value as Record<string, unknown>);
    const isValue = Object.hasOwn(value, '@value');
    for (const [key, child] of entries) {
      if (this.compact) this.classify(key, child, depth, isValue);
      if (!this.walk(child, `${pointer}/${segment(key)}`, depth + 1)) return false;
    }
    return true;
  }

  /** Clears `compact` when this key/value would read differently after JSON-LD compaction. */
  private classify(key: string, child: unknown, depth: number, isValue: boolean): void {
    if (key === '@context') {
      this.compact = depth === 0 && fastContext(child);
    } else if (isValue) {
      // A typed value {"@value": "5", "@type": "xsd:integer"}: stable when its datatype is prefixed.
      this.compact =
        VALUE_KEYWORDS.has(key) && (key !== '@type' || (typeof child === 'string' && isStableKey(child)));
    } else if (key === '@type') {
      // A class the context defines a term for ("Dataset"), or one under a prefix it declares that no
      // term stands for ("dct:MediaType"): compaction writes either back as it is.
      this.compact = typeof child === 'string' && (DSP_TERMS.terms.has(child) || isStableKey(child));
    } else if (key.startsWith('@')) {
      this.compact = NODE_KEYWORDS.has(key) && typeof child === 'string';
    } else {
      this.compact = isStableKey(key);
    }
  }
}

/** Checks the limits and whether `body` (a JSON object) is already in the compacted DSP form. */
export function scanBody(body: object): ScanResult {
  const scanner = new Scanner();
  const withinLimits = scanner.walk(body, '', 0);
  const hasContext = Object.hasOwn(body, '@context');
  return { errors: scanner.errors, compact: withinLimits && hasContext && scanner.compact };
}
