import fc from 'fast-check';
import {
  EMPTY_ROOT,
  hashChildren,
  hashLeaf,
  MerkleFrontier,
  MerkleTree,
  rootOfLeafHashes,
  verifyConsistency,
  verifyInclusion,
} from './merkle-tree';

// The RFC 6962 reference data used across Certificate Transparency implementations
// (transparency-dev/merkle testonly and proof tests): 8 leaf inputs, the roots of the trees
// of sizes 1..8, the perfect subtrees' hashes and known inclusion and consistency proofs.
const hex = (h: string) => Buffer.from(h, 'hex');
const LEAVES = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
].map(hex);
const ROOTS = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];
const LEAF_HASHES = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
  '0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7',
  '07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7',
  'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
  '4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658',
  'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
  '46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1',
];
const LEVEL1 = [
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
  '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
  'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
];
const LEVEL2 = [
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
];
// Frontiers (compact ranges) of the trees of sizes 0..8, largest subtree first.
const FRONTIERS = [
  [],
  [LEAF_HASHES[0]],
  [LEVEL1[0]],
  [LEVEL1[0], LEAF_HASHES[2]],
  [LEVEL2[0]],
  [LEVEL2[0], LEAF_HASHES[4]],
  [LEVEL2[0], LEVEL1[2]],
  [LEVEL2[0], LEVEL1[2], LEAF_HASHES[6]],
  [ROOTS[8]],
];
// [leaf index, tree size, proof]
const INCLUSION: [number, number, string[]][] = [
  [0, 1, []],
  [0, 8, [LEAF_HASHES[1], LEVEL1[1], LEVEL2[1]]],
  [5, 8, [LEAF_HASHES[4], LEVEL1[3], LEVEL2[0]]],
  [2, 3, [LEVEL1[0]]],
  [1, 5, [LEAF_HASHES[0], LEVEL1[1], LEAF_HASHES[4]]],
];
// [size1, size2, proof]
const CONSISTENCY: [number, number, string[]][] = [
  [1, 1, []],
  [1, 8, [LEAF_HASHES[1], LEVEL1[1], LEVEL2[1]]],
  [6, 8, [LEVEL1[2], LEVEL1[3], LEVEL2[0]]],
  [2, 5, [LEVEL1[1], LEAF_HASHES[4]]],
  [6, 7, [LEVEL1[2], LEAF_HASHES[6], LEVEL2[0]]],
];

function referenceTree(): MerkleTree {
  const tree = new MerkleTree();
  LEAVES.forEach((l) => tree.appendLeaf(l));
  return tree;
}

const flip = (b: Buffer, byte = 0, bit = 3) => {
  const c = Buffer.from(b);
  c[byte] ^= 1 << bit;
  return c;
};

describe('RFC 9162 hashing', () => {
  it('hashes leaves with 0x00 and nodes with 0x01 (reference leaf and subtree hashes)', () => {
    expect(LEAVES.map((l) => hashLeaf(l).toString('hex'))).toEqual(LEAF_HASHES);
    for (let i = 0; i < 4; i++)
      expect(
        hashChildren(hex(LEAF_HASHES[2 * i]), hex(LEAF_HASHES[2 * i + 1])).toString('hex'),
      ).toBe(LEVEL1[i]);
    expect(hashChildren(hex(LEVEL1[0]), hex(LEVEL1[1])).toString('hex')).toBe(LEVEL2[0]);
  });

  it('gives the reference roots for sizes 0..8, by recursion, full tree and frontier', () => {
    const tree = referenceTree();
    const frontier = MerkleFrontier.empty();
    expect(frontier.root().toString('hex')).toBe(ROOTS[0]);
    expect(EMPTY_ROOT.toString('hex')).toBe(ROOTS[0]);
    for (let n = 0; n <= 8; n++) {
      expect(rootOfLeafHashes(LEAF_HASHES.slice(0, n).map(hex)).toString('hex')).toBe(ROOTS[n]);
      expect(tree.root(n).toString('hex')).toBe(ROOTS[n]);
      expect(tree.frontier(n).toHex()).toEqual(FRONTIERS[n]);
      if (n > 0) frontier.append(hashLeaf(LEAVES[n - 1]));
      expect(frontier.size).toBe(n);
      expect(frontier.toHex()).toEqual(FRONTIERS[n]);
      expect(frontier.root().toString('hex')).toBe(ROOTS[n]);
    }
  });

  it('resumes a frontier from its published form and refuses a malformed one', () => {
    const resumed = MerkleFrontier.fromHex(5, FRONTIERS[5]);
    resumed.append(hashLeaf(LEAVES[5]));
    resumed.append(hashLeaf(LEAVES[6]));
    expect(resumed.root().toString('hex')).toBe(ROOTS[7]);
    expect(() => MerkleFrontier.fromHex(5, FRONTIERS[4])).toThrow(/needs 2 hashes/);
    expect(() => MerkleFrontier.fromHex(1, ['zz'])).toThrow(/64 hex/);
  });
});

