import { NoVersionInForceError, RiskAssessmentInputError } from './risk.errors';
import { rulesetJson } from './risk-test.fixtures';
import { parseRuleset } from './ruleset.parser';
import { selectRuleset } from './ruleset.selection';

const v1 = parseRuleset(rulesetJson({ version: 'v1', effectiveFrom: '2026-01-01T00:00:00Z' }));
const v2 = parseRuleset(rulesetJson({ version: 'v2', effectiveFrom: '2026-03-01T00:00:00+01:00' }));

describe('selectRuleset', () => {
  it('picks the latest ruleset effective at acceptance, whatever the list order', () => {
    expect(selectRuleset([v2, v1], '2026-02-15T10:00:00Z').version).toBe('v1');
    expect(selectRuleset([v1, v2], '2026-03-01T12:00:00Z').version).toBe('v2');
  });

  it('applies a new ruleset from its effective instant exactly, across time zones', () => {
    // v2 starts 2026-03-01T00:00+01:00 = 2026-02-28T23:00Z.
    expect(selectRuleset([v1, v2], '2026-02-28T22:59:59.999Z').version).toBe('v1');
    expect(selectRuleset([v1, v2], '2026-02-28T23:00:00Z').version).toBe('v2');
  });

  it('keeps past decisions: adding a newer ruleset does not change an older acceptance', () => {
    const v3 = parseRuleset(rulesetJson({ version: 'v3', effectiveFrom: '2027-01-01T00:00:00Z' }));
    expect(selectRuleset([v1, v2, v3], '2026-02-01T00:00:00Z').version).toBe('v1');
  });

  it('fails when none is in force yet, or two start at the same instant', () => {
    expect(() => selectRuleset([v2], '2026-01-15T00:00:00Z')).toThrow(NoVersionInForceError);
    expect(() => selectRuleset([], '2026-01-15T00:00:00Z')).toThrow(NoVersionInForceError);
    const twin = parseRuleset(rulesetJson({ version: 'v1-bis' }));
    expect(() => selectRuleset([v1, twin], '2026-01-15T00:00:00Z')).toThrow(/v1 and v1-bis/);
  });

  it('rejects an acceptance instant without zone', () => {
    expect(() => selectRuleset([v1], '2026-01-15T00:00:00')).toThrow(RiskAssessmentInputError);
  });
});
