/**
 * Known truth: what-if predictions against the true effect on a generated population (see
 * test/support/truth.ts), at 20,000 respondents. The model is fitted with `auto` — it is not told
 * the generator's structure.
 */
import { beforeAll, describe, expect, test } from 'vitest';
import { ModelRequestSchema, type DriverModel, type WhatIf } from '../../model/drivers/contract.js';
import { fitDriverModel, predictWhatIf } from '../../model/drivers/driverModel.js';
import { buildPopulation, type Population } from '../../model/drivers/population.js';
import { trueLift, truthPopulation, type TruthPopulation } from '../support/truth.js';
import { WHAT_IFS } from '../support/whatIfs.js';


let truth: TruthPopulation;
let population: Population;
let model: DriverModel;

beforeAll(() => {
  truth = truthPopulation(20261129, 20_000);
  const built = buildPopulation(truth.attributes, [truth.columns], { segmentBy: 'segment' });
  if (!built.ok) throw new Error(built.detail);
  population = built.population;
  const fitted = fitDriverModel(population, ModelRequestSchema.parse({ datasetId: 'truth' }));
  if (!fitted.ok) throw new Error(fitted.detail);
  model = fitted.model;
});

describe('what-if accuracy on a population with known truth (20,000 respondents)', () => {
  test('every predicted NPS lift is within 2 points of the true lift, mean absolute error under 0.5 overall and per segment', () => {
    const rows = WHAT_IFS.map(({ name, whatIf }) => {
      const predicted = predictWhatIf(model, population, whatIf);
      if (!predicted.ok) throw new Error(predicted.detail);
      const t = trueLift(truth, whatIf);
      return { name, predicted: predicted.result, truth: t };
    });
    const table = rows.map((r) => ({
      whatIf: r.name,
      true: r.truth.lift.toFixed(2),
      predicted: r.predicted.nps.lift.toFixed(2),
      error: (r.predicted.nps.lift - r.truth.lift).toFixed(2),
      ...Object.fromEntries(Object.keys(r.truth.bySegment).map((s) => [s, (r.predicted.bySegment[s]!.lift - r.truth.bySegment[s]!).toFixed(2)])),
    }));
    console.table(table);
    console.log('structure:', model.structure.chosen, JSON.stringify(model.structure.candidates));
    const errors = rows.map((r) => Math.abs(r.predicted.nps.lift - r.truth.lift));
    for (const e of errors) expect(e).toBeLessThanOrEqual(2);
    expect(errors.reduce((s, e) => s + e, 0) / errors.length).toBeLessThan(0.5);
    for (const s of ['smb', 'mid_market', 'enterprise']) {
      const segErrors = rows.map((r) => Math.abs(r.predicted.bySegment[s]!.lift - r.truth.bySegment[s]!));
      console.log(s, 'MAE', (segErrors.reduce((a, e) => a + e, 0) / segErrors.length).toFixed(3), 'max', Math.max(...segErrors).toFixed(3));
      expect(segErrors.reduce((a, e) => a + e, 0) / segErrors.length).toBeLessThan(0.5);
    }
  });
});

/** The naive approach: least squares on the 0–10 answer, each prediction rounded to an answer. */
function olsWithRounding(pop: Population, m: DriverModel, whatIf: WhatIf): number {
  const p = m.parameters;
  if (p.kind !== 'linear') throw new Error('rounding applies to the linear model');
  const k = pop.attributes.length;
  const idx = whatIf.changes.map((c) => pop.attributes.findIndex((a) => a.name === c.attribute));
  let before = 0;
  let after = 0;
  const group = (y: number): number => {
    const c = Math.min(10, Math.max(0, Math.round(y)));
    return c >= 9 ? 1 : c <= 6 ? -1 : 0;
  };
  for (let i = 0; i < pop.n; i++) {
    const g = pop.group[i]!;
    let y = p.intercepts[g]!;
    for (let j = 0; j < k; j++) y += p.slopes[g]![j]! * pop.columns[j]![i]!;
    const s = pop.levels.segment[pop.segment[i]!]!;
    const r = pop.levels.role[pop.role[i]!]!;
    const t = whatIf.target;
    let y2 = y;
    if ((!t?.segments || t.segments.includes(s)) && (!t?.roles || t.roles.includes(r)))
      whatIf.changes.forEach((c, n) => {
        const j = idx[n]!;
        const x = pop.columns[j]![i]!;
        const nx = c.op === 'add' ? Math.min(10, Math.max(0, x + c.value)) : c.op === 'atLeast' ? Math.max(x, c.value) : c.op === 'set' ? c.value : x + c.value * (10 - x);
        y2 += p.slopes[g]![j]! * (nx - x);
      });
    before += group(y);
    after += group(y2);
  }
  return (100 * (after - before)) / pop.n;
}

describe('the linear alternatives on the same population', () => {
  test('least squares with the interval counterfactual is threshold-aware; least squares with rounding fails the 2-point / 0.5 MAE bar', () => {
    const ols = fitDriverModel(population, ModelRequestSchema.parse({ datasetId: 'truth', method: 'ols' }));
    if (!ols.ok) throw new Error(ols.detail);
    const rows = WHAT_IFS.map(({ name, whatIf }) => {
      const t = trueLift(truth, whatIf).lift;
      const interval = predictWhatIf(ols.model, population, whatIf);
      if (!interval.ok) throw new Error(interval.detail);
      return { name, truth: t, interval: interval.result.nps.lift, rounding: olsWithRounding(population, ols.model, whatIf) };
    });
    console.table(rows.map((r) => ({ whatIf: r.name, true: r.truth.toFixed(2), olsInterval: r.interval.toFixed(2), olsRounding: r.rounding.toFixed(2) })));
    const mae = (key: 'interval' | 'rounding'): number => rows.reduce((s, r) => s + Math.abs(r[key] - r.truth), 0) / rows.length;
    const worst = (key: 'interval' | 'rounding'): number => Math.max(...rows.map((r) => Math.abs(r[key] - r.truth)));
    console.log(`OLS + interval counterfactual: MAE ${mae('interval').toFixed(2)}, worst ${worst('interval').toFixed(2)}; OLS + rounding: MAE ${mae('rounding').toFixed(2)}, worst ${worst('rounding').toFixed(2)}`);
    expect(mae('rounding') >= 0.5 || worst('rounding') > 2).toBe(true);
    // the threshold-aware linear what-if moves NPS for every change, however small
    for (const r of rows) expect(Math.abs(r.interval)).toBeGreaterThan(0);
  });
});
