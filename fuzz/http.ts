// `npm run fuzz -- http [--seconds N] [--count N] [--seed S]`: mutated valid requests against the DSP,
// management and data-plane endpoints of two connectors running as child processes (fuzz/http/world.ts),
// one at a time, for a bounded time and count. Each answer is held to the oracle (fuzz/http/oracle.ts);
// a failure is shrunk to the fewest mutations that still show it and saved as a reproducer.
import fc from 'fast-check';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fuzzCase, materialise, type FuzzCase, type Surface, type WireRequest } from './http/cases.js';
import {
  alive,
  changes,
  isUnsendable,
  judge,
  send,
  snapshot,
  type FindingKind,
  type Outcome,
} from './http/oracle.js';
import { startFuzzWorld, type FuzzWorld } from './http/world.js';

export interface KnownFinding {
  /** Where it is being fixed, for the report. */
  readonly name: string;
  matches(req: WireRequest, outcome: Outcome, kind: FindingKind): boolean;
}

export interface HttpFuzzOptions {
  readonly seconds: number;
  readonly count: number;
  readonly seed: number;
  /** Findings already known (and fixed elsewhere): counted apart, not failures. */
  readonly known?: readonly KnownFinding[];
  readonly log?: (line: string) => void;
  /** Ends the run early (Ctrl-C): the connectors are still stopped and the figures still returned. */
  readonly signal?: AbortSignal;
}

export interface Finding {
  readonly kind: FindingKind;
  readonly request: WireRequest;
  readonly status?: number;
  readonly detail: string;
  /** The reproducer's file. */
  readonly file: string;
}

export interface HttpFuzzReport {
  requests: number;
  unsendable: number;
  byStatusClass: Record<string, number>;
  bySurface: Record<Surface, Record<string, number>>;
  byMutation: Record<string, number>;
  failures: Finding[];
  known: Record<string, number>;
  /** Fixtures re-created after an accepted message moved them on. */
  repairs: number;
  /** State changes seen after a refused message that named none of the changed records (a retry in flight). */
  unattributedChanges: number;
  seconds: number;
  findingsDir: string;
}

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export async function runHttpFuzz(options: HttpFuzzOptions): Promise<HttpFuzzReport> {
  const log = options.log ?? (() => undefined);
  const findingsDir = mkdtempSync(join(tmpdir(), 'shuyu-fuzz-http-'));
  const report: HttpFuzzReport = {
    requests: 0,
    unsendable: 0,
    byStatusClass: {},
    bySurface: { dsp: {}, management: {}, dataplane: {}, other: {} },
    byMutation: {},
    failures: [],
    known: {},
    repairs: 0,
    unattributedChanges: 0,
    seconds: 0,
    findingsDir,
  };
  log(`setting up an authority and two connectors (child processes)...`);
  const world = await startFuzzWorld();
  const started = Date.now();
  try {
    log(
      `provider pid ${world.provider.pid} at ${world.provider.url}, consumer pid ${world.consumer.pid} at ${world.consumer.url}`,
    );
    let baseline = await snapshot(world.provider, world.consumer);
    const outOfTime = (): boolean =>
      report.requests >= options.count ||
      Date.now() - started >= options.seconds * 1000 ||
      options.signal?.aborted === true;
    let crashed = false;
    // Long runs show they are alive: one line every 30 s.
    let progressAt = started + 30_000;
    for (let batch = 0; !outOfTime() && !crashed; batch++) {
      if (Date.now() >= progressAt) {
        progressAt = Date.now() + 30_000;
        const elapsed = Math.round((Date.now() - started) / 1000);
        log(
          `${elapsed} s of ${options.seconds}: ${report.requests} requests, ${report.failures.length} failure(s)`,
        );
      }
      for (const c of fc.sample(fuzzCase, { seed: options.seed + batch, numRuns: 25 })) {
        if (outOfTime()) break;
        const req = await materialise(c, world);
        const outcome = await send(baseUrlOf(world, req), req);
        if (isUnsendable(outcome)) {
          report.unsendable++;
          continue;
        }
        count(report, req, outcome);
        let recorded: Finding | undefined;
        const record = (kind: FindingKind, detail: string): void => {
          const known = options.known?.find((k) => k.matches(req, outcome, kind));
          if (known) {
            report.known[known.name] = (report.known[known.name] ?? 0) + 1;
            return;
          }
          recorded = save(findingsDir, report.failures.length, kind, req, outcome, detail);
          report.failures.push(recorded);
          log(
            `FAIL ${kind}: ${req.method} ${req.path.slice(0, 120)} -> ${outcome.status ?? outcome.error} (${req.mutations.join(', ')})`,
          );
        };
        const verdict = judge(req, outcome);
        if (verdict) record(verdict, outcome.body?.slice(0, 2000) ?? outcome.error ?? '');

        // Liveness: the PID at once, the DID document every 20 requests and after any failure.
        const probe = verdict !== undefined || report.requests % 20 === 0;
        for (const connector of [world.provider, world.consumer]) {
          if (!connector.alive() || (probe && !(await alive(connector)))) {
            record('crash', `pid ${connector.pid} gone or not answering`);
            crashed = true;
          }
        }
        if (crashed) break;

        const status = outcome.status ?? 0;
        if (status >= 400 && status < 500) {
          const after = await snapshot(world.provider, world.consumer);
          const changed = changes(baseline, after);
          if (changed.length > 0) {
            // A named record changed: this request did it. Anything else may be an earlier accepted
            // request's outbox still at work: let it land, send the same case again and see.
            const confirmed = changed.some((change) => named(change, req))
              ? changed
              : await replayChanges(world, c);
            if (confirmed.length > 0) record('state-change', confirmed.join('\n'));
            else report.unattributedChanges++;
            baseline = await settleAndRepair(world, report);
          }
        } else if (MUTATING.has(req.method) || verdict !== undefined) {
          baseline = await settleAndRepair(world, report);
        }
        if (recorded && (verdict === '5xx' || verdict === 'bare-error' || verdict === 'no-response')) {
          await shrink(world, c, verdict, recorded);
        }
      }
    }
  } finally {
    report.seconds = (Date.now() - started) / 1000;
    await world.close();
  }
  return report;
}

