// The consumer side: fetchTransfer streams a pull into a file with progress, resumes after an
// interruption with Range + If-Range (also in a later run, from the .part file), restarts when the
// data changed (ETag), and reports refusals with the provider's reason. Plus the progress bar.
import { expect } from 'chai';
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Transform, pipeline } from 'node:stream';
import {
  fetchTransfer,
  fileSourceFactory,
  renderProgressBar,
  type FetchProgress,
  type SourceFactory,
} from '../../connector/dataplane/index.js';
import { Provider, agreementPolicy, removeTempDirs, tempDir, thrown } from './helpers.js';

interface FlakyPlan {
  /** Failures still to inject. */
  failures: number;
  /** Bytes each failing response carries before it breaks. */
  failAfter: number;
  /** Runs when a response breaks (e.g. to change the file). */
  onFail?: () => Promise<void>;
}

/** A file source whose responses break after `failAfter` bytes while `failures` lasts. */
function flakyFactory(base: string, plan: FlakyPlan): SourceFactory {
  const files = fileSourceFactory({ baseDirectories: [base] });
  return {
    kind: 'flaky',
    create(address) {
      const source = files.create({ ...address, kind: 'file' });
      return {
        kind: 'flaky',
        describe: () => `flaky ${source.describe()}`,
        async open(range, options) {
          const data = await source.open(range, options);
          if (plan.failures <= 0) return data;
          plan.failures--;
          let sent = 0;
          const breaking = new Transform({
            transform(chunk: Buffer, _encoding, callback) {
              if (sent + chunk.length <= plan.failAfter) {
                sent += chunk.length;
                callback(null, chunk);
                return;
              }
              this.push(chunk.subarray(0, plan.failAfter - sent));
              sent = plan.failAfter;
              // Let the bytes reach the socket, then break the response.
              setTimeout(() => {
                void (plan.onFail?.() ?? Promise.resolve()).then(() =>
                  callback(new Error('simulated network failure')),
                );
              }, 20);
            },
          });
          pipeline(data.stream, breaking, () => undefined);
          return { ...data, stream: breaking };
        },
      };
    },
  };
}

