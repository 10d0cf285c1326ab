// A participant's full connector: the process (identity, wallet, HTTP server) with the control plane
// (catalog, negotiations, transfers, outbox), its DSP bindings, the data plane (`<url>/data/:transferId`),
// the evidence log with its checkpoints and the management API, from one data directory. Also a
// script, for `shuyu connector start` and the crash tests:
//
//   node --import tsx connector/process/run-connector.ts --dir DIR --port N --authority URL
//        [--host H] [--public-url URL] [--management-port N] [--automation auto|none|step=mode,...]
//
// prints one JSON line {"ready":true,"url":...,"did":...,"managementUrl":...} once it listens, and shuts down
// cleanly on SIGTERM / SIGINT (SHUYU_BENCH_STATS=1: SIGUSR2 prints {"storeStats":...}). Outbox timings for
// tests: SHUYU_OUTBOX_BASE_DELAY_MS, SHUYU_OUTBOX_MAX_DELAY_MS,
// SHUYU_OUTBOX_MAX_ATTEMPTS.

import type { Router } from 'express';
import type { Migration } from '../store/database.js';
import { walletPublisher } from '../wallet/publisher.js';
import { CatalogChangeNotice } from '../assets/change-notice.js';
import { errorReporter, LogLevelError, parseLogLevel, rootLogger, setLogLevel } from '../logging/index.js';
import { storeStats } from '../store/database.js';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import {
  CONTROL_PLANE_MIGRATIONS,
  createControlPlane,
  type ControlPlane,
  type ControlPlaneOptions,
  type OutboxTuning,
} from '../control-plane/index.js';
import { createDspBindings } from '../dsp/index.js';
import { dspCredentialScopes } from '../dsp/credential-scopes.js';
import { tckHooks } from '../dsp/tck.js';
import { CONSOLE_PATH, participantConsole } from '../console/index.js';
import {
  createManagementRouter,
  ensureManagementApiKey,
  MANAGEMENT_PATH,
  METRICS_OPENAPI,
} from '../management/index.js';
import { registerConnectorGauges, type ServerMetrics } from '../metrics/index.js';
import { EVIDENCE_OPENAPI } from '../management/evidence.js';
import { USAGE_LEFT_OPENAPI } from '../management/usage-left.js';
import { managementErrors } from '../management/errors.js';
import { requireApiKey } from '../management/index.js';
import {
  PRODUCT_MIGRATIONS,
  productRoutes,
  ProductRegistrations,
  PRODUCTS_OPENAPI,
} from '../products/index.js';
import { AutomationConfigError, parseAutomationFlag, resolveAutomation } from '../control-plane/index.js';
import { ConfigError, dataFile, parsePort, readConfigFile } from './config.js';
import {
  readControlPlaneSettings,
  type DeliverySettings,
  type ReplicaConfig,
  type TimeoutSettings,
} from './control-plane-settings.js';
import { loadSeed, readSeed } from './seed.js';
import {
  DATA_SERVICE_MIGRATIONS,
  openDataServices,
  type DataPlaneSettings,
  type DataServices,
  type EvidenceSettings,
} from './data-services.js';
import {
  CONNECTOR_CONFIG_FILE,
  startConnector,
  type CatalogPublisherSettings,
  type ConnectorConfig,
  type RunningConnector,
  type StartConnectorOptions,
} from './connector.js';

export interface ControlPlaneConnectorOptions extends StartConnectorOptions {
  readonly controlPlane?: ControlPlaneOptions;
  /** Data plane settings (default: `dataplane` in connector.json). */
  readonly dataplane?: DataPlaneSettings;
  /** Evidence log settings (default: `evidence` in connector.json). */
  readonly evidence?: EvidenceSettings;
  /** How long messages are retried (default: `delivery` in connector.json). */
  readonly delivery?: DeliverySettings;
  /** How long processes may wait on their counterparty (default: `timeouts` in connector.json). */
  readonly timeouts?: TimeoutSettings;
  /** Run as one of several replicas sharing the database (default: `replica` in connector.json). */
  readonly replica?: ReplicaConfig;
  /**
   * Runs with both listeners listening (`serverUrl`: where the public one listens, not its publicUrl) and
   * the routes not yet open: tests probe the start-up window, or put a proxy in front of it.
   */
  readonly beforeReady?: (serverUrl: string, managementServerUrl: string) => Promise<void>;
  /** How often pending data-product applications are checked at the authority (default 60 s). */
  readonly productSyncIntervalMs?: number;
}