/** The management surface goes to the management listener; everything else to the public (DSP) one. */
function baseUrlOf(world: FuzzWorld, req: WireRequest): string {
  const connector = req.target === 'provider' ? world.provider : world.consumer;
  return req.surface === 'management' ? new URL(connector.managementUrl).origin : connector.url;
}

function count(report: HttpFuzzReport, req: WireRequest, outcome: Outcome): void {
  report.requests++;
  const cls = outcome.status !== undefined ? `${Math.floor(outcome.status / 100)}xx` : 'none';
  report.byStatusClass[cls] = (report.byStatusClass[cls] ?? 0) + 1;
  const surface = report.bySurface[req.surface];
  surface[cls] = (surface[cls] ?? 0) + 1;
  for (const m of req.mutations.slice(1)) report.byMutation[m] = (report.byMutation[m] ?? 0) + 1;
}

/** A changed or removed record the request names (by an id in its path or body). */
function named(change: string, req: WireRequest): boolean {
  const [how, , , ...rest] = change.split(' ');
  if (how === 'added') return false;
  const id = rest.join(' ');
  const text = `${decodeSafely(req.path)} ${req.body ?? ''}`;
  return id !== '' && text.includes(id);
}

function decodeSafely(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
}

/** Lets what a request set off land, then re-creates the fixtures it moved out of their states. */
async function settleAndRepair(world: FuzzWorld, report: HttpFuzzReport): Promise<Map<string, string>> {
  const settled = await settle(world);
  if ((await world.repairFixtures()).length === 0) return settled;
  report.repairs++;
  return settle(world);
}

/** The changes a second sending of `c` makes once everything else has settled (none expected when refused). */
async function replayChanges(world: FuzzWorld, c: FuzzCase): Promise<string[]> {
  const before = await settle(world);
  const req = await materialise(c, world);
  const outcome = await send(baseUrlOf(world, req), req);
  if (outcome.status === undefined || outcome.status < 400 || outcome.status >= 500) return [];
  return changes(before, await snapshot(world.provider, world.consumer)).map(
    (change) => `${change} (on replay)`,
  );
}

