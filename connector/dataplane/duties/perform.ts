// Which duties the provider performs itself, and how. `anonymize` is performed when the asset names
// the columns to remove (`dataAddress.anonymize.columns`) and the data is CSV; `inform` when a usage
// notifier is configured. Every other duty (attribute, compensate, delete, ...) is the consumer's.
import type { DutyOutcome } from '../../../policies/index.js';
import { DataPlaneError } from '../errors.js';
import type { DataAddressLike } from '../sources/types.js';
import type { Performer } from './obligations.js';

export interface AnonymisationConfig {
  /** Header names of the columns to remove. */
  readonly columns: readonly string[];
  readonly delimiter?: string;
}

/** What a notifier is told when a duty asks the provider to inform someone of a use. */
export interface UsageNotification {
  readonly agreementId: string;
  readonly transferId: string;
  readonly consumerDid: string;
  /** Accesses so far, this one included. */
  readonly count: number;
  readonly at: Date;
  /** The `inform` duty (its parties name whom to inform: informedParty). */
  readonly duty: DutyOutcome;
}

/** Delivers a usage notification (webhook, mail, evidence log...). A rejection leaves the duty pending. */
export type UsageNotifier = (notification: UsageNotification) => void | Promise<void>;

export const ANONYMISE_ACTION = 'anonymize';
export const INFORM_ACTION = 'inform';

/** The address's anonymisation settings, or undefined when it has none. */
export function anonymisationOf(address: DataAddressLike): AnonymisationConfig | undefined {
  const value = address.anonymize;
  if (value === undefined) return undefined;
  const config = value as { columns?: unknown; delimiter?: unknown } | null;
  const columns = config?.columns;
  if (
    !Array.isArray(columns) ||
    columns.length === 0 ||
    !columns.every((c) => typeof c === 'string' && c.trim().length > 0) ||
    (config?.delimiter !== undefined &&
      (typeof config.delimiter !== 'string' || config.delimiter.length !== 1))
  ) {
    throw new DataPlaneError(
      'ERR_SOURCE_ADDRESS_INVALID',
      'The data address has "anonymize" that is not {columns: [names...], delimiter?}; fix the asset.',
    );
  }
  return {
    columns: columns as string[],
    ...(typeof config?.delimiter === 'string' ? { delimiter: config.delimiter } : {}),
  };
}

export function isCsv(contentType: string): boolean {
  return /^text\/csv\b/i.test(contentType.trim());
}

export interface ProviderAbilities {
  readonly canAnonymise: boolean;
  readonly canInform: boolean;
}

export function performerOf(duty: DutyOutcome, abilities: ProviderAbilities): Performer {
  if (duty.action === ANONYMISE_ACTION && abilities.canAnonymise) return 'provider';
  if (duty.action === INFORM_ACTION && abilities.canInform) return 'provider';
  return 'consumer';
}
