import { DutyExpressionError } from './valuation.errors';
import { DUTY_UNITS, DutyUnit } from './valuation.model';

/*
 * Duty expressions as TARIC writes them (EU TARIC consultation, "duty expression" column),
 * e.g. `12 %`, `3.5 % + 25 EUR / 100 kg`, `10 % MIN 22 EUR / 100 kg MAX 24 EUR / 100 kg`,
 * `8 % + 1.50 EUR / p/st`, `2.5 % - 3 EUR / 100 kg`. Grammar (whitespace between tokens is
 * optional; MIN/MAX are case-insensitive, currency codes upper case):
 *
 *   expression := sum [ "MIN" sum ] [ "MAX" sum ]
 *   sum        := term { ( "+" | "-" ) term }
 *   term       := number "%"                          (ad valorem: percent of customs value)
 *               | number currency "/" unit            (specific: amount per unit)
 *   unit       := [ "100" | "1000" ] base
 *   base       := "kg" | "l" | "hl" | "p/st" | "m" | "m2" | "m3"
 *   number     := digit+ [ "." digit+ ]
 *   currency   := three letters A-Z (ISO 4217)
 *
 * Meaning: the sum of the terms, raised to the MIN sum and capped at the MAX sum when they
 * are given, never below zero. Allowed units are those of DUTY_UNITS ('100 p/st' and
 * '1000 p/st' included, e.g. cigarettes per 1000 items).
 */

export interface AdValoremTerm {
  kind: 'ad-valorem';
  sign: 1 | -1;
  /** Percent, e.g. '12' for 12 %. */
  percent: string;
}

export interface SpecificTerm {
  kind: 'specific';
  sign: 1 | -1;
  amount: string;
  currency: string;
  unit: DutyUnit;
}

export type DutyTerm = AdValoremTerm | SpecificTerm;

export interface DutyExpression {
  source: string;
  terms: DutyTerm[];
  min?: DutyTerm[];
  max?: DutyTerm[];
}

type TokenKind = 'number' | 'word' | 'symbol';
interface Token {
  kind: TokenKind;
  text: string;
  pos: number;
}

function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const num = /^\d+(\.\d+)?/.exec(src.slice(i));
    if (num) {
      if (/^\d+\.(?!\d)/.test(src.slice(i))) {
        throw new DutyExpressionError(
          src,
          i + num[0].length,
          'a decimal point needs digits after it',
        );
      }
      tokens.push({ kind: 'number', text: num[0], pos: i });
      i += num[0].length;
      continue;
    }
    const word = /^[A-Za-z]+\d?/.exec(src.slice(i));
    if (word) {
      tokens.push({ kind: 'word', text: word[0], pos: i });
      i += word[0].length;
      continue;
    }
    if ('%+-/'.includes(c)) {
      tokens.push({ kind: 'symbol', text: c, pos: i });
      i++;
      continue;
    }
    if (c === ',') {
      throw new DutyExpressionError(src, i, "use '.' as the decimal separator");
    }
    throw new DutyExpressionError(src, i, `unexpected character '${c}'`);
  }
  return tokens;
}

const BASE_UNITS = ['kg', 'l', 'hl', 'p/st', 'm', 'm2', 'm3'];

class Parser {
  private i = 0;
  constructor(
    private readonly src: string,
    private readonly tokens: Token[],
  ) {}

  parse(): DutyExpression {
    if (this.tokens.length === 0) this.fail(0, 'empty expression');
    const terms = this.sum();
    let min: DutyTerm[] | undefined;
    let max: DutyTerm[] | undefined;
    if (this.peekKeyword('MIN')) {
      this.i++;
      min = this.sum();
    }
    if (this.peekKeyword('MAX')) {
      this.i++;
      max = this.sum();
    }
    const rest = this.tokens[this.i];
    if (rest) {
      const hint = this.peekKeyword('MIN') ? ' (MIN must come before MAX)' : '';
      this.fail(rest.pos, `unexpected '${rest.text}'${hint}`);
    }
    return { source: this.src, terms, ...(min ? { min } : {}), ...(max ? { max } : {}) };
  }