/** Waits until two snapshots 300 ms apart agree (what an accepted message set off has landed), at most 3 s. */
async function settle(world: FuzzWorld): Promise<Map<string, string>> {
  let last = await snapshot(world.provider, world.consumer);
  const deadline = Date.now() + 3000;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 300));
    const next = await snapshot(world.provider, world.consumer);
    if (changes(last, next).length === 0) return next;
    last = next;
  }
  return last;
}

/** Drops mutations one at a time while the same kind of failure still shows; rewrites the reproducer. */
async function shrink(world: FuzzWorld, c: FuzzCase, kind: FindingKind, finding: Finding): Promise<void> {
  if (finding.kind !== kind || c.mutations.length < 2) return;
  let mutations = [...c.mutations];
  for (let i = 0; i < mutations.length && mutations.length > 1;) {
    const fewer = mutations.filter((_, k) => k !== i);
    const req = await materialise({ template: c.template, mutations: fewer }, world);
    const outcome = await send(baseUrlOf(world, req), req);
    if (judge(req, outcome) === kind) mutations = fewer;
    else i++;
  }
  if (mutations.length === c.mutations.length) return;
  const req = await materialise({ template: c.template, mutations }, world);
  const outcome = await send(baseUrlOf(world, req), req);
  if (judge(req, outcome) === kind)
    writeReproducer(`${finding.file.replace(/\.json$/, '')}.min.json`, kind, req, outcome, 'shrunk');
}

function save(
  dir: string,
  index: number,
  kind: FindingKind,
  req: WireRequest,
  outcome: Outcome,
  detail: string,
): Finding {
  const file = join(dir, `finding-${String(index + 1).padStart(3, '0')}-${kind}.json`);
  writeReproducer(file, kind, req, outcome, detail);
  return {
    kind,
    request: req,
    ...(outcome.status !== undefined ? { status: outcome.status } : {}),
    detail,
    file,
  };
}

function writeReproducer(
  file: string,
  kind: FindingKind,
  req: WireRequest,
  outcome: Outcome,
  detail: string,
): void {
  mkdirSync(join(file, '..'), { recursive: true });
  const big = (req.body?.length ?? 0) > 4000;
  if (big) writeFileSync(`${file}.body`, req.body ?? '');
  const headers = Object.entries(req.headers).map(([k, v]) => [
    k,
    v.length > 200 ? `${v.slice(0, 60)}... (${v.length} chars)` : v,
  ]);
  writeFileSync(
    file,
    `${JSON.stringify(
      {
        kind,
        target: req.target,
        method: req.method,
        path: req.path,
        headers: Object.fromEntries(headers),
        body: big ? `(${req.body?.length} chars in ${file}.body)` : req.body,
        mutations: req.mutations,
        status: outcome.status,
        answer: outcome.body?.slice(0, 2000) ?? outcome.error,
        ms: outcome.ms,
        detail,
      },
      null,
      2,
    )}\n`,
  );
}

/** The figures as printed lines. */
export function formatReport(report: HttpFuzzReport): string[] {
  const lines = [
    `${report.requests} requests in ${report.seconds.toFixed(1)} s (${report.unsendable} the client would not send)`,
    `by status class: ${JSON.stringify(report.byStatusClass)}`,
    ...Object.entries(report.bySurface).map(([s, c]) => `  ${s.padEnd(10)} ${JSON.stringify(c)}`),
    `by mutation: ${JSON.stringify(report.byMutation)}`,
    `fixtures re-created: ${report.repairs}; state changes not attributable to the request: ${report.unattributedChanges}`,
  ];
  const kinds: Record<string, number> = {};
  for (const f of report.failures) kinds[f.kind] = (kinds[f.kind] ?? 0) + 1;
  lines.push(`failures: ${report.failures.length} ${JSON.stringify(kinds)}`);
  for (const [name, n] of Object.entries(report.known)) lines.push(`known (not counted): ${n} x ${name}`);
  for (const f of report.failures)
    lines.push(
      `  ${f.kind} ${f.status ?? ''} ${f.request.method} ${f.request.path.slice(0, 100)}: ${f.file}`,
    );
  lines.push(`reproducers: ${report.findingsDir}`);
  return lines;
}
