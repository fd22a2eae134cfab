import { EVENT_TYPES, TOPICS } from '@customs/contracts';
import { Inject, Injectable, Logger, OnModuleInit } from '@nestjs/common';
import { ServiceConfig } from '@customs/config';
import { AUDIT_TOPIC_CONFIG } from '@customs/messaging';
import { KAFKA_ADMIN, SERVICE_CONFIG } from '@customs/platform';
import { Admin } from 'kafkajs';

/**
 * Amendment and invalidation requests that intake has checked, keyed by MRN, for release
 * (the holder of each declaration's chain tail) to apply. Not a link of any chain: each
 * record is self-contained (sequence 1, no previous hash), like payments and control
 * results, and is named as the cause of the chain link release appends for it.
 * Kept forever like the declaration topics. Until the contract lists it (TOPICS in
 * libs/contracts), intake creates it at start with the contract's partition count.
 */
export const AMENDMENTS_TOPIC = TOPICS.amendments;

export const AMENDMENT_EVENT_TYPES = {
  amendmentRequested: EVENT_TYPES.amendmentRequested,
  invalidationRequested: EVENT_TYPES.invalidationRequested,
  /** The chain links release appends (see amendment.service.ts). */
  amended: EVENT_TYPES.amended,
  invalidated: EVENT_TYPES.invalidated,
} as const;

@Injectable()
export class AmendmentsTopicProvisioner implements OnModuleInit {
  private readonly logger = new Logger(AmendmentsTopicProvisioner.name);

  constructor(
    @Inject(KAFKA_ADMIN) private readonly admin: Admin,
    @Inject(SERVICE_CONFIG) private readonly config: ServiceConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    if ((await this.admin.listTopics()).includes(AMENDMENTS_TOPIC)) return;
    try {
      await this.admin.createTopics({
        waitForLeaders: true,
        topics: [
          {
            topic: AMENDMENTS_TOPIC,
            numPartitions: this.config.KAFKA_PARTITIONS,
            replicationFactor: this.config.KAFKA_REPLICATION_FACTOR,
            configEntries: AUDIT_TOPIC_CONFIG,
          },
        ],
      });
      this.logger.log(`created ${AMENDMENTS_TOPIC}`);
    } catch (error) {
      // Another replica created it at the same moment: fine as long as it exists now.
      if (!(await this.admin.listTopics()).includes(AMENDMENTS_TOPIC)) throw error;
    }
  }
}
