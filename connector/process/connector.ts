// Running a participant's connector as a process: data directory (keys/, connector.sqlite,
// connector.json), its DID document, its wallet and its link to the authority, and the HTTP server that
// authenticates every other participant with DCP 1.0: our Secure Token Service signs the tokens we send,
// our Credential Service (under /dcp/v1) presents our wallet to verifiers, and the DCP verifier checks
// callers by querying theirs. Two listeners: the public one (DSP, DCP, did.json, data plane: `routes`) and
// the management one (`management.routes`: management API, console, metrics; 127.0.0.1 by default).
import type { ErrorRequestHandler, Request, RequestHandler, Router } from 'express';
import { rmSync, writeFileSync } from 'node:fs';
import { callerOf, requireCaller, TEST_IDENTITY_TOKEN_ID } from '../http/caller-auth.js';
import {
  listenerUrlOf,
  startListener,
  storeOpenCheck,
  type Listener,
  type ReadinessCheck,
} from '../http/listener.js';
import { HttpProblem } from '../http/problem.js';
import type { RunningServer } from '../http/server.js';
import {
  ClaimsCache,
  compileDcpSchemas,
  createCredentialService,
  createDcpVerifier,
  credentialStorageRouter,
  requestCredentials,
  verifyCredential,
  type StoredCredential,
  createNetworkVerifiers,
  createSecureTokenService,
  CREDENTIAL_SERVICE_PATH,
  createDocumentLoader,
  parseOperatorContexts,
  parseTrustList,
  subscribeStatusEvents,
  REPLAY_CACHE_MIGRATIONS,
  SqliteReplayCache,
  openProcessIdentity,
  systemClock,
  type Clock,
  type FetchLike,
  type HostPolicy,
  type NetworkVerifiers,
  type ProcessIdentity,
  type RequestVerification,
  type RequestVerifier,
  type SecureTokenService,
  type StatusSubscription,
  createTestIdentity,
  type TestIdentity,
  type TestIdentityConfig,
} from '../identity/index.js';
import { dcpTckStsRouter } from '../identity/dcp/tck.js';
import type { AutomationSettings } from '../control-plane/automation-config.js';
import type { Migration, Store } from '../store/database.js';
import { CONNECTOR_CONFIG_FILE, openConnectorStore } from './connector-store.js';
import {
  AUTHORITY_PREFIX,
  AuthorityClient,
  type AuthorityInfo,
  type DistributedProfile,
} from '../wallet/authority-client.js';
import { Wallet, WALLET_MIGRATIONS } from '../wallet/store.js';
import { evidenceAlgorithmsFrom, type EvidenceAlgorithms } from '../evidence/algorithms.js';
import { createServerMetrics, identityMetrics, type ServerMetrics } from '../metrics/index.js';
import {
  createConnectorRateLimits,
  parseRateLimits,
  resolveRateLimits,
  type ConnectorRateLimits,
  type RateLimitOverrides,
} from '../http/rate-limit/index.js';
import { rootLogger, type Logger } from '../logging/index.js';
import { dataFile, ensureDataDirectory, hostPolicyFor, LOCAL_DID_HOSTS, readConfigFile } from './config.js';

