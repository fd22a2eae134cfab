import { evaluateCriterion, inValueBand } from './criteria.rules';
import { buildDeclaration, buildItem } from './risk-test.fixtures';
import { Criterion } from './ruleset.model';

const twoItems = buildDeclaration({
  items: [
    buildItem({ itemNumber: 1, commodityCode: '9303201000', originCountry: 'US' }),
    buildItem({
      itemNumber: 2,
      commodityCode: '6109100010',
      originCountry: 'BD',
      netMass: '50',
      invoiceAmount: '400',
    }),
  ],
});
const ev = (c: Criterion, d = twoItems) => evaluateCriterion(c, d);

describe('criteria over the declaration', () => {
  it('commodity code prefix matches when any item starts with a prefix', () => {
    expect(ev({ type: 'commodityCodePrefix', prefixes: ['93'] })).toBe(true);
    expect(ev({ type: 'commodityCodePrefix', prefixes: ['610910'] })).toBe(true);
    expect(ev({ type: 'commodityCodePrefix', prefixes: ['62', '8471'] })).toBe(false);
  });

  it('origin country matches any item', () => {
    expect(ev({ type: 'originCountry', countries: ['BD'] })).toBe(true);
    expect(ev({ type: 'originCountry', countries: ['CN'] })).toBe(false);
  });

  it('dispatch country, declarant, importer, incoterm, transport mode, currency', () => {
    expect(ev({ type: 'dispatchCountry', countries: ['TR'] })).toBe(true);
    expect(ev({ type: 'dispatchCountry', countries: ['US'] })).toBe(false);
    expect(ev({ type: 'declarantId', ids: ['NL123456789'] })).toBe(true);
    expect(ev({ type: 'declarantId', ids: ['NL987654321'] })).toBe(false);
    expect(ev({ type: 'importerId', ids: ['NL987654321'] })).toBe(true);
    expect(
      ev({ type: 'importerId', ids: ['NL987654321'] }, buildDeclaration({ importer: undefined })),
    ).toBe(false);
    expect(ev({ type: 'incoterm', incoterms: ['FOB', 'EXW'] })).toBe(true);
    expect(ev({ type: 'incoterm', incoterms: ['CIF'] })).toBe(false);
    expect(ev({ type: 'transportMode', modes: ['1'] })).toBe(true);
    expect(ev({ type: 'transportMode', modes: ['4', '5'] })).toBe(false);
    expect(ev({ type: 'invoiceCurrency', currencies: ['EUR'] })).toBe(true);
    expect(ev({ type: 'invoiceCurrency', currencies: ['USD'] })).toBe(false);
  });

  it('procedure code matches as a prefix (2 digits: requested procedure)', () => {
    expect(ev({ type: 'procedureCode', codes: ['40'] })).toBe(true);
    expect(ev({ type: 'procedureCode', codes: ['4000'] })).toBe(true);
    expect(ev({ type: 'procedureCode', codes: ['42', '4071'] })).toBe(false);
  });

  it('item count bounds are inclusive', () => {
    expect(ev({ type: 'itemCount', min: 2 })).toBe(true);
    expect(ev({ type: 'itemCount', min: 3 })).toBe(false);
    expect(ev({ type: 'itemCount', max: 2 })).toBe(true);
    expect(ev({ type: 'itemCount', max: 1 })).toBe(false);
    expect(ev({ type: 'itemCount', min: 1, max: 1 }, buildDeclaration())).toBe(true);
  });

  it('all / any / not compose', () => {
    const arms: Criterion = { type: 'commodityCodePrefix', prefixes: ['93'] };
    const cn: Criterion = { type: 'originCountry', countries: ['CN'] };
    expect(ev({ type: 'all', criteria: [arms, { type: 'not', criterion: cn }] })).toBe(true);
    expect(ev({ type: 'all', criteria: [arms, cn] })).toBe(false);
    expect(ev({ type: 'any', criteria: [cn, arms] })).toBe(true);
    expect(ev({ type: 'any', criteria: [cn, { type: 'not', criterion: arms }] })).toBe(false);
    expect(ev({ type: 'not', criterion: cn })).toBe(true);
  });

  it('anyItem requires the item criteria to hold for the same item', () => {
    const armsFromBd: Criterion = {
      type: 'all',
      criteria: [
        { type: 'commodityCodePrefix', prefixes: ['93'] },
        { type: 'originCountry', countries: ['BD'] },
      ],
    };
    // Across items: item 1 is arms, item 2 is from BD.
    expect(ev(armsFromBd)).toBe(true);
    expect(ev({ type: 'anyItem', criterion: armsFromBd })).toBe(false);
    const apparelFromBd: Criterion = {
      type: 'anyItem',
      criterion: {
        type: 'all',
        criteria: [
          { type: 'commodityCodePrefix', prefixes: ['61'] },
          { type: 'originCountry', countries: ['BD'] },
        ],
      },
    };
    expect(ev(apparelFromBd)).toBe(true);
  });
});

