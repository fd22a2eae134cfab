// The contracts' DTO decorators need the metadata polyfill, as in the apps.
import 'reflect-metadata';
import {
  Nomenclature,
  NomenclatureEntry,
  NomenclatureLevel,
} from '../nomenclature/nomenclature.model';
import { FIXTURE_LODGEMENT_DATE, buildValidDeclaration } from './declaration.fixture';
import { validateDeclaration } from './declaration.validator';

const entry = (code: string): NomenclatureEntry => ({
  code,
  description: `line ${code}`,
  parent: code.length === 2 ? null : code.slice(0, code.length - 2),
  level: code.length as NomenclatureLevel,
  section: null,
  validFrom: null,
  validTo: null,
});

const ctx = {
  nomenclature: new Nomenclature(
    'validator-test-1',
    ['61', '6109', '610910', '84', '8471', '847130'].map(entry),
  ),
  lodgementDate: FIXTURE_LODGEMENT_DATE,
};

describe('validateDeclaration', () => {
  it('returns the declaration as lodged when both layers pass', () => {
    const input = JSON.parse(JSON.stringify(buildValidDeclaration()));
    const result = validateDeclaration(input, ctx);
    expect(result).toEqual({ ok: true, declaration: input });
    expect(result.ok && result.declaration).toBe(input);
  });

  it('stops at the structure layer when the shape is wrong', () => {
    // Both a structure failure (no lrn) and a rule failure (ZZ): only the first is reported.
    const input: Record<string, unknown> = { ...buildValidDeclaration(), dispatchCountry: 'ZZ' };
    delete input.lrn;
    const result = validateDeclaration(input, ctx);
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.reasons.map((r) => `${r.code} ${r.path}`)).toEqual(['REQUIRED lrn']);
  });

  it('refuses a party or costs given as an array, at the structure layer (found by the fuzzer)', () => {
    for (const field of ['declarant', 'importer', 'costs']) {
      const input = { ...buildValidDeclaration(), [field]: [] };
      const result = validateDeclaration(input, ctx);
      expect(result.ok).toBe(false);
      if (!result.ok) expect(result.reasons.map((r) => r.path)).toContain(field);
    }
  });

  it('refuses a non-object', () => {
    const result = validateDeclaration('not a declaration', ctx);
    expect(result.ok).toBe(false);
  });

  it('runs the rules when the structure is sound', () => {
    const result = validateDeclaration(buildValidDeclaration({ dispatchCountry: 'ZZ' }), ctx);
    expect(result).toEqual({
      ok: false,
      reasons: [
        {
          code: 'INVALID_COUNTRY',
          path: 'dispatchCountry',
          message: expect.stringContaining('ZZ'),
        },
      ],
    });
  });
});

describe('buildValidDeclaration', () => {
  it('applies overrides, removes fields set to undefined and never shares state', () => {
    const a = buildValidDeclaration({ lrn: 'LRN-X', importer: undefined });
    expect(a.lrn).toBe('LRN-X');
    expect('importer' in a).toBe(false);
    a.items[0].quantity = '1';
    expect(buildValidDeclaration().items[0].quantity).toBe('100');
  });
});
