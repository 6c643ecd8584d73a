/**
 * The distribution of the latent noise ε — the link of the cumulative model P(y ≤ c) = F(θ_c − η).
 * Survey loyalty noise is not always logistic: a respondent's unobserved mood and an account's
 * unmeasured history add up to something nearer normal, and a skewed one (a few very unhappy
 * respondents) is better fitted by an extreme-value distribution. The structure search fits each and
 * keeps the one with the lowest held-out deviance; what-ifs then read crossing probabilities from the
 * same distribution, so a residual-preserving counterfactual is right for the noise the data has.
 *
 * - `logit`: standard logistic, F(t) = 1/(1 + e^(−t));
 * - `probit`: standard normal, F(t) = Φ(t), by W. J. Cody's rational Chebyshev erfc (1969), accurate
 *   to ~1e-16 relative in both tails (checked against Python's math.erfc in test/unit/link.test.ts);
 * - `loglog`: Gumbel (maximum), F(t) = exp(−e^(−t)): a long right tail;
 * - `cloglog`: Gumbel (minimum), F(t) = 1 − exp(−e^t): a long left tail.
 *
 * Each gives F, its survival 1 − F (computed directly, so tail masses keep their digits), the density
 * f and its derivative f′, as the fitting pass and the counterfactual need them.
 */

import { normalQuantile } from '../../stats/normal.js';

export type LinkName = 'logit' | 'probit' | 'loglog' | 'cloglog';
export const LINKS: readonly LinkName[] = ['logit', 'probit', 'loglog', 'cloglog'];

const SQRT1_2 = Math.SQRT1_2;
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);

// Cody's coefficients (calerf).
const A = [3.1611237438705656, 113.864154151050156, 377.485237685302021, 3209.37758913846947, 0.185777706184603153];
const B = [23.6012909523441209, 244.024637934444173, 1282.61652607737228, 2844.23683343917062];
const C = [0.564188496988670089, 8.88314979438837594, 66.1191906371416295, 298.635138197400131, 881.95222124176909, 1712.04761263407058, 2051.07837782607147, 1230.33935479799725, 2.15311535474403846e-8];
const D = [15.7449261107098347, 117.693950891312499, 537.181101862009858, 1621.38957456669019, 3290.79923573345963, 4362.61909014324716, 3439.36767414372164, 1230.33935480374942];
const P = [0.305326634961232344, 0.360344899949804439, 0.125781726111229246, 0.0160837851487422766, 6.58749161529837803e-4, 0.0163153871373020978];
const Q = [2.56852019228982242, 1.87295284992346725, 0.527905102951428412, 0.0605183413124413191, 0.00233520497626869185];
const SQRPI = 0.56418958354775628695;

/**
 * erfc(y) for y ≥ 0 when the caller already holds e = exp(−y²) (unused for y ≤ 0.46875): Cody's
 * rational functions without their own exponentials. The probit link needs exp(−t²/2) for the density anyway, and it is the
 * same number (y = |t|/√2), so a link evaluation costs one exponential instead of three; computing
 * y² directly rather than by Cody's split costs relative accuracy ~ε·y² (under 1e-13 even where
 * erfc underflows), far inside what any fit or forecast can see.
 */
function erfcGivenExp(y: number, e: number): number {
  if (y <= 0.46875) {
    const ysq = y > 1.11e-16 ? y * y : 0;
    let xnum = A[4]! * ysq;
    let xden = ysq;
    for (let i = 0; i < 3; i++) {
      xnum = (xnum + A[i]!) * ysq;
      xden = (xden + B[i]!) * ysq;
    }
    return 1 - (y * (xnum + A[3]!)) / (xden + B[3]!);
  }
  if (y <= 4) {
    let xnum = C[8]! * y;
    let xden = y;
    for (let i = 0; i < 7; i++) {
      xnum = (xnum + C[i]!) * y;
      xden = (xden + D[i]!) * y;
    }
    return (e * (xnum + C[7]!)) / (xden + D[7]!);
  }
  if (y >= 26.543) return 0;
  const ysq = 1 / (y * y);
  let xnum = P[5]! * ysq;
  let xden = ysq;
  for (let i = 0; i < 4; i++) {
    xnum = (xnum + P[i]!) * ysq;
    xden = (xden + Q[i]!) * ysq;
  }
  const r = (ysq * (xnum + P[4]!)) / (xden + Q[4]!);
  return (e * (SQRPI - r)) / y;
}

/**
 * erfc(x) by Cody's algorithm: the rational functions of {@link erfcGivenExp}, with exp(−y²) taken
 * by Cody's split (y rounded to sixteenths, then the rest), which keeps full relative accuracy in
 * the far tail.
 */