describe('inclusion proofs (§2.1.3)', () => {
  const tree = referenceTree();

  it.each(INCLUSION)('leaf %i in a tree of %i: the reference proof', (index, size, proof) => {
    expect(tree.inclusionProof(index, size).map((p) => p.toString('hex'))).toEqual(proof);
    expect(
      verifyInclusion(index, size, hex(LEAF_HASHES[index]), proof.map(hex), hex(ROOTS[size])),
    ).toBe(true);
  });

  it.each(INCLUSION.filter(([, , p]) => p.length > 0))(
    'leaf %i in %i: every corruption fails',
    (index, size, proofHex) => {
      const proof = proofHex.map(hex);
      const leaf = hex(LEAF_HASHES[index]);
      const root = hex(ROOTS[size]);
      const bad: [number, number, Buffer, Buffer[], Buffer][] = [
        [index - 1, size, leaf, proof, root],
        [index + 1, size, leaf, proof, root],
        [index ^ 2, size, leaf, proof, root],
        [index, size * 2, leaf, proof, root],
        [index, Math.floor(size / 2), leaf, proof, root],
        [index, size, Buffer.from('WrongLeaf'), proof, root],
        [index, size, leaf, proof, EMPTY_ROOT],
        [index, size, leaf, [...proof, Buffer.alloc(0)], root],
        [index, size, leaf, [...proof, root], root],
        [index, size, leaf, [root, ...proof], root],
        [index, size, leaf, proof.slice(0, -1), root],
        ...proof.map((_, i): [number, number, Buffer, Buffer[], Buffer] => [
          index,
          size,
          leaf,
          proof.map((p, j) => (i === j ? flip(p) : p)),
          root,
        ]),
      ];
      for (const [i, n, l, p, r] of bad) expect(verifyInclusion(i, n, l, p, r)).toBe(false);
    },
  );

  it('a leaf outside the tree has no proof', () => {
    expect(() => tree.inclusionProof(8, 8)).toThrow(RangeError);
    expect(verifyInclusion(0, 0, EMPTY_ROOT, [], EMPTY_ROOT)).toBe(false);
  });
});

