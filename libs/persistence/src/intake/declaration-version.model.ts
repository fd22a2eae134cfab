/**
 * A change requested to an accepted declaration, as intake lodged it: version 1 is the
 * declaration as accepted (in the lodgements collection); each amendment or invalidation
 * takes the next version number of its MRN. The unique (mrn, version) identity is what
 * keeps two concurrent changes (two replicas, two requests) from both becoming version n.
 */
export interface DeclarationVersion {
  mrn: string;
  version: number;
  kind: 'amendment' | 'invalidation';
  /** SHA-256 of the canonical amended declaration (amendment) or of the reason (invalidation). */
  payloadHash: string;
  /** The amended declaration as JSON text (amendments only). */
  declaration: string | null;
  reason: string | null;
  /** Nomenclature version the amended declaration was judged by (amendments only). */
  nomenclatureVersion: string | null;
  /** The request event intake published, JSON text, so a lost publish is repeated as is. */
  event: string;
  eventId: string;
  published: boolean;
  requestedAt: string;
}
