import { BorderPostRegistry } from './border-post.registry';
import type { Declaration, RejectionReason } from '@customs/contracts';
import { InvalidIsoDateError } from '../nomenclature/nomenclature.errors';
import {
  Nomenclature,
  NomenclatureEntry,
  NomenclatureLevel,
} from '../nomenclature/nomenclature.model';
import {
  FIXTURE_LODGEMENT_DATE,
  buildValidDeclaration,
  buildValidItem,
} from './declaration.fixture';
import { DeclarationRulesContext, validateDeclarationRules } from './declaration.rules';

function e(
  code: string,
  validFrom = '2022-01-01',
  validTo: string | null = null,
): NomenclatureEntry {
  return {
    code,
    description: `line ${code}`,
    parent: code.length === 2 ? null : code.slice(0, code.length - 2),
    level: code.length as NomenclatureLevel,
    section: null,
    validFrom,
    validTo,
  };
}

// The codes the fixture uses plus the seed's dated national lines (HS 2022 codes; the
// 8/10-digit lines are illustrative, as in the seed).
const NOMENCLATURE = new Nomenclature('rules-test-1', [
  e('61'),
  e('6109'),
  e('610910'),
  e('610990'),
  e('84'),
  e('8471'),
  e('847130'),
  e('85'),
  e('8517'),
  e('851713'),
  e('85171300', '2022-01-01', '2023-12-31'),
  e('87'),
  e('8703'),
  e('870380'),
  e('87038010'),
  e('87038090'),
  e('8703801010', '2025-01-01'),
  e('8703801090', '2025-01-01'),
]);

const CTX: DeclarationRulesContext = {
  nomenclature: NOMENCLATURE,
  lodgementDate: FIXTURE_LODGEMENT_DATE,
};

function reasons(d: Declaration, ctx: DeclarationRulesContext = CTX): RejectionReason[] {
  return validateDeclarationRules(d, ctx);
}

function codesAt(d: Declaration, ctx?: DeclarationRulesContext): string[] {
  return reasons(d, ctx).map((r) => `${r.code} ${r.path}`);
}

function withItem(index: number, changes: Parameters<typeof buildValidItem>[0]): Declaration {
  const d = buildValidDeclaration();
  d.items[index] = { ...d.items[index], ...changes };
  return d;
}

