import { describe, expect, test } from 'vitest';
import { ModelRequestSchema } from '../../model/drivers/contract.js';
import { fitDriverModel } from '../../model/drivers/driverModel.js';
import { buildPopulation } from '../../model/drivers/population.js';
import { ScenarioInputSchema, type ScenarioInputRaw } from '../../model/scenario/contract.js';
import { prepareScenario, type PreparedScenario } from '../../model/scenario/forecast.js';
import { optimizePortfolio, OptimizeRequestSchema, type OptimizeProblem } from '../../model/scenario/optimize.js';
import { truthPopulation } from '../support/truth.js';

const truth = truthPopulation(77, 6000);
for (let i = 0; i < truth.columns.size; i++) truth.columns.accountRevenue[i] = 40_000 + 500 * (i % 50);
const built = buildPopulation(truth.attributes, [truth.columns], { segmentBy: 'segment' });
if (!built.ok) throw new Error(built.detail);
const fitted = fitDriverModel(built.population, ModelRequestSchema.parse({ datasetId: 'truth' }));
if (!fitted.ok) throw new Error(fitted.detail);

/** Overlapping initiatives: several on the same attributes and segments, so lifts do not add up. */
function initiatives(n: number): ScenarioInputRaw['initiatives'] {
  const attrs = ['support', 'reliability', 'onboarding', 'ease_of_use'];
  const segs = ['smb', 'mid_market', 'enterprise'];
  return Array.from({ length: n }, (_, i) => ({
    id: `i${i}`,
    name: `Initiative ${i}`,
    effects: [{ attribute: attrs[i % 4]!, op: 'add' as const, value: 0.8 + 0.4 * ((i * 7) % 5) }],
    ...(i % 3 === 0 ? {} : { target: { segments: [segs[i % 3]!] } }),
    cost: { oneTime: 50_000 + 37_000 * ((i * 5) % 7), annual: 10_000 * (i % 3) },
  }));
}

function problemOf(n: number, objective: 'npv' | 'npsLift'): { prepared: PreparedScenario; problem: OptimizeProblem } {
  const scenario = ScenarioInputSchema.parse({ name: 'opt', modelId: 'm', initiatives: initiatives(n) });
  const prepared = prepareScenario(fitted.ok ? fitted.model : (null as never), built.ok ? built.population : (null as never), scenario, { modelId: 'm', computedAt: 't' });
  if (!prepared.ok) throw new Error(prepared.detail);
  return {
    prepared,
    problem: {
      ids: prepared.ids,
      costs: prepared.costs,
      evaluate: (subset) => {
        const v = prepared.value(subset);
        return { objective: objective === 'npv' ? v.netValue! : v.npsLift, npsLift: v.npsLift, cost: v.cost };
      },
    },
  };
}

/** Every subset through the model: the answer the optimiser must match. */
function bruteForce(problem: OptimizeProblem, budget: number): { subset: number[]; objective: number } {
  let best = { subset: [] as number[], objective: 0 };
  for (let mask = 1; mask < 1 << problem.ids.length; mask++) {
    const subset = problem.ids.map((_, j) => j).filter((j) => mask & (1 << j));
    const cost = subset.reduce((s, j) => s + problem.costs[j]!, 0);
    if (cost > budget) continue;
    const v = problem.evaluate(subset);
    if (v.objective > best.objective) best = { subset, objective: v.objective };
  }
  return best;
}

