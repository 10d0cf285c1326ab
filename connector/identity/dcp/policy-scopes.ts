// The scopes a decision needs: a verifier asks a caller's Credential Service only for the credential
// types the policy at hand reads (DCP: "the verifier determines the scopes from the policy"). Each left
// operand's claims are found by reading it from a probe request (policies/operands/registry.ts stays the
// one place that knows where an operand reads), each claim's credential type from claims/map.ts. A
// MembershipCredential is always asked for; a policy that cannot be analysed (not compiled, an operand the
// engine does not know, a reference the request supplies) asks for every Shuyu type.
import { OPERANDS, type Constraint, type EvaluationRequest, type Policy } from '../../../policies/index.js';
import { CLAIM_SOURCES } from '../claims/map.js';
import { scopeForType, SHUYU_CREDENTIAL_TYPES } from './scopes.js';

type CredentialType = (typeof SHUYU_CREDENTIAL_TYPES)[number];

const ALL: ReadonlySet<CredentialType> = new Set(SHUYU_CREDENTIAL_TYPES);
const isShuyuType = (value: unknown): value is CredentialType => ALL.has(value as CredentialType);

/** Every Shuyu credential type's scope: what a verifier asks when it cannot tell what is needed. */
export const ALL_SCOPES: readonly string[] = SHUYU_CREDENTIAL_TYPES.map(scopeForType);
/** Membership alone: decisions that read no other claim. */
export const MEMBERSHIP_SCOPES: readonly string[] = [scopeForType('MembershipCredential')];

/** The claims (VerifiedClaims keys) an operand reads, found by reading it once from a recording request. */
function claimsReadBy(operand: string): string[] | undefined {
  const definition = OPERANDS.get(operand);
  if (definition === undefined) return undefined;
  const touched: string[] = [];
  const claims = new Proxy(
    {},
    {
      get: (_target, key) => {
        if (typeof key === 'string') touched.push(key);
        return undefined;
      },
    },
  );
  definition.read({ action: 'use', claims } as EvaluationRequest);
  return touched;
}

const CLAIMS_BY_OPERAND = new Map<string, string[] | undefined>(
  [...OPERANDS.keys()].map((name) => [name, claimsReadBy(name)]),
);

/** Adds the types one atomic constraint needs to `types`; false when it cannot be analysed. */
function addTypesOf(constraint: Constraint, types: Set<CredentialType>): boolean {
  if (constraint.kind === 'logical') return constraint.constraints.every((c) => addTypesOf(c, types));
  const claims = CLAIMS_BY_OPERAND.get(constraint.leftOperand);
  if (claims === undefined) return false;
  for (const claim of claims) {
    const source = (CLAIM_SOURCES as Record<string, string>)[claim];
    if (source === undefined) return false;
    if (source === 'token') continue;
    if (source !== 'named') {
      types.add(source as CredentialType);
      continue;
    }
    // credentialType: the types the constraint names (a type Shuyu does not map is never held).
    if (constraint.rightOperandReference !== undefined) return false;
    for (const value of constraint.rightOperand) {
      const named = 'value' in value ? value.value : undefined;
      if (isShuyuType(named)) types.add(named);
    }
  }
  return true;
}

/** Every constraint anywhere in the policy: rules, duties, remedies, consequences and refinements. */
function constraintsOf(node: unknown, found: Constraint[]): Constraint[] {
  if (Array.isArray(node)) {
    for (const item of node) constraintsOf(item, found);
  } else if (typeof node === 'object' && node !== null) {
    const kind = (node as { kind?: unknown }).kind;
    if (kind === 'atomic' || kind === 'logical') found.push(node as Constraint);
    else for (const value of Object.values(node)) constraintsOf(value, found);
  }
  return found;
}

const analysed = new WeakMap<Policy, ReadonlySet<CredentialType>>();

/** The credential types `policy` reads; every type when it cannot be analysed. */
export function credentialTypesReadBy(policy: Policy | undefined): ReadonlySet<CredentialType> {
  if (policy === undefined) return ALL;
  let types = analysed.get(policy);
  if (types === undefined) {
    const found = new Set<CredentialType>();
    types = constraintsOf(policy, []).every((c) => addTypesOf(c, found)) ? found : ALL;
    analysed.set(policy, types);
  }
  return types;
}

/** The scopes to query for a decision under these policies: membership and what any of them reads. */
export function scopesForPolicies(policies: Iterable<Policy | undefined>): string[] {
  const types = new Set<CredentialType>(['MembershipCredential']);
  for (const policy of policies) for (const type of credentialTypesReadBy(policy)) types.add(type);
  // Shuyu's order, so equal sets give equal lists.
  return SHUYU_CREDENTIAL_TYPES.filter((type) => types.has(type)).map(scopeForType);
}
