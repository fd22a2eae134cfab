import { testKafka } from './test-kafka';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { DECLARATION_TOPICS, TOPICS } from '@customs/contracts';
import { OutcomeWatcher } from '@customs/simulation';
import { ServiceRunner, SERVICE_PORTS } from '@customs/stack';
import { asAdmin } from './auth-tokens';

/**
 * The real pipeline with the valuation service on a database of its own
 * (`customs_valuation_e2e`), so that the reference versions this suite imports never reach
 * the demo's valuation store. Everything else is as in production: built services, the
 * local broker and store, the CLI for imports and quotes.
 */
export const VALUATION_E2E_DB = 'customs_valuation_e2e';

const root = join(__dirname, '..', '..');

export class ValuationPipelineHarness {
  readonly kafka = testKafka('e2e-valuation');
  readonly runner = new ServiceRunner();
  readonly watcher = new OutcomeWatcher(this.kafka, [...DECLARATION_TOPICS, TOPICS.notifications]);
  readonly intakeUrl = `http://127.0.0.1:${SERVICE_PORTS.intake}`;

  async start(): Promise<void> {
    await Promise.all([
      this.runner.start('intake'),
      this.runner.start('risk'),
      this.runner.start('valuation', { env: { MONGO_DB: VALUATION_E2E_DB } }),
      this.runner.start('release'),
    ]);
    await this.watcher.start();
  }

  async stop(): Promise<void> {
    await this.watcher.stop().catch(() => undefined);
    await this.runner.stopAll();
  }

  async post(body: unknown): Promise<{ status: number; body: Record<string, unknown> }> {
    const res = await fetch(`${this.intakeUrl}/declarations`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...(await asAdmin()) },
      body: JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  }

  /** The built CLI against the suite's valuation database; async so the watcher keeps consuming. */
  cli(...args: string[]): Promise<{ status: number | null; stdout: string; stderr: string }> {
    return new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [join(root, 'dist/apps/cli/src/main.js'), ...args], {
        cwd: root,
        env: { ...process.env, MONGO_DB: VALUATION_E2E_DB },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      child.once('error', reject);
      child.once('close', (status) => resolve({ status, stdout, stderr }));
    });
  }
}
