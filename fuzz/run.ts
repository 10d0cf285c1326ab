// `npm run fuzz [-- NAME...] [--runs N] [--seed S]`: runs the property suites (all, or the named ones)
// with many cases and prints, per property, how many cases ran and whether it held. Exit 1 on a
// counterexample (printed with the seed and path to replay it).
// `npm run fuzz -- http [--seconds N] [--count N] [--seed S] [--skip-known]`: the HTTP fuzzer
// (fuzz/http.ts) against two connectors in child processes, for N seconds (default 600); exit 1 on any
// oracle violation (--skip-known: the findings in fuzz/http/known.ts, being fixed elsewhere, apart).
// `npm run fuzz -- authority [--seconds N] [--count N] [--seed S]`: the authority fuzzer (fuzz/authority.ts)
// against an authority's public and admin listeners and its federated catalog, same oracle, same limits.

import fc from 'fast-check';
import { parseArgs } from 'node:util';

// The servers under fuzz would log every refused request (thousands a minute) at info: warnings and errors
// only, unless SHUYU_LOG_LEVEL says otherwise (the child connectors inherit it).
process.env.SHUYU_LOG_LEVEL ||= 'warn';

const suites: Record<string, () => Promise<{ name: string; property: fc.IProperty<unknown[]> }[]>> = {
  policy: async () => (await import('./policy-properties.js')).policyProperties(),
};

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    runs: { type: 'string', default: '100000' },
    seed: { type: 'string' },
    only: { type: 'string' }, // run the properties whose name contains this text
    seconds: { type: 'string', default: '600' }, // http: how long
    count: { type: 'string', default: '1000000' }, // http: at most this many requests
    'skip-known': { type: 'boolean', default: false }, // http: count fuzz/http/known.ts findings apart
  },
});
if (positionals.includes('http')) {
  const { runHttpFuzz, formatReport } = await import('./http.js');
  const seconds = Number(values.seconds);
  const count = Number(values.count);
  if (!(seconds > 0) || !Number.isSafeInteger(count) || count < 1 || positionals.length > 1) {
    console.error('usage: npm run fuzz -- http [--seconds N] [--count N] [--seed S] [--skip-known]');
    process.exit(2);
  }
  const seed = values.seed !== undefined ? Number(values.seed) : Date.now() % 2 ** 31;
  console.log(
    `Shuyu HTTP fuzzing on Node ${process.version}, ${new Date().toISOString()}, seed ${seed}, ${seconds} s`,
  );
  const known = values['skip-known'] ? (await import('./http/known.js')).HARDENING_FINDINGS : [];
  // Ctrl-C ends the run after the request in flight, stops the connectors and prints the figures.
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort());
  process.once('SIGTERM', () => stop.abort());
  const report = await runHttpFuzz({
    seconds,
    count,
    seed,
    known,
    signal: stop.signal,
    log: (line) => console.log(line),
  });
  for (const line of formatReport(report)) console.log(line);
  process.exit(report.failures.length > 0 ? 1 : 0);
}
if (positionals.includes('authority')) {
  const { runAuthorityFuzz, formatAuthorityReport } = await import('./authority.js');
  const seconds = Number(values.seconds);
  const count = Number(values.count);
  if (!(seconds > 0) || !Number.isSafeInteger(count) || count < 1 || positionals.length > 1) {
    console.error('usage: npm run fuzz -- authority [--seconds N] [--count N] [--seed S]');
    process.exit(2);
  }
  const seed = values.seed !== undefined ? Number(values.seed) : Date.now() % 2 ** 31;
  console.log(
    `Shuyu authority fuzzing on Node ${process.version}, ${new Date().toISOString()}, seed ${seed}, ${seconds} s`,
  );
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort());
  process.once('SIGTERM', () => stop.abort());
  const report = await runAuthorityFuzz({
    seconds,
    count,
    seed,
    signal: stop.signal,
    log: (line) => console.log(line),
  });
  for (const line of formatAuthorityReport(report)) console.log(line);
  process.exit(report.failures.length > 0 ? 1 : 0);
}
const runs = Number(values.runs);
const names = positionals.length > 0 ? positionals : Object.keys(suites);
const unknown = names.filter((n) => !(n in suites));
if (unknown.length > 0 || !Number.isSafeInteger(runs) || runs < 1) {
  console.error(`usage: npm run fuzz -- [${Object.keys(suites).join('|')}] [--runs N] [--seed S]`);
  process.exit(2);
}
let failed = false;
console.log(
  `Shuyu property fuzzing on Node ${process.version}, ${new Date().toISOString()}, ${runs} cases per property`,
);
for (const name of names) {
  console.log(`\n# ${name}`);
  for (const { name: property, property: p } of await (
    suites[name] as () => ReturnType<(typeof suites)['policy']>
  )()) {
    if (values.only !== undefined && !property.includes(values.only)) continue;
    const started = Date.now();
    const details = await fc.check(p, {
      numRuns: runs,
      ...(values.seed !== undefined ? { seed: Number(values.seed) } : {}),
    });
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const verdict = details.failed ? 'FAILED' : 'held';
    console.log(
      `${verdict.padEnd(6)} ${String(details.numRuns).padStart(7)} cases, ${details.numSkips} skipped, ${seconds} s: ${property}`,
    );
    if (details.failed) {
      failed = true;
      console.log(fc.defaultReportMessage(details));
    }
  }
}
process.exit(failed ? 1 : 0);
