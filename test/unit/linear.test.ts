/**
 * Linear driver models from streamed moments, checked against an independent numpy implementation
 * (test/fixtures/linear/generate.py: lstsq on the explicit design, augmented least squares for ridge,
 * SVD standard errors, a quadrature t quantile) and against brute-force refits in TypeScript.
 *
 * Tolerances: fixture comparisons 1e-6 relative (observed ≤ ~7e-9, the worst on the collinear set,
 * condition ≈ 610, where the normal equations lose ~5 digits); CV against brute force 1e-9 relative;
 * moments of whole-number ratings are sums of integers, so merges must agree exactly.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { Matrix, QrDecomposition } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { fitLinear, type FitResult, type LinearFit } from '../../model/drivers/linear.js';
import { chooseRidgeLambda, cvRmse } from '../../model/drivers/linear/crossValidation.js';
import type { RegressionSpec } from '../../model/drivers/linear/spec.js';
import {
  addColumns,
  addColumnsByFold,
  addRows,
  createFoldMoments,
  createMoments,
  foldOf,
  mergeFoldMoments,
  mergeMoments,
  sumMoments,
  type Moments,
} from '../../model/drivers/moments.js';
import { createRng } from '../../model/rng.js';

interface FixtureFit {
  lambda?: number;
  intercept: { estimate: number; stdError: number };
  coefficients: { estimate: number; stdError: number; interval: [number, number] }[];
  r2: number;
  adjustedR2: number;
  sigma: number;
  residualDf: number;
  effectiveDf: number;
  tQuantile: number;
}
interface Fixture {
  name: string;
  n: number;
  k: number;
  attributes: string[];
  X: number[][];
  y: number[];
  condition: number;
  minAbsCorrelation: number;
  ols: FixtureFit;
  ridge: FixtureFit[];
}

function loadFixture(name: string): Fixture {
  return JSON.parse(readFileSync(new URL(`../fixtures/linear/${name}.json`, import.meta.url), 'utf8')) as Fixture;
}
const FIXTURES = ['moderate', 'collinear', 'tiny'].map(loadFixture);
const moderate = FIXTURES[0]!;
const collinear = FIXTURES[1]!;

function columnsOf(X: readonly number[][], k: number): Float64Array[] {
  return Array.from({ length: k }, (_, j) => Float64Array.from(X, (row) => row[j]!));
}

/** Moments fed in uneven chunks (7 rows, 64 rows, the rest) into two accumulators, then merged. */
function chunkedMoments(fx: Fixture): Moments {
  const cols = columnsOf(fx.X, fx.k);
  const y = Float64Array.from(fx.y);
  const a = createMoments(fx.k);
  const b = createMoments(fx.k);
  const cuts = [0, 7, 71, Math.floor(fx.n / 2), fx.n].filter((c, i, all) => c <= fx.n && (i === 0 || c > all[i - 1]!));
  for (let i = 0; i + 1 < cuts.length; i++) {
    const [s, e] = [cuts[i]!, cuts[i + 1]!];
    addColumns(i < 2 ? a : b, cols.map((c) => c.subarray(s, e)), y.subarray(s, e));
  }
  return mergeMoments(a, b);
}

function expectOk(r: FitResult): LinearFit {
  if (!r.ok) throw new Error(`expected a fit, got ${r.reason}: ${r.detail}`);
  return r.fit;
}

/** |actual − expected| ≤ tol·|expected|, with the observed error in the message. */
function expectRel(actual: number, expected: number, tol: number, what: string): number {
  const err = Math.abs(actual - expected) / Math.abs(expected);
  expect(err, `${what}: ${actual} vs ${expected} (relative error ${err})`).toBeLessThanOrEqual(tol);
  return err;
}

function compareFit(fit: LinearFit, ref: FixtureFit, tol: number, label: string): number {
  let worst = 0;
  const rel = (a: number, e: number, what: string): void => {
    worst = Math.max(worst, expectRel(a, e, tol, `${label} ${what}`));
  };
  rel(fit.intercept.estimate, ref.intercept.estimate, 'intercept');
  rel(fit.intercept.stdError, ref.intercept.stdError, 'intercept SE');
  fit.coefficients.forEach((c, j) => {
    const r = ref.coefficients[j]!;
    rel(c.estimate, r.estimate, `b${j}`);
    rel(c.stdError, r.stdError, `SE b${j}`);
    rel(c.interval[0], r.interval[0], `lower b${j}`);
    rel(c.interval[1], r.interval[1], `upper b${j}`);
  });
  rel(fit.r2, ref.r2, 'R²');
  rel(fit.adjustedR2, ref.adjustedR2, 'adjusted R²');
  rel(fit.sigma, ref.sigma, 'sigma');
  rel(fit.residualDf, ref.residualDf, 'residual df');
  rel(fit.effectiveDf, ref.effectiveDf, 'effective df');
  return worst;
}

