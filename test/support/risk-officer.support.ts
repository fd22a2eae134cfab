import { SERVICE_PORTS } from '@customs/stack';
import { PipelineHarness } from './pipeline.harness';
import { asAdmin } from './auth-tokens';

/**
 * Database the risk service uses in the risk e2e spec: the rulesets it posts stay in force
 * for good (versions are immutable), so they are kept out of the default `customs_risk`
 * that the demo and the other specs judge by. Intake, valuation and release use their own
 * default databases; Kafka topics and consumer groups are the real shared ones.
 */
export const RISK_E2E_DB = 'customs_risk_e2e';

export const riskUrl = `http://127.0.0.1:${SERVICE_PORTS.risk}`;

/** The pipeline harness, with the risk service on its own database. */
export class RiskPipelineHarness extends PipelineHarness {
  override async start(): Promise<void> {
    await Promise.all([
      this.runner.start('intake'),
      this.runner.start('risk', { env: { MONGO_DB: RISK_E2E_DB } }),
      this.runner.start('valuation'),
      this.runner.start('release'),
    ]);
    await this.producer.connect();
    await this.watcher.start();
  }
}

export interface HttpAnswer<T = Record<string, unknown>> {
  status: number;
  body: T;
}

export async function httpJson<T = Record<string, unknown>>(
  url: string,
  body?: unknown,
): Promise<HttpAnswer<T>> {
  const res = await fetch(url, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      ...(await asAdmin()),
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as T };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
