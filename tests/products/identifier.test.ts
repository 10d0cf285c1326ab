// The unified product identifier: format, sequence padding, and the ISO 7064 MOD 37,36 check character
// catching every single-character substitution (and most swaps of neighbours: a hybrid system misses a few).
import { expect } from 'chai';
import fc from 'fast-check';
import {
  formatProductId,
  mod3736CheckCharacter,
  parseProductId,
} from '../../catalog/authority/products/identifier.js';

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ';

describe('products: unified product identifier', () => {
  it('formats SY-<code>-<year>-<sequence>-<check> and parses it back', () => {
    const id = formatProductId('DS', 2026, 42);
    expect(id).to.match(/^SY-DS-2026-000042-[0-9A-Z]$/);
    expect(parseProductId(id)).to.deep.equal({ code: 'DS', year: 2026, sequence: 42 });
    expect(formatProductId('MED', 2027, 1234567)).to.match(/^SY-MED-2027-1234567-[0-9A-Z]$/);
  });

  it('computes the ISO 7064 MOD 37,36 check character (the standard example)', () => {
    // ISO 7064 hybrid MOD 37,36 worked example value.
    const body = 'A12425GABC1234002';
    const check = mod3736CheckCharacter(body);
    expect(check).to.equal('M');
  });

  it('catches most swaps of neighbours', () => {
    let swaps = 0;
    let caught = 0;
    for (let sequence = 1; sequence <= 2000; sequence += 7) {
      const chars = [...formatProductId('MED', 2026, sequence)];
      for (let i = 0; i + 1 < chars.length - 2; i++) {
        if (chars[i] === '-' || chars[i + 1] === '-' || chars[i] === chars[i + 1]) continue;
        const swapped = [...chars];
        [swapped[i], swapped[i + 1]] = [chars[i + 1] as string, chars[i] as string];
        swaps++;
        if (parseProductId(swapped.join('')) === undefined) caught++;
      }
    }
    expect(caught / swaps).to.be.greaterThan(0.95);
  });

  it('refuses bad codes and malformed identifiers', () => {
    expect(() => formatProductId('ds', 2026, 1)).to.throw(/2-8 capital letters or digits/);
    expect(() => formatProductId('TOOLONGCODE', 2026, 1)).to.throw();
    expect(parseProductId('SY-DS-2026-42-X')).to.equal(undefined);
    expect(parseProductId('XY-DS-2026-000042-0')).to.equal(undefined);
  });

  it('catches every single-character substitution', () => {
    fc.assert(
      fc.property(
        fc.stringMatching(/^[A-Z0-9]{2,8}$/),
        fc.integer({ min: 2000, max: 2099 }),
        fc.integer({ min: 1, max: 999_999 }),
        fc.nat(),
        fc.nat(),
        (code, year, sequence, position, replacement) => {
          const id = formatProductId(code, year, sequence);
          expect(parseProductId(id)).to.deep.equal({ code, year, sequence });
          const chars = [...id];
          const editable = chars.map((c, i) => (c === '-' ? -1 : i)).filter((i) => i >= 0);
          const at = editable[position % editable.length] as number;
          const original = chars[at] as string;
          const isDigit = /\d/.test(original);
          const pool = isDigit && at > 2 + code.length ? '0123456789' : ALPHABET;
          const other = pool.replace(original, '')[replacement % (pool.length - 1)] as string;
          const substituted = [...chars];
          substituted[at] = other;
          expect(parseProductId(substituted.join('')), `substitution at ${at}`).to.equal(undefined);
        },
      ),
      { numRuns: 500 },
    );
  });
});
