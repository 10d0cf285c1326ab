// `shuyu policy demo`: checks the four sector templates and evaluates a permitted and a refused request
// against each, explaining both.

import { join } from 'node:path';
import { checkPolicy, explain, type EvaluationRequest } from '../policies/index.js';
import { EXIT, projectRoot, readJsonFile, readTextFile, type Output } from './io.js';

export const SECTORS = ['medical', 'finance', 'energy', 'education'] as const;

export async function policyDemo(out: Output): Promise<number> {
  const root = projectRoot();
  const templates = join(root, 'policies', 'templates');
  out.line('Shuyu policy demo: the four sector templates, each with a permitted and a refused request.');
  let failures = 0;
  for (const [i, sector] of SECTORS.entries()) {
    const file = join(templates, `${sector}.json`);
    out.line('');
    out.line(`[${i + 1}/${SECTORS.length}] ${sector}: ${file}`);
    const checked = await checkPolicy(readTextFile(file));
    if (!checked.ok) {
      failures++;
      for (const p of checked.problems) out.line(`  error ${p.code} at ${p.path}: ${p.message}`);
      continue;
    }
    for (const expected of ['permit', 'deny'] as const) {
      const request = readJsonFile(
        join(templates, 'requests', `${sector}-${expected}.json`),
      ) as EvaluationRequest;
      const decision = checked.policy.evaluate(request);
      if ((decision.decision === 'permit') !== (expected === 'permit')) failures++;
      out.line(
        `  request ${sector}-${expected}.json (${request.assignee ?? 'anonymous'}, purpose ${String(request.purpose)}):`,
      );
      for (const line of explain(decision)) out.line(`    ${line}`);
    }
  }
  out.line('');
  out.line('Try it yourself:');
  out.line('  npx shuyu policy check policies/templates/*.json');
  out.line(
    '  npx shuyu policy eval --policy policies/templates/medical.json --request policies/templates/requests/medical-deny.json',
  );
  out.line(
    '  npx shuyu policy eval --policy policies/templates/finance.json --request policies/templates/requests/finance-permit.json --json',
  );
  if (failures > 0)
    out.error(`${failures} demo step(s) did not give the expected decision: run npm test to find out why.`);
  return failures > 0 ? EXIT.invalid : EXIT.ok;
}
