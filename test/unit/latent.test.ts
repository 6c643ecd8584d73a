/**
 * The latent-score engine (model/drivers/latent/): its derivatives against finite differences, with
 * every block present (levels with intercepts and slopes, curve hinges, a product, cut-specific
 * slopes); its fits against independent numpy/scipy implementations (test/fixtures/latent/,
 * test/fixtures/ordinal/); and its penalties by empirical Bayes against cross-validation.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { createRng } from '../../model/rng.js';
import { evaluateLatent, type LatentData } from '../../model/drivers/latent/evaluate.js';
import { fitLatent } from '../../model/drivers/latent/fit.js';
import { LatentLayout, penaltyVector } from '../../model/drivers/latent/layout.js';

/** A small dataset with two levels (3 and 2 groups, crossed into combos), k ratings and F − k extra features. */
function toy(seed: number, n: number, k: number, extra: number): { data: LatentData; levels: { size: number }[] } {
  const rng = createRng(seed);
  const F = k + extra;
  const features = Array.from({ length: F }, () => new Float64Array(n));
  const category = new Uint8Array(n);
  const comboCodes: Uint32Array[] = [];
  for (let s = 0; s < 3; s++) for (let r = 0; r < 2; r++) comboCodes.push(Uint32Array.from([s, r]));
  const combo = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    const c = Math.floor((i * comboCodes.length) / n);
    combo[i] = c;
    let eta = 0.2 * comboCodes[c]![0]! - 0.3 * comboCodes[c]![1]!;
    for (let f = 0; f < F; f++) {
      features[f]![i] = f < k ? rng.normal() : Math.max(0, rng.normal());
      eta += (0.6 - 0.15 * f + 0.1 * comboCodes[c]![0]!) * features[f]![i]!;
    }
    const u = rng.next();
    const latent = eta + Math.log(u / (1 - u));
    category[i] = Math.max(0, Math.min(6, Math.floor(latent * 1.2 + 3.5)));
  }
  return { data: { n, k, features, category, C: 7, combo, comboCodes }, levels: [{ size: 3 }, { size: 2 }] };
}

function layoutFor(ppo: boolean, F: number, k: number): LatentLayout {
  return new LatentLayout({
    T: 6,
    F,
    k,
    ppo,
    upperFrom: 4,
    levels: [
      { name: 'segment', size: 3, intercepts: true, slopes: true },
      { name: 'role', size: 2, intercepts: true, slopes: true },
    ],
  });
}

describe('the latent-score pass', () => {
  for (const ppo of [false, true])
    test(`gradient and information equal central finite differences (${ppo ? 'with' : 'without'} cut-specific slopes)`, () => {
      const { data } = toy(3, 600, 3, 2);
      const L = layoutFor(ppo, 5, 3);
      const rng = createRng(11);
      const v = new Float64Array(L.P);
      for (let t = 0; t < L.T; t++) v[t] = -2 + 0.8 * t;
      for (let q = L.T; q < L.P; q++) v[q] = 0.3 * rng.normal();
      const pen = penaltyVector(L, { levels: [{ intercept: 0.7, slope: 1.3 }, { intercept: 0.2, slope: 0.4 }], features: [0, 0, 0, 0.5, 0.9], omega: 0.6, threshold: 0.01 });
      const anchor = Float64Array.from({ length: L.T }, (_, t) => -1.5 + 0.7 * t);
      const ev = evaluateLatent(data, L, v, pen, undefined, true, anchor);
      const h = 1e-5;
      for (let p = 0; p < L.P; p++) {
        const up = v.slice();
        const dn = v.slice();
        up[p]! += h;
        dn[p]! -= h;
        const eu = evaluateLatent(data, L, up, pen, undefined, true, anchor);
        const ed = evaluateLatent(data, L, dn, pen, undefined, true, anchor);
        const fd = (eu.objective - ed.objective) / (2 * h);
        expect(Math.abs(fd - ev.grad[p]!), `gradient ${p}`).toBeLessThan(1e-5 * Math.max(1, Math.abs(fd)));
        for (let q = 0; q < L.P; q++) {
          const fdH = -(eu.grad[q]! - ed.grad[q]!) / (2 * h);
          expect(Math.abs(fdH - ev.info[p * L.P + q]!), `information ${p},${q}`).toBeLessThan(1e-5 * Math.max(1, Math.abs(fdH)));
        }
      }
    });
});

interface OrdinalFixture {
  k: number;
  lambda: number;
  x: number[][];
  y: number[];
  thresholds: number[];
  coefficients: number[];
  thresholdStdErrors: number[];
  coefficientStdErrors: number[];
  logLik: number;
}

const relative = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);