export function erfc(x: number): number {
  const y = Math.abs(x);
  let result: number;
  if (y <= 0.46875) result = erfcGivenExp(y, 1); // this branch needs no exponential
  else if (y >= 26.543) result = 0;
  else {
    const ysq = Math.trunc(y * 16) / 16;
    const del = (y - ysq) * (y + ysq);
    result = erfcGivenExp(y, Math.exp(-ysq * ysq) * Math.exp(-del));
  }
  return x < 0 ? 2 - result : result;
}

/**
 * F(t), 1 − F(t), f(t) and f′(t) of the link at t, written at out[o…o+3] (±∞ handled). One call per
 * bound per respondent in the fitting pass: keep it a single monomorphic function.
 */
export function linkValues(link: LinkName, t: number, out: Float64Array, o: number): void {
  if (t === -Infinity) {
    out[o] = 0;
    out[o + 1] = 1;
    out[o + 2] = 0;
    out[o + 3] = 0;
    return;
  }
  if (t === Infinity) {
    out[o] = 1;
    out[o + 1] = 0;
    out[o + 2] = 0;
    out[o + 3] = 0;
    return;
  }
  switch (link) {
    case 'logit': {
      const e = Math.exp(-Math.abs(t));
      const inv = 1 / (1 + e);
      const F = t >= 0 ? inv : e * inv;
      const S = t >= 0 ? e * inv : inv;
      const f = e * inv * inv;
      out[o] = F;
      out[o + 1] = S;
      out[o + 2] = f;
      out[o + 3] = f * (S - F);
      return;
    }
    case 'probit': {
      const e = Math.exp(-0.5 * t * t);
      const f = INV_SQRT_2PI * e;
      // One tail, the smaller, from the density's own exponential (exact to rounding); the other side
      // is its complement, whose absolute error is the same ~1e-16 (massBetween subtracts whichever
      // side is small).
      const tail = 0.5 * erfcGivenExp(Math.abs(t) * SQRT1_2, e);
      if (t >= 0) {
        out[o] = 1 - tail;
        out[o + 1] = tail;
      } else {
        out[o] = tail;
        out[o + 1] = 1 - tail;
      }
      out[o + 2] = f;
      out[o + 3] = -t * f;
      return;
    }
    case 'loglog': {
      // F = exp(−e^{−t}); f = e^{−t}·F; f′ = f·(e^{−t} − 1).
      const u = Math.exp(-t);
      const F = Math.exp(-u);
      const f = u * F;
      out[o] = F;
      out[o + 1] = -Math.expm1(-u);
      out[o + 2] = f;
      out[o + 3] = f * (u - 1);
      return;
    }
    case 'cloglog': {
      // F = 1 − exp(−e^t); S = exp(−e^t); f = e^t·S; f′ = f·(1 − e^t).
      const u = Math.exp(t);
      const S = Math.exp(-u);
      const f = u * S;
      out[o] = -Math.expm1(-u);
      out[o + 1] = S;
      out[o + 2] = f;
      out[o + 3] = f * (1 - u);
      return;
    }
  }
}

/** P(a < ε ≤ b) from stored values at a (va[oa…]) and b (vb[ob…]), using the tail that avoids cancellation. */
export function massBetween(va: Float64Array, oa: number, vb: Float64Array, ob: number): number {
  // Where both CDFs are small subtract CDFs; where both are near 1 subtract survivals.
  return va[oa]! > 0.5 ? va[oa + 1]! - vb[ob + 1]! : vb[ob]! - va[oa]!;
}

const scratch = new Float64Array(8);

/** F(t) of the link. */
export function linkCdf(link: LinkName, t: number): number {
  linkValues(link, t, scratch, 0);
  return scratch[0]!;
}

/** P(a < ε ≤ b) under the link. */
export function linkMass(link: LinkName, a: number, b: number): number {
  if (!(b > a)) return 0;
  linkValues(link, a, scratch, 0);
  linkValues(link, b, scratch, 4);
  return massBetween(scratch, 0, scratch, 4);
}

/** F⁻¹(q): the threshold that leaves a share q below it (the fit starts its thresholds there). */
export function linkQuantile(link: LinkName, q: number): number {
  switch (link) {
    case 'logit':
      return Math.log(q / (1 - q));
    case 'probit':
      return normalQuantile(q);
    case 'loglog':
      return -Math.log(-Math.log(q));
    case 'cloglog':
      return Math.log(-Math.log(1 - q));
  }
}