export interface ConnectorConfig {
  /** The public listener (DSP, DCP, did.json, data plane). */
  host: string;
  port: number;
  /**
   * The management listener (management API, console, metrics): default 127.0.0.1 and an ephemeral port
   * (port 0 or absent). Never the public port; its URL is written to <dataDir>/management-url at start.
   */
  management?: ListenerAddress;
  /** The URL peers reach this connector at; its DID is derived from it. Default http://host:port. */
  publicUrl?: string;
  /** The data space authority's base URL. */
  authorityUrl: string;
  /** Hosts whose DID documents and status lists this connector may fetch. */
  didHosts: string[];
  /**
   * Tests and conformance runs only (see docs/conformance.md): a static bearer token that authenticates
   * as a fixed participant with fixed claims, on a loopback bind only. Off unless `enabled: true`.
   */
  testIdentity?: TestModeConfig;
  /** DCP settings beyond the defaults (docs/identity.md, docs/conformance.md). */
  dcp?: DcpConfig;
  /**
   * Which of the connector's own DSP steps run by themselves: "auto" (default), "none" (no message leaves
   * without a management call) or per step, e.g. {"finalize": "manual"}; see control-plane/automation-config.ts.
   */
  automation?: AutomationSettings;
  /**
   * The catalog's DCAT-AP publisher details the credentials do not carry (docs/catalog-metadata.md):
   * contact (e-mail or telephone), regions (ISO 3166 codes), homepage, languages (EU codes, ENG, ZHO).
   */
  catalog?: CatalogPublisherSettings;
  /**
   * Requests each counterparty may make (DSP per caller DID, data plane per consumer DID, both per remote
   * address before authentication), over the defaults and the data space profile's; see
   * http/rate-limit/settings.ts and docs/operations.md.
   */
  rateLimits?: RateLimitOverrides;
  /**
   * A PostgreSQL URL (postgres://user:password@host:5432/database) to keep the state in instead of
   * connector.sqlite; SHUYU_DATABASE_URL and the --database option take precedence (docs/operations.md).
   */
  database?: string;
}

export interface ListenerAddress {
  readonly host?: string;
  readonly port?: number;
}

export interface CatalogPublisherSettings {
  readonly contact?: string;
  readonly regions?: readonly string[];
  readonly homepage?: string;
  readonly languages?: readonly string[];
}

export interface DcpConfig {
  /** Scopes the verifier asks callers' Credential Services for; default the three Shuyu credential types. */
  readonly scopes?: readonly string[];
  /**
   * Issuers trusted besides the authority (their DIDs). In the test identity mode they may also store
   * credentials in our Credential Service (the DCP TCK's storage step).
   */
  readonly trustedIssuers?: readonly string[];
}

/** The test-only identity mode as configured (connector.json `testIdentity`). */
export interface TestModeConfig extends Omit<TestIdentityConfig, 'token'> {
  /** The static token; default the SHUYU_TEST_IDENTITY_TOKEN environment variable. */
  readonly token?: string;
  /** Assets, offers and agreements to load at start (a JSON file, relative to the data directory). */
  readonly seed?: string;
}

export { CONNECTOR_CONFIG_FILE, CONNECTOR_DATABASE_FILE } from './connector-store.js';
export const IDENTITY_API_PREFIX = '/identity/v1';
/**
 * Written at start into the data directory: the management listener's actual URL (`http://host:port`,
 * one line), so the CLI finds an ephemeral port; removed on a clean stop.
 */
export const MANAGEMENT_URL_FILE = 'management-url';

/**
 * Where the management listener of the connector in `dataDir` is: the URL it wrote at start
 * (<dataDir>/management-url), else the configured fixed port (connector.json "management"), else undefined.
 */
export function managementUrlOf(dataDir: string): string | undefined {
  const config = readConfigFile<Partial<ConnectorConfig>>(dataFile(dataDir, CONNECTOR_CONFIG_FILE));
  return listenerUrlOf(dataFile(dataDir, MANAGEMENT_URL_FILE), config?.management);
}

export interface StartConnectorOptions extends Partial<ConnectorConfig> {
  dataDir: string;
  clock?: Clock;
  fetch?: FetchLike;
  /** Extra migrations of modules mounted on this connector. */
  migrations?: readonly Migration[];
  /**
   * The longest a revocation or suspension can go unnoticed: how long fetched status lists and a caller's
   * verified claims are reused. Default 5 minutes.
   */
  revocationCheckIntervalMs?: number;
  /**
   * Keep answering 503 "starting" (but for the DID document and the Credential Service) until the caller
   * mounted its routes and calls markReady(); by default the connector is ready when startConnector returns.
   */
  deferReady?: boolean;
  /**
   * The data space's evidence algorithms (default: `evidence.algorithms` in connector.json). With "sm" the
   * identity also holds an SM2 key, published in the DID document, for signing evidence checkpoints.
   */
  evidenceAlgorithms?: EvidenceAlgorithms;
  /** Where the connector logs (default the process's logger); its lines carry process "connector" and the DID. */
  logger?: Logger;
}

