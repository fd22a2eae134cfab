import { generateKeyPairSync } from 'node:crypto';
import {
  CheckpointEvent,
  ed25519HeadSigner,
  ed25519HeadVerifier,
  MerkleTree,
  recordLeafHash,
  sealEnvelope,
} from '@customs/contracts';
import {
  buildCheckpointExport,
  CheckpointAuditor,
  CheckpointExport,
  parseCheckpointExport,
} from './checkpoint-audit.engine';
import { checkpointHistories, CheckpointRecord, latestHeads } from './checkpoint-history';
import { LogCheckpointer } from './log-checkpointer';

const TOPIC = 'customs.payments.v1';
const LOG = `${TOPIC}/2`;
const keys = generateKeyPairSync('ed25519');
const signer = ed25519HeadSigner('svc-audit#1', keys.privateKey);
const verifier = ed25519HeadVerifier({ 'svc-audit#1': keys.publicKey });
const T0 = Date.parse('2026-12-04T10:00:00.000Z');

interface Rec {
  topic: string;
  partition: number;
  offset: string;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

/** n records from an offset; every 4th offset is a transaction marker (a gap). */
function records(n: number, from = 0): Rec[] {
  const out: Rec[] = [];
  for (let o = from; out.length < n; o++) {
    if (o % 4 === 3) continue;
    out.push({
      topic: TOPIC,
      partition: 2,
      offset: String(o),
      key: `k${o % 3}`,
      value: JSON.stringify({ n: o }),
      headers: { 'x-signature': `sig-${o}` },
    });
  }
  return out;
}

/** Runs a checkpointer over the records: a head every `every` records (and one at the end). */
function checkpoint(recs: readonly Rec[], every = 4, resumeFrom: CheckpointRecord[] = []) {
  const latest = latestHeads(checkpointHistories(resumeFrom, verifier)).get(LOG);
  const cp = latest ? LogCheckpointer.resume(latest) : LogCheckpointer.fresh(LOG, T0);
  const out: CheckpointRecord[] = [...resumeFrom];
  let t = T0 + out.length * 1000;
  const cut = () => {
    const e = cp.cut(new Date((t += 1000)), signer, 'audit@test');
    out.push({ partition: 0, offset: String(out.length), value: JSON.stringify(e) });
  };
  for (const r of recs) {
    cp.add(r);
    if (cp.due(t, { everyRecords: every, intervalMs: 60_000 })) cut();
  }
  if (cp.pending > 0) cut();
  return out;
}

function exportOf(cps: CheckpointRecord[]): CheckpointExport {
  return buildCheckpointExport(
    checkpointHistories(cps, verifier),
    'customs.audit.checkpoints.v1',
    '2026-12-04T11:00:00.000Z',
  );
}

function audit(
  exp: CheckpointExport,
  log: readonly Rec[],
  published: CheckpointRecord[],
  low?: string,
) {
  const auditor = new CheckpointAuditor(exp, checkpointHistories(published, verifier), verifier);
  log.forEach((r) => auditor.add(r));
  const extent = {
    topic: TOPIC,
    partition: 2,
    low: low ?? log[0]?.offset ?? '0',
    high: log.length ? String(Number(log[log.length - 1].offset) + 1) : (low ?? '0'),
  };
  return auditor.finish([extent]);
}

describe('LogCheckpointer', () => {
  it('cuts heads every N records whose roots are those of the full tree', () => {
    const recs = records(10);
    const cps = checkpoint(recs, 4);
    const heads = checkpointHistories(cps, verifier)
      .logs.get(LOG)!
      .heads.map((h) => h.head);
    expect(heads.map((h) => h.treeSize)).toEqual([4, 8, 10]);
    const tree = new MerkleTree();
    recs.forEach((r) => tree.append(recordLeafHash(r)));
    for (const h of heads) {
      expect(h.rootHash).toBe(tree.root(h.treeSize).toString('hex'));
      expect(h.lastOffset).toBe(recs[h.treeSize - 1].offset);
      expect(h.firstOffset).toBe('0');
    }
  });

  it('cuts on the interval only when the partition grew, and skips offsets already in the tree', () => {
    const cp = LogCheckpointer.fresh(LOG, T0);
    const policy = { everyRecords: 100, intervalMs: 10_000 };
    expect(cp.due(T0 + 60_000, policy)).toBe(false);
    const [a, b] = records(2);
    expect(cp.add(a)).toBe(true);
    expect(cp.due(T0 + 5_000, policy)).toBe(false);
    expect(cp.due(T0 + 10_000, policy)).toBe(true);
    cp.cut(new Date(T0 + 10_000), signer, 'p@1');
    expect(cp.due(T0 + 30_000, policy)).toBe(false);
    expect(cp.add(a)).toBe(false);
    expect(cp.add(b)).toBe(true);
    expect(cp.nextOffset).toBe(String(Number(b.offset) + 1));
    expect(() => LogCheckpointer.fresh(LOG, T0).cut(new Date(), signer, 'p')).toThrow(/no record/);
  });

  it('resumed from the last published head, continues the same tree and chain', () => {
    const recs = records(11);
    const straight = checkpoint(recs, 4);
    const firstPart = checkpoint(recs.slice(0, 6), 4); // heads at 4 and 6
    const resumed = checkpoint(recs.slice(4), 4, firstPart); // re-reads 4..5, skipped
    const h = checkpointHistories(resumed, verifier);
    expect(h.problems).toEqual([]);
    const heads = h.logs.get(LOG)!.heads.map((x) => x.head);
    expect(heads.map((x) => x.treeSize)).toEqual([4, 6, 10, 11]);
    const want = checkpointHistories(straight, verifier).logs.get(LOG)!.heads.at(-1)!.head;
    expect(heads.at(-1)!.rootHash).toBe(want.rootHash);
    expect(audit(exportOf(straight), recs, resumed).ok).toBe(true);
  });
});

describe('checkpointHistories', () => {
  it('leaves out and reports unreadable, tampered and badly signed heads, and chain breaks', () => {
    const cps = checkpoint(records(12), 4);
    const e2 = JSON.parse(cps[1].value as string) as CheckpointEvent;
    const tampered = { ...e2, payload: { ...e2.payload, treeSize: 9 } };
    const other = ed25519HeadSigner('svc-audit#1', generateKeyPairSync('ed25519').privateKey);
    const forgedHead = {
      ...e2.payload,
      signature: other.sign(Buffer.from('x')).toString('base64'),
    };
    const forged = sealEnvelope({ ...e2, payload: forgedHead });
    const h = checkpointHistories(
      [
        cps[0],
        { partition: 0, offset: '1', value: 'not json' },
        { partition: 0, offset: '2', value: JSON.stringify(tampered) },
        { partition: 0, offset: '3', value: JSON.stringify(forged) },
        { ...cps[2], offset: '4' },
      ],
      verifier,
    );
    expect(h.logs.get(LOG)!.heads.map((x) => x.head.treeSize)).toEqual([4, 12]);
    expect(h.problems.map((p) => [p.offset, p.message])).toEqual([
      ['1', expect.stringMatching(/not JSON/)],
      ['2', 'envelope hash does not match'],
      ['3', expect.stringMatching(/signature does not verify/)],
      ['4', expect.stringMatching(/chain of heads broken: sequence 3 after 1/)],
    ]);
  });
});

describe('CheckpointAuditor', () => {
  const recs = records(20);
  const cps = checkpoint(recs, 4); // heads at 4, 8, 12, 16, 20
  const exp = exportOf(cps);
  const offsetAt = (size: number) => recs[size - 1].offset;

  it('an intact log reproduces every exported head, and the published head extends them', () => {
    const r = audit(exp, recs, cps);
    expect(r.findings).toEqual([]);
    expect(r.logs).toEqual([
      { logId: LOG, exportedHeads: 5, matchingHeads: 5, recordsRead: 20, publishedTreeSize: 20 },
    ]);
  });

  it('a log that grew since the export, with a published head over it, is fine', () => {
    const more = records(27);
    expect(audit(exp, more, checkpoint(more.slice(20), 4, cps)).ok).toBe(true);
  });

  it.each([
    ['value', { value: '{"n":"forged"}' }],
    ['key', { key: 'other' }],
    ['signature header', { headers: { 'x-signature': 'forged' } }],
  ])(
    'a rewritten %s is located between the last matching and the first mismatching head',
    (_w, change) => {
      const log = recs.map((r, i) => (i === 9 ? { ...r, ...change } : r));
      const r = audit(exp, log, cps);
      expect(r.ok).toBe(false);
      expect(r.findings).toEqual([
        expect.objectContaining({
          kind: 'rewritten',
          topic: TOPIC,
          partition: 2,
          fromOffset: String(Number(offsetAt(8)) + 1),
          toOffset: offsetAt(12),
          treeSize: 12,
        }),
      ]);
    },
  );

  it('a chain rewritten and re-checkpointed with the stolen key is found against the export', () => {
    const log = recs.map((r, i) => (i === 1 ? { ...r, value: '{"n":"rewritten"}' } : r));
    const republished = checkpoint(log, 4);
    const r = audit(exp, log, republished);
    expect(r.findings).toEqual([
      expect.objectContaining({ kind: 'rewritten', fromOffset: '0', toOffset: offsetAt(4) }),
      expect.objectContaining({ kind: 'checkpoint history rewritten', treeSize: 20 }),
    ]);
  });

  it('deleted records (log start moved) are found and located', () => {
    const log = recs.slice(3);
    const r = audit(exp, log, cps, log[0].offset);
    expect(r.findings).toEqual([
      expect.objectContaining({
        kind: 'deleted',
        fromOffset: '0',
        toOffset: String(Number(log[0].offset) - 1),
      }),
    ]);
  });

  it('a truncated tail is found and located', () => {
    const log = recs.slice(0, 14);
    const r = audit(exp, log, cps);
    expect(r.findings).toEqual([
      expect.objectContaining({
        kind: 'truncated',
        fromOffset: String(Number(offsetAt(14)) + 1),
        toOffset: offsetAt(20),
        treeSize: 16,
      }),
    ]);
    expect(r.logs[0].matchingHeads).toBe(3);
  });

  it('a record re-produced at another offset (a shift) is a rewrite', () => {
    const log = recs.map((r, i) => (i >= 15 ? { ...r, offset: String(Number(r.offset) + 1) } : r));
    expect(audit(exp, log, cps).findings).toEqual([
      expect.objectContaining({
        kind: 'rewritten',
        fromOffset: String(Number(offsetAt(12)) + 1),
        toOffset: offsetAt(16),
      }),
    ]);
  });

  it('published heads that do not extend the export are checkpoint history rewritten', () => {
    // The log is intact, but the checkpoints topic now holds heads over other records.
    const other = records(20).map((r) => ({ ...r, value: `${r.value} ` }));
    const r = audit(exp, recs, checkpoint(other, 4));
    expect(r.findings.map((f) => f.kind)).toEqual(['checkpoint history rewritten']);
    // The log grew to 24; the published head of 24 is over records other than the log's.
    const grown = records(24);
    const forged = checkpoint(
      grown.map((r, i) => (i === 2 ? { ...r, key: 'x' } : r)),
      4,
    );
    expect(audit(exp, grown, forged).findings).toEqual([
      expect.objectContaining({
        kind: 'checkpoint history rewritten',
        fromOffset: String(Number(offsetAt(20)) + 1),
        toOffset: grown[23].offset,
        treeSize: 24,
      }),
    ]);
    // A record on the checkpoints topic that is no head at all is located there.
    expect(
      audit(exp, recs, [...cps, { partition: 0, offset: String(cps.length), value: '{}' }])
        .findings,
    ).toEqual([
      expect.objectContaining({
        kind: 'checkpoint history rewritten',
        topic: 'customs.audit.checkpoints.v1',
        partition: 0,
        fromOffset: String(cps.length),
      }),
    ]);
    // Heads gone from the topic, or behind the export.
    expect(audit(exp, recs, []).findings.map((f) => f.kind)).toEqual([
      'checkpoint history rewritten',
    ]);
    expect(audit(exp, recs, cps.slice(0, 2)).findings).toEqual([
      expect.objectContaining({ kind: 'checkpoint history rewritten', treeSize: 8 }),
    ]);
  });

  it('exported heads with a bad signature, and a partition gone, are findings', () => {
    const bad = {
      ...exp,
      logs: exp.logs.map((l) => ({
        ...l,
        history: l.history.map((h, i) => (i === 0 ? { ...h, keyId: 'unknown' } : h)),
      })),
    };
    expect(audit(bad, recs, cps).findings).toEqual([
      expect.objectContaining({ kind: 'bad signature', treeSize: 4 }),
    ]);
    const auditor = new CheckpointAuditor(exp, checkpointHistories(cps, verifier), verifier);
    expect(auditor.finish([]).findings).toEqual([
      expect.objectContaining({ kind: 'missing', logId: LOG }),
    ]);
  });

  it('an export file round-trips and a foreign file is refused', () => {
    expect(parseCheckpointExport(JSON.stringify(exp))).toEqual(exp);
    expect(exp.logs[0]).toMatchObject({ logId: LOG, topic: TOPIC, partition: 2 });
    expect(exp.logs[0].history).toHaveLength(5);
    expect(() => parseCheckpointExport('{}')).toThrow(/not a checkpoint export/);
    expect(() => parseCheckpointExport('nope')).toThrow(/not JSON/);
    const broken = {
      ...exp,
      logs: [{ ...exp.logs[0], latest: { ...exp.logs[0].latest, rootHash: 'x' } }],
    };
    expect(() => parseCheckpointExport(JSON.stringify(broken))).toThrow(/does not fit/);
  });
});
