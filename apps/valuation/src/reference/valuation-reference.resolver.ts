import { ValuationError, ValuationReferenceData } from '@customs/domain';
import { ReferenceVersion, ReferenceVersionRepository } from '@customs/persistence';
import { contentSha256, ReferenceCatalog } from '@customs/platform';
import { loadSeedValuationReferenceData } from '@customs/reference-data';
import {
  VALUATION_PART_KEYS,
  VALUATION_PARTS,
  ValuationPartKey,
  ValuationPartSpec,
} from './valuation-reference.parts';

/**
 * One version of one part: the shipped seed (in force from the beginning of time) or a
 * stored import. `data` is absent when a stored version no longer parses; it is then never
 * chosen (and reported once), rather than stopping the service.
 */
export interface PartVersion<K extends ValuationPartKey = ValuationPartKey> {
  kind: string;
  version: string;
  effectiveFrom: string;
  /** Epoch milliseconds of effectiveFrom / importedAt, for cheap comparisons. */
  effectiveAt: number;
  importedAt: number;
  sha256: string;
  seed: boolean;
  data?: ValuationReferenceData[K];
  problem?: string;
}

export interface ValuationReferenceBundle {
  data: ValuationReferenceData;
  /** The version of each part in force at the acceptance instant. */
  parts: { [K in ValuationPartKey]: PartVersion<K> };
}

/** Anything that lists the versions of one part (a ReferenceCatalog, or the seed alone). */
interface PartSource {
  all(): Promise<PartVersion[]>;
  invalidate?(): void;
}

export const SEED_EFFECTIVE_FROM = '1970-01-01T00:00:00.000Z';
const BUNDLE_CACHE_LIMIT = 64;

function seedPart<K extends ValuationPartKey>(key: K): PartVersion<K> {
  const data = loadSeedValuationReferenceData()[key];
  return {
    kind: VALUATION_PARTS[key].kind,
    version: data.version,
    effectiveFrom: SEED_EFFECTIVE_FROM,
    effectiveAt: 0,
    importedAt: 0,
    sha256: contentSha256(data),
    seed: true,
    data,
  };
}

function storedPart(key: ValuationPartKey, v: ReferenceVersion<unknown>): PartVersion {
  const base = {
    kind: v.kind,
    version: v.version,
    effectiveFrom: v.effectiveFrom,
    effectiveAt: Date.parse(v.effectiveFrom),
    importedAt: Date.parse(v.importedAt) || 0,
    sha256: v.sha256,
    seed: false,
  };
  try {
    const parsed = (VALUATION_PARTS[key] as ValuationPartSpec).parse(v.content);
    // The stored id is what a valued event records; the content says the same when it came
    // through the importer, and is made to here when it did not.
    const data = parsed.version === v.version ? parsed : { ...parsed, version: v.version };
    if (Number.isNaN(base.effectiveAt)) throw new Error(`effectiveFrom ${v.effectiveFrom}`);
    return { ...base, data: Object.freeze(data) } as PartVersion;
  } catch (error) {
    return { ...base, problem: (error as Error).message };
  }
}

/** Latest effective date not after the instant; among equal dates the latest import, then the greater id. */
export function versionInForce<K extends ValuationPartKey>(
  versions: readonly PartVersion<K>[],
  at: number,
): PartVersion<K> | undefined {
  let best: PartVersion<K> | undefined;
  for (const v of versions) {
    if (!v.data || v.effectiveAt > at) continue;
    if (
      !best ||
      v.effectiveAt > best.effectiveAt ||
      (v.effectiveAt === best.effectiveAt &&
        (v.importedAt > best.importedAt ||
          (v.importedAt === best.importedAt && v.version > best.version)))
    ) {
      best = v;
    }
  }
  return best;
}

/**
 * The valuation reference data a declaration is judged by: for each part, the version in
 * force at its acceptance instant, among the seed and the versions imported into the store
 * (`customs reference import <kind>`). The lists come from ReferenceCatalogs (cached,
 * refreshed every `refreshMs`), and the assembled bundle is cached per set of versions, so
 * the hot path is six cached lookups and a map hit.
 *
 * An import is applied exactly from its effective date when it is stored at least
 * `refreshMs` before that date; one stored later is picked up within `refreshMs` (the valued
 * event records which versions were used either way).
 */
