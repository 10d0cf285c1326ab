// Wires the control plane onto a running connector: stores on its database, the catalog, the
// negotiation and transfer services for both roles, the outbox worker that delivers their messages
// and the automation that takes the connector's own steps. The HTTP bindings (connector/dsp,
// connector/management) call these services; nothing here knows about express.

import { errorReporter, rootLogger, type Logger } from '../logging/index.js';
import { ProcessLog } from './process-log.js';
import {
  ASSET_MIGRATIONS,
  AssetStore,
  Catalog,
  type AssetStoreOptions,
  type CatalogOptions,
} from '../assets/index.js';
import { systemClock, type Clock, type HostPolicy } from '../identity/index.js';
import { NEGOTIATION_MIGRATIONS, NegotiationStore } from '../negotiation/index.js';
import {
  INBOX_MIGRATIONS,
  Inbox,
  OUTBOX_MIGRATIONS,
  OutboxWorker,
  type OutboxWorkerOptions,
} from '../outbox/index.js';
import type { Store, Migration } from '../store/database.js';
import { TRANSFER_MIGRATIONS, TransferStore } from '../transfer/index.js';
import { Automation } from './automation.js';
import { resolveAutomation, type AutomationSettings } from './automation-config.js';
import type { ControlPlaneHooks } from './hooks.js';
import type { ControlPlaneContext, ProcessKind, ProcessRecord } from './context.js';
import { deliveryHooks } from './delivery.js';
import { startHousekeeping, type Housekeeping } from './housekeeping.js';
import { ProcessTimeouts, type TimeoutSettings } from './timeouts.js';
import {
  pollWatchers,
  REPLICA_MIGRATIONS,
  resolveReplicaSettings,
  StaleWorkTakeover,
  WorkLeases,
  type ReplicaSettings,
} from './replicas.js';
import { NegotiationActions } from './negotiation/actions.js';
import { NegotiationProtocol } from './negotiation/protocol.js';
import { DspClient } from './peers/dsp-client.js';
import { createDspDeliver } from './peers/outbound.js';
import { PEER_FORMAT_MIGRATIONS, PeerFormats } from './peers/wire-formats.js';
import { TransferActions } from './transfer/actions.js';
import { TransferProtocol } from './transfer/protocol.js';

/** Every table the control plane needs, for Database.open / startConnector's `migrations`. */
export const CONTROL_PLANE_MIGRATIONS: readonly Migration[] = [
  ...ASSET_MIGRATIONS,
  ...NEGOTIATION_MIGRATIONS,
  ...TRANSFER_MIGRATIONS,
  ...OUTBOX_MIGRATIONS,
  ...INBOX_MIGRATIONS,
  ...PEER_FORMAT_MIGRATIONS,
  ...REPLICA_MIGRATIONS,
];

/** The DSP endpoints live below `<connector url>` + this path. */
export const DSP_PATH = '/dsp';

/** What the control plane needs of the connector process. */
export interface ConnectorHandle {
  readonly url: string;
  readonly did: string;
  /** Opened with CONTROL_PLANE_MIGRATIONS. */
  readonly db: Store;
  readonly hostPolicy: HostPolicy;
  requestTokenFor(audienceDid: string): Promise<string>;
}

export type OutboxTuning = Pick<
  OutboxWorkerOptions,
  | 'baseDelayMs'
  | 'maxDelayMs'
  | 'maxAttempts'
  | 'giveUpAfterMs'
  | 'pollIntervalMs'
  | 'deliveryTimeoutMs'
  | 'concurrency'
>;

