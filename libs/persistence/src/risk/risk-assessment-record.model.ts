import type { Channel } from '@customs/contracts';

/**
 * What the risk service keeps of each decision, for statistics by ruleset version: one
 * record per MRN, the same content as the published risk-assessed event (compact).
 */
export interface RiskAssessmentRecord {
  mrn: string;
  lrn: string;
  /** Id of the DeclarationRiskAssessed event this record summarises. */
  eventId: string;
  acceptedAt: string;
  rulesetVersion: string;
  traderRegistryVersion: string | null;
  channel: Channel;
  ruleChannel: Channel | null;
  score: number;
  /** Rule id of every hit, in order (engine hits included; an id appears once per hit). */
  hits: string[];
  /** Rule ids of the hits left unselected by a hit limit. */
  notSelected: string[];
}

/** Counts over the records of one ruleset version. */
export interface RiskAssessmentCounts {
  rulesetVersion: string;
  total: number;
  byLane: Record<Channel, number>;
  hitsByRule: Record<string, number>;
  notSelectedByRule: Record<string, number>;
}
