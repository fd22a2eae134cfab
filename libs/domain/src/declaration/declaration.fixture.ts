import type { Declaration, DeclarationItem } from '@customs/contracts';

/** Lodgement date the fixture is valid at (against the seed nomenclature). */
export const FIXTURE_LODGEMENT_DATE = '2026-11-28';

const BASE_ITEMS: readonly DeclarationItem[] = [
  {
    itemNumber: 1,
    commodityCode: '847130',
    description: 'Laptop computers, 14 inch, 16 GB RAM',
    originCountry: 'CN',
    quantity: '100',
    unit: 'NAR',
    netMass: '250.000',
    grossMass: '310.500',
    invoiceAmount: '12500.00',
    documents: [{ code: 'N935', reference: 'INV-2026-0042' }],
  },
  {
    itemNumber: 2,
    commodityCode: '610910',
    description: 'T-shirts of cotton, knitted',
    originCountry: 'VN',
    preferenceCode: '300',
    proofOfOrigin: { type: 'REX statement on origin', reference: 'VNREX0000012345' },
    quantity: '500',
    unit: 'NAR',
    netMass: '100.000',
    grossMass: '112.400',
    invoiceAmount: '2750.00',
  },
];

const BASE: Declaration = {
  lrn: 'LRN-2026-000001',
  declarationType: 'import',
  procedureCode: '4000',
  declarant: { id: 'NL123456789', name: 'Van Dijk Customs Brokers BV', country: 'NL' },
  importer: { id: 'NL987654321', name: 'Rotterdam Electronics BV', country: 'NL' },
  seller: { id: 'CN913301006', name: 'Hangzhou Trading Co Ltd', country: 'CN' },
  officeOfLodgement: 'NL000396',
  borderPost: 'NL-RTM-MAASVLAKTE',
  transportMode: '1',
  dispatchCountry: 'CN',
  destinationCountry: 'NL',
  invoiceCurrency: 'USD',
  invoiceTotal: '15250.00',
  incoterm: 'FOB',
  incotermPlace: 'Shanghai',
  costs: { freight: '1200.00', insurance: '85.50' },
  relatedParty: false,
  valuationMethod: 1,
  items: [...BASE_ITEMS],
};

function withOverrides<T extends object>(base: T, overrides: Partial<T>): T {
  const out = structuredClone(base) as Record<string, unknown>;
  for (const [key, value] of Object.entries(structuredClone(overrides))) {
    // An override set to undefined removes the field, so tests can drop optional parts.
    if (value === undefined) delete out[key];
    else out[key] = value;
  }
  return out as T;
}

/** A valid item (item 1 of the fixture) with the given fields replaced. */
export function buildValidItem(overrides: Partial<DeclarationItem> = {}): DeclarationItem {
  return withOverrides(BASE_ITEMS[0], overrides);
}

/**
 * A declaration that passes both validation layers against the seed nomenclature at
 * FIXTURE_LODGEMENT_DATE: an import into NL (4000) of laptops from China and cotton
 * T-shirts from Viet Nam under the EU-Vietnam FTA preference (300, REX statement).
 * Top-level fields are replaced by `overrides`; a field set to undefined is removed.
 */
export function buildValidDeclaration(overrides: Partial<Declaration> = {}): Declaration {
  return withOverrides(BASE, overrides);
}
