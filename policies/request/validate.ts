// Checks the shape of an evaluation request before anything is decided: every field the engine reads
// has the type docs/policies.md gives it, or the request is refused (INVALID_REQUEST). Operand values
// (purpose, count, time, ...) are checked against their domains when they are read, once per request
// (evaluate/compiled-policy.ts); this covers the rest: who, what, membership, duty states, deferral.

const DUTY_STATES = new Set(['fulfilled', 'violated']);

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function stringList(v: unknown): boolean {
  if (!Array.isArray(v)) return false;
  for (const item of v) if (typeof item !== 'string') return false;
  return true;
}

/** Why the request is malformed, or undefined when its shape is right. */
export function requestShapeError(request: unknown): string | undefined {
  if (!isRecord(request))
    return `the request must be an object with an action (see docs/policies.md), not ${request === null ? 'null' : Array.isArray(request) ? 'an array' : typeof request}`;
  if (typeof request.action !== 'string' || request.action === '')
    return 'the request must name its action (e.g. "action": "use")';
  for (const key of ['assignee', 'assigner', 'target'] as const) {
    const v = request[key];
    if (v !== undefined && (typeof v !== 'string' || v === ''))
      return `the request's ${key} must be an identifier (a non-empty string)`;
  }
  if (request.assigneeOf !== undefined && !stringList(request.assigneeOf))
    return "the request's assigneeOf must be a list of party collection identifiers";
  const asset = request.asset;
  if (asset !== undefined) {
    if (!isRecord(asset)) return "the request's asset must be an object";
    if (asset.partOf !== undefined && !stringList(asset.partOf))
      return "the request's asset.partOf must be a list of asset collection identifiers";
  }
  if (request.claims !== undefined && !isRecord(request.claims))
    return "the request's claims must be an object";
  const duties = request.duties;
  if (duties !== undefined) {
    if (!isRecord(duties)) return "the request's duties must be an object: duty uid or action → state";
    for (const key in duties) {
      const state = duties[key];
      if (typeof state !== 'string' || !DUTY_STATES.has(state))
        return `the request reports duty "${key}" as ${JSON.stringify(state) ?? String(state)}; a duty state is "fulfilled" or "violated"`;
    }
  }
  if (request.references !== undefined && !isRecord(request.references))
    return "the request's references must be an object: IRI → value";
  // Unknown names in deferred are ignored: deferring an operand no constraint reads changes nothing.
  if (request.deferred !== undefined && !stringList(request.deferred))
    return "the request's deferred must be a list of left operand names";
  return undefined;
}
