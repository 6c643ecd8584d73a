import { beforeAll, describe, expect, test } from 'vitest';
import type { Attribute, RespondentColumns } from '../../model/dataset.js';
import { ModelRequestSchema, type DriverModel, type ModelRequestInput } from '../../model/drivers/contract.js';
import { fitDriverModel, predictWhatIf } from '../../model/drivers/driverModel.js';
import { fitLinear } from '../../model/drivers/linear.js';
import { populationMoments, residualMoments, sseOf } from '../../model/drivers/linearModel.js';
import { addColumns, createMoments } from '../../model/drivers/moments.js';
import { buildPopulation, type Population } from '../../model/drivers/population.js';
import { truthPopulation } from '../support/truth.js';

const request = (input: Partial<ModelRequestInput> = {}) => ModelRequestSchema.parse({ datasetId: 'ds', ...input });

function columnsOf(rows: { ltr: number; segment?: string; role?: string; account?: string; x: (number | null)[] }[], names: string[]): { attributes: Attribute[]; chunk: RespondentColumns } {
  const n = rows.length;
  return {
    attributes: names.map((name) => ({ name, kind: 'other', scale: [0, 10] })),
    chunk: {
      size: n,
      attributes: names,
      respondentId: rows.map((_, i) => `r${i}`),
      accountId: rows.map((r, i) => r.account ?? `a${i}`),
      segment: rows.map((r) => r.segment ?? 's'),
      role: rows.map((r) => r.role ?? null),
      wave: rows.map(() => null),
      accountRevenue: new Float64Array(n).fill(Number.NaN),
      ltr: Uint8Array.from(rows.map((r) => r.ltr)),
      ratings: names.map((_, j) => Float64Array.from(rows.map((r) => r.x[j] ?? Number.NaN))),
    },
  };
}

function build(rows: Parameters<typeof columnsOf>[0], names: string[], segmentBy: 'segment' | 'none' = 'segment'): Population {
  const { attributes, chunk } = columnsOf(rows, names);
  const b = buildPopulation(attributes, [chunk], { segmentBy });
  if (!b.ok) throw new Error(b.detail);
  return b.population;
}

describe('missing answers', () => {
  test('an unanswered rating takes its group mean, never zero, and a respondent answering under half is left out', () => {
    const pop = build(
      [
        { ltr: 8, segment: 'a', x: [4, 6, 2] },
        { ltr: 9, segment: 'a', x: [8, null, 4] },
        { ltr: 3, segment: 'b', x: [1, 1, null] },
        { ltr: 5, segment: 'b', x: [3, 3, 9] },
        { ltr: 7, segment: 'b', x: [null, null, 5] },
      ],
      ['p', 'q', 'r'],
    );
    expect(pop.n).toBe(4);
    expect(pop.missing.dropped).toBe(1);
    expect(pop.missing.imputed).toEqual([0, 1, 1]);
    expect(Array.from(pop.columns[1]!)).toEqual([6, 6, 1, 3]); // q of row 2 = mean of segment a (6)
    expect(Array.from(pop.columns[2]!)).toEqual([2, 4, 9, 9]); // r of row 3 = mean of segment b among kept rows (9)
  });

  test('an attribute no one answered is refused by name', () => {
    const { attributes, chunk } = columnsOf(
      [
        { ltr: 8, x: [4, null] },
        { ltr: 2, x: [6, null] },
      ],
      ['p', 'q'],
    );
    const b = buildPopulation(attributes, [chunk], { segmentBy: 'none', attributes: ['p', 'q'] });
    expect(b.ok).toBe(false);
    if (!b.ok) {
      expect(b.reason).toBe('unanswered-attribute');
      expect(b.attributes).toEqual(['q']);
    }
  });

  test('an unknown attribute is refused by name', () => {
    const { attributes, chunk } = columnsOf([{ ltr: 8, x: [4] }], ['p']);
    const b = buildPopulation(attributes, [chunk], { segmentBy: 'none', attributes: ['p', 'nope'] });
    expect(!b.ok && b.reason === 'unknown-attribute' && b.attributes?.[0] === 'nope').toBe(true);
  });
});

describe('fit failures are values naming what is wrong', () => {
  const rows = (n: number, f: (i: number) => { ltr: number; x: number[]; segment?: string }) => Array.from({ length: n }, (_, i) => f(i));
  test('a constant attribute', () => {
    const pop = build(rows(50, (i) => ({ ltr: i % 11, x: [i % 7, 5] })), ['p', 'flat'], 'none');
    const r = fitDriverModel(pop, request());
    expect(!r.ok && r.reason === 'constant-attribute' && r.attributes?.includes('flat')).toBe(true);
  });
  test('fewer respondents than attributes', () => {
    const pop = build(rows(3, (i) => ({ ltr: i * 3, x: [i, 2 * i % 5, 1 + i, 7 - i] })), ['a', 'b', 'c', 'd'], 'none');
    const r = fitDriverModel(pop, request());
    expect(!r.ok && r.reason).toBe('too-few-respondents');
  });
  test('every ltr the same', () => {
    const pop = build(rows(40, (i) => ({ ltr: 8, x: [i % 7, (i * 3) % 11] })), ['p', 'q'], 'none');
    const r = fitDriverModel(pop, request());
    expect(!r.ok && r.reason).toBe('constant-ltr');
  });
  test('a segment with 3 respondents is named', () => {
    const pop = build(rows(60, (i) => ({ ltr: (i * 7) % 11, x: [i % 9, (i * 5) % 11], segment: i < 3 ? 'tiny' : 'big' })), ['p', 'q']);
    const r = fitDriverModel(pop, request());
    expect(!r.ok && r.reason === 'small-segment' && r.segments?.[0] === 'tiny').toBe(true);
  });
});

