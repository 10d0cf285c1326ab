// `shuyu policy check FILE...` and `shuyu policy eval --policy FILE --request FILE`.

import {
  checkPolicy,
  explain,
  formatProblem,
  reasonOf,
  type CheckResult,
  type EvaluationRequest,
  type PolicyProblem,
} from '../policies/index.js';
import { policyDemo } from './demo.js';
import { CliError, EXIT, readJsonFile, readTextFile, type Output } from './io.js';
import { JSON_FLAG, parseFlags, type CommandGroup, type Flags } from './spec.js';

const CHECK_FLAGS = {
  ...JSON_FLAG,
  now: { type: 'string', value: 'DATE-TIME', help: 'check time-bound constraints as at this time' },
  'allow-unknown': {
    type: 'boolean',
    help: 'purposes, regions and sectors outside the vocabularies are warnings, not errors',
  },
} as const satisfies Flags;

const EVAL_FLAGS = {
  policy: { type: 'string', value: 'FILE', help: 'the ODRL policy (JSON)' },
  request: { type: 'string', value: 'FILE', help: 'the evaluation request (JSON, see docs/policies.md)' },
  ...JSON_FLAG,
} as const satisfies Flags;

export const POLICY_COMMAND: CommandGroup = {
  name: 'policy',
  summary: 'validate, lint and evaluate ODRL usage policies (offline)',
  subcommands: {
    check: {
      usage: 'FILE... [--json] [--now DATE-TIME] [--allow-unknown]',
      summary:
        'Validate ODRL policies (JSON, shape, meaning) and lint them, every stage that can run in one pass.\n' +
        'Exit 1 when a file has errors. In an Offer, purposes, regions and sectors outside the vocabularies\n' +
        'are errors unless --allow-unknown.',
      flags: CHECK_FLAGS,
    },
    eval: {
      usage: '--policy FILE --request FILE [--json]',
      summary:
        'Evaluate a request against a policy: decision, duties and why. Exit 0 permit, 3 deny or\n' +
        'not-applicable. The request format is documented in docs/policies.md.',
      flags: EVAL_FLAGS,
    },
    demo: {
      usage: '',
      summary: 'The four sector templates, each with a permitted and a refused request, explained.',
      flags: {},
    },
  },
};

export async function policyCommand(sub: string, args: string[], out: Output): Promise<number> {
  switch (sub) {
    case 'check':
      return check(args, out);
    case 'eval':
      return evalCommand(args, out);
    default:
      parseFlags(POLICY_COMMAND, sub, args);
      return policyDemo(out);
  }
}

async function check(args: string[], out: Output): Promise<number> {
  const { values, positionals } = parseFlags<typeof CHECK_FLAGS>(POLICY_COMMAND, 'check', args);
  if (positionals.length === 0)
    throw new CliError('policy check needs at least one FILE; run "shuyu policy check --help"', EXIT.usage);
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
    const report = offerTermsAsErrors(result, values['allow-unknown'] === true);
    const errors = report.filter((p) => p.severity === 'error').length;
    const warnings = report.length - errors;
    if (errors > 0) failed = true;
    const notRun = result.skipped ?? [];
    if (values.json) {
      reports.push({
        file,
        ok: errors === 0,
        errors,
        warnings,
        problems: report,
        notRun,
        lintedPartly: result.lintedPartly,
      });
      continue;
    }
    const summary = errors > 0 ? `${errors} error${errors === 1 ? '' : 's'}` : 'ok';
    out.line(`${file}: ${summary}${warnings > 0 ? `, ${warnings} warning${warnings === 1 ? '' : 's'}` : ''}`);
    for (const p of report) {
      if (p.line === undefined || p.column === undefined) {
        out.line(`  ${formatProblem(p)}`);
        continue;
      }
      // A syntax error: where, the line as written and a caret under the spot (as compilers print them).
      out.line(`  ${file}:${p.line}:${p.column}: ${p.severity} ${p.code}: ${p.message}`);
      const source = text.split('\n')[p.line - 1] ?? '';
      const gutter = `${p.line} | `;
      out.line(`    ${gutter}${source.replace(/\t/g, ' ')}`);
      out.line(`    ${' '.repeat(gutter.length - 2)}| ${' '.repeat(Math.max(0, p.column - 1))}^`);
    }
    if (notRun.length > 0)
      out.line(
        `  not checked: ${notRun.join(', ')} (an earlier stage failed; fix the errors above and run again)`,
      );
    else if (result.lintedPartly) out.line('  lint ran on the parts of the policy that compiled');
  }
  if (values.json) out.line(JSON.stringify(reports, null, 2));
  return failed ? EXIT.invalid : EXIT.ok;
}

/**
 * In an Offer, a purpose, region or sector outside the vocabularies matches only requests naming
 * exactly it, so the published offer would refuse nearly everyone: an error unless --allow-unknown.
 */
function offerTermsAsErrors(result: CheckResult, allowUnknown: boolean): readonly PolicyProblem[] {
  const model = result.policy.policy ?? result.partial;
  if (allowUnknown || model?.type !== 'Offer') return result.report;
  return result.report.map((p) =>
    p.code === 'LINT_UNKNOWN_TERM'
      ? {
          ...p,
          code: 'ERR_UNKNOWN_TERM',
          severity: 'error',
          message: `${p.message} (--allow-unknown to publish it anyway)`,
        }
      : p,
  );
}

async function evalCommand(args: string[], out: Output): Promise<number> {
  const { values } = parseFlags<typeof EVAL_FLAGS>(POLICY_COMMAND, 'eval', args);
  if (!values.policy || !values.request)
    throw new CliError(
      'policy eval needs --policy FILE and --request FILE; run "shuyu policy eval --help"',
      EXIT.usage,
    );
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