  private sum(): DutyTerm[] {
    const terms = [this.term(1)];
    for (;;) {
      const t = this.tokens[this.i];
      if (t?.kind === 'symbol' && (t.text === '+' || t.text === '-')) {
        this.i++;
        terms.push(this.term(t.text === '+' ? 1 : -1));
      } else return terms;
    }
  }

  private term(sign: 1 | -1): DutyTerm {
    const n = this.expect('number', 'a number');
    const next = this.tokens[this.i];
    if (next?.kind === 'symbol' && next.text === '%') {
      this.i++;
      return { kind: 'ad-valorem', sign, percent: n.text };
    }
    if (next?.kind === 'word' && /^[A-Z]{3}$/.test(next.text)) {
      this.i++;
      const slash = this.tokens[this.i];
      if (!(slash?.kind === 'symbol' && slash.text === '/')) {
        this.fail(this.posOf(slash), `expected '/' and a unit after ${next.text}`);
      }
      this.i++;
      return { kind: 'specific', sign, amount: n.text, currency: next.text, unit: this.unit() };
    }
    this.fail(this.posOf(next), `expected '%' or a currency code after ${n.text}`);
  }

  private unit(): DutyUnit {
    const start = this.tokens[this.i];
    let multiplier = '';
    if (start?.kind === 'number') {
      if (start.text !== '100' && start.text !== '1000') {
        this.fail(start.pos, `unit multiplier must be 100 or 1000, got ${start.text}`);
      }
      multiplier = start.text + ' ';
      this.i++;
    }
    const w = this.expect('word', `a unit (${BASE_UNITS.join(', ')})`);
    let base = w.text;
    // 'p/st' (pieces) holds a slash, which the tokenizer splits.
    const a = this.tokens[this.i];
    const b = this.tokens[this.i + 1];
    if (base === 'p' && a?.text === '/' && b?.text === 'st') {
      base = 'p/st';
      this.i += 2;
    }
    const unit = multiplier + base;
    if (!BASE_UNITS.includes(base) || !(DUTY_UNITS as readonly string[]).includes(unit)) {
      this.fail(w.pos, `unknown unit '${unit}' (known: ${DUTY_UNITS.join(', ')})`);
    }
    return unit as DutyUnit;
  }

  private expect(kind: TokenKind, what: string): Token {
    const t = this.tokens[this.i];
    if (!t || t.kind !== kind) this.fail(this.posOf(t), `expected ${what}`);
    this.i++;
    return t;
  }

  private peekKeyword(k: string): boolean {
    const t = this.tokens[this.i];
    return t?.kind === 'word' && t.text.toUpperCase() === k;
  }

  private posOf(t: Token | undefined): number {
    return t ? t.pos : this.src.length;
  }

  private fail(pos: number, reason: string): never {
    throw new DutyExpressionError(this.src, pos, reason);
  }
}

/** Parses a duty expression; throws DutyExpressionError naming the position and what was expected. */
export function parseDutyExpression(source: string): DutyExpression {
  return new Parser(source, tokenize(source)).parse();
}

function formatTerms(terms: DutyTerm[]): string {
  return terms
    .map((t, i) => {
      const body =
        t.kind === 'ad-valorem' ? `${t.percent} %` : `${t.amount} ${t.currency} / ${t.unit}`;
      if (i === 0) return body;
      return `${t.sign === 1 ? '+' : '-'} ${body}`;
    })
    .join(' ');
}

/** Canonical text of a parsed expression (single spaces, as TARIC prints it). */
export function formatDutyExpression(e: Omit<DutyExpression, 'source'>): string {
  let s = formatTerms(e.terms);
  if (e.min) s += ` MIN ${formatTerms(e.min)}`;
  if (e.max) s += ` MAX ${formatTerms(e.max)}`;
  return s;
}
