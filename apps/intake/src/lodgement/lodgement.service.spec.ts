import {
  AcceptedPayload,
  Declaration,
  EVENT_TYPES,
  EventEnvelope,
  firstEvent,
  RejectedPayload,
  SubmittedPayload,
  TOPICS,
} from '@customs/contracts';
import { MalformedRecord, OutgoingRecord } from '@customs/messaging';
import {
  CreateLodgementResult,
  DeclarationTimeline,
  Lodgement,
  LodgementRepository,
  MemoryProcessedEventRepository,
  ReferenceVersion,
  ReferenceVersionRepository,
  SaveReferenceResult,
  TimelineEntry,
  TimelineRepository,
} from '@customs/persistence';
import { seedDeclarableCodes } from '@customs/reference-data';
import { DeclarationGenerator } from '@customs/simulation';
import { NomenclatureCatalog } from '../reference/nomenclature.catalog';
import { DeclarationValidator } from './declaration.validator';
import { LodgementService, SubmissionInput, submittedBy } from './lodgement.service';

/** The repositories' contracts in memory (the Mongo ones run in the e2e suites). */
class MemoryLodgements extends LodgementRepository {
  readonly rows = new Map<string, Lodgement>();
  calls = { create: 0, createMany: 0, findByDeclarantLrn: 0 };
  async findByMrn(mrn: string) {
    return this.rows.get(mrn) ?? null;
  }
  async findByDeclarantLrn(declarantId: string, lrn: string) {
    this.calls.findByDeclarantLrn++;
    return (
      [...this.rows.values()].find((l) => l.declarantId === declarantId && l.lrn === lrn) ?? null
    );
  }
  private insert(l: Lodgement): CreateLodgementResult {
    const existing =
      this.rows.get(l.mrn) ??
      [...this.rows.values()].find((r) => r.declarantId === l.declarantId && r.lrn === l.lrn);
    if (existing) return { created: false, existing };
    this.rows.set(l.mrn, l);
    return { created: true };
  }
  async create(l: Lodgement) {
    this.calls.create++;
    return this.insert(l);
  }
  async createMany(ls: Lodgement[]) {
    this.calls.createMany++;
    return ls.map((l) => this.insert(l));
  }
}

class MemoryTimeline extends TimelineRepository {
  readonly appended: string[] = [];
  async append(head: Omit<DeclarationTimeline, 'entries'>, entry: TimelineEntry) {
    this.appended.push(`${head.mrn}:${entry.type}`);
  }
  async get() {
    return null;
  }
}

class NoVersions extends ReferenceVersionRepository {
  async save(): Promise<SaveReferenceResult> {
    return 'created';
  }
  async get<T>(): Promise<ReferenceVersion<T> | null> {
    return null;
  }
  async list<T>(): Promise<ReferenceVersion<T>[]> {
    return [];
  }
}

const NOW = '2026-07-15T10:00:00.000Z';

function setup() {
  const lodgements = new MemoryLodgements();
  const processed = new MemoryProcessedEventRepository();
  const timeline = new MemoryTimeline();
  const service = new LodgementService(
    new DeclarationValidator(new NomenclatureCatalog(new NoVersions())),
    lodgements,
    processed,
    timeline,
    // The HTTP path's collaborators: the topic path never touches them.
    null as never,
    null as never,
  );
  return { service, lodgements, processed, timeline };
}

const gen = new DeclarationGenerator({
  seed: 11,
  commodityCodes: seedDeclarableCodes(NOW.slice(0, 10)),
  lrnPrefix: 'UNIT',
});

function submission(d: unknown, lrn = (d as Declaration).lrn): EventEnvelope<SubmittedPayload> {
  return firstEvent<SubmittedPayload>({
    type: EVENT_TYPES.submitted,
    schemaVersion: 1,
    lrn,
    producer: 'test@0',
    occurredAt: NOW,
    payload: { declaration: d as Declaration, channel: 'kafka' },
  });
}

/** The same declarant and LRN with another content. */
const otherContent = (d: Declaration): Declaration => ({
  ...d,
  items: [{ ...d.items[0], description: `${d.items[0].description} (other)` }, ...d.items.slice(1)],
});

const malformed: MalformedRecord = {
  malformed: true,
  code: 'NOT_JSON',
  error: 'not JSON',
  key: 'BROKEN-1',
  value: '{"this is": not json',
};

/** Submissions come from the border post they are lodged at. */
const signerOf = (input: EventEnvelope | MalformedRecord) =>
  'malformed' in input
    ? 'bp-nl-vnl-venlo'
    : `bp-${(input.payload as SubmittedPayload).declaration.borderPost.toLowerCase()}`;