describe('linear model algebra', () => {
  test('sseOf and residualMoments equal direct sums over the rows', () => {
    const t = truthPopulation(5, 500);
    const m = createMoments(8, { shift: 5 });
    addColumns(m, t.ratings, t.columns.ltr);
    const b = [0.3, -0.1, 0.2, 0, 0.5, 0.1, -0.2, 0.05];
    let direct = 0;
    for (let i = 0; i < 500; i++) {
      let yhat = 1.5;
      for (let j = 0; j < 8; j++) yhat += b[j]! * t.ratings[j]![i]!;
      direct += (t.columns.ltr[i]! - yhat) ** 2;
    }
    expect(sseOf(m, 1.5, b)).toBeCloseTo(direct, 6);
    // y' = y − xᵀb: its OLS slopes are the OLS slopes of y minus b
    const r = fitLinear(residualMoments(m, b), { method: 'ols' });
    const o = fitLinear(m, { method: 'ols' });
    if (!r.ok || !o.ok) throw new Error('fit failed');
    r.fit.coefficients.forEach((c, j) => expect(c.estimate).toBeCloseTo(o.fit.coefficients[j]!.estimate - b[j]!, 9));
  });

  test('pooling 0 gives each segment its own least squares; a huge pooling gives the overall slopes', () => {
    const t = truthPopulation(11, 3000);
    const b = buildPopulation(t.attributes, [t.columns], { segmentBy: 'segment' });
    if (!b.ok) throw new Error(b.detail);
    const pop = b.population;
    const separate = fitDriverModel(pop, request({ method: 'ols', options: { pooling: 0 } }));
    const pooled = fitDriverModel(pop, request({ method: 'ols', options: { pooling: 1e9 } }));
    if (!separate.ok || !pooled.ok) throw new Error('fit failed');
    const moments = populationMoments(pop, 5, 1);
    pop.levels.group.forEach((level, g) => {
      const own = fitLinear(moments.groups[g]!, { method: 'ols' });
      if (!own.ok) throw new Error(own.detail);
      separate.model.segments[level]!.coefficients.forEach((c, j) => expect(c.estimate).toBeCloseTo(own.fit.coefficients[j]!.estimate, 8));
      pooled.model.segments[level]!.coefficients.forEach((c, j) => expect(c.estimate).toBeCloseTo(pooled.model.fit.coefficients[j]!.estimate, 4));
    });
  });
});

