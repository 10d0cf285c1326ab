// Running a participant's connector as a process: data directory (keys/, connector.sqlite,
// connector.json), its DID document, its wallet and its link to the authority, and the HTTP server that
// authenticates every other participant with a request token. Protocol routes (DSP) mount on `app`.
import { Router, type ErrorRequestHandler, type RequestHandler } from 'express';
import { callerOf, requireCaller } from '../http/caller-auth.js';
import { createJsonApp, finishJsonApp } from '../http/json-app.js';
import { HttpProblem } from '../http/problem.js';
import { listen, type RunningServer } from '../http/server.js';
import {
  ClaimsCache,
  createNetworkVerifiers,
  createRequestToken,
  createRequestVerifier,
  InMemoryReplayCache,
  openProcessIdentity,
  systemClock,
  type Clock,
  type FetchLike,
  type HostPolicy,
  type NetworkVerifiers,
  type ProcessIdentity,
  type RequestVerification,
  type RequestVerifier,
  createTestIdentity,
  type TestIdentity,
  type TestIdentityConfig,
} from '../identity/index.js';
import { Database, type Migration } from '../store/database.js';
import { AuthorityClient, type AuthorityInfo } from '../wallet/authority-client.js';
import { Wallet, WALLET_MIGRATIONS } from '../wallet/store.js';
import { evidenceAlgorithmsFrom, type EvidenceAlgorithms } from '../evidence/algorithms.js';
import { dataFile, ensureDataDirectory, hostPolicyFor, LOCAL_DID_HOSTS, readConfigFile } from './config.js';

export interface ConnectorConfig {
  host: string;
  port: number;
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
}

/** The test-only identity mode as configured (connector.json `testIdentity`). */
export interface TestModeConfig extends Omit<TestIdentityConfig, 'token'> {
  /** The static token; default the SHUYU_TEST_IDENTITY_TOKEN environment variable. */
  readonly token?: string;
  /** Assets, offers and agreements to load at start (a JSON file, relative to the data directory). */
  readonly seed?: string;
}

export const CONNECTOR_CONFIG_FILE = 'connector.json';
export const CONNECTOR_DATABASE_FILE = 'connector.sqlite';
export const IDENTITY_API_PREFIX = '/identity/v1';
/** How long the wallet's presentable credentials are reused for request tokens. */
const PRESENTABLE_CACHE_MS = 5_000;

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
   * The data space's evidence algorithms (default: `evidence.algorithms` in connector.json). With "sm" the
   * identity also holds an SM2 key, published in the DID document, for signing evidence checkpoints.
   */
  evidenceAlgorithms?: EvidenceAlgorithms;
}

