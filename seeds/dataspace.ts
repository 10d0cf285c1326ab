// The local data space `npm start` runs: the authority (with the federated catalog) and one connector per
// seed member, each with its own port and SQLite file under the data directory. Every member goes through
// the real flow — application, admin approval, credentials collected into its wallet — and publishes its
// seed datasets through its management API. A second start reuses everything already done.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AuthorityAdminClient } from '../catalog/authority/admin-client.js';
import {
  ADMIN_KEY_FILE,
  AUTHORITY_CONFIG_FILE,
  adminUrlOf,
  initAuthority,
  startAuthority,
  type RunningAuthority,
} from '../catalog/authority/process.js';
import type { CrawlSummary } from '../catalog/federation/types.js';
import type { Sector } from '../connector/assets/types.js';
import { ManagementApiError, ManagementClient } from '../connector/management/client.js';
import { writeConfigFile } from '../connector/process/config.js';
import { CONNECTOR_CONFIG_FILE } from '../connector/process/connector.js';
import type { EvidenceAlgorithms } from '../connector/evidence/index.js';
import {
  startControlPlaneConnector,
  type ControlPlaneConnector,
} from '../connector/process/run-connector.js';
import { loadSeeds, type SeedMember } from './load.js';

export const AUTHORITY_PORT = 7700;
/** The authority's admin listener (admin API, console), 127.0.0.1 only. */
export const AUTHORITY_ADMIN_PORT = 7800;
/** A connector's management listener (127.0.0.1 only) is its DSP port + this. */
export const MANAGEMENT_PORT_OFFSET = 100;
/** Each sector's connectors listen on consecutive ports from its base. */
export const SECTOR_PORTS: Readonly<Record<Sector, number>> = {
  medical: 7710,
  finance: 7720,
  energy: 7730,
  education: 7740,
};

export type Part = 'authority' | Sector;

export interface DataSpaceOptions {
  /** Project root (seeds, templates). */
  root: string;
  /** Where every process keeps its files (default ./data). */
  dataDir: string;
  /** Run only the authority or only one sector's connectors (compose runs them as separate services). */
  only?: Part;
  /** The authority to use when it is not started here. Default http://127.0.0.1:7700. */
  authorityUrl?: string;
  /** One line per step, for the user. */
  progress: (line: string) => void;
  /** Let the OS choose every port (the demo, tests); the data directory must then be fresh. */
  ephemeralPorts?: boolean;
  /**
   * The data space's evidence algorithms, for the authority and every connector: "default" (SHA-256,
   * Ed25519) or "sm" (SM3, SM2). A data directory keeps the choice it started with.
   */
  evidenceAlgorithms?: EvidenceAlgorithms;
}

export interface RunningMember {
  readonly seed: SeedMember;
  readonly dir: string;
  readonly connector: ControlPlaneConnector;
}

export interface RunningDataSpace {
  readonly authority: RunningAuthority | undefined;
  readonly authorityUrl: string;
  readonly members: readonly RunningMember[];
  readonly dataDir: string;
  close(): Promise<void>;
}

export class DataSpaceStartError extends Error {}

function adminKey(authorityDir: string): string {
  const file = join(authorityDir, ADMIN_KEY_FILE);
  if (process.env.SHUYU_ADMIN_KEY) return process.env.SHUYU_ADMIN_KEY;
  if (!existsSync(file)) {
    throw new DataSpaceStartError(
      `no admin API key in ${file}: onboarding needs it. Start the authority part first, or set SHUYU_ADMIN_KEY.`,
    );
  }
  return readFileSync(file, 'utf8').trim();
}

async function startAuthorityPart(
  dataDir: string,
  progress: (line: string) => void,
  ephemeral: boolean,
  algorithms: EvidenceAlgorithms | undefined,
): Promise<RunningAuthority> {
  const dir = join(dataDir, 'authority');
  const evidence = algorithms ? { evidence: { algorithms } } : {};
  if (ephemeral) {
    // No fixed URL to write down: the authority's DID follows from the port the OS picks.
    const running = await startAuthority({ dataDir: dir, port: 0, admin: { port: 0 }, ...evidence });
    const key = await running.service.createAdminKey('admin');
    writeFileSync(join(dir, ADMIN_KEY_FILE), key + '\n', { mode: 0o600 });
    return running;
  }
  if (!existsSync(join(dir, AUTHORITY_CONFIG_FILE))) {
    const created = await initAuthority({ dataDir: dir, port: AUTHORITY_PORT });
    progress(`  created the authority ${created.did} (admin key in ${created.adminKeyFile})`);
  }
  const admin = { port: AUTHORITY_ADMIN_PORT };
  return startAuthority({ dataDir: dir, admin, ...evidence }).catch((error: Error & { code?: string }) => {
    throw new DataSpaceStartError(
      error.code === 'EADDRINUSE'
        ? `port ${AUTHORITY_PORT} or ${AUTHORITY_ADMIN_PORT} is in use: is another Shuyu data space running? Stop it, or free the port.`
        : `the authority did not start: ${error.message}`,
    );
  });
}

/** Application → approval → credentials, skipping what an earlier start already did. */
async function onboard(
  member: RunningMember,
  admin: AuthorityAdminClient,
  progress: (line: string) => void,
): Promise<void> {
  const { connector, seed } = member;
  if ((await connector.wallet.list()).length > 0) return;
  const applications = await connector.authority.myApplications();
  let pending = applications.find((a) => a.state === 'pending');
  if (!applications.some((a) => a.state === 'approved') && !pending) {
    pending = await connector.authority.apply({ ...seed.application, connectorUrl: `${connector.url}/dsp` });
  }
  if (pending) await admin.approve(String(pending.id), { note: 'seed member, approved by npm start' });
  const count = await connector.collectCredentials();
  progress(`  ${seed.organisationName}: approved, ${count} credentials in its wallet`);
}

