// `shuyu catalog status|crawl` against a real authority with its federated catalog and a member's
// connector on 127.0.0.1: per-member crawl status, a crawl of one member that waits for its result, and the
// refusals (unknown member, no admin key).
import { expect } from 'chai';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Output } from '../../cli/io.js';
import { main } from '../../cli/main.js';
import type { ControlPlaneConnector } from '../../connector/process/run-connector.js';
import { hospitalApplication } from '../authority/helpers.js';
import {
  ACCESS,
  asset,
  publish,
  startFederationSpace,
  template,
  type FederationSpace,
} from '../federation/helpers.js';

function capture(): Output & { out: string[]; err: string[]; text(): string } {
  const out: string[] = [];
  const err: string[] = [];
  return {
    out,
    err,
    line: (t = '') => out.push(t),
    error: (t) => err.push(t),
    text: () => [...out, ...err].join('\n'),
  };
}

describe('cli: catalog status and crawl (admins)', function () {
  this.timeout(30_000);
  let space: FederationSpace;
  let hospital: ControlPlaneConnector;
  let authorityDir: string;

  before(async () => {
    space = await startFederationSpace();
    hospital = await space.member('hospital', hospitalApplication());
    authorityDir = join(space.dir, 'authority');
    await writeFile(join(authorityDir, 'admin-api-key'), `${space.adminKey}\n`, { mode: 0o600 });
  });
  after(async () => space?.close());

  async function run(...args: string[]): Promise<{ code: number; text: string; out: string }> {
    const io = capture();
    const code = await main(
      ['catalog', ...args, '--dir', authorityDir, '--admin-url', space.authority.admin.url],
      io,
    );
    return { code, text: io.text(), out: io.out.join('\n') };
  }

  it('shows each member never crawled, and that automatic crawling is off in this space', async () => {
    const status = await run('status');
    expect(status.code, status.text).to.equal(0);
    expect(status.out).to.include('Federated catalog: 0 dataset(s) and 0 offer(s) from 0 member(s)');
    expect(status.out).to.include('automatic crawling is off');
    expect(status.out).to.include(hospital.did);
    expect(status.out).to.match(/never-crawled/);
  });

  it('crawls one member now, waits and shows the result; the status then counts its dataset', async () => {
    await publish(
      hospital,
      [asset('urn:dataset:cli-crawl', hospital.did)],
      [
        {
          id: 'cli',
          assetSelector: { assetIds: ['urn:dataset:cli-crawl'] },
          accessPolicy: ACCESS.members,
          contractPolicy: template('medical'),
        },
      ],
    );
    const crawl = await run('crawl', '--member', hospital.did);
    expect(crawl.code, crawl.text).to.equal(0);
    expect(crawl.out).to.match(/Crawl \d+ of 1 member\(s\), finished .* 1 changed, 0 unchanged, 0 failed/);
    expect(crawl.out).to.include('1 dataset(s), 1 offer(s)');

    const status = await run('status', '--json');
    expect(status.code, status.text).to.equal(0);
    const overview = JSON.parse(status.out) as {
      index: { datasets: number; providers: number };
      providers: { did: string; state: string; lastAttemptAt?: string }[];
    };
    expect(overview.index).to.include({ datasets: 1, providers: 1 });
    const entry = overview.providers.find((p) => p.did === hospital.did);
    expect(entry?.state).to.equal('ok');
    expect(entry?.lastAttemptAt).to.be.a('string');
  });

  it('refuses a crawl of a DID that is no member, and commands without an admin key', async () => {
    const unknown = await run('crawl', '--member', 'did:web:127.0.0.1%3A1');
    expect(unknown.code).to.equal(1);
    expect(unknown.text).to.match(/not an active member with a connector URL/);

    const io = capture();
    const previous = process.env.SHUYU_ADMIN_KEY;
    process.env.SHUYU_ADMIN_KEY = 'not-the-key';
    try {
      const code = await main(
        ['catalog', 'status', '--admin-url', space.authority.admin.url, '--dir', space.dir],
        io,
      );
      expect(code).to.equal(1);
      expect(io.text()).to.match(/admin/i);
    } finally {
      if (previous === undefined) delete process.env.SHUYU_ADMIN_KEY;
      else process.env.SHUYU_ADMIN_KEY = previous;
    }
  });

  it('explains itself with --help', async () => {
    const io = capture();
    expect(await main(['catalog', 'crawl', '--help'], io)).to.equal(0);
    expect(io.text()).to.include('shuyu catalog crawl [--member DID]');
  });
});
