// The full-text index of the federated search, in memory, on both backends: posting lists per term
// and BM25 computed here, so a text query costs what its hits cost and no more (FTS5 computed bm25 by
// reading each hit's document size from disk, 20–35 ms for 12,500 hits at 100,000 datasets, seconds
// at a million), and SQLite and PostgreSQL find and rank exactly the same datasets.
//
// One segment per provider, built when its datasets are loaded (memory-index.ts) and replaced whole
// when a crawl changes them: no shared posting list to patch. A segment holds, per term (sorted, so a
// prefix is a range), the segment's documents containing it (ascending) and the term's frequency
// weighted by column (title 10, description 2, keywords 5: the weights the search gave FTS5's bm25);
// per document its row and length in terms. Positions are kept only where a query can need them:
// phrases are runs of CJK characters (text.ts), so a document with a CJK term keeps its term sequence
// and a phrase's candidates (documents with every term) are checked against it.
//
// The score is FTS5's bm25 (fts5_aux.c) on the same statistics — per phrase IDF log((N - n + 0.5) /
// (n + 0.5)) (at least 1e-6), k1 = 1.2, b = 0.75, document length over all columns, average over all
// documents — so ranks equal FTS5's up to the last bits of a logarithm (tests/federation/text-index.test.ts).
import type { TextHits, TextSearch } from './memory-index.js';
import { indexTerms, isCjkTerm, queryTerms, type QueryTerm } from './text.js';

/** Column weights in the order title, description, keywords (as bm25(federation_fts, 10.0, 2.0, 5.0)). */
export const COLUMN_WEIGHTS = [10, 2, 5] as const;
const K1 = 1.2;
const B = 0.75;
/** Between two columns in a term sequence: a phrase never spans it. */
const COLUMN_BREAK = -1;

/** A dataset's indexed text, as the store holds it (keywords: a JSON list). */
export interface TextRow {
  readonly id: number;
  readonly title: string;
  readonly description: string;
  readonly keywords: string;
}

/** One provider's datasets as an inverted index. */
export interface Segment {
  /** Terms, sorted (UTF-16 order: the terms with a prefix are one range). */
  readonly terms: readonly string[];
  /** Postings of term t: positions starts[t] .. starts[t + 1] of docs and weights. */
  readonly starts: Int32Array;
  /** Documents (index into rows), ascending per term. */
  readonly docs: Int32Array;
  /** Weighted term frequency (Σ column weight × occurrences). */
  readonly weights: Int32Array;
  /** Per document: its dataset row and its length in terms (all columns). */
  readonly rows: Int32Array;
  readonly lengths: Int32Array;
  readonly totalLength: number;
  /** Per document with a CJK term: its term ids in order, COLUMN_BREAK between columns. */
  readonly sequences: ReadonlyMap<number, Int32Array>;
}

