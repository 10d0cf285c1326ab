// The wallet stores validity dates in one form whatever path wrote them and compares them as instants: a
// validFrom written without milliseconds (or with an offset) is not "in the future" at a later instant.
// A real SQLite file in a temp directory.
import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Store } from '../../connector/store/database.js';
import { openTestStore } from '../support/store.js';
import { Wallet, WALLET_MIGRATIONS, type WalletCredential } from '../../connector/wallet/store.js';

function credential(id: string, validFrom?: string, validUntil?: string): WalletCredential {
  return {
    id,
    type: 'MembershipCredential',
    format: 'jwt',
    issuer: 'did:web:issuer',
    credential: `jwt-${id}`,
    ...(validFrom !== undefined ? { validFrom } : {}),
    ...(validUntil !== undefined ? { validUntil } : {}),
    receivedAt: '2026-01-01T09:00:00.000Z',
  };
}

describe('wallet/store: validity dates', () => {
  let dir: string;
  let db: Store;
  let wallet: Wallet;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'shuyu-wallet-'));
    db = await openTestStore(join(dir, 'connector.sqlite'), WALLET_MIGRATIONS);
    wallet = new Wallet(db);
  });
  afterEach(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('stores every date as toISOString and presents a credential valid from a second without milliseconds', async () => {
    await wallet.replaceFromIssuer('did:web:issuer', [
      credential('a', '2026-01-01T10:00:00Z', '2026-01-02T10:00:00Z'),
      credential('b', '2026-01-01T18:00:00+08:00'), // 10:00 UTC
      credential('c', '2026-01-01T10:00:01Z'),
    ]);
    const stored = await wallet.list();
    expect(stored.map((c) => [c.id, c.validFrom, c.validUntil])).to.deep.equal([
      ['a', '2026-01-01T10:00:00.000Z', '2026-01-02T10:00:00.000Z'],
      ['b', '2026-01-01T10:00:00.000Z', undefined],
      ['c', '2026-01-01T10:00:01.000Z', undefined],
    ]);
    const present = await wallet.presentable(new Date('2026-01-01T10:00:00.500Z'));
    expect(present.map((c) => c.id)).to.deep.equal(['a', 'b']);
    expect((await wallet.presentable(new Date('2026-01-02T10:00:00.000Z'))).map((c) => c.id)).to.deep.equal([
      'b',
      'c',
    ]);
  });

  it('compares rows written before normalisation as instants too', async () => {
    await db.run(
      `INSERT INTO wallet_credentials (id, type, format, issuer, credential, valid_from, valid_until, received_at)
       VALUES ('old', 'MembershipCredential', 'jwt', 'did:web:issuer', 'jwt-old', '2026-01-01T10:00:00Z',
               '2026-01-01T12:00:00+01:00', '2026-01-01T09:00:00Z')`,
    );
    expect(await wallet.presentable(new Date('2026-01-01T10:00:00.500Z'))).to.have.length(1);
    // 12:00+01:00 is 11:00 UTC: expired at 11:30 UTC although "2026-01-01T12…" > "2026-01-01T11:30…" as text.
    expect(await wallet.presentable(new Date('2026-01-01T11:30:00.000Z'))).to.have.length(0);
  });

  it('refuses a date that does not parse and keeps what it held', async () => {
    await wallet.replaceFromIssuer('did:web:issuer', [credential('a', '2026-01-01T10:00:00Z')]);
    let error: unknown;
    try {
      await wallet.replaceFromIssuer('did:web:issuer', [credential('x', 'yesterday')]);
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(RangeError);
    expect((error as Error).message).to.include('validFrom "yesterday" is not a date');
    expect((await wallet.list()).map((c) => c.id)).to.deep.equal(['a']);
  });
});
