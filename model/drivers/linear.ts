/**
 * Linear driver models fitted from sufficient statistics ({@link Moments}): ordinary least squares and
 * ridge regression of the 0–10 likelihood-to-recommend on attribute ratings, with standard errors,
 * t intervals, R², the condition number of the design, and exact K-fold cross-validation.
 *
 * Everything is computed from the k×k moments, never from the rows, so a fit costs the same for 300
 * or 1,000,000 respondents and cross-validation needs no second pass over the data.
 *
 * Numerics (see /work/shared/toolchain.md, "Numbers measured here"): the normal equations square the
 * condition number, so the system is centred (moments) and scaled to unit diagonal (the correlation
 * matrix R) before it is factorised. The standardised system is solved by Cholesky; when Cholesky
 * breaks down or its pivots span more than {@link CHOLESKY_PIVOT_RATIO} (an estimated condition of the
 * design above 1e5, where the normal equations keep fewer than ~6 significant digits) the solve falls
 * back to an eigendecomposition, which cannot break down and detects rank deficiency: eigenvalues
 * below {@link RANK_TOLERANCE}·λmax are numerically zero and the fit is reported as `singular`.
 *
 * Validated against numpy (test/fixtures/linear/generate.py: lstsq on the explicit design for OLS,
 * augmented least squares for ridge, SVD for the standard errors, a quadrature t quantile).
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { sumMoments, type Moments } from './moments.js';
import { studentTQuantile } from '../stats/studentT.js';

/** Which estimator to fit. Ridge's λ is on the attributes' own scale (see {@link fitLinear}). */
export type RegressionSpec = { method: 'ols' } | { method: 'ridge'; lambda: number };

/** Why a driver model could not be fitted; every failure is a value, never a `NaN` in a result. */
export type DriverModelFailureReason = 'constant-attribute' | 'too-few-respondents' | 'constant-ltr' | 'singular';

export interface DriverModelFailure {
  ok: false;
  reason: DriverModelFailureReason;
  /** A sentence for the analyst: what is wrong and what to do. */
  detail: string;
  /** The attributes involved (constant ones, or those in a linear dependency). */
  attributes?: string[];
}

export interface Estimate {
  estimate: number;
  stdError: number;
}

export interface CoefficientEstimate extends Estimate {
  /** Two-sided confidence interval, estimate ± t·stdError (95 % by default). */
  interval: [number, number];
}

export interface LinearFit {
  method: 'ols' | 'ridge';
  /** Ridge penalty (0 for OLS). */
  lambda: number;
  /** Complete respondents used. */
  n: number;
  /** Respondents skipped because an attribute or the ltr was not answered. */
  incomplete: number;
  k: number;
  intercept: Estimate;
  /** One per attribute, in the order of the moments' columns: ltr points per rating point. */
  coefficients: CoefficientEstimate[];
  /** 1 − SSE/SST. */
  r2: number;
  /** 1 − (1 − R²)(n − 1)/(n − df − 1). */
  adjustedR2: number;
  /** Residual standard deviation √(SSE/residualDf), in ltr points. */
  sigma: number;
  /** n − df − 1: n − k − 1 for OLS, non-integer for ridge. */
  residualDf: number;
  /** Degrees of freedom used by the attributes: k for OLS, tr(Sxx(Sxx+λI)⁻¹) for ridge. */
  effectiveDf: number;
  /**
   * √(λmax/λmin) of the attributes' correlation matrix (the condition number of the centred,
   * unit-scaled design). Below ~30 is harmless; hundreds mean collinear drivers whose separate
   * effects are poorly determined. `null` when the attributes are linearly dependent.
   */
  condition: number | null;
  /** Which factorisation solved the standardised system. */
  solver: 'cholesky' | 'eigen';
}

export type FitResult = { ok: true; fit: LinearFit } | DriverModelFailure;

export interface FitOptions {
  /** Attribute names, used in failure messages. @default x1, x2, … */
  attributes?: readonly string[];
  /** Confidence level of the coefficient intervals. @default 0.95 */
  confidence?: number;
}

/**
 * Cholesky is used while (max pivot / min pivot)² — a lower bound on the condition number of the
 * standardised XᵀX — stays below this; above, the eigen route takes over. 1e10 corresponds to a
 * design condition of 1e5; a double then still carries ~6 digits through the normal equations.
 */
