import type { Declaration, DeclarationItem, Party, RejectionReason } from '@customs/contracts';
import * as currencyCodes from 'currency-codes';
import { Decimal } from 'decimal.js';
import * as countries from 'i18n-iso-countries';
import { assertIsoDate } from '../nomenclature/iso-date.util';
import type { Nomenclature } from '../nomenclature/nomenclature.model';
import { PREVIOUS_PROCEDURES, REQUESTED_PROCEDURES } from './procedure-codes.table';
import type { BorderPostRegistry } from './border-post.registry';
import { RULE_CODES } from './rejection-codes.model';

export interface DeclarationRulesContext {
  /** The nomenclature version in force at lodgement. */
  nomenclature: Nomenclature;
  /** Lodgement date, YYYY-MM-DD: the date codes are judged at. */
  lodgementDate: string;
  /**
   * The border posts that exist. Intake always gives it; a re-derivation of an old
   * acceptance (audit replay) may not, since acceptances do not record its version.
   */
  borderPosts?: BorderPostRegistry;
}

/**
 * EORI and customs-office prefixes that are not ISO 3166-1 codes but are issued: XI is the
 * United Kingdom in respect of Northern Ireland (Windsor Framework).
 */
const NON_ISO_PARTY_PREFIXES = new Set(['XI']);

/**
 * ISO 4217 entries that are units of account, precious metals, test or "no currency"
 * codes: they are valid ISO codes but no invoice is payable in them.
 */
const NOT_PAYABLE_CURRENCIES = new Set([
  'XAG', 'XAU', 'XPD', 'XPT', 'XBA', 'XBB', 'XBC', 'XBD', 'XDR', 'XSU', 'XUA', 'XTS', 'XXX',
]); // prettier-ignore

/**
 * Incoterms 2020 under which the seller's price includes the main carriage to the
 * destination: only these can contain "transport after importation" to deduct.
 */
const CARRIAGE_PAID_TERMS = new Set(['CFR', 'CIF', 'CPT', 'CIP', 'DAP', 'DPU', 'DDP']);

/**
 * Sums of up to 999 amounts of 15 integer and 6 fraction digits need more than the
 * default 20 significant digits to stay exact.
 */
const D = Decimal.clone({ precision: 40 });

function isCountry(code: string | undefined): boolean {
  return typeof code === 'string' && /^[A-Z]{2}$/.test(code) && countries.isValid(code);
}

function decimal(value: string | undefined): Decimal | null {
  if (typeof value !== 'string') return null;
  try {
    const d = new D(value);
    return d.isFinite() ? d : null;
  } catch {
    return null;
  }
}

type Reasons = RejectionReason[];

function add(out: Reasons, code: string, path: string, message: string): void {
  out.push({ code, path, message });
}

function checkCountry(out: Reasons, value: string | undefined, path: string): void {
  if (value !== undefined && !isCountry(value)) {
    add(
      out,
      RULE_CODES.INVALID_COUNTRY,
      path,
      `${path} '${value}' is not an ISO 3166-1 alpha-2 country`,
    );
  }
}

/** First two letters of an EORI number or office reference: the issuing country. */
function checkPrefix(out: Reasons, value: string, path: string, what: string): void {
  const prefix = value.slice(0, 2);
  if (!isCountry(prefix) && !NON_ISO_PARTY_PREFIXES.has(prefix)) {
    add(
      out,
      RULE_CODES.INVALID_COUNTRY,
      path,
      `${what} '${value}' starts with '${prefix}', which is not an ISO 3166-1 alpha-2 country`,
    );
  }
}

const PARTY_ROLES = ['declarant', 'importer', 'exporter', 'seller', 'buyer'] as const;

function checkCountries(d: Declaration, out: Reasons): void {
  checkPrefix(out, d.officeOfLodgement, 'officeOfLodgement', 'office of lodgement');
  checkCountry(out, d.dispatchCountry, 'dispatchCountry');
  checkCountry(out, d.destinationCountry, 'destinationCountry');
  for (const role of PARTY_ROLES) {
    const party: Party | undefined = d[role];
    if (!party) continue;
    checkPrefix(out, party.id, `${role}.id`, 'EORI number');
    checkCountry(out, party.country, `${role}.country`);
  }
}

