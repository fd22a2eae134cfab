import { Injectable } from '@nestjs/common';
import { Declaration, RejectionReason } from '@customs/contracts';
import { Nomenclature, validateDeclaration } from '@customs/domain';
import { loadSeedNomenclature } from '@customs/reference-data';

export type ValidationOutcome =
  { ok: true; declaration: Declaration } | { ok: false; reasons: RejectionReason[] };

/**
 * Validation in layers (structure, codes, nomenclature, business rules), every failure
 * reported with its path, against the nomenclature in force at lodgement.
 */
@Injectable()
export class DeclarationValidator {
  private readonly nomenclature: Nomenclature = loadSeedNomenclature();

  get nomenclatureVersion(): string {
    return this.nomenclature.version;
  }

  validate(input: unknown, lodgementDate: string): ValidationOutcome {
    return validateDeclaration(input, { nomenclature: this.nomenclature, lodgementDate });
  }
}
