// A throwaway PostgreSQL cluster for the tests (and benches) that run on PostgreSQL: started once per
// process on first use, under a temporary directory on a free port (TCP on 127.0.0.1 only, unix socket
// in the directory, trust authentication), one fresh database per caller, stopped when the process exits.
// SHUYU_TEST_DATABASE_URL names an existing server instead (its user may CREATE DATABASE). Without
// either, `postgresForTests()` says why, and the suites skip.
//
// initdb refuses to run as root: as root the cluster runs as the `postgres` user (runuser).

import { execFileSync, spawnSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';

export interface TestPostgres {
  /** A new, empty database; its URL. */
  createDatabase(): Promise<string>;
  /** Where the server is, for messages. */
  readonly description: string;
}

export type PostgresAvailability =
  { readonly ok: true; readonly postgres: TestPostgres } | { readonly ok: false; readonly reason: string };

let started: Promise<PostgresAvailability> | undefined;
let counter = 0;

/**
 * The test server (started on first call), or why there is none. `external` (default
 * SHUYU_TEST_DATABASE_URL; the benches pass their own) names a server to use instead of a cluster.
 */
export function postgresForTests(
  external: string | undefined = process.env.SHUYU_TEST_DATABASE_URL,
): Promise<PostgresAvailability> {
  started ??= start(external).catch((e: unknown) => ({
    ok: false,
    reason: `the test cluster did not start: ${(e as Error).message}`,
  }));
  return started;
}

async function start(external: string | undefined): Promise<PostgresAvailability> {
  if (external !== undefined && external !== '') return { ok: true, postgres: serverAt(external, external) };
  const bin = postgresBinaries();
  if (bin === undefined) {
    return {
      ok: false,
      reason:
        'PostgreSQL binaries not found (/usr/lib/postgresql/*/bin or pg_config --bindir): install Debian postgresql or set SHUYU_TEST_DATABASE_URL',
    };
  }
  const cluster = await startCluster(bin);
  const url = `postgres://postgres@127.0.0.1:${cluster.port}/postgres`;
  return {
    ok: true,
    postgres: serverAt(url, `throwaway cluster ${cluster.dir} on 127.0.0.1:${cluster.port}`),
  };
}

function serverAt(adminUrl: string, description: string): TestPostgres {
  return {
    description,
    async createDatabase() {
      const name = `shuyu_test_${process.pid}_${++counter}`;
      const admin = new pg.Client({ connectionString: adminUrl });
      await admin.connect();
      try {
        await admin.query(`CREATE DATABASE ${name}`);
      } finally {
        await admin.end();
      }
      const url = new URL(adminUrl);
      url.pathname = `/${name}`;
      return url.toString();
    },
  };
}

function postgresBinaries(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (existsSync(root)) {
    const versions = readdirSync(root)
      .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
      .sort((a, b) => Number(b) - Number(a));
    if (versions[0] !== undefined) return join(root, versions[0], 'bin');
  }
  try {
    const dir = execFileSync('pg_config', ['--bindir'], { encoding: 'utf8' }).trim();
    return existsSync(join(dir, 'initdb')) ? dir : undefined;
  } catch {
    return undefined;
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}

interface Cluster {
  readonly dir: string;
  readonly port: number;
}

async function startCluster(bin: string): Promise<Cluster> {
  const asRoot = process.getuid?.() === 0;
  const as = (command: string, args: string[]): string[] =>
    asRoot ? ['runuser', '-u', 'postgres', '--', command, ...args] : [command, ...args];
  const run = (command: string, args: string[]): void => {
    const [program, ...rest] = as(join(bin, command), args);
    const result = spawnSync(program!, rest, { encoding: 'utf8' });
    if (result.status !== 0) {
      throw new Error(
        `${command} failed (${result.status ?? result.signal}): ${(result.stderr || result.stdout || String(result.error)).trim()}`,
      );
    }
  };
  const dir = mkdtempSync(join(tmpdir(), 'shuyu-pg-'));
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    chownSync(dir, uid, gid);
  }
  const data = join(dir, 'data');
  const port = await freePort();
  // C collation: text sorts by code point, as SQLite's BINARY does, so both backends order alike.
  run('initdb', ['-D', data, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C', '--no-sync']);
  const hba = ['local all all trust', 'host all all 127.0.0.1/32 trust', ''].join('\n');
  writeFileSync(join(data, 'pg_hba.conf'), hba);
  // Durability does not matter for a throwaway cluster; speed does.
  const conf = [
    `port = ${port}`,
    "listen_addresses = '127.0.0.1'",
    `unix_socket_directories = '${dir}'`,
    'fsync = off',
    'synchronous_commit = off',
    'full_page_writes = off',
    'max_connections = 200',
    '',
  ].join('\n');
  writeFileSync(join(data, 'postgresql.auto.conf'), conf);
  if (asRoot) execFileSync('chown', ['-R', 'postgres:postgres', dir]);
  run('pg_ctl', ['start', '-D', data, '-l', join(dir, 'server.log'), '-w', '-t', '60']);
  process.once('exit', () => {
    // Synchronous: an exit handler cannot wait for promises.
    const [program, ...rest] = as(join(bin, 'pg_ctl'), ['stop', '-D', data, '-m', 'immediate', '-w']);
    spawnSync(program!, rest, { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  });
  return { dir, port };
}
