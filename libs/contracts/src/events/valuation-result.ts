/**
 * What valuation adds to a declaration (the valued event's `valuation`). Amounts are decimal
 * strings; money in the national currency (`ValuationResult.currency`) unless a field says
 * otherwise. Every duty/tax line is rounded on its own; totals are sums of rounded lines.
 */

/** One component of a duty expression as applied to an item (explains the line's amount). */
export interface DutyComponentLine {
  /** 'main' terms are summed; 'min'/'max' terms form the bounds. */
  role: 'main' | 'min' | 'max';
  kind: 'ad-valorem' | 'specific';
  sign: 1 | -1;
  /** Customs value (ad valorem) or quantity in `baseUnit` (specific). */
  base: string;
  /** National currency code (ad valorem) or the duty unit, e.g. '100 kg', 'hl', 'p/st'. */
  baseUnit: string;
  /** Percent (ad valorem) or amount per unit in `currency` (specific). */
  rate: string;
  rateUnit: string;
  /** Specific terms: the currency of the rate and the rate used to convert it. */
  currency?: string;
  exchangeRate?: string;
  /** Specific terms: where the quantity came from. */
  quantitySource?: 'netMass' | 'quantity' | 'supplementaryUnits';
  /** Unrounded amount of this component in national currency, sign not applied. */
  amount: string;
}

export interface DutyLine {
  type: 'customs-duty' | 'vat' | 'excise';
  /** The expression applied, e.g. '3.5 % + 25 EUR / 100 kg' or '21 %'. */
  expression: string;
  /** Base of the first component: customs value / VAT base, or a quantity for specific duties. */
  base: string;
  /** Rate of the first component: percent for ad valorem and VAT ('12' = 12 %), amount per unit for specific. */
  rate: string;
  /** Rounded amount in national currency (0.00 when `error` is set). */
  amount: string;
  /** What `base` is counted in: the national currency code or a duty unit. */
  baseUnit?: string;
  /** '%' or e.g. 'EUR / 100 kg'. */
  rateUnit?: string;
  /** Amount before rounding. */
  unroundedAmount?: string;
  /** Which bound decided the amount, if any ('zero' = the sum was negative and floored at 0). */
  boundApplied?: 'min' | 'max' | 'zero';
  components?: DutyComponentLine[];
  /** Measure that supplied the expression (tariff/excise measure id, or VAT rate prefix). */
  measureId?: string;
  /** Commodity code prefix of that measure ('' for the VAT standard rate). */
  codePrefix?: string;
  /** Why this line could not be computed (its amount is then 0.00 and the result is incomplete). */
  error?: { code: string; message: string };
}

/** One declared cost's share for an item, in invoice currency. */
export interface ItemAdjustment {
  cost: string;
  effect: 'addition' | 'deduction';
  amount: string;
}

export interface PreferenceOutcome {
  claimed: boolean;
  applied: boolean;
  agreement?: string;
  /** Why the preferential rate was or was not applied. */
  reason: string;
}

export interface ItemAssessment {
  itemNumber: number;
  commodityCode: string;
  customsValue: string;
  duties: DutyLine[];
  originCountry?: string;
  /** Item price in invoice currency as declared. */
  invoiceAmount?: string;
  /** Invoice amount plus additions minus deductions, in invoice currency (before conversion). */
  transactionValue?: string;
  adjustments?: ItemAdjustment[];
  preference?: PreferenceOutcome;
  /** Customs value + customs duty + excise + incidental costs: what VAT is charged on. */
  vatBase?: string;
  /** Customs value per kg net, in national currency (absent when net mass is 0). */
  unitValuePerKg?: string;
  totalDuties?: string;
  totalTaxes?: string;
}

/** How one declared cost was treated for the declaration as a whole. */
export interface DeclarationAdjustment {
  cost: string;
  /** Declared amount, invoice currency. */
  declared: string;
  effect: 'addition' | 'deduction' | 'none';
  legalBasis: string;
  note: string;
}

export interface ExchangeRateUsed {
  from: string;
  to: string;
  rate: string;
  version: string;
  validFrom?: string;
  validTo?: string;
}

export interface ValuationAlert {
  /** e.g. UNDERVALUATION, OFFICER_REVIEW, DUTY_NOT_COMPUTABLE, PREFERENCE_REFUSED. */
  code: string;
  itemNumber?: number;
  message: string;
  severity?: 'info' | 'warning' | 'review';
}

export interface ValuationResult {
  /** National currency. */
  currency: string;
  /** Method the figures were computed by (the engine computes method 1, transaction value). */
  method: number;
  exchangeRate: ExchangeRateUsed;
  customsValue: string;
  /** Customs duties. */
  totalDuties: string;
  /** VAT plus excise. */
  totalTaxes: string;
  totalToPay: string;
  items: ItemAssessment[];
  alerts: ValuationAlert[];
  versions: {
    tariff: string;
    exchangeRates: string;
    referencePrices?: string;
    preferences?: string;
    vat?: string;
    excise?: string;
  };
  /** Method claimed in the declaration (1-6); differs from `method` when an officer must decide. */
  methodClaimed?: number;
  /** 'CIF' or 'FOB' basis of the administration. */
  basis?: 'CIF' | 'FOB';
  incoterm?: string;
  invoiceCurrency?: string;
  acceptedAt?: string;
  /** UTC calendar date used to pick rates and measures in force. */
  valuationDate?: string;
  totalVat?: string;
  totalExcise?: string;
  /** False when some duty line has an `error`: the totals are then provisional. */
  complete?: boolean;
  /** Every rate used (invoice currency and currencies of specific duties). */
  exchangeRatesUsed?: ExchangeRateUsed[];
  adjustments?: DeclarationAdjustment[];
  rounding?: { mode: string; places: number };
}
