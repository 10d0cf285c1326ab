// Full-text helpers, shared by both backends (FTS5 on SQLite, a tsvector on PostgreSQL) so both find
// the same datasets. FTS5's unicode61 tokenizer keeps a run of Chinese characters as one token, so
// "门诊就诊记录" could only be found whole. Both the indexed text and the query put a space around
// every CJK character: a Chinese query then becomes a phrase of single characters, which finds the
// words inside longer runs. The indexed text is also cut into words here (letters, digits and marks;
// anything else separates, as in unicode61) and Latin diacritics are dropped (unicode61's
// remove_diacritics), so PostgreSQL's parser, which would keep "air-quality" or "example.com" whole,
// sees the same words. User text never reaches MATCH / to_tsquery as syntax: each word is quoted.
//
// One difference stays: FTS5 stems English words (porter), PostgreSQL's 'simple' configuration does
// not. Every Latin query word is a prefix on both, so "forecast" finds "forecasting" on both, but
// "studies" finds "study" only on SQLite.

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
  if (words.length === 0) return undefined;
  return words.map((word) => {
    const parts = indexWords(word);
    return { parts, prefix: parts.length === 1 && !HAS_CJK.test(word) };
  });
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
