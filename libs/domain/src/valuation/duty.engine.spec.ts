import { parseDutyExpression } from './duty-expression.parser';
import {
  DutyContext,
  DutyEvaluation,
  evaluateDuty,
  isDutyProblem,
  quantityFor,
} from './duty.engine';
import { dec } from './money.math';
import { fixtureItem } from './valuation.test-fixtures';
import { DeclarationItem } from '@customs/contracts';

function ctx(
  item: Partial<DeclarationItem>,
  customsValue: string,
  over: Partial<DutyContext> = {},
): DutyContext {
  return {
    item: fixtureItem(1, item),
    customsValue: dec(customsValue),
    nationalCurrency: 'EUR',
    rateFor: (c) => (c === 'USD' ? '0.9' : undefined),
    ...over,
  };
}

function amountOf(expr: string, c: DutyContext): DutyEvaluation {
  const r = evaluateDuty(parseDutyExpression(expr), c);
  if (isDutyProblem(r)) throw new Error(`${r.code}: ${r.message}`);
  return r;
}

// Each figure below is worked by hand from the TARIC reading of the expression: ad valorem =
// percent of customs value; specific = amount x quantity in the unit; MIN raises, MAX caps.
describe('evaluateDuty', () => {
  it('ad valorem: 12 % of 1234.56 = 148.1472', () => {
    expect(amountOf('12 %', ctx({}, '1234.56')).amount.toString()).toBe('148.1472');
  });

  it('compound: 3.5 % + 25 EUR / 100 kg on 2000.00 EUR and 1250 kg = 70 + 312.5', () => {
    const r = amountOf('3.5 % + 25 EUR / 100 kg', ctx({ netMass: '1250' }, '2000.00'));
    expect(r.amount.toString()).toBe('382.5');
    expect(r.components.map((c) => c.amount)).toEqual(['70', '312.5']);
    expect(r.components[1]).toMatchObject({
      base: '12.5',
      baseUnit: '100 kg',
      quantitySource: 'netMass',
    });
  });

  it('specific: 176.8 EUR / 100 kg on 340 kg = 601.12', () => {
    expect(amountOf('176.8 EUR / 100 kg', ctx({ netMass: '340' }, '1')).amount.toString()).toBe(
      '601.12',
    );
  });

  it('MIN applies: 10 % of 100 = 10 < 22 EUR/100 kg x 2 = 44', () => {
    const r = amountOf(
      '10 % MIN 22 EUR / 100 kg MAX 24 EUR / 100 kg',
      ctx({ netMass: '200' }, '100'),
    );
    expect(r.amount.toString()).toBe('44');
    expect(r.boundApplied).toBe('min');
  });

  it('MAX applies: 10 % of 1000 = 100 > 24 EUR/100 kg x 2 = 48', () => {
    const r = amountOf(
      '10 % MIN 22 EUR / 100 kg MAX 24 EUR / 100 kg',
      ctx({ netMass: '200' }, '1000'),
    );
    expect(r.amount.toString()).toBe('48');
    expect(r.boundApplied).toBe('max');
  });

  it('neither bound: 10 % of 450 = 45, between 44 and 48', () => {
    const r = amountOf(
      '10 % MIN 22 EUR / 100 kg MAX 24 EUR / 100 kg',
      ctx({ netMass: '200' }, '450'),
    );
    expect(r.amount.toString()).toBe('45');
    expect(r.boundApplied).toBeUndefined();
  });

  it('per item: 8 % + 1.50 EUR / p/st on 500 EUR, 40 pieces (NAR) = 40 + 60', () => {
    const r = amountOf('8 % + 1.50 EUR / p/st', ctx({ quantity: '40', unit: 'NAR' }, '500'));
    expect(r.amount.toString()).toBe('100');
    expect(r.components[1].quantitySource).toBe('quantity');
  });

  it('per litre from hectolitres: 0.20 EUR / l on 2.5 HLT = 250 l = 50', () => {
    expect(
      amountOf('0.20 EUR / l', ctx({ quantity: '2.5', unit: 'HLT' }, '1')).amount.toString(),
    ).toBe('50');
  });

  it('minus term: 2.5 % - 3 EUR / 100 kg = 25 - 15 = 10; floored at 0 when negative', () => {
    expect(
      amountOf('2.5 % - 3 EUR / 100 kg', ctx({ netMass: '500' }, '1000')).amount.toString(),
    ).toBe('10');
    const neg = amountOf('2.5 % - 3 EUR / 100 kg', ctx({ netMass: '500' }, '100'));
    expect(neg.amount.toString()).toBe('0');
    expect(neg.boundApplied).toBe('zero');
  });

  it('converts a specific amount in another currency at the rate in force: 10 USD / 100 kg x 5 x 0.9 = 45', () => {
    const r = amountOf('10 USD / 100 kg', ctx({ netMass: '500' }, '1'));
    expect(r.amount.toString()).toBe('45');
    expect(r.components[0]).toMatchObject({ currency: 'USD', exchangeRate: '0.9' });
  });

  it('reports, not throws, a missing rate or quantity', () => {
    const noRate = evaluateDuty(parseDutyExpression('1 JPY / kg'), ctx({}, '1'));
    expect(noRate).toMatchObject({ code: 'NO_EXCHANGE_RATE' });
    const noQty = evaluateDuty(
      parseDutyExpression('13.1 EUR / hl'),
      ctx({ unit: 'KGM', quantity: '5' }, '1'),
    );
    expect(noQty).toMatchObject({ code: 'QUANTITY_MISSING' });
    expect((noQty as { message: string }).message).toMatch(/hl/);
  });
});

describe('quantityFor', () => {
  it('uses supplementary units in the code supplementary unit (cigarettes: 1000 p/st)', () => {
    const q = quantityFor(
      '1000 p/st',
      fixtureItem(1, { unit: 'KGM', supplementaryUnits: '12.5' }),
      '1000 p/st',
    );
    expect(q).toMatchObject({ source: 'supplementaryUnits' });
    expect((q as { value: { toString(): string } }).value.toString()).toBe('12.5');
    // Supplementary units in litres for a duty per hectolitre (wine: CN supplementary unit l).
    const l = quantityFor('hl', fixtureItem(1, { unit: 'KGM', supplementaryUnits: '750' }));
    expect((l as { value: { toString(): string } }).value.toString()).toBe('7.5');
  });

  it('refuses supplementary units of another dimension', () => {
    expect(
      quantityFor('hl', fixtureItem(1, { unit: 'KGM', supplementaryUnits: '3' }), 'p/st'),
    ).toMatchObject({
      code: 'UNIT_MISMATCH',
    });
  });

  it('uses net mass for mass units, whatever the declared unit', () => {
    const q = quantityFor(
      '1000 kg',
      fixtureItem(1, { unit: 'NAR', quantity: '7', netMass: '2500' }),
    );
    expect((q as { value: { toString(): string } }).value.toString()).toBe('2.5');
  });
});
