// Running the data space authority as a process: its data directory (keys/, authority.sqlite,
// authority.json, admin-api-key), its HTTP server with the DID document, and `init`.
import { evidenceAlgorithmsFrom, type EvidenceAlgorithms } from '../../connector/evidence/index.js';
import { rmSync, writeFileSync } from 'node:fs';
import type { RunningServer } from '../../connector/http/server.js';
import {
  listenerUrlOf,
  startListener,
  storeOpenCheck,
  type Listener,
} from '../../connector/http/listener.js';
import { createServerMetrics, type ServerMetrics } from '../../connector/metrics/index.js';
import {
  createDocumentLoader,
  createNetworkVerifiers,
  compileDcpSchemas,
  pruneReplayCache,
  REPLAY_CACHE_MIGRATIONS,
  SqliteReplayCache,
  openProcessIdentity,
  systemClock,
  type Clock,
  type FetchLike,
} from '../../connector/identity/index.js';
import {
  ConfigError,
  dataFile,
  ensureDataDirectory,
  hostPolicyFor,
  LOCAL_DID_HOSTS,
  readConfigFile,
  writeConfigFile,
} from '../../connector/process/config.js';
import type { Store } from '../../connector/store/database.js';
import { databaseUrlFrom, openStore } from '../../connector/store/open.js';
import { issuerService, issuerServiceRouter } from './dcp-issuer.js';
import {
  FEDERATION_MIGRATIONS,
  openFederation,
  registerFederationMetrics,
  type Federation,
  type FederationSettings,
} from '../federation/index.js';
import { consoleRouter } from '../console/router.js';
import { catalogAdminRouter } from '../federation/http/admin-routes.js';
import { rootLogger, type Logger } from '../../connector/logging/index.js';
import { AUTHORITY_CHECKPOINT_MIGRATIONS, checkpointRoutes } from './checkpoints.js';
import { authorityAdminRouter, authorityRouter } from './http.js';
import { authorityMetricsRouter, registerAuthorityGauges } from './metrics.js';
import {
  applicationLimits,
  parseApplicationLimits,
  type ApplicationLimitSettings,
} from './application-limits.js';
import { readDataSpaceProfile } from './profile.js';
import { AuthorityService } from './service.js';
import { AUTHORITY_MIGRATIONS } from './store.js';
import { productAdminRouter, productRouter } from './products/http.js';
import { ProductRegistry } from './products/service.js';

export const AUTHORITY_DATABASE_FILE = 'authority.sqlite';

export interface AuthorityConfig {
  /** The public listener: what members, applicants and connectors call. */
  host: string;
  port: number;
  /**
   * The admin listener (admin API, console): default 127.0.0.1 and an ephemeral port (0 or absent); never
   * the public port. Its URL is written to <dataDir>/admin-url at start.
   */
  admin?: { host?: string; port?: number };
  /** The URL members reach the authority at; its DID is derived from it. Default http://host:port. */
  publicUrl?: string;
  /** Written into every MembershipCredential; default the authority's DID. */
  dataSpace?: string;
  /** Hosts whose DID documents the authority may fetch (applicants' did:web). */
  didHosts: string[];
  credentialValidityDays?: number;
  /** The data space's code in unified product identifiers (SY-<code>-<year>-<seq>-<check>); default "DS". */
  productCode?: string;
  /** Membership applications per remote address and per DID per hour (application-limits.ts). */
  rateLimits?: { applications?: Partial<ApplicationLimitSettings> };
  /** The federated catalog (crawl schedule, limits, the catalog's credentials). */
  federation?: FederationSettings;
  /**
   * The data space's evidence algorithms: "default" (SHA-256, Ed25519) or "sm" (SM3, SM2). With "sm" the
   * authority countersigns with an SM2 key (published in its DID document) and only SM3/SM2 checkpoints.
   */
  evidence?: { algorithms?: EvidenceAlgorithms };
  /**
   * A PostgreSQL URL to keep the state in instead of authority.sqlite; SHUYU_DATABASE_URL and the
   * --database option take precedence (docs/operations.md).
   */
  database?: string;
}

