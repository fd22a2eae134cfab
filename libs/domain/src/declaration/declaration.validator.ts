import { Declaration, RejectionReason, validateDeclarationStructure } from '@customs/contracts';
import { DeclarationRulesContext, validateDeclarationRules } from './declaration.rules';

export type DeclarationValidationResult =
  { ok: true; declaration: Declaration } | { ok: false; reasons: RejectionReason[] };

/**
 * Both layers: the structure (shape, formats) and, only when it is sound, the business
 * rules, since rules over a malformed document would report noise.
 */
export function validateDeclaration(
  input: unknown,
  ctx: DeclarationRulesContext,
): DeclarationValidationResult {
  const structure = validateDeclarationStructure(input);
  if (!structure.ok) return { ok: false, reasons: structure.reasons };
  const reasons = validateDeclarationRules(structure.declaration, ctx);
  if (reasons.length > 0) return { ok: false, reasons };
  return { ok: true, declaration: structure.declaration };
}