describe('budget optimiser', () => {
  test('portfolios of overlapping initiatives are worth less than the sum of their parts', () => {
    const { problem } = problemOf(8, 'npsLift');
    const together = problem.evaluate([0, 4]).objective; // both on support, everyone
    expect(together).toBeLessThan(problem.evaluate([0]).objective + problem.evaluate([4]).objective);
  });

  for (const objective of ['npsLift', 'npv'] as const)
    test(`both the exact search and the pairwise-expansion search equal brute force through the model (8 initiatives, ${objective}), and never exceed the budget`, () => {
      const { problem } = problemOf(8, objective);
      const total = problem.costs.reduce((a, b) => a + b, 0);
      for (const share of [0.25, 0.5, 0.8]) {
        const budget = share * total;
        const brute = bruteForce(problem, budget);
        const exact = optimizePortfolio(problem, OptimizeRequestSchema.parse({ budget, objective }));
        if (!exact.ok) throw new Error(exact.detail);
        expect(exact.method).toBe('exact'); // 256 subsets of a 6,000-respondent population fit the time budget
        expect(exact.value.objective).toBeCloseTo(brute.objective, 9);
        const result = optimizePortfolio(problem, OptimizeRequestSchema.parse({ budget, objective }), { method: 'exhaustive' });
        if (!result.ok) throw new Error(result.detail);
        expect(result.method).toBe('exhaustive');
        expect(result.value.objective).toBeCloseTo(brute.objective, 6);
        expect(result.value.cost).toBeLessThanOrEqual(budget);
        for (const point of result.frontier) expect(point.cost).toBeLessThanOrEqual(point.budget * (1 + 1e-12));
        for (let l = 1; l < result.frontier.length; l++) expect(result.frontier[l]!.objective).toBeGreaterThanOrEqual(result.frontier[l - 1]!.objective);
      }
    });

  test('the caller’s clock, not the machine’s, decides whether every subset is evaluated through the model', () => {
    const { problem } = problemOf(8, 'npsLift');
    const request = OptimizeRequestSchema.parse({ budget: 0.5 * problem.costs.reduce((a, b) => a + b, 0), objective: 'npsLift' });
    // A clock advancing `step` ms per reading: the 3 probe evaluations take `step` ms in all, so all
    // 2⁸ subsets cost 256·step/3 ms against the 4,000 ms budget.
    const ticking = (step: number) => {
      let t = 0;
      return () => (t += step);
    };

    const fast = optimizePortfolio(problem, request, { now: ticking(1) }); // 85 ms
    const slow = optimizePortfolio(problem, request, { now: ticking(1000) }); // 85 s

    expect(fast.ok && fast.method).toBe('exact');
    expect(slow.ok && slow.method).toBe('exhaustive');
  });

  test('required and excluded initiatives are honoured; an impossible budget is a clear failure', () => {
    const { problem } = problemOf(6, 'npsLift');
    const budget = 0.6 * problem.costs.reduce((a, b) => a + b, 0);
    const r = optimizePortfolio(problem, OptimizeRequestSchema.parse({ budget, objective: 'npsLift', mustInclude: ['i5'], exclude: ['i0'] }));
    if (!r.ok) throw new Error(r.detail);
    expect(r.selected).toContain(5);
    expect(r.selected).not.toContain(0);
    const tooSmall = optimizePortfolio(problem, OptimizeRequestSchema.parse({ budget: 1, mustInclude: ['i1'] }));
    expect(tooSmall.ok === false && tooSmall.reason).toBe('infeasible');
    const unknown = optimizePortfolio(problem, OptimizeRequestSchema.parse({ budget, exclude: ['nope'] }));
    expect(unknown.ok === false && unknown.field).toBe('exclude[0]');
    const unreachable = optimizePortfolio(problem, OptimizeRequestSchema.parse({ budget, objective: 'npsLift', minNpsLift: 99 }));
    expect(unreachable.ok === false && unreachable.reason).toBe('infeasible');
  });

  test('the greedy search beyond 20 initiatives: its gap to the exhaustive answer, measured on 12', () => {
    const { problem } = problemOf(12, 'npsLift');
    const total = problem.costs.reduce((a, b) => a + b, 0);
    const gaps: number[] = [];
    for (const share of [0.2, 0.35, 0.5, 0.7]) {
      const request = OptimizeRequestSchema.parse({ budget: share * total, objective: 'npsLift' });
      const exact = optimizePortfolio(problem, request, { method: 'exhaustive' });
      const greedy = optimizePortfolio(problem, request, { method: 'greedy' });
      if (!exact.ok || !greedy.ok) throw new Error('optimiser failed');
      expect(greedy.value.cost).toBeLessThanOrEqual(share * total);
      gaps.push((exact.value.objective - greedy.value.objective) / exact.value.objective);
    }
    console.log(`greedy vs exhaustive on 12 initiatives: relative gaps ${gaps.map((g) => (100 * g).toFixed(2) + ' %').join(', ')}`);
    for (const g of gaps) expect(g).toBeLessThan(0.05);
  });
});
