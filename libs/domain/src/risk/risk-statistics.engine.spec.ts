import type { RiskResult } from '@customs/contracts';
import { summariseRiskResults } from './risk-statistics.engine';

const result = (channel: RiskResult['channel'], hits: RiskResult['hits'] = []): RiskResult => ({
  channel,
  score: 0,
  hits,
  randomDraw: '0.5',
  rulesetVersion: 'v1',
});

describe('summariseRiskResults', () => {
  it('counts lanes, rates and hits per rule', () => {
    const s = summariseRiskResults([
      result('red', [{ ruleId: 'ARMS-93', reason: 'x', channel: 'red' }]),
      result('red', [
        { ruleId: 'ARMS-93', reason: 'x', channel: 'red' },
        { ruleId: 'RANDOM-YELLOW', reason: 'y', channel: 'yellow' },
      ]),
      result('green', [{ ruleId: 'POSTAL', reason: 'z', selected: false }]),
      result('blue'),
    ]);
    expect(s).toEqual({
      total: 4,
      byLane: { green: 1, blue: 1, yellow: 0, red: 2 },
      rates: { green: '0.25', blue: '0.25', yellow: '0', red: '0.5' },
      hitsByRule: { 'ARMS-93': 2, 'RANDOM-YELLOW': 1, POSTAL: 1 },
      notSelectedByRule: { POSTAL: 1 },
    });
  });

  it('gives zero rates for no results', () => {
    expect(summariseRiskResults([]).rates).toEqual({
      green: '0',
      blue: '0',
      yellow: '0',
      red: '0',
    });
  });

  it('keeps rates as exact-enough decimal strings', () => {
    const s = summariseRiskResults([result('red'), result('green'), result('green')]);
    expect(s.rates.red).toBe('0.33333333333333333333');
  });
});
