import { EventEnvelope } from '@customs/contracts';
import { KafkaRecordMeta } from './kafka-event.context';
import { MalformedRecord } from './outgoing-record';

/**
 * What a batch handler (`@EventPattern(topic, { batch: true })`) receives: a chunk of parsed
 * envelopes of one partition, in order, each with where it was read.
 */
export interface BatchItem {
  envelope: EventEnvelope;
  record: KafkaRecordMeta;
}

/**
 * What a batch handler that asks for malformed records (`{ batch: true, malformed: 'deliver' }`)
 * receives in their place, in order among the others (intake answers them with a rejection).
 */
export interface MalformedBatchItem {
  malformed: MalformedRecord;
  record: KafkaRecordMeta;
}
