import { readdirSync } from 'node:fs';
import { ReferenceImporter } from './reference-importer.model';

/** Every `*.importer.js` beside this file (built from `*.importer.ts`). */
export function loadImporters(): Map<string, ReferenceImporter> {
  const importers = new Map<string, ReferenceImporter>();
  for (const file of readdirSync(__dirname).filter(
    (f) => /\.importer\.(js|ts)$/.test(f) && !f.endsWith('.d.ts'),
  )) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const mod = require(`./${file.replace(/\.(js|ts)$/, '')}`) as { importer?: ReferenceImporter };
    if (mod.importer) importers.set(mod.importer.kind, mod.importer);
  }
  return importers;
}