describe('validateDeclarationRules', () => {
  it('accepts the fixture', () => {
    expect(reasons(buildValidDeclaration())).toEqual([]);
  });

  describe('countries (ISO 3166-1 alpha-2)', () => {
    it.each([
      ['dispatchCountry', { dispatchCountry: 'ZZ' }],
      ['importer.country', { importer: { id: 'NL987654321', country: 'UK' } }],
      ['seller.country', { seller: { id: 'CN913301006', country: 'XX' } }],
      ['declarant.id', { declarant: { id: 'ZZ123456789' } }],
      ['exporter.id', { exporter: { id: 'EU123456' } }],
    ] as [string, Partial<Declaration>][])('refuses a bad code at %s', (path, overrides) => {
      expect(codesAt(buildValidDeclaration(overrides))).toEqual([`INVALID_COUNTRY ${path}`]);
    });

    it('refuses a bad destination (which also no longer matches the office)', () => {
      expect(codesAt(buildValidDeclaration({ destinationCountry: 'QQ' }))).toEqual([
        'INVALID_COUNTRY destinationCountry',
        'DESTINATION_NOT_OFFICE_COUNTRY destinationCountry',
      ]);
    });

    it('refuses a bad office of lodgement prefix', () => {
      expect(codesAt(buildValidDeclaration({ officeOfLodgement: 'ZZ000396' }))).toContain(
        'INVALID_COUNTRY officeOfLodgement',
      );
    });

    it('refuses a bad origin with the item path', () => {
      expect(codesAt(withItem(1, { originCountry: 'QQ' }))).toEqual([
        'INVALID_COUNTRY items[1].originCountry',
      ]);
    });

    it('accepts real codes, including the XI EORI prefix (Northern Ireland)', () => {
      const d = buildValidDeclaration({
        dispatchCountry: 'US',
        seller: { id: 'XI123456789012', country: 'GB' },
        buyer: { id: 'DE1234567', country: 'DE' },
      });
      expect(reasons(d)).toEqual([]);
    });
  });

  describe('invoice currency (ISO 4217)', () => {
    it.each(['EUR', 'JPY', 'CHF'])('accepts %s', (c) => {
      // JPY has no minor unit; the fixture's .00 amounts still add up exactly.
      expect(reasons(buildValidDeclaration({ invoiceCurrency: c }))).toEqual([]);
    });

    it.each(['ABC', 'XAU', 'XTS', 'XXX'])('refuses %s', (c) => {
      expect(codesAt(buildValidDeclaration({ invoiceCurrency: c }))).toEqual([
        'INVALID_CURRENCY invoiceCurrency',
      ]);
    });
  });

  describe('procedure code', () => {
    it.each([
      ['4000', 'import'],
      ['4071', 'import'],
      ['4251', 'import'],
      ['7100', 'import'],
      ['6123', 'import'],
    ] as const)('accepts %s for %s', (procedureCode, declarationType) => {
      expect(reasons(buildValidDeclaration({ procedureCode, declarationType }))).toEqual([]);
    });

    it('accepts export 1040 and re-export 3171 with an exporter', () => {
      for (const procedureCode of ['1040', '3171', '2100', '2300']) {
        const d = buildValidDeclaration({
          procedureCode,
          declarationType: 'export',
          exporter: { id: 'NL987654321' },
          importer: undefined,
          dispatchCountry: 'NL',
          destinationCountry: 'US',
        });
        expect(reasons(d)).toEqual([]);
      }
    });

    it('accepts transit 8071', () => {
      const d = buildValidDeclaration({ procedureCode: '8071', declarationType: 'transit' });
      expect(reasons(d)).toEqual([]);
    });

    it.each([
      ['9900', 'INVALID_PROCEDURE_CODE procedureCode', "requested procedure '99'"],
      ['0000', 'INVALID_PROCEDURE_CODE procedureCode', "requested procedure '00'"],
      ['4099', 'INVALID_PROCEDURE_CODE procedureCode', "previous procedure '99'"],
      ['4010', 'PROCEDURE_COMBINATION_NOT_ALLOWED procedureCode', 'cannot follow'],
      ['3100', 'PROCEDURE_COMBINATION_NOT_ALLOWED procedureCode', 'cannot follow'],
    ])('refuses %s', (procedureCode, expected, message) => {
      const d = buildValidDeclaration({
        procedureCode,
        declarationType: procedureCode.startsWith('3') ? 'export' : 'import',
        exporter: { id: 'NL987654321' },
      });
      const found = reasons(d);
      expect(found.map((r) => `${r.code} ${r.path}`)).toEqual([expected]);
      expect(found[0].message).toContain(message);
    });

    it.each([
      ['1000', 'import'],
      ['4000', 'export'],
      ['8000', 'import'],
      ['4000', 'transit'],
    ] as const)('refuses %s declared as %s', (procedureCode, declarationType) => {
      const d = buildValidDeclaration({
        procedureCode,
        declarationType,
        exporter: { id: 'NL987654321' },
      });
      expect(codesAt(d)).toEqual(['PROCEDURE_TYPE_MISMATCH declarationType']);
    });
  });

  describe('commodity code', () => {
    it('accepts a national line valid at lodgement', () => {
      expect(reasons(withItem(0, { commodityCode: '8703801010' }))).toEqual([]);
      expect(reasons(withItem(0, { commodityCode: '87038090' }))).toEqual([]);
    });

    it.each([
      ['999999', 'UNKNOWN_COMMODITY_CODE', 'does not exist'],
      ['84713000', 'UNKNOWN_COMMODITY_CODE', 'does not exist'],
      ['870380', 'COMMODITY_CODE_NOT_A_LEAF', 'declare one of 87038010, 87038090'],
      ['87038010', 'COMMODITY_CODE_NOT_A_LEAF', 'declare one of 8703801010, 8703801090'],
      ['85171300', 'COMMODITY_CODE_EXPIRED', 'ended on 2023-12-31'],
    ])('refuses %s with %s', (commodityCode, code, message) => {
      const found = reasons(withItem(0, { commodityCode }));
      expect(found).toEqual([
        { code, path: 'items[0].commodityCode', message: expect.stringContaining(message) },
      ]);
      expect(found[0].message).toContain('rules-test-1');
    });

    it('judges codes at the lodgement date', () => {
      const at2024 = { ...CTX, lodgementDate: '2024-12-31' };
      expect(reasons(withItem(0, { commodityCode: '87038010' }), at2024)).toEqual([]);
      expect(codesAt(withItem(0, { commodityCode: '8703801010' }), at2024)).toEqual([
        'COMMODITY_CODE_NOT_YET_VALID items[0].commodityCode',
      ]);
      const at2023 = { ...CTX, lodgementDate: '2023-12-31' };
      expect(reasons(withItem(0, { commodityCode: '85171300' }), at2023)).toEqual([]);
    });

    it('refuses a lodgement date that is not YYYY-MM-DD', () => {
      expect(() =>
        reasons(buildValidDeclaration(), { ...CTX, lodgementDate: '2026-11-31' }),
      ).toThrow(InvalidIsoDateError);
    });
  });

  describe('masses and quantity', () => {
    it('accepts gross mass equal to net mass', () => {
      expect(reasons(withItem(0, { netMass: '310.5', grossMass: '310.500' }))).toEqual([]);
    });

    it.each([
      [{ netMass: '0' }, ['MASS_NOT_POSITIVE items[0].netMass']],
      [
        { netMass: '0', grossMass: '0.000' },
        ['MASS_NOT_POSITIVE items[0].netMass', 'MASS_NOT_POSITIVE items[0].grossMass'],
      ],
      [{ grossMass: '249.999999' }, ['GROSS_MASS_BELOW_NET_MASS items[0].grossMass']],
      [{ quantity: '0.000' }, ['QUANTITY_NOT_POSITIVE items[0].quantity']],
    ])('refuses %j', (changes, expected) => {
      expect(codesAt(withItem(0, changes))).toEqual(expected);
    });
  });

  describe('invoice total', () => {
    // Fixture: 12500.00 + 2750.00 = 15250.00 USD, 2 items, so the tolerance is 0.02.
    it.each(['15250.02', '15249.98', '15250'])('accepts a total of %s', (invoiceTotal) => {
      expect(reasons(buildValidDeclaration({ invoiceTotal }))).toEqual([]);
    });

    it.each(['15250.03', '15249.97', '15350.00'])('refuses a total of %s', (invoiceTotal) => {
      const found = reasons(buildValidDeclaration({ invoiceTotal }));
      expect(found.map((r) => `${r.code} ${r.path}`)).toEqual([
        'INVOICE_TOTAL_MISMATCH invoiceTotal',
      ]);
      expect(found[0].message).toContain('items add up to 15250 USD');
      expect(found[0].message).toContain('tolerance 0.02');
    });

    it('scales the tolerance with the minor unit of the currency', () => {
      // JPY: 0 decimals, 1 yen per item; KWD: 3 decimals, 0.001 per item.
      expect(
        reasons(buildValidDeclaration({ invoiceCurrency: 'JPY', invoiceTotal: '15252' })),
      ).toEqual([]);
      expect(
        codesAt(buildValidDeclaration({ invoiceCurrency: 'JPY', invoiceTotal: '15253' })),
      ).toEqual(['INVOICE_TOTAL_MISMATCH invoiceTotal']);
      expect(
        codesAt(buildValidDeclaration({ invoiceCurrency: 'KWD', invoiceTotal: '15250.003' })),
      ).toEqual(['INVOICE_TOTAL_MISMATCH invoiceTotal']);
    });

    it('adds large amounts exactly (beyond 20 significant digits)', () => {
      const d = buildValidDeclaration({ invoiceCurrency: 'KWD' });
      d.items[0].invoiceAmount = '123456789012345.123456';
      d.items[1].invoiceAmount = '1';
      expect(reasons({ ...d, invoiceTotal: '123456789012346.125456' })).toEqual([]);
      expect(codesAt({ ...d, invoiceTotal: '123456789012346.125457' })).toEqual([
        'INVOICE_TOTAL_MISMATCH invoiceTotal',
      ]);
    });
  });

  describe('item numbers', () => {
    it.each([
      [[1, 1], ['ITEM_NUMBER_DUPLICATE items[1].itemNumber']],
      [[1, 3], ['ITEM_NUMBER_NOT_SEQUENTIAL items[1].itemNumber']],
      [
        [2, 1],
        [
          'ITEM_NUMBER_NOT_SEQUENTIAL items[0].itemNumber',
          'ITEM_NUMBER_NOT_SEQUENTIAL items[1].itemNumber',
        ],
      ],
    ])('refuses %j', (numbers, expected) => {
      const d = buildValidDeclaration();
      numbers.forEach((n, i) => (d.items[i].itemNumber = n));
      expect(codesAt(d)).toEqual(expected);
    });

    it('accepts 1..n in order', () => {
      const items = [1, 2, 3].map((itemNumber) =>
        buildValidItem({ itemNumber, invoiceAmount: '100.00' }),
      );
      expect(reasons(buildValidDeclaration({ items, invoiceTotal: '300.00' }))).toEqual([]);
    });
  });

  describe('preference', () => {
    it('accepts 100 (no preference) without a proof of origin', () => {
      expect(reasons(withItem(0, { preferenceCode: '100' }))).toEqual([]);
    });

    it('refuses a preference claimed without a proof of origin', () => {
      expect(codesAt(withItem(1, { proofOfOrigin: undefined }))).toEqual([
        'PROOF_OF_ORIGIN_REQUIRED items[1].proofOfOrigin',
      ]);
    });

    it('refuses a preference for goods originating in the destination country', () => {
      expect(codesAt(withItem(1, { originCountry: 'NL' }))).toEqual([
        'PREFERENCE_ORIGIN_IS_DESTINATION items[1].preferenceCode',
      ]);
    });

    it('refuses an unknown preference category', () => {
      expect(codesAt(withItem(1, { preferenceCode: '500' }))).toEqual([
        'INVALID_PREFERENCE_CODE items[1].preferenceCode',
      ]);
    });
  });

  describe('valuation claims', () => {
    it('accepts related parties with method 1 and methods 2 to 6 without related parties', () => {
      expect(reasons(buildValidDeclaration({ relatedParty: true, valuationMethod: 1 }))).toEqual(
        [],
      );
      for (const valuationMethod of [2, 3, 4, 5, 6]) {
        expect(reasons(buildValidDeclaration({ relatedParty: false, valuationMethod }))).toEqual(
          [],
        );
      }
    });
  });

  describe('parties and destination', () => {
    it('refuses an import without importer', () => {
      expect(codesAt(buildValidDeclaration({ importer: undefined }))).toEqual([
        'IMPORTER_REQUIRED importer',
      ]);
    });

    it('refuses an export without exporter', () => {
      const d = buildValidDeclaration({ declarationType: 'export', procedureCode: '1000' });
      expect(codesAt(d)).toEqual(['EXPORTER_REQUIRED exporter']);
    });

    it('requires neither for transit', () => {
      const d = buildValidDeclaration({
        declarationType: 'transit',
        procedureCode: '8000',
        importer: undefined,
      });
      expect(reasons(d)).toEqual([]);
    });

    it('refuses an import whose destination is not the country of the office', () => {
      const found = reasons(buildValidDeclaration({ destinationCountry: 'BE' }));
      expect(found).toEqual([
        {
          code: 'DESTINATION_NOT_OFFICE_COUNTRY',
          path: 'destinationCountry',
          message: expect.stringContaining('must have destination NL, not BE'),
        },
      ]);
    });
  });

  describe('incoterm and costs', () => {
    it('accepts duties included under DDP and transport after import under CIF', () => {
      expect(
        reasons(
          buildValidDeclaration({ incoterm: 'DDP', costs: { importDutiesIncluded: '500.00' } }),
        ),
      ).toEqual([]);
      expect(
        reasons(
          buildValidDeclaration({ incoterm: 'CIF', costs: { transportAfterImport: '80.00' } }),
        ),
      ).toEqual([]);
    });

    it('does not refuse a freight cost beside a C or D term (valuation decides)', () => {
      expect(
        reasons(buildValidDeclaration({ incoterm: 'CIF', costs: { freight: '900.00' } })),
      ).toEqual([]);
    });

    it('refuses duties included outside DDP and transport after import under an E/F term', () => {
      const d = buildValidDeclaration({
        incoterm: 'FOB',
        costs: { importDutiesIncluded: '500.00', transportAfterImport: '80.00' },
      });
      expect(codesAt(d)).toEqual([
        'INCOTERM_COST_CONFLICT costs.importDutiesIncluded',
        'INCOTERM_COST_CONFLICT costs.transportAfterImport',
      ]);
      // Zero amounts claim nothing.
      const zero = buildValidDeclaration({
        incoterm: 'EXW',
        costs: { importDutiesIncluded: '0', transportAfterImport: '0.00' },
      });
      expect(reasons(zero)).toEqual([]);
    });
  });

  it('reports every failure at once, header first, then items in order', () => {
    const d = buildValidDeclaration({
      invoiceCurrency: 'ABC',
      procedureCode: '4010',
      importer: undefined,
      invoiceTotal: '1.00',
    });
    d.items[0] = { ...d.items[0], commodityCode: '999999', grossMass: '1' };
    d.items[1] = { ...d.items[1], itemNumber: 5, quantity: '0', proofOfOrigin: undefined };
    expect(codesAt(d)).toEqual([
      'INVALID_CURRENCY invoiceCurrency',
      'PROCEDURE_COMBINATION_NOT_ALLOWED procedureCode',
      'IMPORTER_REQUIRED importer',
      'INVOICE_TOTAL_MISMATCH invoiceTotal',
      'ITEM_NUMBER_NOT_SEQUENTIAL items[1].itemNumber',
      'UNKNOWN_COMMODITY_CODE items[0].commodityCode',
      'GROSS_MASS_BELOW_NET_MASS items[0].grossMass',
      'QUANTITY_NOT_POSITIVE items[1].quantity',
      'PROOF_OF_ORIGIN_REQUIRED items[1].proofOfOrigin',
    ]);
    // Same input, same output.
    expect(reasons(d)).toEqual(reasons(structuredClone(d)));
  });
});