export interface RunningConnector {
  readonly url: string;
  readonly did: string;
  readonly identity: ProcessIdentity;
  readonly db: Database;
  readonly wallet: Wallet;
  readonly authority: AuthorityClient;
  readonly verifiers: NetworkVerifiers;
  /** Verifies request tokens addressed to us (available once the authority is known). */
  verifier(): Promise<RequestVerifier>;
  /** A token for `Authorization: Bearer` towards the participant `audienceDid`, presenting our wallet. */
  requestTokenFor(audienceDid: string): Promise<string>;
  /** Collects our credentials from the authority into the wallet. */
  collectCredentials(): Promise<number>;
  /** Mount protocol and management routers here (before the 404 and problem handlers). */
  readonly routes: Router;
  /**
   * Adds an error handler that runs before the generic problem+json one, e.g. to answer a protocol's own
   * error body on its paths. Errors raised before any router (a malformed JSON body, one too large) reach
   * it too, which a handler inside a router would never see. Call next(err) to pass the error on.
   */
  addErrorHandler(handler: ErrorRequestHandler): void;
  /** Set when the test-only identity mode is on (config `testIdentity`); never in production. */
  readonly testMode?: { readonly identity: TestIdentity; readonly config: TestModeConfig };
  /** Which hosts this connector may call (config `didHosts`): DID documents, status lists and DSP peers. */
  readonly hostPolicy: HostPolicy;
  /** The data directory the connector runs from. */
  readonly dataDir: string;
  /** Middleware that authenticates the calling participant; read the result with callerOf(res). */
  readonly authenticate: RequestHandler;
  readonly server: RunningServer;
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
  if (!config.authorityUrl) {
    throw new Error(
      `No authority configured for the connector in ${options.dataDir}; set "authorityUrl" in ${CONNECTOR_CONFIG_FILE}.`,
    );
  }
  const clock = options.clock ?? systemClock;
  const revocationCheckMs = options.revocationCheckIntervalMs ?? 5 * 60_000;
  const host = config.host ?? '127.0.0.1';
  // Refused before anything listens: a static token on a reachable port would be a backdoor.
  const testMode = testModeFor(config.testIdentity, host);
  const app = createJsonApp();
  const server = await listen(app, { host, port: config.port ?? 0 });
  let db: Database | undefined;
  try {
    const publicUrl = (config.publicUrl ?? server.url).replace(/\/+$/, '');
    const evidenceAlgorithms = evidenceAlgorithmsFrom(
      options.evidenceAlgorithms ??
        (fileConfig as { evidence?: { algorithms?: unknown } }).evidence?.algorithms,
      `evidence.algorithms in ${CONNECTOR_CONFIG_FILE}`,
    );
    const identity = await openProcessIdentity(dataFile(options.dataDir, 'keys'), publicUrl, clock, {
      sm2: evidenceAlgorithms === 'sm',
    });
    db = await Database.open(dataFile(options.dataDir, CONNECTOR_DATABASE_FILE), [
      ...WALLET_MIGRATIONS,
      ...(options.migrations ?? []),
    ]);
    const wallet = new Wallet(db);
    const hostPolicy = hostPolicyFor(config.didHosts ?? LOCAL_DID_HOSTS);
    const verifiers = createNetworkVerifiers(hostPolicy, {
      clock,
      ...(options.fetch ? { fetch: options.fetch } : {}),
      statusCacheTtlMs: revocationCheckMs,
    });
    const authority = new AuthorityClient({ url: config.authorityUrl, signer: () => identity.signer() });
    const replayCache = new InMemoryReplayCache({ clock });
    let verifier: Promise<RequestVerifier> | undefined;
    const getVerifier = (): Promise<RequestVerifier> => {
      verifier ??= authority.info().then((info: AuthorityInfo) =>
        createRequestVerifier({
          ourDid: identity.did,
          resolver: verifiers.resolver,
          statusChecker: verifiers.statusChecker,
          trustList: [{ did: info.did }],
          dataSpace: info.dataSpace,
          replayCache,
          claimsCache: new ClaimsCache({ clock, maxTtlMs: revocationCheckMs }),
          clock,
        }),
      );
      verifier.catch(() => (verifier = undefined)); // retry on the next request if the authority was down
      return verifier;
    };

    app.get('/.well-known/did.json', (_req, res) => {
      res.type('application/did+json').send(JSON.stringify(identity.didDocument()));
    });
    // Every authenticated route goes through this: who is calling, with which verified claims.
    const authenticate: RequestHandler = async (req, res, next) => {
      const tested = testMode && testCaller(testMode.identity, req.headers.authorization);
      if (tested) {
        res.locals.caller = tested;
        next();
        return;
      }
      try {
        requireCaller(await getVerifier())(req, res, next);
      } catch {
        next(new HttpProblem(503, 'authority-unreachable', 'The connector cannot reach its authority yet.'));
      }
    };
    // Diagnostic: what this connector verified about the caller (the claims policies will see).
    app.get(`${IDENTITY_API_PREFIX}/whoami`, authenticate, (_req, res) => {
      const caller = callerOf(res);
      res.json({ caller: caller.caller, claims: caller.claims, fromCache: caller.fromCache });
    });

    const routes = Router();
    app.use(routes);
    const errorHandlers: ErrorRequestHandler[] = [];
    app.use(chainErrorHandlers(errorHandlers));
    finishJsonApp(app);

    // What we present is read from the wallet at most every few seconds, not on every request token;
    // collecting credentials refreshes it at once.
    let presentable: { readonly at: number; readonly credentials: Promise<string[]> } | undefined;
    const credentials = (): Promise<string[]> => {
      const now = clock();
      if (presentable === undefined || Math.abs(now.getTime() - presentable.at) >= PRESENTABLE_CACHE_MS) {
        const read = wallet.presentable(now);
        presentable = { at: now.getTime(), credentials: read };
        read.catch(() => (presentable = undefined));
      }
      return presentable.credentials;
    };

    const openDb = db;
    return {
      url: publicUrl,
      did: identity.did,
      identity,
      db,
      wallet,
      authority,
      verifiers,
      verifier: getVerifier,
      requestTokenFor: async (audienceDid) =>
        createRequestToken({
          signer: identity.signer(),
          audience: audienceDid,
          credentials: await credentials(),
          clock,
        }),
      collectCredentials: async () => {
        const collected = await authority.collectInto(wallet, verifiers, clock);
        presentable = undefined;
        return collected.length;
      },
      routes,
      addErrorHandler: (handler) => {
        errorHandlers.push(handler);
      },
      hostPolicy,
      ...(testMode ? { testMode } : {}),
      dataDir: options.dataDir,
      authenticate,
      server,
      close: async () => {
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
    tokenId: 'test-identity',
    tokenExpiresAt: new Date(8.64e15),
    fromCache: false,
  };
}

/** Runs `handlers` in order; each may answer or pass the error on with next(err). */
function chainErrorHandlers(handlers: readonly ErrorRequestHandler[]): ErrorRequestHandler {
  return (err, req, res, next) => {
    const run = (index: number, error: unknown): void => {
      const handler = handlers[index];
      if (handler === undefined) {
        next(error);
        return;
      }
      handler(error, req, res, (passed?: unknown) => run(index + 1, passed ?? error));
    };
    run(0, err);
  };
}