export interface ControlPlaneOptions {
  /**
   * Which of the connector's own steps run by themselves (connector.json `automation`): "auto" (default),
   * "none" (no DSP message leaves without a management call) or per step; see automation-config.ts.
   */
  readonly automation?: AutomationSettings;
  /** Transfer formats offered for every dataset; default HttpData-PULL and HttpData-PUSH. */
  readonly transferFormats?: readonly string[];
  /** The member's registration for the catalog's DCAT-AP metadata (CatalogOptions.publisher). */
  readonly publisher?: CatalogOptions['publisher'];
  readonly outbox?: OutboxTuning;
  /** How long a process may wait on its counterparty before it is terminated; default 24 h each. */
  readonly timeouts?: TimeoutSettings;
  readonly clock?: Clock;
  /** For outgoing DSP requests; default httpFetch (node:http with keep-alive). */
  readonly fetch?: typeof fetch;
  /** Where state changes are logged (one info line each, a warning for a termination); default the process's. */
  readonly logger?: Logger;
  /** Unexpected failures of background work (delivery bookkeeping, automatic steps). */
  readonly onError?: (error: unknown) => void;
  /** The connector's additions: agreement signatures, evidence, endpoint data references, push. */
  readonly hooks?: ControlPlaneHooks;
  /** Refuses assets whose data address the data plane cannot serve (AssetStoreOptions.checkDataAddress). */
  readonly checkDataAddress?: AssetStoreOptions['checkDataAddress'];
  /**
   * Set when this process is one of several replicas of the connector sharing its database (connector.json
   * `replica`): leases, takeover of left-behind work, waiters that see other replicas' commits (replicas.ts).
   */
  readonly replica?: ReplicaSettings;
}

export interface ControlPlane {
  readonly context: ControlPlaneContext;
  readonly assets: AssetStore;
  readonly catalog: Catalog;
  readonly negotiations: NegotiationStore;
  readonly transfers: TransferStore;
  /** Messages peers send (DSP bindings call these). */
  readonly negotiationProtocol: NegotiationProtocol;
  readonly transferProtocol: TransferProtocol;
  /** What this connector does itself (management API and automation call these). */
  readonly negotiationActions: NegotiationActions;
  readonly transferActions: TransferActions;
  /** Synchronous DSP reads of other connectors (their catalogs). */
  readonly client: DspClient;
  readonly worker: OutboxWorker;
  readonly automation: Automation;
  /** With replicas: leases on pieces of work, and the takeover of work a dead replica left (replicas.ts). */
  readonly workLeases?: WorkLeases;
  readonly takeover?: StaleWorkTakeover;
  /**
   * Calls `listener` after every committed change to the negotiation or transfer `id` (a state change,
   * an operator's or a peer's), until the returned function is called. For waiting without polling.
   */
  watch(kind: ProcessKind, id: string, listener: (record?: ProcessRecord) => void): () => void;
  /** Starts delivering and resumes every process left waiting for an automatic step. */
  start(): Promise<void>;
  /** Stops the automation and the worker, waiting for steps and deliveries in flight. */
  close(): Promise<void>;
}

