import { createHash } from 'node:crypto';

/**
 * Merkle trees of RFC 9162 (Certificate Transparency v2) §2.1, SHA-256: the hashing, tree
 * heads of any size, inclusion and consistency proofs and their verification. Pure, so any
 * auditor can recompute a checkpoint with nothing but the records and this file's rules.
 */

export const HASH_SIZE = 32;

const sha256 = (...parts: Uint8Array[]): Buffer => {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
};

const LEAF_PREFIX = Buffer.from([0x00]);
const NODE_PREFIX = Buffer.from([0x01]);

/** MTH({}) = SHA-256() (§2.1.1). */
export const EMPTY_ROOT: Buffer = sha256();

/** MTH({d}) = SHA-256(0x00 || d): the prefix keeps a leaf from passing for an inner node. */
export function hashLeaf(leaf: Uint8Array): Buffer {
  return sha256(LEAF_PREFIX, leaf);
}

/** SHA-256(0x01 || left || right). */
export function hashChildren(left: Uint8Array, right: Uint8Array): Buffer {
  return sha256(NODE_PREFIX, left, right);
}

/** The largest power of two smaller than n (n > 1): where RFC 9162 splits a tree. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** MTH of a list of leaf hashes (the recursive definition; O(n), for tests and small trees). */
export function rootOfLeafHashes(leafHashes: readonly Uint8Array[]): Buffer {
  if (leafHashes.length === 0) return EMPTY_ROOT;
  if (leafHashes.length === 1) return Buffer.from(leafHashes[0]);
  const k = splitPoint(leafHashes.length);
  return hashChildren(
    rootOfLeafHashes(leafHashes.slice(0, k)),
    rootOfLeafHashes(leafHashes.slice(k)),
  );
}

const isPowerOfTwo = (n: number) => n > 0 && (n & (n - 1)) === 0;
const bitLength = (n: number) => (n === 0 ? 0 : Math.floor(Math.log2(n)) + 1);

