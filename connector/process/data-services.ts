// The data plane and the evidence log of a running connector, wired to its control plane:
//   - the sources assets may point at (files under configured directories, default <dataDir>/files;
//     allow-listed backends; inline data), the usage meter and the obligations;
//   - the evidence log (logId = the connector's DID) with its checkpoint scheduler, whose checkpoints go to
//     the authority to be countersigned;
//   - the control plane's hooks (control-plane/evidence.ts): agreement signatures, evidence of every
//     agreement, transfer state and access, endpoint data references, push;
//   - `GET|HEAD <url>/data/:transferId` (and `/refresh`), and the management API's evidence routes.
//
// Settings come from the options, else from `dataplane` / `evidence` in <dataDir>/connector.json; backend
// credentials (secrets) also from SHUYU_DATAPLANE_CREDENTIALS, a JSON object {name: {header: value}}.

import { errorReporter } from '../logging/index.js';
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import type { Router } from 'express';
import type { ControlPlane } from '../control-plane/index.js';
import type { ControlPlaneHooks } from '../control-plane/hooks.js';
import { ConnectorEvidence } from '../control-plane/evidence.js';
import {
  AgreementSignatureStore,
  CONTROL_PLANE_RECORD_MIGRATIONS,
  TransferUsageStore,
} from '../control-plane/records.js';
import {
  createDataPlaneRouter,
  createSourceRegistry,
  DATAPLANE_MIGRATIONS,
  ObligationStore,
  UsageMeter,
  type SourceRegistry,
  type UsageNotifier,
} from '../dataplane/index.js';
import {
  CheckpointScheduler,
  DEFAULT_CHECKPOINT_INTERVAL_MS,
  EVIDENCE_MIGRATIONS,
  EvidenceLog,
  resolverKeys,
  type StoredCheckpoint,
  checkpointSignerFor,
  evidenceAlgorithmsFrom,
  evidenceHashOf,
  type CheckpointSigner,
  type EvidenceAlgorithms,
} from '../evidence/index.js';
import { systemClock, type Clock } from '../identity/index.js';
import { managementErrors } from '../management/errors.js';
import { evidenceRoutes } from '../management/evidence.js';
import { usageLeftRoutes } from '../management/usage-left.js';
import {
  UsageLeftStore,
  usageLeft,
  type ObservedUsageLeft,
  type UsageLeft,
} from '../dataplane/usage/left.js';
import type { TransferRecord } from '../transfer/index.js';
import type { Migration } from '../store/database.js';
import { CheckpointPublisher, CheckpointPublishError } from './checkpoint-publisher.js';
import { ConfigError, dataFile, readConfigFile } from './config.js';
import { CONNECTOR_CONFIG_FILE, type RunningConnector } from './connector.js';

/** The tables the data plane, the evidence log and the control plane's records need. */
export const DATA_SERVICE_MIGRATIONS: readonly Migration[] = [
  ...DATAPLANE_MIGRATIONS,
  ...EVIDENCE_MIGRATIONS,
  ...CONTROL_PLANE_RECORD_MIGRATIONS,
];

export const DEFAULT_FILE_DIRECTORY = 'files';

export interface DataPlaneSettings {
  /** Directories file assets may live in (links followed must stay inside); default <dataDir>/files. */
  readonly fileDirectories?: readonly string[];
  /** Backend hosts http assets may use: `host`, `host:port`, `*.example.com`. Default: none. */
  readonly backendHosts?: readonly string[];
  /** Allow plain http backends (default: https only). */
  readonly allowHttpBackends?: boolean;
  /**
   * Let backends and push endpoints be loopback or private addresses. Default: when the connector's
   * didHosts allow a loopback host (a local data space).
   */
  readonly allowPrivateAddresses?: boolean;
  /**
   * Hosts consumers may have data pushed to besides their own DSP endpoint's host:port: `host`, `host:port`,
   * `*.example.com`. Default: none.
   */
  readonly pushHosts?: readonly string[];
  /** Request headers by credential name, for backends (prefer SHUYU_DATAPLANE_CREDENTIALS for secrets). */
  readonly backendCredentials?: Readonly<Record<string, Readonly<Record<string, string>>>>;
  /** Lifetime of endpoint data reference tokens (default 300 s; refreshed by the consumer). */
  readonly edrLifetimeSeconds?: number;
  /** Performs `inform` duties (not configurable in the file). */
  readonly notifier?: UsageNotifier;
}

export interface EvidenceSettings {
  /** How often a checkpoint is made when the log grew (default 60 s). */
  readonly checkpointIntervalMs?: number;
  /** Publish checkpoints to the authority to be countersigned (default true). */
  readonly publishCheckpoints?: boolean;
  /** Where to publish; default the connector's authority. */
  readonly checkpointAuthorityUrl?: string;
  /**
   * The data space's algorithms: "default" (SHA-256, Ed25519) or "sm" (SM3, SM2). Set the same on every
   * member and on the authority; a log keeps the hash it started with.
   */
  readonly algorithms?: EvidenceAlgorithms;
}