export const AUTHORITY_CONFIG_FILE = 'authority.json';
export const ADMIN_KEY_FILE = 'admin-api-key';
export const DEFAULT_AUTHORITY_PORT = 7700;
/** The admin listener's actual URL (http://host:port, one line), written at start, removed on a clean stop. */
export const ADMIN_URL_FILE = 'admin-url';

/**
 * Where the admin listener of the authority in `dataDir` is: the URL it wrote at start, else the configured
 * fixed port (authority.json "admin"), else undefined (not running).
 */
export function adminUrlOf(dataDir: string): string | undefined {
  return listenerUrlOf(dataFile(dataDir, ADMIN_URL_FILE), loadConfig(dataDir).admin);
}

export interface RunningAuthority {
  readonly url: string;
  readonly did: string;
  readonly service: AuthorityService;
  /** Data-product registration (数据产品登记). */
  readonly products: ProductRegistry;
  /** The federated catalog this process runs (crawler, search, DSP view). */
  readonly federation: Federation;
  /** The public listener's server. */
  readonly server: RunningServer;
  /** The admin listener (admin API under /authority/v1/admin, the console): `admin.url` is http://host:port. */
  readonly admin: Listener;
  /** Prometheus metrics of the authority and its catalog (GET /authority/v1/admin/metrics). */
  readonly metrics: ServerMetrics;
  /** The authority's logger (process "authority", its DID). */
  readonly logger: Logger;
  close(): Promise<void>;
}

export interface StartAuthorityOptions extends Partial<AuthorityConfig> {
  dataDir: string;
  clock?: Clock;
  fetch?: FetchLike;
  /** Status list validity (tests use short ones). */
  statusListValidityMs?: number;
  /** Where the authority logs (default the process's logger); its lines carry process "authority" and the DID. */
  logger?: Logger;
}

/**
 * The authority's database: a PostgreSQL URL (--database, SHUYU_DATABASE_URL, authority.json
 * `database`), or undefined for its SQLite file. The federated catalog searches either (search/text.ts).
 */
function authorityDatabaseUrl(explicit: string | undefined, configured: unknown): string | undefined {
  return databaseUrlFrom(explicit, configured, process.env, AUTHORITY_CONFIG_FILE);
}

function loadConfig(dataDir: string): Partial<AuthorityConfig> {
  return readConfigFile<Partial<AuthorityConfig>>(dataFile(dataDir, AUTHORITY_CONFIG_FILE)) ?? {};
}