export interface RunningConnector {
  readonly url: string;
  readonly did: string;
  readonly identity: ProcessIdentity;
  /** This connector's logger: every line has process "connector" and its DID. */
  readonly logger: Logger;
  readonly db: Store;
  readonly wallet: Wallet;
  readonly authority: AuthorityClient;
  /** The authority's base URL (config `authorityUrl`). */
  readonly authorityUrl: string;
  readonly verifiers: NetworkVerifiers;
  /** Callers' verified claims (bounded by revocationCheckIntervalMs); evict a DID to re-query it at once. */
  readonly claimsCache: ClaimsCache;
  /** Verifies request tokens addressed to us (available once the authority is known). */
  verifier(): Promise<RequestVerifier>;
  /**
   * A DCP self-issued ID token for `Authorization: Bearer` towards the participant `audienceDid`; its
   * access token lets that participant query our Credential Service for our credentials.
   */
  requestTokenFor(audienceDid: string): Promise<string>;
  /** Our Secure Token Service (tokens with other scopes, access tokens alone). */
  readonly sts: SecureTokenService;
  /** Collects our credentials from the authority into the wallet. */
  collectCredentials(): Promise<number>;
  /** The authority's status event stream as we see it (connected, last sequence acted on). */
  statusStream(): { readonly connected: boolean; readonly lastSeq: number };
  /** Mount protocol routers (DSP, data plane) here: the public listener (before the 404 and problem handlers). */
  readonly routes: Router;
  /**
   * The management listener (default 127.0.0.1, its own port): the management API, the console and /metrics
   * mount on `management.routes`, never on the public port. `management.url` is http://host:port.
   */
  readonly management: Listener;
  /**
   * Adds an error handler that runs before the generic problem+json one, e.g. to answer a protocol's own
   * error body on its paths. Errors raised before any router (a malformed JSON body, one too large) reach
   * it too, which a handler inside a router would never see. Call next(err) to pass the error on.
   */
  addErrorHandler(handler: ErrorRequestHandler): void;
  /** This server's Prometheus metrics (served on the management API at /metrics). */
  readonly metrics: ServerMetrics;
  /** The rate limits in force (defaults, then the data space profile's, then connector.json's). */
  readonly rateLimits: ConnectorRateLimits;
  /** Set when the test-only identity mode is on (config `testIdentity`); never in production. */
  readonly testMode?: { readonly identity: TestIdentity; readonly config: TestModeConfig };
  /** Which hosts this connector may call (config `didHosts`): DID documents, status lists and DSP peers. */
  readonly hostPolicy: HostPolicy;
  /** The data directory the connector runs from. */
  readonly dataDir: string;
  /**
   * Middleware that authenticates the calling participant, asking for every Shuyu credential type; read the
   * result with callerOf(res).
   */
  readonly authenticate: RequestHandler;
  /**
   * The same, asking the caller's Credential Service only for what `scopesOf` says the request's decision
   * reads (DSP: dsp/credential-scopes.ts); undefined from it = every type.
   */
  authenticateFor(scopesOf: (req: Request) => Promise<readonly string[] | undefined>): RequestHandler;
  /** The public listener's server. */
  readonly server: RunningServer;
  /** Every route is mounted (with `deferReady`): requests on both listeners stop getting 503 "starting". */
  markReady(): void;
  close(): Promise<void>;
}

