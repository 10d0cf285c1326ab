// Policy engine throughput: a compiled sector template and a large policy (50 constraints, nested
// logic), each beside a hand-written JavaScript function checking the same constraints in the same
// run, so the ratio shows what the engine's generality costs.

import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { compilePolicySync, defaultVocabularies, type EvaluationRequest } from '../policies/index.js';
import { formatRate, measure, ratio } from './harness.js';

const template = JSON.parse(
  readFileSync(fileURLToPath(new URL('../policies/templates/medical.json', import.meta.url)), 'utf8'),
);

const request: EvaluationRequest = {
  action: 'use',
  assignee: 'did:web:bj-research-hospital.example',
  time: Date.parse('2026-11-26T10:00:00+08:00'),
  purpose: 'clinical-research',
  spatial: 'CN-BJ',
  elapsedTime: 12 * 86_400,
  claims: {
    credentialTypes: ['MembershipCredential', 'SectorCredential', 'DataGradeClearance'],
    sectors: ['medical'],
    sectorRoles: ['hospital'],
    dataGradeClearance: 'important',
  },
};

/** The medical template's checks written by hand (the lower bound for any engine). */
function handWrittenMedical(r: EvaluationRequest): boolean {
  const v = defaultVocabularies();
  const c = r.claims;
  const types = c?.credentialTypes ?? [];
  const time = r.time as number;
  return (
    types.includes('MembershipCredential') &&
    types.includes('SectorCredential') &&
    (c?.sectors ?? []).some((s) => v.sectors.within(s, 'medical')) &&
    (c?.sectorRoles ?? []).some(
      (s) => v.sectorRoles.within(s, 'hospital') || v.sectorRoles.within(s, 'research-institute'),
    ) &&
    (c?.dataGradeClearance === 'important' || c?.dataGradeClearance === 'core') &&
    v.purposes.within(r.purpose as string, 'scientific-research') &&
    v.regions.within(r.spatial as string, 'CN') &&
    time >= Date.parse('2026-01-01T00:00:00+08:00') &&
    time < Date.parse('2028-01-01T00:00:00+08:00') &&
    (r.elapsedTime as number) <= 180 * 86_400 &&
    !v.actions.within(r.action, 'distribute')
  );
}

/** A large policy: 50 atomic constraints in nested or / and / xone groups over several operands. */
function largePolicy(): { policy: object; handWritten: (r: EvaluationRequest) => boolean } {
  const groups: object[] = [];
  const checks: ((r: EvaluationRequest) => boolean)[] = [];
  const v = defaultVocabularies();
  for (let g = 0; g < 10; g++) {
    const limit = 100 + g * 10;
    const start = Date.parse(`2026-0${(g % 9) + 1}-01T00:00:00Z`) - 86_400_000 * 400;
    groups.push({
      and: [
        { leftOperand: 'count', operator: 'lteq', rightOperand: limit },
        { leftOperand: 'dateTime', operator: 'gt', rightOperand: new Date(start).toISOString() },
        {
          or: [
            { leftOperand: 'purpose', operator: 'isA', rightOperand: 'marketing' },
            { leftOperand: 'purpose', operator: 'isA', rightOperand: 'scientific-research' },
          ],
        },
        {
          xone: [
            { leftOperand: 'spatial', operator: 'isPartOf', rightOperand: 'CN' },
            { leftOperand: 'spatial', operator: 'isPartOf', rightOperand: 'EU' },
          ],
        },
      ],
    });
    checks.push(
      (r) =>
        (r.count as number) <= limit &&
        (r.time as number) > start &&
        (v.purposes.within(r.purpose as string, 'marketing') ||
          v.purposes.within(r.purpose as string, 'scientific-research')) &&
        v.regions.within(r.spatial as string, 'CN') !== v.regions.within(r.spatial as string, 'EU'),
    );
  }
  const policy = { uid: 'urn:bench:large', permission: [{ action: 'use', constraint: groups }] };
  return { policy, handWritten: (r) => checks.every((c) => c(r)) };
}

export async function run(): Promise<void> {
  console.log('\n# Policy engine (policies/)');
  const compiled = compilePolicySync(template);
  if (!compiled.ok) throw new Error('the medical template did not compile');
  const engine = compiled.policy;
  if (!engine.evaluate(request).permitted || !handWrittenMedical(request))
    throw new Error('bench request must be permitted');

  const t = measure('medical template, compiled, evaluate()', () => engine.evaluate(request));
  const b = measure('medical template, hand-written JS (baseline)', () => handWrittenMedical(request));
  console.log(formatRate(t));
  console.log(formatRate(b));
  console.log(`  ratio: the engine costs ${ratio(t, b)}`);

  const traced = measure(
    'medical template, evaluate() + read the trace',
    () => engine.evaluate(request).trace,
  );
  console.log(formatRate(traced));

  const large = largePolicy();
  const largeCompiled = compilePolicySync(large.policy);
  if (!largeCompiled.ok) throw new Error('the large policy did not compile');
  const largeRequest: EvaluationRequest = {
    action: 'read',
    time: request.time,
    count: 50,
    purpose: 'clinical-research',
    spatial: 'CN-SH',
  };
  if (!largeCompiled.policy.evaluate(largeRequest).permitted || !large.handWritten(largeRequest))
    throw new Error('large bench request must be permitted');
  const lt = measure('large policy (50 constraints, nested logic), evaluate()', () =>
    largeCompiled.policy.evaluate(largeRequest),
  );
  const lb = measure('large policy, hand-written JS (baseline)', () => large.handWritten(largeRequest));
  console.log(formatRate(lt));
  console.log(formatRate(lb));
  console.log(`  ratio: the engine costs ${ratio(lt, lb)}`);

  const c = measure('compile the medical template (compilePolicySync)', () => compilePolicySync(template), 1);
  console.log(formatRate(c));
}
