import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { assignMrn } from '@customs/domain';

const root = join(__dirname, '..');
const cli = (...args: string[]) =>
  spawnSync(process.execPath, [join(root, 'dist/apps/cli/src/main.js'), ...args], {
    cwd: root,
    encoding: 'utf8',
  });

describe('the customs CLI (built)', () => {
  it('checks MRNs, with JSON for machines and an exit code for scripts', () => {
    const mrn = assignMrn({
      year: 2026,
      country: 'NL',
      declarantId: 'NL1',
      lrn: 'X',
      declarationType: 'import',
    });
    const ok = cli('mrn', 'check', mrn, '--json');
    expect(ok.status).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({
      valid: true,
      expectedCheckDigit: Number(mrn[17]),
    });
    const wrong = `${mrn.slice(0, 17)}${(Number(mrn[17]) + 1) % 10}`;
    const bad = cli('mrn', 'check', wrong, '--json');
    expect(bad.status).toBe(2);
    expect(JSON.parse(bad.stdout)).toMatchObject({
      valid: false,
      expectedCheckDigit: Number(mrn[17]),
    });
  });

  it('quotes a declaration file offline, the same figures in text and JSON', () => {
    const json = cli(
      'quote',
      'examples/declaration.json',
      '--at',
      '2026-11-28T10:00:00Z',
      '--json',
    );
    expect(json.status).toBe(0);
    const result = JSON.parse(json.stdout) as {
      currency: string;
      totalToPay: string;
      items: unknown[];
    };
    expect(result.currency).toBe('EUR');
    expect(result.items).toHaveLength(2);
    const text = cli('quote', 'examples/declaration.json', '--at', '2026-11-28T10:00:00Z');
    expect(text.stdout).toContain(`Total to pay`);
    expect(text.stdout).toContain(result.totalToPay);
  });

  it('names the problem with a file that is not a valid declaration', () => {
    const r = cli('quote', 'package.json');
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/not a valid declaration/);
    expect(r.stderr).toMatch(/UNKNOWN_FIELD|REQUIRED/);
  });

  it('has help for every subcommand', () => {
    for (const args of [
      ['--help'],
      ['stack', '--help'],
      ['mrn', 'check', '--help'],
      ['quote', '--help'],
      ['demo', '--help'],
      ['accounts', '--help'],
      ['accounts', 'open', '--help'],
    ]) {
      const r = cli(...args);
      expect(r.status).toBe(0);
      expect(r.stdout).toMatch(/Usage:/);
    }
  });
});
