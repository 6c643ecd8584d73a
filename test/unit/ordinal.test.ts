import { readFileSync } from 'node:fs';
import { describe, expect, test } from 'vitest';
import { createRng } from '../../model/rng.js';
import { evaluateOrdinal, fitOrdinal, Layout, type OrdinalData } from '../../model/drivers/ordinal.js';

interface Fixture {
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

const load = (name: string): Fixture => JSON.parse(readFileSync(new URL(`../fixtures/ordinal/${name}.json`, import.meta.url), 'utf8')) as Fixture;
const relative = (a: number, b: number): number => Math.abs(a - b) / Math.max(Math.abs(b), 1e-12);

describe('cumulative-logit fit against an independent numpy Newton implementation', () => {
  for (const name of ['moderate', 'moderate-penalised', 'collinear', 'sparse-top']) {
    test(`${name}: thresholds, coefficients, standard errors and log-likelihood agree to 1e-8`, () => {
      const f = load(name);
      const n = f.y.length;
      const z = Array.from({ length: f.k }, (_, j) => Float64Array.from(f.x.map((r) => r[j]!)));
      const result = fitOrdinal({ n, z, category: Uint8Array.from(f.y), C: 11, group: new Uint32Array(n), G: 1 }, { slopes: false, lambdaSlope: 0, lambdaIntercept: 0, lambdaBeta: f.lambda });
      if (!result.ok) throw new Error(result.detail);
      const { params, covariance, logLik } = result.fit;
      const P = 10 + f.k;
      f.thresholds.forEach((t, j) => expect(relative(params.theta[j]!, t)).toBeLessThan(1e-8));
      f.coefficients.forEach((b, j) => expect(relative(params.beta[j]!, b)).toBeLessThan(1e-8));
      f.thresholdStdErrors.forEach((s, j) => expect(relative(Math.sqrt(covariance![j * P + j]!), s)).toBeLessThan(1e-8));
      f.coefficientStdErrors.forEach((s, j) => expect(relative(Math.sqrt(covariance![(10 + j) * P + 10 + j]!), s)).toBeLessThan(1e-8));
      expect(Math.abs(logLik - f.logLik)).toBeLessThan(1e-7);
    });
  }
});

function groupedData(seed: number, n: number, k: number, G: number): OrdinalData {
  const rng = createRng(seed);
  const z = Array.from({ length: k }, () => new Float64Array(n));
  const group = new Uint32Array(n);
  const category = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const g = rng.int(G);
    group[i] = g;
    let eta = 0.3 * g;
    for (let j = 0; j < k; j++) {
      z[j]![i] = rng.normal();
      eta += (0.5 + 0.2 * g - 0.1 * j) * z[j]![i]!;
    }
    const u = rng.next();
    const latent = eta + Math.log(u / (1 - u));
    category[i] = Math.max(0, Math.min(10, Math.floor(latent * 1.5 + 7)));
  }
  return { n, z, category, C: 11, group, G };
}

describe('grouped (partially pooled) ordinal model', () => {
  const data = groupedData(7, 1500, 3, 3);
  const spec = { slopes: true, lambdaSlope: 2, lambdaIntercept: 1 };
  const L = new Layout(3, 11, 3, true);

  test('the analytic gradient equals a finite difference of the penalised objective', () => {
    const rng = createRng(3);
    const v = new Float64Array(L.P);
    for (let t = 0; t < L.T; t++) v[t] = -3 + 0.6 * t;
    for (let q = L.T; q < L.P; q++) v[q] = 0.3 * rng.normal();
    const pen = L.penalties(spec);
    const at = evaluateOrdinal(data, L, v, pen, undefined, true);
    for (let q = 0; q < L.P; q++) {
      const h = 1e-6;
      const up = v.slice();
      const down = v.slice();
      up[q]! += h;
      down[q]! -= h;
      const numeric = (evaluateOrdinal(data, L, up, pen, undefined, false).objective - evaluateOrdinal(data, L, down, pen, undefined, false).objective) / (2 * h);
      expect(Math.abs(numeric - at.grad[q]!)).toBeLessThan(1e-4 * Math.max(1, Math.abs(numeric)));
    }
  });

  test('the analytic information equals a finite difference of the gradient', () => {
    const v = new Float64Array(L.P);
    for (let t = 0; t < L.T; t++) v[t] = -3 + 0.6 * t;
    for (let q = L.T; q < L.P; q++) v[q] = 0.1 * ((q * 7) % 5 - 2);
    const pen = L.penalties(spec);
    const at = evaluateOrdinal(data, L, v, pen, undefined, true);
    for (let q = 0; q < L.P; q++) {
      const h = 1e-5;
      const up = v.slice();
      const down = v.slice();
      up[q]! += h;
      down[q]! -= h;
      const gu = evaluateOrdinal(data, L, up, pen, undefined, false).grad;
      const gd = evaluateOrdinal(data, L, down, pen, undefined, false).grad;
      for (let r = 0; r < L.P; r++) {
        const numeric = -(gu[r]! - gd[r]!) / (2 * h);
        expect(Math.abs(numeric - at.info[r * L.P + q]!)).toBeLessThan(1e-3 * Math.max(1, Math.abs(numeric)));
      }
    }
  });

  test('Newton converges in a few steps and stronger pooling pulls group slopes together', () => {
    const loose = fitOrdinal(data, { ...spec, lambdaSlope: 0.01 });
    const tight = fitOrdinal(data, { ...spec, lambdaSlope: 1e6 });
    if (!loose.ok || !tight.ok) throw new Error('fit failed');
    expect(loose.fit.iterations).toBeLessThanOrEqual(10);
    const spread = (d: Float64Array): number => Math.max(...Array.from(d).map(Math.abs));
    expect(spread(tight.fit.params.delta)).toBeLessThan(1e-3);
    expect(spread(loose.fit.params.delta)).toBeGreaterThan(0.05);
    // the generator's group slopes differ by 0.2 per group: the loose fit recovers the ordering
    const d = loose.fit.params.delta;
    expect(d[2 * 3]!).toBeGreaterThan(d[0]!);
    expect(tight.fit.effectiveDf).toBeLessThan(loose.fit.effectiveDf);
  });
});
