import { expect } from 'chai';
import { canonicalJson } from '../../connector/evidence/index.js';
import { entryPreimage, type EntryContent } from '../../connector/evidence/log/entry.js';

function fromBits(hex: string): number {
  return Buffer.from(hex, 'hex').readDoubleBE(0);
}

function code(fn: () => unknown): string | undefined {
  try {
    fn();
  } catch (error) {
    return (error as { code?: string }).code;
  }
  return undefined;
}

describe('evidence: RFC 8785 canonical JSON', () => {
  it('produces the RFC 8785 §3.2.2 sample output', () => {
    // The sample input, parsed the way any JSON parser would (numbers become doubles).
    const input = JSON.parse(
      '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],' +
        ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",' +
        ' "literals": [null, true, false]}',
    );
    expect(canonicalJson(input)).to.equal(
      '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],' +
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}',
    );
  });

  it('sorts keys by UTF-16 code units (RFC 8785 §3.2.3 example)', () => {
    const input = {
      '\u20ac': 'Euro Sign',
      '\r': 'Carriage Return',
      '\ufb33': 'Hebrew Letter Dalet With Dagesh',
      '1': 'One',
      '\ud83d\ude00': 'Emoji: Grinning Face',
      '\u0080': 'Control',
      '\u00f6': 'Latin Small Letter O With Diaeresis',
    };
    expect(canonicalJson(input)).to.equal(
      '{"\\r":"Carriage Return","1":"One","\u0080":"Control","\u00f6":"Latin Small Letter O With Diaeresis",' +
        '"\u20ac":"Euro Sign","\ud83d\ude00":"Emoji: Grinning Face","\ufb33":"Hebrew Letter Dalet With Dagesh"}',
    );
  });

  it('serialises every finite number of RFC 8785 Appendix B exactly', () => {
    const vectors: [string, string][] = [
      ['0000000000000000', '0'],
      ['8000000000000000', '0'],
      ['0000000000000001', '5e-324'],
      ['8000000000000001', '-5e-324'],
      ['7fefffffffffffff', '1.7976931348623157e+308'],
      ['ffefffffffffffff', '-1.7976931348623157e+308'],
      ['4340000000000000', '9007199254740992'],
      ['c340000000000000', '-9007199254740992'],
      ['4430000000000000', '295147905179352830000'],
      ['44b52d02c7e14af5', '9.999999999999997e+22'],
      ['44b52d02c7e14af6', '1e+23'],
      ['44b52d02c7e14af7', '1.0000000000000001e+23'],
      ['444b1ae4d6e2ef4e', '999999999999999700000'],
      ['444b1ae4d6e2ef4f', '999999999999999900000'],
      ['444b1ae4d6e2ef50', '1e+21'],
      ['3eb0c6f7a0b5ed8c', '9.999999999999997e-7'],
      ['3eb0c6f7a0b5ed8d', '0.000001'],
      ['41b3de4355555553', '333333333.3333332'],
      ['41b3de4355555554', '333333333.33333325'],
      ['41b3de4355555555', '333333333.3333333'],
      ['41b3de4355555556', '333333333.3333334'],
      ['41b3de4355555557', '333333333.33333343'],
      ['becbf647612f3696', '-0.0000033333333333333333'],
      ['43143ff3c1cb0959', '1424953923781206.2'],
    ];
    for (const [bits, text] of vectors) expect(canonicalJson(fromBits(bits)), bits).to.equal(text);
  });

  it('refuses what is not I-JSON: NaN, Infinity, lone surrogates, non-plain objects, undefined in arrays', () => {
    expect(code(() => canonicalJson(fromBits('7fffffffffffffff')))).to.equal('ERR_EVIDENCE_INPUT_INVALID');
    expect(code(() => canonicalJson({ a: Infinity }))).to.equal('ERR_EVIDENCE_INPUT_INVALID');
    expect(code(() => canonicalJson({ a: 'x\ud800' }))).to.equal('ERR_EVIDENCE_INPUT_INVALID');
    expect(code(() => canonicalJson({ ['\udc00']: 1 }))).to.equal('ERR_EVIDENCE_INPUT_INVALID');
    expect(code(() => canonicalJson({ when: new Date(0) }))).to.equal('ERR_EVIDENCE_INPUT_INVALID');
    expect(code(() => canonicalJson([1, undefined]))).to.equal('ERR_EVIDENCE_INPUT_INVALID');
    expect(code(() => canonicalJson({ n: 10n }))).to.equal('ERR_EVIDENCE_INPUT_INVALID');
    let deep: unknown = 1;
    for (let i = 0; i < 70; i++) deep = [deep];
    expect(code(() => canonicalJson(deep))).to.equal('ERR_EVIDENCE_INPUT_INVALID');
    expect(canonicalJson({ a: undefined, b: 1 })).to.equal('{"b":1}');
    expect(canonicalJson('\ud83d\ude00')).to.equal('"\ud83d\ude00"');
  });

  it('names where the bad value is', () => {
    try {
      canonicalJson({ list: [{ 'a/b': NaN }] });
      expect.fail('should throw');
    } catch (error) {
      expect((error as Error).message).to.contain('/list/0/a~1b');
    }
  });

  it('is idempotent through JSON.parse, and the entry preimage equals JCS of the six members', () => {
    const content: EntryContent = {
      seq: 12,
      at: '2026-03-01T08:00:00.000Z',
      kind: 'data-access',
      subject: 'urn:uuid:7',
      data: { z: [1.5, -0, 'é'], a: { y: null, x: true }, '': 1e21 },
      prevHash: 'ab'.repeat(32),
    };
    const text = canonicalJson(content.data);
    expect(canonicalJson(JSON.parse(text))).to.equal(text);
    expect(entryPreimage(content)).to.equal(canonicalJson(content));
  });
});
