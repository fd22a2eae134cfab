import { generateKeyPairSync } from 'node:crypto';
import { hasValidHash } from '../envelope/event-envelope';
import { hashLeaf, MerkleFrontier } from './merkle-tree';
import {
  checkpointEvent,
  checkpointHeadOf,
  ed25519HeadSigner,
  ed25519HeadVerifier,
  logIdOf,
  parseLogId,
  signTreeHead,
  TreeHead,
  treeHeadBytes,
  treeHeadProblems,
  verifyTreeHeadSignature,
} from './signed-tree-head';

const keys = generateKeyPairSync('ed25519');
const other = generateKeyPairSync('ed25519');
const signer = ed25519HeadSigner('svc-audit#1', keys.privateKey);
const verifier = ed25519HeadVerifier({ 'svc-audit#1': keys.publicKey });

function frontierOf(n: number): MerkleFrontier {
  const f = MerkleFrontier.empty();
  for (let i = 0; i < n; i++) f.append(hashLeaf(Buffer.from(String(i))));
  return f;
}

function head(n = 5): { head: TreeHead; frontier: MerkleFrontier } {
  const frontier = frontierOf(n);
  return {
    frontier,
    head: {
      logId: 'customs.payments.v1/3',
      treeSize: n,
      firstOffset: '10',
      lastOffset: String(10 + n + 2),
      rootHash: frontier.root().toString('hex'),
      timestamp: '2026-12-04T10:00:00.000Z',
    },
  };
}

describe('signed tree heads', () => {
  it('signs the canonical JSON of the head fields only', () => {
    const { head: h } = head();
    expect(treeHeadBytes(h).toString()).toBe(
      `{"firstOffset":"10","lastOffset":"17","logId":"customs.payments.v1/3","rootHash":"${h.rootHash}","timestamp":"2026-12-04T10:00:00.000Z","treeSize":5}`,
    );
    const sth = signTreeHead(h, frontierOf(5), signer);
    expect(treeHeadBytes(sth)).toEqual(treeHeadBytes(h));
    expect(Buffer.from(sth.signature, 'base64')).toHaveLength(64);
    expect(sth.frontier).toEqual(frontierOf(5).toHex());
    expect(verifyTreeHeadSignature(sth, verifier)).toBe(true);
    expect(treeHeadProblems(sth)).toEqual([]);
  });

  it.each([
    ['treeSize', { treeSize: 6 }],
    ['rootHash', { rootHash: 'ab'.repeat(32) }],
    ['lastOffset', { lastOffset: '99' }],
    ['firstOffset', { firstOffset: '9' }],
    ['timestamp', { timestamp: '2026-12-04T10:00:01.000Z' }],
    ['logId', { logId: 'customs.payments.v1/4' }],
  ])('a changed %s breaks the signature', (_f, change) => {
    const sth = signTreeHead(head().head, frontierOf(5), signer);
    expect(verifyTreeHeadSignature({ ...sth, ...change }, verifier)).toBe(false);
  });

  it('refuses unknown keys, other keys and garbage signatures', () => {
    const sth = signTreeHead(head().head, frontierOf(5), signer);
    expect(verifyTreeHeadSignature({ ...sth, keyId: 'svc-audit#2' }, verifier)).toBe(false);
    const forged = signTreeHead(
      head().head,
      frontierOf(5),
      ed25519HeadSigner('svc-audit#1', other.privateKey),
    );
    expect(verifyTreeHeadSignature(forged, verifier)).toBe(false);
    expect(verifyTreeHeadSignature({ ...sth, signature: 'AAAA' }, verifier)).toBe(false);
    expect(() => ed25519HeadSigner('x', generateKeyPairSync('x25519').privateKey)).toThrow(
      /Ed25519/,
    );
  });

  it('will not sign a head its frontier does not give', () => {
    expect(() => signTreeHead(head(5).head, frontierOf(4), signer)).toThrow(/frontier/);
    expect(() =>
      signTreeHead({ ...head(5).head, rootHash: '00'.repeat(32) }, frontierOf(5), signer),
    ).toThrow(/root/);
  });

  it('finds heads whose fields do not fit together', () => {
    const sth = signTreeHead(head().head, frontierOf(5), signer);
    expect(treeHeadProblems({ ...sth, lastOffset: '12' })).toEqual([
      'offsets 10..12 cannot hold 5 records',
    ]);
    expect(treeHeadProblems({ ...sth, frontier: frontierOf(4).toHex() }).join()).toMatch(
      /needs 2 hashes/,
    );
    expect(treeHeadProblems({ ...sth, logId: 'nopartition' }).join()).toMatch(/log id/);
  });

  it('log ids are <topic>/<partition>', () => {
    expect(logIdOf('a.b.v1', 2)).toBe('a.b.v1/2');
    expect(parseLogId('scratch-x/customs.a.v1/11')).toEqual({
      topic: 'scratch-x/customs.a.v1',
      partition: 11,
    });
    expect(() => parseLogId('a.b.v1')).toThrow();
  });
});

describe('checkpoint events', () => {
  it('chain per log id: sequence, prevHash, lrn = log id, no MRN', () => {
    const h1 = signTreeHead(head(5).head, frontierOf(5), signer);
    const h2 = signTreeHead(
      { ...head(9).head, timestamp: '2026-12-04T10:00:10.000Z' },
      frontierOf(9),
      signer,
    );
    const e1 = checkpointEvent(null, h1, 'audit@0.1.0');
    const e2 = checkpointEvent(e1, h2, 'audit@0.1.0');
    expect(e1).toMatchObject({
      type: 'CheckpointPublished',
      lrn: 'customs.payments.v1/3',
      mrn: null,
      sequence: 1,
      prevHash: null,
      payload: h1,
    });
    expect(e2).toMatchObject({ sequence: 2, prevHash: e1.hash, mrn: null, lrn: e1.lrn });
    expect(hasValidHash(e1) && hasValidHash(e2)).toBe(true);
    expect(checkpointHeadOf(e2)).toEqual({ head: h2 });
    const other = signTreeHead(
      { ...head(5).head, logId: 'customs.payments.v1/4' },
      frontierOf(5),
      signer,
    );
    expect(() => checkpointEvent(e1, other, 'audit@0.1.0')).toThrow(/previous checkpoint/);
  });

  it('checkpointHeadOf refuses other types and malformed heads', () => {
    const e1 = checkpointEvent(null, signTreeHead(head().head, frontierOf(5), signer), 'a@1');
    expect(checkpointHeadOf({ ...e1, type: 'X' })).toEqual({
      problem: 'type X, not CheckpointPublished',
    });
    expect(checkpointHeadOf({ ...e1, lrn: 'customs.payments.v1/0' })).toEqual({
      problem: 'head of customs.payments.v1/3 in the chain of customs.payments.v1/0',
    });
    expect('problem' in checkpointHeadOf({ ...e1, payload: { ...e1.payload, treeSize: -1 } })).toBe(
      true,
    );
  });
});
