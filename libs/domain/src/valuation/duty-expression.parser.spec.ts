import * as fc from 'fast-check';
import { DutyTerm, formatDutyExpression, parseDutyExpression } from './duty-expression.parser';
import { DutyExpressionError } from './valuation.errors';
import { DUTY_UNITS } from './valuation.model';

// Expressions in the form TARIC prints them (EU TARIC consultation, "duty" column; CN Annex I
// to Reg. (EEC) 2658/87 uses the same notation, e.g. '12.8 % + 176.8 EUR / 100 kg').
describe('parseDutyExpression', () => {
  it('parses ad valorem rates', () => {
    expect(parseDutyExpression('12 %').terms).toEqual([
      { kind: 'ad-valorem', sign: 1, percent: '12' },
    ]);
    expect(parseDutyExpression('0 %').terms[0]).toMatchObject({ percent: '0' });
    expect(parseDutyExpression('3.5%').terms[0]).toMatchObject({ percent: '3.5' });
  });

  it('parses specific and compound expressions', () => {
    expect(parseDutyExpression('176.8 EUR / 100 kg').terms).toEqual([
      { kind: 'specific', sign: 1, amount: '176.8', currency: 'EUR', unit: '100 kg' },
    ]);
    const e = parseDutyExpression('3.5 % + 25 EUR / 100 kg');
    expect(e.terms).toHaveLength(2);
    expect(e.terms[1]).toMatchObject({ sign: 1, amount: '25', unit: '100 kg' });
    expect(parseDutyExpression('8 % + 1.50 EUR / p/st').terms[1]).toMatchObject({
      amount: '1.50',
      unit: 'p/st',
    });
    expect(parseDutyExpression('0.20 EUR / l').terms[0]).toMatchObject({ unit: 'l' });
    expect(parseDutyExpression('271.35 EUR / 1000 p/st').terms[0]).toMatchObject({
      unit: '1000 p/st',
    });
    expect(parseDutyExpression('2.5 % - 3 EUR / 100 kg').terms[1]).toMatchObject({
      sign: -1,
      amount: '3',
    });
    for (const u of ['kg', '1000 kg', 'hl', 'm', 'm2', 'm3']) {
      expect(parseDutyExpression(`1 EUR / ${u}`).terms[0]).toMatchObject({ unit: u });
    }
  });

  it('parses MIN and MAX bounds', () => {
    const e = parseDutyExpression('10 % MIN 22 EUR / 100 kg MAX 24 EUR / 100 kg');
    expect(e.terms).toEqual([{ kind: 'ad-valorem', sign: 1, percent: '10' }]);
    expect(e.min).toEqual([
      { kind: 'specific', sign: 1, amount: '22', currency: 'EUR', unit: '100 kg' },
    ]);
    expect(e.max).toEqual([
      { kind: 'specific', sign: 1, amount: '24', currency: 'EUR', unit: '100 kg' },
    ]);
    // A compound MAX as in CN 1704 ('9 % + ... MAX 18.7 % + ...').
    expect(parseDutyExpression('9 % MAX 18.7 % + 16.5 EUR / 100 kg').max).toHaveLength(2);
    expect(parseDutyExpression('5 % max 2 EUR / kg').max).toHaveLength(1);
  });

  it.each([
    ['', 0, 'empty expression'],
    ['12', 2, "expected '%' or a currency code"],
    ['12 % +', 6, 'expected a number'],
    ['12,5 %', 2, "use '.' as the decimal separator"],
    ['5 EUR 100 kg', 6, "expected '/'"],
    ['5 EUR / 10 kg', 8, 'multiplier must be 100 or 1000'],
    ['5 EUR / tonne', 8, "unknown unit 'tonne'"],
    ['5 eur / kg', 2, "expected '%' or a currency code"],
    ['5 % MAX 1 EUR / kg MIN 2 EUR / kg', 19, 'MIN must come before MAX'],
    ['5 % ; 2 %', 4, "unexpected character ';'"],
    ['5. %', 1, 'decimal point needs digits'],
  ])('rejects %j at position %i (%s)', (src, pos, reason) => {
    let err: unknown;
    try {
      parseDutyExpression(src);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DutyExpressionError);
    expect((err as DutyExpressionError).position).toBe(pos);
    expect((err as DutyExpressionError).message).toContain(reason);
  });

  const amount = fc
    .tuple(
      fc.integer({ min: 0, max: 9999 }),
      fc.option(fc.integer({ min: 0, max: 99 }), { nil: undefined }),
    )
    .map(([i, f]) => (f === undefined ? String(i) : `${i}.${String(f).padStart(2, '0')}`));
  const term = (sign: 1 | -1): fc.Arbitrary<DutyTerm> =>
    fc.oneof(
      amount.map((percent) => ({ kind: 'ad-valorem' as const, sign, percent })),
      fc
        .tuple(amount, fc.constantFrom('EUR', 'USD'), fc.constantFrom(...DUTY_UNITS))
        .map(([a, currency, unit]) => ({
          kind: 'specific' as const,
          sign,
          amount: a,
          currency,
          unit,
        })),
    );
  const sum = fc
    .tuple(
      term(1),
      fc.array(
        fc.constantFrom<1 | -1>(1, -1).chain((s) => term(s)),
        { maxLength: 2 },
      ),
    )
    .map(([first, rest]) => [first, ...rest]);

  it('reads back what it prints (property)', () => {
    fc.assert(
      fc.property(
        sum,
        fc.option(sum, { nil: undefined }),
        fc.option(sum, { nil: undefined }),
        (terms, min, max) => {
          const text = formatDutyExpression({
            terms,
            ...(min ? { min } : {}),
            ...(max ? { max } : {}),
          });
          const parsed = parseDutyExpression(text);
          expect(parsed.terms).toEqual(terms);
          expect(parsed.min).toEqual(min);
          expect(parsed.max).toEqual(max);
          expect(formatDutyExpression(parsed)).toBe(text);
        },
      ),
      { numRuns: 200 },
    );
  });
});
