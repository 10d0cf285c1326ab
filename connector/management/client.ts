// A client of a connector's management API (plain JSON, API key): what the CLI, `npm start`'s
// publishing and the demo use to act as the connector's operator.
import { MANAGEMENT_PATH } from './router.js';

export class ManagementApiError extends Error {
  constructor(
    /** HTTP status; 0 when the connector could not be reached. */
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export type Json = Record<string, unknown>;

export class ManagementClient {
  readonly base: string;

  /** `connectorUrl` is the connector's public URL; the API lives below /management/v1. */
  constructor(
    connectorUrl: string,
    private readonly key: string,
  ) {
    this.base = `${connectorUrl.replace(/\/+$/, '')}${MANAGEMENT_PATH}`;
  }

  async call<T = Json>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
    let response: Response;
    try {
      response = await fetch(this.base + path, {
        method,
        headers: {
          authorization: `Bearer ${this.key}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (error) {
      throw new ManagementApiError(
        0,
        `cannot reach the connector at ${this.base} (${(error as Error).message}); is it running?`,
      );
    }
    const text = await response.text();
    let parsed: unknown;
    try {
      parsed = text ? JSON.parse(text) : {};
    } catch {
      parsed = { detail: text.slice(0, 300) };
    }
    if (!response.ok) {
      const problem = parsed as { detail?: string; errors?: { pointer: string; reason: string }[] };
      const fields = (problem.errors ?? []).map((e) => `\n  ${e.pointer}: ${e.reason}`).join('');
      throw new ManagementApiError(
        response.status,
        `${method} ${path} failed (${response.status}): ${problem.detail ?? text.slice(0, 300)}${fields}`,
      );
    }
    return parsed as T;
  }

  /** GET that answers undefined for 404 (does this asset / offer exist?). */
  async find<T = Json>(path: string): Promise<T | undefined> {
    try {
      return await this.call<T>('GET', path);
    } catch (error) {
      if (error instanceof ManagementApiError && error.status === 404) return undefined;
      throw error;
    }
  }
}
