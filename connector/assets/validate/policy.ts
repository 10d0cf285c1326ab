// Checks an offer's two policies with the policy engine before anything is stored: compile errors
// refuse the write, lint warnings are handed back. On top of the engine's checks, the roles the
// policies play here impose a few rules of their own (see each check).

import { checkPolicy, type CompiledPolicy, type PolicyProblem } from '../../../policies/index.js';
import { inputPointer, type JsonObject } from '../../../policies/jsonld/canonicalize.js';
import type { Rule } from '../../../policies/model/types.js';
import type { FieldError } from '../errors.js';
import type { Fields } from './fields.js';

/** A policy that passed: its canonical form (what is stored and compiled again) and compiled form. */
export interface CheckedPolicy {
  readonly canonical: JsonObject;
  readonly compiled: CompiledPolicy;
}

/**
 * Warnings that do not apply to a stored offer: the registry gives every catalog offer its own id,
 * and targets are refused outright below.
 */
const IGNORED_WARNINGS = new Set(['LINT_NO_UID', 'LINT_OFFER_TARGET']);

export type PolicyRole = 'accessPolicy' | 'contractPolicy';

/** How strictly an offer is checked before it is published. */
export interface OfferCheckOptions {
  /**
   * Accept purposes, regions and sectors outside the vocabularies (a warning instead of an error).
   * Such a term matches only requests naming exactly it, so by default an offer with one is refused.
   */
  readonly allowUnknownTerms?: boolean;
}

export async function checkOfferPolicy(
  value: unknown,
  role: PolicyRole,
  f: Fields,
  warnings: FieldError[],
  options: OfferCheckOptions = {},
): Promise<CheckedPolicy | undefined> {
  const base = `/${role}`;
  if (value === undefined) {
    f.fail(base, 'required: an ODRL policy');
    return undefined;
  }
  const checked = await checkPolicy(value);
  const at = (p: PolicyProblem): FieldError => ({ pointer: base + p.path, reason: p.message, code: p.code });
  for (const p of checked.report) {
    if (p.severity === 'error') f.errors.push(at(p));
    else if (p.code === 'LINT_UNKNOWN_TERM' && !options.allowUnknownTerms)
      f.errors.push({
        ...at(p),
        code: 'ERR_UNKNOWN_TERM',
        reason: `${p.message} (publish with allowUnknown=true to accept it)`,
      });
    else if (!IGNORED_WARNINGS.has(p.code)) warnings.push(at(p));
  }
  const model = checked.policy.policy;
  const canonical = checked.canonical;
  if (!checked.ok || model === undefined || canonical === undefined) return undefined;
  const before = f.errors.length;
  const pointer = (canonicalPath: string): string => base + inputPointer(canonical, canonicalPath);
  const rules: readonly Rule[] = [...model.permissions, ...model.prohibitions, ...model.obligations];
  const targeted = rules.find((r) => r.target !== undefined);
  if (model.target !== undefined || targeted !== undefined) {
    const where = model.target !== undefined ? pointer('/target') : base + (targeted?.path ?? '');
    f.fail(
      where,
      role === 'accessPolicy'
        ? 'an access policy applies to every asset its offer selects: remove the target (choose assets with assetSelector)'
        : 'a catalog offer has no target (the dataset is its target): remove it, the negotiation adds it',
      'ERR_TARGET_NOT_ALLOWED',
    );
  }
  if (role === 'contractPolicy') {
    if (model.type !== 'Offer')
      f.fail(
        pointer('/type'),
        `expected an ODRL Offer (@type Offer), found ${model.type}`,
        'ERR_NOT_AN_OFFER',
      );
    const assigned = rules.find((r) => r.assigner !== undefined);
    if (model.assigner !== undefined || assigned !== undefined)
      f.fail(
        model.assigner !== undefined ? pointer('/assigner') : base + (assigned?.path ?? ''),
        'remove the assigner: the connector names itself (its DID) as the assigner of every offer',
        'ERR_ASSIGNER_NOT_ALLOWED',
      );
    if (model.permissions.length === 0 && model.prohibitions.length === 0)
      f.fail(base, 'a DSP offer needs at least one permission or prohibition', 'ERR_OFFER_EMPTY');
  }
  return f.errors.length === before ? { canonical: canonical.doc, compiled: checked.policy } : undefined;
}
