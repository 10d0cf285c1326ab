// A client of a connector's management API (plain JSON, API key): what the CLI, `npm start`'s
// publishing and the demo use to act as the connector's operator.
import { problemFields, requestJson } from '../http/json-client.js';
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

  /**
   * `listenerUrl` is the connector's management listener (http://host:port, its own port, never the public
   * DSP URL); the API lives below /management/v1.
   */
  constructor(
    listenerUrl: string,
    private readonly key: string,
  ) {
    this.base = `${listenerUrl.replace(/\/+$/, '')}${MANAGEMENT_PATH}`;
  }

  call<T = Json>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
    return requestJson<T>(this.base + path, { method, bearer: this.key, body }, (f) =>
      f.status === 0
        ? new ManagementApiError(
            0,
            `cannot reach the connector at ${this.base} (${f.detail}); is it running?`,
          )
        : new ManagementApiError(
            f.status,
            `${method} ${path} failed (${f.status}): ${f.detail}${problemFields(f.problem)}`,
          ),
    );
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
