// Small fixtures for the risk specs (kept here: declaration fixtures elsewhere may change shape).
import type { Declaration, DeclarationItem } from '@customs/contracts';
import { mrnCheckDigit } from '../mrn/mrn';

export function buildItem(overrides: Partial<DeclarationItem> = {}): DeclarationItem {
  return {
    itemNumber: 1,
    commodityCode: '8516600000',
    description: 'Electric ovens',
    originCountry: 'TR',
    quantity: '10',
    unit: 'NAR',
    netMass: '200',
    grossMass: '220',
    invoiceAmount: '3000.00',
    ...overrides,
  };
}

export function buildDeclaration(overrides: Partial<Declaration> = {}): Declaration {
  return {
    lrn: 'LRN-RISK-0001',
    declarationType: 'import',
    procedureCode: '4000',
    declarant: { id: 'NL123456789', name: 'Broker', country: 'NL' },
    importer: { id: 'NL987654321', name: 'Importer', country: 'NL' },
    exporter: { id: 'TR1234567890', name: 'Exporter', country: 'TR' },
    officeOfLodgement: 'NL000396',
    borderPost: 'NL-RTM-01',
    transportMode: '1',
    dispatchCountry: 'TR',
    destinationCountry: 'NL',
    invoiceCurrency: 'EUR',
    invoiceTotal: '3000.00',
    incoterm: 'FOB',
    incotermPlace: 'Izmir',
    relatedParty: false,
    valuationMethod: 1,
    items: [buildItem()],
    ...overrides,
  };
}

/** A valid MRN for a serial number: 26NL + 12 digits + J + check digit. */
export function mrnFor(serial: number): string {
  const first17 = `26NL${String(serial).padStart(12, '0')}J`;
  return first17 + mrnCheckDigit(first17);
}

/** A minimal valid ruleset as JSON (rates zero unless set), for parseRuleset. */
export function rulesetJson(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    version: 'test-1',
    effectiveFrom: '2026-01-01T00:00:00Z',
    seed: 'test-seed',
    thresholds: { red: 80, yellow: 50, blue: 30 },
    randomSelection: {
      red: { minRate: '0', expectedRate: '0' },
      yellow: { minRate: '0', expectedRate: '0' },
      blue: { minRate: '0', expectedRate: '0' },
    },
    aeo: {
      AEOC: { randomRateFactor: '0.5', pointsReduction: 10 },
      AEOS: { randomRateFactor: '0.8', pointsReduction: 5 },
      AEOF: { randomRateFactor: '0.4', pointsReduction: 15 },
    },
    compliance: {
      scoreBands: [
        { below: 40, points: 30 },
        { below: 60, points: 15 },
      ],
      irregularityRateBands: [
        { atLeast: '0.10', points: 30 },
        { atLeast: '0.05', points: 15 },
      ],
      minDeclarations: 20,
    },
    rules: [],
    ...overrides,
  };
}

export function registryJson(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    version: 'traders-test-1',
    effectiveFrom: '2026-01-01T00:00:00Z',
    traders: [],
    watchlist: [],
    ...overrides,
  };
}
