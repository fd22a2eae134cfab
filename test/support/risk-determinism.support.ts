import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Declaration } from '@customs/contracts';

/** What every process assesses: the same declarations, ruleset JSON and registry JSON. */
export interface AssessmentBatch {
  ruleset: unknown;
  registry: unknown;
  cases: { declaration: Declaration; mrn: string; acceptedAt: string }[];
}

const root = join(__dirname, '..', '..');

// Runs in a fresh Node process against the built dist/ (no ts-jest, no shared module state).
// REVERSE assesses in the opposite order, so per-ruleset caches are filled differently.
const CHILD = `
const { readFileSync } = require('node:fs');
const domain = require(process.env.DIST_DOMAIN);
const batch = JSON.parse(readFileSync(process.env.BATCH_FILE, 'utf8'));
const ruleset = domain.parseRuleset(batch.ruleset);
const registry = domain.parseTraderRegistry(batch.registry);
const order = batch.cases.map((_, i) => i);
if (process.env.REVERSE === '1') order.reverse();
const results = new Array(batch.cases.length);
for (const i of order) results[i] = domain.assessRisk(batch.cases[i], ruleset, registry);
process.stdout.write(JSON.stringify(results));
`;

/** JSON text of the results computed in a separate Node process; env varies the process. */
export function assessInChildProcess(
  batch: AssessmentBatch,
  env: Record<string, string> = {},
): string {
  const dir = mkdtempSync(join(tmpdir(), 'risk-determinism-'));
  const file = join(dir, 'batch.json');
  writeFileSync(file, JSON.stringify(batch));
  const r = spawnSync(process.execPath, ['-e', CHILD], {
    cwd: root,
    encoding: 'utf8',
    maxBuffer: 256 * 1024 * 1024,
    env: {
      ...process.env,
      ...env,
      BATCH_FILE: file,
      DIST_DOMAIN: join(root, 'dist', 'libs', 'domain', 'src', 'index.js'),
    },
  });
  if (r.status !== 0) throw new Error(`child process failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}
