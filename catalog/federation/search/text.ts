// Full-text helpers. FTS5's unicode61 tokenizer keeps a run of Chinese characters as one token, so
// "门诊就诊记录" could only be found whole. Both the indexed text and the query put a space around
// every CJK character: a Chinese query then becomes a phrase of single characters, which finds the
// words inside longer runs. User text never reaches MATCH as syntax: each word becomes a quoted term.

const CJK_RANGES = '\\u3400-\\u4dbf\\u4e00-\\u9fff\\uf900-\\ufaff\\u3040-\\u30ff\\uac00-\\ud7af';
const CJK_EACH = new RegExp(`([${CJK_RANGES}])`, 'gu');
const HAS_CJK = new RegExp(`[${CJK_RANGES}]`, 'u');

/** Text as the FTS index stores it. */
export function indexText(text: string): string {
  return text.replace(CJK_EACH, ' $1 ');
}

/** At most this many words of a query are used. */
export const MAX_QUERY_TERMS = 16;

/**
 * An FTS5 MATCH expression for free text: every word must occur (prefix match for the last letters
 * of Latin words, so "forecast" finds "forecasting"); runs of CJK characters are phrases. Returns
 * undefined when the text holds no word at all.
 */
export function matchExpression(text: string): string | undefined {
  const words = text
    .normalize('NFKC')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0)
    .slice(0, MAX_QUERY_TERMS);
  if (words.length === 0) return undefined;
  return words
    .map((word) => {
      const spaced = indexText(word).trim().replace(/\s+/g, ' ');
      // Quotes make every word a plain string for FTS5; a CJK word is a phrase of characters.
      return spaced.includes(' ') || HAS_CJK.test(word) ? `"${spaced}"` : `"${word}"*`;
    })
    .join(' ');
}