/** Starts the authority. Options override the data directory's authority.json. */
export async function startAuthority(options: StartAuthorityOptions): Promise<RunningAuthority> {
  ensureDataDirectory(options.dataDir);
  const fileConfig = loadConfig(options.dataDir);
  const config = { ...fileConfig, ...stripUndefined(options) };
  // A flag may set the admin port alone: the configured host stays.
  config.admin = { ...fileConfig.admin, ...options.admin };
  const databaseUrl = authorityDatabaseUrl(options.database, config.database);
  compileDcpSchemas(); // once per process, before the first DCP message
  const clock = options.clock ?? systemClock;
  const metrics = createServerMetrics();
  // Checked before anything listens: a bad value stops the start with its name.
  const applicationLimitSettings = parseApplicationLimits(
    config.rateLimits,
    `${AUTHORITY_CONFIG_FILE} "rateLimits"`,
  );
  const processLogger = (options.logger ?? rootLogger()).child({ process: 'authority' });
  // The public listener listens first (the DID follows from its URL); until everything is mounted both
  // listeners answer 503 "starting".
  const publicListener = await startListener({
    before: [metrics.http],
    logger: processLogger,
    host: config.host ?? '127.0.0.1',
    port: config.port ?? DEFAULT_AUTHORITY_PORT,
    role: 'public',
  });
  const server = publicListener.server;
  const routes = publicListener.routes;
  let admin: Listener | undefined;
  const adminUrlFile = dataFile(options.dataDir, ADMIN_URL_FILE);
  let db: Store | undefined;
  try {
    admin = await startListener({
      host: config.admin?.host ?? '127.0.0.1',
      port: config.admin?.port ?? 0,
      role: 'admin',
      before: [metrics.http],
      logger: processLogger,
    });
    writeFileSync(adminUrlFile, `${admin.url}\n`, { mode: 0o600 });
    const adminRoutes = admin.routes;
    const publicUrl = config.publicUrl ?? server.url;
    const evidenceAlgorithms = evidenceAlgorithmsFrom(
      config.evidence?.algorithms,
      `evidence.algorithms in ${AUTHORITY_CONFIG_FILE}`,
    );
    const identity = await openProcessIdentity(dataFile(options.dataDir, 'keys'), publicUrl, clock, {
      sm2: evidenceAlgorithms === 'sm',
    });
    const logger = processLogger.child({ did: identity.did });
    publicListener.setLogger(logger);
    admin.setLogger(logger);
    db = await openStore({ databaseUrl, file: dataFile(options.dataDir, AUTHORITY_DATABASE_FILE) }, [
      ...AUTHORITY_MIGRATIONS,
      ...FEDERATION_MIGRATIONS,
      ...AUTHORITY_CHECKPOINT_MIGRATIONS,
      ...REPLAY_CACHE_MIGRATIONS,
    ]);
    const service = await AuthorityService.open({
      db,
      identity,
      publicUrl,
      clock,
      ...(config.dataSpace ? { dataSpace: config.dataSpace } : {}),
      ...(config.credentialValidityDays ? { credentialValidityDays: config.credentialValidityDays } : {}),
      ...(options.statusListValidityMs ? { statusListValidityMs: options.statusListValidityMs } : {}),
    });
    // The operator's profile (trusted issuers, contexts) is read at start; a bad one stops the start.
    const profile = readDataSpaceProfile(options.dataDir);
    const documentLoader = createDocumentLoader({ extraContexts: new Map(Object.entries(profile.contexts)) });
    const hostPolicy = hostPolicyFor(config.didHosts ?? LOCAL_DID_HOSTS);
    const { resolver, statusChecker } = createNetworkVerifiers(hostPolicy, {
      clock,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    });
    // One replay cache for every DID-proof route and the catalog, so an ID token is single-use across them;
    // in the store, so a restart opens no replay window. Expired entries go every hour.
    const replayCache = new SqliteReplayCache(db, { clock });
    const openDbForPruning = db;
    const pruneReplays = (): void => void pruneReplayCache(openDbForPruning, clock()).catch(() => undefined);
    pruneReplays();
    const pruning = setInterval(pruneReplays, 3_600_000);
    pruning.unref();
    registerAuthorityGauges(metrics.registry, db);
    const federationMetrics = registerFederationMetrics(metrics.registry, db);
    routes.use(
      authorityRouter({
        service,
        resolver,
        replayCache,
        profile,
        applicationLimits: applicationLimits(applicationLimitSettings, { registry: metrics.registry, clock }),
      }),
    );
    adminRoutes.use(authorityAdminRouter(service));
    const products = new ProductRegistry({
      db,
      authority: service,
      publicUrl,
      clock,
      ...(config.productCode ? { dataSpaceCode: config.productCode } : {}),
    });
    adminRoutes.use(authorityMetricsRouter(service, metrics));
    routes.use(productRouter({ registry: products, service, resolver, replayCache, clock }));
    adminRoutes.use(productAdminRouter({ registry: products, service }));
    routes.use(
      issuerServiceRouter({
        service,
        identity,
        resolver,
        replayCache,
        hostPolicy,
        ...(options.fetch ? { fetch: options.fetch } : {}),
      }),
    );
    routes.use(
      checkpointRoutes({
        service,
        identity,
        db,
        resolver,
        replayCache,
        clock,
        algorithms: evidenceAlgorithms,
      }),
    );
    const federation = openFederation({
      ...config.federation,
      db,
      service,
      identity,
      resolver,
      statusChecker,
      hostPolicy,
      publicUrl,
      replayCache,
      clock,
      trustedIssuers: profile.trustedIssuers,
      documentLoader,
      observeSearch: federationMetrics.observeSearch,
      logger,
    });
    // Search for members (and everyone) on the public listener; on the admin listener too, for the crawl
    // status and crawl-now operations the admin key asks for.
    routes.use(federation.router);
    adminRoutes.use(federation.router);
    // Beside the other /authority/v1/admin routes (crawl status, crawl now).
    adminRoutes.use(catalogAdminRouter({ service, federation }));
    adminRoutes.use(consoleRouter({ service, federation, products }));
    const issuer = issuerService(identity, publicUrl);
    routes.get('/.well-known/did.json', (_req, res) => {
      res.type('application/did+json').send(JSON.stringify(identity.didDocument([issuer])));
    });
    logger.info({ url: publicUrl }, `authority ready at ${publicUrl}`);
    const openDb = db;
    const adminListener = admin;
    for (const listener of [publicListener, adminListener]) {
      listener.addReadinessCheck(storeOpenCheck(openDb));
      listener.open();
    }
    return {
      url: publicUrl.replace(/\/+$/, ''),
      did: identity.did,
      service,
      products,
      federation,
      server,
      admin: adminListener,
      metrics,
      logger,
      close: async () => {
        clearInterval(pruning);
        await federation.close();
        await server.close();
        await adminListener.close();
        rmSync(adminUrlFile, { force: true });
        await openDb.close();
      },
    };
  } catch (error) {
    await server.close();
    if (admin) {
      await admin.close();
      rmSync(adminUrlFile, { force: true });
    }
    await db?.close();
    throw error;
  }
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

export interface InitAuthorityOptions {
  dataDir: string;
  host?: string;
  port?: number;
  publicUrl?: string;
  dataSpace?: string;
  didHosts?: string[];
  adminName?: string;
  /** A PostgreSQL URL; written to authority.json as `database` so start uses it too. */
  database?: string;
}

export interface InitializedAuthority {
  readonly config: AuthorityConfig;
  readonly did: string;
  readonly adminKey: string;
  readonly adminKeyFile: string;
}

/**
 * Creates an authority's data directory: configuration, keys, database and a first admin API key (stored
 * in `admin-api-key`, mode 0600, for the CLI). Refuses to touch a directory that is already initialised.
 */
export async function initAuthority(options: InitAuthorityOptions): Promise<InitializedAuthority> {
  const configFile = dataFile(options.dataDir, AUTHORITY_CONFIG_FILE);
  if (readConfigFile(configFile) !== undefined) {
    throw new ConfigError(
      `${options.dataDir} already holds an authority (${AUTHORITY_CONFIG_FILE}); start it with ` +
        '"shuyu authority start", or choose another --dir.',
    );
  }
  const config: AuthorityConfig = {
    host: options.host ?? '127.0.0.1',
    port: options.port ?? DEFAULT_AUTHORITY_PORT,
    didHosts: options.didHosts ?? [...LOCAL_DID_HOSTS],
    ...(options.publicUrl ? { publicUrl: options.publicUrl } : {}),
    ...(options.dataSpace ? { dataSpace: options.dataSpace } : {}),
    ...(options.database ? { database: options.database } : {}),
  };
  ensureDataDirectory(options.dataDir);
  const publicUrl = config.publicUrl ?? `http://${config.host}:${config.port}`;
  const identity = await openProcessIdentity(dataFile(options.dataDir, 'keys'), publicUrl);
  const databaseUrl = authorityDatabaseUrl(options.database, undefined);
  const db = await openStore(
    { databaseUrl, file: dataFile(options.dataDir, AUTHORITY_DATABASE_FILE) },
    AUTHORITY_MIGRATIONS,
  );
  try {
    const service = await AuthorityService.open({ db, identity, publicUrl });
    const adminKey = await service.createAdminKey(options.adminName ?? 'admin');
    const adminKeyFile = dataFile(options.dataDir, ADMIN_KEY_FILE);
    writeFileSync(adminKeyFile, adminKey + '\n', { mode: 0o600 });
    writeConfigFile(configFile, { ...config, publicUrl });
    return { config: { ...config, publicUrl }, did: identity.did, adminKey, adminKeyFile };
  } finally {
    await db.close();
  }
}