describe('the engine as a plain cumulative logit, against the independent numpy fits of test/fixtures/ordinal', () => {
  for (const name of ['moderate', 'moderate-penalised', 'collinear', 'sparse-top'])
    test(`${name}: thresholds, coefficients, standard errors and log-likelihood agree to 1e-8`, () => {
      const f = JSON.parse(readFileSync(new URL(`../fixtures/ordinal/${name}.json`, import.meta.url), 'utf8')) as OrdinalFixture;
      const n = f.y.length;
      const features = Array.from({ length: f.k }, (_, j) => Float64Array.from(f.x.map((r) => r[j]!)));
      const data: LatentData = { n, k: f.k, features, category: Uint8Array.from(f.y), C: 11, combo: new Uint32Array(n), comboCodes: [new Uint32Array(0)] };
      const L = new LatentLayout({ T: 10, F: f.k, k: f.k, ppo: false, upperFrom: 8, levels: [] });
      const pen = penaltyVector(L, { levels: [], features: new Array(f.k).fill(f.lambda), omega: 0, threshold: 0 });
      const r = fitLatent(data, L, pen, { covariance: true, tolerance: 1e-11 });
      if (!r.ok) throw new Error(r.detail);
      const { v, covariance, logLik } = r.fit;
      f.thresholds.forEach((t, j) => expect(relative(v[j]!, t)).toBeLessThan(1e-8));
      f.coefficients.forEach((b, j) => expect(relative(v[10 + j]!, b)).toBeLessThan(1e-8));
      f.thresholdStdErrors.forEach((s, j) => expect(relative(Math.sqrt(covariance![j * L.P + j]!), s)).toBeLessThan(1e-8));
      f.coefficientStdErrors.forEach((s, j) => expect(relative(Math.sqrt(covariance![(10 + j) * L.P + 10 + j]!), s)).toBeLessThan(1e-8));
      expect(Math.abs(logLik - f.logLik)).toBeLessThan(1e-7);
    });
});

interface LatentFixture {
  link: 'logit' | 'probit';
  k: number;
  upperFrom: number;
  ppo: boolean;
  phi: number[][];
  y: number[];
  thresholds: number[];
  beta: number[];
  omega: number[];
  stdErrors: number[];
  logLik: number;
}

describe('curved and cut-specific fits, against the independent numpy/scipy fits of test/fixtures/latent', () => {
  for (const name of ['ppo-logit', 'ppo-probit', 'curved-logit'])
    test(`${name}: thresholds, β, ω, standard errors and log-likelihood agree to 1e-6`, () => {
      const f = JSON.parse(readFileSync(new URL(`../fixtures/latent/${name}.json`, import.meta.url), 'utf8')) as LatentFixture;
      const n = f.y.length;
      const F = f.phi[0]!.length;
      const features = Array.from({ length: F }, (_, j) => Float64Array.from(f.phi.map((r) => r[j]!)));
      const data: LatentData = { n, k: f.k, features, category: Uint8Array.from(f.y), C: 11, combo: new Uint32Array(n), comboCodes: [new Uint32Array(0)] };
      const L = new LatentLayout({ link: f.link, T: 10, F, k: f.k, ppo: f.ppo, upperFrom: f.upperFrom, levels: [] });
      const pen = penaltyVector(L, { levels: [], features: new Array(F).fill(0), omega: 0, threshold: 0 });
      const r = fitLatent(data, L, pen, { covariance: true, tolerance: 1e-11 });
      if (!r.ok) throw new Error(r.detail);
      const { v, covariance, logLik } = r.fit;
      const expected = [...f.thresholds, ...f.beta, ...f.omega];
      const index = [...f.thresholds.map((_, t) => t), ...f.beta.map((_, j) => L.beta(j)), ...f.omega.map((_, a) => L.omega(a))];
      expected.forEach((x, q) => expect(relative(v[index[q]!]!, x), `parameter ${q}`).toBeLessThan(1e-6));
      f.stdErrors.forEach((s, q) => expect(relative(Math.sqrt(covariance![index[q]! * L.P + index[q]!]!), s), `standard error ${q}`).toBeLessThan(1e-6));
      expect(relative(logLik, f.logLik)).toBeLessThan(1e-9);
    });
});

