import { Injectable } from '@nestjs/common';
import { parseRuleset, parseTraderRegistry, Ruleset, TraderRegistry } from '@customs/domain';
import {
  ReferenceVersion,
  ReferenceVersionRepository,
  RISK_REFERENCE_CLOCK_SKEW_MS,
  RISK_REFERENCE_KINDS,
  RISK_REFERENCE_MIN_LEAD_MS,
} from '@customs/persistence';
import { ReferenceCatalog } from '@customs/platform';
import { loadSeedRuleset, loadSeedTraderRegistry } from '@customs/reference-data';

export interface RiskReferenceVersions {
  /** When the load that produced these lists started (this host's clock, ms). */
  startedAt: number;
  rulesets: Ruleset[];
  registries: TraderRegistry[];
}

/** The stored record's version and date are authoritative (the import may have overridden them). */
function withRecordIdentity(v: ReferenceVersion<unknown>): Record<string, unknown> {
  const content =
    typeof v.content === 'object' && v.content !== null && !Array.isArray(v.content)
      ? (v.content as Record<string, unknown>)
      : {};
  return { ...content, version: v.version, effectiveFrom: v.effectiveFrom };
}

/**
 * Every ruleset and trader registry the risk service can judge by: the shipped seeds plus
 * the imported versions (CLI or officer API), through `ReferenceCatalog`.
 *
 * A cache must never miss a version already in force for the declaration at hand, or a
 * declaration would be judged by an older ruleset than the one in force at its acceptance.
 * Versions are stored at least RISK_REFERENCE_MIN_LEAD_MS before they apply, so a load that
 * started at S has every version in force up to S + lead - skew; a declaration accepted
 * later triggers a reload (shared by the declarations waiting for one).
 */
@Injectable()
export class RiskReferenceService {
  readonly rulesetCatalog: ReferenceCatalog<Ruleset>;
  readonly registryCatalog: ReferenceCatalog<TraderRegistry>;
  private loaded: RiskReferenceVersions | null = null;
  private inflight: { startedAt: number; promise: Promise<RiskReferenceVersions> } | null = null;

  constructor(readonly repository: ReferenceVersionRepository) {
    // refreshMs 0: the catalog always reads the store; this service decides when to ask.
    this.rulesetCatalog = new ReferenceCatalog(
      repository,
      RISK_REFERENCE_KINDS.rules,
      [loadSeedRuleset()],
      (v) => parseRuleset(withRecordIdentity(v)),
      0,
    );
    this.registryCatalog = new ReferenceCatalog(
      repository,
      RISK_REFERENCE_KINDS.traders,
      [loadSeedTraderRegistry()],
      (v) => parseTraderRegistry(withRecordIdentity(v)),
      0,
    );
  }

  /** Versions complete for a declaration accepted at `acceptedAt` (ISO-8601). */
  async versionsFor(acceptedAt: string): Promise<RiskReferenceVersions> {
    const at = Date.parse(acceptedAt);
    const covers = (startedAt: number) =>
      at <= startedAt + RISK_REFERENCE_MIN_LEAD_MS - RISK_REFERENCE_CLOCK_SKEW_MS;
    if (this.loaded && covers(this.loaded.startedAt)) return this.loaded;
    if (this.inflight && covers(this.inflight.startedAt)) return this.inflight.promise;
    return this.load();
  }

  /** Forget what was loaded (after a version was stored through the officer API). */
  invalidate(): void {
    this.loaded = null;
    this.inflight = null;
  }

  private load(): Promise<RiskReferenceVersions> {
    const startedAt = Date.now();
    const promise = (async () => {
      const [rulesets, registries] = await Promise.all([
        this.rulesetCatalog.all(),
        this.registryCatalog.all(),
      ]);
      const loaded = { startedAt, rulesets, registries };
      if (!this.loaded || this.loaded.startedAt < startedAt) this.loaded = loaded;
      return loaded;
    })();
    const entry = { startedAt, promise };
    this.inflight = entry;
    promise
      .finally(() => {
        if (this.inflight === entry) this.inflight = null;
      })
      .catch(() => undefined);
    return promise;
  }
}
