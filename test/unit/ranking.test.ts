import { describe, expect, test } from 'vitest';
import type { Forecast, Outcome } from '../../model/scenario/contract.js';
import { csvCell, RankBySchema, rankInitiatives, rankingCsv } from '../../model/scenario/ranking.js';
import { normalCdf } from '../../model/stats/normal.js';

function outcome(lift: number, halfWidth: number, npv: number | null, cost: number, payback: number | null, replicates: number[] = []): Outcome {
  const nps = { baseline: 10, predicted: 10 + lift, lift, interval: [lift - halfWidth, lift + halfWidth] as [number, number], distinguishable: lift - halfWidth > 0, respondents: 100 };
  return {
    nps,
    bySegment: { smb: { ...nps, lift: -lift, interval: [-lift - halfWidth, -lift + halfWidth] } },
    shares: { before: { promoters: 30, passives: 50, detractors: 20 }, after: { promoters: 30, passives: 50, detractors: 20 } },
    revenue: npv === null ? null : { yearly: [npv], npv, interval: [npv - 1000, npv + 1000] },
    cost: { oneTime: cost, annual: 0, total: cost },
    roi: npv === null ? null : { estimate: (npv - cost) / cost, interval: [(npv - 1000 - cost) / cost, (npv + 1000 - cost) / cost] },
    paybackMonths: payback,
    liftPerMillion: lift / (cost / 1e6),
    uncertainty: { model: 0, respondents: 0, sampling: 0, replicates: { lift: replicates, npv: null } },
    haloAdjusted: null,
    calibrated: null,
  };
}

const forecast = (items: [string, Outcome][]): Forecast => ({
  modelId: 'm',
  computedAt: 't',
  intervalLevel: 0.9,
  currency: 'USD',
  baseline: { nps: 10, bySegment: {} },
  initiatives: items.map(([id, o]) => ({ id, name: id === 'evil' ? '=HYPERLINK("http://x")' : `Name ${id}`, targeted: 1, reached: 1, ...o })),
  portfolio: items[0]![1],
  assumptions: { economics: { promoter: { retention: 1, expansion: 0, referral: 0, costToServe: 0 }, passive: { retention: 1, expansion: 0, referral: 0, costToServe: 0 }, detractor: { retention: 1, expansion: 0, referral: 0, costToServe: 0 } }, roleWeights: {}, revenueSource: 'none', method: '', notes: [] },
});

