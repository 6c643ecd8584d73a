/**
 * The standard normal distribution, to double precision: intervals and ranking probabilities are
 * reported to clients and compared in tests, so a 1e-7 approximation is not good enough.
 */

/**
 * Φ(x). erfc by its Maclaurin series for |x|/√2 < 1 (no cancellation: erfc ≥ 0.157 there) and by its
 * Lentz continued fraction beyond
 * (Numerical Recipes §6.2 / A&S 7.1.14); both converge to ~1e-16.
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
 * Φ⁻¹(p): Acklam's rational approximation (relative error < 1.2e-9) refined by one Halley step on
 * {@link normalCdf}, which brings it to ~1e-15.
 */
export function normalQuantile(p: number): number {
  if (!(p > 0 && p < 1)) return p === 0 ? -Infinity : p === 1 ? Infinity : Number.NaN;
  // Upper half by symmetry: 1 − p is exact for p ≥ ½, and the Halley step is accurate in the lower tail.
  if (p > 0.5) return -normalQuantile(1 - p);
  const a = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
  const b = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
  const c = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
  const d = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
  const low = 0.02425;
  let x: number;
  if (p < low) {
    const q = Math.sqrt(-2 * Math.log(p));
    x = (((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  } else if (p > 1 - low) {
    const q = Math.sqrt(-2 * Math.log(1 - p));
    x = -(((((c[0]! * q + c[1]!) * q + c[2]!) * q + c[3]!) * q + c[4]!) * q + c[5]!) / ((((d[0]! * q + d[1]!) * q + d[2]!) * q + d[3]!) * q + 1);
  } else {
    const q = p - 0.5;
    const r = q * q;
    x = ((((((a[0]! * r + a[1]!) * r + a[2]!) * r + a[3]!) * r + a[4]!) * r + a[5]!) * q) / (((((b[0]! * r + b[1]!) * r + b[2]!) * r + b[3]!) * r + b[4]!) * r + 1);
  }
  const e = normalCdf(x) - p;
  const u = e * Math.sqrt(2 * Math.PI) * Math.exp((x * x) / 2);
  return x - u / (1 + (x * u) / 2);
}
