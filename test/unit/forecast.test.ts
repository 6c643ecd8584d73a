import { describe, expect, test } from 'vitest';
import type { Attribute, RespondentColumns } from '../../model/dataset.js';
import { ModelRequestSchema } from '../../model/drivers/contract.js';
import { fitDriverModel } from '../../model/drivers/driverModel.js';
import { buildPopulation, type Population } from '../../model/drivers/population.js';
import { DEFAULT_ECONOMICS, ScenarioInputSchema, type ScenarioInputRaw } from '../../model/scenario/contract.js';
import { forecastScenario, rampShare, reaches } from '../../model/scenario/forecast.js';
import { TRUTH_INITIATIVES } from '../support/scenarios.js';
import { trueLift, truthPopulation } from '../support/truth.js';

const scenarioOf = (initiatives: ScenarioInputRaw['initiatives'], extra: Partial<ScenarioInputRaw> = {}) =>
  ScenarioInputSchema.parse({ name: 'test', modelId: 'mdl_test', initiatives, ...extra });

/** Eleven one-respondent accounts A0…A10 with ltr = rating = 0…10: least squares fits ltr = x exactly. */
function staircase(): Population {
  const n = 11;
  const attributes: Attribute[] = [{ name: 'x', kind: 'other', scale: [0, 10] }];
  const chunk: RespondentColumns = {
    size: n,
    attributes: ['x'],
    respondentId: Array.from({ length: n }, (_, i) => `r${i}`),
    accountId: Array.from({ length: n }, (_, i) => `A${i}`),
    segment: new Array<string>(n).fill('all'),
    role: new Array<string | null>(n).fill(null),
    wave: new Array<string | null>(n).fill(null),
    accountRevenue: Float64Array.from({ length: n }, (_, i) => (i === 8 ? 1_000_000 : Number.NaN)),
    ltr: Uint8Array.from({ length: n }, (_, i) => i),
    ratings: [Float64Array.from({ length: n }, (_, i) => i)],
  };
  const b = buildPopulation(attributes, [chunk], { segmentBy: 'none' });
  if (!b.ok) throw new Error(b.detail);
  return b.population;
}

describe('economics, checked by hand', () => {
  test('a passive account that becomes a promoter: yearly impact, NPV, discounted cost, ROI, payback and lift per million', () => {
    const pop = staircase();
    const fitted = fitDriverModel(pop, ModelRequestSchema.parse({ datasetId: 'ds', method: 'ols', segmentBy: 'none' }));
    if (!fitted.ok) throw new Error(fitted.detail);
    const scenario = scenarioOf([{ id: 'lift-a8', name: 'Lift A8', effects: [{ attribute: 'x', op: 'add', value: 1 }], target: { accounts: ['A8'] }, cost: { oneTime: 100_000, annual: 50_000 } }], {
      horizonYears: 3,
      discountRate: 0.1,
    });
    const result = forecastScenario(fitted.model, pop, scenario, { modelId: 'm', computedAt: 't' });
    if (!result.ok) throw new Error(result.detail);
    const out = result.forecast.initiatives[0]!;
    // The respondent at 8 moves to 9 (a promoter): NPS +1/11.
    expect(out.nps.lift).toBeCloseTo(100 / 11, 9);
    // Default economics: passive ρ = 0.85 + 0.02 = 0.87, promoter ρ = 0.95 + 0.08 + 0.03 = 1.06.
    const vP = 1.06;
    const vA = 0.87;
    expect(DEFAULT_ECONOMICS.promoter.retention + DEFAULT_ECONOMICS.promoter.expansion + DEFAULT_ECONOMICS.promoter.referral - DEFAULT_ECONOMICS.promoter.costToServe).toBeCloseTo(vP, 12);
    const yearly = [1, 2, 3].map((t) => 1_000_000 * (vP ** t - vA ** t)); // 190,000; 366,700; 532,513.2
    expect(yearly[0]).toBeCloseTo(190_000, 6);
    out.revenue!.yearly.forEach((v, t) => expect(v).toBeCloseTo(yearly[t]!, 4));
    const npv = yearly[0]! / 1.1 + yearly[1]! / 1.21 + yearly[2]! / 1.331; // 875,870.1
    expect(out.revenue!.npv).toBeCloseTo(npv, 4);
    const cost = 100_000 + 50_000 * (1 / 1.1 + 1 / 1.21 + 1 / 1.331); // 224,342.6
    expect(out.cost.total).toBeCloseTo(cost, 6);
    expect(out.roi!.estimate).toBeCloseTo((npv - cost) / cost, 9);
    expect(out.liftPerMillion).toBeCloseTo(100 / 11 / (cost / 1e6), 9);
    // Payback: −100,000 at month 0, then (190,000 − 50,000)/12 a month, discounted monthly at 10 % a year.
    let cum = -100_000;
    let month = 0;
    while (cum < 0) {
      month++;
      cum += (140_000 / 12) * 1.1 ** (-month / 12);
    }
    expect(out.paybackMonths).toBe(month);
    expect(month).toBe(9);
    // A perfect fit has no model uncertainty; one account in eleven moved, so sampling noise remains.
    expect(out.nps.interval[0]).toBeLessThanOrEqual(out.nps.lift);
    expect(out.nps.interval[1]).toBeGreaterThanOrEqual(out.nps.lift);
  });

  test('a ramp delays revenue: average share of the full effect per year', () => {
    expect(rampShare(1, 0)).toBe(1);
    expect(rampShare(1, 12)).toBeCloseTo(78 / 144, 12); // (1 + 2 + … + 12)/12/12
    expect(rampShare(2, 12)).toBe(1);
    expect(rampShare(1, 6)).toBeCloseTo((21 / 6 + 6) / 12, 12);
  });
});

