export {
  loadSeedRuleset,
  loadSeedTraderRegistry,
  SEED_WATCHLISTED_PARTY_ID,
} from './seed-risk.loader';
