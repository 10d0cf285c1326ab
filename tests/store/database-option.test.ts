// --database on the CLI: a URL that is not PostgreSQL and a server that does not answer (for a connector
// and for the authority) are refused with what to do, exit codes 2 / 1, and no password echoed.
import { expect } from 'chai';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Output } from '../../cli/io.js';
import { main } from '../../cli/main.js';
import { postgresForTests } from '../support/postgres.js';

async function run(args: string[]): Promise<{ code: number; text: string }> {
  const lines: string[] = [];
  const io: Output = { line: (t = '') => lines.push(t), error: (t) => lines.push(t) };
  const code = await main(args, io);
  return { code, text: lines.join('\n') };
}

function closedPort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

describe('store: the --database option', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'shuyu-dboption-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a URL that is not PostgreSQL with usage exit 2, without echoing the password', async () => {
    const connectorDir = join(dir, 'c');
    const { code, text } = await run([
      'connector',
      'start',
      '--dir',
      connectorDir,
      '--port',
      '0',
      '--authority',
      'http://127.0.0.1:9',
      '--database',
      'mysql://user:hunter2@db/shuyu',
    ]);
    expect(code, text).to.equal(2);
    expect(text).to.match(/--database must be a PostgreSQL URL like postgres:\/\//);
    expect(text).not.to.include('hunter2');
    expect(existsSync(join(connectorDir, 'connector.sqlite'))).to.equal(false);
  });

  it('says the server is unreachable and writes no SQLite file', async () => {
    const connectorDir = join(dir, 'c');
    const port = await closedPort();
    const { code, text } = await run([
      'connector',
      'start',
      '--dir',
      connectorDir,
      '--port',
      '0',
      '--authority',
      'http://127.0.0.1:9',
      '--database',
      `postgres://shuyu:hunter2@127.0.0.1:${port}/shuyu`,
    ]);
    expect(code, text).to.equal(1);
    expect(text).to.match(/cannot reach PostgreSQL at 127\.0\.0\.1:\d+ .*is the server running/);
    expect(text).not.to.include('hunter2');
    expect(existsSync(join(connectorDir, 'connector.sqlite'))).to.equal(false);
  });

  it('starts no authority on an unreachable server and writes no SQLite file', async () => {
    const authorityDir = join(dir, 'a');
    const port = await closedPort();
    const { code, text } = await run([
      'authority',
      'start',
      '--dir',
      authorityDir,
      '--port',
      '0',
      '--database',
      `postgres://shuyu:hunter2@127.0.0.1:${port}/shuyu`,
    ]);
    expect(code, text).to.equal(1);
    expect(text).to.match(/cannot reach PostgreSQL at 127\.0\.0\.1:\d+ .*is the server running/);
    expect(text).not.to.include('hunter2');
    expect(existsSync(join(authorityDir, 'authority.sqlite'))).to.equal(false);
  });

  it('creates an authority on PostgreSQL: the URL in authority.json, no SQLite file', async function () {
    const available = await postgresForTests();
    if (!available.ok) {
      console.log(`      skipped: ${available.reason}`);
      this.skip();
    }
    const url = await available.postgres.createDatabase();
    const authorityDir = join(dir, 'a');
    const { code, text } = await run(['authority', 'init', '--dir', authorityDir, '--database', url]);
    expect(code, text).to.equal(0);
    expect(existsSync(join(authorityDir, 'authority.sqlite'))).to.equal(false);
    const config = JSON.parse(readFileSync(join(authorityDir, 'authority.json'), 'utf8')) as {
      database?: string;
    };
    expect(config.database).to.equal(url);
  });
});