describe('forecasts on the known-truth population (20,000 respondents)', () => {
  test('each initiative is within 2 points of its true lift, and 90 % intervals cover the truth in at least 85 % of seeded repetitions', () => {
    let covered = 0;
    let total = 0;
    const errors: number[] = [];
    for (const seed of [1, 2, 3, 4, 5, 6, 7, 8]) {
      const truth = truthPopulation(seed * 7919, 20_000);
      const built = buildPopulation(truth.attributes, [truth.columns], { segmentBy: 'segment' });
      if (!built.ok) throw new Error(built.detail);
      const pop = built.population;
      const fitted = fitDriverModel(pop, ModelRequestSchema.parse({ datasetId: 'truth' }));
      if (!fitted.ok) throw new Error(fitted.detail);
      const scenario = scenarioOf(TRUTH_INITIATIVES);
      const result = forecastScenario(fitted.model, pop, scenario, { modelId: 'm', computedAt: 't' });
      if (!result.ok) throw new Error(result.detail);
      for (const [i, initiative] of scenario.initiatives.entries()) {
        const accounts = pop.levels.account.filter((_, a) => reaches(a, initiative.id, initiative.reach));
        const t = trueLift(truth, { changes: initiative.effects, target: { ...initiative.target, ...(initiative.reach < 1 ? { accounts } : {}) } }).lift;
        const out = result.forecast.initiatives[i]!;
        errors.push(Math.abs(out.nps.lift - t));
        expect(Math.abs(out.nps.lift - t)).toBeLessThanOrEqual(2);
        if (out.nps.interval[0] <= t && t <= out.nps.interval[1]) covered++;
        total++;
      }
    }
    console.log(`forecast lifts: MAE ${(errors.reduce((a, b) => a + b, 0) / errors.length).toFixed(3)} points, worst ${Math.max(...errors).toFixed(3)}; 90 % intervals covered the true lift ${covered}/${total}`);
    expect(covered / total).toBeGreaterThanOrEqual(0.85);
  });
});

