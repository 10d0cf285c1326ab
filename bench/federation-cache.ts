// A federated index of a given size built once into a SQLite file and reused by later runs: building
// a million datasets through IndexStore takes many minutes, searching it takes milliseconds.
//
// The files live in SHUYU_BENCH_CACHE (default: <os tmpdir>/shuyu-bench-cache), one per size:
// federation-<datasets>x<providers>.sqlite with its keys folder beside it. A build writes to a
// ".partial" name and renames it when complete, so an interrupted build is never reused; delete the
// folder to rebuild (the files do not follow changes to bench/federation-data.ts by themselves).
import { existsSync } from 'node:fs';
import { mkdir, rename, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { AuthorityService } from '../catalog/authority/service.js';
import { AUTHORITY_MIGRATIONS } from '../catalog/authority/store.js';
import { FEDERATION_MIGRATIONS } from '../catalog/federation/index.js';
import { IndexStore } from '../catalog/federation/store/index-store.js';
import { openProcessIdentity } from '../connector/identity/index.js';
import { Database } from '../connector/store/database.js';
import { buildIndex } from './federation-data.js';

export const BENCH_CACHE = process.env.SHUYU_BENCH_CACHE || join(tmpdir(), 'shuyu-bench-cache');

export interface CachedIndex {
  readonly db: Database;
  readonly store: IndexStore;
  readonly file: string;
  /** How the file came to be: built now (and how long it took) or reused. */
  readonly built: string;
}

/** Opens the cached index of `datasets` from `providers`, building it first when it is missing. */
export async function openCachedIndex(datasets: number, providers: number): Promise<CachedIndex> {
  await mkdir(BENCH_CACHE, { recursive: true });
  const base = join(BENCH_CACHE, `federation-${datasets}x${providers}`);
  const file = `${base}.sqlite`;
  const migrations = [...AUTHORITY_MIGRATIONS, ...FEDERATION_MIGRATIONS];
  let built = `reused ${file}`;
  if (!existsSync(file)) {
    const partial = `${base}.partial.sqlite`;
    for (const f of [partial, `${partial}-wal`, `${partial}-shm`]) await rm(f, { force: true });
    const db = await Database.open(partial, migrations);
    try {
      const identity = await openProcessIdentity(`${base}-keys`, 'http://127.0.0.1:7700');
      const service = await AuthorityService.open({ db, identity, publicUrl: 'http://127.0.0.1:7700' });
      const store = new IndexStore(db);
      const step = Math.max(1, Math.floor(providers / 20));
      let ms = 0;
      for (let p = 0; p < providers; p += step) {
        const n = Math.min(step, providers - p);
        const r = await buildIndex(service, store, n, datasets / providers, p);
        ms += r.ms;
        console.log(`  (building ${file}: ${p + n}/${providers} providers, ${(ms / 1000).toFixed(0)} s)`);
      }
      await db.run('PRAGMA wal_checkpoint(TRUNCATE)');
      built = `built ${file} in ${(ms / 1000).toFixed(0)} s (reused by later runs)`;
    } finally {
      await db.close();
    }
    await rename(partial, file);
  }
  const db = await Database.open(file, migrations);
  return { db, store: new IndexStore(db), file, built };
}
