/** What valuation adds to a declaration (the valued event's `valuation`). Amounts are decimal strings. */
export interface ItemAssessment {
  itemNumber: number;
  commodityCode: string;
  customsValue: string;
  duties: DutyLine[];
}

export interface DutyLine {
  type: 'customs-duty' | 'vat' | 'excise';
  expression: string;
  base: string;
  rate: string;
  amount: string;
}

export interface ValuationResult {
  currency: string;
  method: number;
  exchangeRate: { from: string; to: string; rate: string; version: string };
  customsValue: string;
  totalDuties: string;
  totalTaxes: string;
  totalToPay: string;
  items: ItemAssessment[];
  alerts: { code: string; itemNumber?: number; message: string }[];
  versions: { tariff: string; exchangeRates: string };
}
