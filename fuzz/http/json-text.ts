// JSON text the fuzzer can bend in ways JSON.stringify cannot: numbers written verbatim (1e400, 2^64)
// and objects with a key given twice.

/** A value written into the JSON text exactly as given. */
export class RawJson {
  constructor(readonly text: string) {}
}

/** Extra `"key": value` pairs written after an object's own (duplicate keys). */
export const DUPLICATES = Symbol('duplicates');

export type Bendable = { [key: string]: unknown; [DUPLICATES]?: unknown };

export function jsonText(value: unknown): string {
  if (value instanceof RawJson) return value.text;
  if (Array.isArray(value)) return `[${value.map((v) => jsonText(v)).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value).map(([k, v]) => `${JSON.stringify(k)}:${jsonText(v)}`);
    const duplicates = (value as Bendable)[DUPLICATES] as [string, unknown][] | undefined;
    for (const [k, v] of duplicates ?? []) entries.push(`${JSON.stringify(k)}:${jsonText(v)}`);
    return `{${entries.join(',')}}`;
  }
  // Deep values nest below; undefined (a dropped array item) becomes null as in JSON.stringify.
  return JSON.stringify(value) ?? 'null';
}

/** A copy deep enough to mutate (RawJson kept as is, duplicates kept). */
export function cloneJson<T>(value: T): T {
  if (value instanceof RawJson) return value;
  if (Array.isArray(value)) return value.map((v) => cloneJson(v) as unknown) as T;
  if (value !== null && typeof value === 'object') {
    const copy: Bendable = {};
    for (const [k, v] of Object.entries(value)) copy[k] = cloneJson(v);
    const duplicates = (value as Bendable)[DUPLICATES];
    if (duplicates !== undefined) copy[DUPLICATES] = duplicates;
    return copy as T;
  }
  return value;
}

/** Every place in `value` a mutation can aim at: paths of object keys and array indexes. */
export function jsonPaths(value: unknown, maxDepth = 6): (string | number)[][] {
  const paths: (string | number)[][] = [];
  const walk = (v: unknown, path: (string | number)[]): void => {
    if (path.length >= maxDepth || v instanceof RawJson) return;
    if (Array.isArray(v)) {
      v.forEach((item, i) => {
        paths.push([...path, i]);
        walk(item, [...path, i]);
      });
    } else if (v !== null && typeof v === 'object') {
      for (const [k, item] of Object.entries(v)) {
        paths.push([...path, k]);
        walk(item, [...path, k]);
      }
    }
  };
  walk(value, []);
  return paths;
}

/** The container holding `path`'s last step, and that step. */
export function parentOf(
  root: unknown,
  path: readonly (string | number)[],
): [Bendable, string | number] | undefined {
  let node = root;
  for (const step of path.slice(0, -1)) {
    if (node === null || typeof node !== 'object') return undefined;
    node = (node as Record<string | number, unknown>)[step];
  }
  const last = path[path.length - 1];
  if (node === null || typeof node !== 'object' || last === undefined) return undefined;
  return [node as Bendable, last];
}