/** Every number anywhere in a value is finite (a result must never carry NaN or ±Infinity). */
function expectAllFinite(value: unknown, path = '$'): void {
  if (typeof value === 'number') expect(Number.isFinite(value), `${path} = ${value}`).toBe(true);
  else if (Array.isArray(value)) value.forEach((v, i) => expectAllFinite(v, `${path}[${i}]`));
  else if (value !== null && typeof value === 'object') for (const [key, v] of Object.entries(value)) expectAllFinite(v, `${path}.${key}`);
}

describe('linear driver fits against the numpy reference', () => {
  it('uses fixtures that exercise what they claim (collinear r > 0.95, condition in the hundreds, df 6)', () => {
    expect(collinear.minAbsCorrelation).toBeGreaterThan(0.95);
    expect(collinear.condition).toBeGreaterThan(300);
    expect(FIXTURES[2]!.ols.residualDf).toBe(6);
  });

  for (const fx of FIXTURES) {
    it(`matches OLS coefficients, SEs, t intervals, R² and adjusted R² on '${fx.name}' to 1e-6`, () => {
      const m = chunkedMoments(fx);

      const fit = expectOk(fitLinear(m, { method: 'ols' }, { attributes: fx.attributes }));

      expect(fit).toMatchObject({ method: 'ols', lambda: 0, n: fx.n, k: fx.k, incomplete: 0 });
      compareFit(fit, fx.ols, 1e-6, `${fx.name} OLS`);
      expectRel(fit.condition!, fx.condition, 1e-6, 'condition');
      expectAllFinite(fit);
    });

    for (const ref of fx.ridge)
      it(`matches ridge λ=${ref.lambda} (augmented least squares) on '${fx.name}' to 1e-6`, () => {
        const m = chunkedMoments(fx);

        const fit = expectOk(fitLinear(m, { method: 'ridge', lambda: ref.lambda! }));

        compareFit(fit, ref, 1e-6, `${fx.name} ridge ${ref.lambda}`);
        expect(fit.effectiveDf).toBeLessThan(fx.k);
      });
  }

  it('gives the same fit from row-major rows as from columns', () => {
    const x = Float64Array.from(moderate.X.flat());
    const rows = createMoments(moderate.k);
    addRows(rows, x, Float64Array.from(moderate.y));

    expect(expectOk(fitLinear(rows, { method: 'ols' }))).toEqual(expectOk(fitLinear(chunkedMoments(moderate), { method: 'ols' })));
  });
});

/** Brute-force K-fold CV: refit on the explicit training rows with a QR solve of the design. */
function bruteForceCv(fx: Fixture, K: number, seed: number, spec: RegressionSpec): number {
  let sse = 0;
  for (let f = 0; f < K; f++) {
    const train: number[] = [];
    const test: number[] = [];
    fx.y.forEach((_, i) => (foldOf(i, seed, K) === f ? test : train).push(i));
    const design = train.map((i) => [1, ...fx.X[i]!]);
    const target = train.map((i) => [fx.y[i]!]);
    if (spec.method === 'ridge') {
      // Ridge as least squares on rows augmented with √λ·I (intercept column 0: not penalised).
      for (let j = 0; j < fx.k; j++) {
        const row = new Array<number>(fx.k + 1).fill(0);
        row[j + 1] = Math.sqrt(spec.lambda);
        design.push(row);
        target.push([0]);
      }
    }
    const beta = new QrDecomposition(new Matrix(design)).solve(new Matrix(target)).getColumn(0);
    for (const i of test) {
      const pred = beta[0]! + fx.X[i]!.reduce((s, x, j) => s + x * beta[j + 1]!, 0);
      sse += (fx.y[i]! - pred) ** 2;
    }
  }
  return Math.sqrt(sse / fx.n);
}

