// The one call a DSP handler makes on a request body: normalise it to the compacted DSP form,
// check it is the message this endpoint expects, validate it against the 2025-1 schema.

import { normalizeDspBody, type NormalizeOptions } from './normalize.js';
import { validateDspMessage } from './validate.js';
import { readFormat } from './format.js';
import type { DspMessages, DspMessageType, FieldReason, Json, JsonObject } from './types.js';

export type ParseResult<T extends DspMessageType> =
  | { readonly ok: true; readonly message: DspMessages[T]; readonly path: 'fast' | 'expanded' }
  | {
      readonly ok: false;
      readonly errors: FieldReason[];
      /** True when the pointers refer to the body as compacted with the DSP context, not as received. */
      readonly expanded: boolean;
    };

export type ParseOptions = NormalizeOptions;

/**
 * Transfer formats by name ("HttpData-PULL"), however the peer wrote them (format.ts): on a
 * TransferRequestMessage and on the distributions of a catalog, its datasets and nested catalogs.
 * Copies what it changes: the received body is left as it came.
 */
function withReadableFormats(node: JsonObject, depth = 0): JsonObject {
  if (depth > 8) return node;
  let out = node;
  const set = (key: string, value: Json): void => {
    if (out === node) out = { ...node };
    out[key] = value;
  };
  if (typeof node.format === 'string' && readFormat(node.format) !== node.format) {
    set('format', readFormat(node.format));
  }
  for (const key of ['distribution', 'dataset', 'catalog']) {
    const list = node[key];
    if (!Array.isArray(list)) continue;
    const mapped = list.map((item) => (isObject(item) ? withReadableFormats(item, depth + 1) : item));
    if (mapped.some((item, i) => item !== list[i])) set(key, mapped);
  }
  return out;
}

function isObject(value: Json | undefined): value is JsonObject {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * Reads a received DSP message of type `expectedType` (a parsed JSON value, or JSON text) in any
 * JSON-LD form. Never throws for bad input: problems come back as `{ pointer, reason }`.
 */
export async function parseDspMessage<T extends DspMessageType>(
  expectedType: T,
  body: unknown,
  options: ParseOptions = {},
): Promise<ParseResult<T>> {
  try {
    const normalized = await normalizeDspBody(body, options);
    if (!normalized.ok) return normalized;
    const expanded = normalized.path === 'expanded';
    const type = normalized.value['@type'];
    if (type !== expectedType) {
      const found = type === undefined ? 'none' : JSON.stringify(type);
      const reason = `must be "${expectedType}" for this endpoint, found ${found}`;
      return { ok: false, errors: [{ pointer: '/@type', reason }], expanded };
    }
    const errors = validateDspMessage(expectedType, normalized.value);
    if (errors.length > 0) return { ok: false, errors, expanded };
    const message = withReadableFormats(normalized.value) as unknown as DspMessages[T];
    return { ok: true, message, path: normalized.path };
  } catch (e) {
    // Not reachable for JSON input as far as we know; kept so a library surprise is a 400, not a 500.
    const reason = `could not be read: ${(e as Error)?.message ?? String(e)}`;
    return { ok: false, errors: [{ pointer: '', reason }], expanded: false };
  }
}
