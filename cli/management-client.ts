// The participant commands talk to their own connector's management API on its management listener: URL
// from DIR/management-url (written by the running connector; else the fixed port in DIR/connector.json
// "management"), key from DIR/management-api-key (or --url and SHUYU_MANAGEMENT_KEY).
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ManagementApiError, ManagementClient, type Json } from '../connector/management/client.js';
import { MANAGEMENT_API_KEY_FILE } from '../connector/management/api-key.js';
import {
  CONNECTOR_CONFIG_FILE,
  MANAGEMENT_URL_FILE,
  managementUrlOf,
} from '../connector/process/connector.js';
import { CliError, EXIT } from './io.js';

export interface ManagementTarget {
  dir: string;
  url?: string | undefined;
}

/** A refusal of the management API, as a CLI error (exit 1 with the API's reason) that keeps its status. */
export class ApiRefusal extends CliError {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

/** Failures surface as CLI errors (exit 1 with the API's reason). */
class CliManagementClient extends ManagementClient {
  override async call<T = Json>(
    method: 'GET' | 'POST' | 'PUT' | 'DELETE',
    path: string,
    body?: unknown,
  ): Promise<T> {
    try {
      return await super.call<T>(method, path, body);
    } catch (error) {
      throw error instanceof ManagementApiError ? new ApiRefusal(error.message, error.status) : error;
    }
  }
}

/** The management API of the connector in `target.dir` (or at `target.url`). */
export function managementClient(target: ManagementTarget): ManagementClient {
  const url = target.url ?? managementUrlOf(target.dir);
  if (!url) {
    const what = existsSync(join(target.dir, CONNECTOR_CONFIG_FILE))
      ? `the connector in ${target.dir} is not running (no ${MANAGEMENT_URL_FILE} there)`
      : `no connector found in ${target.dir} (${CONNECTOR_CONFIG_FILE})`;
    throw new CliError(
      `${what}; start it with "shuyu connector start --dir ${target.dir}" or pass --url (its management listener, http://host:port)`,
      EXIT.usage,
    );
  }
  const keyFile = join(target.dir, MANAGEMENT_API_KEY_FILE);
  const key =
    process.env.SHUYU_MANAGEMENT_KEY ??
    (existsSync(keyFile) ? readFileSync(keyFile, 'utf8').trim() : undefined);
  if (!key) throw new CliError(`no management API key: set SHUYU_MANAGEMENT_KEY or use --dir`, EXIT.usage);
  return new CliManagementClient(url, key);
}
