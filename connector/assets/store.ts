// The asset registry in SQLite: assets, offers (contract definitions) and the explicit links from
// offers to the assets they list. Every write is validated first (policies by the policy engine)
// and bumps `version`, which tells the catalog's in-memory snapshot to refresh.

import type { Store, Migration, Queries } from '../store/database.js';
import { jsonValues } from '../store/dialect.js';
import { ConflictError, NotFoundError, ValidationError, type FieldError } from './errors.js';
import type { Asset, AssetRegistration, Offer } from './types.js';
import { parseAsset } from './validate/asset.js';
import { child } from './validate/fields.js';
import { parseOffer } from './validate/offer.js';
import type { OfferCheckOptions } from './validate/policy.js';

export const ASSET_MIGRATIONS: readonly Migration[] = [
  {
    id: 'assets/1',
    sql: `
      -- seq: the registry sequence number of the row's last write, so the catalog re-reads only
      -- what changed since its snapshot (changesSince). Kept before body: scanning it skips the body.
      CREATE TABLE assets_sequence (id INTEGER PRIMARY KEY CHECK (id = 1), value INTEGER NOT NULL);
      INSERT INTO assets_sequence (id, value) VALUES (1, 0);
      CREATE TABLE assets_asset (
        id TEXT PRIMARY KEY,
        seq INTEGER NOT NULL,
        body TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX assets_asset_ids ON assets_asset (id, seq);
      CREATE INDEX assets_asset_seq ON assets_asset (seq);
      CREATE TABLE assets_offer (
        id TEXT PRIMARY KEY,
        seq INTEGER NOT NULL,
        body TEXT NOT NULL,
        access_canonical TEXT NOT NULL,
        contract_canonical TEXT NOT NULL,
        created_at TEXT NOT NULL,
        updated_at TEXT NOT NULL
      );
      CREATE INDEX assets_offer_ids ON assets_offer (id, seq);
      CREATE INDEX assets_offer_seq ON assets_offer (seq);
      -- Explicit selectors only (assetIds): what makes an asset undeletable while an offer lists it.
      CREATE TABLE assets_offer_asset (
        offer_id TEXT NOT NULL REFERENCES assets_offer(id) ON DELETE CASCADE,
        asset_id TEXT NOT NULL REFERENCES assets_asset(id),
        PRIMARY KEY (offer_id, asset_id)
      ) WITHOUT ROWID;
      CREATE INDEX assets_offer_asset_by_asset ON assets_offer_asset (asset_id);
    `,
  },
];

/** A stored offer with the canonical forms of its policies (JSON text), as the snapshot compiles them. */
export interface OfferRecord {
  readonly offer: Offer;
  readonly accessCanonical: string;
  readonly contractCanonical: string;
}

/** `changesSince(EVERYTHING)` reads every row (sequence numbers start at 1). */
export const EVERYTHING = -1;

/** A row's id and the sequence number of its last write. */
export interface RowStamp {
  readonly id: string;
  readonly seq: number;
}

/** What changed since a sequence number, read in one transaction (what the catalog refreshes from). */
export interface RegistryChanges {
  /** The registry's sequence number at the time of the read. */
  readonly seq: number;
  /** Every asset now registered, by id. */
  readonly assetStamps: readonly RowStamp[];
  /** Every offer now registered, by id. */
  readonly offerStamps: readonly RowStamp[];
  /** Assets written after `since`. */
  readonly assets: ReadonlyMap<string, Asset>;
  /** Offers written after `since`. */
  readonly offers: ReadonlyMap<string, OfferRecord>;
}

export interface OfferWrite {
  readonly offer: Offer;
  /** Lint warnings of the policies (the write succeeded). */
  readonly warnings: readonly FieldError[];
}

export interface AssetStoreOptions {
  /** Default issued / modified times (tests pass a fixed clock). */
  readonly clock?: () => Date;
  /**
   * Whether the data plane can serve a data address (confined path, allowed backend host, known kind):
   * a reason to refuse it, or undefined. Without it, addresses are only checked for shape.
   */
  readonly checkDataAddress?: (address: Asset['dataAddress']) => string | undefined;
  /** Other processes (connector replicas) write the same database: `sync` looks for their writes. */
  readonly sharedDatabase?: boolean;
}

