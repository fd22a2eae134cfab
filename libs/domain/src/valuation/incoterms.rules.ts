import { DeclarationCosts, Incoterm } from '@customs/contracts';

/**
 * What an invoice price under each Incoterm already includes, seen from the importing
 * country. Sources: Incoterms 2020 (ICC Publication 723E), the obligations A4 (carriage),
 * A5 (insurance) and A7/A9 (clearance, duties) of each rule; WTO Customs Valuation Agreement
 * Art. 8(2) (each Member decides whether transport, loading/handling and insurance to the
 * place of import are part of the customs value: the CIF or the FOB basis); EU Union Customs
 * Code (Reg. 952/2013) Art. 71(1)(e) (CIF basis: they are added) and Art. 72 (transport after
 * arrival, buying commissions and import duties are not part of the value when shown
 * separately); EU Guidance on customs valuation (Title I, chapter on Incoterms).
 *
 * - E and F rules (EXW, FCA, FAS, FOB): the buyer pays main carriage and insurance.
 * - CFR, CPT: the seller pays carriage to the destination port/place, not insurance.
 * - CIF, CIP: the seller pays carriage and insurance.
 * - CPT, CIP, DAP, DPU, DDP: the named place may lie inland of the border, so the price may
 *   hold carriage after import (deducted when declared as costs.transportAfterImport).
 * - D rules: the seller bears carriage and risk to the named place; DDP also the import duties.
 */
export interface IncotermInclusion {
  /** Main carriage and loading/handling to the place of import are in the price. */
  transportToImport: boolean;
  /** Insurance to the place of import is in the price (or the seller bears the risk). */
  insurance: boolean;
  /** The price may include carriage beyond the place of import. */
  transportAfterImport: boolean;
  /** The price includes the importing country's duties and taxes. */
  importDuties: boolean;
}

export const INCOTERM_INCLUSIONS: Readonly<Record<Incoterm, IncotermInclusion>> = {
  EXW: {
    transportToImport: false,
    insurance: false,
    transportAfterImport: false,
    importDuties: false,
  },
  FCA: {
    transportToImport: false,
    insurance: false,
    transportAfterImport: false,
    importDuties: false,
  },
  FAS: {
    transportToImport: false,
    insurance: false,
    transportAfterImport: false,
    importDuties: false,
  },
  FOB: {
    transportToImport: false,
    insurance: false,
    transportAfterImport: false,
    importDuties: false,
  },
  CFR: {
    transportToImport: true,
    insurance: false,
    transportAfterImport: false,
    importDuties: false,
  },
  CPT: {
    transportToImport: true,
    insurance: false,
    transportAfterImport: true,
    importDuties: false,
  },
  CIF: {
    transportToImport: true,
    insurance: true,
    transportAfterImport: false,
    importDuties: false,
  },
  CIP: {
    transportToImport: true,
    insurance: true,
    transportAfterImport: true,
    importDuties: false,
  },
  DAP: {
    transportToImport: true,
    insurance: true,
    transportAfterImport: true,
    importDuties: false,
  },
  DPU: {
    transportToImport: true,
    insurance: true,
    transportAfterImport: true,
    importDuties: false,
  },
  DDP: { transportToImport: true, insurance: true, transportAfterImport: true, importDuties: true },
};

export type CostName = keyof DeclarationCosts;
export type AdjustmentEffect = 'addition' | 'deduction' | 'none';

/** What one declared cost does to the transaction value, and why. */
export interface AdjustmentPlan {
  cost: CostName;
  effect: AdjustmentEffect;
  legalBasis: string;
  note: string;
}

