import {
  Inject,
  Injectable,
  Logger,
  OnApplicationBootstrap,
  OnApplicationShutdown,
} from '@nestjs/common';
import { Admin, Kafka, Producer } from 'kafkajs';
import { CheckpointerConfig } from '@customs/config';
import { CHECKPOINTER_GROUP, CheckpointEvent, logIdOf, TOPICS } from '@customs/contracts';
import {
  AUDIT_TOPIC_NAMES,
  AUDITED_ROLES,
  checkpointHistories,
  CheckpointRecord,
  latestHeads,
  LogCheckpointer,
} from '@customs/domain';
import {
  createKafka,
  LogFollower,
  parseBrokers,
  RawRecord,
  readTopicToEnd,
  signedMessages,
} from '@customs/messaging';
import { producerName } from '@customs/platform';
import { CHECKPOINTER_CONFIG, HEAD_KEYS, HeadKeys } from './head-keys';

const PRODUCER = producerName('audit');

export interface CheckpointerStatus {
  phase: 'starting' | 'waiting for topics' | 'resuming' | 'following' | 'failed';
  detail: string;
  logs: number;
  headsPublished: number;
}

/**
 * Follows every audited partition and publishes a signed tree head per partition every
 * CHECKPOINT_EVERY_RECORDS records, or after CHECKPOINT_INTERVAL_SECONDS when it grew. It
 * keeps no store: on start it reads the checkpoints topic and resumes each partition from its
 * last head (frontier and last offset), so a restart continues the same trees and chains.
 */
