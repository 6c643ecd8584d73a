/**
 * The standard normal distribution to double precision: Φ, Φ⁻¹ and the density φ.
 *
 * Why our own: forecast and ranking intervals, ranking probabilities and the linear model's
 * calibration are reported to clients and compared in tests, so the 1e-7 approximations common in
 * JavaScript packages are not good enough, and the model depends on no runtime package for it.
 *
 * Validated against Python's standard library (`math.erfc`, `statistics.NormalDist`), an
 * implementation independent of this one: test/fixtures/stats/generate.py → normal.json, checked in
 * test/unit/stats.test.ts to 1e-13 (Φ), 1e-12 (Φ⁻¹) and 1e-14 (φ) relative, tails included.
 */

/** 1/√(2π). */
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

/**
 * Φ(x) = P(Z ≤ x). erfc by its Maclaurin series for |x|/√2 < 1 (no cancellation: erfc ≥ 0.157 there)
 * and by its Lentz continued fraction beyond (Numerical Recipes §6.2 / A&S 7.1.14); both converge to
 * ~1e-16, and the lower tail is computed directly, so Φ(−8) keeps its digits.
 *
 * @example
 * normalCdf(1.959963984540054); // 0.975
 */
export function normalCdf(x: number): number {
  if (Number.isNaN(x)) return Number.NaN;
  const z = Math.abs(x) / Math.SQRT2;
  let erfc: number;
  if (z < 1) {
    // erf(z) = 2/√π Σ (−1)ⁿ z^(2n+1) / (n!(2n+1))
    let term = z;
    let sum = z;
    for (let n = 1; n < 200; n++) {
      term *= (-z * z) / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    erfc = 1 - (2 / Math.sqrt(Math.PI)) * sum;
  } else {
    // erfc(z) = e^{−z²}/√π · 1/(z + 1/2/(z + 1/(z + 3/2/(z + …)))) by modified Lentz.
    const tiny = 1e-300;
    let f = z;
    let C = z;
    let D = 0;
    for (let n = 1; n < 5000; n++) {
      const a = n / 2;
      D = z + a * D;
      D = Math.abs(D) < tiny ? 1 / tiny : 1 / D;
      C = z + a / C;
      if (Math.abs(C) < tiny) C = tiny;
      const delta = C * D;
      f *= delta;
      if (Math.abs(delta - 1) < 1e-16) break;
    }
    erfc = Math.exp(-z * z) / Math.sqrt(Math.PI) / f;
  }
  return x >= 0 ? 1 - erfc / 2 : erfc / 2;
}

/**
 * Φ⁻¹(p): {@link acklamQuantile} refined by one Halley step on {@link normalCdf}, which brings its
 * 1.2e-9 relative error to ~1e-15. The upper half is computed by symmetry, since 1 − p is exact for
 * p ≥ ½ and the Halley step is accurate in the lower tail.
 *
 * @returns −∞ at 0, +∞ at 1, NaN outside [0, 1].
 * @example
 * normalQuantile(0.975); // 1.959963984540054
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) return p === 0 ? -Infinity : p === 1 ? Infinity : Number.NaN;
  if (p > 0.5) return -normalQuantile(1 - p);
  const x = acklamQuantile(p);
  // Halley: x − u/(1 + xu/2) with u = (Φ(x) − p)/φ(x).
  const e = normalCdf(x) - p;
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}

/**
 * φ(x) = e^{−x²/2}/√(2π), the standard normal density.
 *
 * @example
 * normalDensity(0); // 0.3989422804014327
 */
export function normalDensity(x: number): number {
  return INV_SQRT_2PI * Math.exp(-0.5 * x * x);
}

/**
 * Acklam's rational approximation of Φ⁻¹ (P. J. Acklam, 2003; relative error < 1.2e-9), unrefined:
 * the starting point of iterations that refine to full precision ({@link normalQuantile}'s Halley
 * step, the Student t quantile's Newton iteration). Not a quantile to report. Defined for p in
 * (0, 1); the upper tail uses log1p(−p) so that p close to 1 keeps its digits.
 */
export function acklamQuantile(p: number): number {
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  // Horner: ((c₀x + c₁)x + …)x + cₙ.
  const poly = (coef: number[], x: number): number => coef.reduce((acc, v) => acc * x + v, 0);
  const low = 0.02425;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    return poly(c, q) / (poly(d, q) * q + 1);
  }
  if (p > 1 - low) {
    const q = Math.sqrt(-2 * Math.log1p(-p));
    return -poly(c, q) / (poly(d, q) * q + 1);
  }
  const q = p - 0.5;
  const r = q * q;
  return (poly(a, r) * q) / (poly(b, r) * r + 1);
}