export const CHOLESKY_PIVOT_RATIO = 1e10;

/**
 * Eigenvalues of the standardised system below this fraction of the largest are numerically zero
 * (a design condition above 1e6): the attributes are linearly dependent and OLS is not identified.
 */
export const RANK_TOLERANCE = 1e-12;

/**
 * A column or the ltr is constant when its centred sum of squares is below this fraction of its
 * uncentred (shifted) one — the size of the rounding left by the centring subtraction itself.
 */
const CONSTANT_TOLERANCE = 1e-12;

/**
 * Fits a linear driver model from moments.
 *
 * **OLS**: b = Sxx⁻¹Sxy on centred cross-products, b₀ = ȳ − x̄ᵀb; Var(b) = σ²Sxx⁻¹ and
 * Var(b₀) = σ²(1/n + x̄ᵀSxx⁻¹x̄) with σ² = SSE/(n − k − 1); intervals use the Student t quantile
 * with n − k − 1 degrees of freedom (exact for small samples, unlike 1.96).
 *
 * **Ridge** (textbook convention, Hoerl & Kennard 1970; Hastie, Tibshirani & Friedman, ESL §3.4.1):
 * minimises Σ(y − b₀ − xᵀb)² + λ‖b‖² with ratings on their own scale and the intercept not
 * penalised, so b = (Sxx + λI)⁻¹Sxy and b₀ = ȳ − x̄ᵀb. Ridge trades bias for variance when drivers
 * are collinear; its standard errors are the sampling spread of that biased estimator:
 * Var(b) = σ²(Sxx+λI)⁻¹Sxx(Sxx+λI)⁻¹ with σ² = SSE/(n − df − 1), df = tr(Sxx(Sxx+λI)⁻¹) the
 * effective degrees of freedom (ESL eq. 3.50), and Var(b₀) = σ²/n + x̄ᵀVar(b)x̄ (ȳ is uncorrelated with
 * b because the columns are centred). The t intervals use n − df − 1 degrees of freedom; they are
 * centred on a shrunken estimate, so they describe precision, not coverage of the true effect.
 * R² = 1 − SSE/SST and adjusted R² use the same df.
 *
 * With weights in the moments they are frequency weights: n in every formula is Σw.
 *
 * @returns `{ ok: true, fit }`, or a {@link DriverModelFailure} when a rating or the ltr is
 *   constant, there are fewer than k + 2 complete respondents, or the attributes are linearly
 *   dependent (OLS, or ridge with a negligible λ).
 *
 * @example
 * const result = fitLinear(moments, { method: 'ols' }, { attributes: columns.attributes });
 * if (result.ok) result.fit.coefficients[0].estimate; // ltr points per rating point
 */
