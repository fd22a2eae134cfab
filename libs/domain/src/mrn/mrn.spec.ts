import { assignMrn, checkMrn, iso6346Remainder, mrnCheckDigit } from './mrn';

describe('MRN check digit', () => {
  // The algorithm is ISO 6346's (DG XXI/0879/99 Rev.1, "Check character algorithm for the
  // MRN and GRN"). Worked example of ISO 6346 itself: container MWCU605978 has sum 7858,
  // remainder 4 (prefixlist.com, "Calculate the Check Digit").
  it('reproduces the ISO 6346 worked example', () => {
    expect(iso6346Remainder('MWCU605978')).toBe(4);
  });

  // Sample MRN given by a public Dutch MRN checker page: 10NL5663962BE1E825.
  it('accepts a published sample MRN', () => {
    expect(mrnCheckDigit('10NL5663962BE1E82')).toBe(5);
    expect(checkMrn('10NL5663962BE1E825').valid).toBe(true);
  });

  it('maps letters skipping multiples of 11', () => {
    // Only the first position (weight 1) differs: value(A)=10, value(B)=12, value(L)=23, value(V)=34.
    const base = '0000000000000000';
    const s = (c: string) => mrnCheckDigit(c + base);
    expect(s('A')).toBe((10 % 11) % 10);
    expect(s('B')).toBe((12 % 11) % 10);
    expect(s('L')).toBe((23 % 11) % 10);
    expect(s('V')).toBe((34 % 11) % 10);
    expect(s('Z')).toBe((38 % 11) % 10);
  });

  it('rejects a wrong check digit and says which one was expected', () => {
    const r = checkMrn('10NL5663962BE1E823');
    expect(r.valid).toBe(false);
    expect(r.expectedCheckDigit).toBe(5);
    expect(r.problems.join()).toMatch(/expected 5/);
  });

  it('rejects bad length and bad format', () => {
    expect(checkMrn('22IT').valid).toBe(false);
    expect(checkMrn('1XNL5663962BE1E825').valid).toBe(false);
  });
});

describe('assignMrn', () => {
  const base = {
    year: 2026,
    country: 'NL',
    declarantId: 'NL123456789',
    lrn: 'LRN-1',
    declarationType: 'import' as const,
  };

  it('produces valid MRNs with the year, country and procedure letter', () => {
    const mrn = assignMrn(base);
    expect(mrn).toMatch(/^26NL[A-Z0-9]{12}J\d$/);
    expect(checkMrn(mrn).valid).toBe(true);
  });

  it('is stable for the same lodgement and distinct for others', () => {
    expect(assignMrn(base)).toBe(assignMrn(base));
    expect(assignMrn({ ...base, lrn: 'LRN-2' })).not.toBe(assignMrn(base));
    expect(assignMrn({ ...base, declarantId: 'NL999' })).not.toBe(assignMrn(base));
    expect(assignMrn({ ...base, salt: 1 })).not.toBe(assignMrn(base));
  });

  it('gives unique valid MRNs over many lodgements', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 5000; i++) {
      const mrn = assignMrn({ ...base, lrn: `L${i}` });
      expect(checkMrn(mrn).valid).toBe(true);
      seen.add(mrn);
    }
    expect(seen.size).toBe(5000);
  });
});
