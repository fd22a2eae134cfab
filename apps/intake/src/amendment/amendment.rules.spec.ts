import { buildValidDeclaration } from '@customs/domain';
import { amendmentIdentityProblems, changeRefusal } from './amendment.rules';

const MRN = '26NL0000000000000J5';

describe('changeRefusal', () => {
  it.each(['accepted', 'risk-assessed', 'valued', 'held', 'amended'])(
    'allows a change while %s',
    (s) => {
      expect(changeRefusal(MRN, s, [])).toBeNull();
    },
  );

  it.each([
    ['released', 'DECLARATION_RELEASED'],
    ['refused', 'DECLARATION_REFUSED'],
    ['invalidated', 'DECLARATION_INVALIDATED'],
    ['submitted', 'NOT_AMENDABLE'],
    ['DeclarationSomethingNew', 'NOT_AMENDABLE'],
  ])('refuses a change once %s (%s)', (status, code) => {
    const refusal = changeRefusal(MRN, status, []);
    expect(refusal?.code).toBe(code);
    expect(refusal?.message).toContain(MRN);
  });

  it('refuses any change after an invalidation request, even before release applies it', () => {
    const versions = [
      { kind: 'amendment' as const, version: 2 },
      { kind: 'invalidation' as const, version: 3 },
    ];
    expect(changeRefusal(MRN, 'held', versions)?.code).toBe('INVALIDATION_PENDING');
    expect(changeRefusal(MRN, 'held', versions.slice(0, 1))).toBeNull();
  });
});

describe('amendmentIdentityProblems', () => {
  const d = buildValidDeclaration();
  const mrn = `26${d.officeOfLodgement.slice(0, 2)}000000000000J5`;
  const lodged = { declarantId: d.declarant.id, lrn: d.lrn };

  it('accepts a new version that keeps what identifies the declaration', () => {
    expect(amendmentIdentityProblems(mrn, lodged, { ...d, incotermPlace: 'ELSEWHERE' })).toEqual(
      [],
    );
  });

  it('names every identifying field that changed', () => {
    const changed = {
      ...d,
      lrn: `${d.lrn}X`,
      declarant: { ...d.declarant, id: 'DE999999999' },
      declarationType: 'export' as const,
      officeOfLodgement: 'BE000001',
    };
    const problems = amendmentIdentityProblems(mrn, lodged, changed);
    expect(problems.map((p) => p.path)).toEqual([
      'lrn',
      'declarant.id',
      'declarationType',
      'officeOfLodgement',
    ]);
    expect(problems.every((p) => p.code === 'AMENDMENT_CHANGES_IDENTITY')).toBe(true);
  });
});
