/**
 * How much a fitted latent-score model would move if the wave were drawn again — by the account
 * bootstrap, linearised: each replicate reweights every account by a Poisson(1) draw (an account's
 * respondents move together, so the accounts, not the respondents, are the independent units) and
 * takes one Newton step from the fitted optimum,
 *
 *     δ_b = (−H)⁻¹ Σ_accounts (w_ab − 1) g_a,
 *
 * with g_a the account's score (gradient of its log-likelihood) and −H the penalised information at
 * the optimum. The replicates' spread is the cluster-robust (sandwich) covariance H⁻¹ M H⁻¹ with
 * M = Σ_a g_a g_aᵀ, sampled: it carries the correlations between every parameter (slopes of one
 * cell, a cell and its parents, thresholds) and the loss of information to within-account
 * correlation, which a diagonal, independent-respondent error ignores. Forecasts project each
 * replicate onto a lift's gradient (model/scenario/uncertainty.ts), so an interval costs one pass
 * over the rows, and two forecasts from the same model get their correlation for free.
 *
 * All replicates come from one pass over the rows: per cell and replicate, the weighted sums of
 * ∂ℓ/∂η times the features (O(n·B·F)).
 */
import { foldOf } from '../moments.js';
import { cholesky, choleskySolve } from './linalg.js';
import type { LatentData } from './evaluate.js';
import type { LatentLayout } from './layout.js';
import { linkValues, massBetween } from './link.js';
import { rowLatent } from './predict.js';

/** Poisson(1) cumulative probabilities P(W ≤ w), w = 0…7 (beyond: 8). */
const POISSON_CDF = [0.36787944117144233, 0.7357588823428847, 0.9196986029286058, 0.9810118431238462, 0.9963401531726563, 0.9994058151824183, 0.9999167588507114, 0.9999898508033253];

/** w − 1 for account `a` in replicate `b`: a Poisson(1) draw from a hash, reproducible without a generator. */
export function replicateWeight(a: number, b: number, seed: number): number {
  const u = (foldOf(a, (seed + Math.imul(b + 1, 0x27d4eb2d)) >>> 0, 1 << 30) + 0.5) / (1 << 30);
  let w = 0;
  while (w < POISSON_CDF.length && u > POISSON_CDF[w]!) w++;
  return w - 1;
}

/**
 * B linearised account-bootstrap replicates of the parameter vector (each a deviation δ_b from `v`,
 * in the layout's order). `account` is each data row's account code; `info` the penalised
 * information at `v` (P × P).
 */
export function accountReplicates(data: LatentData, L: LatentLayout, v: Float64Array, info: Float64Array, account: Uint32Array, B: number, seed: number): Float64Array[] {
  const { T, F, k, ppo, upperFrom, link } = L;
  const F1 = F + 1;
  const G = data.comboCodes.length;
  let accounts = 0;
  for (let i = 0; i < data.n; i++) accounts = Math.max(accounts, account[i]! + 1);
  // w − 1 per account and replicate (Int8: a Poisson(1) draw above 127 never happens).
  const weight = new Int8Array(accounts * B);
  for (let a = 0; a < accounts; a++) for (let b = 0; b < B; b++) weight[a * B + b] = replicateWeight(a, b, seed);

  const { etaL, etaU } = rowLatent(data, L, v);
  const theta = v.subarray(0, T);
  const gTheta = new Float64Array(B * T);
  const gCell = new Float64Array(G * B * F1);
  const gOmega = ppo ? new Float64Array(G * B * k) : new Float64Array(0);
  const lv = new Float64Array(8);
  const phi = new Float64Array(F1);
  for (let i = 0; i < data.n; i++) {
    const m = data.category[i]!;
    // The bounds' channels, as in the fitting pass (./evaluate.ts).
    let cuU = ppo && m < T && m >= upperFrom;
    let clU = ppo && m > 0 && m - 1 >= upperFrom;
    if (m >= T) cuU = clU;
    if (m <= 0) clU = cuU;
    linkValues(link, m < T ? theta[m]! - (cuU ? etaU[i]! : etaL[i]!) : Infinity, lv, 0);
    linkValues(link, m > 0 ? theta[m - 1]! - (clU ? etaU[i]! : etaL[i]!) : -Infinity, lv, 4);
    const A = Math.max(massBetween(lv, 4, lv, 0), 1e-300);
    const gu = lv[2]! / A;
    const gl = lv[6]! / A;
    const dl = (clU ? 0 : gl) + (cuU ? 0 : -gu);
    const du = (clU ? gl : 0) + (cuU ? -gu : 0);
    const c = data.combo[i]!;
    phi[0] = 1;
    for (let f = 0; f < F; f++) phi[f + 1] = data.features[f]![i]!;
    const wRow = account[i]! * B;
    for (let b = 0; b < B; b++) {
      const w = weight[wRow + b]!;
      if (w === 0) continue;
      if (m < T) gTheta[b * T + m]! += w * gu;
      if (m > 0) gTheta[b * T + m - 1]! -= w * gl;
      const s = w * (dl + du);
      const o = (c * B + b) * F1;
      for (let f = 0; f < F1; f++) gCell[o + f]! += s * phi[f]!;
      if (ppo && du !== 0) {
        const ou = (c * B + b) * k;
        for (let a = 0; a < k; a++) gOmega[ou + a]! += w * du * phi[a + 1]!;
      }
    }
  }

  const P = L.P;
  const factor = cholesky(info, P);
  if (!factor) return [];
  const targets = data.comboCodes.map((codes) => L.targets(codes));
  const out: Float64Array[] = [];
  for (let b = 0; b < B; b++) {
    const g = new Float64Array(P);
    g.set(gTheta.subarray(b * T, (b + 1) * T), 0);
    for (let c = 0; c < G; c++) {
      const o = (c * B + b) * F1;
      const t = targets[c]!;
      for (let f = 0; f < F1; f++) {
        const x = gCell[o + f]!;
        if (x !== 0) for (const p of t[f]!) g[p]! += x;
      }
      if (ppo) for (let a = 0; a < k; a++) g[L.omega(a)]! += gOmega[(c * B + b) * k + a]!;
    }
    out.push(choleskySolve(factor, P, g));
  }
  return out;
}
