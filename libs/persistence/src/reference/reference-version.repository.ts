import { ReferenceVersion } from './reference-version.model';

export type SaveReferenceResult = 'created' | 'unchanged' | 'conflict';

export abstract class ReferenceVersionRepository {
  /** 'unchanged' when the same version with the same content exists; 'conflict' when the content differs. */
  abstract save<T>(version: ReferenceVersion<T>): Promise<SaveReferenceResult>;
  abstract get<T>(kind: string, version: string): Promise<ReferenceVersion<T> | null>;
  /** Every version of a kind, oldest effectiveFrom first. */
  abstract list<T>(kind: string): Promise<ReferenceVersion<T>[]>;
}