describe('border post registry', () => {
  const registry = new BorderPostRegistry(
    {
      version: 'bp-test.1',
      borderPosts: [{ id: 'NL-RTM-MAASVLAKTE', name: 'Maasvlakte', country: 'NL' }],
      localTestPrefixes: ['BP-E2E-'],
    },
    { allowTestPosts: true },
  );
  const ctx = { ...CTX, borderPosts: registry };

  it('accepts a registered border post', () => {
    expect(reasons(buildValidDeclaration({ borderPost: 'NL-RTM-MAASVLAKTE' }), ctx)).toEqual([]);
  });

  it('refuses an unknown one at path borderPost, naming the registry version', () => {
    expect(reasons(buildValidDeclaration({ borderPost: 'NL-NOWHERE' }), ctx)).toEqual([
      {
        code: 'UNKNOWN_BORDER_POST',
        path: 'borderPost',
        message: 'border post NL-NOWHERE is not in the border-post registry (bp-test.1)',
      },
    ]);
  });

  it('takes test posts by prefix only when allowed, and never the bare prefix', () => {
    expect(registry.has('BP-E2E-RUN1')).toBe(true);
    expect(registry.has('BP-E2E-')).toBe(false);
    const strict = new BorderPostRegistry(registry.data);
    expect(strict.has('BP-E2E-RUN1')).toBe(false);
    expect(strict.has('NL-RTM-MAASVLAKTE')).toBe(true);
  });

  it('checks nothing when no registry is given (re-deriving an old acceptance)', () => {
    expect(reasons(buildValidDeclaration({ borderPost: 'NL-NOWHERE' }))).toEqual([]);
  });
});