export async function startConnector(options: StartConnectorOptions): Promise<RunningConnector> {
  ensureDataDirectory(options.dataDir);
  const fileConfig =
    readConfigFile<Partial<ConnectorConfig>>(dataFile(options.dataDir, CONNECTOR_CONFIG_FILE)) ?? {};
  const config: Partial<ConnectorConfig> = { ...fileConfig };
  for (const [key, value] of Object.entries(options)) {
    if (value !== undefined) (config as Record<string, unknown>)[key] = value;
  }
  // A flag may set the management port alone: the configured host stays.
  config.management = { ...fileConfig.management, ...options.management };
  if (!config.authorityUrl) {
    throw new Error(
      `No authority configured for the connector in ${options.dataDir}; set "authorityUrl" in ${CONNECTOR_CONFIG_FILE}.`,
    );
  }
  compileDcpSchemas(); // once per process, before the first DCP message
  const clock = options.clock ?? systemClock;
  const revocationCheckMs = options.revocationCheckIntervalMs ?? 5 * 60_000;
  const host = config.host ?? '127.0.0.1';
  // Refused before anything listens: a static token on a reachable port would be a backdoor.
  const testMode = testModeFor(config.testIdentity, host);
  const metrics = createServerMetrics();
  const identityCounts = identityMetrics(metrics.registry);
  // Checked before anything listens; the profile's layer is added once the authority answers.
  const ownLimits = parseRateLimits(config.rateLimits, `${CONNECTOR_CONFIG_FILE} "rateLimits"`);
  const rateLimits = createConnectorRateLimits({
    settings: resolveRateLimits(ownLimits),
    registry: metrics.registry,
    clock,
  });
  const processLogger = (options.logger ?? rootLogger()).child({ process: 'connector' });
  // Listening starts before the routes are mounted: until then a problem+json 503, never Express's HTML.
  const publicListener = await startListener({
    host,
    port: config.port ?? 0,
    role: 'public',
    before: [metrics.http],
    logger: processLogger,
  });
  const server = publicListener.server;
  const app = publicListener.routes;
  let management: Listener | undefined;
  let db: Store | undefined;
  try {
    management = await startListener({
      host: config.management?.host ?? '127.0.0.1',
      port: config.management?.port ?? 0,
      role: 'management',
      before: [metrics.http],
      logger: processLogger,
    });
    const managementUrlFile = dataFile(options.dataDir, MANAGEMENT_URL_FILE);
    writeFileSync(managementUrlFile, `${management.url}\n`, { mode: 0o600 });
    const publicUrl = (config.publicUrl ?? server.url).replace(/\/+$/, '');
    const evidenceAlgorithms = evidenceAlgorithmsFrom(
      options.evidenceAlgorithms ??
        (fileConfig as { evidence?: { algorithms?: unknown } }).evidence?.algorithms,
      `evidence.algorithms in ${CONNECTOR_CONFIG_FILE}`,
    );
    const identity = await openProcessIdentity(dataFile(options.dataDir, 'keys'), publicUrl, clock, {
      sm2: evidenceAlgorithms === 'sm',
    });
    const logger = processLogger.child({ did: identity.did });
    publicListener.setLogger(logger);
    management.setLogger(logger);
    db = await openConnectorStore(
      options.dataDir,
      [...WALLET_MIGRATIONS, ...REPLAY_CACHE_MIGRATIONS, ...(options.migrations ?? [])],
      options.database,
    );
    const wallet = new Wallet(db);
    const hostPolicy = hostPolicyFor(config.didHosts ?? LOCAL_DID_HOSTS);
    const verifiers = createNetworkVerifiers(hostPolicy, {
      clock,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      statusCacheTtlMs: revocationCheckMs,
    });
    const authority = new AuthorityClient({ url: config.authorityUrl, signer: () => identity.signer() });
    // In the store: a token used before a restart stays used after it.
    const replayCache = new SqliteReplayCache(db, { clock });
    const claimsCache = new ClaimsCache({ clock, maxTtlMs: revocationCheckMs });
    let statusEvents: StatusSubscription | undefined;
    let closing = false;
    let verifier: Promise<RequestVerifier> | undefined;
    const getVerifier = (): Promise<RequestVerifier> => {
      verifier ??= Promise.all([authority.info(), authority.profile()]).then(
        ([info, profile]: [AuthorityInfo, DistributedProfile]) => {
          if (!statusEvents && !closing) statusEvents = subscribeToStatus(info.did);
          applyProfileLimits(profile.rateLimits);
          return createDcpVerifier({
            ourDid: identity.did,
            signer: () => identity.signer(),
            hostPolicy,
            ...(options.fetch ? { fetch: options.fetch } : {}),
            resolver: verifiers.resolver,
            statusChecker: verifiers.statusChecker,
            // The authority, whom the operator's profile trusts for which types, and (for the DCP TCK)
            // issuers this connector's own configuration trusts.
            trustList: [
              { did: info.did },
              ...parseTrustList(profile.trustedIssuers ?? []),
              ...(config.dcp?.trustedIssuers ?? []).map((did) => ({ did })),
            ],
            documentLoader: createDocumentLoader({ extraContexts: parseOperatorContexts(profile.contexts) }),
            ...(config.dcp?.scopes ? { scopes: config.dcp.scopes } : {}),
            dataSpace: info.dataSpace,
            replayCache,
            claimsCache,
            clock,
          });
        },
      );
      verifier.catch(() => (verifier = undefined)); // retry on the next request if the authority was down
      return verifier;
    };
    /** The data space's limits under our own: a bad profile value keeps what we had (and says so). */
    const applyProfileLimits = (value: unknown): void => {
      try {
        rateLimits.configure(
          resolveRateLimits(parseRateLimits(value, 'the data space profile "rateLimits"'), ownLimits),
        );
      } catch (error) {
        logger.warn(`${(error as Error).message}; keeping the rate limits in force`);
      }
    };
    // Status changes pushed by the authority drop the member from our caches at once; the status-list pull
    // (revocationCheckMs) stays the bound while the stream is down.
    const subscribeToStatus = (authorityDid: string): StatusSubscription =>
      subscribeStatusEvents({
        url: authority.statusEventsUrl(),
        authorityDid,
        resolver: verifiers.resolver,
        token: () => authority.idToken(),
        onEvent: (event) => {
          verifiers.statusChecker.invalidate?.();
          claimsCache.evict(event.sub);
        },
      });
    // Subscribe from the start, not at the first request: a member that never called us may be suspended
    // before its first call, and we must not accept it from a cache filled before we heard of it.
    getVerifier().catch(() => undefined);

    app.get('/.well-known/did.json', (_req, res) => {
      res.type('application/did+json').send(JSON.stringify(identity.didDocument()));
    });
    const sts = createSecureTokenService({ signer: () => identity.signer(), clock });
    const credentialService = createCredentialService({
      did: identity.did,
      signer: () => identity.signer(),
      ownKeys: () => identity.keys.publishedKeys,
      credentials: (now) => wallet.presentable(now),
      resolver: verifiers.resolver,
      replayCache,
      clock,
    });
    app.use(CREDENTIAL_SERVICE_PATH, credentialService.router);
    // Storage API: the authority delivers our credentials here (DCP issuance); they are verified before
    // they replace its earlier ones. In the test identity mode the configured issuers may store too (DCP TCK).
    const trustedIssuers = config.dcp?.trustedIssuers ?? [];
    app.use(
      CREDENTIAL_SERVICE_PATH,
      credentialStorageRouter({
        did: identity.did,
        resolver: verifiers.resolver,
        replayCache,
        clock,
        store: async (issuer, delivered) => {
          const authorityDid = (await authority.info()).did;
          if (issuer === authorityDid) {
            await wallet.replaceFromIssuer(issuer, await verifiedDelivery(delivered, issuer));
            // The authority streams status events to members only: we may just have become one (this
            // delivery may have been asked for by `shuyu wallet collect`, not by collectCredentials()).
            statusEvents?.reconnect();
          } else if (testMode && trustedIssuers.includes(issuer)) {
            await storeDelivered(wallet, issuer, delivered, clock);
          } else {
            throw new HttpProblem(403, 'issuer-not-trusted', `${issuer} may not store credentials here.`);
          }
        },
      }),
    );
    if (testMode) {
      // Test-only identity mode: the DCP TCK's token-service step (loopback only).
      app.use(dcpTckStsRouter({ identity: testMode.identity, sts }));
    }
    /** Each delivered credential verified (issuer, signature, validity, status) and about us. */
    const verifiedDelivery = async (delivered: readonly StoredCredential[], issuer: string) =>
      Promise.all(
        delivered.map(async (c) => {
          const verified = await verifyCredential(c.credential, {
            resolver: verifiers.resolver,
            statusChecker: verifiers.statusChecker,
            trustList: [{ did: issuer }],
            clock,
          });
          if (verified.subject.id !== identity.did) {
            throw new HttpProblem(
              400,
              'not-our-credential',
              `A delivered credential is about ${verified.subject.id}.`,
            );
          }
          return {
            id: verified.id ?? c.id,
            type: verified.type,
            format: 'jwt' as const,
            issuer: verified.issuer,
            credential: c.credential,
            ...(verified.validFrom ? { validFrom: verified.validFrom.toISOString() } : {}),
            ...(verified.validUntil ? { validUntil: verified.validUntil.toISOString() } : {}),
            receivedAt: clock().toISOString(),
          };
        }),
      );
    // Every authenticated route goes through this: who is calling, with which verified claims.
    const authenticateFor =
      (scopesOf?: (req: Request) => Promise<readonly string[] | undefined>): RequestHandler =>
      async (req, res, next) => {
        const tested = testMode && testCaller(testMode.identity, req.headers.authorization);
        if (tested) {
          res.locals.caller = tested;
          next();
          return;
        }
        let ready: RequestVerifier;
        try {
          ready = await getVerifier();
        } catch {
          next(
            new HttpProblem(503, 'authority-unreachable', 'The connector cannot reach its authority yet.'),
          );
          return;
        }
        requireCaller(ready, scopesOf)(req, res, (error?: unknown) => {
          const caller = res.locals.caller as RequestVerification | undefined;
          identityCounts.verification(
            error === undefined && caller !== undefined
              ? { ok: true, fromCache: caller.fromCache }
              : { ok: false },
          );
          next(error);
        });
      };
    const authenticate = authenticateFor();
    // Diagnostic: what this connector verified about the caller (the claims policies will see).
    app.get(`${IDENTITY_API_PREFIX}/whoami`, authenticate, (_req, res) => {
      const caller = callerOf(res);
      res.json({ caller: caller.caller, claims: caller.claims, fromCache: caller.fromCache });
    });

    // Needed while we start: the authority resolves our DID and may query our Credential Service.
    publicListener.allow('/.well-known/did.json');
    publicListener.allow(CREDENTIAL_SERVICE_PATH);
    const openDb = db;
    const managementListener = management;
    const checks: ReadinessCheck[] = [storeOpenCheck(openDb), authorityReachable(config.authorityUrl)];
    for (const check of checks) {
      publicListener.addReadinessCheck(check);
      managementListener.addReadinessCheck(check);
    }
    const markReady = (): void => {
      publicListener.open();
      managementListener.open();
    };
    if (options.deferReady !== true) markReady();

    return {
      url: publicUrl,
      did: identity.did,
      identity,
      logger,
      db,
      wallet,
      authority,
      authorityUrl: config.authorityUrl,
      verifiers,
      claimsCache,
      verifier: getVerifier,
      requestTokenFor: (audienceDid) => sts.tokenFor(audienceDid),
      sts,
      collectCredentials: async () => {
        // DCP issuance: the authority delivers to our Credential Service's storage API (above).
        const issuerDid = (await authority.info()).did;
        await requestCredentials({
          issuerDid,
          signer: identity.signer(),
          resolver: verifiers.resolver,
          hostPolicy,
          ...(options.fetch ? { fetch: options.fetch } : {}),
          clock,
        });
        return (await wallet.list()).filter((c) => c.issuer === issuerDid).length;
      },
      statusStream: () => ({
        connected: statusEvents?.connected ?? false,
        lastSeq: statusEvents?.lastSeq ?? 0,
      }),
      routes: publicListener.routes,
      management: managementListener,
      addErrorHandler: (handler) => publicListener.addErrorHandler(handler),
      hostPolicy,
      metrics,
      rateLimits,
      ...(testMode ? { testMode } : {}),
      dataDir: options.dataDir,
      authenticate,
      authenticateFor,
      server,
      markReady,
      close: async () => {
        closing = true;
        statusEvents?.close();
        await server.close();
        await managementListener.close();
        rmSync(managementUrlFile, { force: true });
        await openDb.close();
      },
    };
  } catch (error) {
    await server.close();
    if (management) {
      await management.close();
      rmSync(dataFile(options.dataDir, MANAGEMENT_URL_FILE), { force: true });
    }
    await db?.close();
    throw error;
  }
}

