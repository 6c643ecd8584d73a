/**
 * What the dashboard's panels compute before they draw (web/src/drivers.ts, waterfall.ts,
 * rankingCells.ts, portfolio.ts, labelPlacement.ts): small hand-checked inputs, with the
 * arithmetic written next to each expectation.
 */
import { describe, expect, it } from 'vitest';
import type { DriverModel, Forecast, InitiativeForecast, OptimizationResult, RankedInitiative } from '../../web/src/contract.js';
import { attributeRows, kindsOf } from '../../web/src/drivers.js';
import { MINUS } from '../../web/src/format.js';
import { overlapArea, placeLabel } from '../../web/src/labelPlacement.js';
import { budgetRange, frontierPoints, isOptimizationJob, selectedPoint } from '../../web/src/portfolio.js';
import { METRIC_NAMES, netInterval, rankingCells, sortOrder } from '../../web/src/rankingCells.js';
import { OVERLAP_COLOUR, TOTAL_COLOUR } from '../../web/src/theme.js';
import { waterfall } from '../../web/src/waterfall.js';

describe('attributeRows', () => {
  const model: DriverModel = {
    status: 'ready',
    attributes: [
      { name: 'ease', kind: 'product', scale: [0, 10] },
      { name: 'support', kind: 'service', scale: [0, 10] },
      { name: 'constructor', kind: 'constructor', scale: [0, 10] },
    ],
    // Positive shares sum to 0.30 + 0.10 = 0.40; the negative one counts as 0.
    importance: [
      { attribute: 'support', share: 0.1, performance: 6 },
      { attribute: 'ease', share: 0.3, performance: 8 },
      { attribute: 'constructor', share: -0.02, performance: 5 },
    ],
  };

  it('gives each attribute its share of the positive importance, most important first, with the dataset’s label', () => {
    const set = attributeRows(model, new Map([['support', 'Responsiveness of support']]));

    expect(set.sameScale).toBe(true);
    expect(set.scale).toEqual([0, 10]);
    expect(set.rows.map((r) => [r.name, r.label, r.kind, r.performance])).toEqual([
      ['ease', 'Ease', 'product', 8],
      ['support', 'Responsiveness of support', 'service', 6],
      ['constructor', 'Constructor', 'other', 5], // an unknown kind, even one named like a prototype property
    ]);
    expect(set.rows.map((r) => r.importance)).toEqual([75, 25, 0]); // 0.30/0.40, 0.10/0.40, clamped
  });

  it('compares attributes on different scales as a share of each one’s scale', () => {
    const mixed: DriverModel = {
      status: 'ready',
      attributes: [
        { name: 'ease', kind: 'product', scale: [0, 10] },
        { name: 'price', kind: 'product', scale: [1, 5] },
      ],
      importance: [
        { attribute: 'ease', share: 0.2, performance: 7 },
        { attribute: 'price', share: 0.2, performance: 4 },
      ],
    };

    const set = attributeRows(mixed, new Map());

    expect(set.sameScale).toBe(false);
    expect(set.scale).toBeNull();
    expect(set.rows.map((r) => r.performance)).toEqual([70, 75]); // (7−0)/10, (4−1)/4
  });

  it('lists the kinds present in legend order', () => {
    expect(kindsOf(attributeRows(model, new Map()).rows)).toEqual(['product', 'service', 'other']);
    expect(kindsOf(attributeRows({ ...model, importance: model.importance?.slice(0, 1) }, new Map()).rows)).toEqual(['service']);
  });
});

function initiative(id: string, lift: number, cost: number, extra: Partial<InitiativeForecast> = {}): InitiativeForecast {
  return {
    id,
    name: `Initiative ${id}`,
    nps: { baseline: 10, predicted: 10 + lift, lift, interval: [lift - 1, lift + 1], respondents: 100 },
    revenue: { npv: 3 * cost, interval: [cost, 5 * cost] },
    cost: { oneTime: cost, annual: 0, total: cost },
    roi: { estimate: 2, interval: [0, 4] },
    paybackMonths: 12,
    ...extra,
  };
}