describe('value bands', () => {
  // Item 2: 400 / 50 kg = 8 per kg; 400 / 10 units = 40 per unit.
  it('value per kg band is [min, max), exact at the bounds', () => {
    expect(ev({ type: 'valuePerKg', max: '8' })).toBe(false);
    expect(ev({ type: 'valuePerKg', max: '8.01' })).toBe(true);
    const only2 = buildDeclaration({ items: [twoItems.items[1]] });
    expect(ev({ type: 'valuePerKg', min: '8' }, only2)).toBe(true);
    expect(ev({ type: 'valuePerKg', min: '8.0000000001' }, only2)).toBe(false);
  });

  it('value per unit, with a unit guard', () => {
    const only2 = buildDeclaration({ items: [twoItems.items[1]] });
    expect(ev({ type: 'valuePerUnit', min: '40', max: '41' }, only2)).toBe(true);
    expect(ev({ type: 'valuePerUnit', min: '40', max: '41', unit: 'NAR' }, only2)).toBe(true);
    expect(ev({ type: 'valuePerUnit', min: '40', max: '41', unit: 'PR' }, only2)).toBe(false);
  });

  it('a currency guard only matches declarations invoiced in that currency', () => {
    const d = buildDeclaration({ items: [twoItems.items[1]] });
    expect(ev({ type: 'valuePerKg', max: '10', currency: 'EUR' }, d)).toBe(true);
    expect(ev({ type: 'valuePerKg', max: '10', currency: 'USD' }, d)).toBe(false);
    expect(
      ev({ type: 'valuePerKg', max: '10', currency: 'USD' }, { ...d, invoiceCurrency: 'USD' }),
    ).toBe(true);
  });

  it('items with zero mass or quantity never match', () => {
    const d = buildDeclaration();
    const item = buildItem({ netMass: '0', quantity: '0' });
    expect(inValueBand({ type: 'valuePerKg', min: '0' }, d, item)).toBe(false);
    expect(inValueBand({ type: 'valuePerUnit', max: '1000000' }, d, item)).toBe(false);
  });

  it('has no floating-point error: 0.3 / 0.1 is exactly 3 per kg', () => {
    const d = buildDeclaration();
    const item = buildItem({ invoiceAmount: '0.3', netMass: '0.1' });
    expect(
      inValueBand({ type: 'valuePerKg', min: '3', max: '3.000000000000000000001' }, d, item),
    ).toBe(true);
  });
});

describe('field criterion', () => {
  it('equals on a dotted path', () => {
    expect(ev({ type: 'field', path: 'relatedParty', equals: false })).toBe(true);
    expect(ev({ type: 'field', path: 'exporter.country', equals: 'TR' })).toBe(true);
    expect(ev({ type: 'field', path: 'exporter.country', equals: 'US' })).toBe(false);
    expect(ev({ type: 'field', path: 'valuationMethod', equals: 1 })).toBe(true);
  });

  it('in, over arrays by index or fanned out to every element', () => {
    expect(ev({ type: 'field', path: 'items.1.originCountry', in: ['BD', 'PK'] })).toBe(true);
    expect(ev({ type: 'field', path: 'items.0.originCountry', in: ['BD', 'PK'] })).toBe(false);
    expect(ev({ type: 'field', path: 'items.originCountry', in: ['BD'] })).toBe(true);
    expect(ev({ type: 'field', path: 'items.itemNumber', equals: 2 })).toBe(true);
  });

  it('exists', () => {
    expect(ev({ type: 'field', path: 'costs.freight', exists: false })).toBe(true);
    expect(ev({ type: 'field', path: 'costs.freight', exists: true })).toBe(false);
    const withFreight = buildDeclaration({ costs: { freight: '120.00' } });
    expect(ev({ type: 'field', path: 'costs.freight', exists: true }, withFreight)).toBe(true);
    expect(ev({ type: 'field', path: 'lrn.length', exists: true })).toBe(false);
  });
});