function checkCurrency(d: Declaration, out: Reasons): void {
  const c = d.invoiceCurrency;
  if (!currencyCodes.code(c)) {
    add(out, RULE_CODES.INVALID_CURRENCY, 'invoiceCurrency', `'${c}' is not an ISO 4217 currency`);
  } else if (NOT_PAYABLE_CURRENCIES.has(c)) {
    add(
      out,
      RULE_CODES.INVALID_CURRENCY,
      'invoiceCurrency',
      `'${c}' is an ISO 4217 unit of account, metal or test code, not an invoice currency`,
    );
  }
}

function checkProcedure(d: Declaration, out: Reasons): void {
  const requested = d.procedureCode.slice(0, 2);
  const previous = d.procedureCode.slice(2, 4);
  const def = REQUESTED_PROCEDURES[requested];
  if (!def) {
    add(
      out,
      RULE_CODES.INVALID_PROCEDURE_CODE,
      'procedureCode',
      `requested procedure '${requested}' is not one of ${Object.keys(REQUESTED_PROCEDURES).sort().join(', ')}`,
    );
    return;
  }
  if (!(previous in PREVIOUS_PROCEDURES)) {
    add(
      out,
      RULE_CODES.INVALID_PROCEDURE_CODE,
      'procedureCode',
      `previous procedure '${previous}' is not one of ${Object.keys(PREVIOUS_PROCEDURES).sort().join(', ')}`,
    );
  } else if (!def.previous.includes(previous)) {
    add(
      out,
      RULE_CODES.PROCEDURE_COMBINATION_NOT_ALLOWED,
      'procedureCode',
      `${def.name} (${requested}) cannot follow ${PREVIOUS_PROCEDURES[previous]} (${previous}); allowed previous: ${def.previous.join(', ')}`,
    );
  }
  if (def.declarationType !== d.declarationType) {
    add(
      out,
      RULE_CODES.PROCEDURE_TYPE_MISMATCH,
      'declarationType',
      `procedure ${requested} (${def.name}) is an ${def.declarationType} procedure, not ${d.declarationType}`,
    );
  }
}

function checkParties(d: Declaration, out: Reasons): void {
  if (d.declarationType === 'import' && !d.importer) {
    add(out, RULE_CODES.IMPORTER_REQUIRED, 'importer', 'an import declaration needs an importer');
  }
  if (d.declarationType === 'export' && !d.exporter) {
    add(out, RULE_CODES.EXPORTER_REQUIRED, 'exporter', 'an export declaration needs an exporter');
  }
  if (d.declarationType === 'import') {
    const officeCountry = d.officeOfLodgement.slice(0, 2);
    if (d.destinationCountry !== officeCountry) {
      add(
        out,
        RULE_CODES.DESTINATION_NOT_OFFICE_COUNTRY,
        'destinationCountry',
        `goods imported at office ${d.officeOfLodgement} (${officeCountry}) must have destination ${officeCountry}, not ${d.destinationCountry}`,
      );
    }
  }
}

/**
 * Each item is rounded to the currency's minor unit on its own, so the lines may differ
 * from an invoice total computed before rounding by up to half a minor unit each: one
 * minor unit per item covers that and no real mismatch.
 */
function invoiceTolerance(currency: string, items: number): Decimal {
  const digits = currencyCodes.code(currency)?.digits ?? 2;
  return new D(10).pow(-digits).times(items);
}

function checkInvoiceTotal(d: Declaration, out: Reasons): void {
  const total = decimal(d.invoiceTotal);
  let sum = new D(0);
  for (const item of d.items) {
    const amount = decimal(item.invoiceAmount);
    if (amount === null || total === null) return; // the structure layer reports it
    sum = sum.plus(amount);
  }
  if (total === null) return;
  const tolerance = invoiceTolerance(d.invoiceCurrency, d.items.length);
  if (sum.minus(total).abs().greaterThan(tolerance)) {
    add(
      out,
      RULE_CODES.INVOICE_TOTAL_MISMATCH,
      'invoiceTotal',
      `items add up to ${sum.toFixed()} ${d.invoiceCurrency} but invoiceTotal is ${total.toFixed()} (tolerance ${tolerance.toFixed()})`,
    );
  }
}

