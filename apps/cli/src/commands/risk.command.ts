import { Command } from 'commander';
import { cliAuthorization } from './token.command';
import Decimal from 'decimal.js';

interface LaneRate {
  minRate: string;
  expectedRate: string;
}

interface RulesetStatistics {
  rulesetVersion: string;
  effectiveFrom: string | null;
  total: number;
  byLane: Record<string, number>;
  rates: Record<string, string>;
  hitsByRule: Record<string, number>;
  notSelectedByRule: Record<string, number>;
  configured: Record<string, LaneRate> | null;
}

interface RulesetList {
  inForce: string | null;
  versions: {
    version: string;
    effectiveFrom: string;
    importedAt: string | null;
    source: string;
    rules: number;
  }[];
}

const LANES = ['red', 'yellow', 'blue', 'green'] as const;

function riskUrl(): string {
  return (process.env.RISK_URL ?? 'http://127.0.0.1:3001').replace(/\/+$/, '');
}

/** GET against the risk service's officer API; errors name the URL and the service's message. */
async function getJson<T>(path: string): Promise<T> {
  const url = `${riskUrl()}${path}`;
  let res: Response;
  try {
    res = await fetch(url, {
      headers: await cliAuthorization({ sub: 'customs-cli', roles: ['auditor'] }),
    });
  } catch (error) {
    throw new Error(
      `cannot reach the risk service at ${riskUrl()} (${(error as Error).message}); is it running? set RISK_URL`,
    );
  }
  const body = (await res.json().catch(() => null)) as { message?: unknown } | null;
  if (!res.ok) {
    const message = Array.isArray(body?.message) ? body.message.join('; ') : body?.message;
    throw new Error(`${url}: HTTP ${res.status}${message ? `: ${String(message)}` : ''}`);
  }
  return body as T;
}

const percent = (rate: string | undefined): string =>
  rate === undefined ? '-' : `${new Decimal(rate).times(100).toFixed(2)}%`;

function formatStatistics(s: RulesetStatistics): string {
  const lines = [
    `ruleset ${s.rulesetVersion}${s.effectiveFrom ? ` (effective ${s.effectiveFrom})` : ''}: ${s.total} declaration(s)`,
    `  ${'lane'.padEnd(8)}${'count'.padStart(9)}${'rate'.padStart(10)}${'expected'.padStart(10)}${'minimum'.padStart(10)}`,
  ];
  for (const lane of LANES) {
    const configured = s.configured?.[lane];
    lines.push(
      `  ${lane.padEnd(8)}${String(s.byLane[lane] ?? 0).padStart(9)}${percent(s.rates[lane]).padStart(10)}` +
        `${percent(configured?.expectedRate).padStart(10)}${percent(configured?.minRate).padStart(10)}`,
    );
  }
  const rules = Object.entries(s.hitsByRule);
  lines.push(rules.length ? '  hits per rule (not selected by hit limit):' : '  no rule hits');
  const width = Math.max(8, ...rules.map(([id]) => id.length));
  for (const [id, n] of rules) {
    const ns = s.notSelectedByRule[id];
    lines.push(
      `    ${id.padEnd(width)} ${String(n).padStart(8)}${ns ? `  (${ns} not selected)` : ''}`,
    );
  }
  return lines.join('\n');
}

/**
 * `customs risk ...`: the risk service's officer API from the command line. It calls the
 * service over HTTP (RISK_URL, default http://127.0.0.1:3001) rather than reading its
 * database: the figures come from the one implementation officers also use, and an
 * operator needs no database credentials, only the API.
 */
export function registerRiskCommand(program: Command): void {
  const risk = program
    .command('risk')
    .description(
      'selectivity: statistics by ruleset version and rulesets (risk service API at RISK_URL, default http://127.0.0.1:3001)',
    );
  risk
    .command('stats')
    .description('lane distribution and hits per rule by ruleset version, for tuning')
    .option('--ruleset <version>', 'one ruleset version (default: every version with decisions)')
    .option('--json', 'machine-readable output (the API answer)')
    .action(async (opts: { ruleset?: string; json?: boolean }) => {
      const stats = opts.ruleset
        ? [
            await getJson<RulesetStatistics>(
              `/statistics?rulesetVersion=${encodeURIComponent(opts.ruleset)}`,
            ),
          ]
        : (await getJson<{ versions: RulesetStatistics[] }>('/statistics')).versions;
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(opts.ruleset ? stats[0] : { versions: stats })}\n`);
        return;
      }
      if (stats.length === 0) process.stdout.write('no risk decisions yet\n');
      else process.stdout.write(`${stats.map(formatStatistics).join('\n\n')}\n`);
    });
  risk
    .command('rulesets')
    .description('ruleset versions with their effective dates, and the one in force now')
    .option('--json', 'machine-readable output (the API answer)')
    .action(async (opts: { json?: boolean }) => {
      const list = await getJson<RulesetList>('/rulesets');
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(list)}\n`);
        return;
      }
      const width = Math.max(8, ...list.versions.map((v) => v.version.length));
      for (const v of list.versions) {
        process.stdout.write(
          `${v.version === list.inForce ? '*' : ' '} ${v.version.padEnd(width)}  effective ${v.effectiveFrom}  ` +
            `${String(v.rules).padStart(3)} rule(s)  ${v.source}\n`,
        );
      }
      process.stdout.write(`(* in force now: ${list.inForce ?? 'none'})\n`);
    });
}
