import { readFileSync, writeFileSync, chmodSync } from 'node:fs';
import { join } from 'node:path';

export interface SourcePatch {
  /** Path of the file inside the vendor directory (module path + file). */
  file: string;
  from: string;
  to: string;
  why: string;
}

export class PatchError extends Error {}

export function parsePatches(json: string): SourcePatch[] {
  const doc = JSON.parse(json) as { patches?: unknown };
  if (!Array.isArray(doc.patches)) throw new PatchError('patches.json: "patches" must be a list');
  return doc.patches.map((p: Record<string, unknown>, i) => {
    for (const k of ['file', 'from', 'to', 'why'])
      if (typeof p[k] !== 'string' || p[k] === '')
        throw new PatchError(`patches.json: patches[${i}].${k} must be a non-empty string`);
    return p as unknown as SourcePatch;
  });
}

/**
 * Replaces `from` by `to` in `source`; `from` must occur exactly once, so that a FerretDB
 * upgrade that moves or changes the patched code stops the build instead of silently
 * building an unpatched store.
 */
export function applyPatch(source: string, patch: SourcePatch): string {
  const first = source.indexOf(patch.from);
  if (first < 0) throw new PatchError(`${patch.file}: text to patch not found: ${patch.from}`);
  if (source.indexOf(patch.from, first + 1) >= 0)
    throw new PatchError(`${patch.file}: text to patch occurs more than once: ${patch.from}`);
  return source.slice(0, first) + patch.to + source.slice(first + patch.from.length);
}

/** Applies every patch to the files of a `go mod vendor` directory. */
export function patchVendorTree(vendorDir: string, patches: SourcePatch[]): void {
  for (const patch of patches) {
    const path = join(vendorDir, patch.file);
    const patched = applyPatch(readFileSync(path, 'utf8'), patch);
    chmodSync(path, 0o644); // vendored copies keep the module cache's read-only mode
    writeFileSync(path, patched);
  }
}
