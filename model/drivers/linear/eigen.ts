/**
 * The eigendecomposition side of the linear solve: the pseudo-inverse fallback for designs Cholesky
 * will not take, the rank test that reports dependent attributes, and the condition number. The
 * only user of ml-matrix in the linear fit.
 */
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { symMul } from './algebra.js';
import type { Solution } from './solve.js';
import type { DriverModelFailure } from './spec.js';

/**
 * Eigenvalues of the standardised system below this fraction of the largest are numerically zero
 * (a design condition above 1e6): the attributes are linearly dependent and OLS is not identified.
 */
export const RANK_TOLERANCE = 1e-12;

/**
 * Solves A·β = r for the standardised system A (k×k, symmetric) through A = VΛVᵀ, when Cholesky
 * broke down or was too ill-conditioned to trust. Eigenvalues below {@link RANK_TOLERANCE}·λmax are
 * numerically zero: the attributes with a loading of at least 0.1 on such a direction are linearly
 * dependent and the fit is refused as `singular`, naming them.
 */
export function solveByEigen(A: Float64Array, k: number, r: Float64Array, names: readonly string[]): Solution | DriverModelFailure {
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
  return { ok: true, beta: symMul(inverse, r, k), inverse, factor, solver: 'eigen' };
}

/** √(λmax/λmin) of the correlation matrix, or null when it is numerically singular. */
export function conditionOf(R: Float64Array, k: number): number | null {
  const values = new EigenvalueDecomposition(toMatrix(R, k), { assumeSymmetric: true }).realEigenvalues;
  const max = Math.max(...values);
  const min = Math.min(...values);
  return min > RANK_TOLERANCE * max ? Math.sqrt(max / min) : null;
}

function toMatrix(A: Float64Array, k: number): Matrix {
  return new Matrix(Array.from({ length: k }, (_, i) => Array.from(A.subarray(i * k, (i + 1) * k))));
}