/** One partition's chunk: a good one, a malformed one, resubmissions and conflicts of it. */
function chunk(): SubmissionInput[] {
  const a = gen.next(1);
  const b = gen.next(2);
  const invalid = { ...gen.next(3), invoiceCurrency: 'EURO' };
  const records: (EventEnvelope | MalformedRecord)[] = [
    submission(a),
    malformed,
    submission(b),
    // Same declarant + LRN, same content, another event: a resubmission.
    submission(a),
    // Same declarant + LRN, other content: a conflict.
    submission(otherContent(a)),
    submission(invalid),
  ];
  return records.map((input, i) => ({
    input,
    origin: { topic: TOPICS.submitted, partition: 0, offset: String(100 + i) },
    signer: signerOf(input),
  }));
}

const summary = (outputs: OutgoingRecord[]) =>
  outputs
    .filter((o) => o.topic !== TOPICS.notifications)
    .map((o) => `${o.value.lrn}:${o.value.type}:${o.value.causationId ?? 'none'}`);

describe('LodgementService.decideSubmissions', () => {
  beforeEach(() => jest.useFakeTimers({ now: Date.parse(NOW) }));
  afterEach(() => jest.useRealTimers());

  it('decides a chunk exactly as record by record: first of an LRN wins, malformed rejected', async () => {
    const inputs = chunk();
    const batch = setup();
    const together = await batch.service.decideSubmissions(inputs);
    const single = setup();
    const oneByOne: OutgoingRecord[] = [];
    for (const i of inputs) oneByOne.push(...(await single.service.decideSubmissions([i])));

    // Byte-identical records (same ids, same hashes) and the same store afterwards.
    expect(JSON.stringify(together)).toBe(JSON.stringify(oneByOne));
    expect([...batch.lodgements.rows.values()]).toEqual([...single.lodgements.rows.values()]);
    expect(batch.timeline.appended).toEqual(single.timeline.appended);

    const [a, , b, , conflict, invalid] = inputs.map((i) => i.input as EventEnvelope);
    expect(summary(together)).toEqual([
      `${a.lrn}:${EVENT_TYPES.accepted}:${a.eventId}`,
      `BROKEN-1:${EVENT_TYPES.rejected}:none`,
      `${b.lrn}:${EVENT_TYPES.accepted}:${b.eventId}`,
      // The resubmission gives nothing; the conflict and the invalid one are rejected.
      `${a.lrn}:${EVENT_TYPES.rejected}:${conflict.eventId}`,
      `${invalid.lrn}:${EVENT_TYPES.rejected}:${invalid.eventId}`,
    ]);
    const reasons = (causation: string) =>
      (
        together.find((o) => o.topic === TOPICS.rejected && o.value.causationId === causation)!
          .value.payload as RejectedPayload
      ).reasons;
    expect(reasons(conflict.eventId).map((r) => r.code)).toEqual(['DUPLICATE_LRN_CONFLICT']);
    expect(reasons(invalid.eventId).map((r) => r.path)).toContain(
      'payload.declaration.invoiceCurrency',
    );
    const broken = together.find((o) => o.key === 'BROKEN-1' && o.topic === TOPICS.rejected)!;
    expect((broken.value.payload as RejectedPayload).reasons[0].code).toBe('NOT_JSON');
    // Two lodgements, one bulk insert, and no lookup by declarant + LRN (a scan on FerretDB).
    expect(batch.lodgements.rows.size).toBe(2);
    expect(batch.lodgements.calls).toEqual({ create: 0, createMany: 1, findByDeclarantLrn: 0 });
  });

  it('rejects a submission naming an unknown border post, or carrying a __proto__ key, by path', async () => {
    const unknownPost = { ...gen.next(4), borderPost: 'NL-NOWHERE-1' };
    const polluted = JSON.parse(
      JSON.stringify(gen.next(5)).replace('"declarant":{', '"declarant":{"__proto__":{"id":"X"},'),
    ) as Declaration;
    const inputs = [submission(unknownPost), submission(polluted)].map((input, i) => ({
      input,
      origin: { topic: TOPICS.submitted, partition: 0, offset: String(200 + i) },
    }));
    const out = await setup().service.decideSubmissions(inputs);
    const rejected = out
      .filter((o) => o.topic === TOPICS.rejected)
      .map((o) => (o.value.payload as RejectedPayload).reasons.map((r) => `${r.code} ${r.path}`));
    expect(rejected).toEqual([
      ['UNKNOWN_BORDER_POST payload.declaration.borderPost'],
      ['FORBIDDEN_KEY payload.declaration.declarant.__proto__'],
    ]);
    expect(out.some((o) => o.topic === TOPICS.accepted)).toBe(false);
  });

  it('gives the same records back when the chunk is read again, and nothing for a copy elsewhere', async () => {
    const inputs = chunk();
    const { service, lodgements } = setup();
    const first = await service.decideSubmissions(inputs);
    expect(JSON.stringify(await service.decideSubmissions(inputs))).toBe(JSON.stringify(first));
    const copies = inputs
      .filter((i) => !('malformed' in i.input))
      .map((i, n) => ({ ...i, origin: { ...i.origin, offset: String(900 + n) } }));
    expect(await service.decideSubmissions(copies)).toEqual([]);
    expect(lodgements.rows.size).toBe(2);
  });

  it('meets lodgements stored before: this submission again is accepted again, another is a resubmission or a conflict', async () => {
    const d = gen.next(7);
    const original = submission(d);
    const { service, lodgements, processed } = setup();
    const at = (offset: number) => ({ topic: TOPICS.submitted, partition: 1, offset: `${offset}` });
    const first = await service.decideSubmissions([
      { input: original, origin: at(1), signer: signerOf(original) },
    ]);
    // A crash after the lodgement, before the processed input was kept.
    processed.rows.clear();
    const again = await service.decideSubmissions([
      { input: original, origin: at(1), signer: signerOf(original) },
      { input: submission(d), origin: at(2), signer: signerOf(original) },
      { input: submission(otherContent(d)), origin: at(3), signer: signerOf(original) },
    ]);
    expect(JSON.stringify(again.slice(0, first.length))).toBe(JSON.stringify(first));
    expect(summary(again.slice(first.length))).toEqual([
      `${d.lrn}:${EVENT_TYPES.rejected}:${again[first.length].value.causationId as string}`,
    ]);
    expect(
      (again[first.length].value.payload as RejectedPayload).reasons.map((r) => r.code),
    ).toEqual(['DUPLICATE_LRN_CONFLICT']);
    expect(lodgements.rows.size).toBe(1);
  });

  it('binds a submission to its signer: a border post lodges only at its own post', async () => {
    const { service, lodgements } = setup();
    const d = gen.next(21);
    const other = d.borderPost === 'NL-AMS-SCHIPHOL' ? 'NL-VNL-VENLO' : 'NL-AMS-SCHIPHOL';
    const at = (offset: number) => ({ topic: TOPICS.submitted, partition: 2, offset: `${offset}` });
    const inputs = [
      { input: submission(d), origin: at(1), signer: `bp-${other.toLowerCase()}` },
      { input: submission(gen.next(22)), origin: at(2), signer: 'svc-risk' },
      { input: submission(gen.next(23)), origin: at(3) },
    ];
    const outputs = await service.decideSubmissions(inputs);
    const rejections = outputs.filter((o) => o.topic === TOPICS.rejected);
    expect(rejections).toHaveLength(3);
    expect(outputs.filter((o) => o.topic === TOPICS.accepted)).toEqual([]);
    const [post, risk, none] = rejections.map((r) => (r.value.payload as RejectedPayload).reasons);
    expect(post).toEqual([
      {
        code: 'SIGNER_NOT_BORDER_POST',
        path: 'payload.declaration.borderPost',
        message: expect.stringContaining(
          `bp-${other.toLowerCase()}, which may lodge only at its own border post; this declaration is lodged at ${d.borderPost}`,
        ),
      },
    ]);
    expect(risk.map((r) => r.code)).toEqual(['SIGNER_NOT_ALLOWED']);
    expect(none.map((r) => r.code)).toEqual(['SIGNER_NOT_ALLOWED']);
    expect(lodgements.rows.size).toBe(0);
    // Its own post, or intake's HTTP path, lodges it.
    const own = await service.decideSubmissions([
      { input: submission(d), origin: at(4), signer: `bp-${d.borderPost.toLowerCase()}` },
      { input: submission(gen.next(24)), origin: at(5), signer: 'svc-intake' },
    ]);
    const accepted = own.filter((o) => o.topic === TOPICS.accepted);
    // The accountable submitter is recorded: the border post's principal, or intake's.
    expect(accepted.map((o) => (o.value.payload as AcceptedPayload).submittedBy)).toEqual([
      `bp-${d.borderPost.toLowerCase()}`,
      'svc-intake',
    ]);
  });
});

describe('submittedBy', () => {
  it('names the signing border post, or intake and the authenticated HTTP caller', () => {
    const d = gen.next(31);
    const http = firstEvent<SubmittedPayload>({
      type: EVENT_TYPES.submitted,
      schemaVersion: 1,
      lrn: d.lrn,
      producer: 'intake@1',
      payload: { declaration: d, channel: 'http', submittedBy: 'post.NL-VNL-VENLO' },
    });
    expect(submittedBy(http, 'svc-intake')).toBe('svc-intake:post.NL-VNL-VENLO');
    expect(submittedBy(submission(d), 'svc-intake')).toBe('svc-intake');
    // A border post cannot name someone else: its own key is the identity.
    expect(submittedBy(http, 'bp-nl-vnl-venlo')).toBe('bp-nl-vnl-venlo');
  });
});
