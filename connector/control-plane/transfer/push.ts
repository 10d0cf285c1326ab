// HTTP push, provider side: once a push transfer has STARTED (and the change has committed), its data is
// streamed to the endpoint the consumer named in its TransferRequestMessage, with the authorization it
// gave, under usage control (one counted access, decided by the agreement's policy). Then the transfer is
// completed; a refused or failed push terminates it with the reason (automation step completePush; when
// it is manual, the transfer stays STARTED, the outcome is in the evidence log, and the operator decides).
// A transfer left STARTED by a crash is pushed again at start-up (delivery is at least once: the
// consumer's endpoint may see the data twice).

import { errorReporter, rootLogger } from '../../logging/index.js';
import type { AccessServices } from '../../dataplane/access.js';
import { DataPlaneError, isDataPlaneError, pushTransfer } from '../../dataplane/index.js';
import { dataPlaneProblem, isOperatorProblem } from '../../dataplane/http/problems.js';
import type { AccessEvent } from '../../dataplane/http/router.js';
import { readDataAddress, type DataAddress } from '../../dsp/messages/index.js';
import { isHostAllowed, systemClock, type Clock, type HostPolicy } from '../../identity/index.js';
import { ProcessError } from '../../negotiation/index.js';
import type { TransferRecord, TransferStore } from '../../transfer/index.js';
import type { TransferActions } from './actions.js';
import { isPushFormat } from './data-address.js';
import type { ProviderTransferViews } from './provider-view.js';
import type { WorkLeases } from '../replicas.js';

/** Provider push transfers STARTED and not pushed since `?` (a takeover source: replicas.ts). */
export const STARTED_PUSHES = `SELECT 'push ' || id AS resource FROM transfer
  WHERE role = 'provider' AND state = 'STARTED' AND reason IS NULL AND UPPER(format) LIKE '%-PUSH'
    AND updated_at <= ?`;

export interface PushRunnerOptions {
  /** With replicas: each push holds a lease, so one replica pushes a transfer at a time. */
  readonly leases?: WorkLeases;
  readonly access: AccessServices;
  readonly views: ProviderTransferViews;
  readonly transfers: TransferStore;
  /** The control plane's actions (known once the control plane exists). */
  readonly actions: () => TransferActions | undefined;
  /**
   * Whether the push's outcome ends the transfer by itself (automation step completePush, default yes);
   * otherwise the transfer stays STARTED and the operator completes or terminates it.
   */
  readonly settles?: () => boolean;
  /** Hosts the provider may push to (the connector's didHosts). */
  readonly hostPolicy: HostPolicy;
  /** Allow endpoints on loopback or private addresses (local data spaces). */
  readonly allowPrivateAddresses?: boolean;
  /**
   * Hosts push endpoints may be on besides the consumer's own DSP endpoint host:port (config
   * `dataplane.pushHosts`: `host`, `host:port`, `*.example.com`). Default none.
   */
  readonly pushHosts?: readonly string[];
  /** Every push attempt, as the pull router reports its accesses (evidence). */
  readonly onAccess?: (event: AccessEvent) => void;
  readonly onError?: (error: unknown) => void;
  readonly clock?: Clock;
  readonly timeoutMs?: number;
}

export function isProviderPush(record: TransferRecord): boolean {
  return record.role === 'provider' && isPushFormat(record.format);
}

/** The Authorization header for the consumer's endpoint: a bare bearer token gets its scheme. */
function authorizationOf(address: DataAddress): { endpoint?: string; authorization?: string } {
  const view = readDataAddress(address);
  let authorization = view.authorization;
  const bearer = /^bearer$/i.test(view.properties.authType ?? 'bearer');
  if (authorization !== undefined && bearer && !/^bearer\s/i.test(authorization)) {
    authorization = `Bearer ${authorization}`;
  }
  return {
    ...(view.endpoint !== undefined ? { endpoint: view.endpoint } : {}),
    ...(authorization !== undefined ? { authorization } : {}),
  };
}

/**
 * A consumer names where we PUT its data, with its authorization header: without a limit it could point us
 * at any service we reach (another loopback port, an internal API). The endpoint must be on the host:port of
 * the consumer's own DSP endpoint (the callbackAddress it negotiated with), or allowed by the operator.
 */
export function checkPushTarget(
  endpoint: string,
  counterPartyAddress: string,
  pushHosts: readonly string[],
): void {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new DataPlaneError('ERR_PUSH_REFUSED', 'The consumer gave a push endpoint that is not a URL.');
  }
  const own = new URL(counterPartyAddress);
  if (url.protocol === own.protocol && url.host === own.host) return;
  if (isHostAllowed({ allow: pushHosts }, url)) return;
  throw new DataPlaneError(
    'ERR_PUSH_REFUSED',
    `The push endpoint ${url.origin} is not on the consumer's DSP endpoint (${own.origin}) nor among the ` +
      "provider's dataplane.pushHosts; push to your connector's own host or ask the provider's operator to allow it.",
  );
}