export interface ControlPlaneConnector extends RunningConnector {
  readonly controlPlane: ControlPlane;
  /** The data plane (`GET <url>/data/:transferId`) and the evidence log. */
  readonly dataServices: DataServices;
  /** The key for `Authorization: Bearer` on the management API (also in <dataDir>/management-api-key). */
  readonly managementApiKey: string;
  /** The management API's base: `<management listener>/management/v1` (never the public URL). */
  readonly managementUrl: string;
  /** The participant console: `<management listener>/console`. */
  readonly consoleUrl: string;
}

/** The tables of a full connector beyond startConnector's own (wallet, replay cache), in order. */
export const CONTROL_PLANE_CONNECTOR_MIGRATIONS: readonly Migration[] = [
  ...CONTROL_PLANE_MIGRATIONS,
  ...DATA_SERVICE_MIGRATIONS,
  ...PRODUCT_MIGRATIONS,
];

export async function startControlPlaneConnector(
  options: ControlPlaneConnectorOptions,
): Promise<ControlPlaneConnector> {
  const automation = automationSetting(options);
  const catalog = catalogSettings(options);
  const connector = await startConnector({
    ...options,
    ...(options.evidence?.algorithms ? { evidenceAlgorithms: options.evidence.algorithms } : {}),
    deferReady: true,
    migrations: [...CONTROL_PLANE_CONNECTOR_MIGRATIONS, ...(options.migrations ?? [])],
  });
  try {
    const services = await openDataServices(connector, {
      ...(options.dataplane ? { dataplane: options.dataplane } : {}),
      ...(options.evidence ? { evidence: options.evidence } : {}),
      ...(options.authorityUrl ? { authorityUrl: options.authorityUrl } : {}),
      ...(options.clock ? { clock: options.clock } : {}),
      onError: options.controlPlane?.onError ?? errorReporter(connector.logger, 'connector'),
    });
    const settings = readControlPlaneSettings(connector.dataDir, options);
    const plane = createControlPlane(connector, {
      clock: options.clock,
      timeouts: settings.timeouts,
      ...(settings.replica ? { replica: settings.replica } : {}),
      // The catalog's DCAT-AP publisher: the member's credentials and connector.json "catalog".
      publisher: () => walletPublisher(connector.wallet, catalog),
      onError: errorReporter(connector.logger, 'control plane'),
      logger: connector.logger,
      ...options.controlPlane,
      automation,
      outbox: { ...settings.delivery, ...options.controlPlane?.outbox },
      hooks: services.hooks,
      checkDataAddress: (address) => {
        try {
          services.sources.resolve(address);
          return undefined;
        } catch (error) {
          return (error as Error).message;
        }
      },
    });
    services.attach(plane);
    registerConnectorGauges(connector.metrics.registry, connector.db, options.clock ?? (() => new Date()));
    // DCP: each DSP request asks the caller's Credential Service for what its policy reads.
    // Rate limits: per remote address before the DCP verification, per caller DID after it.
    const dsp = createDspBindings(
      plane,
      connector.authenticateFor(dspCredentialScopes(plane)),
      connector.logger,
      connector.rateLimits,
    );
    connector.routes.use(dsp.routes);
    connector.addErrorHandler(dsp.errorHandler);
    if (connector.testMode !== undefined) {
      // Test-only identity mode (loopback only): the DSP TCK's hooks and its seeded ids.
      connector.routes.use(tckHooks(plane, connector.testMode.identity));
      const seed = connector.testMode.config.seed;
      if (seed !== undefined) await loadSeed(plane, readSeed(connector.dataDir, seed));
    }
    services.mount();
    const managementApiKey = ensureManagementApiKey(connector.dataDir);
    // Data-product registration at the authority, behind the management key.
    const products = new ProductRegistrations({
      db: connector.db,
      assets: plane.assets,
      authority: connector.authority,
      authorityUrl: connector.authorityUrl,
      ourDid: connector.did,
      dspEndpoint: `${connector.url}/dsp`,
      verifiers: connector.verifiers,
      clock: options.clock ?? (() => new Date()),
    });
    buildManagementApp(connector.management.routes, {
      connector,
      plane,
      services,
      products,
      apiKey: managementApiKey,
      metrics: connector.metrics,
    });
    await plane.start();
    await services.start();
    await options.beforeReady?.(connector.server.url, connector.management.url);
    connector.markReady();
    const stopFollowingProducts = products.follow(options.productSyncIntervalMs ?? 60_000);
    // Publishing shows up at once: the federated catalog re-crawls us within seconds of a change.
    const notice = new CatalogChangeNotice({
      send: () => connector.authority.noticeCatalogChanged(),
      logger: connector.logger,
    });
    const stopNoticing = plane.assets.onChange(() => notice.changed());
    connector.logger.info({ url: connector.url }, `connector ready at ${connector.url}`);
    return {
      ...connector,
      controlPlane: plane,
      dataServices: services,
      managementApiKey,
      managementUrl: `${connector.management.url}${MANAGEMENT_PATH}`,
      consoleUrl: `${connector.management.url}${CONSOLE_PATH}`,
      close: async () => {
        // Stop taking requests first, then finish deliveries, steps, pushes and checkpoints in flight,
        // then the database.
        stopFollowingProducts();
        stopNoticing();
        notice.close();
        await connector.server.close();
        await connector.management.close();
        await plane.close();
        await services.close();
        await connector.close();
      },
    };
  } catch (error) {
    await connector.close();
    throw error;
  }
}