function checkIncotermCosts(d: Declaration, out: Reasons): void {
  if (d.declarationType !== 'import' || !d.costs) return;
  const duties = decimal(d.costs.importDutiesIncluded);
  if (duties !== null && duties.greaterThan(0) && d.incoterm !== 'DDP') {
    add(
      out,
      RULE_CODES.INCOTERM_COST_CONFLICT,
      'costs.importDutiesIncluded',
      `only a DDP price includes import duties, the incoterm is ${d.incoterm}`,
    );
  }
  const after = decimal(d.costs.transportAfterImport);
  if (after !== null && after.greaterThan(0) && !CARRIAGE_PAID_TERMS.has(d.incoterm)) {
    add(
      out,
      RULE_CODES.INCOTERM_COST_CONFLICT,
      'costs.transportAfterImport',
      `a ${d.incoterm} price includes no main carriage, so it cannot include transport after importation`,
    );
  }
}

function checkCommodity(
  item: DeclarationItem,
  path: string,
  ctx: DeclarationRulesContext,
  out: Reasons,
): void {
  const code = item.commodityCode;
  const check = ctx.nomenclature.check(code, ctx.lodgementDate);
  const version = ctx.nomenclature.version;
  const at = `at ${ctx.lodgementDate} (nomenclature ${version})`;
  switch (check.status) {
    case 'declarable':
      return;
    case 'unknown':
      add(
        out,
        RULE_CODES.UNKNOWN_COMMODITY_CODE,
        path,
        `commodity code ${code} does not exist ${at}`,
      );
      return;
    case 'parent-missing':
      add(
        out,
        RULE_CODES.UNKNOWN_COMMODITY_CODE,
        path,
        `national line ${code} has no valid HS subheading ${code.slice(0, 6)} ${at}`,
      );
      return;
    case 'expired':
      add(
        out,
        RULE_CODES.COMMODITY_CODE_EXPIRED,
        path,
        `commodity code ${code} ended on ${check.entry?.validTo} and is not valid ${at}`,
      );
      return;
    case 'not-yet-valid':
      add(
        out,
        RULE_CODES.COMMODITY_CODE_NOT_YET_VALID,
        path,
        `commodity code ${code} is valid only from ${check.entry?.validFrom}, not ${at}`,
      );
      return;
    case 'not-a-leaf': {
      const shown = (check.validChildren ?? []).slice(0, 10);
      const more = (check.validChildren?.length ?? 0) > shown.length ? ', ...' : '';
      add(
        out,
        RULE_CODES.COMMODITY_CODE_NOT_A_LEAF,
        path,
        `commodity code ${code} is subdivided ${at}: declare one of ${shown.join(', ')}${more}`,
      );
      return;
    }
  }
}

/** EU Annex B DE 4/17: first digit 1 = no preference; 2 GSP, 3 other preferences, 4 customs union. */
function checkPreference(d: Declaration, item: DeclarationItem, path: string, out: Reasons): void {
  const code = item.preferenceCode;
  if (code === undefined) return;
  const category = code[0];
  if (!['1', '2', '3', '4'].includes(category)) {
    add(
      out,
      RULE_CODES.INVALID_PREFERENCE_CODE,
      `${path}.preferenceCode`,
      `preference code ${code} must start with 1 (no preference), 2, 3 or 4 (preferential)`,
    );
    return;
  }
  if (category === '1') return;
  if (!item.proofOfOrigin) {
    add(
      out,
      RULE_CODES.PROOF_OF_ORIGIN_REQUIRED,
      `${path}.proofOfOrigin`,
      `preferential treatment ${code} is claimed without a proof of origin`,
    );
  }
  if (item.originCountry === d.destinationCountry) {
    add(
      out,
      RULE_CODES.PREFERENCE_ORIGIN_IS_DESTINATION,
      `${path}.preferenceCode`,
      `preferential treatment ${code} cannot be claimed for goods originating in the destination country ${d.destinationCountry}`,
    );
  }
}