export function fitLinear(m: Moments, spec: RegressionSpec, options: FitOptions = {}): FitResult {
  const lambda = lambdaOf(spec);
  const names = namesOf(m.k, options.attributes);
  const confidence = options.confidence ?? 0.95;
  if (!(confidence > 0 && confidence < 1)) throw new RangeError(`confidence must be in (0, 1), got ${confidence}`);
  const c = centre(m, names);
  if (!c.ok) return c;
  const sol = solveStandardised(c, lambda, names);
  if (!sol.ok) return sol;
  const { k, W } = c;
  const { beta, inverse: P } = sol;

  // SSE = Σ(y − b₀ − xᵀb)² = Syy − 2bᵀSxy + bᵀSxx b (expanding the square about the means); in
  // standardised coordinates bᵀSxy = βᵀr and bᵀSxx b = βᵀRβ.
  const Rb = symMul(c.R, beta, k);
  let sse = c.syy - 2 * dot(beta, c.r) + dot(beta, Rb);
  if (!(sse > 0)) sse = 0;

  // Effective df: tr(Sxx(Sxx+λI)⁻¹) = tr(RA⁻¹) (the scaling D^{±1/2} cancels in the trace), and since
  // R = A − λD⁻¹, tr(RA⁻¹) = k − λ·Σ (A⁻¹)ⱼⱼ/Sxx_jj: exact at λ = 0 and no cancellation while the
  // shrinkage is under half of k; beyond, the direct trace is the accurate one.
  let df = k;
  if (lambda > 0) {
    let shrink = 0;
    for (let j = 0; j < k; j++) shrink += P[j * k + j]! / c.sxx[j * k + j]!;
    shrink *= lambda;
    if (shrink <= k / 2) df = k - shrink;
    else {
      df = 0;
      for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) df += c.R[i * k + j]! * P[j * k + i]!;
    }
  }
  const residualDf = W - df - 1;
  const sigma2 = sse / residualDf;

  // Var(b) = σ²·D^{-1/2}·V·D^{-1/2} with V = A⁻¹ (OLS) or A⁻¹RA⁻¹ (ridge), and
  // Var(b₀) = σ²/n + x̄ᵀVar(b)x̄ = σ²(1/n + zᵀVz) with zⱼ = x̄ⱼ/dⱼ. Both need quadratic forms zᵀVz
  // (zⱼ = 1 for Var(bⱼ)); {@link quadraticForm} evaluates them without forming V.
  const z = new Float64Array(k);
  for (let j = 0; j < k; j++) z[j] = c.mean[j]! / c.d[j]!;
  const t = studentTQuantile(0.5 + confidence / 2, residualDf);

  const coefficients: CoefficientEstimate[] = [];
  const unit = new Float64Array(k);
  let intercept = c.meanY;
  for (let j = 0; j < k; j++) {
    const estimate = beta[j]! / c.d[j]!;
    unit.fill(0);
    unit[j] = 1;
    const stdError = Math.sqrt((sigma2 * quadraticForm(sol, c, lambda, unit)) / c.sxx[j * k + j]!);
    intercept -= c.mean[j]! * estimate;
    coefficients.push({ estimate, stdError, interval: [estimate - t * stdError, estimate + t * stdError] });
  }
  const zVz = quadraticForm(sol, c, lambda, z);
  const r2 = 1 - sse / c.syy;
  const fit: LinearFit = {
    method: spec.method,
    lambda,
    n: m.rows,
    incomplete: m.incomplete,
    k,
    intercept: { estimate: intercept, stdError: Math.sqrt(sigma2 * (1 / W + zVz)) },
    coefficients,
    r2,
    adjustedR2: 1 - ((1 - r2) * (W - 1)) / residualDf,
    sigma: Math.sqrt(sigma2),
    residualDf,
    effectiveDf: df,
    condition: conditionOf(c.R, k),
    solver: sol.solver,
  };
  if (!allFinite(fit))
    return { ok: false, reason: 'singular', detail: 'the fit produced non-finite numbers: the attributes are too close to linearly dependent' };
  return { ok: true, fit };
}

/** Cross-validated prediction error of one specification, fold by fold. */
export type CvResult =
  | { ok: true; rmse: number; folds: { rows: number; rmse: number | null }[] }
  | DriverModelFailure;

/**
 * Exact K-fold cross-validated RMSE from per-fold moments (see `createFoldMoments`): for each fold,
 * the model is fitted on the other folds' moments and its squared error on the fold is computed from
 * the fold's own moments, so the result equals refitting on explicit row subsets — without a second
 * pass over the data. RMSE = √(Σ_folds SSE_f / Σ_folds n_f) (pooled over respondents, so folds of
 * unequal size weigh by their size).
 *
 * The training moments are the sum of the other K − 1 folds rather than "total − fold": summing only
 * adds, so no cancellation, and costs K²k² operations — nothing next to the data pass.
 *
 * Why it matters: in-sample R² always rises with more drivers; CV RMSE tells whether a model (or a
 * ridge λ) predicts respondents it has not seen.
 */
export function cvRmse(folds: readonly Moments[], spec: RegressionSpec, options: Pick<FitOptions, 'attributes'> = {}): CvResult {
  const lambda = lambdaOf(spec);
  const first = folds[0];
  if (first === undefined || folds.length < 2) throw new RangeError('cross-validation needs at least 2 folds');
  const names = namesOf(first.k, options.attributes);
  const k = first.k;
  let totalSse = 0;
  let totalW = 0;
  const perFold: { rows: number; rmse: number | null }[] = [];
  for (let f = 0; f < folds.length; f++) {
    const test = folds[f]!;
    if (test.weight === 0) {
      perFold.push({ rows: test.rows, rmse: null });
      continue;
    }
    const train = sumMoments(folds.filter((_, g) => g !== f));
    const c = centre(train, names);
    if (!c.ok) return { ...c, detail: `fold ${f + 1} of ${folds.length}: ${c.detail}` };
    const sol = solveStandardised(c, lambda, names);
    if (!sol.ok) return { ...sol, detail: `fold ${f + 1} of ${folds.length}: ${sol.detail}` };
    const b = new Float64Array(k);
    let b0 = c.meanY;
    for (let j = 0; j < k; j++) {
      b[j] = sol.beta[j]! / c.d[j]!;
      b0 -= c.mean[j]! * b[j]!;
    }
    const sse = foldSse(test, b, b0);
    totalSse += sse;
    totalW += test.weight;
    perFold.push({ rows: test.rows, rmse: Math.sqrt(sse / test.weight) });
  }
  if (totalW === 0) return { ok: false, reason: 'too-few-respondents', detail: 'no fold holds a complete respondent' };
  return { ok: true, rmse: Math.sqrt(totalSse / totalW), folds: perFold };
}

