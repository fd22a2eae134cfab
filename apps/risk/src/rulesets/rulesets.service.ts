import { Injectable } from '@nestjs/common';
import {
  parseRuleset,
  ReferenceDataProblem,
  RiskReferenceDataError,
  Ruleset,
} from '@customs/domain';
import {
  ReferenceVersionRepository,
  RISK_REFERENCE_KINDS,
  RISK_REFERENCE_MIN_LEAD_MS,
} from '@customs/persistence';
import { contentSha256 } from '@customs/platform';
import { loadSeedRuleset } from '@customs/reference-data';
import { RiskReferenceService } from '../reference/risk-reference.service';

export interface RulesetSummary {
  version: string;
  effectiveFrom: string;
  /** Null for the shipped seed. */
  importedAt: string | null;
  source: string;
  sha256: string;
  rules: number;
}

export interface RulesetDetail extends RulesetSummary {
  ruleset: unknown;
}

export type PublishResult =
  | { kind: 'created' | 'unchanged'; version: string; effectiveFrom: string; sha256: string }
  | { kind: 'invalid'; problems: ReferenceDataProblem[] }
  | { kind: 'conflict'; message: string };

const KIND = RISK_REFERENCE_KINDS.rules;

function seedSummary(): RulesetDetail {
  const seed = loadSeedRuleset();
  return {
    version: seed.version,
    effectiveFrom: new Date(seed.effectiveFrom).toISOString(),
    importedAt: null,
    source: 'seed',
    sha256: contentSha256(seed),
    rules: seed.rules.length,
    ruleset: seed,
  };
}

const ruleCount = (content: unknown): number => {
  const rules = (content as { rules?: unknown } | null)?.rules;
  return Array.isArray(rules) ? rules.length : 0;
};

/**
 * Officer management of rulesets, in the same store as `customs reference import
 * risk-rules`. Versions are immutable, and a new one applies only from an effective date
 * far enough ahead that every replica knows it by then: past decisions never change.
 */
@Injectable()
export class RulesetsService {
  constructor(
    private readonly reference: RiskReferenceService,
    private readonly repository: ReferenceVersionRepository,
  ) {}

  async publish(body: unknown, now = Date.now()): Promise<PublishResult> {
    let ruleset: Ruleset;
    try {
      ruleset = parseRuleset(body);
    } catch (error) {
      if (error instanceof RiskReferenceDataError)
        return { kind: 'invalid', problems: error.problems };
      throw error;
    }
    const sha256 = contentSha256(body);
    const effectiveFrom = new Date(ruleset.effectiveFrom).toISOString();
    const existing = await this.repository.get(KIND, ruleset.version);
    if (existing) {
      // A re-post of the same content is harmless whatever its date; other content is not.
      if (existing.sha256 === sha256)
        return { kind: 'unchanged', version: ruleset.version, effectiveFrom, sha256 };
      return {
        kind: 'conflict',
        message: `ruleset version ${ruleset.version} exists with another content (sha256 ${existing.sha256}); versions are immutable: choose a new version`,
      };
    }
    const seed = loadSeedRuleset();
    if (ruleset.version === seed.version) {
      return {
        kind: 'conflict',
        message: `ruleset version ${seed.version} is the shipped seed; choose a new version`,
      };
    }
    const at = Date.parse(ruleset.effectiveFrom);
    if (at < now + RISK_REFERENCE_MIN_LEAD_MS) {
      return {
        kind: 'invalid',
        problems: [
          {
            path: '$.effectiveFrom',
            message: `must be at least ${RISK_REFERENCE_MIN_LEAD_MS / 1000} s after now (${new Date(now).toISOString()}): a new ruleset applies to declarations accepted from its effective date on, and past decisions never change`,
          },
        ],
      };
    }
    const all = await this.reference.rulesetCatalog.all();
    const same = all.find((r) => Date.parse(r.effectiveFrom) === at);
    if (same) {
      return {
        kind: 'conflict',
        message: `ruleset ${same.version} is already effective from ${effectiveFrom}; two versions from the same instant would make the choice ambiguous`,
      };
    }
    const outcome = await this.repository.save({
      kind: KIND,
      version: ruleset.version,
      effectiveFrom,
      importedAt: new Date(now).toISOString(),
      sha256,
      source: 'officer API',
      content: body,
    });
    if (outcome === 'conflict') {
      return {
        kind: 'conflict',
        message: `ruleset version ${ruleset.version} was just stored with another content`,
      };
    }
    this.reference.invalidate();
    return { kind: outcome, version: ruleset.version, effectiveFrom, sha256 };
  }

  /** Every version, oldest effective date first, and the one in force now (for people). */
  async list(now = Date.now()): Promise<{ inForce: string | null; versions: RulesetSummary[] }> {
    const stored = await this.repository.list<unknown>(KIND);
    const { ruleset: _seedContent, ...seed } = seedSummary();
    const versions: RulesetSummary[] = [
      seed,
      ...stored.map((v) => ({
        version: v.version,
        effectiveFrom: v.effectiveFrom,
        importedAt: v.importedAt,
        source: v.source,
        sha256: v.sha256,
        rules: ruleCount(v.content),
      })),
    ].sort((a, b) => Date.parse(a.effectiveFrom) - Date.parse(b.effectiveFrom));
    const inForce = versions.filter((v) => Date.parse(v.effectiveFrom) <= now).pop();
    return { inForce: inForce?.version ?? null, versions };
  }

  async get(version: string): Promise<RulesetDetail | null> {
    const seed = seedSummary();
    if (version === seed.version) return seed;
    const v = await this.repository.get<unknown>(KIND, version);
    if (!v) return null;
    return {
      version: v.version,
      effectiveFrom: v.effectiveFrom,
      importedAt: v.importedAt,
      source: v.source,
      sha256: v.sha256,
      rules: ruleCount(v.content),
      ruleset: v.content,
    };
  }
}