interface BodyRow {
  readonly body: string;
}

interface OfferRow extends BodyRow {
  readonly access_canonical: string;
  readonly contract_canonical: string;
}

export class AssetStore {
  private changes = 0;
  private readonly listeners = new Set<() => void>();
  /** The highest registry sequence number this process has seen (sharedDatabase). */
  private seenSeq = 0;
  private readonly shared: boolean;
  private readonly clock: () => Date;

  /** `db` must have been opened with ASSET_MIGRATIONS. */
  constructor(
    private readonly db: Store,
    options: AssetStoreOptions = {},
  ) {
    this.clock = options.clock ?? (() => new Date());
    this.checkDataAddress = options.checkDataAddress;
    this.shared = options.sharedDatabase === true;
  }

  /**
   * With a shared database, bumps `version` when another process wrote since we last looked (one read of
   * the sequence number); without, nothing: every write goes through this object.
   */
  async sync(): Promise<void> {
    if (!this.shared) return;
    const row = await this.db.get<{ value: number }>('SELECT value FROM assets_sequence WHERE id = 1');
    if (row !== undefined && row.value > this.seenSeq) {
      this.seenSeq = row.value;
      this.changes++;
    }
  }

  private readonly checkDataAddress: AssetStoreOptions['checkDataAddress'];

  /** Refuses an address the data plane would refuse at every access, at registration instead. */
  private servable(asset: Asset): Asset {
    const reason = this.checkDataAddress?.(asset.dataAddress);
    if (reason !== undefined) {
      throw new ValidationError('ERR_ASSET_INVALID', `the data address cannot be served: ${reason}`, [
        { pointer: '/dataAddress', reason },
      ]);
    }
    return asset;
  }

