import type { Declaration, DeclarationItem } from '@customs/contracts';
import Decimal from 'decimal.js';
import { Criterion, FieldCriterion, FieldValue, ValueBandCriterion } from './ruleset.model';

// Band tests multiply the bound by the mass/quantity instead of dividing the amount, so
// they are exact: 60 digits hold the product of two decimal strings of any sane length.
const Dec = Decimal.clone({ precision: 60 });

/**
 * Whether the declaration satisfies the criterion. With `item` given (inside `anyItem`),
 * item criteria test that item; without it they hold when any item satisfies them.
 */
export function evaluateCriterion(
  criterion: Criterion,
  declaration: Declaration,
  item?: DeclarationItem,
): boolean {
  const onItems = (test: (i: DeclarationItem) => boolean): boolean =>
    item ? test(item) : declaration.items.some(test);
  switch (criterion.type) {
    case 'all':
      return criterion.criteria.every((c) => evaluateCriterion(c, declaration, item));
    case 'any':
      return criterion.criteria.some((c) => evaluateCriterion(c, declaration, item));
    case 'not':
      return !evaluateCriterion(criterion.criterion, declaration, item);
    case 'anyItem':
      return declaration.items.some((i) => evaluateCriterion(criterion.criterion, declaration, i));
    case 'commodityCodePrefix':
      return onItems((i) => criterion.prefixes.some((p) => i.commodityCode.startsWith(p)));
    case 'originCountry':
      return onItems((i) => criterion.countries.includes(i.originCountry));
    case 'dispatchCountry':
      return criterion.countries.includes(declaration.dispatchCountry);
    case 'declarantId':
      return criterion.ids.includes(declaration.declarant.id);
    case 'importerId':
      return declaration.importer !== undefined && criterion.ids.includes(declaration.importer.id);
    case 'procedureCode':
      return criterion.codes.some((c) => declaration.procedureCode.startsWith(c));
    case 'incoterm':
      return criterion.incoterms.includes(declaration.incoterm);
    case 'transportMode':
      return criterion.modes.includes(declaration.transportMode);
    case 'invoiceCurrency':
      return criterion.currencies.includes(declaration.invoiceCurrency);
    case 'valuePerKg':
    case 'valuePerUnit':
      return onItems((i) => inValueBand(criterion, declaration, i));
    case 'itemCount': {
      const n = declaration.items.length;
      return (
        (criterion.min === undefined || n >= criterion.min) &&
        (criterion.max === undefined || n <= criterion.max)
      );
    }
    case 'field':
      return fieldMatches(criterion, declaration);
  }
}

/** Whether the criterion contains an item criterion (so matching items are worth naming). */
export function looksAtItems(criterion: Criterion): boolean {
  switch (criterion.type) {
    case 'all':
    case 'any':
      return criterion.criteria.some(looksAtItems);
    case 'not':
    case 'anyItem':
      return looksAtItems(criterion.criterion);
    case 'commodityCodePrefix':
    case 'originCountry':
    case 'valuePerKg':
    case 'valuePerUnit':
      return true;
    default:
      return false;
  }
}

/** Items that on their own satisfy the criterion (empty when it needs several items together). */
export function matchingItemNumbers(criterion: Criterion, declaration: Declaration): number[] {
  return declaration.items
    .filter((i) => evaluateCriterion(criterion, declaration, i))
    .map((i) => i.itemNumber);
}

/**
 * invoiceAmount / netMass (or / quantity) in [min, max), tested as
 * amount >= min * divisor and amount < max * divisor. The amount is in the invoice
 * currency: the engine has no exchange rates, hence the optional currency guard.
 * A zero, negative or malformed divisor or amount never matches: intake rejects those.
 */
export function inValueBand(
  c: ValueBandCriterion,
  declaration: Declaration,
  item: DeclarationItem,
): boolean {
  if (c.currency !== undefined && declaration.invoiceCurrency !== c.currency) return false;
  if (c.type === 'valuePerUnit' && c.unit !== undefined && item.unit !== c.unit) return false;
  let amount: Decimal;
  let divisor: Decimal;
  try {
    amount = new Dec(item.invoiceAmount);
    divisor = new Dec(c.type === 'valuePerKg' ? item.netMass : item.quantity);
  } catch {
    return false;
  }
  if (!divisor.isFinite() || !amount.isFinite() || divisor.lte(0) || amount.isNeg()) return false;
  if (c.min !== undefined && amount.lt(divisor.times(c.min))) return false;
  if (c.max !== undefined && amount.gte(divisor.times(c.max))) return false;
  return true;
}

/** Value per kg / per unit of an item as a decimal string (for reasons), or null if undefined. */
export function itemValueRatio(
  item: DeclarationItem,
  per: 'kg' | 'unit',
  decimals = 2,
): string | null {
  try {
    const divisor = new Dec(per === 'kg' ? item.netMass : item.quantity);
    if (divisor.lte(0)) return null;
    return new Dec(item.invoiceAmount).div(divisor).toFixed(decimals, Decimal.ROUND_HALF_EVEN);
  } catch {
    return null;
  }
}

function fieldMatches(c: FieldCriterion, declaration: Declaration): boolean {
  const values = resolvePath(declaration, c.path.split('.'));
  if (c.exists !== undefined) return values.some((v) => v !== undefined) === c.exists;
  if ('equals' in c) return values.some((v) => v === c.equals);
  const set = c.in ?? [];
  return values.some((v) => set.includes(v as FieldValue));
}

/** Every value at the path; a non-numeric segment over an array fans out to each element. */
function resolvePath(value: unknown, segments: string[]): unknown[] {
  if (segments.length === 0) return [value];
  if (value === null || typeof value !== 'object') return [undefined];
  const [head, ...rest] = segments;
  if (Array.isArray(value)) {
    if (/^\d+$/.test(head)) return resolvePath(value[Number(head)], rest);
    return value.flatMap((v) => resolvePath(v, segments));
  }
  if (!Object.prototype.hasOwnProperty.call(value, head)) return [undefined];
  return resolvePath((value as Record<string, unknown>)[head], rest);
}
