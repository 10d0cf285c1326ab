// Reading a Prometheus text exposition in tests: samples by metric name, with their labels.
import { expect } from 'chai';

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Scrape {
  readonly samples: readonly Sample[];
  /** Metric family names announced with # TYPE (histograms as their base name). */
  readonly families: ReadonlySet<string>;
  /** The sum of the samples named `name` whose labels include `labels`. */
  value(name: string, labels?: Readonly<Record<string, string>>): number;
  /** The samples named `name`. */
  series(name: string): readonly Sample[];
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)(?:\s+\d+)?$/;
const LABEL = /([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g;

export function parseScrape(text: string): Scrape {
  const samples: Sample[] = [];
  const families = new Set<string>();
  for (const line of text.split('\n')) {
    if (line.startsWith('# TYPE ')) {
      families.add(line.split(' ')[2]!);
      continue;
    }
    if (line.trim() === '' || line.startsWith('#')) continue;
    const match = SAMPLE.exec(line);
    if (!match) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const [, key, value] of (match[2] ?? '').matchAll(LABEL)) {
      labels[key!] = value!.replace(/\\"/g, '"').replace(/\\n/g, '\n').replace(/\\\\/g, '\\');
    }
    samples.push({ name: match[1]!, labels, value: Number(match[3]) });
  }
  const series = (name: string) => samples.filter((s) => s.name === name);
  return {
    samples,
    families,
    series,
    value(name, labels = {}) {
      const matching = series(name).filter((s) =>
        Object.entries(labels).every(([k, v]) => s.labels[k] === v),
      );
      if (matching.length === 0) throw new Error(`no sample ${name}${JSON.stringify(labels)}`);
      return matching.reduce((sum, s) => sum + s.value, 0);
    },
  };
}

/** GET `url` with the bearer `key`; the parsed scrape (fails the test on anything but 200 text). */
export async function scrape(url: string, key: string): Promise<Scrape> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${key}` } });
  const text = await response.text();
  expect(response.status, text).to.equal(200);
  expect(response.headers.get('content-type')).to.match(/^text\/plain/);
  return parseScrape(text);
}