export interface LambdaChoice {
  ok: true;
  /** The λ with the smallest CV RMSE (the larger one on a tie: more shrinkage, same error). */
  lambda: number;
  cvRmse: number;
  /** True when the best λ is the first or last of the grid: widen the grid before trusting it. */
  atEdge: boolean;
  /** CV RMSE at every λ of the grid; `null` where the fit was singular (tiny λ on dependent drivers). */
  curve: { lambda: number; cvRmse: number | null }[];
}

/**
 * Picks the ridge penalty that predicts held-out respondents best (minimum K-fold CV RMSE), so
 * shrinkage is chosen by the data rather than by hand.
 *
 * The default grid is scale-free: λ = s·10^g for g = −6, −5.75, …, 0 (25 values) with
 * s = tr(Sxx)/k, the average centred sum of squares of an attribute (= n × its average variance).
 * λ = s·10^g shrinks an uncorrelated attribute of average spread by the factor 1/(1 + 10^g): from
 * nothing (g = −6) to a half (g = 0), whatever the rating scales and the number of respondents.
 *
 * @param grid explicit λ values (≥ 0, on the attributes' own scale) instead of the default grid
 */
export function chooseRidgeLambda(
  folds: readonly Moments[],
  grid?: readonly number[],
  options: Pick<FitOptions, 'attributes'> = {},
): LambdaChoice | DriverModelFailure {
  const first = folds[0];
  if (first === undefined || folds.length < 2) throw new RangeError('cross-validation needs at least 2 folds');
  const names = namesOf(first.k, options.attributes);
  let lambdas: number[];
  if (grid !== undefined) {
    if (grid.length === 0 || grid.some((l) => !(l >= 0) || !Number.isFinite(l))) throw new RangeError('the λ grid must hold finite values ≥ 0');
    lambdas = [...grid].sort((a, b) => a - b);
  } else {
    const c = centre(sumMoments(folds), names);
    if (!c.ok) return c;
    let trace = 0;
    for (let j = 0; j < c.k; j++) trace += c.sxx[j * c.k + j]!;
    const s = trace / c.k;
    lambdas = Array.from({ length: 25 }, (_, i) => s * 10 ** (-6 + i / 4));
  }
  const curve: { lambda: number; cvRmse: number | null }[] = [];
  let best = -1;
  for (const lambda of lambdas) {
    const cv = cvRmse(folds, { method: 'ridge', lambda }, { attributes: names });
    if (!cv.ok) {
      if (cv.reason !== 'singular') return cv;
      curve.push({ lambda, cvRmse: null });
      continue;
    }
    curve.push({ lambda, cvRmse: cv.rmse });
    if (best === -1 || cv.rmse <= curve[best]!.cvRmse!) best = curve.length - 1;
  }
  if (best === -1)
    return { ok: false, reason: 'singular', detail: 'every λ of the grid gave a singular fit: increase λ or drop dependent attributes', attributes: [...names] };
  const chosen = curve[best]!;
  return { ok: true, lambda: chosen.lambda, cvRmse: chosen.cvRmse!, atEdge: best === 0 || best === curve.length - 1, curve };
}

// ---------------------------------------------------------------------------------------------------
// Linear algebra on the small k×k system

export interface Centred {
  ok: true;
  k: number;
  /** Σw. */
  W: number;
  /** Attribute means x̄ (original scale) and ltr mean ȳ. */
  mean: Float64Array;
  meanY: number;
  /** Centred cross-products Sxx (full, symmetric), Sxy, Syy. */
  sxx: Float64Array;
  syy: number;
  /** dⱼ = √Sxx_jj. */
  d: Float64Array;
  /** Correlation matrix R = D^{-1/2} Sxx D^{-1/2} and r = D^{-1/2} Sxy. */
  R: Float64Array;
  r: Float64Array;
}