describe('ranking', () => {
  const f = forecast([
    ['a', outcome(2, 0.5, 5000, 1000, 10)],
    ['b', outcome(5, 0.5, null, 1000, null)],
    ['c', outcome(2, 0.5, 3000, 1000, 4)],
    ['d', outcome(4, 3, 8000, 4000, 20)],
  ]);

  test('descending by lift, ties in scenario order', () => {
    expect(rankInitiatives(f, 'npsLift').map((r) => r.id)).toEqual(['b', 'd', 'a', 'c']);
  });
  test('metrics that cannot be computed rank last; payback ranks shortest first', () => {
    expect(rankInitiatives(f, 'roi').map((r) => r.id)).toEqual(['a', 'c', 'd', 'b']);
    expect(rankInitiatives(f, 'paybackMonths').map((r) => r.id)).toEqual(['c', 'a', 'd', 'b']);
    expect(rankInitiatives(f, 'npv').map((r) => [r.id, r.value])).toEqual([['a', 4000], ['d', 4000], ['c', 2000], ['b', null]]);
  });
  test('a segment ranks by its own lift', () => {
    expect(rankInitiatives(f, 'npsLift', 'smb').map((r) => r.id)).toEqual(['a', 'c', 'd', 'b']);
  });
  test('probability above the next: one half for a tie, near one for a clear gap, from the intervals', () => {
    const rows = rankInitiatives(f, 'npsLift');
    const sd = 0.5 / 1.6448536269514722;
    expect(rows[2]!.probabilityAboveNext).toBeCloseTo(0.5, 9); // a vs c: equal lifts
    const sdD = 3 / 1.6448536269514722;
    expect(rows[0]!.probabilityAboveNext).toBeCloseTo(normalCdf((5 - 4) / Math.hypot(sd, sdD)), 6);
    expect(rows[3]!.probabilityAboveNext).toBeNull();
    expect(normalCdf(1.959963984540054)).toBeCloseTo(0.975, 6);
  });
  test('CSV neutralises cells a spreadsheet would run as formulas', () => {
    for (const danger of ['=1+1', '+SUM(A1)', '-2+3', '@cmd', '\tx']) expect(csvCell(danger).replace(/^"/, '').startsWith("'")).toBe(true);
    expect(csvCell('a,b')).toBe('"a,b"');
    expect(csvCell(-1.5)).toBe('-1.5');
    const csv = rankingCsv(rankInitiatives(forecast([['evil', outcome(1, 0.2, null, 10, null)]]), 'npsLift'), 'npsLift');
    expect(csv).toContain(`"'=HYPERLINK(""http://x"")"`);
    expect(csv.split('\r\n')[0]).toMatch(/^rank,id,name,nps_lift,nps_lift_low,nps_lift_high,probability_above_next,npv,roi,/);
  });
  test('the CSV header names each column once, whatever the ranking is by', () => {
    for (const by of RankBySchema.options) {
      const header = rankingCsv(rankInitiatives(f, by), by).split('\r\n')[0]!.split(',');
      expect(new Set(header).size).toBe(header.length);
      for (const column of ['nps_lift', 'nps_lift_low', 'nps_lift_high', 'npv', 'roi', 'cost_total', 'payback_months', 'lift_per_million']) expect(header).toContain(column);
    }
  });
  test('a control character in a stored name never reaches the CSV raw', () => {
    expect(csvCell('a\u0000b\u001b[31m')).toBe('a\ufffdb\ufffd[31m');
  });
});

describe('ranking initiatives that share one driver model', () => {
  test('is surer of the order when the two lifts move together under the model’s replicates, and less sure when they move apart', () => {
    const z = 1.6448536269514722;
    const together = [1, -1, 0.5, -0.5].map((d) => d * 0.8);
    const apart = together.map((d) => -d);
    const independent = rankInitiatives(forecast([['a', outcome(3, 2, null, 1e6, null)], ['b', outcome(2, 2, null, 1e6, null)]]), 'npsLift');
    const shared = rankInitiatives(forecast([['a', outcome(3, 2, null, 1e6, null, together)], ['b', outcome(2, 2, null, 1e6, null, together)]]), 'npsLift');
    const opposed = rankInitiatives(forecast([['a', outcome(3, 2, null, 1e6, null, together)], ['b', outcome(2, 2, null, 1e6, null, apart)]]), 'npsLift');
    const s = 2 / z;
    const cov = together.reduce((a, d) => a + d * d, 0) / together.length;
    expect(independent[0]!.probabilityAboveNext).toBeCloseTo(normalCdf(1 / Math.sqrt(2 * s * s)), 12);
    expect(shared[0]!.probabilityAboveNext).toBeCloseTo(normalCdf(1 / Math.sqrt(2 * s * s - 2 * cov)), 12);
    expect(opposed[0]!.probabilityAboveNext).toBeCloseTo(normalCdf(1 / Math.sqrt(2 * s * s + 2 * cov)), 12);
    expect(shared[0]!.probabilityAboveNext!).toBeGreaterThan(independent[0]!.probabilityAboveNext!);
  });
});

describe('the difference between two forecasts', () => {
  const base = { level: 0.9, modelId: 'm' };
  test('on one model is narrower when they move together and wider when they move apart; on two models it is the independent one', async () => {
    const { difference } = await import('../../model/scenario/compare.js');
    const reps = [0.5, -0.5, 1, -1];
    const a = { ...base, value: 3, interval: [1, 5] as [number, number], replicates: reps };
    const b = { ...base, value: 2, interval: [0, 4] as [number, number], replicates: reps };
    const independent = difference({ ...a, replicates: null }, { ...b, replicates: null });
    const shared = difference(a, b);
    const opposed = difference(a, { ...b, replicates: reps.map((x) => -x) });
    const otherModel = difference(a, { ...b, modelId: 'n' });
    const width = (d: { interval: [number, number] }): number => d.interval[1] - d.interval[0];
    expect(independent.correlated).toBe(false);
    expect(width(independent)).toBeCloseTo(2 * Math.SQRT2 * 2, 9);
    expect(shared.correlated).toBe(true);
    expect(width(shared)).toBeLessThan(width(independent));
    expect(width(opposed)).toBeGreaterThan(width(independent));
    expect(width(otherModel)).toBeCloseTo(width(independent), 12);
    expect(shared.value).toBe(1);
  });
});
