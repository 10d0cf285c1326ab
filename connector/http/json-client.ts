// The one way Shuyu's own clients (CLI, npm start, the demo, a connector talking to its authority) call a
// JSON API: bearer auth, JSON body, a timeout, and problem+json failures turned into the caller's error.
export interface JsonRequest {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly bearer?: string;
  readonly body?: unknown;
  /** Default 30 s. */
  readonly timeoutMs?: number;
  readonly fetch?: typeof fetch;
}

/** Why a call failed: status 0 when the server could not be reached (detail is the network error). */
export interface JsonFailure {
  readonly status: number;
  /** problem+json `detail`, or the start of the body, or the network error. */
  readonly detail: string;
  readonly problem?: Record<string, unknown>;
}

export async function requestJson<T>(
  url: string,
  request: JsonRequest,
  fail: (failure: JsonFailure) => Error,
): Promise<T> {
  let response: Response;
  try {
    response = await (request.fetch ?? fetch)(url, {
      method: request.method,
      headers: {
        ...(request.bearer !== undefined ? { authorization: `Bearer ${request.bearer}` } : {}),
        ...(request.body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(request.body !== undefined ? { body: JSON.stringify(request.body) } : {}),
      signal: AbortSignal.timeout(request.timeoutMs ?? 30_000),
    });
  } catch (error) {
    throw fail({ status: 0, detail: (error as Error).message });
  }
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : {};
  } catch {
    parsed = undefined;
  }
  if (!response.ok) {
    const problem =
      parsed !== null && typeof parsed === 'object' ? (parsed as Record<string, unknown>) : undefined;
    const detail = typeof problem?.detail === 'string' ? problem.detail : text.slice(0, 300);
    throw fail({ status: response.status, detail, ...(problem ? { problem } : {}) });
  }
  return parsed as T;
}

/** The field-level reasons of a problem+json body, one per line ("\n  /pointer: reason"). */
export function problemFields(problem: Record<string, unknown> | undefined): string {
  const errors = problem?.errors;
  if (!Array.isArray(errors)) return '';
  return errors
    .map(
      (e) =>
        `\n  ${String((e as { pointer?: unknown }).pointer)}: ${String((e as { reason?: unknown }).reason)}`,
    )
    .join('');
}
