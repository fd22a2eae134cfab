import { Connection } from 'mongoose';
import { ValuedPayload } from '@customs/contracts';
import { Nomenclature, Ruleset, TraderRegistry, ValuationReferenceData } from '@customs/domain';
import { connectStore, MongoReferenceVersionRepository } from '@customs/persistence';
import {
  loadSeedNomenclature,
  loadSeedRuleset,
  loadSeedTraderRegistry,
  loadSeedValuationReferenceData,
} from '@customs/reference-data';
import { NomenclatureCatalog } from '../../../intake/src/reference/nomenclature.catalog';
import { RiskReferenceService } from '../../../risk/src/reference/risk-reference.service';
import { ValuationReferenceResolver } from '../../../valuation/src/reference/valuation-reference.resolver';

export type ValuationVersions = ValuedPayload['valuation']['versions'];
export type ReferenceKind = 'nomenclature' | 'ruleset' | 'traders' | 'valuation';

/** The versions a replay needs, gathered from the log before it re-derives anything. */
export interface ReferenceNeeds {
  /** Recorded nomenclature version and the lodgement instant it was chosen for. */
  nomenclature: { version: string; lodgedAt: string }[];
  rulesets: Set<string>;
  traders: Set<string>;
  valuation: ValuationVersions[];
}

/**
 * Versioned reference data a replay rebuilds by the version an event records. Lookups are
 * synchronous (the replay is pure); a source backed by the store loads what the log names
 * in `prepare` first. `null`: unknown version; `missing` then says where it was looked for.
 */
export interface ReferenceSource {
  nomenclature(version: string): Nomenclature | null;
  ruleset(version: string): Ruleset | null;
  traders(version: string): TraderRegistry | null;
  valuation(versions: ValuationVersions): ValuationReferenceData | null;
  missing(kind: ReferenceKind, version: string): string;
  prepare?(needs: ReferenceNeeds): Promise<void>;
  close?(): Promise<void>;
}

const SEED_VALUATION_VERSIONS = (): Record<string, string | undefined> => {
  const seed = loadSeedValuationReferenceData();
  return {
    tariff: seed.tariff?.version,
    exchangeRates: seed.exchangeRates?.version,
    referencePrices: seed.referencePrices?.version,
    preferences: seed.preferences?.version,
    vat: seed.vat?.version,
    excise: seed.excise?.version,
  };
};

/** The shipped seeds only (no store): any other version is NOT_REDERIVABLE, named. */
export const SEED_REFERENCE: ReferenceSource = {
  nomenclature: (v) => (loadSeedNomenclature().version === v ? loadSeedNomenclature() : null),
  ruleset: (v) => (loadSeedRuleset().version === v ? loadSeedRuleset() : null),
  traders: (v) => (loadSeedTraderRegistry().version === v ? loadSeedTraderRegistry() : null),
  valuation: (versions) => {
    const seed = SEED_VALUATION_VERSIONS();
    const all = Object.entries(versions).every(([k, v]) => v === undefined || seed[k] === v);
    return all ? loadSeedValuationReferenceData() : null;
  },
  missing: (kind, version) => `${kind} version ${version} is not the seed's (seeds only)`,
};

/** Which database keeps each kind (DESIGN: one database per service). */
export interface ReferenceDatabases {
  intake: string;
  risk: string;
  valuation: string;
}

export const DEFAULT_REFERENCE_DATABASES: ReferenceDatabases = {
  intake: 'customs_intake',
  risk: 'customs_risk',
  valuation: 'customs_valuation',
};

/**
 * The seeds plus every version the services keep in their `reference_versions` collections,
 * loaded the way each service loads them (intake's NomenclatureCatalog, risk's
 * RiskReferenceService, valuation's ValuationReferenceResolver): read-only.
 */
export class StoredReferenceSource implements ReferenceSource {
  private readonly nomenclatures = new Map<string, Nomenclature>();
  private readonly rulesets = new Map<string, Ruleset>();
  private readonly registries = new Map<string, TraderRegistry>();
  private readonly valuations = new Map<string, ValuationReferenceData | null>();

  private constructor(
    private readonly connections: Connection[],
    private readonly dbs: ReferenceDatabases,
    private readonly intake: NomenclatureCatalog,
    private readonly risk: RiskReferenceService,
    private readonly valuationResolver: ValuationReferenceResolver,
  ) {}

  static async open(url: string, dbs: ReferenceDatabases): Promise<StoredReferenceSource> {
    const connections: Connection[] = [];
    try {
      for (const db of [dbs.intake, dbs.risk, dbs.valuation])
        connections.push(await connectStore(url, db));
    } catch (error) {
      await Promise.all(connections.map((c) => c.close().catch(() => undefined)));
      throw new Error(
        `cannot read the reference versions at ${url}: ${(error as Error).message} (use --seeds-only to replay with the shipped seeds alone)`,
      );
    }
    const [i, r, v] = connections.map((c) => new MongoReferenceVersionRepository(c));
    return new StoredReferenceSource(
      connections,
      dbs,
      new NomenclatureCatalog(i),
      new RiskReferenceService(r),
      new ValuationReferenceResolver(v, { refreshMs: 60_000 }),
    );
  }

  async prepare(needs: ReferenceNeeds): Promise<void> {
    // Nomenclature: the version in force at the lodgement instant is what intake chose; when
    // the recorded one is another (imported later with an earlier effective date), every
    // version in force at some effective date is tried.
    const wanted = new Set(needs.nomenclature.map((n) => n.version));
    for (const n of needs.nomenclature) {
      if (this.nomenclatures.has(n.version)) continue;
      const at = await this.intake.at(n.lodgedAt).catch(() => null);
      if (at) this.nomenclatures.set(at.version, at);
    }
    if ([...wanted].some((v) => !this.nomenclatures.has(v))) {
      const repo = new MongoReferenceVersionRepository(this.connections[0]);
      for (const stored of await repo.list('nomenclature')) {
        const at = await this.intake.at(stored.effectiveFrom).catch(() => null);
        if (at && !this.nomenclatures.has(at.version)) this.nomenclatures.set(at.version, at);
      }
    }
    const seed = loadSeedNomenclature();
    if (!this.nomenclatures.has(seed.version)) this.nomenclatures.set(seed.version, seed);

    for (const r of await this.risk.rulesetCatalog.all()) this.rulesets.set(r.version, r);
    for (const t of await this.risk.registryCatalog.all()) this.registries.set(t.version, t);

    for (const versions of needs.valuation) {
      const key = JSON.stringify(versions);
      if (this.valuations.has(key)) continue;
      this.valuations.set(key, (await this.valuationResolver.forVersions(versions)) ?? null);
    }
  }

  nomenclature(version: string): Nomenclature | null {
    return this.nomenclatures.get(version) ?? null;
  }

  ruleset(version: string): Ruleset | null {
    return this.rulesets.get(version) ?? null;
  }

  traders(version: string): TraderRegistry | null {
    return this.registries.get(version) ?? null;
  }

  valuation(versions: ValuationVersions): ValuationReferenceData | null {
    return this.valuations.get(JSON.stringify(versions)) ?? null;
  }

  missing(kind: ReferenceKind, version: string): string {
    const db =
      kind === 'nomenclature'
        ? this.dbs.intake
        : kind === 'valuation'
          ? this.dbs.valuation
          : this.dbs.risk;
    return `${kind} version ${version} is neither the seed's nor stored (usable) in ${db}.reference_versions`;
  }

  async close(): Promise<void> {
    await Promise.all(this.connections.map((c) => c.close().catch(() => undefined)));
  }
}
