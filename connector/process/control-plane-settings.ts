// The control plane's settings in connector.json: how long a message to a peer is retried
// (`delivery`) and how long a process may wait on its counterparty (`timeouts`), e.g.
//
//   "delivery": { "giveUpAfterMs": 600000 },
//   "timeouts": { "negotiationMs": 86400000, "transferMs": 86400000 }
//
// Both optional; the defaults are 10 minutes and 24 hours. Bad values stop the start with a reason.
// `"replica": { "leaseMs": 3000, "renewMs": 1000 }` (or `{}` for those defaults) marks a connector run as
// several processes sharing one database (docs/operations.md, control-plane/replicas.ts).
import { ConfigError, dataFile, readConfigFile } from './config.js';
import { CONNECTOR_CONFIG_FILE } from './connector.js';

export interface DeliverySettings {
  /** How long after it was queued a message is retried before the process is terminated. */
  readonly giveUpAfterMs?: number;
}

export interface TimeoutSettings {
  /** How long a negotiation may wait on the counterparty (e.g. an AGREED provider for the verification). */
  readonly negotiationMs?: number;
  /** How long a transfer may wait on the counterparty (a REQUESTED consumer for the start). */
  readonly transferMs?: number;
}

export interface ReplicaConfig {
  /** How long claimed work stays with a replica without renewal (the takeover delay). */
  readonly leaseMs?: number;
  /** How often leases are renewed and left-behind work is looked for. */
  readonly renewMs?: number;
}

export interface ControlPlaneSettings {
  readonly delivery: DeliverySettings;
  readonly timeouts: TimeoutSettings;
  /** Set when the connector runs as replicas sharing its database. */
  readonly replica?: ReplicaConfig;
}

/**
 * Reads and checks `delivery` and `timeouts` from `<dataDir>/connector.json`; `given` (e.g. from
 * `shuyu connector start --config FILE`, before it is written there) replaces the file's.
 */
export function readControlPlaneSettings(
  dataDir: string,
  given: { readonly delivery?: unknown; readonly timeouts?: unknown; readonly replica?: unknown } = {},
): ControlPlaneSettings {
  const file = readConfigFile<Record<string, unknown>>(dataFile(dataDir, CONNECTOR_CONFIG_FILE)) ?? {};
  const replica = given.replica ?? file.replica;
  const settings = {
    delivery: durations(given.delivery ?? file.delivery, 'delivery', ['giveUpAfterMs']),
    timeouts: durations(given.timeouts ?? file.timeouts, 'timeouts', ['negotiationMs', 'transferMs']),
    ...(replica === undefined ? {} : { replica: durations(replica, 'replica', ['leaseMs', 'renewMs']) }),
  };
  const { leaseMs = 3000, renewMs = Math.min(1000, Math.floor(leaseMs / 3)) } = settings.replica ?? {};
  if (settings.replica !== undefined && (renewMs >= leaseMs || renewMs < 1)) {
    throw new ConfigError(
      `"replica.renewMs" (${renewMs}) in ${CONNECTOR_CONFIG_FILE} must be shorter than "replica.leaseMs" (${leaseMs}).`,
    );
  }
  return settings;
}

function durations(value: unknown, key: string, names: readonly string[]): Record<string, number> {
  if (value === undefined) return {};
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new ConfigError(`"${key}" in ${CONNECTOR_CONFIG_FILE} must be an object with ${names.join(', ')}.`);
  }
  const result: Record<string, number> = {};
  for (const [name, ms] of Object.entries(value)) {
    if (!names.includes(name)) {
      throw new ConfigError(
        `"${key}.${name}" in ${CONNECTOR_CONFIG_FILE} is unknown; use ${names.join(', ')}.`,
      );
    }
    if (typeof ms !== 'number' || !Number.isInteger(ms) || ms < 1) {
      throw new ConfigError(
        `"${key}.${name}" in ${CONNECTOR_CONFIG_FILE} must be a positive number of milliseconds, not ${JSON.stringify(ms)}.`,
      );
    }
    result[name] = ms;
  }
  return result;
}
