// One access to a transfer's data, as the pull router and push both perform it: open the source (a
// range past the end fails here, before anything is counted), count and decide the access under the
// agreement's policy, then perform the provider's duties (anonymise the stream, notify) and record
// the rest for the consumer. Whoever gets the AuthorizedData must consume or destroy its stream.
import { errorReporter, rootLogger } from '../logging/index.js';
import { pipeline } from 'node:stream';
import { systemClock, type Clock } from '../identity/clock.js';
import type { DutyOutcome } from '../../policies/index.js';
import { createCsvColumnRemover } from './duties/csv-anonymise.js';
import { dutyKey, type ObligationStore } from './duties/obligations.js';
import {
  ANONYMISE_ACTION,
  INFORM_ACTION,
  anonymisationOf,
  isCsv,
  performerOf,
  type AnonymisationConfig,
  type ProviderAbilities,
  type UsageNotifier,
} from './duties/perform.js';
import type { RequestedRange } from './range.js';
import type { SourceRegistry } from './sources/registry.js';
import type { DataSource, OpenedData } from './sources/types.js';
import type { TransferView } from './types.js';
import { usageLeft, type UsageLeft } from './usage/left.js';
import type { AccessGrant, UsageMeter } from './usage/meter.js';

export interface AccessServices {
  readonly sources: SourceRegistry;
  readonly meter: UsageMeter;
  /** Records duties and feeds their states back into decisions; without it duties are only performed. */
  readonly obligations?: ObligationStore;
  readonly notifier?: UsageNotifier;
  readonly clock?: Clock;
  /** The ODRL action an access asks for (default `read`). */
  readonly action?: string;
  /** Unexpected failures that do not stop the access (a notifier that threw). */
  readonly log?: (error: unknown) => void;
}

export interface AccessRequest {
  readonly transferId: string;
  readonly transfer: TransferView;
  readonly range?: RequestedRange;
  /** The If-Range validator: the range is served only while the ETag still matches it. */
  readonly ifRange?: string;
  /** Decide and describe only (HEAD): nothing is counted, performed or recorded. */
  readonly dryRun?: boolean;
  readonly signal?: AbortSignal;
}

export interface AuthorizedData {
  readonly data: OpenedData;
  readonly grant: AccessGrant;
  /** Actions of the duties the provider performed for this access. */
  readonly performed: readonly string[];
  /** False when the bytes are transformed (ranges of the original would not match them). */
  readonly acceptsRanges: boolean;
  /** Uses and time left after this access (a HEAD's: as they stand), for the consumer. */
  readonly left: UsageLeft;
}

async function openWithIfRange(source: DataSource, request: AccessRequest, range?: RequestedRange) {
  const options = request.signal ? { signal: request.signal } : {};
  const data = await source.open(range, options);
  // If-Range: a changed (or weak, or date) validator means "send everything" (RFC 9110 §13.1.5).
  const stale =
    data.range !== undefined &&
    request.ifRange !== undefined &&
    (data.etag === undefined || data.etag.startsWith('W/') || data.etag !== request.ifRange);
  if (!stale) return data;
  data.stream.destroy();
  return source.open(undefined, options);
}

function anonymised(data: OpenedData, config: AnonymisationConfig): OpenedData {
  const transform = createCsvColumnRemover(
    config.columns,
    config.delimiter !== undefined ? { delimiter: config.delimiter } : {},
  );
  // Errors flow downstream and a destroyed consumer destroys the source; the router sees both.
  pipeline(data.stream, transform, () => undefined);
  return {
    stream: transform,
    contentType: data.contentType,
    ...(data.etag !== undefined ? { etag: `W/${data.etag.replace(/^W\//, '')}` } : {}),
  };
}

export async function openAuthorizedData(
  services: AccessServices,
  request: AccessRequest,
): Promise<AuthorizedData> {
  const { transfer } = request;
  const source = services.sources.resolve(transfer.dataAddress);
  const anonymisation = anonymisationOf(transfer.dataAddress);
  // Anonymised bytes differ from the source's, so a range of them cannot be cut from the source.
  const data = await openWithIfRange(source, request, anonymisation ? undefined : request.range);
  try {
    const now = (services.clock ?? systemClock)();
    const dryRun = request.dryRun === true;
    const { obligations } = services;
    if (obligations && !dryRun) await obligations.markOverdue(now, transfer.agreementId);
    const duties = obligations ? await obligations.reportedStates(transfer.agreementId) : undefined;
    const grant = await services.meter.authorizeAccess(
      transfer.policy,
      {
        agreementId: transfer.agreementId,
        consumerDid: transfer.consumerDid,
        now,
        ...(services.action !== undefined ? { action: services.action } : {}),
        ...(transfer.target !== undefined ? { target: transfer.target } : {}),
        ...(transfer.assigner !== undefined ? { assigner: transfer.assigner } : {}),
        ...(transfer.asset !== undefined ? { asset: transfer.asset } : {}),
        ...(transfer.claims !== undefined ? { claims: transfer.claims } : {}),
        ...(transfer.purpose !== undefined ? { purpose: transfer.purpose } : {}),
        ...(transfer.spatial !== undefined ? { spatial: transfer.spatial } : {}),
        ...(duties !== undefined ? { duties } : {}),
      },
      { dryRun },
    );
    const abilities: ProviderAbilities = {
      canAnonymise: anonymisation !== undefined && isCsv(data.contentType),
      canInform: services.notifier !== undefined,
    };
    const mustAnonymise = abilities.canAnonymise && grant.duties.some((d) => d.action === ANONYMISE_ACTION);
    const served = mustAnonymise && anonymisation ? anonymised(data, anonymisation) : data;
    // A HEAD decides as if the access happened but counts nothing: what is left stands as it was.
    const left = usageLeft(transfer.policy.policy, dryRun ? grant.count - 1 : grant.count, grant.firstUseAt);
    const result = {
      data: served,
      grant,
      left,
      acceptsRanges: !mustAnonymise && anonymisation === undefined,
    };
    if (dryRun) return { ...result, performed: [] };

    const performed: DutyOutcome[] = grant.duties.filter(
      (d) => d.action === ANONYMISE_ACTION && mustAnonymise,
    );
    for (const duty of grant.duties.filter((d) => d.action === INFORM_ACTION)) {
      if (await notify(services, request, grant, duty)) performed.push(duty);
    }
    if (obligations) {
      await obligations.record(transfer.agreementId, grant.duties, {
        ...(transfer.policy.policy !== undefined ? { policy: transfer.policy.policy } : {}),
        firstUseAt: grant.firstUseAt,
        performerOf: (duty) => performerOf(duty, abilities),
      });
      for (const duty of performed)
        await obligations.setState(transfer.agreementId, dutyKey(duty), 'fulfilled');
    }
    return { ...result, performed: performed.map((d) => d.action) };
  } catch (error) {
    data.stream.destroy();
    throw error;
  }
}

async function notify(
  services: AccessServices,
  request: AccessRequest,
  grant: AccessGrant,
  duty: DutyOutcome,
): Promise<boolean> {
  if (!services.notifier) return false;
  try {
    await services.notifier({
      agreementId: request.transfer.agreementId,
      transferId: request.transferId,
      consumerDid: request.transfer.consumerDid,
      count: grant.count,
      at: (services.clock ?? systemClock)(),
      duty,
    });
    return true;
  } catch (error) {
    (services.log ?? errorReporter(rootLogger(), 'data plane'))(error);
    return false;
  }
}
