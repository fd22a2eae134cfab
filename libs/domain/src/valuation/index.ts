export * from './valuation.model';
export * from './valuation.errors';
export {
  ValuationDecimal,
  apportion,
  convertFromNational,
  convertToNational,
  isDecimalString,
  roundMoney,
} from './money.math';
export type { ApportionShare, RoundingRule } from './money.math';
export * from './duty-expression.parser';
export { evaluateDuty, quantityFor } from './duty.engine';
export type { DutyContext, DutyEvaluation, DutyProblem, DutyQuantity } from './duty.engine';
export { INCOTERM_INCLUSIONS, planAdjustment } from './incoterms.rules';
export type { AdjustmentPlan, IncotermInclusion } from './incoterms.rules';
export {
  findExchangeRate,
  findThirdCountryMeasure,
  findPreferentialMeasure,
  agreementsCovering,
  findVatRate,
  findExciseMeasure,
  findReferenceBand,
  valuationDate,
} from './reference-lookup.rules';
export type { RateInForce } from './reference-lookup.rules';
export * from './reference-data.parser';
export { assessValuation, resolveValuationConfig } from './valuation.engine';
export type { ValuationInput } from './valuation.engine';
export { formatValuation } from './valuation.formatter';
