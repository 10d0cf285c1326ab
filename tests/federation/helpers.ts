// A local data space for the federated catalog tests: a real authority (with its federated catalog,
// schedule off) and full connectors (control plane, DSP bindings) on 127.0.0.1, each with its own
// SQLite file (the authority on PostgreSQL when given a URL), onboarded through the real application → approval → credentials flow with its DSP
// URL as connectorUrl.
import { mkdtemp, rm } from 'node:fs/promises';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startAuthority, type RunningAuthority } from '../../catalog/authority/process.js';
import type { FederationSettings } from '../../catalog/federation/index.js';
import {
  startControlPlaneConnector,
  type ControlPlaneConnector,
} from '../../connector/process/run-connector.js';
import { request, type HttpResult } from '../authority/helpers.js';
import { testProcessDatabase } from '../support/store.js';

export { request, type HttpResult };

export interface FederationSpace {
  readonly dir: string;
  readonly authority: RunningAuthority;
  readonly adminKey: string;
  readonly connectors: ControlPlaneConnector[];
  /** Starts a full connector and onboards it (connectorUrl = its DSP base). */
  member(
    name: string,
    application: Record<string, unknown>,
    approval?: Record<string, unknown>,
  ): Promise<ControlPlaneConnector>;
  /** Admin call to the authority API (/authority/v1/admin…). */
  admin(method: 'GET' | 'POST', path: string, body?: unknown): Promise<HttpResult>;
  /** GET on the catalog API as an admin, a member (request token) or anonymously. */
  catalog(path: string, as?: Asker): Promise<HttpResult>;
  close(): Promise<void>;
}

/** Who calls: 'admin', a member connector, or undefined (anonymous). */
export type Asker = 'admin' | ControlPlaneConnector | undefined;

/** Fast crawl settings for tests; the schedule is off (tests call crawlNow). */
export const TEST_FEDERATION: FederationSettings = {
  crawlIntervalMs: 0,
  retries: 1,
  retryDelayMs: 10,
  backoff: { baseDelayMs: 60_000, maxDelayMs: 600_000, jitter: 0 },
  limits: { timeoutMs: 3000 },
};

export async function startFederationSpace(
  settings: FederationSettings = TEST_FEDERATION,
  options: { readonly authorityDatabase?: string } = {},
): Promise<FederationSpace> {
  const dir = await mkdtemp(join(tmpdir(), 'shuyu-federation-'));
  const dataDir = join(dir, 'authority');
  // SHUYU_TEST_STORE=postgres runs these suites with the authority on PostgreSQL (support/store.ts).
  const database = options.authorityDatabase ?? (await testProcessDatabase(dataDir)).database;
  const authority = await startAuthority({
    dataDir,
    port: 0,
    federation: settings,
    ...(database !== undefined ? { database } : {}),
  });
  const adminKey = await authority.service.createAdminKey('test-admin');
  const connectors: ControlPlaneConnector[] = [];
  const admin = (method: 'GET' | 'POST', path: string, body?: unknown): Promise<HttpResult> =>
    request(`${authority.admin.url}/authority/v1/admin${path}`, {
      method,
      headers: {
        authorization: `Bearer ${adminKey}`,
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    });
  return {
    dir,
    authority,
    adminKey,
    connectors,
    admin,
    async member(name, application, approval = {}) {
      const connector = await startControlPlaneConnector({
        dataDir: join(dir, name),
        port: 0,
        authorityUrl: authority.url,
        // Revocations and suspensions must show at once in these tests.
        revocationCheckIntervalMs: 0,
      });
      connectors.push(connector);
      const applied = await connector.authority.apply({
        ...application,
        connectorUrl: `${connector.url}/dsp`,
      });
      const approved = await admin(
        'POST',
        `/applications/${encodeURIComponent(String(applied.id))}/approve`,
        approval,
      );
      if (approved.status !== 200) throw new Error(`approval failed: ${JSON.stringify(approved.body)}`);
      await connector.collectCredentials();
      return connector;
    },
    async catalog(path, as) {
      const headers: Record<string, string> = {};
      if (as === 'admin') headers.authorization = `Bearer ${adminKey}`;
      else if (as !== undefined) headers.authorization = `Bearer ${await as.requestTokenFor(authority.did)}`;
      return request(`${authority.url}/catalog${path}`, { headers });
    },
    async close() {
      for (const connector of connectors.splice(0)) await connector.close().catch(() => undefined);
      await authority.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

export function template(sector: 'medical' | 'finance' | 'education' | 'energy'): Record<string, unknown> {
  const url = new URL(`../../policies/templates/${sector}.json`, import.meta.url);
  return JSON.parse(readFileSync(fileURLToPath(url), 'utf8')) as Record<string, unknown>;
}

const read = (constraint: unknown[]): Record<string, unknown> => ({
  permission: [{ action: 'read', ...(constraint.length > 0 ? { constraint } : {}) }],
});
const membership = {
  leftOperand: 'shuyu:credentialType',
  operator: 'hasPart',
  rightOperand: 'MembershipCredential',
};

/** Access policies providers publish. */
export const ACCESS = {
  /** Anyone, even a caller with no credentials. */
  open: read([]),
  members: read([membership]),
  sector: (sector: string) =>
    read([membership, { leftOperand: 'shuyu:sector', operator: 'isA', rightOperand: sector }]),
};

export function asset(
  id: string,
  publisher: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> {
  return {
    id,
    title: `Dataset ${id}`,
    description: 'A dataset',
    keywords: [],
    sector: 'medical',
    dataGrade: 'general',
    format: 'text/csv',
    licence: 'https://licences.example/open',
    publisher,
    issued: '2024-01-01T00:00:00Z',
    dataAddress: { kind: 'inline', data: 'a,b\n1,2\n' },
    ...extra,
  };
}

/** Registers assets and offers in the connector's own registry (what the management API does). */
export async function publish(
  connector: ControlPlaneConnector,
  assets: readonly Record<string, unknown>[],
  offers: readonly Record<string, unknown>[],
): Promise<void> {
  for (const a of assets) await connector.controlPlane.assets.createAsset(a);
  for (const o of offers) await connector.controlPlane.assets.createOffer(o);
}

export interface SearchBody {
  total: number;
  results: {
    datasetId: string;
    title: string;
    provider: { did: string; stale: boolean; organisationName?: string };
    offers: { id: string; summary: { sentences: string[] }; accessPolicyPublished: boolean }[];
    sector?: string;
    modified?: string;
  }[];
  facets: Record<string, { value: string; count: number }[]>;
}

export function ids(body: Record<string, unknown>): string[] {
  return (body as unknown as SearchBody).results.map((r) => r.datasetId);
}

export function facet(body: Record<string, unknown>, name: string): Record<string, number> {
  return Object.fromEntries(
    ((body as unknown as SearchBody).facets[name] ?? []).map((v) => [v.value, v.count]),
  );
}
