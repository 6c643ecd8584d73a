/**
 * Driver importance by Johnson's relative weights (J. W. Johnson, "A heuristic method for estimating
 * the relative weight of predictor variables in multiple regression", Multivariate Behavioral
 * Research 35(1), 2000, pp. 1–19).
 *
 * Why not the regression coefficients: when attributes are correlated (a survey's "staff friendly"
 * and "staff helpful" move together) OLS splits their shared effect arbitrarily — one coefficient can
 * be large, its twin near zero or negative — so ranking drivers by coefficients misleads. Relative
 * weights replace the attributes by their closest orthonormal counterparts, regress the ltr on those,
 * and map each counterpart's share back onto the original attributes through the squared loadings.
 * Every weight is non-negative, correlated twins share credit, and the weights add up exactly to the
 * R² of the OLS fit, so "attribute j explains x points of the variance the model explains" is true.
 *
 * Everything is computed from the k×k streaming moments ({@link Moments}), never from the rows.
 * Validated against an independent numpy implementation (test/fixtures/importance/generate.py: eigh
 * on the correlation matrix computed from the rows, R² from lstsq, and Johnson's SVD construction).
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { createRng, type Rng } from '../rng.js';
import { addColumns, createMoments, foldOf, type Moments } from './moments.js';
import type { Population } from './population.js';
import { centre } from './linear/centre.js';

/** Why relative weights could not be computed; the same reasons, and the same words, as `fitLinear`. */
export type RelativeWeightsFailureReason = 'constant-attribute' | 'constant-ltr' | 'too-few-respondents' | 'singular';

export type RelativeWeightsResult =
  | {
      ok: true;
      /** R² of the OLS fit of the ltr on all attributes; equal to the sum of `weights`. */
      r2: number;
      /** Raw relative weight εⱼ of each attribute, in the moments' column order; each ≥ 0. */
      weights: number[];
    }
  | {
      ok: false;
      reason: RelativeWeightsFailureReason;
      /** A sentence for the analyst: what is wrong and what to do. */
      detail: string;
    };

export interface RelativeWeightsOptions {
  /** Attribute names, used in failure messages. @default x1, x2, … */
  attributes?: readonly string[];
}

/**
 * Eigenvalues of the attributes' correlation matrix below this fraction of the largest are
 * numerically zero: the attributes are linearly dependent, R⁻¹ does not exist and neither does the
 * OLS fit whose R² the weights decompose. Same threshold as `RANK_TOLERANCE` in linear/eigen.ts.
 */
export const SINGULAR_TOLERANCE = 1e-12;


/**
 * Johnson's relative weights of the attributes for the ltr, from streaming moments.
 *
 * Why: they answer "which drivers matter most" in a way that survives correlated attributes —
 * unlike OLS coefficients, which collinearity makes unstable and sometimes negative — and they
 * partition the model's R², so a weight reads as a share of explained variance and weights can be
 * compared across waves of the same model. Divide by `r2` for percentages of the explained variance.
 *
 * With weights in the moments they are frequency weights, as in `fitLinear`.
 *
 * @returns `{ ok: true, r2, weights }` with Σ weights = r2, or a failure when there are fewer than
 *   k + 2 complete respondents, an attribute or the ltr is constant, or the attributes are linearly
 *   dependent (then no OLS fit exists and there is no R² to share out: drop or combine one of them).
 *
 * @example
 * const result = relativeWeights(moments, { attributes: columns.attributes });
 * if (result.ok) result.weights.map((w) => w / result.r2); // share of explained variance per driver
 */
