import { testKafka } from './test-kafka';
import { Producer } from 'kafkajs';
import { DECLARATION_TOPICS, EventEnvelope, TOPICS } from '@customs/contracts';
import { loadSeedAccounts, seedDeclarableCodes } from '@customs/reference-data';
import { DeclarationGenerator, Outcome, OutcomeWatcher } from '@customs/simulation';
import { ServiceRunner, SERVICE_PORTS } from '@customs/stack';
import { publishSeedAccounts } from '../../apps/cli/src/accounts/accounts.publisher';

/**
 * The real pipeline for e2e tests: the four built services as processes, against the
 * broker and store that `customs stack up` started (no mocks), and a watcher of every
 * declaration topic from its current end.
 */
export class PipelineHarness {
  readonly kafka = testKafka('e2e');
  readonly runner = new ServiceRunner();
  readonly watcher = new OutcomeWatcher(this.kafka, [...DECLARATION_TOPICS, TOPICS.notifications]);
  readonly producer: Producer = this.kafka.producer({ idempotent: true });
  readonly intakeUrl = `http://127.0.0.1:${SERVICE_PORTS.intake}`;

  async start(): Promise<void> {
    await this.runner.startAll();
    // Release knows the seed accounts only once they are opened on the log (idempotent).
    await publishSeedAccounts(this.kafka);
    await this.producer.connect();
    await this.watcher.start();
  }

  async stop(): Promise<void> {
    await this.watcher.stop().catch(() => undefined);
    await this.producer.disconnect().catch(() => undefined);
    await this.runner.stopAll();
  }

  generator(seed: number, prefix: string): DeclarationGenerator {
    return new DeclarationGenerator({
      seed,
      commodityCodes: seedDeclarableCodes(new Date().toISOString().slice(0, 10)),
      lrnPrefix: `${prefix}${Date.now().toString(36).toUpperCase()}`,
      meanItems: 3,
      securedTraders: loadSeedAccounts().accounts.map((a) => ({
        holder: a.holder,
        accountId: a.id,
      })),
    });
  }

  events(lrn: string): Outcome[] {
    return this.watcher.outcomes.get(lrn) ?? [];
  }

  /** The declaration-chain events of an LRN (notifications are not links of the chain). */
  chain(lrn: string): EventEnvelope[] {
    return this.events(lrn)
      .filter((o) => o.topic !== TOPICS.notifications)
      .map((o) => o.event);
  }
}

export const reachedFinal = (outcomes: Outcome[]): boolean =>
  outcomes.some(
    (o) => o.topic === TOPICS.rejected || o.topic === TOPICS.held || o.topic === TOPICS.released,
  );
