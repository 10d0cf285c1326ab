// Full-text helpers, shared by both backends (FTS5 on SQLite, a tsvector on PostgreSQL) so both find
// the same datasets. FTS5's unicode61 tokenizer keeps a run of Chinese characters as one token, so
// "门诊就诊记录" could only be found whole. Both the indexed text and the query put a space around
// every CJK character: a Chinese query then becomes a phrase of single characters, which finds the
// words inside longer runs. The indexed text is also cut into words here (letters, digits and marks;
// anything else separates, as in unicode61) and Latin diacritics are dropped (unicode61's
// remove_diacritics), so PostgreSQL's parser, which would keep "air-quality" or "example.com" whole,
// sees the same words. User text never reaches MATCH / to_tsquery as syntax: each word is quoted.
//
// The search itself matches these words in memory (text-index.ts), on both backends: `indexTerms`
// and `queryTerms` turn them into the terms FTS5 would store (lower case, English stemmed as its
// porter tokenizer does), so "studies" finds "study" on SQLite and PostgreSQL alike. FTS5 (and the
// tsvector on PostgreSQL) stay for the plain SQL reference path (sql.ts).
import { stemmer } from 'stemmer';

const CJK_RANGES = '\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff\\u3040-\\u30ff\\uac00-\\ud7af';
const CJK_EACH = new RegExp(`([${CJK_RANGES}])`, 'gu');
const HAS_CJK = new RegExp(`[${CJK_RANGES}]`, 'u');
const SEPARATORS = /[^\p{L}\p{N}\p{M}]+/u;

/** Latin letters without their combining accents ("é" -> "e"); NFC again keeps Hangul syllables whole. */
function foldDiacritics(text: string): string {
  return text
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .normalize('NFC');
}

/** The words of a text as the index sees them: CJK characters one word each. */
function indexWords(text: string): string[] {
  return foldDiacritics(text)
    .replace(CJK_EACH, ' $1 ')
    .split(SEPARATORS)
    .filter((w) => w.length > 0);
}

/** FTS5's porter tokenizer leaves tokens shorter than 3 or longer than 64 bytes as they are. */
const ASCII_WORD = /^[^\u0080-\uffff]*$/;
const DIGITS = /^[0-9]+$/;
/** Porter's rules all remove or change an ending of ASCII letters. */
const ASCII_END = /[a-z]$/;
const PRIVATE_USE = 0xe000;
/** Stems of words seen, bounded (numbers and names make the vocabulary of a large index large). */
const stems = new Map<string, string>();
const MAX_STEMS = 100_000;

/**
 * FTS5's porter stemmer works on UTF-8 bytes, every non-ASCII byte a consonant: a word with other
 * letters is stemmed as its bytes, each non-ASCII byte standing for itself as a private-use character
 * (a consonant to the stemmer, and left alone by its lower-casing).
 */
function porter(word: string): string {
  if (ASCII_WORD.test(word)) return word.length < 3 || word.length > 64 ? word : stemmer(word);
  if (!ASCII_END.test(word)) return word;
  const bytes = Buffer.from(word, 'utf8');
  if (bytes.length > 64) return word;
  let text = '';
  for (const b of bytes) text += String.fromCharCode(b < 0x80 ? b : PRIVATE_USE + b);
  const stemmed = stemmer(text);
  return Buffer.from(Array.from(stemmed, (c) => c.charCodeAt(0) & 0xff)).toString('utf8');
}

/** One word as a term of the index: lower case (unicode61), stemmed as FTS5's porter tokenizer does. */
function termOf(word: string): string {
  const lower = word.toLowerCase();
  if (DIGITS.test(lower) || lower.length < 2) return lower;
  let stem = stems.get(lower);
  if (stem === undefined) {
    stem = porter(lower);
    if (stems.size >= MAX_STEMS) stems.clear();
    stems.set(lower, stem);
  }
  return stem;
}

const ASCII_SEPARATORS = /[^A-Za-z0-9]+/;

/** The terms of one column's text, in order, as FTS5 stores them for the text `indexText` gives it. */
export function indexTerms(text: string): string[] {
  // The common case without the Unicode work: ASCII text has no diacritics and no CJK.
  const words = ASCII_WORD.test(text) ? text.split(ASCII_SEPARATORS) : indexWords(text);
  const out: string[] = [];
  for (const w of words) if (w.length > 0) out.push(termOf(w));
  return out;
}

/** Whether a term is one CJK character (the only terms a phrase query can hold besides its neighbours). */
export function isCjkTerm(term: string): boolean {
  return HAS_CJK.test(term);
}

/** Text as the full-text index stores it: its words, one space apart. */
export function indexText(text: string): string {
  return indexWords(text).join(' ');
}

/** At most this many words of a query are used. */
export const MAX_QUERY_TERMS = 16;

/**
 * A query's words: each either a Latin word (matched as a prefix) or a phrase of CJK characters and
 * digits (matched in sequence). Undefined when the text holds no word at all.
 */
function queryWords(text: string): { parts: string[]; prefix: boolean }[] | undefined {
  const words = text
    .normalize('NFKC')
    .split(SEPARATORS)
    .filter((w) => w.length > 0)
    .slice(0, MAX_QUERY_TERMS);
  const out = words
    .map((word) => {
      const parts = indexWords(word);
      return { parts, prefix: parts.length === 1 && !HAS_CJK.test(word) };
    })
    // A word of marks alone has nothing left once its diacritics are dropped.
    .filter((w) => w.parts.length > 0);
  return out.length === 0 ? undefined : out;
}

/** A query word as terms: a prefix of one term, or a phrase (one term or several in sequence). */
export interface QueryTerm {
  readonly terms: readonly string[];
  readonly prefix: boolean;
}

/**
 * A query's words as index terms (what `matchExpression` asks FTS5 for, after its tokenizer):
 * undefined when the text holds no word at all.
 */
export function queryTerms(text: string): QueryTerm[] | undefined {
  return queryWords(text)?.map(({ parts, prefix }) => ({ terms: parts.map(termOf), prefix }));
}

/**
 * An FTS5 MATCH expression for free text: every word must occur (prefix match for the last letters
 * of Latin words, so "forecast" finds "forecasting"); runs of CJK characters are phrases. Returns
 * undefined when the text holds no word at all.
 */
export function matchExpression(text: string): string | undefined {
  return queryWords(text)
    ?.map(({ parts, prefix }) => (prefix ? `"${parts[0]}"*` : `"${parts.join(' ')}"`))
    .join(' ');
}

/**
 * The same query for PostgreSQL's to_tsquery('simple', ...): `'word':*` for a prefix, `'a' <-> 'b'`
 * for a phrase, every word required (&). Words hold only letters, digits and marks, so the quotes
 * need no escaping.
 */
export function tsqueryExpression(text: string): string | undefined {
  return queryWords(text)
    ?.map(({ parts, prefix }) => {
      const phrase = parts.map((p) => `'${p}'`).join(' <-> ');
      return prefix ? `${phrase}:*` : parts.length > 1 ? `(${phrase})` : phrase;
    })
    .join(' & ');
}