/**
 * /ready's authority check: the authority answers its info document now (2 s timeout). One probe at a time,
 * and an answer is reused for 5 s, so a burst of readiness probes costs the authority one request.
 */
function authorityReachable(authorityUrl: string): ReadinessCheck {
  let last: { at: number; result: Promise<string | undefined> } | undefined;
  const probe = async (): Promise<string | undefined> => {
    try {
      const answer = await fetch(`${authorityUrl.replace(/\/+$/, '')}${AUTHORITY_PREFIX}`, {
        signal: AbortSignal.timeout(2_000),
      });
      await answer.body?.cancel();
      return answer.ok ? undefined : `${authorityUrl} answered ${answer.status}`;
    } catch (error) {
      return `cannot reach ${authorityUrl} (${(error as Error).message})`;
    }
  };
  return {
    name: 'authority',
    check: () => {
      const now = Date.now();
      if (last === undefined || now - last.at > 5_000) last = { at: now, result: probe() };
      return last.result;
    },
  };
}

/** Adds what `issuer` delivered to the wallet, keeping what it delivered before under other ids. */
async function storeDelivered(
  wallet: Wallet,
  issuer: string,
  delivered: readonly StoredCredential[],
  clock: Clock,
): Promise<void> {
  const ids = new Set(delivered.map((c) => c.id));
  const kept = (await wallet.list()).filter((c) => c.issuer === issuer && !ids.has(c.id));
  const receivedAt = clock().toISOString();
  await wallet.replaceFromIssuer(issuer, [
    ...kept,
    ...delivered.map((c) => ({
      ...c,
      format: 'jwt' as const,
      issuer,
      receivedAt,
    })),
  ]);
}

/** The test identity mode when configured (enabled explicitly, loopback bind only), else undefined. */
function testModeFor(
  config: TestModeConfig | undefined,
  bindHost: string,
): { readonly identity: TestIdentity; readonly config: TestModeConfig } | undefined {
  if (config === undefined) return undefined;
  const token = config.token ?? process.env.SHUYU_TEST_IDENTITY_TOKEN ?? '';
  return { identity: createTestIdentity({ ...config, token }, bindHost), config };
}

/** The caller a request bearing the static test token stands for; undefined for any other header. */
function testCaller(identity: TestIdentity, header: string | undefined): RequestVerification | undefined {
  let claims;
  try {
    claims = identity.verifyAuthorization(header);
  } catch {
    return undefined; // not the test token: the request token path decides
  }
  return {
    claims,
    caller: claims.participantId,
    tokenId: TEST_IDENTITY_TOKEN_ID,
    tokenExpiresAt: new Date(8.64e15),
    fromCache: false,
  };
}
