import { Lodgement } from './lodgement.model';

export type CreateLodgementResult = { created: true } | { created: false; existing: Lodgement };

export abstract class LodgementRepository {
  abstract findByMrn(mrn: string): Promise<Lodgement | null>;
  abstract findByDeclarantLrn(declarantId: string, lrn: string): Promise<Lodgement | null>;
  /** Creates the lodgement unless one exists for the same MRN or declarant + LRN. */
  abstract create(lodgement: Lodgement): Promise<CreateLodgementResult>;
  /**
   * `create` for a chunk, in one bulk insert: one result per lodgement, in order. A
   * lodgement that met an existing one (same MRN or same declarant + LRN, written before or
   * earlier in the same call) is not written and comes back with that existing one.
   */
  abstract createMany(lodgements: Lodgement[]): Promise<CreateLodgementResult[]>;
}
