import { parseRuleset, parseTraderRegistry, Ruleset, TraderRegistry } from '@customs/domain';
import seedRulesetJson from './seed-ruleset.json';
import seedTraderRegistryJson from './seed-trader-registry.json';

let ruleset: Ruleset | undefined;
let registry: TraderRegistry | undefined;

/** The seed ruleset `seed-2026.1` (effective 2026-01-01T00:00:00Z), validated once and frozen. */
export function loadSeedRuleset(): Ruleset {
  ruleset ??= parseRuleset(seedRulesetJson);
  return ruleset;
}

/** The seed trader registry `seed-traders-2026.1`: fictitious AEOs and one watchlisted party. */
export function loadSeedTraderRegistry(): TraderRegistry {
  registry ??= parseTraderRegistry(seedTraderRegistryJson);
  return registry;
}

/** The watchlisted party of the seed registry (fictitious: XX is a user-assigned ISO code). */
export const SEED_WATCHLISTED_PARTY_ID = 'XX000000000WATCH';
