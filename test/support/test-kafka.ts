import { Kafka } from 'kafkajs';
import { BROKER_SUPER_USER } from '@customs/contracts';
import { localKafka } from '@customs/stack';

/**
 * The tests' own Kafka client. The services under test run as their least-privilege
 * principals on the secured broker; the tests themselves create scratch topics, read group
 * offsets and watch every topic, which is the broker administrator's work, so they connect
 * as its super user. test/trust.e2e-spec.ts connects as each principal to show the ACLs.
 */
export function testKafka(clientId: string): Kafka {
  return localKafka(BROKER_SUPER_USER, { clientId });
}