export interface DataServicesOptions {
  readonly dataplane?: DataPlaneSettings;
  readonly evidence?: EvidenceSettings;
  /** The connector's authority (default: connector.json's authorityUrl), where checkpoints are published. */
  readonly authorityUrl?: string;
  readonly clock?: Clock;
  readonly onError?: (error: unknown) => void;
  readonly env?: NodeJS.ProcessEnv;
}

export interface DataServices {
  readonly log: EvidenceLog;
  readonly scheduler: CheckpointScheduler;
  readonly meter: UsageMeter;
  readonly obligations: ObligationStore;
  readonly sources: SourceRegistry;
  /** A consumer's record of what providers said is left of its transfers (usage/left.ts). */
  readonly usageLeft: UsageLeftStore;
  /** What is left of a transfer's agreement: computed (provider) or last observed (consumer). */
  leftOf(record: TransferRecord): Promise<UsageLeft | ObservedUsageLeft | undefined>;
  /** For createControlPlane's `hooks`. */
  readonly hooks: ControlPlaneHooks;
  /** Connects the hooks to the control plane (before anything can use it). */
  attach(plane: ControlPlane): void;
  /** Mounts the data plane on the connector's public listener. */
  mount(): void;
  /** The management API's evidence and duty routes (the caller mounts them behind the key). */
  managementRoutes(): Router;
  /** Starts the checkpoint scheduler and resumes unfinished pushes (after the control plane started). */
  start(): Promise<void>;
  /** Stops the scheduler and waits for pushes and appends in flight (before the database closes). */
  close(): Promise<void>;
}

interface FileSettings {
  readonly authorityUrl?: string;
  readonly dataplane?: DataPlaneSettings;
  readonly evidence?: EvidenceSettings;
}

function credentialsFromEnv(env: NodeJS.ProcessEnv): Record<string, Record<string, string>> {
  const raw = env.SHUYU_DATAPLANE_CREDENTIALS;
  if (raw === undefined || raw.trim() === '') return {};
  try {
    const parsed = JSON.parse(raw) as unknown;
    if (parsed !== null && typeof parsed === 'object' && !Array.isArray(parsed)) {
      return parsed as Record<string, Record<string, string>>;
    }
  } catch {
    // reported below
  }
  throw new ConfigError('SHUYU_DATAPLANE_CREDENTIALS must be a JSON object {"name": {"header": "value"}}');
}