describe('dataplane/fetch (consumer)', () => {
  let provider: Provider;
  let base: string;
  let out: string;
  const plan: FlakyPlan = { failures: 0, failAfter: 0 };
  const content = randomBytes(3 * 1024 * 1024);

  before(async () => {
    const dir = await tempDir();
    base = join(dir, 'assets');
    out = join(dir, 'downloads');
    await mkdir(base);
    await mkdir(out);
    await writeFile(join(base, 'data.bin'), content);
    await writeFile(join(base, 'patients.csv'), 'id,name\n1,Wang Wei\n');
    provider = await Provider.start({
      sources: { file: { baseDirectories: [base] }, extra: [flakyFactory(base, plan)] },
    });
  });
  after(async () => {
    await provider.close();
    await removeTempDirs();
  });

  let seq = 0;
  async function edrFor(dataAddress: object, constraints: object[] = [], duties: object[] = []) {
    const id = `fetch-${++seq}`;
    provider.addTransfer(id, {
      policy: await agreementPolicy(constraints, duties),
      dataAddress: dataAddress as never,
    });
    return provider.edr(id);
  }
  const options = (edr: { endpoint: string; authorization: string }, file: string) => ({
    endpoint: edr.endpoint,
    authorization: edr.authorization,
    outFile: join(out, file),
    allowPrivateAddresses: true,
    retryDelayMs: 10,
  });
  const exists = (file: string) =>
    stat(file).then(
      () => true,
      () => false,
    );

  it('streams to the file with progress reports ending in one "done" with the total', async () => {
    const edr = await edrFor({ kind: 'file', path: 'data.bin' });
    const progress: FetchProgress[] = [];
    const result = await fetchTransfer({
      ...options(edr, 'a.bin'),
      onProgress: (p) => progress.push(p),
      progressIntervalMs: 0,
    });
    expect((await readFile(result.file)).equals(content)).to.equal(true);
    expect(result).to.include({ bytes: content.length, attempts: 1, resumes: 0, restarts: 0 });
    expect(progress.length).to.be.greaterThan(2);
    expect(progress.filter((p) => p.done)).to.have.length(1);
    expect(progress.at(-1)).to.include({ bytes: content.length, total: content.length, done: true });
    const bytes = progress.map((p) => p.bytes);
    expect(bytes).to.deep.equal([...bytes].sort((a, b) => a - b));
    expect(await exists(`${result.file}.part`)).to.equal(false);
    expect(await exists(`${result.file}.part.json`)).to.equal(false);
  });

  it('resumes after an interruption with Range and If-Range', async () => {
    const edr = await edrFor({ kind: 'flaky', path: 'data.bin' });
    Object.assign(plan, { failures: 1, failAfter: 1024 * 1024, onFail: undefined });
    const result = await fetchTransfer(options(edr, 'b.bin'));
    expect((await readFile(result.file)).equals(content)).to.equal(true);
    expect(result).to.include({ attempts: 2, resumes: 1, restarts: 0 });
    const served = provider.events.filter((e) => e.transferId === edr.transferId && e.method === 'GET');
    expect(served.map((e) => e.status)).to.deep.equal([200, 206]);
    expect(served[1]?.range?.start).to.be.greaterThan(0);
  });

  it('resumes in a later run from the .part file', async () => {
    const edr = await edrFor({ kind: 'flaky', path: 'data.bin' });
    Object.assign(plan, { failures: 1, failAfter: 512 * 1024, onFail: undefined });
    const error = await thrown(() => fetchTransfer({ ...options(edr, 'c.bin'), maxAttempts: 1 }));
    expect(error.code).to.equal('ERR_FETCH_FAILED');
    expect(error.message).to.contain('resume');
    const part = join(out, 'c.bin.part');
    expect((await stat(part)).size).to.be.greaterThan(0);
    const result = await fetchTransfer(options(edr, 'c.bin'));
    expect(result).to.include({ resumes: 1, restarts: 0 });
    expect((await readFile(result.file)).equals(content)).to.equal(true);
  });

  it('restarts from zero when the data changed between attempts (new ETag)', async () => {
    await writeFile(join(base, 'changing.bin'), content);
    const changed = randomBytes(2 * 1024 * 1024 + 17);
    const edr = await edrFor({ kind: 'flaky', path: 'changing.bin' });
    Object.assign(plan, {
      failures: 1,
      failAfter: 1024 * 1024,
      onFail: () => writeFile(join(base, 'changing.bin'), changed),
    });
    const result = await fetchTransfer(options(edr, 'd.bin'));
    expect(result).to.include({ resumes: 0, restarts: 1, bytes: changed.length });
    expect((await readFile(result.file)).equals(changed)).to.equal(true);
  });

  it('finishes a complete .part left by a run that stopped before renaming (416)', async () => {
    const edr = await edrFor({ kind: 'file', path: 'data.bin' });
    const first = await fetchTransfer(options(edr, 'e.bin'));
    await writeFile(join(out, 'e2.bin.part'), content);
    await writeFile(
      join(out, 'e2.bin.part.json'),
      JSON.stringify({ endpoint: edr.endpoint, etag: first.etag, total: content.length }),
    );
    const result = await fetchTransfer(options(edr, 'e2.bin'));
    expect(result).to.include({ bytes: content.length, attempts: 1 });
    expect((await readFile(result.file)).equals(content)).to.equal(true);
  });

  it('does not resume weakly validated (transformed) data: it downloads it again', async () => {
    const edr = await edrFor(
      { kind: 'file', path: 'patients.csv', anonymize: { columns: ['name'] } },
      [],
      [{ action: 'anonymize' }],
    );
    await writeFile(join(out, 'f.csv.part'), 'id\n');
    const result = await fetchTransfer(options(edr, 'f.csv'));
    expect(await readFile(result.file, 'utf8')).to.equal('id\n1\n');
  });

  it('reports a refusal with the provider reason and does not retry it', async () => {
    const edr = await edrFor({ kind: 'file', path: 'data.bin' }, [
      { leftOperand: 'count', operator: 'lteq', rightOperand: 1 },
    ]);
    await fetchTransfer(options(edr, 'g.bin'));
    const error = await thrown(() => fetchTransfer(options(edr, 'g2.bin')));
    expect(error.code).to.equal('ERR_FETCH_REFUSED');
    expect(error.details?.status).to.equal(403);
    expect(error.message).to.contain('count lteq 1');
    const gets = provider.events.filter((e) => e.transferId === edr.transferId);
    expect(gets).to.have.length(2);
  });

  it('refuses an endpoint outside the host policy without connecting', async () => {
    const edr = await edrFor({ kind: 'file', path: 'data.bin' });
    const error = await thrown(() =>
      fetchTransfer({
        ...options(edr, 'h.bin'),
        hostPolicy: { allow: ['provider.example'], allowHttpForLoopback: true },
      }),
    );
    expect(error.code).to.equal('ERR_FETCH_REFUSED');
    const guarded = await thrown(() =>
      fetchTransfer({ ...options(edr, 'h.bin'), allowPrivateAddresses: false }),
    );
    expect(guarded.code).to.equal('ERR_FETCH_REFUSED');
    expect(provider.events.filter((e) => e.transferId === edr.transferId)).to.have.length(0);
  });

  it('renders a progress bar', () => {
    const mib = 1024 * 1024;
    expect(renderProgressBar({ bytes: 512 * mib, total: 1024 * mib, rate: 100 * mib }, 10)).to.equal(
      '[#####.....]  50.0%  512.0 MiB / 1.0 GiB  100.0 MiB/s  ETA 5s',
    );
    expect(renderProgressBar({ bytes: 1500, rate: 0 })).to.equal('1.5 KiB  0 B/s');
    expect(renderProgressBar({ bytes: 0, total: 10, rate: 0 }, 4)).to.equal(
      '[....]   0.0%  0 B / 10 B  0 B/s  ETA ?',
    );
  });
});
