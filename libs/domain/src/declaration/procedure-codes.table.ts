import type { DeclarationType } from '@customs/contracts';

/**
 * Procedure codes (4 digits: requested procedure + previous procedure).
 *
 * Source: EU Union Customs Code, Delegated Regulation (EU) 2015/2446 Annex B, Title II,
 * data element 1/10 "Procedure" (the two-digit code list), restricted to the common ones;
 * the allowed requested/previous pairs follow the combinations published for those codes
 * in the UK Trade Tariff Volume 3 (CDS) procedure-code appendices (e.g. 4000, 4071, 5171,
 * 3171, 6123, 1040), which keep the EU numbering.
 *
 * Transit: Annex B has no 1/10 code for transit (EU transit is declared in NCTS with
 * declaration types T1/T2 and no procedure code). This project follows the ASYCUDA
 * practice of a national customs procedure code 80xx for transit, so the type can be
 * checked the same way for every declaration. That row is our convention, not EU law.
 */
export interface ProcedureDefinition {
  code: string;
  name: string;
  declarationType: DeclarationType;
  /** Previous-procedure codes this procedure may follow ('00': none). */
  previous: readonly string[];
}

const WAREHOUSE_OR_SPECIAL = ['00', '51', '53', '71'] as const;
const AFTER_EXPORT = ['10', '21', '23'] as const;
const AFTER_RELEASE = ['00', '40', '42'] as const;

export const REQUESTED_PROCEDURES: Readonly<Record<string, ProcedureDefinition>> = Object.freeze({
  '40': {
    code: '40',
    name: 'release for free circulation and home use',
    declarationType: 'import',
    previous: [...WAREHOUSE_OR_SPECIAL, '21'],
  },
  '42': {
    code: '42',
    name: 'release for free circulation and home use, VAT-exempt onward supply to another member state',
    declarationType: 'import',
    previous: WAREHOUSE_OR_SPECIAL,
  },
  '51': {
    code: '51',
    name: 'placing under inward processing',
    declarationType: 'import',
    previous: WAREHOUSE_OR_SPECIAL,
  },
  '53': {
    code: '53',
    name: 'placing under temporary admission',
    declarationType: 'import',
    previous: WAREHOUSE_OR_SPECIAL,
  },
  '61': {
    code: '61',
    name: 're-importation with release for free circulation and home use',
    declarationType: 'import',
    previous: AFTER_EXPORT,
  },
  '63': {
    code: '63',
    name: 're-importation with release for free circulation and home use, VAT-exempt onward supply',
    declarationType: 'import',
    previous: AFTER_EXPORT,
  },
  '71': {
    code: '71',
    name: 'placing under customs warehousing',
    declarationType: 'import',
    previous: WAREHOUSE_OR_SPECIAL,
  },
  '10': {
    code: '10',
    name: 'permanent export',
    declarationType: 'export',
    previous: AFTER_RELEASE,
  },
  '21': {
    code: '21',
    name: 'temporary export under outward processing',
    declarationType: 'export',
    previous: AFTER_RELEASE,
  },
  '23': {
    code: '23',
    name: 'temporary export for return in the unaltered state',
    declarationType: 'export',
    previous: AFTER_RELEASE,
  },
  '31': {
    code: '31',
    name: 're-export',
    declarationType: 'export',
    previous: ['51', '53', '71'],
  },
  '80': {
    code: '80',
    name: 'transit (national convention, see above)',
    declarationType: 'transit',
    previous: WAREHOUSE_OR_SPECIAL,
  },
});

/** Codes that may stand in the previous-procedure position. */
export const PREVIOUS_PROCEDURES: Readonly<Record<string, string>> = Object.freeze({
  '00': 'no previous procedure',
  '10': 'permanent export',
  '21': 'temporary export under outward processing',
  '23': 'temporary export for return in the unaltered state',
  '40': 'release for free circulation and home use',
  '42': 'release for free circulation, VAT-exempt onward supply',
  '51': 'inward processing',
  '53': 'temporary admission',
  '71': 'customs warehousing',
});
