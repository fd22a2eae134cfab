import { Lodgement } from './lodgement.model';

export type CreateLodgementResult = { created: true } | { created: false; existing: Lodgement };

export abstract class LodgementRepository {
  abstract findByMrn(mrn: string): Promise<Lodgement | null>;
  abstract findByDeclarantLrn(declarantId: string, lrn: string): Promise<Lodgement | null>;
  /** Creates the lodgement unless one exists for the same MRN or declarant + LRN. */
  abstract create(lodgement: Lodgement): Promise<CreateLodgementResult>;
}