/** Publishes the member's seed datasets and offers through its management API (only missing ones). */
async function publish(member: RunningMember): Promise<number> {
  const { connector, seed } = member;
  const api = new ManagementClient(connector.management.url, connector.managementApiKey);
  const path = (kind: 'assets' | 'offers', id: string): string => `/${kind}/${encodeURIComponent(id)}`;
  let created = 0;
  try {
    for (const dataset of seed.datasets) {
      if ((await api.find(path('assets', dataset.asset.id))) === undefined) {
        await api.call('POST', '/assets', dataset.asset);
        created++;
      }
      for (const offer of dataset.offers) {
        if ((await api.find(path('offers', offer.id))) === undefined)
          await api.call('POST', '/offers', offer);
      }
    }
  } catch (error) {
    if (error instanceof ManagementApiError) throw new DataSpaceStartError(`${seed.key}: ${error.message}`);
    throw error;
  }
  return created;
}

function describeCrawl(s: CrawlSummary): string {
  const failed = s.failed > 0 ? `, ${s.failed} unreachable` : '';
  return `${s.providers} members crawled in ${s.durationMs} ms (${s.datasets.added} datasets added, ${s.datasets.updated} updated${failed})`;
}

export async function startDataSpace(options: DataSpaceOptions): Promise<RunningDataSpace> {
  const { dataDir, progress } = options;
  const runAuthority = options.only === undefined || options.only === 'authority';
  const seeds = loadSeeds(options.root).filter(
    (m) => options.only === undefined || options.only === m.sector,
  );
  const members: RunningMember[] = [];
  let authority: RunningAuthority | undefined;
  const close = async (): Promise<void> => {
    for (const m of members.splice(0).reverse()) await m.connector.close().catch(() => undefined);
    await authority?.close().catch(() => undefined);
  };
  try {
    if (runAuthority) {
      progress(
        `[1/4] authority and federated catalog${options.ephemeralPorts ? '' : ` on port ${AUTHORITY_PORT}`}`,
      );
      authority = await startAuthorityPart(
        dataDir,
        progress,
        options.ephemeralPorts === true,
        options.evidenceAlgorithms,
      );
      progress(`  ${authority.did} at ${authority.url}`);
    }
    const authorityUrl = authority?.url ?? options.authorityUrl ?? `http://127.0.0.1:${AUTHORITY_PORT}`;
    if (options.only === 'authority') return { authority, authorityUrl, members, dataDir, close };

    progress(`[2/4] ${seeds.length} member connectors`);
    const next: Partial<Record<Sector, number>> = {};
    for (const seed of seeds) {
      const port = options.ephemeralPorts ? 0 : SECTOR_PORTS[seed.sector] + (next[seed.sector] ?? 0);
      next[seed.sector] = (next[seed.sector] ?? 0) + 1;
      const dir = join(dataDir, seed.sector, seed.key);
      const evidence = options.evidenceAlgorithms
        ? { evidence: { algorithms: options.evidenceAlgorithms } }
        : {};
      const management = { port: port === 0 ? 0 : port + MANAGEMENT_PORT_OFFSET };
      const connector = await startControlPlaneConnector({
        dataDir: dir,
        port,
        management,
        authorityUrl,
        // The member's registration (what it applied with) is its catalog's DCAT-AP publisher.
        controlPlane: { publisher: seed.publisher },
        ...evidence,
      }).catch((error: Error & { code?: string }) => {
        throw new DataSpaceStartError(
          error.code === 'EADDRINUSE'
            ? `port ${port} or ${management.port} (${seed.organisationName}) is in use; stop whatever uses it and start again.`
            : `${seed.organisationName}'s connector did not start: ${error.message}`,
        );
      });
      writeConfigFile(join(dir, CONNECTOR_CONFIG_FILE), {
        host: connector.server.host,
        port: connector.server.port,
        publicUrl: connector.url,
        authorityUrl,
        ...(port === 0 ? {} : { management }),
        ...evidence,
      });
      members.push({ seed, dir, connector });
      progress(
        `  ${seed.sector.padEnd(9)} ${seed.organisationName} on ${connector.url} (management API: ${connector.managementUrl})`,
      );
    }

    progress('[3/4] onboarding: application → approval → credentials');
    const authorityDir = join(dataDir, 'authority');
    const adminUrl =
      authority?.admin.url ?? adminUrlOf(authorityDir) ?? `http://127.0.0.1:${AUTHORITY_ADMIN_PORT}`;
    const admin = new AuthorityAdminClient(adminUrl, adminKey(authorityDir));
    for (const member of members) await onboard(member, admin, progress);

    progress('[4/4] publishing the seed datasets and offers');
    let created = 0;
    for (const member of members) created += await publish(member);
    const total = members.reduce((n, m) => n + m.seed.datasets.length, 0);
    progress(`  ${total} datasets offered (${created} new, ${total - created} from an earlier start)`);
    if (authority) {
      const crawl = await authority.federation.crawlNow();
      progress(`  federated catalog: ${describeCrawl(crawl)}`);
    }
    return { authority, authorityUrl, members, dataDir, close };
  } catch (error) {
    await close();
    throw error;
  }
}
