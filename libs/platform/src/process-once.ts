import { EventEnvelope } from '@customs/contracts';
import { KafkaRecordMeta, OutgoingRecord } from '@customs/messaging';
import { ProcessedEventRepository } from '@customs/persistence';

/** Where a record was read: its identity in the log. */
export function sourceOf(record: Pick<KafkaRecordMeta, 'topic' | 'partition' | 'offset'>): string {
  return `${record.topic}:${record.partition}:${record.offset}`;
}

/**
 * Runs a decision at most once per input event. The same record read again (a crash between
 * the store write and the Kafka commit, a rebalance) gets back the records stored the first
 * time: same ids, same hashes, and the transaction that failed never showed them. A second
 * copy of the input at another offset (a client's retry, an upstream redelivery) gets
 * nothing: its outputs are already on the log, and publishing them again would put exact
 * duplicates into the audit log.
 */
export async function processOnce(
  processed: ProcessedEventRepository,
  inputId: string,
  decide: () => Promise<OutgoingRecord[]> | OutgoingRecord[],
  source: string | null = null,
): Promise<OutgoingRecord[]> {
  const already = await processed.find(inputId);
  if (already) return replay(already, source);
  const outputs = await decide();
  const mrn = outputs.find((o) => o.value.mrn)?.value.mrn ?? null;
  if (await processed.record(inputId, mrn, outputs, source)) return outputs;
  const winner = await processed.find(inputId);
  return winner ? replay(winner, source) : outputs;
}

function replay(
  stored: { outputs: OutgoingRecord[]; source: string | null },
  source: string | null,
): OutgoingRecord[] {
  return stored.source === null || source === null || stored.source === source
    ? stored.outputs
    : [];
}

export interface OnceItem {
  inputId: string;
  source: string | null;
}

/**
 * processOnce for a chunk: one bulk lookup, one decision call for the inputs not seen
 * before, one bulk insert. Same guarantees per input as processOnce.
 */
export async function processBatchOnce<T extends OnceItem>(
  processed: ProcessedEventRepository,
  items: readonly T[],
  decide: (fresh: T[]) => Promise<Map<string, OutgoingRecord[]>> | Map<string, OutgoingRecord[]>,
): Promise<OutgoingRecord[]> {
  const known = await processed.findMany(items.map((i) => i.inputId));
  const seen = new Set<string>();
  const fresh = items.filter(
    (i) => !known.has(i.inputId) && !seen.has(i.inputId) && seen.add(i.inputId),
  );
  const decided = fresh.length > 0 ? await decide(fresh) : new Map<string, OutgoingRecord[]>();
  const lost = await processed.recordMany(
    fresh.map((i) => {
      const outputs = decided.get(i.inputId) ?? [];
      return {
        eventId: i.inputId,
        mrn: outputs.find((o) => o.value.mrn)?.value.mrn ?? null,
        outputs,
        source: i.source,
      };
    }),
  );
  const winners = lost.size > 0 ? await processed.findMany([...lost]) : new Map();
  const result: OutgoingRecord[] = [];
  const emitted = new Set<string>();
  for (const i of items) {
    // An input twice in one chunk: the second copy is a re-send and yields nothing.
    if (emitted.has(i.inputId)) continue;
    emitted.add(i.inputId);
    const stored = known.get(i.inputId) ?? winners.get(i.inputId);
    result.push(...(stored ? replay(stored, i.source) : (decided.get(i.inputId) ?? [])));
  }
  return result;
}

/** Readers accept the schema versions they know and refuse the others by name. */
export function requireVersion(event: EventEnvelope, type: string, known: readonly number[]): void {
  if (event.type !== type) {
    throw Object.assign(new Error(`expected ${type}, got ${event.type}`), {
      retryable: false,
      code: 'UNEXPECTED_EVENT_TYPE',
    });
  }
  if (!known.includes(event.schemaVersion)) {
    throw Object.assign(
      new Error(
        `${type} schemaVersion ${event.schemaVersion} is not supported; known: ${known.join(', ')}`,
      ),
      {
        retryable: false,
        code: 'UNSUPPORTED_SCHEMA_VERSION',
      },
    );
  }
}
