import { OutgoingRecord } from '@customs/messaging';
import { ProcessedEventRepository, ProcessedInput } from './processed-event.repository';

/**
 * The repository contract in memory, for unit specs of the code that uses it (the Mongo
 * implementation is exercised by the e2e suites). `calls` counts the calls, each of which is
 * one round trip in Mongo.
 */
export class MemoryProcessedEventRepository extends ProcessedEventRepository {
  readonly rows = new Map<string, ProcessedInput>();
  calls = 0;

  async find(id: string): Promise<ProcessedInput | null> {
    this.calls++;
    return this.rows.get(id) ?? null;
  }

  async record(
    id: string,
    _mrn: string | null,
    outputs: OutgoingRecord[],
    source: string | null = null,
  ): Promise<boolean> {
    this.calls++;
    return this.insert(id, outputs, source);
  }

  async findByMrn(): Promise<OutgoingRecord[]> {
    return [];
  }

  async findMany(ids: string[]): Promise<Map<string, ProcessedInput>> {
    this.calls++;
    return new Map([...this.rows].filter(([id]) => ids.includes(id)));
  }

  async recordMany(
    rows: {
      eventId: string;
      mrn: string | null;
      outputs: OutgoingRecord[];
      source: string | null;
    }[],
  ): Promise<Set<string>> {
    this.calls++;
    const lost = new Set<string>();
    for (const r of rows) if (!this.insert(r.eventId, r.outputs, r.source)) lost.add(r.eventId);
    return lost;
  }

  private insert(id: string, outputs: OutgoingRecord[], source: string | null): boolean {
    if (this.rows.has(id)) return false;
    this.rows.set(id, { outputs, source });
    return true;
  }
}
