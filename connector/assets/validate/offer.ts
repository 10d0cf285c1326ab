// Checks an offer (contract definition) as the management API receives it: its fields, its asset
// selector and both policies (with the policy engine). Whether the selected assets exist is the
// store's check, inside its write transaction.

import { SECTORS, type Approval, type AssetSelector, type Offer } from '../types.js';
import type { FieldError } from '../errors.js';
import { child, Fields, invalidInput, isRecord, kindOf } from './fields.js';
import { checkOfferPolicy, type CheckedPolicy, type OfferCheckOptions } from './policy.js';

/** No `:` so that a DSP offer id can carry the offer id and the dataset id unambiguously (dsp.ts). */
export const OFFER_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,127}$/;

const OFFER_KEYS = ['id', 'assetSelector', 'accessPolicy', 'contractPolicy', 'approval'] as const;
const APPROVALS: readonly Approval[] = ['automatic', 'manual'];
/** An explicit list longer than this is better expressed by a sector, or by several offers. */
const MAX_SELECTED_IDS = 10_000;

export interface ParsedOffer {
  readonly offer: Offer;
  readonly access: CheckedPolicy;
  readonly contract: CheckedPolicy;
  /** Lint warnings of both policies, pointers into the offer (/accessPolicy/..., /contractPolicy/...). */
  readonly warnings: readonly FieldError[];
}

export async function parseOffer(input: unknown, options: OfferCheckOptions = {}): Promise<ParsedOffer> {
  const f = new Fields();
  if (!isRecord(input)) {
    f.fail('', `expected a JSON object, found ${kindOf(input)}`);
    throw invalidInput('ERR_OFFER_INVALID', 'offer', f);
  }
  f.onlyKeys(input, OFFER_KEYS, '');
  const id = f.string(input.id, '/id', {
    max: 128,
    pattern: OFFER_ID,
    what: 'an offer id (letters, digits, ".", "_", "-"; at most 128)',
  });
  const assetSelector = parseSelector(input.assetSelector, f);
  const approval =
    input.approval === undefined ? 'automatic' : f.oneOf(input.approval, APPROVALS, '/approval');
  const warnings: FieldError[] = [];
  const access = await checkOfferPolicy(input.accessPolicy, 'accessPolicy', f, warnings, options);
  const contract = await checkOfferPolicy(input.contractPolicy, 'contractPolicy', f, warnings, options);
  if (
    f.errors.length > 0 ||
    id === undefined ||
    assetSelector === undefined ||
    approval === undefined ||
    access === undefined ||
    contract === undefined
  )
    throw invalidInput('ERR_OFFER_INVALID', 'offer', f);
  const offer: Offer = {
    id,
    assetSelector,
    accessPolicy: structuredClone(input.accessPolicy),
    contractPolicy: structuredClone(input.contractPolicy),
    approval,
  };
  return { offer, access, contract, warnings };
}

function parseSelector(value: unknown, f: Fields): AssetSelector | undefined {
  const pointer = '/assetSelector';
  if (value === undefined) return {}; // all assets
  if (!isRecord(value)) {
    f.fail(pointer, `expected an object, found ${kindOf(value)}`);
    return undefined;
  }
  const before = f.errors.length;
  f.onlyKeys(value, ['assetIds', 'sector'], pointer);
  if (value.assetIds !== undefined && value.sector !== undefined) {
    f.fail(pointer, 'give assetIds or sector, not both (or neither, for all assets)');
    return undefined;
  }
  if (value.sector !== undefined) {
    const sector = f.oneOf(value.sector, SECTORS, child(pointer, 'sector'));
    return sector === undefined ? undefined : { sector };
  }
  if (value.assetIds !== undefined) {
    const ids = f.stringList(value.assetIds, child(pointer, 'assetIds'), {
      minItems: 1,
      maxItems: MAX_SELECTED_IDS,
      maxLength: 512,
    });
    return ids === undefined ? undefined : { assetIds: ids };
  }
  return f.errors.length === before ? {} : undefined;
}
