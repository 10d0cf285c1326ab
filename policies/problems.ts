// Problems are data (as in ajv): a stable code for programs, a JSON pointer into the input and a
// sentence for people. Nothing in policies/ throws them; functions return them.

export type Severity = 'error' | 'warning';

export interface PolicyProblem {
  /** Stable machine code, e.g. ERR_UNKNOWN_LEFT_OPERAND or LINT_UNSATISFIABLE. */
  readonly code: string;
  readonly severity: Severity;
  /** JSON pointer (RFC 6901) into the policy document as given ('' = the whole document). */
  readonly path: string;
  /** What is wrong and, where it helps, what to do. */
  readonly message: string;
  /** For text that is not valid JSON: where it stops parsing (1-based). */
  readonly line?: number;
  readonly column?: number;
}

export function error(code: string, path: string, message: string): PolicyProblem {
  return { code, severity: 'error', path, message };
}

export function warning(code: string, path: string, message: string): PolicyProblem {
  return { code, severity: 'warning', path, message };
}

/** Escapes one JSON pointer segment (RFC 6901). */
export function pointerSegment(key: string | number): string {
  return String(key).replace(/~/g, '~0').replace(/\//g, '~1');
}

export function childPointer(parent: string, key: string | number): string {
  return `${parent}/${pointerSegment(key)}`;
}

/** Renders problems one per line: `error ERR_X at /permission/0: message`. */
export function formatProblem(p: PolicyProblem): string {
  return `${p.severity} ${p.code} at ${p.path === '' ? '(document)' : p.path}: ${p.message}`;
}