describe('portfolio and uncertainty', () => {
  const truth = truthPopulation(42, 8000);
  const built = buildPopulation(truth.attributes, [truth.columns], { segmentBy: 'segment' });
  if (!built.ok) throw new Error(built.detail);
  const pop = built.population;
  const fitted = fitDriverModel(pop, ModelRequestSchema.parse({ datasetId: 'truth' }));
  if (!fitted.ok) throw new Error(fitted.detail);
  const model = fitted.model;
  const forecast = (initiatives: ScenarioInputRaw['initiatives'], extra: Partial<ScenarioInputRaw> = {}) => {
    const r = forecastScenario(model, pop, scenarioOf(initiatives, extra), { modelId: 'm', computedAt: 't' });
    if (!r.ok) throw new Error(r.detail);
    return r.forecast;
  };

  test('two initiatives on the same attribute forecast less together than the sum of their lifts when the top box saturates', () => {
    const f = forecast([
      { id: 'first', name: 'First', effects: [{ attribute: 'support', op: 'add', value: 3 }], cost: { oneTime: 1 } },
      { id: 'second', name: 'Second', effects: [{ attribute: 'support', op: 'add', value: 3 }], cost: { oneTime: 1 } },
    ]);
    const sum = f.initiatives[0]!.nps.lift + f.initiatives[1]!.nps.lift;
    expect(f.portfolio.nps.lift).toBeLessThan(sum);
    expect(f.portfolio.nps.lift).toBeGreaterThan(f.initiatives[0]!.nps.lift);
  });

  test('an effect range widens the interval; the same request gives the same numbers', () => {
    const sure = forecast([{ id: 'a', name: 'A', effects: [{ attribute: 'reliability', op: 'add', value: 1 }], cost: { oneTime: 1 } }]);
    const unsure = forecast([{ id: 'a', name: 'A', effects: [{ attribute: 'reliability', op: 'add', value: 1, range: [0.4, 1.6] }], cost: { oneTime: 1 } }]);
    const width = (f: typeof sure) => f.initiatives[0]!.nps.interval[1] - f.initiatives[0]!.nps.interval[0];
    expect(unsure.initiatives[0]!.nps.lift).toBe(sure.initiatives[0]!.nps.lift);
    expect(width(unsure)).toBeGreaterThan(2 * width(sure));
    const again = forecast([{ id: 'a', name: 'A', effects: [{ attribute: 'reliability', op: 'add', value: 1, range: [0.4, 1.6] }], cost: { oneTime: 1 } }]);
    expect(again).toEqual(unsure);
  });

  test('reach picks about that share of the targeted accounts, the same ones alone and in the portfolio', () => {
    const f = forecast([
      { id: 'half', name: 'Half', effects: [{ attribute: 'onboarding', op: 'add', value: 1 }], reach: 0.5, cost: { oneTime: 1 } },
      { id: 'all', name: 'All', effects: [{ attribute: 'delivery', op: 'add', value: 1 }], cost: { oneTime: 1 } },
    ]);
    const half = f.initiatives[0]!;
    expect(half.reached / half.targeted).toBeGreaterThan(0.45);
    expect(half.reached / half.targeted).toBeLessThan(0.55);
    expect(f.initiatives[1]!.reached).toBe(pop.n);
  });

  test('a segment whose lift is not distinguishable from zero says so', () => {
    const f = forecast([{ id: 'smb-only', name: 'SMB only', effects: [{ attribute: 'onboarding', op: 'add', value: 1 }], target: { segments: ['smb'] }, cost: { oneTime: 1 } }]);
    const out = f.initiatives[0]!;
    expect(out.bySegment.smb!.distinguishable).toBe(true);
    expect(out.bySegment.enterprise!.lift).toBe(0);
    expect(out.bySegment.enterprise!.distinguishable).toBe(false);
  });

  test('bad initiatives are refused with the field at fault', () => {
    const cases: [ScenarioInputRaw['initiatives'], Partial<ScenarioInputRaw>, string][] = [
      [[{ id: 'a', name: 'A', effects: [{ attribute: 'nope', op: 'add', value: 1 }], cost: {} }], {}, 'initiatives[0].effects[0].attribute'],
      [[{ id: 'a', name: 'A', effects: [{ attribute: 'support', op: 'add', value: 1, range: [1.5, 2] }], cost: {} }], {}, 'initiatives[0].effects[0].range'],
      [[{ id: 'a', name: 'A', effects: [{ attribute: 'support', op: 'add', value: 1 }], target: { segments: ['mars'] }, cost: {} }], {}, 'initiatives[0].target.segments[0]'],
      [[{ id: 'a', name: 'A', effects: [{ attribute: 'support', op: 'add', value: 1 }], cost: {} }], { revenueBase: { atlantis: 5 } }, 'revenueBase.atlantis'],
      [[{ id: 'a', name: 'A', effects: [{ attribute: 'support', op: 'add', value: 1 }], cost: {} }], { roleWeights: { janitor: 2 } }, 'roleWeights.janitor'],
    ];
    for (const [initiatives, extra, field] of cases) {
      const r = forecastScenario(model, pop, scenarioOf(initiatives, extra), { modelId: 'm', computedAt: 't' });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(r.field).toBe(field);
    }
  });

  test('revenueBase extrapolates to the whole book; without revenue, no revenue figures', () => {
    const without = forecast([{ id: 'a', name: 'A', effects: [{ attribute: 'support', op: 'add', value: 1 }], cost: { oneTime: 100_000 } }]);
    expect(without.initiatives[0]!.revenue).toBeNull();
    expect(without.assumptions.revenueSource).toBe('none');
    const small = forecast([{ id: 'a', name: 'A', effects: [{ attribute: 'support', op: 'add', value: 1 }], cost: { oneTime: 100_000 } }], { revenueBase: { smb: 1e7, mid_market: 2e7, enterprise: 5e7 } });
    const big = forecast([{ id: 'a', name: 'A', effects: [{ attribute: 'support', op: 'add', value: 1 }], cost: { oneTime: 100_000 } }], { revenueBase: { smb: 2e7, mid_market: 4e7, enterprise: 1e8 } });
    expect(small.initiatives[0]!.revenue!.npv).toBeGreaterThan(0);
    expect(big.initiatives[0]!.revenue!.npv / small.initiatives[0]!.revenue!.npv).toBeCloseTo(2, 9);
    const r = small.initiatives[0]!.revenue!;
    expect(r.interval[0]).toBeLessThan(r.npv);
    expect(r.interval[1]).toBeGreaterThan(r.npv);
  });
});