/** Builds one provider's segment (synchronous; a provider's datasets at a time). */
export function buildSegment(input: readonly TextRow[]): Segment {
  const rows = [...input].sort((a, b) => a.id - b.id);
  const termIds = new Map<string, number>();
  const postingDocs: number[][] = [];
  const postingWeights: number[][] = [];
  const lengths = new Int32Array(rows.length);
  const sequences = new Map<number, number[]>();
  let totalLength = 0;
  rows.forEach((row, doc) => {
    const columns = [
      indexTerms(row.title),
      indexTerms(row.description),
      indexTerms((JSON.parse(row.keywords) as string[]).join(' ')),
    ];
    const seen = new Map<number, number>();
    let cjk = false;
    let length = 0;
    columns.forEach((terms, c) => {
      const weight = COLUMN_WEIGHTS[c] as number;
      length += terms.length;
      for (const term of terms) {
        let id = termIds.get(term);
        if (id === undefined) {
          id = postingDocs.length;
          termIds.set(term, id);
          postingDocs.push([]);
          postingWeights.push([]);
        }
        seen.set(id, (seen.get(id) ?? 0) + weight);
        if (!cjk && isCjkTerm(term)) cjk = true;
      }
    });
    for (const [id, w] of seen) {
      (postingDocs[id] as number[]).push(doc);
      (postingWeights[id] as number[]).push(w);
    }
    if (cjk) {
      const sequence: number[] = [];
      columns.forEach((terms, c) => {
        if (c > 0) sequence.push(COLUMN_BREAK);
        for (const term of terms) sequence.push(termIds.get(term) as number);
      });
      sequences.set(doc, sequence);
    }
    lengths[doc] = length;
    totalLength += length;
  });
  // Sorted terms; sequences are renumbered to the sorted ids.
  const byText = [...termIds.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const renumber = new Int32Array(byText.length);
  byText.forEach((term, sorted) => (renumber[termIds.get(term) as number] = sorted));
  const starts = new Int32Array(byText.length + 1);
  let size = 0;
  byText.forEach((term, sorted) => {
    starts[sorted] = size;
    size += (postingDocs[termIds.get(term) as number] as number[]).length;
  });
  starts[byText.length] = size;
  const docs = new Int32Array(size);
  const weights = new Int32Array(size);
  byText.forEach((term, sorted) => {
    const id = termIds.get(term) as number;
    docs.set(postingDocs[id] as number[], starts[sorted]);
    weights.set(postingWeights[id] as number[], starts[sorted]);
  });
  return {
    terms: byText,
    starts,
    docs,
    weights,
    rows: Int32Array.from(rows, (r) => r.id),
    lengths,
    totalLength,
    sequences: new Map(
      [...sequences].map(([doc, seq]) => [
        doc,
        Int32Array.from(seq, (t) => (t === COLUMN_BREAK ? t : (renumber[t] as number))),
      ]),
    ),
  };
}

/** Documents of one segment matching one query word, ascending, with their weighted frequencies. */
interface Matches {
  readonly docs: Int32Array;
  readonly weights: Int32Array;
}

const NONE: Matches = { docs: new Int32Array(0), weights: new Int32Array(0) };

/** First index in sorted `terms` whose term is >= `term`. */
function lowerBound(terms: readonly string[], term: string): number {
  let lo = 0;
  let hi = terms.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if ((terms[mid] as string) < term) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function exactTerm(segment: Segment, term: string): number | undefined {
  const t = lowerBound(segment.terms, term);
  return segment.terms[t] === term ? t : undefined;
}

function postings(segment: Segment, t: number): Matches {
  const from = segment.starts[t] as number;
  const to = segment.starts[t + 1] as number;
  return { docs: segment.docs.subarray(from, to), weights: segment.weights.subarray(from, to) };
}

/** Every term starting with `prefix`: their postings summed per document. */
function prefixMatches(segment: Segment, prefix: string): Matches {
  const first = lowerBound(segment.terms, prefix);
  let last = first;
  while (last < segment.terms.length && (segment.terms[last] as string).startsWith(prefix)) last++;
  if (last === first) return NONE;
  if (last === first + 1) return postings(segment, first);
  const sum = new Int32Array(segment.rows.length);
  const touched: number[] = [];
  for (let t = first; t < last; t++) {
    for (let p = segment.starts[t] as number; p < (segment.starts[t + 1] as number); p++) {
      const doc = segment.docs[p] as number;
      if (sum[doc] === 0) touched.push(doc);
      sum[doc] = (sum[doc] as number) + (segment.weights[p] as number);
    }
  }
  const docs = Int32Array.from(touched).sort();
  return { docs, weights: Int32Array.from(docs, (d) => sum[d] as number) };
}

/** A phrase of several terms: documents where they occur in sequence, weighted per occurrence. */
function phraseMatches(segment: Segment, terms: readonly string[]): Matches {
  const ids: number[] = [];
  for (const term of terms) {
    const t = exactTerm(segment, term);
    if (t === undefined) return NONE;
    ids.push(t);
  }
  const candidates = intersect(ids.map((t) => postings(segment, t)));
  const docs: number[] = [];
  const weights: number[] = [];
  for (const doc of candidates) {
    const sequence = segment.sequences.get(doc);
    if (sequence === undefined) continue;
    let weight = 0;
    let column = 0;
    for (let i = 0; i < sequence.length; i++) {
      if (sequence[i] === COLUMN_BREAK) {
        column++;
        continue;
      }
      let k = 0;
      while (k < ids.length && sequence[i + k] === ids[k]) k++;
      if (k === ids.length) weight += COLUMN_WEIGHTS[column] as number;
    }
    if (weight > 0) {
      docs.push(doc);
      weights.push(weight);
    }
  }
  return { docs: Int32Array.from(docs), weights: Int32Array.from(weights) };
}

/** Documents in every list (each ascending). */
function intersect(lists: readonly Matches[]): Int32Array {
  const sorted = [...lists].sort((a, b) => a.docs.length - b.docs.length);
  const [first, ...rest] = sorted as [Matches, ...Matches[]];
  const at = new Int32Array(rest.length);
  const out = new Int32Array(first.docs.length);
  let n = 0;
  outer: for (let f = 0; f < first.docs.length; f++) {
    const doc = first.docs[f] as number;
    for (let r = 0; r < rest.length; r++) {
      const docs = (rest[r] as Matches).docs;
      let i = at[r] as number;
      while (i < docs.length && (docs[i] as number) < doc) i++;
      at[r] = i;
      if (i === docs.length) break outer;
      if (docs[i] !== doc) continue outer;
    }
    out[n++] = doc;
  }
  return out.subarray(0, n);
}

function wordMatches(segment: Segment, word: QueryTerm): Matches {
  if (word.prefix) return prefixMatches(segment, word.terms[0] as string);
  if (word.terms.length === 1) {
    const t = exactTerm(segment, word.terms[0] as string);
    return t === undefined ? NONE : postings(segment, t);
  }
  return phraseMatches(segment, word.terms);
}

/** The dataset rows of a segment's hits, from ids[h] on; returns the next h. */
function collectRows(segment: Segment, docs: Int32Array, ids: Int32Array, h: number): number {
  const rows = segment.rows;
  for (let i = 0; i < docs.length; i++) ids[h++] = rows[docs[i] as number] as number;
  return h;
}

/** A document's BM25 length normalisation (k1 · (1 − b + b · length / avgdl)). */
function norm(segment: Segment, doc: number, avgdl: number): number {
  return K1 * (1 - B + (B * (segment.lengths[doc] as number)) / avgdl);
}

/** Rows and ranks of a one-word query's hits: its matches are the hits (the usual case, no lookups). */
function rankOneWord(
  segment: Segment,
  list: Matches,
  idf: number,
  avgdl: number,
  ids: Int32Array,
  ranks: Float64Array,
  h: number,
): number {
  const rows = segment.rows;
  const docs = list.docs;
  const weights = list.weights;
  for (let i = 0; i < docs.length; i++) {
    const doc = docs[i] as number;
    const f = weights[i] as number;
    ids[h] = rows[doc] as number;
    ranks[h++] = -1.0 * (0 + idf * ((f * (K1 + 1.0)) / (f + norm(segment, doc, avgdl))));
  }
  return h;
}

/** Rows and ranks of a query of several words: each hit's frequency looked up in every word's list. */
function rankWords(
  segment: Segment,
  docs: Int32Array,
  m: readonly Matches[],
  idf: readonly number[],
  avgdl: number,
  ids: Int32Array,
  ranks: Float64Array,
  h: number,
): number {
  const at = new Int32Array(m.length);
  for (let i = 0; i < docs.length; i++) {
    const doc = docs[i] as number;
    ids[h] = segment.rows[doc] as number;
    const n = norm(segment, doc, avgdl);
    let score = 0;
    for (let w = 0; w < m.length; w++) {
      const list = m[w] as Matches;
      let p = at[w] as number;
      while ((list.docs[p] as number) < doc) p++;
      at[w] = p;
      const f = list.weights[p] as number;
      score += (idf[w] as number) * ((f * (K1 + 1.0)) / (f + n));
    }
    ranks[h++] = -1.0 * score;
  }
  return h;
}

export interface TextIndexStats {
  readonly documents: number;
  readonly terms: number;
  readonly postings: number;
  /** Bytes of the typed arrays (postings, documents, term sequences); term strings come on top. */
  readonly bytes: number;
}

/** The segments of every provider; answers text queries (TextSearch) from memory. */
export class TextIndex implements TextSearch {
  readonly #segments = new Map<number, Segment>();
  #documents = 0;
  #totalLength = 0;

  /** Replaces the segments of the given providers (undefined: drops every segment first). */
  replace(removed: Iterable<number> | undefined, added: ReadonlyMap<number, Segment>): void {
    if (removed === undefined) this.#segments.clear();
    else for (const provider of removed) this.#segments.delete(provider);
    for (const [provider, segment] of added) this.#segments.set(provider, segment);
    this.#documents = 0;
    this.#totalLength = 0;
    for (const s of this.#segments.values()) {
      this.#documents += s.rows.length;
      this.#totalLength += s.totalLength;
    }
  }

  hits(text: string, ranked: boolean): Promise<TextHits> {
    return Promise.resolve(this.search(text, ranked));
  }

  /** Every document matching every word of `text`; ranks (-bm25, lower is better) when `ranked`. */
  search(text: string, ranked: boolean): TextHits {
    const words = queryTerms(text);
    if (words === undefined || this.#documents === 0) return { ids: new Int32Array(0) };
    const segments = [...this.#segments.values()];
    // Per segment, per word: its matches; per word: how many documents match it (for its IDF).
    const matched = segments.map((s) => words.map((w) => wordMatches(s, w)));
    const n = words.map((_, i) => matched.reduce((sum, m) => sum + (m[i] as Matches).docs.length, 0));
    const idf = n.map((hits) => {
      const value = Math.log((this.#documents - hits + 0.5) / (hits + 0.5));
      return value <= 0 ? 1e-6 : value;
    });
    const avgdl = this.#totalLength / this.#documents;
    let total = 0;
    const perSegment = matched.map((m) => {
      const docs = m.length === 1 ? (m[0] as Matches).docs : intersect(m);
      total += docs.length;
      return docs;
    });
    const ids = new Int32Array(total);
    const ranks = ranked ? new Float64Array(total) : undefined;
    let h = 0;
    for (let s = 0; s < segments.length; s++) {
      const segment = segments[s] as Segment;
      const m = matched[s] as Matches[];
      if (ranks === undefined) h = collectRows(segment, perSegment[s] as Int32Array, ids, h);
      else if (m.length === 1)
        h = rankOneWord(segment, m[0] as Matches, idf[0] as number, avgdl, ids, ranks, h);
      else h = rankWords(segment, perSegment[s] as Int32Array, m, idf, avgdl, ids, ranks, h);
    }
    return ranks === undefined ? { ids } : { ids, ranks };
  }

  stats(): TextIndexStats {
    let terms = 0;
    let postingCount = 0;
    let bytes = 0;
    for (const s of this.#segments.values()) {
      terms += s.terms.length;
      postingCount += s.docs.length;
      bytes += s.starts.byteLength + s.docs.byteLength + s.weights.byteLength;
      bytes += s.rows.byteLength + s.lengths.byteLength;
      for (const seq of s.sequences.values()) bytes += seq.byteLength;
    }
    return { documents: this.#documents, terms, postings: postingCount, bytes };
  }
}
