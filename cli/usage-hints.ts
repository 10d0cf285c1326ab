// The purpose and place of use a policy asks a transfer to declare, read from its permissions' constraints
// (in whichever form the agreement carries them: plain ODRL terms, prefixed, full IRIs or @id objects), so a
// refusal can say which values would be accepted.

export interface UsageHints {
  readonly purposes: readonly string[];
  readonly places: readonly string[];
}

/** The last segment of a term: odrl:purpose, http://www.w3.org/ns/odrl/2/purpose and purpose are purpose. */
function term(value: unknown): string | undefined {
  const text =
    typeof value === 'string'
      ? value
      : value !== null &&
          typeof value === 'object' &&
          typeof (value as { '@id'?: unknown })['@id'] === 'string'
        ? String((value as { '@id': string })['@id'])
        : undefined;
  return text?.split(/[:/#]/).pop();
}

function values(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(values);
  if (value !== null && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if (typeof v['@value'] === 'string') return [v['@value']];
    if (typeof v['@id'] === 'string') return [term(v['@id']) ?? v['@id']];
    if ('@list' in v) return values(v['@list']);
    return [];
  }
  return typeof value === 'string' ? [value] : [];
}

const pick = (o: Record<string, unknown>, name: string): unknown =>
  Object.entries(o).find(([k]) => term(k) === name)?.[1];

/** Purposes and places the permissions of `policy` accept (prohibitions are left out). */
export function usageHints(policy: unknown): UsageHints {
  const purposes = new Set<string>();
  const places = new Set<string>();
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (node === null || typeof node !== 'object') return;
    const o = node as Record<string, unknown>;
    const left = term(pick(o, 'leftOperand'));
    if (left === 'purpose') values(pick(o, 'rightOperand')).forEach((v) => purposes.add(v));
    if (left === 'spatial') values(pick(o, 'rightOperand')).forEach((v) => places.add(v));
    for (const [key, value] of Object.entries(o)) {
      if (term(key) !== 'prohibition') walk(value);
    }
  };
  walk(policy);
  return { purposes: [...purposes], places: [...places] };
}