describe('pooling strengths by empirical Bayes against cross-validation', () => {
  test('the evidence’s per-level pooling scores at least as well out of fold as the best single pooling strength a cross-validation grid finds, and sits within a factor of ten of it', async () => {
    const { familyWave, ROLES } = await import('../support/truthFamily.js');
    const { buildPopulation } = await import('../../model/drivers/population.js');
    const { fitDriverModel } = await import('../../model/drivers/driverModel.js');
    const { ModelRequestSchema } = await import('../../model/drivers/contract.js');
    const wave = familyWave(301, 12_000, ROLES);
    const built = buildPopulation(wave.attributes, [wave.columns], { segmentBy: ['segment', 'role'] });
    if (!built.ok) throw new Error(built.detail);
    const fit = (pooling?: number): { cv: number; worth: number[] } => {
      const options = { structure: 'segment × role', noise: 'probit', curves: 'none', interactions: 'none', cutSpecific: false, ...(pooling !== undefined ? { pooling } : {}) };
      const r = fitDriverModel(built.population, ModelRequestSchema.parse({ datasetId: 'x', segmentBy: ['segment', 'role'], options }));
      if (!r.ok) throw new Error(r.detail);
      const s = r.model.structure as { candidates: { stage: string; cvDeviance: number }[]; pooling: { slopes: { respondentsWorth: number } | null }[] };
      return { cv: s.candidates.find((c) => c.stage === 'structure')!.cvDeviance, worth: s.pooling.flatMap((p) => (p.slopes ? [p.slopes.respondentsWorth] : [])) };
    };
    const evidence = fit();
    const grid = [30, 100, 300, 1000, 3000, 10_000, 30_000].map((w) => ({ w, cv: fit(w).cv }));
    const best = grid.reduce((a, b) => (b.cv < a.cv ? b : a));
    console.log('EB respondents’ worth per level', evidence.worth.map((w) => w.toFixed(0)).join(', '), 'cv', evidence.cv.toFixed(5), '| grid', grid.map((g) => `${g.w}: ${g.cv.toFixed(5)}`).join(', '));
    expect(evidence.cv).toBeLessThanOrEqual(best.cv + 2e-4);
    const geometric = Math.exp(evidence.worth.reduce((a, w) => a + Math.log(w), 0) / evidence.worth.length);
    expect(geometric).toBeGreaterThan(best.w / 10);
    expect(geometric).toBeLessThan(best.w * 10);
  }, 120_000);
});

describe('partial pooling by group size', () => {
  test('a 30-respondent segment borrows almost everything from the overall slopes; segments of 8,000–13,000 keep most of their own departure', async () => {
    const { familyWave, FAMILIES } = await import('../support/truthFamily.js');
    const { buildPopulation } = await import('../../model/drivers/population.js');
    const { fitDriverModel } = await import('../../model/drivers/driverModel.js');
    const { ModelRequestSchema } = await import('../../model/drivers/contract.js');
    const c = familyWave(322, 30_000, FAMILIES.simple).columns;
    let kept = 0;
    const idx = Array.from({ length: c.size }, (_, i) => i).filter((i) => (c.segment[i] === 'enterprise' ? kept++ < 30 : true));
    const cols = { ...c, size: idx.length, respondentId: idx.map((i) => c.respondentId[i]!), accountId: idx.map((i) => c.accountId[i]!), segment: idx.map((i) => c.segment[i]!), role: idx.map((i) => c.role[i]!), wave: idx.map(() => null), accountRevenue: Float64Array.from(idx, () => Number.NaN), ltr: Uint8Array.from(idx, (i) => c.ltr[i]!), ratings: c.ratings.map((r) => Float64Array.from(idx, (i) => r[i]!)) };
    const attributes = c.attributes.map((name) => ({ name, kind: 'other' as const, scale: [0, 10] as [number, number] }));
    const built = buildPopulation(attributes, [cols], { segmentBy: 'segment' });
    if (!built.ok) throw new Error(built.detail);
    const slopes = (pooling?: number): { bySegment: Map<string, { n: number; slopes: number[] }>; overall: number[] } => {
      const r = fitDriverModel(built.population, ModelRequestSchema.parse({ datasetId: 'x', segmentBy: 'segment', options: { structure: 'segment', curves: 'none', interactions: 'none', cutSpecific: false, ...(pooling !== undefined ? { pooling } : {}) } }));
      if (!r.ok) throw new Error(r.detail);
      const levels = r.model.levels!;
      return {
        overall: levels.find((l) => l.level === 'overall')!.coefficients.map((x) => x.estimate),
        bySegment: new Map(levels.filter((l) => l.level === 'segment').map((l) => [l.group[0]!, { n: l.respondents, slopes: l.coefficients.map((x) => x.estimate) }])),
      };
    };
    const pooled = slopes();
    const free = slopes(0.001);
    const departure = (s: number[]): number => Math.hypot(...s.map((v, j) => v - pooled.overall[j]!));
    const keptShare = (segment: string): number => departure(pooled.bySegment.get(segment)!.slopes) / departure(free.bySegment.get(segment)!.slopes);
    expect(pooled.bySegment.get('enterprise')!.n).toBe(30);
    expect(keptShare('enterprise')).toBeLessThan(0.05);
    expect(keptShare('smb')).toBeGreaterThan(0.7);
    expect(keptShare('mid_market')).toBeGreaterThan(0.7);
  }, 120_000);
});
