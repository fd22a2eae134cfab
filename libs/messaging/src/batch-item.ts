import { EventEnvelope } from '@customs/contracts';
import { KafkaRecordMeta } from './kafka-event.context';

/**
 * What a batch handler (`@EventPattern(topic, { batch: true })`) receives: a chunk of parsed
 * envelopes of one partition, in order, each with where it was read.
 */
export interface BatchItem {
  envelope: EventEnvelope;
  record: KafkaRecordMeta;
}
