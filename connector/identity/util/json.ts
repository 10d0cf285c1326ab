// Bounded JSON handling: inputs from the network are size- and depth-checked before anything else touches them.
import { InputError } from '../errors.js';

export const MAX_JSON_DEPTH = 32;

export function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

export function utf8Length(text: string): number {
  return Buffer.byteLength(text, 'utf8');
}

export function assertMaxBytes(text: string, maxBytes: number, what: string): void {
  // Cheap pre-check first: a string's UTF-8 size is never smaller than its length in UTF-16 code units.
  if (text.length > maxBytes || utf8Length(text) > maxBytes) {
    throw new InputError('ERR_INPUT_TOO_LARGE', `${what} is larger than the limit of ${maxBytes} bytes.`, {
      details: { limit: maxBytes },
    });
  }
}

/** Throws if `value` nests deeper than `maxDepth` (iterative, so hostile input cannot overflow the stack). */
export function assertMaxDepth(value: unknown, what: string, maxDepth = MAX_JSON_DEPTH): void {
  const stack: Array<[unknown, number]> = [[value, 0]];
  while (stack.length > 0) {
    const [current, depth] = stack.pop() as [unknown, number];
    if (current === null || typeof current !== 'object') continue;
    if (depth >= maxDepth) {
      throw new InputError('ERR_INPUT_MALFORMED', `${what} is nested deeper than ${maxDepth} levels.`);
    }
    for (const child of Object.values(current)) stack.push([child, depth + 1]);
  }
}

/** Parses JSON text that must be an object, enforcing size and depth limits. */
export function parseJsonObject(text: string, what: string, maxBytes: number): Record<string, unknown> {
  assertMaxBytes(text, maxBytes, what);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InputError('ERR_INPUT_MALFORMED', `${what} is not valid JSON.`);
  }
  if (!isRecord(value)) {
    throw new InputError('ERR_INPUT_MALFORMED', `${what} must be a JSON object.`);
  }
  assertMaxDepth(value, what);
  return value;
}

/** Serialises an object that came from elsewhere, enforcing depth and size (used to bound object inputs). */
export function boundedStringify(value: unknown, what: string, maxBytes: number): string {
  assertMaxDepth(value, what);
  let text: string | undefined;
  try {
    text = JSON.stringify(value);
  } catch {
    throw new InputError('ERR_INPUT_MALFORMED', `${what} cannot be serialised as JSON.`);
  }
  if (text === undefined) throw new InputError('ERR_INPUT_MALFORMED', `${what} is not a JSON value.`);
  assertMaxBytes(text, maxBytes, what);
  return text;
}