/** What the management listener serves, and what serving it needs. */
export interface ManagementAppParts {
  readonly connector: RunningConnector;
  readonly plane: ControlPlane;
  readonly services: DataServices;
  readonly products: ProductRegistrations;
  /** `Authorization: Bearer` key of every management route. */
  readonly apiKey: string;
  /** Served at /management/v1/metrics. */
  readonly metrics: ServerMetrics;
}

/**
 * Builds the management listener's app: the management API under /management/v1 (control plane, evidence
 * and duties, data products; one OpenAPI document). Whatever else operators reach only from the
 * management port (the console, /metrics) is added here too, never on the public DSP listener.
 */
export function buildManagementApp(routes: Router, parts: ManagementAppParts): void {
  const { connector, plane, services, products, apiKey, metrics } = parts;
  routes.use(
    MANAGEMENT_PATH,
    createManagementRouter(plane, apiKey, {
      openApi: [EVIDENCE_OPENAPI, USAGE_LEFT_OPENAPI, PRODUCTS_OPENAPI, METRICS_OPENAPI],
      metrics,
    }),
  );
  routes.use(MANAGEMENT_PATH, requireApiKey(apiKey), services.managementRoutes());
  const productRouter = productRoutes(products);
  productRouter.use(managementErrors);
  routes.use(MANAGEMENT_PATH, requireApiKey(apiKey), productRouter);
  // The participant console beside the management API (same key, in-process calls).
  routes.use(participantConsole({ connector, plane, services, products, managementApiKey: apiKey }));
}

/**
 * The automation settings: the control plane option, else `automation` in the options, else in
 * connector.json; checked before anything starts (a bad step name or mode is a ConfigError naming it).
 */
function automationSetting(
  options: ControlPlaneConnectorOptions,
): NonNullable<ConnectorConfig['automation']> {
  const file = readConfigFile<Partial<ConnectorConfig>>(dataFile(options.dataDir, CONNECTOR_CONFIG_FILE));
  const given = options.controlPlane?.automation ?? options.automation;
  const value: unknown = given ?? file?.automation ?? 'auto';
  try {
    resolveAutomation(value, given === undefined ? `${CONNECTOR_CONFIG_FILE} "automation"` : 'automation');
  } catch (error) {
    if (error instanceof AutomationConfigError) throw new ConfigError(error.message);
    throw error;
  }
  return value as NonNullable<ConnectorConfig['automation']>;
}

