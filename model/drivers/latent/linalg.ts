/**
 * Dense symmetric positive-definite algebra on row-major Float64Arrays, for the Newton steps of the
 * latent-score model: P is a few hundred at most (thresholds, slopes, departures), so a plain
 * Cholesky factorisation in place beats converting to and from a matrix library on every iteration.
 */

/** The lower Cholesky factor of A (P × P, row-major) in a new array, or `null` when A is not positive definite. */
export function cholesky(A: Float64Array, P: number): Float64Array | null {
  const L = new Float64Array(P * P);
  for (let i = 0; i < P; i++) {
    const ri = i * P;
    for (let j = 0; j <= i; j++) {
      const rj = j * P;
      let s = A[ri + j]!;
      for (let q = 0; q < j; q++) s -= L[ri + q]! * L[rj + q]!;
      if (i === j) {
        if (!(s > 0) || !Number.isFinite(s)) return null;
        L[ri + i] = Math.sqrt(s);
      } else L[ri + j] = s / L[rj + j]!;
    }
  }
  return L;
}

/** Solves L Lᵀ x = b with the factor from {@link cholesky}. */
export function choleskySolve(L: Float64Array, P: number, b: ArrayLike<number>): Float64Array {
  const y = new Float64Array(P);
  for (let i = 0; i < P; i++) {
    let s = b[i]!;
    const ri = i * P;
    for (let q = 0; q < i; q++) s -= L[ri + q]! * y[q]!;
    y[i] = s / L[ri + i]!;
  }
  const x = new Float64Array(P);
  for (let i = P - 1; i >= 0; i--) {
    let s = y[i]!;
    for (let q = i + 1; q < P; q++) s -= L[q * P + i]! * x[q]!;
    x[i] = s / L[i * P + i]!;
  }
  return x;
}

/** A⁻¹ (full, row-major) from its Cholesky factor: (L⁻¹)ᵀ L⁻¹. */
export function choleskyInverse(L: Float64Array, P: number): Float64Array {
  // M = L⁻¹ (lower triangular), by forward substitution column by column.
  const M = new Float64Array(P * P);
  for (let j = 0; j < P; j++) {
    M[j * P + j] = 1 / L[j * P + j]!;
    for (let i = j + 1; i < P; i++) {
      let s = 0;
      const ri = i * P;
      for (let q = j; q < i; q++) s -= L[ri + q]! * M[q * P + j]!;
      M[ri + j] = s / L[ri + i]!;
    }
  }
  const inv = new Float64Array(P * P);
  for (let i = 0; i < P; i++)
    for (let j = 0; j <= i; j++) {
      let s = 0;
      for (let q = i; q < P; q++) s += M[q * P + i]! * M[q * P + j]!;
      inv[i * P + j] = s;
      inv[j * P + i] = s;
    }
  return inv;
}

/** diag(A⁻¹) from the Cholesky factor, without the full inverse: Σ_q (L⁻¹)_{qi}². */
export function choleskyInverseDiagonal(L: Float64Array, P: number): Float64Array {
  const d = new Float64Array(P);
  const col = new Float64Array(P);
  for (let j = 0; j < P; j++) {
    // Column j of L⁻¹: solve L c = e_j.
    col.fill(0, 0, j);
    col[j] = 1 / L[j * P + j]!;
    let sum = col[j]! * col[j]!;
    for (let i = j + 1; i < P; i++) {
      let s = 0;
      const ri = i * P;
      for (let q = j; q < i; q++) s -= L[ri + q]! * col[q]!;
      col[i] = s / L[ri + i]!;
      sum += col[i]! * col[i]!;
    }
    d[j] = sum;
  }
  return d;
}
