// Reads the CPU profiles `SHUYU_BENCH_CPU_PROF=DIR npm run bench -- negotiation` left in DIR and the lone
// negotiations' marks (marks.json), and prints per side: main-thread busy time per negotiation by phase
// (the innermost Shuyu module on the stack), the time neither connector ran (waits), and the timeline of
// one negotiation. V8 samples wall time: on a loaded machine a thread preempted in a syscall shows as busy.
//
//   node --import tsx bench/profile-summary.ts DIR [first negotiation, default 10] [count, default 20]

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

interface CallFrame {
  readonly functionName: string;
  readonly url: string;
}
interface ProfileNode {
  readonly id: number;
  readonly callFrame: CallFrame;
  readonly children?: readonly number[];
}
interface Profile {
  readonly nodes: readonly ProfileNode[];
  readonly startTime: number;
  readonly samples: readonly number[];
  readonly timeDeltas: readonly number[];
}
interface Marks {
  readonly consumer: number;
  readonly provider: number;
  readonly marks: readonly [number, number][];
}

/** Phases by the modules on the stack, innermost first; the store wins when it is near the leaf. */
const PHASES: readonly [string, RegExp][] = [
  ['management API (incl. long poll)', /\/management\//],
  ['request token: sign (STS)', /dcp\/sts|createIdToken/],
  ['request token: verify, replay check, claims', /dcp\/verifier|identity\/tokens/],
  ['agreement digest, sign, check', /negotiation\/signature/],
  ['evidence entry', /\/evidence\/|log\/append|merkle/],
  ['automation step', /control-plane\/(automation|outgoing)/],
  ['received message', /control-plane\/received|negotiation\/protocol|dsp\/negotiation/],
  ['outbox delivery (HTTP client)', /outbox\/|peers\/outbound/],
  ['DSP request handling (express, parse)', /dsp\/(http|messages|router)|connector\/http\/|logging\//],
];

function phaseOf(stack: readonly CallFrame[]): string {
  const leaf = stack[0];
  if (leaf?.functionName === '(garbage collector)') return 'garbage collection';
  if (leaf?.functionName === '(program)') return '(program)';
  if (stack.slice(0, 8).some((f) => f.url.includes('store/database'))) return 'store (SQLite)';
  for (const frame of stack) for (const [name, re] of PHASES) if (re.test(frame.url)) return name;
  return 'node:http, sockets (no Shuyu frame)';
}

interface Sample {
  readonly at: number;
  readonly ms: number;
  readonly phase: string | undefined; // undefined: idle
}

function samples(profile: Profile): Sample[] {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const phases = new Map<number, string | undefined>();
  const out: Sample[] = [];
  let at = profile.startTime;
  profile.samples.forEach((id, i) => {
    at += profile.timeDeltas[i] ?? 0;
    if (!phases.has(id)) {
      const stack: CallFrame[] = [];
      for (let n: number | undefined = id; n !== undefined; n = parent.get(n)) {
        const node = byId.get(n);
        if (node) stack.push(node.callFrame);
      }
      phases.set(id, stack[0]?.functionName === '(idle)' ? undefined : phaseOf(stack));
    }
    out.push({ at, ms: (profile.timeDeltas[i + 1] ?? 0) / 1000, phase: phases.get(id) });
  });
  return out;
}

const [dir, firstArg = '10', countArg = '20'] = process.argv.slice(2);
if (dir === undefined) throw new Error('usage: profile-summary.ts DIR [first] [count]');
const marks = JSON.parse(readFileSync(join(dir, 'marks.json'), 'utf8')) as Marks;
const chosen = marks.marks.slice(Number(firstArg), Number(firstArg) + Number(countArg));
const within = (at: number): boolean => chosen.some(([lo, hi]) => at >= lo && at <= hi);

const sides = new Map<string, Sample[]>();
for (const file of readdirSync(dir).filter((f) => f.endsWith('.cpuprofile'))) {
  const pid = Number(file.split('.')[3]);
  const side = pid === marks.consumer ? 'consumer' : pid === marks.provider ? 'provider' : undefined;
  if (side === undefined || !file.endsWith('.0.001.cpuprofile')) continue; // main threads only
  sides.set(side, samples(JSON.parse(readFileSync(join(dir, file), 'utf8')) as Profile));
}

for (const [side, list] of sides) {
  const byPhase = new Map<string, number>();
  for (const s of list)
    if (s.phase !== undefined && within(s.at)) byPhase.set(s.phase, (byPhase.get(s.phase) ?? 0) + s.ms);
  const busy = [...byPhase.values()].reduce((a, b) => a + b, 0);
  console.log(`${side}: main thread busy ${(busy / chosen.length).toFixed(2)} ms per negotiation`);
  for (const [phase, ms] of [...byPhase].sort((a, b) => b[1] - a[1])) {
    console.log(`  ${(ms / chosen.length).toFixed(2).padStart(6)} ms  ${phase}`);
  }
}

// Neither connector running: waits (timers, the bench client, the network stack, the scheduler).
const busyIntervals = [...sides.values()]
  .flat()
  .filter((s) => s.phase !== undefined)
  .map((s) => [s.at, s.at + s.ms * 1000] as const)
  .sort((a, b) => a[0] - b[0]);
let both = 0;
let wall = 0;
for (const [lo, hi] of chosen) {
  wall += hi - lo;
  let cursor = lo;
  for (const [s, e] of busyIntervals) {
    if (e < lo || s > hi) continue;
    if (s > cursor) both += s - cursor;
    cursor = Math.max(cursor, e);
  }
  if (hi > cursor) both += hi - cursor;
}
console.log(
  `wall ${(wall / chosen.length / 1000).toFixed(2)} ms per negotiation, neither connector running ` +
    `${(both / chosen.length / 1000).toFixed(2)} ms`,
);

// The first chosen negotiation step by step: runs of one phase on one side (>= 0.15 ms).
const [lo, hi] = chosen[0] ?? [0, 0];
console.log(`\ntimeline of one negotiation (ms from the management call; C consumer, P provider)`);
const runs: { side: string; phase: string; start: number; end: number; ms: number }[] = [];
for (const [side, list] of sides) {
  for (const s of list) {
    if (s.at < lo || s.at > hi || s.phase === undefined) continue;
    const last = runs.findLast((r) => r.side === side);
    if (last && last.phase === s.phase && s.at - last.end < 300) {
      last.end = s.at + s.ms * 1000;
      last.ms += s.ms;
    } else runs.push({ side, phase: s.phase, start: s.at, end: s.at + s.ms * 1000, ms: s.ms });
  }
}
for (const r of runs.sort((a, b) => a.start - b.start)) {
  if (r.ms >= 0.15)
    console.log(
      `${((r.start - lo) / 1000).toFixed(2).padStart(7)} ${r.side[0]?.toUpperCase()} ${r.ms.toFixed(2).padStart(5)}  ${r.phase}`,
    );
}