  /**
   * Calls `listener` after every committed write (an asset or offer created, replaced or deleted, a product
   * registration recorded), until the returned function is called. Listeners must not throw.
   */
  onChange(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Bumped after every committed write of this store; equal versions mean equal contents. */
  get version(): number {
    return this.changes;
  }

  async createAsset(input: unknown): Promise<Asset> {
    const now = this.clock().toISOString();
    const asset = this.servable(parseAsset(input, { issued: now, modified: now }));
    await this.write(async (tx, seq) => {
      if (await tx.get('SELECT 1 AS x FROM assets_asset WHERE id = ?', [asset.id]))
        throw new ConflictError(
          'ERR_ASSET_EXISTS',
          `an asset with id ${asset.id} exists; replace it instead`,
          [{ pointer: '/id', reason: 'already registered' }],
        );
      await tx.run(
        'INSERT INTO assets_asset (id, seq, body, created_at, updated_at) VALUES (?, ?, ?, ?, ?)',
        [asset.id, seq, JSON.stringify(asset), now, now],
      );
    });
    return asset;
  }

  /** Replaces the asset `id` (its issued time is kept unless the input gives one). */
  async replaceAsset(id: string, input: unknown): Promise<Asset> {
    const now = this.clock().toISOString();
    const previous = await this.getAsset(id);
    if (previous === undefined) throw assetNotFound(id);
    const parsed = this.servable(parseAsset(input, { issued: previous.issued, modified: now }));
    // The registration is not input: it stays with the dataset until the registry changes it.
    const asset = previous.registration ? { ...parsed, registration: previous.registration } : parsed;
    if (asset.id !== id)
      throw new ValidationError('ERR_ASSET_INVALID', `the asset's id ${asset.id} differs from ${id}`, [
        { pointer: '/id', reason: `must be ${id}: an asset's id cannot change` },
      ]);
    await this.write(async (tx, seq) => {
      const result = await tx.run('UPDATE assets_asset SET seq = ?, body = ?, updated_at = ? WHERE id = ?', [
        seq,
        JSON.stringify(asset),
        now,
        id,
      ]);
      if (result.changes === 0) throw assetNotFound(id);
    });
    return asset;
  }

  /** Records (or with undefined, clears) the product registration the asset's dataset carries. */
  async setRegistration(id: string, registration: AssetRegistration | undefined): Promise<Asset> {
    const previous = await this.getAsset(id);
    if (previous === undefined) throw assetNotFound(id);
    const { registration: _old, ...rest } = previous;
    const asset: Asset = registration ? { ...rest, registration } : rest;
    await this.write(async (tx, seq) => {
      const result = await tx.run('UPDATE assets_asset SET seq = ?, body = ?, updated_at = ? WHERE id = ?', [
        seq,
        JSON.stringify(asset),
        this.clock().toISOString(),
        id,
      ]);
      if (result.changes === 0) throw assetNotFound(id);
    });
    return asset;
  }

  /** Refused while an offer lists the asset explicitly (the offer would silently lose it). */
  async deleteAsset(id: string): Promise<void> {
    await this.write(async (tx) => {
      const users = await tx.all<{ offer_id: string }>(
        'SELECT offer_id FROM assets_offer_asset WHERE asset_id = ? ORDER BY offer_id',
        [id],
      );
      if (users.length > 0) {
        const ids = users.map((u) => u.offer_id);
        throw new ConflictError(
          'ERR_ASSET_IN_USE',
          `asset ${id} is listed by offer${ids.length === 1 ? '' : 's'} ${ids.join(', ')}; remove it from their assetSelector first`,
          ids.map((o) => ({ pointer: '', reason: `offer ${o} lists this asset in assetSelector.assetIds` })),
        );
      }
      const result = await tx.run('DELETE FROM assets_asset WHERE id = ?', [id]);
      if (result.changes === 0) throw assetNotFound(id);
    });
  }

  async getAsset(id: string): Promise<Asset | undefined> {
    const row = await this.db.get<BodyRow>('SELECT body FROM assets_asset WHERE id = ?', [id]);
    return row === undefined ? undefined : (JSON.parse(row.body) as Asset);
  }

  async listAssets(): Promise<Asset[]> {
    const rows = await this.db.all<BodyRow>('SELECT body FROM assets_asset ORDER BY id');
    return rows.map((r) => JSON.parse(r.body) as Asset);
  }

  async createOffer(input: unknown, options: OfferCheckOptions = {}): Promise<OfferWrite> {
    const parsed = await parseOffer(input, options);
    const now = this.clock().toISOString();
    await this.write(async (tx, seq) => {
      if (await tx.get('SELECT 1 AS x FROM assets_offer WHERE id = ?', [parsed.offer.id]))
        throw new ConflictError(
          'ERR_OFFER_EXISTS',
          `an offer with id ${parsed.offer.id} exists; replace it instead`,
          [{ pointer: '/id', reason: 'already registered' }],
        );
      await tx.run(
        `INSERT INTO assets_offer (id, seq, body, access_canonical, contract_canonical, created_at, updated_at)
         VALUES (?, ?, ?, ?, ?, ?, ?)`,
        [
          parsed.offer.id,
          seq,
          JSON.stringify(parsed.offer),
          JSON.stringify(parsed.access.canonical),
          JSON.stringify(parsed.contract.canonical),
          now,
          now,
        ],
      );
      await linkAssets(tx, parsed.offer);
    });
    return { offer: parsed.offer, warnings: parsed.warnings };
  }

  async replaceOffer(id: string, input: unknown, options: OfferCheckOptions = {}): Promise<OfferWrite> {
    const parsed = await parseOffer(input, options);
    if (parsed.offer.id !== id)
      throw new ValidationError('ERR_OFFER_INVALID', `the offer's id ${parsed.offer.id} differs from ${id}`, [
        { pointer: '/id', reason: `must be ${id}: an offer's id cannot change` },
      ]);
    const now = this.clock().toISOString();
    await this.write(async (tx, seq) => {
      const result = await tx.run(
        `UPDATE assets_offer SET seq = ?, body = ?, access_canonical = ?, contract_canonical = ?, updated_at = ?
         WHERE id = ?`,
        [
          seq,
          JSON.stringify(parsed.offer),
          JSON.stringify(parsed.access.canonical),
          JSON.stringify(parsed.contract.canonical),
          now,
          id,
        ],
      );
      if (result.changes === 0) throw offerNotFound(id);
      await tx.run('DELETE FROM assets_offer_asset WHERE offer_id = ?', [id]);
      await linkAssets(tx, parsed.offer);
    });
    return { offer: parsed.offer, warnings: parsed.warnings };
  }

  async deleteOffer(id: string): Promise<void> {
    await this.write(async (tx) => {
      const result = await tx.run('DELETE FROM assets_offer WHERE id = ?', [id]);
      if (result.changes === 0) throw offerNotFound(id);
    });
  }

  async getOffer(id: string): Promise<Offer | undefined> {
    const row = await this.db.get<BodyRow>('SELECT body FROM assets_offer WHERE id = ?', [id]);
    return row === undefined ? undefined : (JSON.parse(row.body) as Offer);
  }

  async listOffers(): Promise<Offer[]> {
    const rows = await this.db.all<BodyRow>('SELECT body FROM assets_offer ORDER BY id');
    return rows.map((r) => JSON.parse(r.body) as Offer);
  }

  /**
   * What changed after sequence number `since` (EVERYTHING: all rows), consistent (one transaction): the
   * catalog snapshot re-reads only rows written since it was built, plus the id lists (deletions).
   */
  async changesSince(since: number): Promise<RegistryChanges> {
    return this.db.transaction(async (tx) => {
      const seq =
        (await tx.get<{ value: number }>('SELECT value FROM assets_sequence WHERE id = 1'))?.value ?? 0;
      const assetStamps = await tx.all<RowStamp>('SELECT id, seq FROM assets_asset ORDER BY id');
      const offerStamps = await tx.all<RowStamp>('SELECT id, seq FROM assets_offer ORDER BY id');
      const assets = await tx.all<BodyRow>('SELECT body FROM assets_asset WHERE seq > ?', [since]);
      const offers = await tx.all<OfferRow>(
        'SELECT body, access_canonical, contract_canonical FROM assets_offer WHERE seq > ?',
        [since],
      );
      return {
        seq,
        assetStamps,
        offerStamps,
        assets: new Map(assets.map((r) => JSON.parse(r.body) as Asset).map((a) => [a.id, a])),
        offers: new Map(
          offers.map((r) => {
            const offer = JSON.parse(r.body) as Offer;
            const record = {
              offer,
              accessCanonical: r.access_canonical,
              contractCanonical: r.contract_canonical,
            };
            return [offer.id, record];
          }),
        ),
      };
    });
  }

  /** Runs a write in a transaction stamped with the next sequence number. */
  private async write(work: (tx: Queries, seq: number) => Promise<void>): Promise<void> {
    const written = await this.db.transaction(async (tx) => {
      await tx.run('UPDATE assets_sequence SET value = value + 1 WHERE id = 1');
      const seq = (await tx.get<{ value: number }>('SELECT value FROM assets_sequence WHERE id = 1'))?.value;
      if (seq === undefined) throw new Error('assets_sequence is missing its row: was assets/1 applied?');
      await work(tx, seq);
      return seq;
    });
    this.seenSeq = Math.max(this.seenSeq, written);
    this.changes++;
    for (const listener of this.listeners) listener();
  }
}

/** Records an explicit selector's assets, refusing ids that are not registered. */
async function linkAssets(tx: Queries, offer: Offer): Promise<void> {
  const ids = offer.assetSelector.assetIds;
  if (ids === undefined) return;
  // One statement whatever the list's length (no bound-parameter limit): the ids travel as JSON.
  const missing = await tx.all<{ value: string }>(
    `${jsonValues(tx.dialect)} WHERE value NOT IN (SELECT id FROM assets_asset)`,
    [JSON.stringify(ids)],
  );
  if (missing.length > 0) {
    const absent = new Set(missing.map((m) => m.value));
    throw new ValidationError(
      'ERR_OFFER_INVALID',
      `the offer selects ${absent.size} asset(s) that are not registered: ${[...absent].slice(0, 5).join(', ')}`,
      ids.flatMap((id, i) =>
        absent.has(id)
          ? [{ pointer: child('/assetSelector/assetIds', i), reason: `no asset ${id} is registered` }]
          : [],
      ),
    );
  }
  await tx.run(
    `INSERT INTO assets_offer_asset (offer_id, asset_id) SELECT ?, value FROM (${jsonValues(tx.dialect)}) ids`,
    [offer.id, JSON.stringify(ids)],
  );
}

function assetNotFound(id: string): NotFoundError {
  return new NotFoundError('ERR_ASSET_NOT_FOUND', `no asset ${id} is registered`);
}

function offerNotFound(id: string): NotFoundError {
  return new NotFoundError('ERR_OFFER_NOT_FOUND', `no offer ${id} is registered`);
}