/** Article 8(1) additions: always added when declared (declared means borne by the buyer, not in the price). */
const ALWAYS_ADDED: Partial<Record<CostName, string>> = {
  commissions: 'WTO CVA Art. 8(1)(a)(i); UCC Art. 71(1)(a)(i): commissions and brokerage',
  containers: 'WTO CVA Art. 8(1)(a)(ii); UCC Art. 71(1)(a)(ii): containers',
  packing: 'WTO CVA Art. 8(1)(a)(iii); UCC Art. 71(1)(a)(iii): packing',
  assists: 'WTO CVA Art. 8(1)(b); UCC Art. 71(1)(b): assists',
  royalties: 'WTO CVA Art. 8(1)(c); UCC Art. 71(1)(c): royalties and licence fees',
  proceeds: 'WTO CVA Art. 8(1)(d); UCC Art. 71(1)(d): proceeds of resale to the seller',
};

const TRANSPORT: Partial<Record<CostName, string>> = {
  freight: 'WTO CVA Art. 8(2)(a); UCC Art. 71(1)(e)(i): transport to the place of import',
  loadingHandling: 'WTO CVA Art. 8(2)(b); UCC Art. 71(1)(e)(i): loading and handling',
  insurance: 'WTO CVA Art. 8(2)(c); UCC Art. 71(1)(e)(ii): insurance',
};

/** Fixed order of the cost lines in results, so output does not depend on JSON key order. */
export const COST_ORDER: readonly CostName[] = [
  'commissions',
  'containers',
  'packing',
  'assists',
  'royalties',
  'proceeds',
  'freight',
  'loadingHandling',
  'insurance',
  'transportAfterImport',
  'buyingCommissions',
  'importDutiesIncluded',
];

/** Decides, for one declared cost, whether it is added, deducted or left out (and says why). */
export function planAdjustment(
  cost: CostName,
  incoterm: Incoterm,
  basis: 'CIF' | 'FOB',
): AdjustmentPlan {
  const inc = INCOTERM_INCLUSIONS[incoterm];
  const always = ALWAYS_ADDED[cost];
  if (always) return { cost, effect: 'addition', legalBasis: always, note: 'not in the price' };
  const transport = TRANSPORT[cost];
  if (transport) {
    const included = cost === 'insurance' ? inc.insurance : inc.transportToImport;
    if (basis === 'CIF') {
      return included
        ? { cost, effect: 'none', legalBasis: transport, note: `already in the ${incoterm} price` }
        : {
            cost,
            effect: 'addition',
            legalBasis: transport,
            note: `not in the ${incoterm} price (CIF basis)`,
          };
    }
    const fob = 'WTO CVA Art. 8(2): FOB basis, excluded from the customs value';
    return included
      ? {
          cost,
          effect: 'deduction',
          legalBasis: fob,
          note: `in the ${incoterm} price, deducted (FOB basis)`,
        }
      : { cost, effect: 'none', legalBasis: fob, note: `not in the ${incoterm} price (FOB basis)` };
  }
  if (cost === 'transportAfterImport') {
    const basisText =
      'UCC Art. 72(a); WTO CVA Annex I, Note to Art. 1 para. 3(b): transport after importation';
    return inc.transportAfterImport
      ? {
          cost,
          effect: 'deduction',
          legalBasis: basisText,
          note: `in the ${incoterm} price, deducted`,
        }
      : { cost, effect: 'none', legalBasis: basisText, note: `cannot be in the ${incoterm} price` };
  }
  if (cost === 'buyingCommissions') {
    // Never added (Art. 8(1)(a)(i)); when declared they are taken as included in the price.
    return {
      cost,
      effect: 'deduction',
      legalBasis: 'WTO CVA Art. 8(1)(a)(i); UCC Art. 72(e): buying commissions',
      note: 'included in the price, deducted',
    };
  }
  // importDutiesIncluded: the declarant states duties are in the price (typically DDP).
  return {
    cost,
    effect: 'deduction',
    legalBasis:
      'WTO CVA Annex I, Note to Art. 1 para. 3(c); UCC Art. 72(f): import duties in the price',
    note: 'included in the price, deducted',
  };
}
