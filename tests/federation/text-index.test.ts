// The in-memory text index (catalog/federation/search/text-index.ts) against FTS5, the index it
// replaces: the same terms for the same text (porter stemming, case, diacritics, CJK one character a
// term), and on random documents and queries the same hits with the same ranks. "The same rank" means
// equal up to rounding (relative 1e-9: bm25 is the same formula on the same statistics, but JS and C
// may round a logarithm differently in the last bit), so the order of results can differ only between
// hits whose scores are equal up to that rounding.
import { expect } from 'chai';
import fc from 'fast-check';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FEDERATION_MIGRATIONS } from '../../catalog/federation/index.js';
import { Fts5TextSearch } from '../../catalog/federation/search/search.js';
import { buildSegment, TextIndex, type TextRow } from '../../catalog/federation/search/text-index.js';
import { indexTerms, indexText } from '../../catalog/federation/search/text.js';
import { Database } from '../../connector/store/database.js';

/** English words that exercise the porter steps, and words the index meets in data. */
const ENGLISH = (
  'caresses ponies ties caress cats feed agreed plastered bled motoring sing conflated troubled sized ' +
  'hopping tanned falling hissing fizzed failing filing happy sky relational conditional rational ' +
  'valenci hesitanci digitizer conformabli radicalli differentli vileli analogousli vietnamization ' +
  'predication operator feudalism decisiveness hopefulness callousness formaliti sensitiviti ' +
  'sensibiliti triplicate formative formalize electriciti electrical hopeful goodness revival ' +
  'allowance inference airliner gyroscopic adjustable defensible irritant replacement adjustment ' +
  'dependent adoption homologou communism activate angulariti homologous effective bowdlerize ' +
  'probate rate cease controll roll generalization oscillators studies study studying load loading ' +
  'loader loads records recorded weekly hourly daily anonymised aggregated regional district annual ' +
  'forecasting forecast forecasts hospitals outpatient visits energy consumption meters readings ' +
  'emissions traffic flows pm25 co2 3d 2023 a1bs ies yes is as us news analyses analysis ' +
  'Café naïve Zürich résumé ÉCOLE Ærø Straße größes ærøs ßes данные øys'
).split(' ');

const CHINESE = ['门诊就诊记录', '住院 记录', '电力负荷 2023年', '空气质量', '记录记录'];

