// The participant commands talk to their own connector's management API: URL from DIR/connector.json,
// key from DIR/management-api-key (or --url and SHUYU_MANAGEMENT_KEY).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONNECTOR_CONFIG_FILE } from '../connector/process/connector.js';
import { readConfigFile } from '../connector/process/config.js';
import { CliError, EXIT } from './io.js';

export interface ManagementTarget {
  dir: string;
  url?: string | undefined;
}

export class ManagementClient {
  constructor(
    readonly base: string,
    private readonly key: string,
  ) {}

  static from(target: ManagementTarget): ManagementClient {
    const config = readConfigFile<{ publicUrl?: string }>(join(target.dir, CONNECTOR_CONFIG_FILE));
    const url = target.url ?? config?.publicUrl;
    if (!url) {
      throw new CliError(
        `no connector found in ${target.dir} (${CONNECTOR_CONFIG_FILE}); start it with "shuyu connector start --dir ${target.dir}" or pass --url`,
        EXIT.usage,
      );
    }
    const keyFile = join(target.dir, 'management-api-key');
    const key =
      process.env.SHUYU_MANAGEMENT_KEY ??
      (existsSync(keyFile) ? readFileSync(keyFile, 'utf8').trim() : undefined);
    if (!key) throw new CliError(`no management API key: set SHUYU_MANAGEMENT_KEY or use --dir`, EXIT.usage);
    return new ManagementClient(`${url.replace(/\/+$/, '')}/management/v1`, key);
  }

  async call<T = Record<string, unknown>>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    body?: unknown,
  ): Promise<T> {
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
      throw new CliError(
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
      throw new CliError(
        `${method} ${path} failed (${response.status}): ${problem.detail ?? text.slice(0, 300)}${fields}`,
      );
    }
    return parsed as T;
  }
}
