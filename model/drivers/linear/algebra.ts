/** Dense helpers on the small k×k system, stored row-major in Float64Arrays. */

/** S·x for a k×k matrix S (symmetric in every use here). */
export function symMul(S: Float64Array, x: Float64Array, k: number): Float64Array {
  const out = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    let s = 0;
    for (let j = 0; j < k; j++) s += S[i * k + j]! * x[j]!;
    out[i] = s;
  }
  return out;
}

/** aᵀb. */
export function dot(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return s;
}