export class PushRunner {
  private readonly running = new Map<string, Promise<void>>();
  private closed = false;

  constructor(private readonly options: PushRunnerOptions) {}

  /** Pushes transfer `id` in the background if it is a started provider push transfer (once at a time). */
  run(id: string): void {
    if (this.closed || this.running.has(id)) return;
    const leases = this.options.leases;
    const work = (leases ? leases.hold(`push ${id}`, () => this.push(id)) : this.push(id))
      .catch((error: unknown) => (this.options.onError ?? errorReporter(rootLogger(), 'push'))(error))
      .finally(() => this.running.delete(id));
    this.running.set(id, work);
  }

  /** Pushes every started provider push transfer (after a restart). */
  async resume(): Promise<number> {
    const started = await this.options.transfers.list({ role: 'provider', state: 'STARTED', limit: 500 });
    const pushes = started.filter(isProviderPush);
    for (const record of pushes) this.run(record.id);
    return pushes.length;
  }

  /** Stops taking new pushes and waits for those in flight. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.running.size > 0) await Promise.allSettled([...this.running.values()]);
  }

  private async push(id: string): Promise<void> {
    const { options } = this;
    const record = await options.transfers.get(id);
    if (record === undefined || !isProviderPush(record) || record.state !== 'STARTED') return;
    if (record.reason !== null) return; // resumed against its agreement: ended by refuseTransfer instead
    const view = await options.views.view(id);
    const target =
      record.dataAddress === null ? {} : authorizationOf(record.dataAddress as unknown as DataAddress);
    const at = (): Date => (options.clock ?? systemClock)();
    const base = {
      transferId: id,
      agreementId: record.agreementId,
      consumerDid: record.counterPartyId,
      method: 'PUSH',
    };
    try {
      if (view === undefined) {
        throw new DataPlaneError(
          'ERR_TRANSFER_UNKNOWN',
          'The transfer has no finalized agreement or no asset any more; request a new transfer.',
        );
      }
      if (target.endpoint === undefined) {
        throw new DataPlaneError(
          'ERR_PUSH_REFUSED',
          'The consumer gave no endpoint to push to; request the transfer again with a dataAddress.',
        );
      }
      checkPushTarget(target.endpoint, record.counterPartyAddress, options.pushHosts ?? []);
      const result = await pushTransfer(
        options.access,
        { transferId: id, view },
        {
          url: target.endpoint,
          ...(target.authorization !== undefined ? { authorization: target.authorization } : {}),
          hostPolicy: options.hostPolicy,
          ...(options.allowPrivateAddresses !== undefined
            ? { allowPrivateAddresses: options.allowPrivateAddresses }
            : {}),
          ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
        },
      );
      options.onAccess?.({
        ...base,
        status: result.status,
        outcome: 'served',
        bytes: result.bytes,
        count: result.grant.count,
        at: at(),
      });
      if (options.settles?.() ?? true) await this.settle(() => options.actions()?.complete(id));
    } catch (error) {
      if (!isDataPlaneError(error)) throw error;
      // What the consumer is told never names the provider's files or backends (see dataplane/http).
      const problem = dataPlaneProblem(error);
      const refused = error.code === 'ERR_USAGE_DENIED' || error.code === 'ERR_TRANSFER_NOT_ACTIVE';
      options.onAccess?.({
        ...base,
        status: problem.status,
        outcome: refused ? 'refused' : 'failed',
        bytes: 0,
        code: error.code,
        reason: problem.detail,
        at: at(),
      });
      if (error.code === 'ERR_TRANSFER_NOT_ACTIVE') return; // suspended or ended meanwhile
      if (isOperatorProblem(problem)) (options.onError ?? errorReporter(rootLogger(), 'push'))(error);
      const reason = `the push failed: ${problem.detail}`;
      if (!(options.settles?.() ?? true)) return; // the evidence log has the failure; the operator decides
      await this.settle(() =>
        options
          .actions()
          ?.terminate(id, reason, error.code === 'ERR_USAGE_DENIED' ? 'policy-denied' : 'push-failed'),
      );
    }
  }

  /** Runs a state change that someone else (the consumer, the operator) may have made first. */
  private async settle(change: () => Promise<unknown> | undefined): Promise<void> {
    try {
      await change();
    } catch (error) {
      if (
        error instanceof ProcessError &&
        ['ERR_INVALID_TRANSITION', 'ERR_VERSION_CONFLICT'].includes(error.code)
      )
        return;
      throw error;
    }
  }
}
