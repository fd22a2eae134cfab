import { Injectable, Logger } from '@nestjs/common';
import { Nomenclature, NomenclatureEntry } from '@customs/domain';
import { ReferenceVersion, ReferenceVersionRepository } from '@customs/persistence';
import { ReferenceCatalog } from '@customs/platform';
import { loadSeedNomenclature } from '@customs/reference-data';
import { NOMENCLATURE_KIND, NomenclatureVersionContent } from './nomenclature-version.model';

/** One stored version, parsed once (its composition happens on first use). */
export interface NomenclatureVersionItem {
  version: string;
  /** Epoch milliseconds; the seed applies since ever. */
  effectiveFrom: number;
  /** Import instant (ISO); '' for the seed, which precedes every import. */
  importedAt: string;
  format: NomenclatureVersionContent['format'];
  entries: readonly NomenclatureEntry[];
  /** Set when the stored content is unusable: the version is skipped, never applied. */
  broken?: string;
}

function parseItem(v: ReferenceVersion<unknown>): NomenclatureVersionItem {
  const content = v.content as Partial<NomenclatureVersionContent> | null;
  const base = {
    version: v.version,
    effectiveFrom: Date.parse(v.effectiveFrom),
    importedAt: v.importedAt,
    format: content?.format ?? 'hs',
    entries: [],
  } as NomenclatureVersionItem;
  if (
    !content ||
    (content.format !== 'hs' && content.format !== 'national-extensions') ||
    !Array.isArray(content.entries) ||
    Number.isNaN(base.effectiveFrom)
  ) {
    return { ...base, broken: 'content is not {format: hs|national-extensions, entries: [...]}' };
  }
  return { ...base, format: content.format, entries: content.entries };
}

/** Later effectiveFrom wins; at equal effectiveFrom the later import does. */
const inForceOrder = (a: NomenclatureVersionItem, b: NomenclatureVersionItem) =>
  a.effectiveFrom - b.effectiveFrom || a.importedAt.localeCompare(b.importedAt);

/**
 * The nomenclature in force at an instant: the shipped seed plus every imported version
 * (ReferenceCatalog refreshes from the store every few seconds), the applicable one being
 * the latest effectiveFrom <= the lodgement instant. Built nomenclatures are cached.
 */
@Injectable()
export class NomenclatureCatalog {
  private readonly logger = new Logger(NomenclatureCatalog.name);
  private readonly seed = loadSeedNomenclature();
  private readonly catalog: ReferenceCatalog<NomenclatureVersionItem>;
  private readonly built = new Map<NomenclatureVersionItem, Nomenclature | null>();

  constructor(repository: ReferenceVersionRepository) {
    const seedItem: NomenclatureVersionItem = {
      version: this.seed.version,
      effectiveFrom: Number.NEGATIVE_INFINITY,
      importedAt: '',
      format: 'hs',
      entries: [],
    };
    this.built.set(seedItem, this.seed);
    this.catalog = new ReferenceCatalog(repository, NOMENCLATURE_KIND, [seedItem], parseItem);
  }

  /** The nomenclature in force at `instant` (ISO-8601). */
  async at(instant: string): Promise<Nomenclature> {
    const at = Date.parse(instant);
    if (Number.isNaN(at)) throw new Error(`'${instant}' is not an ISO-8601 instant`);
    const items = [...(await this.catalog.all())].sort(inForceOrder);
    return this.inForce(items, at, (i) => i) ?? this.seed;
  }

  private inForce(
    sorted: NomenclatureVersionItem[],
    at: number,
    considered: (items: NomenclatureVersionItem[]) => NomenclatureVersionItem[],
  ): Nomenclature | null {
    const candidates = considered(sorted).filter((i) => i.effectiveFrom <= at);
    for (let k = candidates.length - 1; k >= 0; k--) {
      const built = this.build(candidates[k], sorted);
      if (built) return built;
    }
    return null;
  }

  private build(
    item: NomenclatureVersionItem,
    sorted: NomenclatureVersionItem[],
  ): Nomenclature | null {
    if (this.built.has(item)) return this.built.get(item)!;
    let result: Nomenclature | null = null;
    try {
      if (item.broken) throw new Error(item.broken);
      if (item.format === 'hs') {
        result = new Nomenclature(item.version, item.entries);
      } else {
        const base =
          this.inForce(sorted, item.effectiveFrom, (all) =>
            all.filter((i) => i.format === 'hs' && i.importedAt < item.importedAt),
          ) ?? this.seed;
        const byCode = new Map(base.entries().map((e) => [e.code, e] as const));
        for (const e of item.entries) byCode.set(e.code, e);
        result = new Nomenclature(`${base.version}+${item.version}`, byCode.values());
      }
    } catch (error) {
      // A version that cannot be built is never applied: the one before it stays in force.
      this.logger.error(`nomenclature ${item.version} is unusable: ${(error as Error).message}`);
      result = null;
    }
    this.built.set(item, result);
    return result;
  }
}