describe('waterfall', () => {
  it('runs from today’s NPS through each lift, largest first, and the overlap bar ends at the portfolio forecast', () => {
    // Lifts 1.0 and 2.5 sum to 3.5; the portfolio lifts 3.0, so overlap is −0.5 and the bars end at 10 + 3 = 13.
    const forecast: Forecast = {
      modelId: 'm',
      computedAt: '2026-01-01T00:00:00Z',
      intervalLevel: 0.9,
      currency: 'USD',
      baseline: { nps: 10, bySegment: {} },
      initiatives: [initiative('small', 1, 100), initiative('large', 2.5, 100)],
      portfolio: { ...initiative('p', 3, 200), nps: { baseline: 10, predicted: 13, lift: 3, interval: [2, 4], respondents: 100 } },
    };

    const w = waterfall(forecast, new Map([['large', '#111111'], ['small', '#222222']]));

    expect(w.bars.map((b) => [b.label, b.from ?? null, b.to, b.colour])).toEqual([
      ['NPS today', null, 10, TOTAL_COLOUR],
      ['Initiative large', 10, 12.5, '#111111'],
      ['Initiative small', 12.5, 13.5, '#222222'],
      ['Overlap and saturation', 13.5, 13, OVERLAP_COLOUR],
      ['NPS with all initiatives', null, 13, TOTAL_COLOUR],
    ]);
    expect(w.sum).toBe(3.5);
    expect(w.bars[3]?.text).toBe(`${MINUS}0.5`);
    expect(w.bars[4]?.text).toBe('13.0 (+3.0)');
    expect(w.lo).toBe(9); // floor(10 − 1)
    expect(w.top).toBeGreaterThanOrEqual(13.5);
  });
});

describe('rankingCells', () => {
  const money = (v: number | null | undefined): string => (v === null || v === undefined ? '–' : `$${v}`);
  const item: RankedInitiative = {
    rank: 1,
    id: 'a',
    name: 'A',
    value: 0.5,
    interval: [0.1, 0.9],
    probabilityAboveNext: 0.874,
    npsLift: 2,
    npsInterval: [1, 3],
    npv: -50,
    roi: -0.25,
    cost: 500_000,
    paybackMonths: null,
    liftPerMillion: 4,
  };
  const outcome = initiative('a', 2, 500_000);

  it('marks the ranked column, writes losses in red, and takes the ranked metric’s interval from the ranking', () => {
    const cells = rankingCells(item, 'roi', outcome, { money, horizon: '3 years' });

    expect(cells.map((c) => c.className)).toEqual(['num', 'num neg', 'num ranked neg', 'num', 'num', 'num', 'num']);
    expect(cells[2]).toEqual({ className: 'num ranked neg', main: `${MINUS}25%`, interval: '[10%, 90%]' });
    // Net value's interval from the forecast: revenue [500k, 2.5M] less the cost of 500k.
    expect(cells[1]?.interval).toBe('[$0, $2000000]');
    expect(cells[4]?.main).toBe('beyond 3 years');
    expect(cells[6]?.main).toBe('87%');
  });

  it('writes NPS per million from the row’s own lift (the segment’s, when one is chosen) unless ranked by it', () => {
    // 2 points for 0.5M: 4 per million, interval [1, 3] / 0.5 = [2, 6].
    const byLift = rankingCells({ ...item, npsLift: 2 }, 'npsLift', outcome, { money, horizon: '3 years' });
    expect(byLift[5]).toEqual({ className: 'num', main: '+4.00', interval: '[+2.00, +6.00]' });
    expect(byLift[0]).toEqual({ className: 'num ranked', main: '+2.0', interval: '[+0.1, +0.9]' });

    const byPerMillion = rankingCells({ ...item, value: 3.5 }, 'liftPerMillion', outcome, { money, horizon: '3 years' });
    expect(byPerMillion[5]).toEqual({ className: 'num ranked', main: '+3.50', interval: '[+0.10, +0.90]' });

    const free = rankingCells({ ...item, cost: 0 }, 'roi', outcome, { money, horizon: '3 years' });
    expect(free[5]).toEqual({ className: 'num', main: '–', interval: '' });
  });

  it('ranks payback shortest first and names every metric', () => {
    expect(sortOrder('paybackMonths')).toBe('ascending');
    expect(sortOrder('npv')).toBe('descending');
    expect([...METRIC_NAMES.keys()].sort()).toEqual(['liftPerMillion', 'npsLift', 'npv', 'paybackMonths', 'roi']);
    expect(netInterval({ ...outcome, revenue: null })).toBeNull();
  });
});

