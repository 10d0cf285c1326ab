// `shuyu store migrate --to URL`: a connector's SQLite state (evidence chain, assets with the offers that
// reference them, wallet, outbox) copied into PostgreSQL table by table, rows per table reported; the
// copy reads back identical, the evidence log reopens on PostgreSQL and keeps appending; a database that
// already holds a store is refused without --force.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Output } from '../../cli/io.js';
import { main } from '../../cli/main.js';
import { EvidenceLog } from '../../connector/evidence/index.js';
import { REPLAY_CACHE_MIGRATIONS } from '../../connector/identity/index.js';
import { CONTROL_PLANE_CONNECTOR_MIGRATIONS } from '../../connector/process/run-connector.js';
import { Database, type Store } from '../../connector/store/database.js';
import { PostgresStore } from '../../connector/store/postgres.js';
import { WALLET_MIGRATIONS } from '../../connector/wallet/store.js';
import { postgresForTests } from '../support/postgres.js';

const MIGRATIONS = [...WALLET_MIGRATIONS, ...REPLAY_CACHE_MIGRATIONS, ...CONTROL_PLANE_CONNECTOR_MIGRATIONS];
const LOG = 'did:web:migrating.example';

async function run(args: string[]): Promise<{ code: number; text: string }> {
  const lines: string[] = [];
  const io: Output = { line: (t = '') => lines.push(t), error: (t) => lines.push(t) };
  const code = await main(args, io);
  return { code, text: lines.join('\n') };
}

async function dump(db: Store, table: string, order: string): Promise<unknown[]> {
  return db.all(`SELECT * FROM ${table} ORDER BY ${order}`);
}

describe('store: shuyu store migrate', function () {
  this.timeout(60_000);
  let dir: string;
  let url: string;

  before(async function () {
    const available = await postgresForTests();
    if (!available.ok) {
      console.log(`      skipped: ${available.reason}`);
      this.skip();
    }
    url = await available.postgres.createDatabase();
    dir = mkdtempSync(join(tmpdir(), 'shuyu-migrate-'));
    const db = await Database.open(join(dir, 'connector.sqlite'), MIGRATIONS);
    const log = await EvidenceLog.open(db, { logId: LOG });
    for (let i = 0; i < 7; i++)
      await log.append('data-access', `urn:transfer:${i % 3}`, { n: i, text: '数据 ✓' });
    const now = new Date().toISOString();
    await db.exec(`
      INSERT INTO assets_asset (id, seq, body, created_at, updated_at) VALUES ('a1', 1, '{"title":"门诊"}', '${now}', '${now}');
      INSERT INTO assets_offer (id, seq, body, access_canonical, contract_canonical, created_at, updated_at)
        VALUES ('o1', 2, '{}', '{}', '{}', '${now}', '${now}');
      INSERT INTO assets_offer_asset (offer_id, asset_id) VALUES ('o1', 'a1');
      INSERT INTO wallet_credentials (id, type, format, issuer, credential, received_at)
        VALUES ('c1', 'MembershipCredential', 'jwt', 'did:web:authority', 'e30.e30.sig', '${now}');
    `);
    await db.run(
      `INSERT INTO outbox (id, aggregate_id, url, method, status, next_attempt_at, created_at, updated_at)
       VALUES (?, ?, ?, 'POST', 'delivered', ?, ?, ?)`,
      ['m1', 'n1', 'http://peer/dsp', now, now, now],
    );
    await db.close();
  });
  after(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('copies every table, reports rows per table, and the copy reads back identical', async () => {
    const { code, text } = await run(['store', 'migrate', '--dir', dir, '--to', url]);
    expect(code, text).to.equal(0);
    expect(text).to.match(/evidence_entry\s+7/);
    expect(text).to.match(/assets_offer_asset\s+1/);
    expect(text).to.match(/outbox\s+1/);

    const source = await Database.open(join(dir, 'connector.sqlite'), MIGRATIONS);
    const target = await PostgresStore.open(url, MIGRATIONS);
    try {
      for (const [table, order] of [
        ['evidence_entry', 'seq'],
        ['evidence_meta', 'name'],
        ['assets_asset', 'id'],
        ['assets_offer_asset', 'offer_id'],
        ['wallet_credentials', 'id'],
      ] as const) {
        expect(await dump(target, table, order), table).to.deep.equal(await dump(source, table, order));
      }
      // The log goes on where it stopped, on PostgreSQL: the chain and the ids continue.
      const log = await EvidenceLog.open(target, { logId: LOG });
      const next = await log.append('data-access', 'urn:transfer:after', { n: 7 });
      expect(next.seq).to.equal(7);
      const outbox = await target.get<{ seq: number }>(
        `INSERT INTO outbox (id, aggregate_id, url, method, status, next_attempt_at, created_at, updated_at)
         VALUES ('m2', 'n2', 'http://peer/dsp', 'POST', 'pending', 'x', 'x', 'x') RETURNING seq`,
      );
      expect(outbox?.seq).to.equal(2);
    } finally {
      await Promise.all([source.close(), target.close()]);
    }
  });

  it('refuses a database that already holds a store unless --force, which replaces it', async () => {
    const refused = await run(['store', 'migrate', '--dir', dir, '--to', url]);
    expect(refused.code).to.equal(1);
    expect(refused.text).to.match(/already holds a Shuyu store; pass --force/);
    const forced = await run(['store', 'migrate', '--dir', dir, '--to', url, '--force']);
    expect(forced.code, forced.text).to.equal(0);
    const target = await PostgresStore.open(url);
    try {
      expect(await target.get('SELECT COUNT(*) AS n FROM evidence_entry')).to.deep.equal({ n: 7 });
    } finally {
      await target.close();
    }
  });

  it('says what is wrong with a missing source or a URL that is not PostgreSQL', async () => {
    const missing = await run(['store', 'migrate', '--dir', join(dir, 'nothing'), '--to', url]);
    expect(missing.code).to.equal(1);
    expect(missing.text).to.match(/holds no connector\.sqlite; check --dir/);
    const wrong = await run(['store', 'migrate', '--dir', dir, '--to', 'sqlite://x']);
    expect(wrong.code).to.equal(2);
    expect(wrong.text).to.match(/must be a PostgreSQL URL/);
  });
});
