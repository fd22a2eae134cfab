import { Declaration, RejectionReason } from '@customs/contracts';
import { procedureLetter } from '@customs/domain';
import { DeclarationVersion } from '@customs/persistence';

export interface ChangeRefusal {
  code:
    | 'DECLARATION_RELEASED'
    | 'DECLARATION_REFUSED'
    | 'DECLARATION_INVALIDATED'
    | 'INVALIDATION_PENDING'
    | 'NOT_AMENDABLE';
  message: string;
}

/** Statuses (intake's timeline) in which the goods are not released yet. */
// 'amended': a change is being re-assessed; release keeps a further request and applies it
// in order once the new version is valued, so intake need not refuse it.
const CHANGEABLE = new Set(['accepted', 'risk-assessed', 'valued', 'held', 'amended']);

/**
 * Whether a declaration may still be amended or invalidated: only before release. Once
 * released or refused the decision stands (a post-clearance correction is another
 * procedure); an invalidation, requested or done, ends the declaration's life.
 */
export function changeRefusal(
  mrn: string,
  status: string,
  versions: readonly Pick<DeclarationVersion, 'kind' | 'version'>[],
): ChangeRefusal | null {
  if (status === 'invalidated')
    return { code: 'DECLARATION_INVALIDATED', message: `declaration ${mrn} is invalidated` };
  const invalidation = versions.find((v) => v.kind === 'invalidation');
  if (invalidation)
    return {
      code: 'INVALIDATION_PENDING',
      message: `declaration ${mrn} has an invalidation request (version ${invalidation.version}); it can no longer change`,
    };
  if (status === 'released')
    return {
      code: 'DECLARATION_RELEASED',
      message: `declaration ${mrn} is released: the goods are cleared, it can no longer be amended or invalidated`,
    };
  if (status === 'refused')
    return {
      code: 'DECLARATION_REFUSED',
      message: `release of declaration ${mrn} was refused: the decision is final, it can no longer be amended or invalidated`,
    };
  if (!CHANGEABLE.has(status))
    return {
      code: 'NOT_AMENDABLE',
      message: `declaration ${mrn} is ${status}: it cannot change now`,
    };
  return null;
}

/**
 * An amendment is a new version of the same declaration: what identifies it (and its MRN,
 * which derives from them) must not change. Everything else may.
 */
export function amendmentIdentityProblems(
  mrn: string,
  lodged: { declarantId: string; lrn: string },
  amended: Declaration,
): RejectionReason[] {
  const out: RejectionReason[] = [];
  const code = 'AMENDMENT_CHANGES_IDENTITY';
  if (amended.lrn !== lodged.lrn)
    out.push({ code, path: 'lrn', message: `lrn must stay '${lodged.lrn}'` });
  if (amended.declarant.id !== lodged.declarantId)
    out.push({
      code,
      path: 'declarant.id',
      message: `declarant.id must stay '${lodged.declarantId}'`,
    });
  if (procedureLetter(amended.declarationType) !== mrn.charAt(16))
    out.push({
      code,
      path: 'declarationType',
      message: `declarationType must stay that of ${mrn}`,
    });
  if (amended.officeOfLodgement.slice(0, 2) !== mrn.slice(2, 4))
    out.push({
      code,
      path: 'officeOfLodgement',
      message: `officeOfLodgement must stay in ${mrn.slice(2, 4)}`,
    });
  return out;
}