describe('consistency proofs (§2.1.4)', () => {
  const tree = referenceTree();

  it.each(CONSISTENCY)('from %i to %i: the reference proof', (size1, size2, proof) => {
    expect(tree.consistencyProof(size1, size2).map((p) => p.toString('hex'))).toEqual(proof);
    expect(
      verifyConsistency(size1, size2, hex(ROOTS[size1]), hex(ROOTS[size2]), proof.map(hex)),
    ).toBe(true);
  });

  it.each(CONSISTENCY.filter(([, , p]) => p.length > 0))(
    'from %i to %i: every corruption fails',
    (size1, size2, proofHex) => {
      const proof = proofHex.map(hex);
      const r1 = hex(ROOTS[size1]);
      const r2 = hex(ROOTS[size2]);
      const bad: [number, number, Buffer, Buffer, Buffer[]][] = [
        [size1 - 1, size2, r1, r2, proof],
        [size1 + 1, size2, r1, r2, proof],
        [size1 ^ 2, size2, r1, r2, proof],
        [size1, size2 * 2, r1, r2, proof],
        [size1, Math.floor(size2 / 2), r1, r2, proof],
        [size1, size2, Buffer.from('WrongRoot'), r2, proof],
        [size1, size2, r1, Buffer.from('WrongRoot'), proof],
        [size1, size2, r2, r1, proof],
        [size1, size2, r1, r2, []],
        [size1, size2, r1, r2, [...proof, Buffer.alloc(0)]],
        [size1, size2, r1, r2, [...proof, r1]],
        [size1, size2, r1, r2, [...proof, r2]],
        [size1, size2, r1, r2, [r1, ...proof]],
        [size1, size2, r1, r2, [r2, ...proof]],
        [size1, size2, r1, r2, [proof[0], ...proof]],
        [size1, size2, r1, r2, proof.slice(0, -1)],
        ...proof.map((_, i): [number, number, Buffer, Buffer, Buffer[]] => [
          size1,
          size2,
          r1,
          r2,
          proof.map((p, j) => (i === j ? flip(p, 0, 4) : p)),
        ]),
      ];
      for (const [m, n, a, b, p] of bad) expect(verifyConsistency(m, n, a, b, p)).toBe(false);
    },
  );

  it('edge cases: equal sizes need equal roots, every tree extends the empty one, no time travel', () => {
    const r1 = hex(ROOTS[1]);
    const r2 = hex(ROOTS[2]);
    expect(verifyConsistency(0, 0, EMPTY_ROOT, EMPTY_ROOT, [])).toBe(true);
    expect(verifyConsistency(0, 1, EMPTY_ROOT, r1, [])).toBe(true);
    expect(verifyConsistency(1, 1, r1, r1, [])).toBe(true);
    expect(verifyConsistency(1, 1, r1, r2, [])).toBe(false);
    expect(verifyConsistency(1, 1, r1, r1, [EMPTY_ROOT])).toBe(false);
    expect(verifyConsistency(0, 1, EMPTY_ROOT, r1, [EMPTY_ROOT])).toBe(false);
    expect(verifyConsistency(2, 1, r2, r1, [])).toBe(false);
    expect(verifyConsistency(1, 2, r1, r2, [])).toBe(false);
    expect(() => tree.consistencyProof(3, 2)).toThrow(RangeError);
    expect(() => tree.consistencyProof(1, 9)).toThrow(RangeError);
  });
});

describe('properties', () => {
  const leafList = fc.array(fc.uint8Array({ maxLength: 12 }), { minLength: 1, maxLength: 70 });

  it('the tree, the frontier and the recursive definition agree at every size', () => {
    fc.assert(
      fc.property(leafList, (leaves) => {
        const tree = new MerkleTree();
        const frontier = MerkleFrontier.empty();
        const hashes = leaves.map((l) => hashLeaf(l));
        hashes.forEach((h, i) => {
          tree.append(h);
          frontier.append(h);
          const want = rootOfLeafHashes(hashes.slice(0, i + 1));
          expect(frontier.root().equals(want)).toBe(true);
          expect(tree.frontier().toHex()).toEqual(frontier.toHex());
        });
        for (let n = 0; n <= hashes.length; n++)
          expect(tree.root(n).equals(rootOfLeafHashes(hashes.slice(0, n)))).toBe(true);
      }),
      { numRuns: 60 },
    );
  });

  it('every consistency proof between sizes m <= n verifies; an altered leaf breaks it', () => {
    fc.assert(
      fc.property(
        leafList,
        fc.nat(),
        fc.nat(),
        fc.nat(),
        fc.uint8Array({ minLength: 1, maxLength: 4 }),
        (leaves, a, b, c, noise) => {
          const n = 1 + (a % leaves.length);
          const m = b % (n + 1);
          const tree = new MerkleTree();
          leaves.forEach((l) => tree.appendLeaf(l));
          const proof = tree.consistencyProof(m, n);
          expect(verifyConsistency(m, n, tree.root(m), tree.root(n), proof)).toBe(true);
          const i = c % n;
          expect(
            verifyInclusion(i, n, tree.leafHash(i), tree.inclusionProof(i, n), tree.root(n)),
          ).toBe(true);
          // Alter leaf i: the head at n changes and the honest proof no longer links to it.
          const altered = new MerkleTree();
          leaves.forEach((l, j) =>
            altered.appendLeaf(j === i ? Buffer.concat([l, Buffer.from(noise)]) : l),
          );
          expect(altered.root(n).equals(tree.root(n))).toBe(false);
          if (m === 0) return; // every tree extends the empty one
          expect(verifyConsistency(m, n, tree.root(m), altered.root(n), proof)).toBe(false);
          // The altered log's own proof links it to the first head only when the altered
          // leaf lies after that head (an extension, as far as that head can tell).
          expect(
            verifyConsistency(m, n, tree.root(m), altered.root(n), altered.consistencyProof(m, n)),
          ).toBe(i >= m);
        },
      ),
      { numRuns: 300 },
    );
  });
});