/**
 * Centred cross-products from shifted sums: Sxx = Σuuᵀ − (Σu)(Σu)ᵀ/W (the shift c cancels:
 * Σ(x−x̄)(x−x̄)ᵀ = Σ(u−ū)(u−ū)ᵀ with u = x − c), and the checks that must fail before any division.
 */
export function centre(m: Moments, names: readonly string[]): Centred | DriverModelFailure {
  const k = m.k;
  const W = m.weight;
  if (m.rows < k + 2 || !(W > k + 1)) {
    const skipped = m.incomplete > 0 ? ` (${m.incomplete} more skipped for missing answers)` : '';
    return {
      ok: false,
      reason: 'too-few-respondents',
      detail: `${m.rows} complete respondents${skipped}: a model with ${k} attributes needs at least ${k + 2}`,
    };
  }
  const sxx = new Float64Array(k * k);
  for (let i = 0; i < k; i++)
    for (let j = i; j < k; j++) {
      const v = m.xx[i * k + j]! - (m.sumX[i]! * m.sumX[j]!) / W;
      sxx[i * k + j] = v;
      sxx[j * k + i] = v;
    }
  const constant = names.filter((_, j) => !(sxx[j * k + j]! > CONSTANT_TOLERANCE * m.xx[j * k + j]!));
  if (constant.length > 0)
    return {
      ok: false,
      reason: 'constant-attribute',
      detail: `${constant.join(', ')} ${constant.length === 1 ? 'has' : 'have'} the same rating for every respondent, so no effect on ltr can be estimated: drop ${constant.length === 1 ? 'it' : 'them'} from the model`,
      attributes: constant,
    };
  const syy = m.sumYY - (m.sumY * m.sumY) / W;
  if (!(syy > CONSTANT_TOLERANCE * m.sumYY))
    return { ok: false, reason: 'constant-ltr', detail: 'every respondent gave the same likelihood to recommend: there is nothing for the drivers to explain' };
  const d = new Float64Array(k);
  for (let j = 0; j < k; j++) d[j] = Math.sqrt(sxx[j * k + j]!);
  const R = new Float64Array(k * k);
  const r = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) R[i * k + j] = i === j ? 1 : sxx[i * k + j]! / (d[i]! * d[j]!);
    r[i] = (m.xy[i]! - (m.sumX[i]! * m.sumY) / W) / d[i]!;
  }
  const mean = new Float64Array(k);
  for (let j = 0; j < k; j++) mean[j] = m.shift[j]! + m.sumX[j]! / W;
  return { ok: true, k, W, mean, meanY: m.ltrShift + m.sumY / W, sxx, syy, d, R, r };
}

interface Solution {
  ok: true;
  /** Standardised coefficients β = A⁻¹r; bⱼ = βⱼ/dⱼ. */
  beta: Float64Array;
  /** A⁻¹ (k×k, symmetric) with A = R + λD⁻¹. */
  inverse: Float64Array;
  /** F with A⁻¹ = FᵀF (L⁻¹ from Cholesky, Λ^{-1/2}Vᵀ from the eigen route), for accurate quadratic forms. */
  factor: Float64Array;
  solver: 'cholesky' | 'eigen';
}

/**
 * Solves (Sxx + λI)b = Sxy in standardised form: with D = diag(Sxx), Sxx + λI =
 * D^{1/2}(R + λD⁻¹)D^{1/2}, so b = D^{-1/2}A⁻¹r with A = R + λD⁻¹ (unit-diagonal for OLS).
 */
