import { formatChaosReport, runChaos } from '../apps/cli/src/chaos/chaos.runner';

jest.setTimeout(300_000);

/**
 * A small chaos run in CI (docs/chaos.md): 100 declarations while two services are killed
 * with SIGKILL and restarted, and the broker and the store are restarted once each.
 */
describe('chaos: exactly one decision per stage across crashes and restarts', () => {
  it('decides every declaration once per stage with intact chains and no duplicates', async () => {
    const lines: string[] = [];
    const report = await runChaos({
      count: 100,
      seed: 11,
      kills: 2,
      rate: 10,
      restartBroker: true,
      restartStore: true,
      settleTimeoutS: 120,
      brokers: process.env.KAFKA_BROKERS ?? '127.0.0.1:9092',
      log: (l) => lines.push(l),
    });
    console.log(formatChaosReport(report));
    const f = report.figures;
    expect(report.kills).toBe(2);
    expect(report.brokerRestarts).toHaveLength(1);
    expect(report.storeRestarts).toHaveLength(1);
    expect(f.problems).toEqual([]);
    expect(f.complete).toBe(100);
    expect(f.decisions.accepted + f.decisions.rejected).toBe(100);
    expect(f.decisions.riskAssessed).toBe(f.decisions.accepted);
    expect(f.decisions.valued).toBe(f.decisions.accepted);
    expect(f.duplicateRecords + f.duplicateNotifications + f.chainBreaks).toBe(0);
    expect(f.deadLettered).toBe(0);
    expect(report.ok).toBe(true);
    // Graceful shutdown: every service left on SIGTERM, none needed SIGKILL.
    expect(report.shutdown.filter((s) => s.forced)).toEqual([]);
  });
});