function foldedFixture(fx: Fixture, K: number, seed: number) {
  const cols = columnsOf(fx.X, fx.k);
  const y = Float64Array.from(fx.y);
  // Two workers take the second and first halves, in that order, then merge.
  const half = Math.floor(fx.n / 2);
  const a = createFoldMoments(fx.k, { folds: K, seed });
  const b = createFoldMoments(fx.k, { folds: K, seed });
  addColumnsByFold(b, cols.map((c) => c.subarray(half)), y.subarray(half), half);
  addColumnsByFold(a, cols.map((c) => c.subarray(0, half)), y.subarray(0, half), 0);
  return mergeFoldMoments(a, b);
}

describe('cross-validation from per-fold moments', () => {
  for (const spec of [{ method: 'ols' }, { method: 'ridge', lambda: 50 }] as const)
    it(`equals a brute-force K-fold refit on explicit row subsets (${spec.method}) to 1e-9`, () => {
      const K = 5;
      const seed = 11;
      const fm = foldedFixture(moderate, K, seed);

      const cv = cvRmse(fm.folds, spec);

      if (!cv.ok) throw new Error(cv.detail);
      expectRel(cv.rmse, bruteForceCv(moderate, K, seed, spec), 1e-9, 'CV RMSE');
      expect(cv.folds.reduce((s, f) => s + f.rows, 0)).toBe(moderate.n);
    });

  it('assigns folds deterministically, independently of chunking, and close to evenly', () => {
    const counts = new Array<number>(10).fill(0);
    for (let i = 0; i < 100_000; i++) counts[foldOf(i, 3, 10)]!++;

    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(500); // ±5 binomial SDs
    expect(foldOf(12_345, 3, 10)).toBe(foldOf(12_345, 3, 10));
    const other = Array.from({ length: 1000 }, (_, i) => foldOf(i, 4, 10));
    expect(other).not.toEqual(Array.from({ length: 1000 }, (_, i) => foldOf(i, 3, 10)));
  });

  it('chooses the λ with the smallest CV RMSE on a scale-free grid', () => {
    const fm = foldedFixture(collinear, 10, 5);

    const choice = chooseRidgeLambda(fm.folds);

    if (!choice.ok) throw new Error(choice.detail);
    expect(choice.curve).toHaveLength(25);
    const rmses = choice.curve.map((c) => c.cvRmse).filter((r): r is number => r !== null);
    expect(choice.cvRmse).toBe(Math.min(...rmses));
    const again = cvRmse(fm.folds, { method: 'ridge', lambda: choice.lambda });
    expect(again.ok && again.rmse).toBe(choice.cvRmse);
    expectAllFinite(choice);
  });
});

describe('ridge', () => {
  it('equals OLS as λ → 0 (and exactly the same system at λ = 0)', () => {
    for (const fx of FIXTURES) {
      const m = chunkedMoments(fx);
      const ols = expectOk(fitLinear(m, { method: 'ols' }));

      const tiny = expectOk(fitLinear(m, { method: 'ridge', lambda: 1e-9 }));
      const zero = expectOk(fitLinear(m, { method: 'ridge', lambda: 0 }));

      compareFit(tiny, { ...ols, tQuantile: 0 }, 1e-5, `${fx.name} λ=1e-9`);
      compareFit(zero, { ...ols, tQuantile: 0 }, 1e-9, `${fx.name} λ=0`);
    }
  });

  it('shrinks ‖b‖ monotonically as λ grows (grid on the fixtures)', () => {
    for (const fx of FIXTURES) {
      const m = chunkedMoments(fx);
      const norms = [0, 1e-3, 1e-2, 0.1, 1, 10, 100, 1e3, 1e4, 1e5].map((lambda) =>
        Math.hypot(...expectOk(fitLinear(m, { method: 'ridge', lambda })).coefficients.map((c) => c.estimate)),
      );
      for (let i = 1; i < norms.length; i++) expect(norms[i]!).toBeLessThanOrEqual(norms[i - 1]! * (1 + 1e-12));
      expect(norms.at(-1)!).toBeLessThan(norms[0]! / 10);
    }
  });

  it('shrinks ‖b‖ monotonically for any data and any pair of λ (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 2 ** 31 - 1 }),
        fc.integer({ min: 1, max: 5 }),
        fc.double({ min: 0, max: 1e4, noNaN: true }),
        fc.double({ min: 0, max: 1e4, noNaN: true }),
        (seed, k, l1, l2) => {
          const rng = createRng(seed);
          const n = k + 10;
          const cols = Array.from({ length: k }, () => Float64Array.from({ length: n }, () => rng.int(11)));
          const y = Float64Array.from({ length: n }, (_, r) => Math.min(10, Math.max(0, Math.round(cols[0]![r]! * 0.5 + 2 * rng.normal() + 3))));
          const m = createMoments(k);
          addColumns(m, cols, y);
          const [lo, hi] = l1 <= l2 ? [l1, l2] : [l2, l1];
          const a = fitLinear(m, { method: 'ridge', lambda: lo });
          const b = fitLinear(m, { method: 'ridge', lambda: hi });
          fc.pre(a.ok && b.ok); // random tiny samples can be constant or dependent
          if (!a.ok || !b.ok) return;
          const norm = (f: LinearFit) => Math.hypot(...f.coefficients.map((c) => c.estimate));
          expect(norm(b.fit)).toBeLessThanOrEqual(norm(a.fit) * (1 + 1e-10) + 1e-14);
        },
      ),
    );
  });
});