function checkItem(
  d: Declaration,
  item: DeclarationItem,
  index: number,
  ctx: DeclarationRulesContext,
  out: Reasons,
): void {
  const path = `items[${index}]`;
  checkCountry(out, item.originCountry, `${path}.originCountry`);
  checkCommodity(item, `${path}.commodityCode`, ctx, out);
  const net = decimal(item.netMass);
  const gross = decimal(item.grossMass);
  for (const [name, value] of [
    ['netMass', net],
    ['grossMass', gross],
  ] as const) {
    if (value !== null && !value.greaterThan(0)) {
      add(out, RULE_CODES.MASS_NOT_POSITIVE, `${path}.${name}`, `${name} must be greater than 0`);
    }
  }
  if (net !== null && gross !== null && gross.lessThan(net)) {
    add(
      out,
      RULE_CODES.GROSS_MASS_BELOW_NET_MASS,
      `${path}.grossMass`,
      `grossMass ${gross.toFixed()} is less than netMass ${net.toFixed()}`,
    );
  }
  const quantity = decimal(item.quantity);
  if (quantity !== null && !quantity.greaterThan(0)) {
    add(
      out,
      RULE_CODES.QUANTITY_NOT_POSITIVE,
      `${path}.quantity`,
      'quantity must be greater than 0',
    );
  }
  checkPreference(d, item, path, out);
}

function checkItemNumbers(d: Declaration, out: Reasons): void {
  const firstIndex = new Map<number, number>();
  d.items.forEach((item, i) => {
    const path = `items[${i}].itemNumber`;
    const seen = firstIndex.get(item.itemNumber);
    if (seen !== undefined) {
      add(
        out,
        RULE_CODES.ITEM_NUMBER_DUPLICATE,
        path,
        `item number ${item.itemNumber} is already used by items[${seen}]`,
      );
      return;
    }
    firstIndex.set(item.itemNumber, i);
    if (item.itemNumber !== i + 1) {
      add(
        out,
        RULE_CODES.ITEM_NUMBER_NOT_SEQUENTIAL,
        path,
        `item numbers must run 1 to ${d.items.length} in order: expected ${i + 1}, got ${item.itemNumber}`,
      );
    }
  });
}

/**
 * Layer 2 of validation: business rules over a structurally valid declaration. Returns
 * every failure (empty when the declaration passes), header rules first then items in
 * order, so the same declaration always gets the same list.
 *
 * Only hard errors: a freight cost declared beside a C or D incoterm is not refused (the
 * valuation stage decides what to add); an incoterm/cost pair is refused only when it
 * cannot be true (duties included outside DDP, transport after importation deducted from
 * an E or F price).
 */
/** The border post must be a registered one: notifications and work queues go to it. */
function checkBorderPost(d: Declaration, ctx: DeclarationRulesContext, out: Reasons): void {
  if (!ctx.borderPosts || ctx.borderPosts.has(d.borderPost)) return;
  add(
    out,
    RULE_CODES.UNKNOWN_BORDER_POST,
    'borderPost',
    `border post ${d.borderPost} is not in the border-post registry (${ctx.borderPosts.version})`,
  );
}

export function validateDeclarationRules(
  d: Declaration,
  ctx: DeclarationRulesContext,
): RejectionReason[] {
  assertIsoDate(ctx.lodgementDate);
  const out: Reasons = [];
  checkCountries(d, out);
  checkCurrency(d, out);
  checkProcedure(d, out);
  checkParties(d, out);
  checkInvoiceTotal(d, out);
  checkIncotermCosts(d, out);
  checkItemNumbers(d, out);
  checkBorderPost(d, ctx, out);
  d.items.forEach((item, i) => checkItem(d, item, i, ctx, out));
  return out;
}
