import { EventEnvelope } from '@customs/contracts';
import { OutgoingRecord } from '@customs/messaging';
import { ProcessedEventRepository } from '@customs/persistence';

/**
 * Runs a decision at most once per input event: a redelivered input gets back the records
 * stored the first time (same ids, same hashes), so a crash between the store write and
 * the Kafka commit never yields a second, different decision.
 */
export async function processOnce(
  processed: ProcessedEventRepository,
  inputId: string,
  decide: () => Promise<OutgoingRecord[]> | OutgoingRecord[],
): Promise<OutgoingRecord[]> {
  const already = await processed.find(inputId);
  if (already) return already;
  const outputs = await decide();
  const mrn = outputs.find((o) => o.value.mrn)?.value.mrn ?? null;
  if (await processed.record(inputId, mrn, outputs)) return outputs;
  return (await processed.find(inputId)) ?? outputs;
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
