// The Merkle tree against the Certificate Transparency reference vectors (the RFC 6962/9162 test vectors
// kept by transparency-dev/merkle, proof/verify_test.go) and against a naive recomputation from the RFC's
// definitions, for every (index, size) pair up to 40 and random pairs in a larger log.
import { expect } from 'chai';
import {
  EMPTY_ROOT,
  GENESIS_PREV_HASH,
  MerkleAccumulator,
  canonicalJson,
  hashLeaf,
  verifyConsistency,
  verifyInclusion,
  type EvidenceEntry,
} from '../../connector/evidence/index.js';
import { consistencyRanges, inclusionRanges } from '../../connector/evidence/merkle/shape.js';
import {
  appendSamples,
  cleanUp,
  naiveConsistency,
  naiveLeaf,
  naivePath,
  naiveRoot,
  openTestLog,
  type TestLog,
} from './helpers.js';

const h = (hex: string): Buffer => Buffer.from(hex, 'hex');

// Leaves, roots and proofs of the CT reference tree (leaf data, not leaf hashes).
const LEAVES = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map(h);
const ROOTS = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
// [leaf index (0-based), tree size, proof]
const INCLUSION: [number, number, string[]][] = [
  [0, 1, []],
  [
    0,
    8,
    [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  ],
  [
    5,
    8,
    [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
  [2, 3, ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125']],
  [
    1,
    5,
    [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  ],
];
// [size1, size2, proof]
const CONSISTENCY: [number, number, string[]][] = [
  [1, 1, []],
  [
    1,
    8,
    [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  ],
  [
    6,
    8,
    [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
  [
    2,
    5,
    [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  ],
  [
    6,
    7,
    [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
];

const flip = (hex: string): string => (hex[0] === '0' ? '1' : '0') + hex.slice(1);
const OTHER = 'abacaba000000000000000000000000000000000000000000060061e00123456';

/**
 * Every way to spoil an inclusion proof; none may verify. (Not "size + 1": an RFC 9162 root does not commit
 * to the tree size, and where sizes n and n + 1 give the leaf the same path shape, the same proof and root
 * verify for both. Signed checkpoints bind size and root together, which closes that gap.)
 */
function spoiledInclusions(leaf: string, m: number, n: number, path: string[], root: string) {
  const out: [string, string, number, number, string[], string][] = [
    ['index - 1', leaf, m - 1, n, path, root],
    ['index + 1', leaf, m + 1, n, path, root],
    ['index ^ 2', leaf, m ^ 2, n, path, root],
    ['size * 2', leaf, m, n * 2, path, root],
    ['size / 2', leaf, m, Math.floor(n / 2), path, root],
    ['wrong leaf', OTHER, m, n, path, root],
    ['empty root', leaf, m, n, path, EMPTY_ROOT],
    ['wrong root', leaf, m, n, path, flip(root)],
    ['trailing root', leaf, m, n, [...path, root], root],
    ['preceding root', leaf, m, n, [root, ...path], root],
  ];
  path.forEach((_, i) =>
    out.push([`proof[${i}] altered`, leaf, m, n, path.map((p, j) => (j === i ? flip(p) : p)), root]),
  );
  if (path.length > 0) out.push(['removed element', leaf, m, n, path.slice(0, -1), root]);
  if (path.length > 1)
    out.push(['inserted element', leaf, m, n, [path[0] as string, OTHER, ...path.slice(1)], root]);
  return out;
}

function expectInclusionSound(leaf: string, m: number, n: number, path: string[], root: string): void {
  expect(verifyInclusion(leaf, m, n, path, root), `inclusion ${m} in ${n}`).to.equal(true);
  for (const [what, l, i, s, p, r] of spoiledInclusions(leaf, m, n, path, root)) {
    expect(verifyInclusion(l, i, s, p, r), `inclusion ${m} in ${n}, ${what}`).to.equal(false);
  }
}

function expectConsistencySound(m: number, n: number, path: string[], r1: string, r2: string): void {
  expect(verifyConsistency(m, n, path, r1, r2), `consistency ${m} -> ${n}`).to.equal(true);
  if (path.length === 0) return;
  const spoiled: [string, number, number, string[], string, string][] = [
    ['size1 - 1', m - 1, n, path, r1, r2],
    ['size1 + 1', m + 1, n, path, r1, r2],
    ['size1 ^ 2', m ^ 2, n, path, r1, r2],
    ['size2 * 2', m, n * 2, path, r1, r2],
    ['size2 / 2', m, Math.floor(n / 2), path, r1, r2],
    ['wrong root1', m, n, path, flip(r1), r2],
    ['wrong root2', m, n, path, r1, flip(r2)],
    ['swapped roots', m, n, path, r2, r1],
    ['empty proof', m, n, [], r1, r2],
    ['trailing root1', m, n, [...path, r1], r1, r2],
    ['trailing root2', m, n, [...path, r2], r1, r2],
    ['preceding root1', m, n, [r1, ...path], r1, r2],
    ['preceding root2', m, n, [r2, ...path], r1, r2],
    ['preceding proof[0]', m, n, [path[0] as string, ...path], r1, r2],
    ['truncated', m, n, path.slice(0, -1), r1, r2],
  ];
  path.forEach((_, i) =>
    spoiled.push([`proof[${i}] altered`, m, n, path.map((p, j) => (j === i ? flip(p) : p)), r1, r2]),
  );
  for (const [what, a, b, p, x, y] of spoiled) {
    expect(verifyConsistency(a, b, p, x, y), `consistency ${m} -> ${n}, ${what}`).to.equal(false);
  }
}

describe('evidence: Merkle tree (RFC 9162)', () => {
  describe('Certificate Transparency reference vectors', () => {
    const leafHashes = LEAVES.map((d) => hashLeaf(d));
    const rangeHash = (r: { start: number; size: number }): string =>
      naiveRoot(leafHashes.slice(r.start, r.start + r.size)).toString('hex');

    it('roots of sizes 1..8 match, through the naive tree and the streaming accumulator', () => {
      const acc = new MerkleAccumulator();
      ROOTS.forEach((root, i) => {
        expect(naiveRoot(leafHashes.slice(0, i + 1)).toString('hex')).to.equal(root);
        acc.push(leafHashes[i] as Buffer);
        expect(acc.root()).to.equal(root);
      });
      expect(new MerkleAccumulator().root()).to.equal(EMPTY_ROOT);
      expect(EMPTY_ROOT).to.equal('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    });

    it('inclusion proofs are generated as in the vectors and verify; spoiled ones do not', () => {
      for (const [m, n, proof] of INCLUSION) {
        expect(inclusionRanges(m, n).map(rangeHash)).to.deep.equal(proof);
        expectInclusionSound(leafHashes[m]?.toString('hex') as string, m, n, proof, ROOTS[n - 1] as string);
      }
    });

    it('consistency proofs are generated as in the vectors and verify; spoiled ones do not', () => {
      for (const [m, n, proof] of CONSISTENCY) {
        expect(consistencyRanges(m, n).map(rangeHash)).to.deep.equal(proof);
        expectConsistencySound(m, n, proof, ROOTS[m - 1] as string, ROOTS[n - 1] as string);
      }
    });

    it('handles the edge cases: empty trees, equal sizes, bad inputs', () => {
      const root1 = ROOTS[0] as string;
      expect(verifyConsistency(0, 0, [], EMPTY_ROOT, EMPTY_ROOT)).to.equal(true);
      expect(verifyConsistency(0, 5, [], EMPTY_ROOT, ROOTS[4] as string)).to.equal(true);
      expect(verifyConsistency(0, 5, [root1], EMPTY_ROOT, ROOTS[4] as string)).to.equal(false);
      expect(verifyConsistency(0, 5, [], root1, ROOTS[4] as string)).to.equal(false);
      expect(verifyConsistency(1, 1, [], root1, root1)).to.equal(true);
      expect(verifyConsistency(1, 1, [], root1, ROOTS[1] as string)).to.equal(false);
      expect(verifyConsistency(2, 1, [], root1, root1)).to.equal(false);
      expect(verifyConsistency(1, 2, [], root1, ROOTS[1] as string)).to.equal(false);
      expect(verifyInclusion(root1, 0, 0, [], root1)).to.equal(false);
      expect(verifyInclusion(root1, 1, 1, [], root1)).to.equal(false);
      expect(verifyInclusion(root1, -1, 1, [], root1)).to.equal(false);
      expect(verifyInclusion('not a hash', 0, 1, [], root1)).to.equal(false);
      expect(verifyInclusion(root1.toUpperCase(), 0, 1, [], root1)).to.equal(false);
      expect(verifyInclusion(h(root1), 0, 1, [], h(root1))).to.equal(true);
      expect(verifyInclusion(root1, 0, 2, ['zz'], root1)).to.equal(false);
    });
  });

  describe('the log against a naive recomputation', () => {
    let t: TestLog;
    let entries: EvidenceEntry[];
    let naiveLeaves: Buffer[];
    before(async () => {
      t = await openTestLog();
      entries = await appendSamples(t, 70, 7);
      // Independent of the log's code: the leaf is SHA-256(0x00 || JCS(entry without leafHash)).
      naiveLeaves = entries.map((e) => {
        const { leafHash: _ignored, ...content } = e;
        return naiveLeaf(Buffer.from(canonicalJson(content), 'utf8'));
      });
    });
    after(cleanUp);

    it('chains every entry to the previous one and stores the naive leaf hash', async () => {
      const stored = await t.log.entries({ limit: 1000 });
      expect(stored).to.deep.equal(entries);
      stored.forEach((e, i) => {
        expect(e.seq).to.equal(i);
        expect(e.prevHash).to.equal(i === 0 ? GENESIS_PREV_HASH : stored[i - 1]?.leafHash);
        expect(e.leafHash).to.equal(naiveLeaves[i]?.toString('hex'));
      });
    });

    it('has the naive root at every size 0..70', async () => {
      for (let n = 0; n <= 70; n++) {
        expect(await t.log.root(n), `size ${n}`).to.equal(naiveRoot(naiveLeaves.slice(0, n)).toString('hex'));
      }
    });

    it('gives the naive inclusion proof for every (index, size) up to 40, and spoiled ones fail', async () => {
      for (let n = 1; n <= 40; n++) {
        const root = await t.log.root(n);
        for (let m = 0; m < n; m++) {
          const proof = await t.log.inclusionProof(m, n);
          const expected = naivePath(m, naiveLeaves.slice(0, n)).map((b) => b.toString('hex'));
          expect(proof.path, `inclusion ${m} in ${n}`).to.deep.equal(expected);
          expectInclusionSound(entries[m]?.leafHash as string, m, n, [...proof.path], root);
        }
      }
    });

    it('gives the naive consistency proof for every (size1, size2) up to 40, and spoiled ones fail', async () => {
      const roots = await Promise.all(Array.from({ length: 41 }, (_, n) => t.log.root(n)));
      for (let n = 0; n <= 40; n++) {
        for (let m = 0; m <= n; m++) {
          const proof = await t.log.consistencyProof(m, n);
          const expected = naiveConsistency(m, naiveLeaves.slice(0, n)).map((b) => b.toString('hex'));
          expect(proof.path, `consistency ${m} -> ${n}`).to.deep.equal(expected);
          expectConsistencySound(m, n, [...proof.path], roots[m] as string, roots[n] as string);
        }
      }
    });

    it('refuses proofs outside the log', async () => {
      for (const call of [
        () => t.log.inclusionProof(70, 70),
        () => t.log.inclusionProof(0, 71),
        () => t.log.consistencyProof(5, 71),
        () => t.log.consistencyProof(6, 5),
        () => t.log.root(71),
        () => t.log.root(-1),
      ]) {
        const code = await call().then(
          () => 'resolved',
          (e: { code?: string }) => e.code,
        );
        expect(code).to.equal('ERR_EVIDENCE_OUT_OF_RANGE');
      }
    });
  });

  describe('a larger log', () => {
    let t: TestLog;
    let leaves: Buffer[];
    before(async () => {
      t = await openTestLog();
      leaves = (await appendSamples(t, 1500, 100)).map((e) => h(e.leafHash));
    });
    after(cleanUp);

    it('verifies random inclusion and consistency proofs against the naive roots', async () => {
      let seed = 42;
      const random = (n: number): number => {
        seed = (seed * 1103515245 + 12345) % 2 ** 31;
        return seed % n;
      };
      for (let i = 0; i < 150; i++) {
        const n = 1 + random(1500);
        const m = random(n);
        const root = naiveRoot(leaves.slice(0, n)).toString('hex');
        expect(await t.log.root(n)).to.equal(root);
        const inclusion = await t.log.inclusionProof(m, n);
        expectInclusionSound(leaves[m]?.toString('hex') as string, m, n, [...inclusion.path], root);
        const m2 = random(n + 1);
        const consistency = await t.log.consistencyProof(m2, n);
        const root1 = naiveRoot(leaves.slice(0, m2)).toString('hex');
        expectConsistencySound(m2, n, [...consistency.path], root1, root);
      }
    });
  });
});
