// `npm run fuzz [-- NAME...] [--runs N] [--seed S]`: runs the property suites (all, or the named ones)
// with many cases and prints, per property, how many cases ran and whether it held. Exit 1 on a
// counterexample (printed with the seed and path to replay it).

import fc from 'fast-check';
import { parseArgs } from 'node:util';

const suites: Record<string, () => Promise<{ name: string; property: fc.IProperty<unknown[]> }[]>> = {
  policy: async () => (await import('./policy-properties.js')).policyProperties(),
};

const { values, positionals } = parseArgs({
  allowPositionals: true,
  options: {
    runs: { type: 'string', default: '100000' },
    seed: { type: 'string' },
    only: { type: 'string' }, // run the properties whose name contains this text
  },
});
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
