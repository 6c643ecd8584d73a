/**
 * Linear driver models fitted from sufficient statistics ({@link Moments}): ordinary least squares and
 * ridge regression of the 0–10 likelihood-to-recommend on attribute ratings, with standard errors,
 * t intervals, R² and the condition number of the design. This module turns a solve into that fit
 * summary; its stages live beside it in linear/:
 *
 * - spec.ts: the estimator, the options and the failure values;
 * - centre.ts: moments → the centred, correlation-scaled system, and the checks before any division;
 * - solve.ts: the Cholesky solve of the standardised normal equations and the coefficient variances;
 * - eigen.ts: the eigendecomposition fallback (rank test, pseudo-inverse) and the condition number;
 * - crossValidation.ts: exact K-fold CV from per-fold moments, and the ridge λ chosen by it.
 *
 * Everything is computed from the k×k moments, never from the rows, so a fit costs the same for 300
 * or 1,000,000 respondents and cross-validation needs no second pass over the data.
 *
 * Validated against numpy (test/fixtures/linear/generate.py: lstsq on the explicit design for OLS,
 * augmented least squares for ridge, SVD for the standard errors, a quadrature t quantile).
 */
import type { Moments } from './moments.js';
import { dot, symMul } from './linear/algebra.js';
import { centre } from './linear/centre.js';
import { conditionOf } from './linear/eigen.js';
import { quadraticForm, solveStandardised } from './linear/solve.js';
import { lambdaOf, namesOf, type DriverModelFailure, type FitOptions, type RegressionSpec } from './linear/spec.js';
import { studentTQuantile } from '../stats/studentT.js';

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

function allFinite(fit: LinearFit): boolean {
  const nums = [fit.intercept.estimate, fit.intercept.stdError, fit.r2, fit.adjustedR2, fit.sigma, fit.residualDf, fit.effectiveDf];
  for (const c of fit.coefficients) nums.push(c.estimate, c.stdError, c.interval[0], c.interval[1]);
  if (fit.condition !== null) nums.push(fit.condition);
  return nums.every(Number.isFinite);
}
