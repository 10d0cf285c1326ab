// `shuyu policy check FILE...` and `shuyu policy eval --policy FILE --request FILE`.

import { parseArgs } from 'node:util';
import { checkPolicy, explain, formatProblem, reasonOf, type EvaluationRequest } from '../policies/index.js';
import { policyDemo } from './demo.js';
import { CliError, EXIT, readJsonFile, readTextFile, type Output } from './io.js';

export const POLICY_HELP = `Usage:
  shuyu policy check FILE... [--json] [--now DATE-TIME]
      Validate ODRL policies (schema and meaning) and lint them. Exit 1 when a file has errors.
  shuyu policy eval --policy FILE --request FILE [--json]
      Evaluate a request against a policy: decision, duties and why. Exit 0 permit, 3 deny or not-applicable.
  shuyu policy demo
      The four sector templates, each with a permitted and a refused request, explained.
The request format is documented in docs/policies.md.`;

export async function policyCommand(args: string[], out: Output): Promise<number> {
  const [sub, ...rest] = args;
  switch (sub) {
    case 'check':
      return check(rest, out);
    case 'eval':
      return evalCommand(rest, out);
    case 'demo':
      return policyDemo(out);
    case undefined:
    case 'help':
    case '--help':
      out.line(POLICY_HELP);
      return sub === undefined ? EXIT.usage : EXIT.ok;
    default:
      throw new CliError(`unknown policy command "${sub}"\n${POLICY_HELP}`, EXIT.usage);
  }
}

async function check(args: string[], out: Output): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: { json: { type: 'boolean' }, now: { type: 'string' } },
  });
  if (positionals.length === 0)
    throw new CliError(`policy check needs at least one FILE\n${POLICY_HELP}`, EXIT.usage);
  const now = values.now === undefined ? undefined : Date.parse(values.now);
  if (now !== undefined && Number.isNaN(now))
    throw new CliError(`--now ${values.now} is not a date-time`, EXIT.usage);
  let failed = false;
  const reports: object[] = [];
  for (const file of positionals) {
    let text: string;
    try {
      text = readTextFile(file);
    } catch (e) {
      failed = true;
      if (values.json)
        reports.push({
          file,
          ok: false,
          problems: [{ code: 'ERR_READ', severity: 'error', path: '', message: (e as Error).message }],
        });
      else out.line(`${file}: ${(e as Error).message}`);
      continue;
    }
    const result = await checkPolicy(text, { now });
    const errors = result.report.filter((p) => p.severity === 'error').length;
    const warnings = result.report.length - errors;
    if (errors > 0) failed = true;
    if (values.json) {
      reports.push({ file, ok: errors === 0, errors, warnings, problems: result.report });
      continue;
    }
    const summary = errors > 0 ? `${errors} error${errors === 1 ? '' : 's'}` : 'ok';
    out.line(`${file}: ${summary}${warnings > 0 ? `, ${warnings} warning${warnings === 1 ? '' : 's'}` : ''}`);
    for (const p of result.report) out.line(`  ${formatProblem(p)}`);
  }
  if (values.json) out.line(JSON.stringify(reports, null, 2));
  return failed ? EXIT.invalid : EXIT.ok;
}

async function evalCommand(args: string[], out: Output): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { policy: { type: 'string' }, request: { type: 'string' }, json: { type: 'boolean' } },
  });
  if (!values.policy || !values.request)
    throw new CliError(`policy eval needs --policy FILE and --request FILE\n${POLICY_HELP}`, EXIT.usage);
  const policyText = readTextFile(values.policy);
  const request = readJsonFile(values.request);
  if (request === null || typeof request !== 'object' || Array.isArray(request)) {
    throw new CliError(
      `${values.request} must hold a JSON object (the evaluation request, see docs/policies.md)`,
    );
  }
  const compiled = await checkPolicy(policyText);
  const decision = compiled.policy.evaluate(request as EvaluationRequest);
  if (values.json) {
    out.line(
      JSON.stringify(
        {
          ...decision.toJSON(),
          reason: reasonOf(decision),
          warnings: compiled.report.filter((p) => p.severity === 'warning'),
        },
        null,
        2,
      ),
    );
  } else {
    for (const line of explain(decision)) out.line(line);
  }
  if (!compiled.ok) return EXIT.invalid;
  return decision.permitted ? EXIT.ok : EXIT.denied;
}
