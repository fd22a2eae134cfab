import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { applyPatch, parsePatches, PatchError } from './ferretdb-patches';

const patch = { file: 'm/a.go', from: 'x = 1', to: 'x = 2', why: 'test' };

describe('FerretDB source patches', () => {
  it('replaces the text when it occurs exactly once', () => {
    expect(applyPatch('a\nx = 1\nb', patch)).toBe('a\nx = 2\nb');
  });

  it('refuses a file where the text is missing (the upstream code changed)', () => {
    expect(() => applyPatch('x = 3', patch)).toThrow(PatchError);
    expect(() => applyPatch('x = 3', patch)).toThrow(/not found/);
  });

  it('refuses a file where the text is ambiguous', () => {
    expect(() => applyPatch('x = 1; x = 1', patch)).toThrow(/more than once/);
  });

  it('reads the shipped patch list, each with its reason', () => {
    const file = join(__dirname, '..', '..', '..', 'deploy', 'ferretdb', 'patches.json');
    const patches = parsePatches(readFileSync(file, 'utf8'));
    expect(patches.length).toBeGreaterThan(0);
    const id = patches.find((p) => p.file.endsWith('sqlite/metadata/metadata.go'));
    expect(id?.from).toBe(`IDColumn = DefaultColumn + "->'$._id'"`);
    expect(id?.to).toBe('IDColumn = DefaultColumn + "->\\"_id\\""');
  });

  it('names a malformed entry', () => {
    expect(() => parsePatches('{"patches":[{"file":"f","from":"","to":"t","why":"w"}]}')).toThrow(
      /patches\[0\]\.from/,
    );
  });
});
