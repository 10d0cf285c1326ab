// The usage a consumer declares when it starts a transfer (`POST /transfers {purpose?, spatial?}`): one
// value or a list of them, carried to the provider and checked by its data plane at every access.

import { declaredValuesProblem, type DeclaredUsage } from '../control-plane/extensions.js';
import { HttpProblem, type FieldReason } from '../http/problem.js';

/** `purpose` and `spatial` of a request body as lists; a 400 naming each malformed one. */
export function declaredUsageInput(body: { purpose?: unknown; spatial?: unknown }): DeclaredUsage {
  const problems: FieldReason[] = [];
  const read = (key: 'purpose' | 'spatial'): string[] | undefined => {
    const value = body[key];
    if (value === undefined) return undefined;
    const problem = declaredValuesProblem(value);
    if (problem !== undefined) {
      problems.push({ pointer: `/${key}`, reason: `${problem} (one string or a list of them)` });
      return undefined;
    }
    return Array.isArray(value) ? (value as string[]) : [value as string];
  };
  const purpose = read('purpose');
  const spatial = read('spatial');
  if (problems.length > 0) {
    throw new HttpProblem(400, 'invalid-body', 'the transfer request is not valid; see errors', problems);
  }
  return { ...(purpose ? { purpose } : {}), ...(spatial ? { spatial } : {}) };
}
