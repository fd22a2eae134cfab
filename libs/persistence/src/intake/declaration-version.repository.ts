import { DeclarationVersion } from './declaration-version.model';

export type AddVersionResult = { added: true } | { added: false; existing: DeclarationVersion };

export abstract class DeclarationVersionRepository {
  /** Versions 2.. of an MRN, oldest first. */
  abstract list(mrn: string): Promise<DeclarationVersion[]>;
  /** Adds the version unless that (mrn, version) is taken already. */
  abstract add(version: DeclarationVersion): Promise<AddVersionResult>;
  abstract markPublished(mrn: string, version: number): Promise<void>;
}