describe('federation: the in-memory text index finds and ranks what FTS5 does', () => {
  let dir: string;
  let db: Database;
  let fts: Fts5TextSearch;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'shuyu-text-index-'));
    db = await Database.open(join(dir, 'fts.sqlite'), FEDERATION_MIGRATIONS);
    fts = new Fts5TextSearch(db);
  });
  after(async () => {
    await db?.close();
    await rm(dir, { recursive: true, force: true });
  });

  /** Writes `rows` into federation_fts as the index store does, and builds an index of them. */
  async function both(rows: readonly TextRow[], segments: number): Promise<TextIndex> {
    await db.run('DELETE FROM federation_fts');
    for (const r of rows) {
      await db.run('INSERT INTO federation_fts (rowid, title, description, keywords) VALUES (?, ?, ?, ?)', [
        r.id,
        indexText(r.title),
        indexText(r.description),
        indexText((JSON.parse(r.keywords) as string[]).join(' ')),
      ]);
    }
    const index = new TextIndex();
    const parts = new Map<number, TextRow[]>();
    rows.forEach((r, i) => {
      const list = parts.get(i % segments) ?? [];
      list.push(r);
      parts.set(i % segments, list);
    });
    index.replace(undefined, new Map([...parts].map(([p, list]) => [p, buildSegment(list)])));
    return index;
  }

  /** Same hit set; each hit's rank equal up to rounding. */
  async function sameHits(index: TextIndex, text: string): Promise<number> {
    const expected = await fts.hits(text, true);
    const actual = index.search(text, true);
    const want = new Map(
      [...Array.from(expected.ids).keys()].map((i) => [expected.ids[i], expected.ranks?.[i]]),
    );
    const got = new Map([...Array.from(actual.ids).keys()].map((i) => [actual.ids[i], actual.ranks?.[i]]));
    expect([...got.keys()].sort(), `hits of "${text}"`).to.deep.equal([...want.keys()].sort());
    for (const [id, rank] of want) {
      const mine = got.get(id) as number;
      expect(
        Math.abs(mine - (rank as number)),
        `rank of ${id} for "${text}": ${mine} / ${rank}`,
      ).to.be.at.most(1e-9 * Math.max(1, Math.abs(rank as number)));
    }
    const unranked = index.search(text, false);
    expect(Array.from(unranked.ids).sort()).to.deep.equal([...got.keys()].sort());
    expect(unranked.ranks).to.equal(undefined);
    return want.size;
  }

  it('stores the terms FTS5 stores (porter stemming, case, diacritics, CJK characters)', async () => {
    await db.exec('CREATE VIRTUAL TABLE IF NOT EXISTS fts_terms USING fts5vocab(federation_fts, row)');
    await both(
      [...ENGLISH, ...CHINESE].map((word, i) => ({
        id: i + 1,
        title: word,
        description: '',
        keywords: '[]',
      })),
      1,
    );
    const stored = (await db.all<{ term: string }>('SELECT term FROM fts_terms')).map((r) => r.term);
    const mine = new Set([...ENGLISH, ...CHINESE].flatMap((w) => indexTerms(indexText(w))));
    expect([...mine].sort()).to.deep.equal(stored.sort());
  });

  it('finds "study" for "studies", words by prefix, and Chinese words inside longer runs', async () => {
    const rows: TextRow[] = [
      { id: 1, title: 'A study of loads', description: 'weekly', keywords: '["energy"]' },
      { id: 2, title: 'Loading forecasts', description: '门诊就诊记录', keywords: '[]' },
      { id: 3, title: '住院', description: 'records 记录', keywords: '["记录"]' },
      { id: 4, title: 'Café visits', description: '电力负荷 2023年', keywords: '["Zürich"]' },
    ];
    const index = await both(rows, 2);
    const found = (text: string) => Array.from(index.search(text, false).ids).sort((a, b) => a - b);
    expect(found('studies')).to.deep.equal([1]);
    expect(found('load')).to.deep.equal([1, 2]);
    expect(found('LOADS')).to.deep.equal([1, 2]); // the stem "load" is the prefix
    expect(found('forecasting')).to.deep.equal([2]);
    expect(found('就诊')).to.deep.equal([2]);
    expect(found('诊记')).to.deep.equal([2]);
    expect(found('记录')).to.deep.equal([2, 3]);
    expect(found('住院记录')).to.deep.equal([]); // not in sequence in one column
    expect(found('门诊 记录')).to.deep.equal([2]);
    expect(found('2023年')).to.deep.equal([4]);
    expect(found('cafe zurich')).to.deep.equal([4]);
    expect(found('急诊')).to.deep.equal([]);
    expect(found('...')).to.deep.equal([]);
    for (const text of ['studies', 'load', 'LOADS', '记录', '门诊 记录', '2023年', 'cafe zurich', '住院记录'])
      await sameHits(index, text);
  });

  it('gives the same hits and ranks as FTS5 on random documents and queries', async () => {
    const vocabulary = [
      'load',
      'Loading',
      'loader',
      'loads',
      'study',
      'studies',
      'weekly',
      'records',
      'record',
      'Zebra',
      'apple',
      'apples',
      'café',
      'energy',
      '门诊',
      '记录',
      '门诊记录',
      '就诊',
      '2023',
      '年',
    ];
    const words = fc.array(fc.constantFrom(...vocabulary), { maxLength: 6 }).map((w) => w.join(' '));
    const rowsArb = fc.array(
      fc.record({
        title: words,
        description: words,
        keywords: fc.array(fc.constantFrom(...vocabulary), { maxLength: 3 }),
      }),
      { minLength: 1, maxLength: 40 },
    );
    const queries = fc.array(
      fc
        .array(
          fc.constantFrom(...vocabulary, 'lo', 'stud', 'rec', '诊记', '门诊 记录', '记录2023', 'nothing'),
          {
            minLength: 1,
            maxLength: 3,
          },
        )
        .map((w) => w.join(' ')),
      { minLength: 3, maxLength: 8 },
    );
    let hits = 0;
    await fc.assert(
      fc.asyncProperty(rowsArb, queries, fc.integer({ min: 1, max: 4 }), async (specs, texts, segments) => {
        const rows = specs.map((s, i) => ({ id: i * 3 + 1, ...s, keywords: JSON.stringify(s.keywords) }));
        const index = await both(rows, segments);
        for (const text of texts) hits += await sameHits(index, text);
      }),
      { numRuns: 60, ...(process.env.SEED ? { seed: Number(process.env.SEED) } : {}) },
    );
    expect(hits).to.be.greaterThan(0);
  });

  it('forgets and replaces a provider segment', async () => {
    const index = new TextIndex();
    index.replace(
      undefined,
      new Map([[1, buildSegment([{ id: 5, title: 'load', description: '', keywords: '[]' }])]]),
    );
    index.replace(
      [],
      new Map([[2, buildSegment([{ id: 9, title: 'loader', description: '', keywords: '[]' }])]]),
    );
    expect(Array.from(index.search('load', false).ids).sort()).to.deep.equal([5, 9]);
    index.replace([1], new Map());
    expect(Array.from(index.search('load', false).ids)).to.deep.equal([9]);
    expect(index.stats().documents).to.equal(1);
  });
});
