/**
 * Predictions of a fitted latent-score model for rows of its data: each row's latent scores on the
 * two channels, and its answer probabilities — for held-out deviance, calibration, and the score
 * statistics that screen curves and interactions.
 */
import { comboCoefficients, type LatentData, type RowFilter } from './evaluate.js';
import type { LatentLayout } from './layout.js';
import { linkCdf, linkMass, linkValues, massBetween, type LinkName } from './link.js';

/** η_L (detractor-side cuts) and η_U (promoter-side cuts) of every row. */
export function rowLatent(data: LatentData, L: LatentLayout, v: Float64Array): { etaL: Float64Array; etaU: Float64Array } {
  const etaL = new Float64Array(data.n);
  const coefs = data.comboCodes.map((codes) => comboCoefficients(L, v, codes));
  for (let i = 0; i < data.n; i++) {
    const { a, b } = coefs[data.combo[i]!]!;
    let e = a;
    for (let f = 0; f < L.F; f++) e += b[f]! * data.features[f]![i]!;
    etaL[i] = e;
  }
  if (!L.ppo) return { etaL, etaU: etaL };
  const etaU = etaL.slice();
  for (let a = 0; a < L.k; a++) {
    const w = v[L.omega(a)]!;
    const col = data.features[a]!;
    for (let i = 0; i < data.n; i++) etaU[i]! += w * col[i]!;
  }
  return { etaL, etaU };
}

/**
 * P(y = c) for c = 0…C−1 at latent scores (η_L, η_U), written into `out`. With cut-specific slopes
 * the cumulative probabilities could cross for extreme scores; they are kept non-decreasing.
 */
export function answerProbabilities(link: LinkName, theta: ArrayLike<number>, upperFrom: number, etaL: number, etaU: number, out: Float64Array): Float64Array {
  const T = theta.length;
  let prev = 0;
  for (let c = 0; c < T; c++) {
    const F = Math.max(prev, linkCdf(link, theta[c]! - (c >= upperFrom ? etaU : etaL)));
    out[c] = F - prev;
    prev = F;
  }
  out[T] = 1 - prev;
  return out;
}

/** Probability of the observed answer of row i. */
export function observedProbability(link: LinkName, theta: ArrayLike<number>, upperFrom: number, m: number, etaL: number, etaU: number): number {
  const T = theta.length;
  const u = m < T ? theta[m]! - (m >= upperFrom ? etaU : etaL) : Infinity;
  const l = m > 0 ? theta[m - 1]! - (m - 1 >= upperFrom ? etaU : etaL) : -Infinity;
  return linkMass(link, l, u);
}

/**
 * Per row (single channel): ∂ℓ/∂η and −∂²ℓ/∂η², for score statistics of features not yet in the
 * model (a row outside `filter` gets 0, 0).
 */
export function rowDerivatives(data: LatentData, link: LinkName, theta: ArrayLike<number>, eta: Float64Array, filter?: RowFilter): { d: Float64Array; w: Float64Array } {
  const T = theta.length;
  const d = new Float64Array(data.n);
  const w = new Float64Array(data.n);
  const lv = new Float64Array(8);
  for (let i = 0; i < data.n; i++) {
    if (filter && ((filter.only !== undefined && filter.ids[i] !== filter.only) || (filter.exclude !== undefined && filter.ids[i] === filter.exclude))) continue;
    const m = data.category[i]!;
    linkValues(link, m < T ? theta[m]! - eta[i]! : Infinity, lv, 0);
    linkValues(link, m > 0 ? theta[m - 1]! - eta[i]! : -Infinity, lv, 4);
    const A = Math.max(massBetween(lv, 4, lv, 0), 1e-300);
    const gu = lv[2]! / A;
    const gl = lv[6]! / A;
    d[i] = gl - gu;
    w[i] = -((lv[3]! - lv[7]!) / A - (gu - gl) * (gu - gl));
  }
  return { d, w };
}
