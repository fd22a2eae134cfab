import { parseTraderRegistry } from '@customs/domain';
import { ReferenceImporter } from './reference-importer.model';
import {
  applyOverrides,
  describeProblems,
  readRiskDocument,
  requireFutureEffectiveFrom,
} from './risk-rules.importer';

export const importer: ReferenceImporter = {
  kind: 'trader-registry',
  service: 'risk',
  description: 'the trader registry (JSON or YAML): AEO status, compliance records, watchlist',
  parse(text, file, options) {
    const content = applyOverrides(readRiskDocument(text, file), options);
    let registry;
    try {
      registry = parseTraderRegistry(content);
    } catch (error) {
      throw describeProblems(file, error);
    }
    requireFutureEffectiveFrom(file, registry.effectiveFrom);
    const aeos = registry.traders.filter((t) => t.aeo !== null).length;
    return {
      version: registry.version,
      effectiveFrom: registry.effectiveFrom,
      content,
      summary: `${registry.traders.length} trader(s) (${aeos} AEO), ${registry.watchlist.length} watchlisted`,
    };
  },
};