describe('inputs that cannot give a driver model', () => {
  // y = 2 + x1 − 0.5·x2 + noise on 12 hand-made rows; variants below break one thing at a time.
  const x1 = [1, 3, 5, 7, 9, 2, 4, 6, 8, 10, 5, 6];
  const x2 = [2, 2, 4, 4, 6, 6, 8, 8, 3, 5, 7, 9];
  const y = [3, 4, 5, 7, 8, 1, 3, 4, 8, 9, 4, 5];
  const moments = (cols: number[][], ltr: number[]): Moments => {
    const m = createMoments(cols.length);
    addColumns(m, cols.map((c) => Float64Array.from(c)), Float64Array.from(ltr));
    return m;
  };

  it('names a constant attribute', () => {
    const r = fitLinear(moments([x1, x1.map(() => 7)], y), { method: 'ols' }, { attributes: ['support', 'billing'] });

    expect(r).toMatchObject({ ok: false, reason: 'constant-attribute', attributes: ['billing'] });
    expectAllFinite(r);
  });

  it('refuses fewer respondents than k + 2, counting those skipped for missing answers', () => {
    const withGaps = [x1.slice(0, 5), [...x2.slice(0, 3), Number.NaN, Number.NaN]];

    const r = fitLinear(moments(withGaps, y.slice(0, 5)), { method: 'ridge', lambda: 1 });

    expect(r).toMatchObject({ ok: false, reason: 'too-few-respondents' });
    expect(!r.ok && r.detail).toMatch(/3 complete respondents \(2 more skipped/);
  });

  it('refuses a constant ltr', () => {
    expect(fitLinear(moments([x1, x2], y.map(() => 9)), { method: 'ols' })).toMatchObject({ ok: false, reason: 'constant-ltr' });
  });

  it('reports linearly dependent attributes as singular for OLS, while ridge still fits', () => {
    const total = x1.map((v, i) => v + x2[i]!);
    const m = moments([x1, x2, total], y);

    const ols = fitLinear(m, { method: 'ols' }, { attributes: ['a', 'b', 'a_plus_b'] });
    const ridge = fitLinear(m, { method: 'ridge', lambda: 1 });

    expect(ols).toMatchObject({ ok: false, reason: 'singular', attributes: ['a', 'b', 'a_plus_b'] });
    expect(expectOk(ridge).condition).toBeNull();
    expectAllFinite(ridge);
  });

  it('skips respondents with a missing rating and fits the complete ones', () => {
    const withGap = moments([[...x1, 4], [...x2, Number.NaN]], [...y, 10]);

    const fit = expectOk(fitLinear(withGap, { method: 'ols' }));

    const complete = expectOk(fitLinear(moments([x1, x2], y), { method: 'ols' }));
    expect(fit).toEqual({ ...complete, incomplete: 1 });
  });

  it('treats integer weights as repeated respondents', () => {
    const w = x1.map((_, i) => 1 + (i % 3));
    const weighted = createMoments(2);
    addColumns(weighted, [Float64Array.from(x1), Float64Array.from(x2)], Float64Array.from(y), y.length, Float64Array.from(w));
    const rep = (a: number[]) => a.flatMap((v, i) => new Array<number>(w[i]!).fill(v));

    const a = expectOk(fitLinear(weighted, { method: 'ols' }));
    const b = expectOk(fitLinear(moments([rep(x1), rep(x2)], rep(y)), { method: 'ols' }));

    compareFit(a, { ...b, tQuantile: 0 }, 1e-12, 'weighted');
  });
});

describe('ill-conditioned designs', () => {
  // x2 = x1 + ε·noise: the design's condition grows like 1/ε (≈ 4e4 at ε = 1e-4, 4e5 at 1e-5).
  const nearDuplicate = (eps: number) => {
    const rng = createRng(5);
    const n = 200;
    const x1 = Float64Array.from({ length: n }, () => 5 + 2 * rng.normal());
    const x2 = Float64Array.from(x1, (v) => v + eps * rng.normal());
    const x3 = Float64Array.from({ length: n }, () => 5 + 2 * rng.normal());
    const y = Float64Array.from(x1, (v, i) => 1 + 0.5 * v + 0.3 * x3[i]! + rng.normal());
    const m = createMoments(3);
    addColumns(m, [x1, x2, x3], y);
    const qr = new QrDecomposition(new Matrix(Array.from(x1, (v, i) => [1, v, x2[i]!, x3[i]!]))).solve(Matrix.columnVector(Array.from(y)));
    return { m, qr: qr.getColumn(0) };
  };

  it('solves by Cholesky up to a design condition of ~1e5 and by eigendecomposition beyond, agreeing with QR', () => {
    for (const [eps, solver, tol] of [[1e-4, 'cholesky', 1e-6], [1e-5, 'eigen', 1e-3]] as const) {
      const { m, qr } = nearDuplicate(eps);

      const fit = expectOk(fitLinear(m, { method: 'ols' }));

      expect(fit.solver).toBe(solver);
      // Normal equations lose ~κ² · 1e-16 relative: 2e-7 at κ = 4e4, 2e-5 at κ = 4e5.
      fit.coefficients.forEach((c, j) => expectRel(c.estimate, qr[j + 1]!, tol, `ε=${eps} b${j}`));
      expectAllFinite(fit);
    }
  });

  it('reports attributes beyond a design condition of ~1e6 as singular, naming them', () => {
    const { m } = nearDuplicate(3e-6);

    expect(fitLinear(m, { method: 'ols' }, { attributes: ['ease', 'usability', 'price'] })).toMatchObject({
      ok: false,
      reason: 'singular',
      attributes: ['ease', 'usability'],
    });
  });
});

describe('moments at scale', () => {
  it('100,000 × 20: one pass equals a two-chunk merge exactly, and folds sum to the whole', () => {
    const n = 100_000;
    const k = 20;
    const rng = createRng(2026);
    const cols = Array.from({ length: k }, () => new Float64Array(n));
    const ltr = new Uint8Array(n);
    for (let r = 0; r < n; r++) {
      const h = rng.normal();
      let s = 0;
      for (let j = 0; j < k; j++) {
        const v = Math.min(10, Math.max(0, Math.round(6.5 + h + 1.5 * rng.normal())));
        cols[j]![r] = v;
        s += 0.04 * v;
      }
      ltr[r] = Math.min(10, Math.max(0, Math.round(2.5 + s + rng.normal())));
    }

    const whole = createMoments(k);
    addColumns(whole, cols, ltr);
    const first = createMoments(k);
    const second = createMoments(k);
    const cut = 37_013;
    addColumns(second, cols.map((c) => c.subarray(cut)), ltr.subarray(cut));
    addColumns(first, cols.map((c) => c.subarray(0, cut)), ltr.subarray(0, cut));
    const merged = mergeMoments(first, second);
    const fm = createFoldMoments(k, { folds: 10, seed: 1 });
    addColumnsByFold(fm, cols, ltr, 0);

    // Whole-number ratings shifted by 5 give integer products: every sum is exact in any order.
    expect(merged).toEqual(whole);
    expect(sumMoments(fm.folds)).toEqual(whole);
    expect(expectOk(fitLinear(merged, { method: 'ols' }))).toEqual(expectOk(fitLinear(whole, { method: 'ols' })));
  });
});