describe('the optimiser’s arithmetic', () => {
  it('spans the slider from nothing to the whole programme, on round steps, starting at half', () => {
    // 6.77M in total: step niceStep(33,850) = 50,000; max 6.8M; half is 3.385M → 3.4M on the step.
    const range = budgetRange([initiative('a', 1, 4_000_000), initiative('b', 1, 2_770_000)]);

    expect(range).toEqual({ step: 50_000, max: 6_800_000, initial: 3_400_000 });
  });

  const result = (selected: string[], cost: number, objective: number): OptimizationResult => ({
    objective: 'npv',
    selected,
    value: { cost, objective, npsLift: 1 },
    forecast: null,
    frontier: [],
  });

  it('draws the frontier from the empty portfolio, keeps only portfolios better than every cheaper one, and runs flat to the end', () => {
    const frontier: OptimizationResult['frontier'] = [
      { budget: 100, cost: 90, objective: 50, npsLift: 1, selected: ['a'] },
      { budget: 200, cost: 150, objective: 40, npsLift: 1, selected: ['b'] }, // worse than a cheaper one: dropped
      { budget: 300, cost: 280, objective: 120, npsLift: 2, selected: ['a', 'c'] },
    ];

    const points = frontierPoints(frontier, result(['b', 'd'], 200, 80), 400);

    expect(points).toEqual([
      { x: 0, y: 0, ids: [] },
      { x: 90, y: 50, ids: ['a'] },
      { x: 200, y: 80, ids: ['b', 'd'] },
      { x: 280, y: 120, ids: ['a', 'c'] },
      { x: 400, y: 120, ids: ['a', 'c'], extension: true },
    ]);
    expect(selectedPoint(null)).toEqual([]);
    expect(selectedPoint({ ...result([], 0, 0), value: null })).toEqual([]);
  });

  it('tells the worker’s record of an optimisation from a result', () => {
    expect(isOptimizationJob({ id: 'opt_1', status: 'running', scenarioVersion: 3 })).toBe(true);
    expect(isOptimizationJob(result(['a'], 1, 1))).toBe(false);
    expect(isOptimizationJob(null)).toBe(false);
  });
});

describe('label placement', () => {
  const area = { left: 0, right: 200, top: 0, bottom: 100 };

  it('puts a label right of its point when that is free, and elsewhere when it is taken', () => {
    // Right of (50, 50): x = 50 + 9, y = 50 − 13/2.
    expect(placeLabel({ x: 50, y: 50 }, 40, 13, area, [])).toEqual({ x: 59, y: 43.5, w: 40, h: 13 });

    const taken = [{ x: 55, y: 40, w: 50, h: 20 }];
    const moved = placeLabel({ x: 50, y: 50 }, 40, 13, area, taken);

    expect(overlapArea(moved, taken[0]!)).toBe(0);
    expect(moved).toEqual({ x: 1, y: 43.5, w: 40, h: 13 }); // the left side: 50 − 9 − 40
  });

  it('stays inside the plot at its edge, covering as little as it can when nothing is free', () => {
    const nearEdge = placeLabel({ x: 195, y: 50 }, 40, 13, area, []);
    expect(nearEdge.x + nearEdge.w).toBeLessThanOrEqual(area.right);

    const everything = [{ x: 0, y: 0, w: 200, h: 100 }];
    const least = placeLabel({ x: 100, y: 50 }, 40, 13, area, everything);
    expect(least.x).toBeGreaterThanOrEqual(area.left);
    expect(least.x + least.w).toBeLessThanOrEqual(area.right);
  });

  it('measures the overlap of two boxes', () => {
    expect(overlapArea({ x: 0, y: 0, w: 10, h: 10 }, { x: 5, y: 5, w: 10, h: 10 })).toBe(25);
    expect(overlapArea({ x: 0, y: 0, w: 10, h: 10 }, { x: 10, y: 0, w: 10, h: 10 })).toBe(0);
  });
});