/** connector.json "catalog": the DCAT-AP details credentials do not carry; a wrong type is a ConfigError. */
export function catalogSettings(options: ControlPlaneConnectorOptions): CatalogPublisherSettings {
  const file = readConfigFile<Partial<ConnectorConfig>>(dataFile(options.dataDir, CONNECTOR_CONFIG_FILE));
  const value: unknown = file?.catalog ?? {};
  const where = `${CONNECTOR_CONFIG_FILE} "catalog"`;
  if (value === null || typeof value !== 'object' || Array.isArray(value))
    throw new ConfigError(`${where} must be an object`);
  const settings = value as Record<string, unknown>;
  for (const key of Object.keys(settings)) {
    const v = settings[key];
    const ok =
      key === 'contact' || key === 'homepage'
        ? typeof v === 'string' && v !== ''
        : (key === 'regions' || key === 'languages') &&
          Array.isArray(v) &&
          v.every((x) => typeof x === 'string' && x !== '');
    if (!ok)
      throw new ConfigError(
        `${where} "${key}": expected contact and homepage as text, regions and languages as lists of codes`,
      );
  }
  return settings as CatalogPublisherSettings;
}

/** Outbox timings from the environment (tests shorten the back-off). */
export function outboxTuningFromEnv(env: NodeJS.ProcessEnv = process.env): OutboxTuning {
  const number = (name: string): number | undefined => {
    const raw = env[name];
    if (raw === undefined || raw === '') return undefined;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0) throw new ConfigError(`${name} must be a non-negative number`);
    return value;
  };
  const base = number('SHUYU_OUTBOX_BASE_DELAY_MS');
  const max = number('SHUYU_OUTBOX_MAX_DELAY_MS');
  const attempts = number('SHUYU_OUTBOX_MAX_ATTEMPTS');
  return {
    ...(base !== undefined ? { baseDelayMs: base } : {}),
    ...(max !== undefined ? { maxDelayMs: max } : {}),
    ...(attempts !== undefined ? { maxAttempts: attempts } : {}),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      dir: { type: 'string' },
      port: { type: 'string' },
      host: { type: 'string' },
      authority: { type: 'string' },
      'public-url': { type: 'string' },
      'management-port': { type: 'string' },
      automation: { type: 'string' },
      'log-level': { type: 'string' },
    },
  });
  if (values.dir === undefined) {
    throw new ConfigError(
      'usage: run-connector.ts --dir DIR [--port N] [--host H] [--authority URL] [--public-url URL] [--management-port N] [--automation auto|none|step=mode,...] [--log-level LEVEL]',
    );
  }
  if (values['log-level'] !== undefined) setLogLevel(parseLogLevel(values['log-level'], '--log-level'));
  let automation: ConnectorConfig['automation'];
  try {
    automation = values.automation === undefined ? undefined : parseAutomationFlag(values.automation);
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
  const connector = await startControlPlaneConnector({
    dataDir: values.dir,
    ...(values.port !== undefined ? { port: parsePort(values.port, '--port') } : {}),
    ...(values.host !== undefined ? { host: values.host } : {}),
    ...(values.authority !== undefined ? { authorityUrl: values.authority } : {}),
    ...(values['public-url'] !== undefined ? { publicUrl: values['public-url'] } : {}),
    ...(automation !== undefined ? { automation } : {}),
    ...(values['management-port'] !== undefined
      ? { management: { port: parsePort(values['management-port'], '--management-port') } }
      : {}),
    controlPlane: { outbox: outboxTuningFromEnv() },
  });
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    connector.close().then(
      () => process.exit(0),
      (e: unknown) => {
        connector.logger.fatal({ err: e }, 'the connector did not stop cleanly');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  // Benches (bench/negotiation.ts) ask for the store's statement counts with SIGUSR2.
  if (process.env.SHUYU_BENCH_STATS === '1') {
    process.on('SIGUSR2', () => process.stdout.write(`${JSON.stringify({ storeStats: storeStats() })}\n`));
  }
  if (connector.testMode !== undefined) {
    connector.logger.warn(
      `test identity mode is on: the static token authenticates as ${connector.testMode.config.participantId}; tests and conformance runs only.`,
    );
  }
  process.stdout.write(
    `${JSON.stringify({ ready: true, url: connector.url, did: connector.did, managementUrl: connector.managementUrl })}\n`,
  );
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  main().catch((e: unknown) => {
    // A configuration mistake is the operator's to fix: its sentence, no stack.
    const known = e instanceof ConfigError || e instanceof LogLevelError;
    rootLogger().fatal(known ? {} : { err: e }, e instanceof Error ? e.message : String(e));
    process.exit(1);
  });
}