function checkSize(name: string, n: number): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${name} ${n}: not a tree size`);
}

/**
 * The O(log n) form of a tree (a "compact range" from 0): the roots of its perfect subtrees,
 * largest first, one per set bit of the size. Enough to append and to compute the root, so
 * a checkpointer can resume from a published head without re-reading the log.
 */
export class MerkleFrontier {
  private constructor(
    private treeSize: number,
    private readonly nodes: Buffer[],
  ) {}

  static empty(): MerkleFrontier {
    return new MerkleFrontier(0, []);
  }

  /** A frontier as published (hex hashes, largest subtree first); refuses one of the wrong shape. */
  static fromHex(size: number, hashes: readonly string[]): MerkleFrontier {
    checkSize('frontier size', size);
    let bits = 0;
    for (let s = size; s > 0; s = Math.floor(s / 2)) bits += s % 2;
    if (hashes.length !== bits)
      throw new Error(`frontier of size ${size} needs ${bits} hashes, got ${hashes.length}`);
    const nodes = hashes.map((h) => {
      if (!/^[0-9a-f]{64}$/.test(h)) throw new Error(`frontier hash ${h}: not 64 hex digits`);
      return Buffer.from(h, 'hex');
    });
    return new MerkleFrontier(size, nodes);
  }

  get size(): number {
    return this.treeSize;
  }

  append(leafHash: Uint8Array): void {
    let node: Buffer = Buffer.from(leafHash);
    // Each trailing 1 bit of the old size is a perfect subtree the new leaf completes.
    for (let s = this.treeSize; s % 2 === 1; s = Math.floor(s / 2))
      node = hashChildren(this.nodes.pop()!, node);
    this.nodes.push(node);
    this.treeSize++;
  }

  root(): Buffer {
    if (this.nodes.length === 0) return EMPTY_ROOT;
    let r = this.nodes[this.nodes.length - 1];
    for (let i = this.nodes.length - 2; i >= 0; i--) r = hashChildren(this.nodes[i], r);
    return r;
  }

  toHex(): string[] {
    return this.nodes.map((n) => n.toString('hex'));
  }

  clone(): MerkleFrontier {
    return new MerkleFrontier(this.treeSize, [...this.nodes]);
  }
}

/** Hashes of one level, packed in one growing buffer (10^6 leaves: 32 MB, not 10^6 objects). */
class HashLevel {
  private buf = Buffer.alloc(HASH_SIZE * 64);
  length = 0;

  push(hash: Uint8Array): void {
    if ((this.length + 1) * HASH_SIZE > this.buf.length) {
      const bigger = Buffer.alloc(this.buf.length * 2);
      this.buf.copy(bigger);
      this.buf = bigger;
    }
    this.buf.set(hash, this.length * HASH_SIZE);
    this.length++;
  }

  at(i: number): Buffer {
    return this.buf.subarray(i * HASH_SIZE, (i + 1) * HASH_SIZE);
  }
}

/**
 * A tree that keeps every leaf hash and every perfect subtree's hash (2n hashes), so the
 * root at any earlier size and any proof cost O(log n) hashes: what a verifier rebuilding a
 * partition needs to compare many exported heads and prove consistency between them.
 */
export class MerkleTree {
  /** levels[k][i] = hash of the perfect subtree of leaves [i*2^k, (i+1)*2^k). */
  private readonly levels: HashLevel[] = [new HashLevel()];

  get size(): number {
    return this.levels[0].length;
  }

  append(leafHash: Uint8Array): void {
    if (leafHash.length !== HASH_SIZE) throw new Error(`leaf hash of ${leafHash.length} bytes`);
    this.levels[0].push(leafHash);
    // Complete every perfect subtree the new leaf closes.
    let index = this.levels[0].length - 1;
    for (let k = 0; index % 2 === 1; k++) {
      if (!this.levels[k + 1]) this.levels.push(new HashLevel());
      const level = this.levels[k];
      this.levels[k + 1].push(hashChildren(level.at(index - 1), level.at(index)));
      index = Math.floor(index / 2);
    }
  }

  appendLeaf(leaf: Uint8Array): void {
    this.append(hashLeaf(leaf));
  }

  leafHash(index: number): Buffer {
    if (index < 0 || index >= this.size) throw new RangeError(`leaf ${index} of ${this.size}`);
    return Buffer.from(this.levels[0].at(index));
  }

  /** MTH(D[start:end]) for the ranges RFC 9162's recursion visits (start a multiple of a power of two covering the left part). */
  private rangeHash(start: number, end: number): Buffer {
    const n = end - start;
    if (n === 0) return EMPTY_ROOT;
    if (isPowerOfTwo(n) && start % n === 0) {
      const k = bitLength(n) - 1;
      return Buffer.from(this.levels[k].at(start / n));
    }
    const k = splitPoint(n);
    return hashChildren(this.rangeHash(start, start + k), this.rangeHash(start + k, end));
  }

  /** The root of the first `size` leaves (the tree head as it was at that size). */
  root(size = this.size): Buffer {
    this.checkWithin('size', size);
    return this.rangeHash(0, size);
  }

  /** The frontier at a size, as a checkpoint publishes it. */
  frontier(size = this.size): MerkleFrontier {
    this.checkWithin('size', size);
    const hashes: string[] = [];
    let start = 0;
    for (let k = bitLength(size) - 1; k >= 0; k--) {
      const width = 2 ** k;
      if (Math.floor(size / width) % 2 === 1) {
        hashes.push(this.rangeHash(start, start + width).toString('hex'));
        start += width;
      }
    }
    return MerkleFrontier.fromHex(size, hashes);
  }

  /** PATH(m, D[n]) of §2.1.3.1: sibling hashes from the leaf up. */
  inclusionProof(index: number, size = this.size): Buffer[] {
    this.checkWithin('size', size);
    if (!Number.isSafeInteger(index) || index < 0 || index >= size)
      throw new RangeError(`leaf index ${index} not in a tree of ${size}`);
    const path = (m: number, start: number, end: number): Buffer[] => {
      const n = end - start;
      if (n <= 1) return [];
      const k = splitPoint(n);
      return m < k
        ? [...path(m, start, start + k), this.rangeHash(start + k, end)]
        : [...path(m - k, start + k, end), this.rangeHash(start, start + k)];
    };
    return path(index, 0, size);
  }

  /** PROOF(m, D[n]) of §2.1.4.1: that the tree at `size2` extends the tree at `size1`. */
  consistencyProof(size1: number, size2 = this.size): Buffer[] {
    this.checkWithin('size2', size2);
    checkSize('size1', size1);
    if (size1 > size2) throw new RangeError(`size1 ${size1} > size2 ${size2}`);
    if (size1 === 0 || size1 === size2) return [];
    const subproof = (m: number, start: number, end: number, whole: boolean): Buffer[] => {
      const n = end - start;
      if (m === n) return whole ? [] : [this.rangeHash(start, end)];
      const k = splitPoint(n);
      return m <= k
        ? [...subproof(m, start, start + k, whole), this.rangeHash(start + k, end)]
        : [...subproof(m - k, start + k, end, false), this.rangeHash(start, start + k)];
    };
    return subproof(size1, 0, size2, true);
  }

  private checkWithin(name: string, size: number): void {
    checkSize(name, size);
    if (size > this.size) throw new RangeError(`${name} ${size} > tree size ${this.size}`);
  }
}

const lsb = (n: bigint) => (n & 1n) === 1n;
const sameHash = (a: Uint8Array, b: Uint8Array) =>
  a.length === HASH_SIZE && b.length === HASH_SIZE && Buffer.from(a).equals(Buffer.from(b));

/** §2.1.3.2: does `proof` show the leaf hash at `index` in the tree of `size` with `root`? */
export function verifyInclusion(
  index: number,
  size: number,
  leafHash: Uint8Array,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): boolean {
  if (!Number.isSafeInteger(index) || !Number.isSafeInteger(size) || index < 0) return false;
  if (index >= size) return false;
  if (proof.some((p) => p.length !== HASH_SIZE)) return false;
  let fn = BigInt(index);
  let sn = BigInt(size - 1);
  let r: Uint8Array = leafHash;
  for (const p of proof) {
    if (sn === 0n) return false;
    if (lsb(fn) || fn === sn) {
      r = hashChildren(p, r);
      while (!lsb(fn) && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      r = hashChildren(r, p);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  return sn === 0n && sameHash(r, root);
}

/**
 * §2.1.4.2, step by step: does `proof` show that the tree of `size2` with `root2` extends
 * the tree of `size1` with `root1`? The spec's algorithm covers 0 < size1 < size2; the edge
 * cases are those of RFC 6962 practice: equal sizes need equal roots and an empty proof, and
 * every tree extends the empty one (an empty proof).
 */
export function verifyConsistency(
  size1: number,
  size2: number,
  root1: Uint8Array,
  root2: Uint8Array,
  proof: readonly Uint8Array[],
): boolean {
  if (!Number.isSafeInteger(size1) || !Number.isSafeInteger(size2)) return false;
  if (size1 < 0 || size2 < size1) return false;
  if (size1 === size2) return proof.length === 0 && sameHash(root1, root2);
  if (size1 === 0) return proof.length === 0;
  // 1. An empty path fails.
  if (proof.length === 0) return false;
  if (proof.some((p) => p.length !== HASH_SIZE)) return false;
  // 2. A first tree of 2^k leaves is a node of the second: its hash starts the path.
  const path: readonly Uint8Array[] = isPowerOfTwo(size1) ? [root1, ...proof] : proof;
  // 3.
  let fn = BigInt(size1 - 1);
  let sn = BigInt(size2 - 1);
  // 4.
  while (lsb(fn)) {
    fn >>= 1n;
    sn >>= 1n;
  }
  // 5.
  let fr: Uint8Array = path[0];
  let sr: Uint8Array = path[0];
  // 6.
  for (const c of path.slice(1)) {
    if (sn === 0n) return false;
    if (lsb(fn) || fn === sn) {
      fr = hashChildren(c, fr);
      sr = hashChildren(c, sr);
      while (!lsb(fn) && fn !== 0n) {
        fn >>= 1n;
        sn >>= 1n;
      }
    } else {
      sr = hashChildren(sr, c);
    }
    fn >>= 1n;
    sn >>= 1n;
  }
  // 7.
  return sameHash(fr, root1) && sameHash(sr, root2) && sn === 0n;
}