export function relativeWeights(m: Moments, options: RelativeWeightsOptions = {}): RelativeWeightsResult {
  const k = m.k;
  const names = options.attributes ?? Array.from({ length: k }, (_, j) => `x${j + 1}`);
  if (names.length !== k) throw new RangeError(`${names.length} attribute names for ${k} attributes`);

  // The checks and the centring are the least-squares fit's own, so both refuse the same data.
  const c = centre(m, names);
  if (!c.ok) return { ok: false, reason: c.reason as RelativeWeightsFailureReason, detail: c.detail };
  // Correlations: R_xx (unit diagonal) and r_xy,j = Sxy_j / √(Sxx_jj·Syy).
  const sdY = Math.sqrt(c.syy);
  const R = new Matrix(k, k);
  const r = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) R.set(i, j, c.R[i * k + j]!);
    r[i] = c.r[i]! / sdY;
  }

  const evd = new EigenvalueDecomposition(R, { assumeSymmetric: true });
  const values = evd.realEigenvalues;
  const V = evd.eigenvectorMatrix;
  const max = Math.max(...values);
  const nullDirections = values.map((v, l) => (v <= SINGULAR_TOLERANCE * max ? l : -1)).filter((l) => l >= 0);
  if (nullDirections.length > 0) {
    const involved = names.filter((_, j) => nullDirections.some((l) => Math.abs(V.get(j, l)) >= 0.1));
    return {
      ok: false,
      reason: 'singular',
      detail: `${involved.join(', ')} are linearly dependent (one is a combination of the others), so there is no OLS fit whose R² could be shared out: drop or combine one of them`,
    };
  }

  // Johnson (2000), with R_xx = VΛVᵀ:
  //   Z = R_xx^{1/2} = VΛ^{1/2}Vᵀ   (loadings of the attributes on their closest orthonormal set),
  //   β = Z⁻¹r_xy = VΛ^{-1/2}Vᵀr_xy (standardised coefficients of the ltr on that orthonormal set),
  //   εⱼ = Σₖ Zⱼₖ²βₖ².
  // Since ZᵀZ = R_xx has a unit diagonal, Σⱼ εⱼ = Σₖ βₖ² = r_xyᵀR_xx⁻¹r_xy = R² of OLS.
  // Validated against numpy (eigh of the correlation matrix, lstsq R², SVD construction) in
  // test/fixtures/importance/generate.py.
  const g = new Float64Array(k); // Λ^{-1/2}Vᵀr
  for (let l = 0; l < k; l++) {
    let s = 0;
    for (let j = 0; j < k; j++) s += V.get(j, l) * r[j]!;
    g[l] = s / Math.sqrt(values[l]!);
  }
  const beta2 = new Float64Array(k); // βₖ²
  for (let i = 0; i < k; i++) {
    let s = 0;
    for (let l = 0; l < k; l++) s += V.get(i, l) * g[l]!;
    beta2[i] = s * s;
  }
  const weights: number[] = [];
  for (let j = 0; j < k; j++) {
    let e = 0;
    for (let i = 0; i < k; i++) {
      let z = 0;
      for (let l = 0; l < k; l++) z += V.get(j, l) * Math.sqrt(values[l]!) * V.get(i, l);
      e += z * z * beta2[i]!;
    }
    weights.push(e);
  }
  const r2 = weights.reduce((a, b) => a + b, 0);
  if (!Number.isFinite(r2))
    return { ok: false, reason: 'singular', detail: 'relative weights came out non-finite: the attributes are too close to linearly dependent' };
  return { ok: true, r2, weights };
}

/**
 * 90 % intervals of the relative weights from a bootstrap over accounts: respondents of one account
 * move together (a shared experience, a shared rater), so the replicates reweight whole accounts
 * (Poisson(1) multiplier weights, equivalent to resampling accounts with replacement for large
 * samples), each replicate recomputes the weights from its weighted moments, and the 5th and 95th
 * percentiles are the interval. Runs on at most `maxRows` respondents (a hashed subsample of
 * accounts) so that it costs the same on a million respondents as on ten thousand.
 *
 * @returns per attribute [low, high], or null when the weights cannot be computed
 */
export function bootstrapRelativeWeights(
  pop: Pick<Population, 'n' | 'attributes' | 'columns' | 'ltr' | 'account'>,
  options: { seed: number; replicates?: number; maxRows?: number },
): [number, number][] | null {
  const k = pop.attributes.length;
  const replicates = options.replicates ?? 100;
  const maxRows = options.maxRows ?? 8000;
  const every = Math.ceil(pop.n / maxRows);
  const rows: number[] = [];
  for (let i = 0; i < pop.n; i++) if (every === 1 || foldOf(pop.account[i]!, options.seed ^ 0x2545f491, every) === 0) rows.push(i);
  const cols = pop.columns.map((c) => Float64Array.from(rows, (i) => c[i]!));
  const y = Float64Array.from(rows, (i) => pop.ltr[i]!);
  const accountIndex = new Map<number, number>();
  const accountOf = Uint32Array.from(rows, (i) => {
    const a = pop.account[i]!;
    let g = accountIndex.get(a);
    if (g === undefined) accountIndex.set(a, (g = accountIndex.size));
    return g;
  });
  const rng = createRng(options.seed * 2654435761 + 97);
  const weights = new Float64Array(rows.length);
  const accountWeight = new Float64Array(accountIndex.size);
  const draws: number[][] = Array.from({ length: k }, () => []);
  const shift = pop.attributes.map((a) => (a.scale[0] + a.scale[1]) / 2);
  for (let b = 0; b < replicates; b++) {
    for (let g = 0; g < accountWeight.length; g++) accountWeight[g] = poisson1(rng);
    for (let r = 0; r < rows.length; r++) weights[r] = accountWeight[accountOf[r]!]!;
    const m = createMoments(k, { shift });
    addColumns(m, cols, y, rows.length, weights);
    const rw = relativeWeights(m);
    if (!rw.ok) continue;
    rw.weights.forEach((w, j) => draws[j]!.push(w));
  }
  if (draws[0]!.length < replicates / 2) return null;
  return draws.map((d) => {
    d.sort((a, b) => a - b);
    const at = (q: number): number => d[Math.min(d.length - 1, Math.max(0, Math.round(q * (d.length - 1))))]!;
    return [at(0.05), at(0.95)];
  });
}

/** A Poisson(1) draw (Knuth's product of uniforms; e⁻¹ is far from underflow). */
function poisson1(rng: Rng): number {
  const limit = Math.exp(-1);
  let p = rng.next();
  let n = 0;
  while (p > limit) {
    p *= rng.next();
    n++;
  }
  return n;
}