export function createControlPlane(
  connector: ConnectorHandle,
  options: ControlPlaneOptions = {},
): ControlPlane {
  const clock = options.clock ?? systemClock;
  const replica = options.replica === undefined ? undefined : resolveReplicaSettings(options.replica);
  const modes = resolveAutomation(options.automation);
  const onError = options.onError ?? errorReporter(rootLogger(), 'control plane');
  const dspBase = `${connector.url}${DSP_PATH}`;
  const transferFormats = options.transferFormats ?? ['HttpData-PULL', 'HttpData-PUSH'];
  const assets = new AssetStore(connector.db, {
    clock,
    ...(options.checkDataAddress ? { checkDataAddress: options.checkDataAddress } : {}),
    // Another replica's asset and offer writes reach this one's catalog at its next read.
    ...(replica ? { sharedDatabase: true } : {}),
  });
  const catalog = new Catalog(assets, {
    participantId: connector.did,
    endpointURL: dspBase,
    transferFormats,
    now: () => clock().getTime(),
    ...(options.publisher === undefined ? {} : { publisher: options.publisher }),
  });
  const processLog = new ProcessLog(options.logger ?? rootLogger());
  const negotiationChanged = options.hooks?.negotiationChanged?.bind(options.hooks);
  const negotiations = new NegotiationStore(connector.db, {
    now: clock,
    onTransition: async (q, from, record) => {
      processLog.negotiationChanged(from, record);
      await negotiationChanged?.(q, from, record);
    },
  });
  const transferChanged = options.hooks?.transferChanged?.bind(options.hooks);
  const transfers = new TransferStore(connector.db, {
    now: clock,
    onTransition: async (q, from, record) => {
      processLog.transferChanged(from, record);
      await transferChanged?.(q, from, record);
    },
  });
  let housekeeping: Housekeeping | undefined;
  // Filled in below: the context's hook needs the worker and the automation, which need the context.
  let onCommitted: ControlPlaneContext['committed'] = () => undefined;
  const watchers = new Map<string, Set<(record?: ProcessRecord) => void>>();
  const context: ControlPlaneContext = {
    did: connector.did,
    url: connector.url,
    dspBase,
    db: connector.db,
    negotiations,
    transfers,
    inbox: new Inbox(connector.db, { now: clock }),
    assets,
    catalog,
    hostPolicy: connector.hostPolicy,
    clock,
    transferFormats,
    peerFormats: new PeerFormats(connector.db, clock),
    ...(options.hooks ? { hooks: options.hooks } : {}),
    committed: (kind, id, commit) => onCommitted(kind, id, commit),
    watch(kind, id, listener) {
      const key = `${kind} ${id}`;
      let listeners = watchers.get(key);
      if (listeners === undefined) watchers.set(key, (listeners = new Set()));
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
        if (listeners.size === 0 && watchers.get(key) === listeners) watchers.delete(key);
      };
    },
  };
  const negotiationActions = new NegotiationActions(context);
  const transferActions = new TransferActions(context);
  const hooks = deliveryHooks(context, (did) => connector.requestTokenFor(did), options.fetch);
  const worker = new OutboxWorker(connector.db, {
    // Deliveries wait on peers, not on us: many negotiations in flight at once (the worker's default is 4).
    concurrency: 32,
    // Replicas look for entries a killed replica left leased at every renewal interval.
    ...(replica
      ? {
          replicaId: replica.id,
          leaseMs: replica.leaseMs,
          renewMs: replica.renewMs,
          pollIntervalMs: replica.renewMs,
        }
      : {}),
    ...options.outbox,
    deliver: createDspDeliver({
      hostPolicy: connector.hostPolicy,
      tokenFor: hooks.tokenFor,
      onResponse: hooks.onResponse,
      peerHasIt: hooks.peerHasIt,
      ...(options.fetch ? { fetch: options.fetch } : {}),
    }),
    superseded: hooks.superseded,
    // An entry whose record kept the version it was queued with is not superseded (checked in the claim).
    versionedBy: ['negotiation', 'transfer'],
    onGiveUp: hooks.onGiveUp,
    onError,
    now: clock,
  });
  const automation = new Automation({
    negotiations,
    transfers,
    negotiationActions,
    transferActions,
    modes,
    onError,
  });
  const timeouts = new ProcessTimeouts(context, options.timeouts ?? {}, onError);
  const workLeases = replica && new WorkLeases(connector.db, replica, clock);
  const takeover = workLeases && new StaleWorkTakeover(workLeases, automation, onError);
  let watcherPoll: { stop(): void } | undefined;
  onCommitted = (kind, id, commit = {}) => {
    processLog.committed(kind, id);
    if (commit.queued !== undefined) worker.offer(commit.queued);
    else if (commit.sent !== false) worker.wake();
    automation.kick(kind, id, commit.record);
    timeouts.committed(kind, commit.record);
    options.hooks?.committed?.(kind, id);
    const listeners = watchers.get(`${kind} ${id}`);
    if (listeners !== undefined) {
      for (const listener of [...listeners]) {
        try {
          listener(commit.record);
        } catch (e) {
          onError(e);
        }
      }
    }
  };
  return {
    context,
    assets,
    catalog,
    negotiations,
    transfers,
    negotiationProtocol: new NegotiationProtocol(context),
    transferProtocol: new TransferProtocol(context),
    negotiationActions,
    transferActions,
    client: new DspClient({
      hostPolicy: connector.hostPolicy,
      tokenFor: (did) => connector.requestTokenFor(did),
      ...(options.fetch ? { fetch: options.fetch } : {}),
    }),
    worker,
    automation,
    ...(workLeases && takeover ? { workLeases, takeover } : {}),
    watch: context.watch,
    async start() {
      worker.start();
      housekeeping = startHousekeeping(connector.db, context.inbox, clock, onError);
      await automation.resume();
      // Deadlines are stored timestamps: what expired while we were down ends now.
      await timeouts.sweep();
      takeover?.start();
      if (replica) watcherPoll = pollWatchers(watchers, replica.renewMs, onError);
    },
    async close() {
      housekeeping?.stop();
      timeouts.stop();
      watcherPoll?.stop();
      await takeover?.stop();
      await automation.close();
      await worker.stop();
    },
  };
}
