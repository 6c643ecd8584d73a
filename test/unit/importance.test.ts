/**
 * Johnson's relative weights from streamed moments, checked against an independent numpy
 * implementation (test/fixtures/importance/generate.py: eigh of np.corrcoef on the rows, Johnson's
 * SVD construction as a cross-check, R² from lstsq on the explicit design) and against invariants.
 *
 * Tolerances: fixture comparisons |actual − expected| ≤ max(1e-8·|expected|, 1e-10) (observed
 * ≤ 5e-15 relative, also on the collinear set with r ≈ 0.99); Σ weights against fitLinear's R² to
 * 1e-10 absolute; permutation and rescaling invariants to 1e-12 absolute (only the rounding of a
 * differently ordered eigendecomposition separates them).
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { relativeWeights, type RelativeWeightsResult } from '../../model/drivers/importance.js';
import { fitLinear } from '../../model/drivers/linear.js';
import { addRows, createMoments, type Moments } from '../../model/drivers/moments.js';

interface Fixture {
  name: string;
  x: number[][];
  y: number[];
  weights: number[];
  r2: number;
}

function loadFixture(name: string): Fixture {
  const raw = JSON.parse(readFileSync(new URL(`../fixtures/importance/${name}.json`, import.meta.url), 'utf8')) as Omit<Fixture, 'name'>;
  return { name, ...raw };
}
const FIXTURES = ['moderate', 'collinear'].map(loadFixture);
const moderate = FIXTURES[0]!;
const collinear = FIXTURES[1]!;

function momentsOf(x: readonly number[][], y: readonly number[]): Moments {
  const k = x[0]!.length;
  const m = createMoments(k);
  addRows(m, Float64Array.from(x.flat()), Float64Array.from(y));
  return m;
}

function expectOk(r: RelativeWeightsResult): { r2: number; weights: number[] } {
  if (!r.ok) throw new Error(`expected relative weights, got ${r.reason}: ${r.detail}`);
  return r;
}

/** |actual − expected| ≤ max(rel·|expected|, abs), with the observed error in the message. */
function expectClose(actual: number, expected: number, rel: number, abs: number, what: string): void {
  const err = Math.abs(actual - expected);
  expect(err, `${what}: ${actual} vs ${expected} (error ${err})`).toBeLessThanOrEqual(Math.max(rel * Math.abs(expected), abs));
}

function maxAbsCorrelation(x: readonly number[][]): number {
  const k = x[0]!.length;
  const n = x.length;
  const mean = Array.from({ length: k }, (_, j) => x.reduce((s, row) => s + row[j]!, 0) / n);
  const cov = (i: number, j: number): number => x.reduce((s, row) => s + (row[i]! - mean[i]!) * (row[j]! - mean[j]!), 0);
  let worst = 0;
  for (let i = 0; i < k; i++) for (let j = i + 1; j < k; j++) worst = Math.max(worst, Math.abs(cov(i, j) / Math.sqrt(cov(i, i) * cov(j, j))));
  return worst;
}

describe('relative weights against the numpy reference', () => {
  it('uses fixtures that exercise what they claim (a collinear pair with r > 0.98, a moderate set below 0.8)', () => {
    expect(maxAbsCorrelation(collinear.x)).toBeGreaterThan(0.98);
    expect(maxAbsCorrelation(moderate.x)).toBeLessThan(0.8);
  });

  for (const fx of FIXTURES) {
    it(`matches numpy's weights and lstsq R² on '${fx.name}' to 1e-8 relative`, () => {
      const m = momentsOf(fx.x, fx.y);

      const { r2, weights } = expectOk(relativeWeights(m));

      expect(weights).toHaveLength(fx.weights.length);
      weights.forEach((w, j) => expectClose(w, fx.weights[j]!, 1e-8, 1e-10, `${fx.name} ε${j}`));
      expectClose(r2, fx.r2, 1e-8, 1e-10, `${fx.name} R²`);
    });

    it(`shares out exactly the R² of the OLS fit on '${fx.name}'`, () => {
      const m = momentsOf(fx.x, fx.y);
      const ols = fitLinear(m, { method: 'ols' });
      if (!ols.ok) throw new Error(`OLS failed: ${ols.detail}`);

      const { r2, weights } = expectOk(relativeWeights(m));

      expectClose(weights.reduce((a, b) => a + b, 0), ols.fit.r2, 0, 1e-10, 'Σ weights vs fitLinear R²');
      expectClose(r2, ols.fit.r2, 0, 1e-10, 'r2 vs fitLinear R²');
    });
  }

  it('gives both near-duplicate questions a substantial share instead of arbitrarily favouring one', () => {
    const { weights } = expectOk(relativeWeights(momentsOf(collinear.x, collinear.y)));

    const [twinA, twinB] = [weights[0]!, weights[1]!];
    expect(Math.min(twinA, twinB) / Math.max(twinA, twinB)).toBeGreaterThan(0.5);
  });
});

