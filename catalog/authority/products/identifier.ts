// The unified product identifier: SY-<data space code>-<year>-<sequence>-<check character>, e.g.
// SY-DS-2026-000042-M. The code names the data space (2-8 capital letters or digits, `productCode` in
// authority.json), the year is the year of registration, the sequence counts registrations per data space
// and year from 000001, and the check character is ISO 7064 MOD 37,36 over everything before it
// (without the hyphens), so a mistyped or transposed character is caught offline.

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';
export const PRODUCT_ID_PATTERN = /^SY-([A-Z0-9]{2,8})-(\d{4})-(\d{6,9})-([0-9A-Z])$/;
export const DATA_SPACE_CODE_PATTERN = /^[A-Z0-9]{2,8}$/;

/** ISO 7064 MOD 37,36 (hybrid system) check character of an alphanumeric string. */
export function mod3736CheckCharacter(text: string): string {
  const m = 36;
  let p = m;
  for (const char of text) {
    const value = ALPHABET.indexOf(char);
    if (value < 0) throw new Error(`"${char}" is not a capital letter or digit`);
    let s = (p + value) % m;
    if (s === 0) s = m;
    p = (s * 2) % (m + 1);
  }
  return ALPHABET.charAt((m + 1 - p) % m);
}

export function formatProductId(code: string, year: number, sequence: number): string {
  if (!DATA_SPACE_CODE_PATTERN.test(code)) {
    throw new Error(`the data space code "${code}" must be 2-8 capital letters or digits`);
  }
  const body = `SY-${code}-${String(year).padStart(4, '0')}-${String(sequence).padStart(6, '0')}`;
  return `${body}-${mod3736CheckCharacter(body.replaceAll('-', ''))}`;
}

export interface ParsedProductId {
  code: string;
  year: number;
  sequence: number;
}

/** The parts of a well-formed identifier whose check character matches, else undefined. */
export function parseProductId(id: string): ParsedProductId | undefined {
  const match = PRODUCT_ID_PATTERN.exec(id);
  if (!match) return undefined;
  const [, code, year, sequence, check] = match as unknown as [string, string, string, string, string];
  if (mod3736CheckCharacter(id.slice(0, -2).replaceAll('-', '')) !== check) return undefined;
  return { code, year: Number(year), sequence: Number(sequence) };
}
