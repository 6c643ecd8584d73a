/**
 * The OLS / ridge solve of the standardised normal equations (Sxx + λI)b = Sxy.
 *
 * Numerics (see /work/shared/toolchain.md, "Numbers measured here"): the normal equations square the
 * condition number, so the system is centred (moments) and scaled to unit diagonal (the correlation
 * matrix R, centre.ts) before it is factorised. It is solved by Cholesky; when Cholesky breaks
 * down or its pivots span more than {@link CHOLESKY_PIVOT_RATIO} (an estimated condition of the
 * design above 1e5, where the normal equations keep fewer than ~6 significant digits) the solve
 * falls back to an eigendecomposition (eigen.ts), which cannot break down and detects rank
 * deficiency.
 */
import { dot, symMul } from './algebra.js';
import type { Centred } from './centre.js';
import { solveByEigen } from './eigen.js';
import type { DriverModelFailure } from './spec.js';

/**
 * Cholesky is used while (max pivot / min pivot)² — a lower bound on the condition number of the
 * standardised XᵀX — stays below this; above, the eigen route takes over. 1e10 corresponds to a
 * design condition of 1e5; a double then still carries ~6 digits through the normal equations.
 */
export const CHOLESKY_PIVOT_RATIO = 1e10;

/** A solved standardised system, with what the coefficient variances need. */
export interface Solution {
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
export function solveStandardised(c: Centred, lambda: number, names: readonly string[]): Solution | DriverModelFailure {
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
  return solveByEigen(A, k, c.r, names);
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
export function quadraticForm(sol: Solution, c: Centred, lambda: number, z: Float64Array): number {
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