describe('relative weights: failures are values', () => {
  it("reports a constant attribute as 'constant-attribute', naming it", () => {
    const x = moderate.x.map((row) => [row[0]!, 7, ...row.slice(2)]);

    const r = relativeWeights(momentsOf(x, moderate.y), { attributes: ['staff', 'price', 'speed', 'app', 'billing'] });

    expect(r).toMatchObject({ ok: false, reason: 'constant-attribute' });
    expect(!r.ok && r.detail).toContain('price');
  });

  it("reports a constant attribute even when it sits exactly on the moments' shift", () => {
    const x = moderate.x.map((row) => [...row.slice(0, 4), 5]);

    expect(relativeWeights(momentsOf(x, moderate.y))).toMatchObject({ ok: false, reason: 'constant-attribute' });
  });

  it("reports an attribute that is an exact combination of others as 'singular'", () => {
    const x = moderate.x.map((row) => [...row, row[0]! + row[2]!]);

    const r = relativeWeights(momentsOf(x, moderate.y));

    expect(r).toMatchObject({ ok: false, reason: 'singular' });
    expect(!r.ok && r.detail).toMatch(/x1.*x3.*x6/);
  });

  it("reports a constant ltr as 'constant-ltr'", () => {
    expect(relativeWeights(momentsOf(moderate.x, moderate.y.map(() => 9)))).toMatchObject({ ok: false, reason: 'constant-ltr' });
  });

  it("reports fewer than k + 2 respondents as 'too-few-respondents'", () => {
    expect(relativeWeights(momentsOf(moderate.x.slice(0, 6), moderate.y.slice(0, 6)))).toMatchObject({ ok: false, reason: 'too-few-respondents' });
  });
});

describe('relative weights: invariants (properties)', () => {
  const k = moderate.x[0]!.length;
  const identity = Array.from({ length: k }, (_, j) => j);

  it('permutes the weights when the attributes are reordered, and keeps R²', () => {
    fc.assert(
      fc.property(fc.constantFrom(...FIXTURES), fc.shuffledSubarray(identity, { minLength: k, maxLength: k }), (fx, order) => {
        const base = expectOk(relativeWeights(momentsOf(fx.x, fx.y)));

        const permuted = expectOk(relativeWeights(momentsOf(fx.x.map((row) => order.map((j) => row[j]!)), fx.y)));

        order.forEach((j, position) => expectClose(permuted.weights[position]!, base.weights[j]!, 0, 1e-12, `attribute ${j} at ${position}`));
        expectClose(permuted.r2, base.r2, 0, 1e-12, 'R²');
      }),
      { numRuns: 40 },
    );
  });

  it('does not change when an attribute is rescaled or reverse-coded (a 1–5 scale, or 10 − x)', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...FIXTURES),
        fc.integer({ min: 0, max: k - 1 }),
        fc.double({ min: 0.1, max: 10, noNaN: true }),
        fc.boolean(),
        (fx, j, scale, reverse) => {
          const base = expectOk(relativeWeights(momentsOf(fx.x, fx.y)));
          const x = fx.x.map((row) => row.map((v, i) => (i === j ? (reverse ? 10 - v : v) * scale + 1 : v)));

          const rescaled = expectOk(relativeWeights(momentsOf(x, fx.y)));

          rescaled.weights.forEach((w, i) => expectClose(w, base.weights[i]!, 0, 1e-12, `ε${i}`));
        },
      ),
      { numRuns: 40 },
    );
  });

  it('gives non-negative weights that sum to R² on any bootstrap resample', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...FIXTURES),
        fc.array(fc.nat({ max: moderate.y.length - 1 }), { minLength: 50, maxLength: 200 }),
        (fx, picks) => {
          const x = picks.map((i) => fx.x[i]!);
          const y = picks.map((i) => fx.y[i]!);
          const r = relativeWeights(momentsOf(x, y));
          fc.pre(r.ok); // a small resample can lose all variation in a rating

          const { r2, weights } = expectOk(r);

          for (const w of weights) expect(w).toBeGreaterThanOrEqual(0);
          expect(r2).toBeLessThanOrEqual(1);
          expectClose(weights.reduce((a, b) => a + b, 0), r2, 0, 1e-12, 'Σ weights');
        },
      ),
      { numRuns: 40 },
    );
  });
});
