// Running the data space authority as a process: its data directory (keys/, authority.sqlite,
// authority.json, admin-api-key), its HTTP server with the DID document, and `init`.
import { evidenceAlgorithmsFrom, type EvidenceAlgorithms } from '../../connector/evidence/index.js';
import { Router } from 'express';
import { writeFileSync } from 'node:fs';
import { listen, type RunningServer } from '../../connector/http/server.js';
import { createJsonApp, finishJsonApp } from '../../connector/http/json-app.js';
import { HttpProblem } from '../../connector/http/problem.js';
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
import { StoreError, type Store } from '../../connector/store/database.js';
import { databaseUrlFrom, openStore } from '../../connector/store/open.js';
import { issuerService, issuerServiceRouter } from './dcp-issuer.js';
import {
  FEDERATION_MIGRATIONS,
  openFederation,
  type Federation,
  type FederationSettings,
} from '../federation/index.js';
import { consoleRouter } from '../console/router.js';
import { AUTHORITY_CHECKPOINT_MIGRATIONS, checkpointRoutes } from './checkpoints.js';
import { authorityRouter } from './http.js';
import { readDataSpaceProfile } from './profile.js';
import { AuthorityService } from './service.js';
import { AUTHORITY_MIGRATIONS } from './store.js';
import { productRouter } from './products/http.js';
import { ProductRegistry } from './products/service.js';

export const AUTHORITY_DATABASE_FILE = 'authority.sqlite';

export interface AuthorityConfig {
  host: string;
  port: number;
  /** The URL members reach the authority at; its DID is derived from it. Default http://host:port. */
  publicUrl?: string;
  /** Written into every MembershipCredential; default the authority's DID. */
  dataSpace?: string;
  /** Hosts whose DID documents the authority may fetch (applicants' did:web). */
  didHosts: string[];
  credentialValidityDays?: number;
  /** The data space's code in unified product identifiers (SY-<code>-<year>-<seq>-<check>); default "DS". */
  productCode?: string;
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

export interface RunningAuthority {
  readonly url: string;
  readonly did: string;
  readonly service: AuthorityService;
  /** Data-product registration (数据产品登记). */
  readonly products: ProductRegistry;
  /** The federated catalog this process runs (crawler, search, DSP view). */
  readonly federation: Federation;
  readonly server: RunningServer;
  close(): Promise<void>;
}

export interface StartAuthorityOptions extends Partial<AuthorityConfig> {
  dataDir: string;
  clock?: Clock;
  fetch?: FetchLike;
  /** Status list validity (tests use short ones). */
  statusListValidityMs?: number;
}

/**
 * The authority's database: its SQLite file. A PostgreSQL URL is refused with the reason until the
 * federated catalog's full-text search has a PostgreSQL variant (issue 14); the connector runs on both.
 */
function authorityDatabaseUrl(explicit: string | undefined, configured: unknown): undefined {
  const url = databaseUrlFrom(explicit, configured, process.env, AUTHORITY_CONFIG_FILE);
  if (url === undefined) return undefined;
  throw new StoreError(
    'ERR_STORE_UNSUPPORTED',
    `the authority runs on SQLite only for now (its federated catalog search uses SQLite's full-text index); ` +
      `leave out --database, SHUYU_DATABASE_URL and "database" in ${AUTHORITY_CONFIG_FILE} for the authority ` +
      `(connectors do run on PostgreSQL)`,
  );
}

function loadConfig(dataDir: string): Partial<AuthorityConfig> {
  return readConfigFile<Partial<AuthorityConfig>>(dataFile(dataDir, AUTHORITY_CONFIG_FILE)) ?? {};
}

/** Starts the authority. Options override the data directory's authority.json. */
export async function startAuthority(options: StartAuthorityOptions): Promise<RunningAuthority> {
  ensureDataDirectory(options.dataDir);
  const config = { ...loadConfig(options.dataDir), ...stripUndefined(options) };
  const databaseUrl = authorityDatabaseUrl(options.database, config.database);
  compileDcpSchemas(); // once per process, before the first DCP message
  const clock = options.clock ?? systemClock;
  // The server listens first (the DID follows from its URL); until everything is open, requests get 503.
  const app = createJsonApp();
  let ready: { service: AuthorityService; didDocument: () => unknown } | undefined;
  app.use((_req, _res, next) => {
    next(
      ready ? undefined : new HttpProblem(503, 'starting', 'The authority is starting; retry in a moment.'),
    );
  });
  app.get('/.well-known/did.json', (_req, res) => {
    res.type('application/did+json').send(JSON.stringify(ready?.didDocument()));
  });
  const routes = Router();
  app.use(routes);
  finishJsonApp(app);

  const server = await listen(app, {
    host: config.host ?? '127.0.0.1',
    port: config.port ?? DEFAULT_AUTHORITY_PORT,
  });
  let db: Store | undefined;
  try {
    const publicUrl = config.publicUrl ?? server.url;
    const evidenceAlgorithms = evidenceAlgorithmsFrom(
      config.evidence?.algorithms,
      `evidence.algorithms in ${AUTHORITY_CONFIG_FILE}`,
    );
    const identity = await openProcessIdentity(dataFile(options.dataDir, 'keys'), publicUrl, clock, {
      sm2: evidenceAlgorithms === 'sm',
    });
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
    routes.use(authorityRouter({ service, resolver, replayCache, profile }));
    const products = new ProductRegistry({
      db,
      authority: service,
      publicUrl,
      clock,
      ...(config.productCode ? { dataSpaceCode: config.productCode } : {}),
    });
    routes.use(productRouter({ registry: products, service, resolver, replayCache, clock }));
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
    });
    routes.use(federation.router);
    routes.use(consoleRouter({ service, federation, products }));
    const issuer = issuerService(identity, publicUrl);
    ready = { service, didDocument: () => identity.didDocument([issuer]) };
    const openDb = db;
    return {
      url: publicUrl.replace(/\/+$/, ''),
      did: identity.did,
      service,
      products,
      federation,
      server,
      close: async () => {
        clearInterval(pruning);
        await federation.close();
        await server.close();
        await openDb.close();
      },
    };
  } catch (error) {
    await server.close();
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
