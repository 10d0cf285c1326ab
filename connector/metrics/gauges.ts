// Gauges read from the store at scrape time (cheap aggregate queries on indexed columns): the numbers
// come from the same rows the management API shows, so they survive restarts and cannot drift.
import { Counter, Gauge, type Registry } from 'prom-client';

type Labels<L extends string> = Partial<Record<L, string>>;

export interface QueriedGaugeOptions<L extends string> {
  readonly registry: Registry;
  readonly name: string;
  readonly help: string;
  readonly labelNames?: readonly L[];
  /** Label sets always present, at 0 unless the query says otherwise (dashboards see every state). */
  readonly zeros?: readonly Labels<L>[];
  /** The current values; a row per label set. */
  readonly read: () => Promise<readonly { labels?: Labels<L>; value: number }[]>;
}

/** A gauge whose values are replaced by `read()` at every scrape. */
export function queriedGauge<L extends string>(options: QueriedGaugeOptions<L>): Gauge<L> {
  return new Gauge<L>({
    name: options.name,
    help: options.help,
    labelNames: options.labelNames ?? [],
    registers: [options.registry],
    async collect() {
      const rows = await options.read();
      this.reset();
      for (const labels of options.zeros ?? []) this.set(labels, 0);
      for (const row of rows) {
        if (row.labels === undefined) this.set(row.value);
        else this.set(row.labels, row.value);
      }
    },
  });
}

/** A counter whose total is kept elsewhere (a table's sequence, an object's tally), read at scrape time. */
export function queriedCounter(options: {
  readonly registry: Registry;
  readonly name: string;
  readonly help: string;
  readonly read: () => Promise<number>;
}): Counter {
  return new Counter({
    name: options.name,
    help: options.help,
    registers: [options.registry],
    async collect() {
      const total = await options.read();
      this.reset();
      this.inc(total);
    },
  });
}

/** Seconds from an ISO timestamp to now; 0 for none. */
export function ageSeconds(iso: string | null | undefined, now: Date): number {
  if (!iso) return 0;
  const at = Date.parse(iso);
  return Number.isNaN(at) ? 0 : Math.max(0, (now.getTime() - at) / 1000);
}

/** Unix seconds of an ISO timestamp; 0 for none. */
export function unixSeconds(iso: string | null | undefined): number {
  if (!iso) return 0;
  const at = Date.parse(iso);
  return Number.isNaN(at) ? 0 : at / 1000;
}