@Injectable()
export class CheckpointerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('checkpointer');
  private readonly kafka: Kafka;
  private readonly logs = new Map<string, LogCheckpointer>();
  private readonly followed: string[];
  private readonly checkpointsTopic: string;
  private admin?: Admin;
  private producer?: Producer;
  private follower?: LogFollower;
  private timer?: NodeJS.Timeout;
  /** Heads are sent one after the other, so each log's chain lands in order. */
  private sending: Promise<void> = Promise.resolve();
  private stopping = false;
  readonly status: CheckpointerStatus = {
    phase: 'starting',
    detail: '',
    logs: 0,
    headsPublished: 0,
  };

  constructor(
    @Inject(CHECKPOINTER_CONFIG) private readonly config: CheckpointerConfig,
    @Inject(HEAD_KEYS) private readonly keys: HeadKeys,
  ) {
    const prefix = config.CHECKPOINT_TOPIC_PREFIX;
    this.kafka = createKafka(`audit-${config.REPLICA_ID}`, parseBrokers(config.KAFKA_BROKERS));
    this.followed = AUDITED_ROLES.map((role) => `${prefix}${AUDIT_TOPIC_NAMES[role]}`);
    this.checkpointsTopic = `${prefix}${TOPICS.checkpoints}`;
  }

  onApplicationBootstrap(): void {
    // In the background: /health/live answers while the checkpoints topic is read.
    void this.start().catch((error: Error) => {
      this.status.phase = 'failed';
      this.status.detail = error.message;
      // Like a service that cannot start: exit, and let the supervisor start it again.
      this.logger.error(`checkpointer could not start: ${error.message}; exiting`);
      process.exit(1);
    });
  }

  private async start(): Promise<void> {
    const admin = this.kafka.admin();
    this.admin = admin;
    await admin.connect();
    // Topics are the administration's (stack up, KafkaTopic resources; a scratch copy's
    // checkpoints topic by whoever made the copy): the checkpointer may not create any.
    await this.waitForTopics(admin);
    if (this.stopping) return;

    this.status.phase = 'resuming';
    const records: CheckpointRecord[] = [];
    await readTopicToEnd(
      this.kafka,
      this.checkpointsTopic,
      (r) => records.push({ partition: r.partition, offset: r.offset, value: r.value }),
      // Its own groups only (svc-audit's ACLs).
      { groupPrefix: CHECKPOINTER_GROUP },
    );
    const histories = checkpointHistories(records, this.keys.verifier);
    for (const p of histories.problems)
      this.logger.warn(
        `checkpoints topic partition ${p.partition} offset ${p.offset}${p.logId ? ` (${p.logId})` : ''}: ${p.message}`,
      );
    for (const [logId, last] of latestHeads(histories))
      if (last) this.logs.set(logId, LogCheckpointer.resume(last));
    this.status.logs = this.logs.size;
    this.logger.log(
      `resumed ${this.logs.size} partitions from ${records.length} checkpoint records`,
    );

    this.producer = this.kafka.producer({
      idempotent: true,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: false,
    });
    await this.producer.connect();
    this.follower = new LogFollower(this.kafka, {
      topics: this.followed,
      // Offsets live in the published heads, not in the group: one group per run.
      groupId: `${CHECKPOINTER_GROUP}-${this.config.REPLICA_ID}-${Date.now()}`,
      startOffset: (topic, partition) => this.logs.get(logIdOf(topic, partition))?.nextOffset,
      onRecords: (topic, partition, batch) => this.onRecords(topic, partition, batch),
    });
    await this.follower.start();
    this.timer = setInterval(() => this.cutDue(), 1000);
    this.status.phase = 'following';
    this.status.detail = `${this.followed.length} topics`;
  }

  private async waitForTopics(admin: Admin): Promise<void> {
    for (;;) {
      const existing = new Set(await admin.listTopics());
      const missing = [...this.followed, this.checkpointsTopic].filter((t) => !existing.has(t));
      if (missing.length === 0 || this.stopping) return;
      this.status.phase = 'waiting for topics';
      this.status.detail = `missing: ${missing.join(', ')}`;
      await new Promise((r) => setTimeout(r, 2000));
    }
  }

  private async onRecords(topic: string, partition: number, batch: RawRecord[]): Promise<void> {
    const logId = logIdOf(topic, partition);
    let log = this.logs.get(logId);
    if (!log) {
      log = LogCheckpointer.fresh(logId, Date.now());
      this.logs.set(logId, log);
      this.status.logs = this.logs.size;
    }
    const policy = this.policy();
    for (const record of batch) {
      if (log.add(record) && log.pending >= policy.everyRecords) this.cut(log);
    }
    // Back-pressure: the next batch waits until the heads cut so far are acknowledged.
    await this.sending;
  }

  private policy() {
    return {
      everyRecords: this.config.CHECKPOINT_EVERY_RECORDS,
      intervalMs: this.config.CHECKPOINT_INTERVAL_SECONDS * 1000,
    };
  }

  private cutDue(): void {
    const now = Date.now();
    const policy = this.policy();
    for (const log of this.logs.values()) if (log.due(now, policy)) this.cut(log);
  }

  /** Cuts the head now (state and chain advance at once) and queues it for sending. */
  private cut(log: LogCheckpointer): void {
    const event = log.cut(new Date(), this.keys.signer, PRODUCER);
    this.sending = this.sending.then(() => this.send(event));
  }

  private async send(event: CheckpointEvent): Promise<void> {
    try {
      await this.producer!.send({
        topic: this.checkpointsTopic,
        acks: -1,
        messages: signedMessages(
          TOPICS.checkpoints,
          [
            {
              key: event.lrn,
              value: JSON.stringify(event),
              headers: { 'content-type': 'application/json' },
            },
          ],
          this.keys.recordSigner,
        ),
      });
      this.status.headsPublished++;
    } catch (error) {
      // The in-memory chain is already past this head: going on would publish a chain with a
      // hole. Stop; the restart resumes from what the topic really holds.
      this.logger.error(
        `could not publish the head of ${event.lrn} at tree size ${event.payload.treeSize}: ${(error as Error).message}; exiting`,
      );
      process.exit(1);
    }
  }

  health(): { ready: boolean; status: CheckpointerStatus; consumer: string } {
    const h = this.follower?.health() ?? { consuming: false, detail: this.status.phase };
    return {
      ready: this.status.phase === 'following' && h.consuming,
      status: this.status,
      consumer: h.detail,
    };
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    await this.follower?.stop();
    // Heads already cut are sent: they are in the chain the next start resumes.
    await this.sending.catch(() => undefined);
    await this.producer?.disconnect().catch(() => undefined);
    await this.admin?.disconnect().catch(() => undefined);
  }
}