function solveStandardised(c: Centred, lambda: number, names: readonly string[]): Solution | DriverModelFailure {
  const k = c.k;
  const A = Float64Array.from(c.R);
  for (let j = 0; j < k; j++) A[j * k + j]! += lambda / c.sxx[j * k + j]!;
  const L = cholesky(A, k);
  if (L !== null) {
    const Linv = lowerInverse(L, k);
    // A⁻¹ = L⁻ᵀL⁻¹: entries are sums of products of L⁻¹ columns (diagonal: sums of squares).
    const inverse = new Float64Array(k * k);
    for (let i = 0; i < k; i++)
      for (let j = i; j < k; j++) {
        let s = 0;
        for (let l = j; l < k; l++) s += Linv[l * k + i]! * Linv[l * k + j]!;
        inverse[i * k + j] = s;
        inverse[j * k + i] = s;
      }
    return { ok: true, beta: symMul(inverse, c.r, k), inverse, factor: Linv, solver: 'cholesky' };
  }
  const evd = new EigenvalueDecomposition(toMatrix(A, k), { assumeSymmetric: true });
  const values = evd.realEigenvalues;
  const vectors = evd.eigenvectorMatrix;
  const max = Math.max(...values);
  const nullDirections = values.map((v, i) => (v <= RANK_TOLERANCE * max ? i : -1)).filter((i) => i >= 0);
  if (nullDirections.length > 0) {
    const involved = names.filter((_, j) => nullDirections.some((i) => Math.abs(vectors.get(j, i)) >= 0.1));
    return {
      ok: false,
      reason: 'singular',
      detail: `${involved.join(', ')} are linearly dependent (one is a combination of the others), so their separate effects cannot be estimated: drop or combine one of them, or use ridge`,
      attributes: involved,
    };
  }
  // Pseudo-inverse V Λ⁻¹ Vᵀ over the (all retained) eigenpairs.
  const inverse = new Float64Array(k * k);
  for (let i = 0; i < k; i++)
    for (let j = i; j < k; j++) {
      let s = 0;
      for (let l = 0; l < k; l++) s += (vectors.get(i, l) * vectors.get(j, l)) / values[l]!;
      inverse[i * k + j] = s;
      inverse[j * k + i] = s;
    }
  const factor = new Float64Array(k * k);
  for (let l = 0; l < k; l++) {
    const scale = 1 / Math.sqrt(values[l]!);
    for (let j = 0; j < k; j++) factor[l * k + j] = vectors.get(j, l) * scale;
  }
  return { ok: true, beta: symMul(inverse, c.r, k), inverse, factor, solver: 'eigen' };
}

/**
 * Lower Cholesky factor of a symmetric k×k matrix, or null when a pivot is not positive or the
 * pivots span more than {@link CHOLESKY_PIVOT_RATIO} ((max Lᵢᵢ / min Lᵢᵢ)² bounds κ(A) from below).
 */
function cholesky(A: Float64Array, k: number): Float64Array | null {
  const L = new Float64Array(k * k);
  let minPivot = Number.POSITIVE_INFINITY;
  let maxPivot = 0;
  for (let j = 0; j < k; j++) {
    let s = A[j * k + j]!;
    for (let l = 0; l < j; l++) s -= L[j * k + l]! * L[j * k + l]!;
    if (!(s > 0)) return null;
    const ljj = Math.sqrt(s);
    L[j * k + j] = ljj;
    minPivot = Math.min(minPivot, s);
    maxPivot = Math.max(maxPivot, s);
    for (let i = j + 1; i < k; i++) {
      let t = A[i * k + j]!;
      for (let l = 0; l < j; l++) t -= L[i * k + l]! * L[j * k + l]!;
      L[i * k + j] = t / ljj;
    }
  }
  return maxPivot / minPivot > CHOLESKY_PIVOT_RATIO ? null : L;
}

/** Inverse of a lower-triangular matrix by forward substitution, column by column. */
function lowerInverse(L: Float64Array, k: number): Float64Array {
  const X = new Float64Array(k * k);
  for (let col = 0; col < k; col++) {
    X[col * k + col] = 1 / L[col * k + col]!;
    for (let i = col + 1; i < k; i++) {
      let s = 0;
      for (let l = col; l < i; l++) s += L[i * k + l]! * X[l * k + col]!;
      X[i * k + col] = -s / L[i * k + i]!;
    }
  }
  return X;
}

/**
 * zᵀVz for the standardised coefficient covariance V (without σ²), computed so that collinear
 * drivers do not cost digits:
 * - OLS, V = A⁻¹ = FᵀF: zᵀVz = ‖Fz‖², a sum of squares (no cancellation).
 * - Ridge, V = A⁻¹RA⁻¹. Since R = A − λD⁻¹, V = A⁻¹ − λA⁻¹D⁻¹A⁻¹, so with h = A⁻¹z
 *   zᵀVz = ‖Fz‖² − λ·Σ hⱼ²/Sxx_jj: exact at λ = 0 and free of the large cancelling terms of hᵀRh
 *   when A is ill-conditioned (h is then large along R's small eigenvectors). When the shrinkage term
 *   exceeds half of ‖Fz‖² the subtraction would itself cancel; λD⁻¹ then dominates A in that
 *   direction, A is well-conditioned there, and the direct hᵀRh is used instead.
 * Validated against numpy's SVD form Σ (Vᵀz)ᵢ² sᵢ²/(sᵢ²+λ)² (test/fixtures/linear).
 */
