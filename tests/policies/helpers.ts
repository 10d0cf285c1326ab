// Shared fixtures for the policy-engine tests: a fixed request time, small policy builders and
// assertions that compile a policy (failing loudly when it does not) before deciding a request.
import { expect } from 'chai';
import {
  compilePolicy,
  type CompiledPolicy,
  type Decision,
  type DecisionCode,
  type DecisionValue,
  type EvaluationRequest,
  type PolicyProblem,
} from '../../policies/index.js';

/** The fixed "now" of every request in these tests: never the wall clock. */
export const T = '2026-06-01T00:00:00Z';
export const T_MS = Date.parse(T);

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

/** A request for `use` at the fixed time, with extra fields. */
export function req(extra: Partial<EvaluationRequest> = {}): EvaluationRequest {
  return { action: 'use', time: T, ...extra };
}

/** An atomic constraint. */
export function c(
  leftOperand: string,
  operator: string,
  rightOperand: Json,
  extra: JsonObject = {},
): JsonObject {
  return { leftOperand, operator, rightOperand, ...extra };
}

/** A typed literal {"@value", "@type"}. */
export function typed(value: string, type: string): JsonObject {
  return { '@value': value, '@type': type };
}

/** A Set policy with one `use` permission carrying the given constraints. */
export function permissionWith(
  constraints: Json[],
  rule: JsonObject = {},
  policy: JsonObject = {},
): JsonObject {
  return {
    uid: 'urn:test:policy',
    permission: [{ action: 'use', constraint: constraints, ...rule }],
    ...policy,
  };
}

/** Compiles and insists that the policy compiled without problems. */
export async function compiled(policy: unknown): Promise<CompiledPolicy> {
  const result = await compilePolicy(policy);
  expect(result.problems, JSON.stringify(result.problems)).to.deep.equal([]);
  expect(result.ok).to.equal(true);
  return result.policy;
}

/** Compiles (must succeed) and decides one request. */
export async function decide(policy: unknown, request: EvaluationRequest): Promise<Decision> {
  return (await compiled(policy)).evaluate(request);
}

/** Asserts the decision value and code (and that a non-permit carries no duties). */
export function expectDecision(d: Decision, decision: DecisionValue, code: DecisionCode): void {
  expect({ decision: d.decision, code: d.code }).to.deep.equal({ decision, code });
  expect(d.permitted).to.equal(decision === 'permit');
  if (decision !== 'permit') expect(d.duties).to.deep.equal([]);
}

/** Compiles (must fail) and returns the problems. */
export async function problemsOf(policy: unknown): Promise<readonly PolicyProblem[]> {
  const result = await compilePolicy(policy);
  expect(result.ok, 'the policy should not compile').to.equal(false);
  expect(result.problems).to.have.length.above(0);
  for (const p of result.problems) expect(p.severity).to.equal('error');
  return result.problems;
}

/** The one problem with `code`, failing when there is none. */
export function problem(problems: readonly PolicyProblem[], code: string): PolicyProblem {
  const found = problems.find((p) => p.code === code);
  expect(found, `expected ${code} among ${JSON.stringify(problems)}`).to.not.equal(undefined);
  return found as PolicyProblem;
}

/** Requests that would satisfy almost any policy: used to check that a refused policy permits nothing. */
export const GENEROUS_REQUESTS: readonly EvaluationRequest[] = [
  req(),
  req({ action: 'read' }),
  req({ action: 'transfer' }),
  req({
    assignee: 'did:web:consumer.example',
    target: 'urn:dataset:1',
    purpose: 'scientific-research',
    spatial: 'CN',
    count: 1,
    elapsedTime: 'PT1S',
    payAmount: { amount: '1000000', unit: 'CNY' },
    claims: {
      credentialTypes: ['MembershipCredential', 'SectorCredential'],
      sectors: ['medical', 'finance'],
      sectorRoles: ['hospital'],
      dataGradeClearance: 'core',
    },
    asset: { dataGrade: 'general' },
  }),
];

/** The policy did not compile: every request is denied with INVALID_POLICY and nothing throws. */
export function expectDeniesEverything(policy: CompiledPolicy): void {
  for (const r of GENEROUS_REQUESTS) {
    const d = policy.evaluate(r);
    expectDecision(d, 'deny', 'INVALID_POLICY');
  }
}