export class ValuationReferenceResolver {
  private readonly sources: Record<ValuationPartKey, PartSource>;
  private readonly bundles = new Map<string, ValuationReferenceBundle>();
  private readonly reported = new Set<string>();
  private readonly onProblem: (message: string) => void;

  constructor(
    repository: ReferenceVersionRepository | null,
    options: { refreshMs?: number; onProblem?: (message: string) => void } = {},
  ) {
    this.onProblem = options.onProblem ?? (() => undefined);
    this.sources = Object.fromEntries(
      VALUATION_PART_KEYS.map((key) => {
        const seed = [seedPart(key)] as PartVersion[];
        const source: PartSource = repository
          ? new ReferenceCatalog<PartVersion>(
              repository,
              VALUATION_PARTS[key].kind,
              seed,
              (v) => storedPart(key, v),
              options.refreshMs ?? 2000,
            )
          : { all: () => Promise.resolve(seed) };
        return [key, source];
      }),
    ) as Record<ValuationPartKey, PartSource>;
  }

  /** The bundle in force at `acceptedAt` (an ISO-8601 instant). */
  async at(acceptedAt: string): Promise<ValuationReferenceBundle> {
    const at = Date.parse(acceptedAt);
    if (typeof acceptedAt !== 'string' || Number.isNaN(at)) {
      throw new ValuationError(
        'INVALID_INPUT',
        `not an ISO-8601 instant: ${String(acceptedAt)}`,
        'acceptedAt',
      );
    }
    const lists = await Promise.all(VALUATION_PART_KEYS.map((k) => this.sources[k].all()));
    const chosen = VALUATION_PART_KEYS.map((key, i) => {
      for (const v of lists[i]) {
        if (v.problem && !this.reported.has(`${v.kind}:${v.version}:${v.sha256}`)) {
          this.reported.add(`${v.kind}:${v.version}:${v.sha256}`);
          this.onProblem(
            `stored ${v.kind} version ${v.version} is not usable and is ignored: ${v.problem}`,
          );
        }
      }
      // The seed is in force from 1970, so there is always one.
      return versionInForce(lists[i], at)!;
    });
    const cacheKey = chosen.map((v) => `${v.kind}:${v.version}:${v.sha256}`).join('|');
    let bundle = this.bundles.get(cacheKey);
    if (!bundle) {
      const parts = Object.fromEntries(
        VALUATION_PART_KEYS.map((k, i) => [k, chosen[i]]),
      ) as ValuationReferenceBundle['parts'];
      const data = Object.freeze(
        Object.fromEntries(VALUATION_PART_KEYS.map((k, i) => [k, chosen[i].data])),
      ) as unknown as ValuationReferenceData;
      bundle = { data, parts };
      if (this.bundles.size >= BUNDLE_CACHE_LIMIT) this.bundles.clear();
      this.bundles.set(cacheKey, bundle);
    }
    return bundle;
  }

  /**
   * The bundle named by a valued event's `versions` (for an auditor re-deriving a recorded
   * valuation); undefined when one of them is neither the seed nor a stored version.
   */
  async forVersions(
    versions: Partial<Record<ValuationPartKey, string>>,
  ): Promise<ValuationReferenceData | undefined> {
    const lists = await Promise.all(VALUATION_PART_KEYS.map((k) => this.sources[k].all()));
    const data: Partial<Record<ValuationPartKey, unknown>> = {};
    for (const [i, key] of VALUATION_PART_KEYS.entries()) {
      const wanted = versions[key] ?? lists[i].find((v) => v.seed)!.version;
      const found = lists[i].find((v) => v.version === wanted && v.data);
      if (!found) return undefined;
      data[key] = found.data;
    }
    return data as ValuationReferenceData;
  }

  /** Every known version of every part (seed first), for listings and diagnostics. */
  async versions(): Promise<Record<ValuationPartKey, PartVersion[]>> {
    const lists = await Promise.all(VALUATION_PART_KEYS.map((k) => this.sources[k].all()));
    return Object.fromEntries(VALUATION_PART_KEYS.map((k, i) => [k, lists[i]])) as Record<
      ValuationPartKey,
      PartVersion[]
    >;
  }

  /** Re-read the store on the next call (after an import through this process). */
  invalidate(): void {
    for (const k of VALUATION_PART_KEYS) this.sources[k].invalidate?.();
  }
}
