import { Kafka } from 'kafkajs';
import { OutcomeWatcher } from '@customs/simulation';

/** Intake's amendment/invalidation request topic (apps/intake/src/amendment/amendment.topic.ts). */
export const AMENDMENTS_TOPIC = 'customs.declarations.amendments.v1';

/** Follows the request topic from its current end (intake creates it at start). */
export function amendmentsWatcher(kafka: Kafka): OutcomeWatcher {
  return new OutcomeWatcher(kafka, [AMENDMENTS_TOPIC]);
}
