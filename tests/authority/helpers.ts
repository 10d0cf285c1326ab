// A small local data space for end-to-end tests: an authority and connectors, each a real HTTP server on
// 127.0.0.1 with its own SQLite file and key directory in a temp folder.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  startAuthority,
  type RunningAuthority,
  type StartAuthorityOptions,
} from '../../catalog/authority/process.js';
import { startConnector, type RunningConnector } from '../../connector/process/connector.js';
import { testProcessDatabase } from '../support/store.js';

export const USCC_A = '91440300708461136T'; // Tencent, a public record
export const USCC_B = '91110000802100433B'; // Bank of China, a public record

export interface LocalDataSpace {
  readonly dir: string;
  /** Replaced by restartAuthority(). */
  readonly authority: RunningAuthority;
  readonly adminKey: string;
  readonly connectors: RunningConnector[];
  startConnector(name: string, options?: { revocationCheckIntervalMs?: number }): Promise<RunningConnector>;
  /** Admin call to the authority's API; returns status and parsed body. */
  admin(method: 'GET' | 'POST', path: string, body?: unknown, key?: string): Promise<HttpResult>;
  /** Stops the authority and starts it again from its data directory, on the same port. */
  restartAuthority(): Promise<RunningAuthority>;
  close(): Promise<void>;
}

export interface HttpResult {
  status: number;
  body: Record<string, unknown>;
  headers: Headers;
}

export async function request(
  url: string,
  init: { method?: string; headers?: Record<string, string>; body?: string } = {},
): Promise<HttpResult> {
  const response = await fetch(url, init);
  const text = await response.text();
  let body: Record<string, unknown>;
  try {
    body = text ? (JSON.parse(text) as Record<string, unknown>) : {};
  } catch {
    body = { text };
  }
  return { status: response.status, body, headers: response.headers };
}

/** `authorityOptions` are the authority's settings (e.g. `evidence: { algorithms: 'sm' }`). */
export async function startLocalDataSpace(
  authorityOptions: Partial<Omit<StartAuthorityOptions, 'dataDir' | 'port'>> = {},
): Promise<LocalDataSpace> {
  const dir = await mkdtemp(join(tmpdir(), 'shuyu-dataspace-'));
  // Under SHUYU_TEST_STORE=postgres the authority too keeps its state in PostgreSQL (one database per
  // data directory, so a restart reopens it).
  const authorityDatabase = await testProcessDatabase(join(dir, 'authority'));
  let authority = await startAuthority({
    ...authorityOptions,
    ...authorityDatabase,
    dataDir: join(dir, 'authority'),
    port: 0,
  });
  const adminKey = await authority.service.createAdminKey('test-admin');
  const connectors: RunningConnector[] = [];
  const space: LocalDataSpace = {
    dir,
    get authority() {
      return authority;
    },
    adminKey,
    connectors,
    async startConnector(name, options = {}) {
      const connector = await startConnector({
        dataDir: join(dir, name),
        port: 0,
        authorityUrl: authority.url,
        ...(await testProcessDatabase(join(dir, name))),
        ...options,
      });
      connectors.push(connector);
      return connector;
    },
    admin(method, path, body, key = adminKey) {
      return request(`${authority.admin.url}/authority/v1/admin${path}`, {
        method,
        headers: {
          authorization: `Bearer ${key}`,
          ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
      });
    },
    async restartAuthority() {
      const port = authority.server.port;
      await authority.close();
      authority = await startAuthority({
        ...authorityOptions,
        ...authorityDatabase,
        dataDir: join(dir, 'authority'),
        port,
      });
      return authority;
    },
    async close() {
      for (const connector of connectors.splice(0)) await connector.close();
      await authority.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return space;
}

/** Applies, gets approved by the admin and collects credentials: a member ready to talk to others. */
export async function onboard(
  space: LocalDataSpace,
  connector: RunningConnector,
  application: Record<string, unknown>,
  approval: Record<string, unknown> = {},
): Promise<string> {
  // Members register their DSP endpoint, so the federated catalog can crawl them.
  const applied = await connector.authority.apply({ connectorUrl: `${connector.url}/dsp`, ...application });
  const approved = await space.admin(
    'POST',
    `/applications/${encodeURIComponent(String(applied.id))}/approve`,
    approval,
  );
  if (approved.status !== 200) throw new Error(`approval failed: ${JSON.stringify(approved.body)}`);
  await connector.collectCredentials();
  return String(applied.id);
}

export function hospitalApplication(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    organisationName: 'Beijing Research Hospital',
    registrationNumber: USCC_A,
    sectors: [{ sector: 'medical', roles: ['hospital', 'research-institute'] }],
    dataGradeClearance: 'important',
    contact: 'data-office@hospital.example',
    ...overrides,
  };
}

export function bankApplication(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    organisationName: 'Haidian Commercial Bank',
    registrationNumber: USCC_B,
    sectors: [{ sector: 'finance', roles: ['bank'] }],
    dataGradeClearance: 'JR-L3',
    contact: '+86 10 0000 0000',
    ...overrides,
  };
}

/** Calls a connector's whoami endpoint as `caller` (a fresh request token each time). */
export async function whoami(target: RunningConnector, token: string | undefined): Promise<HttpResult> {
  return request(
    `${target.url}/identity/v1/whoami`,
    token ? { headers: { authorization: `Bearer ${token}` } } : {},
  );
}