/** Opens the data plane and the evidence log of `connector` (its database has DATA_SERVICE_MIGRATIONS). */
export async function openDataServices(
  connector: RunningConnector,
  options: DataServicesOptions = {},
): Promise<DataServices> {
  const file = readConfigFile<FileSettings>(dataFile(connector.dataDir, CONNECTOR_CONFIG_FILE)) ?? {};
  const dataplane: DataPlaneSettings = { ...file.dataplane, ...options.dataplane };
  const evidence: EvidenceSettings = { ...file.evidence, ...options.evidence };
  const clock = options.clock ?? systemClock;
  const onError = options.onError ?? errorReporter(connector.logger, 'connector');
  const db = connector.db;

  const fileDirectories = (
    dataplane.fileDirectories ?? [dataFile(connector.dataDir, DEFAULT_FILE_DIRECTORY)]
  ).map((dir) => resolve(dir));
  if (dataplane.fileDirectories === undefined) {
    for (const dir of fileDirectories) mkdirSync(dir, { recursive: true, mode: 0o700 });
  }
  // A local data space (loopback DID hosts, see hostPolicyFor) talks to private addresses by design.
  const allowPrivateAddresses =
    dataplane.allowPrivateAddresses ?? connector.hostPolicy.allowHttpForLoopback === true;
  const sources = createSourceRegistry({
    file: { baseDirectories: fileDirectories },
    http: {
      allowHosts: dataplane.backendHosts ?? [],
      allowHttp: dataplane.allowHttpBackends === true,
      allowPrivateAddresses,
      credentials: { ...dataplane.backendCredentials, ...credentialsFromEnv(options.env ?? process.env) },
    },
  });
  const meter = new UsageMeter(db, { clock });
  const obligations = new ObligationStore(db, { clock });
  const algorithms = evidenceAlgorithmsFrom(evidence.algorithms, 'evidence.algorithms in connector.json');
  const log = await EvidenceLog.open(db, { logId: connector.did, clock, hash: evidenceHashOf(algorithms) });
  const checkpointSigner = (): CheckpointSigner => checkpointSignerFor(algorithms, connector.identity);
  const peerKeys = resolverKeys(connector.verifiers.resolver);
  const access = {
    sources,
    meter,
    obligations,
    clock,
    log: onError,
    ...(dataplane.notifier ? { notifier: dataplane.notifier } : {}),
  };
  const hooks = new ConnectorEvidence({
    log,
    signer: () => connector.identity.signer(),
    peerKeys,
    obligations,
    usage: new TransferUsageStore(db),
    signatures: new AgreementSignatureStore(db),
    access,
    publicUrl: connector.url,
    ...(dataplane.edrLifetimeSeconds !== undefined
      ? { edrLifetimeSeconds: dataplane.edrLifetimeSeconds }
      : {}),
    hostPolicy: connector.hostPolicy,
    allowPrivateAddresses,
    ...(dataplane.pushHosts !== undefined ? { pushHosts: dataplane.pushHosts } : {}),
    canInform: dataplane.notifier !== undefined,
    clock,
    onError,
  });

  const authorityUrl = evidence.checkpointAuthorityUrl ?? options.authorityUrl ?? file.authorityUrl;
  const publisher =
    evidence.publishCheckpoints === false || authorityUrl === undefined
      ? undefined
      : new CheckpointPublisher({
          log,
          authorityUrl,
          authorityDid: async () => (await connector.authority.info()).did,
          signer: () => connector.identity.signer(),
          keys: peerKeys,
        });
  let unsupportedReported = false;
  const publish = async (checkpoint: StoredCheckpoint): Promise<void> => {
    if (publisher === undefined) return;
    try {
      await publisher.publish(checkpoint);
    } catch (error) {
      // An authority without the checkpoint endpoint: said once, the checkpoints stay local.
      if (error instanceof CheckpointPublishError && error.status === 404) {
        if (!unsupportedReported) onError(new Error(`checkpoints are not countersigned: ${error.message}`));
        unsupportedReported = true;
        return;
      }
      onError(error);
    }
  };
  const scheduler = new CheckpointScheduler({
    log,
    signer: checkpointSigner,
    didDocument: () => connector.identity.didDocument(),
    intervalMs: evidence.checkpointIntervalMs ?? DEFAULT_CHECKPOINT_INTERVAL_MS,
    onCheckpoint: publish,
    onError,
  });

  const usageLeftStore = new UsageLeftStore(db);
  const leftOf = async (record: TransferRecord): Promise<UsageLeft | ObservedUsageLeft | undefined> => {
    if (record.role === 'consumer') return usageLeftStore.get(record.id);
    const view = await hooks.views.view(record.id);
    if (view === undefined) return undefined;
    const usage = await meter.usage(view.agreementId);
    return usageLeft(view.policy.policy, usage?.count ?? 0, usage?.firstUseAt);
  };

  let attached: ControlPlane | undefined;
  return {
    usageLeft: usageLeftStore,
    leftOf,
    log,
    scheduler,
    meter,
    obligations,
    sources,
    hooks,
    attach(plane) {
      attached = plane;
      hooks.attach(plane);
    },
    mount() {
      if (attached === undefined) throw new Error('attach the control plane before mounting its routes');
      const data: Router = createDataPlaneRouter({
        ...access,
        identity: connector.identity,
        lookupTransfer: (id) => hooks.views.view(id),
        publicUrl: connector.url,
        ...(dataplane.edrLifetimeSeconds !== undefined
          ? { edrLifetimeSeconds: dataplane.edrLifetimeSeconds }
          : {}),
        onAccess: (event) => hooks.recordAccess(event),
        admit: (consumerDid, res) => connector.rateLimits.admitDownload(consumerDid, res),
      });
      // Per remote address before the token is read; per consumer DID (admit) after.
      connector.routes.use('/data', connector.rateLimits.perAddress);
      connector.routes.use(data);
    },
    managementRoutes() {
      if (attached === undefined) throw new Error('attach the control plane before mounting its routes');
      const management = evidenceRoutes({
        log,
        scheduler,
        obligations,
        negotiations: attached.negotiations,
        signatures: new AgreementSignatureStore(db),
        transfersOf: async (agreementId) => {
          const plane = attached;
          return plane ? (await plane.transfers.list({ agreementId, limit: 500 })).map((t) => t.id) : [];
        },
      });
      management.use(
        usageLeftRoutes({
          transfer: async (id) => (await attached?.transfers.get(id)) ?? undefined,
          leftOf,
          store: usageLeftStore,
          clock,
        }),
      );
      management.use(managementErrors);
      return management;
    },
    async start() {
      await hooks.start();
      scheduler.start();
    },
    async close() {
      await scheduler.stop();
      await hooks.close();
    },
  };
}
