import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

/**
 * The README's main job, small: the built `customs demo` on the secured local stack (each
 * border post with its own identity and key, the checkpointer running), every declaration
 * decided, the broken one rejected with its reasons.
 */
jest.setTimeout(240_000);

it('runs the main job: every declaration decided, the broken one rejected', () => {
  const root = join(__dirname, '..');
  const run = spawnSync(
    process.execPath,
    [join(root, 'dist/apps/cli/src/main.js'), 'demo', '-n', '30', '--http', '5', '--seed', '7'],
    { cwd: root, encoding: 'utf8', timeout: 220_000 },
  );
  expect([run.status, run.stderr.slice(-2000)]).toEqual([0, expect.any(String)]);
  // 30 over the topic, 5 over HTTP, one broken: 36 outcomes.
  expect(run.stdout).toMatch(/Outcomes of 36 declarations \(5 over HTTP, 31 over the topic\)/);
  expect(run.stdout).toMatch(/\(rejected\)\s+0\s+0\s+1\s+1/);
  expect(run.stdout).toMatch(/INVALID_FORMAT at payload\.declaration\.invoiceCurrency/);
});
