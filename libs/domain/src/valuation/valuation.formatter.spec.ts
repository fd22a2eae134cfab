import { assessValuation } from './valuation.engine';
import { formatValuation } from './valuation.formatter';
import {
  MARCH_2026,
  fixtureDeclaration,
  fixtureItem,
  fixtureReferenceData,
} from './valuation.test-fixtures';

describe('formatValuation', () => {
  it('prints every figure that makes up the amount to pay', () => {
    const d = fixtureDeclaration(
      { invoiceCurrency: 'USD', incoterm: 'FOB', costs: { freight: '100.00' }, relatedParty: true },
      [
        fixtureItem(1, {
          commodityCode: '0201100000',
          netMass: '1000',
          invoiceAmount: '5000.00',
          originCountry: 'AR',
        }),
        fixtureItem(2, {
          commodityCode: '2204210600',
          quantity: '300',
          unit: 'KGM',
          netMass: '300',
          invoiceAmount: '900.00',
        }),
      ],
    );
    const text = formatValuation(
      assessValuation({ declaration: d, acceptedAt: MARCH_2026 }, fixtureReferenceData()),
    );
    expect(text).toContain(
      'Exchange rate: 1 USD = 0.9000 EUR (table EXR-T1, in force 2026-03-01 to 2026-03-31)',
    );
    expect(text).toMatch(/\+ freight\s+100\.00\s+not in the FOB price \(CIF basis\)/);
    // Item 1: freight share 100 x 5000/5900 = 84.745... -> 84.74 + remainder 0.01 = 84.75; (5084.75 x 0.9) = 4576.275 -> 4576.28
    expect(text).toMatch(/Transaction value\s+5084\.75 {2}USD/);
    expect(text).toMatch(/Customs value\s+4576\.28 {2}EUR/);
    expect(text).toMatch(/12\.8 % of 4576\.28 EUR = 585\.76384/);
    expect(text).toMatch(/176\.8 EUR \/ 100 kg x 10 \(100 kg, from netMass\) = 1768/);
    expect(text).toContain('NOT COMPUTED: QUANTITY_MISSING');
    expect(text).toContain('PROVISIONAL');
    expect(text).toContain('[review] OFFICER_REVIEW');
    expect(text).toMatch(/Total to pay\s+\d+\.\d\d/);
    expect(text).toContain('Reference data: tariff TARIFF-T1; exchange rates EXR-T1');
  });
});