function quadraticForm(sol: Solution, c: Centred, lambda: number, z: Float64Array): number {
  const k = c.k;
  const Fz = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    let s = 0;
    for (let j = 0; j < k; j++) s += sol.factor[i * k + j]! * z[j]!;
    Fz[i] = s;
  }
  const zPz = dot(Fz, Fz);
  if (lambda === 0) return zPz;
  const h = symMul(sol.inverse, z, k);
  let shrink = 0;
  for (let j = 0; j < k; j++) shrink += (h[j]! * h[j]!) / c.sxx[j * k + j]!;
  shrink *= lambda;
  if (shrink <= 0.5 * zPz) return zPz - shrink;
  return Math.max(0, dot(h, symMul(c.R, h, k)));
}

/** √(λmax/λmin) of the correlation matrix, or null when it is numerically singular. */
function conditionOf(R: Float64Array, k: number): number | null {
  const values = new EigenvalueDecomposition(toMatrix(R, k), { assumeSymmetric: true }).realEigenvalues;
  const max = Math.max(...values);
  const min = Math.min(...values);
  return min > RANK_TOLERANCE * max ? Math.sqrt(max / min) : null;
}

/**
 * Squared error of a fitted model on one fold, from the fold's moments alone. With u = x − c,
 * v = y − c_y and a = b₀ + cᵀb − c_y the residual is v − uᵀb − a, and expanding the square:
 * Σw(v − uᵀb − a)² = Σwv² − 2bᵀΣwuv − 2aΣwv + bᵀ(Σwuuᵀ)b + 2a·bᵀΣwu + a²Σw.
 */
function foldSse(m: Moments, b: Float64Array, b0: number): number {
  const k = m.k;
  let a = b0 - m.ltrShift;
  for (let j = 0; j < k; j++) a += m.shift[j]! * b[j]!;
  let bXXb = 0;
  for (let i = 0; i < k; i++) {
    bXXb += b[i]! * b[i]! * m.xx[i * k + i]!;
    for (let j = i + 1; j < k; j++) bXXb += 2 * b[i]! * b[j]! * m.xx[i * k + j]!;
  }
  const sse = m.sumYY - 2 * dot(b, m.xy) - 2 * a * m.sumY + bXXb + 2 * a * dot(b, m.sumX) + a * a * m.weight;
  return Math.max(0, sse);
}

function symMul(S: Float64Array, x: Float64Array, k: number): Float64Array {
  const out = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    let s = 0;
    for (let j = 0; j < k; j++) s += S[i * k + j]! * x[j]!;
    out[i] = s;
  }
  return out;
}

function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}

function toMatrix(A: Float64Array, k: number): Matrix {
  return new Matrix(Array.from({ length: k }, (_, i) => Array.from(A.subarray(i * k, (i + 1) * k))));
}

function lambdaOf(spec: RegressionSpec): number {
  if (spec.method === 'ols') return 0;
  if (!(spec.lambda >= 0) || !Number.isFinite(spec.lambda)) throw new RangeError(`ridge λ must be finite and ≥ 0, got ${spec.lambda}`);
  return spec.lambda;
}

function namesOf(k: number, given: readonly string[] | undefined): readonly string[] {
  if (given === undefined) return Array.from({ length: k }, (_, j) => `x${j + 1}`);
  if (given.length !== k) throw new RangeError(`${given.length} attribute names for ${k} attributes`);
  return given;
}

function allFinite(fit: LinearFit): boolean {
  const nums = [fit.intercept.estimate, fit.intercept.stdError, fit.r2, fit.adjustedR2, fit.sigma, fit.residualDf, fit.effectiveDf];
  for (const c of fit.coefficients) nums.push(c.estimate, c.stdError, c.interval[0], c.interval[1]);
  if (fit.condition !== null) nums.push(fit.condition);
  return nums.every(Number.isFinite);
}
