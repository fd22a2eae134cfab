import { DutyComponentLine, DutyLine, ValuationResult } from '@customs/contracts';

/*
 * Human-readable breakdown of a valuation (for the CLI `quote`): every figure that makes up
 * the amounts to pay, in the order they were computed, so an officer or a declarant can
 * check each line by hand.
 */

const LABEL = 34;
const AMOUNT = 14;

function row(label: string, amount: string, suffix = ''): string {
  return `  ${label.padEnd(LABEL)}${amount.padStart(AMOUNT)}${suffix ? '  ' + suffix : ''}`;
}

const TYPE_LABEL: Record<DutyLine['type'], string> = {
  'customs-duty': 'Customs duty',
  excise: 'Excise',
  vat: 'VAT',
};

function describeComponent(c: DutyComponentLine): string {
  const sign = c.sign === -1 ? '- ' : '';
  const role = c.role === 'main' ? '' : `${c.role.toUpperCase()} `;
  if (c.kind === 'ad-valorem')
    return `${role}${sign}${c.rate} % of ${c.base} ${c.baseUnit} = ${c.amount}`;
  const fx =
    c.exchangeRate && c.exchangeRate !== '1' ? ` x ${c.exchangeRate} (${c.currency} rate)` : '';
  return `${role}${sign}${c.rate} ${c.rateUnit} x ${c.base} (${c.baseUnit}, from ${c.quantitySource})${fx} = ${c.amount}`;
}

function dutyRows(d: DutyLine, currency: string): string[] {
  const label = `${TYPE_LABEL[d.type]} ${d.expression}`;
  if (d.error) return [row(label, d.amount, `NOT COMPUTED: ${d.error.code}: ${d.error.message}`)];
  const out: string[] = [];
  if (d.type === 'vat') {
    out.push(row(label, d.amount, `on ${d.base} ${currency}`));
    return out;
  }
  out.push(
    row(label, d.amount, d.measureId ? `measure ${d.measureId} (prefix ${d.codePrefix})` : ''),
  );
  for (const c of d.components ?? []) out.push(`      ${describeComponent(c)}`);
  if (d.boundApplied) {
    const why = {
      min: 'minimum applies',
      max: 'maximum applies',
      zero: 'negative sum floored at 0',
    }[d.boundApplied];
    out.push(`      ${why}; before rounding ${d.unroundedAmount}`);
  }
  return out;
}

export function formatValuation(r: ValuationResult): string {
  const cur = r.currency;
  const inv = r.invoiceCurrency ?? r.exchangeRate.from;
  const lines: string[] = [];
  const claimed =
    r.methodClaimed !== undefined && r.methodClaimed !== r.method
      ? `, method ${r.methodClaimed} claimed`
      : '';
  lines.push(
    `Valuation: method ${r.method} (transaction value)${claimed}, ${r.basis ?? 'CIF'} basis, Incoterm ${r.incoterm ?? '-'}`,
  );
  if (r.acceptedAt)
    lines.push(`Accepted ${r.acceptedAt} (rates and measures of ${r.valuationDate})`);
  for (const x of r.exchangeRatesUsed ?? [r.exchangeRate]) {
    const p = x.validFrom ? `, in force ${x.validFrom} to ${x.validTo ?? 'open'}` : '';
    lines.push(`Exchange rate: 1 ${x.from} = ${x.rate} ${x.to} (table ${x.version}${p})`);
  }
  if (r.adjustments && r.adjustments.length > 0) {
    lines.push('', `Declared costs (${inv}), apportioned to items by invoice amount:`);
    for (const a of r.adjustments) {
      const sign = a.effect === 'addition' ? '+' : a.effect === 'deduction' ? '-' : ' ';
      lines.push(row(`${sign} ${a.cost}`, a.declared, `${a.note} [${a.legalBasis}]`));
    }
  }
  for (const it of r.items) {
    lines.push('', `Item ${it.itemNumber}  ${it.commodityCode}  origin ${it.originCountry ?? '-'}`);
    if (it.invoiceAmount !== undefined) lines.push(row('Invoice amount', it.invoiceAmount, inv));
    for (const a of it.adjustments ?? []) {
      lines.push(row(`${a.effect === 'addition' ? '+' : '-'} ${a.cost}`, a.amount, inv));
    }
    if (it.transactionValue !== undefined)
      lines.push(row('Transaction value', it.transactionValue, inv));
    lines.push(row('Customs value', it.customsValue, cur));
    if (it.unitValuePerKg !== undefined)
      lines.push(row('Unit value per kg', it.unitValuePerKg, `${cur}/kg`));
    if (it.preference) {
      lines.push(
        `  Preference: ${it.preference.applied ? 'applied' : 'not applied'} (${it.preference.reason})`,
      );
    }
    for (const d of it.duties) lines.push(...dutyRows(d, cur));
  }
  lines.push('', `Totals (${cur}):`);
  lines.push(row('Customs value', r.customsValue));
  lines.push(row('Customs duties', r.totalDuties));
  if (r.totalExcise !== undefined) lines.push(row('Excise', r.totalExcise));
  if (r.totalVat !== undefined) lines.push(row('VAT', r.totalVat));
  lines.push(row('Total to pay', r.totalToPay));
  if (r.complete === false)
    lines.push('  PROVISIONAL: some duties could not be computed (see alerts)');
  if (r.alerts.length > 0) {
    lines.push('', 'Alerts:');
    for (const a of r.alerts) {
      const where = a.itemNumber !== undefined ? `item ${a.itemNumber} ` : '';
      lines.push(`  [${a.severity ?? 'info'}] ${where}${a.code}: ${a.message}`);
    }
  }
  const v = r.versions;
  const versions = [
    `tariff ${v.tariff}`,
    `exchange rates ${v.exchangeRates}`,
    v.preferences ? `preferences ${v.preferences}` : '',
    v.vat ? `VAT ${v.vat}` : '',
    v.excise ? `excise ${v.excise}` : '',
    v.referencePrices ? `reference prices ${v.referencePrices}` : '',
  ].filter(Boolean);
  lines.push('', `Reference data: ${versions.join('; ')}`);
  if (r.rounding)
    lines.push(
      `Rounding: each line ${r.rounding.mode} to ${r.rounding.places} places; totals are sums of lines`,
    );
  return lines.join('\n') + '\n';
}
