// Tiny benchmark harness: warm up, then run a function in timed batches and report the median
// rate. Figures are printed beside a baseline measured in the same process, never asserted.

export interface Rate {
  readonly name: string;
  readonly perSecond: number;
  readonly nsPerOp: number;
}

/** Runs `fn` repeatedly for about `seconds`, in 10 batches, and returns the median batch rate. */
export function measure(name: string, fn: () => unknown, seconds = 1.5): Rate {
  // Warm up and calibrate the batch size to about a tenth of the time budget.
  let batch = 1;
  for (;;) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) fn();
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    if (ms > (seconds * 1000) / 20 || batch > 1e8) break;
    batch *= 2;
  }
  const rates: number[] = [];
  for (let b = 0; b < 10; b++) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) fn();
    const ns = Number(process.hrtime.bigint() - t);
    rates.push((batch * 1e9) / ns);
  }
  rates.sort((a, b) => a - b);
  const perSecond = ((rates[4] as number) + (rates[5] as number)) / 2;
  return { name, perSecond, nsPerOp: 1e9 / perSecond };
}

export async function measureAsync(name: string, fn: () => Promise<unknown>, count: number): Promise<Rate> {
  for (let i = 0; i < Math.min(20, count); i++) await fn();
  const t = process.hrtime.bigint();
  for (let i = 0; i < count; i++) await fn();
  const ns = Number(process.hrtime.bigint() - t);
  return { name, perSecond: (count * 1e9) / ns, nsPerOp: ns / count };
}

/**
 * Like measureAsync, but as 10 batches of count/10 calls reporting the median batch rate: the same
 * statistic as measure(), so an async path can be compared with a sync baseline without one GC pause or
 * a busy neighbour deciding the figure.
 */
export async function measureAsyncMedian(
  name: string,
  fn: () => Promise<unknown>,
  count: number,
): Promise<Rate> {
  for (let i = 0; i < Math.min(20, count); i++) await fn();
  const batch = Math.max(1, Math.floor(count / 10));
  const rates: number[] = [];
  for (let b = 0; b < 10; b++) {
    const t = process.hrtime.bigint();
    for (let i = 0; i < batch; i++) await fn();
    rates.push((batch * 1e9) / Number(process.hrtime.bigint() - t));
  }
  rates.sort((a, b) => a - b);
  const perSecond = ((rates[4] as number) + (rates[5] as number)) / 2;
  return { name, perSecond, nsPerOp: 1e9 / perSecond };
}

export function formatRate(r: Rate): string {
  const rate =
    r.perSecond >= 1e6
      ? `${(r.perSecond / 1e6).toFixed(2)} M/s`
      : r.perSecond >= 1e3
        ? `${(r.perSecond / 1e3).toFixed(1)} k/s`
        : `${r.perSecond.toFixed(1)} /s`;
  const per =
    r.nsPerOp >= 1e6
      ? `${(r.nsPerOp / 1e6).toFixed(2)} ms`
      : r.nsPerOp >= 1e3
        ? `${(r.nsPerOp / 1e3).toFixed(2)} µs`
        : `${r.nsPerOp.toFixed(0)} ns`;
  return `${r.name.padEnd(58)} ${rate.padStart(11)}  (${per}/op)`;
}

/** "engine / baseline": how many times slower the engine is than the baseline. */
export function ratio(engine: Rate, baseline: Rate): string {
  return `${(baseline.perSecond / engine.perSecond).toFixed(2)}x the baseline's cost`;
}
