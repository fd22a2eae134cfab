import { Injectable, Optional } from '@nestjs/common';
import { Declaration, RejectionReason } from '@customs/contracts';
import { BorderPostRegistry, validateDeclaration } from '@customs/domain';
import { intakeBorderPosts } from '../reference/border-posts.registry';
import { NomenclatureCatalog } from '../reference/nomenclature.catalog';

export type ValidationOutcome = (
  { ok: true; declaration: Declaration } | { ok: false; reasons: RejectionReason[] }
) & {
  /** The nomenclature version the declaration was judged by (recorded in its acceptance). */
  nomenclatureVersion: string;
};

/**
 * Validation in layers (structure, codes, nomenclature, business rules), every failure
 * reported with its path, against the nomenclature version in force at the lodgement
 * instant and the border-post registry. Asynchronous because that version may come from
 * the store.
 */
@Injectable()
export class DeclarationValidator {
  private readonly borderPosts: BorderPostRegistry;

  constructor(
    private readonly nomenclatures: NomenclatureCatalog,
    @Optional() borderPosts?: BorderPostRegistry,
  ) {
    this.borderPosts = borderPosts ?? intakeBorderPosts();
  }

  /** `lodgedAt`: ISO-8601 instant of lodgement; codes are judged at its UTC date. */
  async validate(input: unknown, lodgedAt: string): Promise<ValidationOutcome> {
    const nomenclature = await this.nomenclatures.at(lodgedAt);
    const result = validateDeclaration(input, {
      nomenclature,
      lodgementDate: new Date(lodgedAt).toISOString().slice(0, 10),
      borderPosts: this.borderPosts,
    });
    return { ...result, nomenclatureVersion: nomenclature.version };
  }
}
