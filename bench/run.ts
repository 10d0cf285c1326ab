// `npm run bench [-- NAME...]`: runs the benchmarks (all, or the named ones) and prints figures
// beside same-run baselines. Nothing here asserts a speed; the numbers go into closing notes.

const suites: Record<string, () => Promise<{ run: () => Promise<void> }>> = {
  policy: () => import('./policy.js'),
  identity: () => import('./identity.js'),
  dsp: () => import('./dsp.js'),
  catalog: () => import('./catalog.js'),
  negotiation: () => import('./negotiation.js'),
  dataplane: () => import('./dataplane.js'),
  federation: () => import('./federation.js'),
  'federation-1m': async () => ({ run: (await import('./federation.js')).runMillion }),
  'federation-pg': async () => ({ run: (await import('./federation.js')).runBackends }),
  evidence: () => import('./evidence.js'),
  'http-metrics': () => import('./http-metrics.js'),
  'sqlite-binding': () => import('./sqlite-binding.js'),
};

const wanted = process.argv.slice(2).filter((a) => !a.startsWith('-'));
const names = wanted.length > 0 ? wanted : Object.keys(suites);
const unknown = names.filter((n) => !(n in suites));
if (unknown.length > 0) {
  console.error(`unknown bench ${unknown.join(', ')}; available: ${Object.keys(suites).join(', ')}`);
  process.exit(2);
}
console.log(`Shuyu benchmarks on Node ${process.version}, ${new Date().toISOString()}`);
for (const name of names) {
  const load = suites[name];
  if (load) await (await load()).run();
}