describe('threshold-aware what-ifs', () => {
  let pop: Population;
  let model: DriverModel;
  let linear: DriverModel;
  beforeAll(() => {
    const t = truthPopulation(3, 4000);
    const b = buildPopulation(t.attributes, [t.columns], { segmentBy: 'segment' });
    if (!b.ok) throw new Error(b.detail);
    pop = b.population;
    const m = fitDriverModel(pop, request());
    const l = fitDriverModel(pop, request({ method: 'ols' }));
    if (!m.ok || !l.ok) throw new Error('fit failed');
    model = m.model;
    linear = l.model;
  });

  test('the baseline is the observed NPS', () => {
    const r = predictWhatIf(model, pop, { changes: [{ attribute: 'support', op: 'add', value: 1 }] });
    if (!r.ok) throw new Error(r.detail);
    let net = 0;
    for (let i = 0; i < pop.n; i++) net += pop.ltr[i]! >= 9 ? 1 : pop.ltr[i]! <= 6 ? -1 : 0;
    expect(r.result.nps.baseline).toBeCloseTo((100 * net) / pop.n, 10);
  });

  test('improving only promoters (a 9 → 10 move) changes NPS by exactly zero, for both estimators', () => {
    const promoterAccounts = [...new Set(Array.from({ length: pop.n }, (_, i) => i).filter((i) => pop.ltr[i]! >= 9).map((i) => pop.levels.account[pop.account[i]!]!))].filter((acc) => {
      const code = pop.levels.account.indexOf(acc);
      for (let i = 0; i < pop.n; i++) if (pop.account[i] === code && pop.ltr[i]! < 9) return false;
      return true;
    });
    expect(promoterAccounts.length).toBeGreaterThan(10);
    for (const m of [model, linear]) {
      const r = predictWhatIf(m, pop, { changes: [{ attribute: 'support', op: 'add', value: 2 }], target: { accounts: promoterAccounts } });
      if (!r.ok) throw new Error(r.detail);
      expect(r.result.targeted).toBeGreaterThan(10);
      expect(r.result.nps.lift).toBe(0);
    }
  });

  test('a shift too small to carry anyone across for sure still moves NPS by its expected share, proportionally', () => {
    for (const m of [model, linear]) {
      const lift = (v: number): number => {
        const r = predictWhatIf(m, pop, { changes: [{ attribute: 'reliability', op: 'add', value: v }] });
        if (!r.ok) throw new Error(r.detail);
        return r.result.nps.lift;
      };
      const small = lift(0.01);
      expect(small).toBeGreaterThan(0);
      expect(lift(0.02) / small).toBeCloseTo(2, 1);
    }
  });

  test('add is capped at the top of the scale and the order of changes matters', () => {
    const capped = predictWhatIf(model, pop, { changes: [{ attribute: 'support', op: 'add', value: 10 }] });
    const set10 = predictWhatIf(model, pop, { changes: [{ attribute: 'support', op: 'set', value: 10 }] });
    if (!capped.ok || !set10.ok) throw new Error('what-if failed');
    expect(capped.result.nps.lift).toBeCloseTo(set10.result.nps.lift, 10);
    const a = predictWhatIf(model, pop, { changes: [{ attribute: 'support', op: 'atLeast', value: 8 }, { attribute: 'support', op: 'add', value: 1 }] });
    const b = predictWhatIf(model, pop, { changes: [{ attribute: 'support', op: 'add', value: 1 }, { attribute: 'support', op: 'atLeast', value: 8 }] });
    if (!a.ok || !b.ok) throw new Error('what-if failed');
    expect(a.result.nps.lift).toBeGreaterThan(b.result.nps.lift);
  });

  test('a targeted change leaves other segments exactly where they were', () => {
    const r = predictWhatIf(model, pop, { changes: [{ attribute: 'onboarding', op: 'add', value: 1 }], target: { segments: ['smb'] } });
    if (!r.ok) throw new Error(r.detail);
    expect(r.result.bySegment.smb!.lift).toBeGreaterThan(0);
    expect(r.result.bySegment.enterprise!.lift).toBe(0);
    expect(r.result.bySegment.mid_market!.lift).toBe(0);
  });

  test('invalid changes and targets are refused with the field at fault', () => {
    const cases: [Parameters<typeof predictWhatIf>[2], string, string][] = [
      [{ changes: [{ attribute: 'nope', op: 'add', value: 1 }] }, 'unknown-attribute', 'changes[0].attribute'],
      [{ changes: [{ attribute: 'support', op: 'add', value: 1 }, { attribute: 'support', op: 'closeGap', value: 1.5 }] }, 'invalid-change', 'changes[1].value'],
      [{ changes: [{ attribute: 'support', op: 'set', value: 11 }] }, 'invalid-change', 'changes[0].value'],
      [{ changes: [{ attribute: 'support', op: 'add', value: 1 }], target: { segments: ['smb', 'mars'] } }, 'unknown-level', 'target.segments[1]'],
    ];
    for (const [whatIf, reason, field] of cases) {
      const r = predictWhatIf(model, pop, whatIf);
      expect(r.ok).toBe(false);
      if (!r.ok) {
        expect(r.reason).toBe(reason);
        expect(r.field).toBe(field);
      }
    }
  });

  test('the explanation: importance shares sum to the linear R², calibration close to observed, finite everywhere', () => {
    const total = model.importance.reduce((s, i) => s + i.share, 0);
    expect(total).toBeCloseTo(linear.fit.r2, 8);
    for (const c of model.calibration) expect(Math.abs(c.predicted - c.observed)).toBeLessThan(5);
    expect(JSON.stringify(model)).not.toMatch(/null,null|NaN|Infinity/);
    for (const level of ['smb', 'mid_market', 'enterprise']) expect(model.segments[level]!.coefficients).toHaveLength(8);
  });
});

describe('sparse answer categories', () => {
  test('a wave where 0 and 1 were each answered once still fits (a fold missing a category does not diverge)', async () => {
    const { demoWave } = await import('../../model/demo.js');
    const { parseWave, tableFromObjects } = await import('../../model/dataset.js');
    const wave = demoWave({ seed: 7, respondents: 600, accounts: 150 });
    const parsed = parseWave(tableFromObjects(wave.rows), { described: wave.attributes });
    if (!parsed.ok) throw new Error('demo wave rejected');
    const counts = new Array<number>(11).fill(0);
    for (const v of parsed.columns.ltr) counts[v]!++;
    expect(counts[0]! + counts[1]!).toBeLessThanOrEqual(2);
    for (const segmentBy of ['segment', 'role', 'none'] as const) {
      const b = buildPopulation(parsed.attributes, [parsed.columns], { segmentBy });
      if (!b.ok) throw new Error(b.detail);
      const fitted = fitDriverModel(b.population, request());
      expect(fitted.ok).toBe(true);
    }
  });
});
