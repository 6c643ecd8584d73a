/**
 * How sure a forecast is, from the model's side: the gradient of a forecast quantity (an NPS lift,
 * a segment's lift, a revenue impact) in every parameter of the driver model, projected onto the
 * model's account-bootstrap replicates (model/drivers/latent/replicates.ts). Each replicate δ_b is
 * one draw of "how the parameters would differ on another wave of these accounts", so
 * d_b = ∇·δ_b is one draw of how the forecast would differ, and
 *
 *     Var(forecast) ≈ mean_b d_b²,   Cov(forecast₁, forecast₂) ≈ mean_b d₁_b d₂_b.
 *
 * The variance carries every parameter's correlation (a cell's slopes with its parents', the
 * thresholds with the slopes) and the accounts' clustering, which a slope-by-slope error does not;
 * the covariance makes comparisons between two forecasts of one model honest (they share its error).
 *
 * The gradient is exact for the residual-preserving counterfactual (model/drivers/whatIf.ts): a
 * respondent's probability after a change depends on three noise-scale points — their answer's
 * interval ends θ_{c−1} − η and θ_c − η, and the cut θ_cut − η − Δ — and η, Δ are linear in the
 * parameters (η = intercept + Σ b_f φ_f(x), Δ = Σ b_f (φ_f(x′) − φ_f(x)), plus ω·z on the
 * promoter-side cuts).
 */
import type { DriverModel, OrdinalParameters } from '../drivers/contract.js';
import type { ResolvedEffects } from '../drivers/effects.js';
import type { Population } from '../drivers/population.js';
import type { Crossing } from '../drivers/whatIf.js';
import { cutsOf } from '../nps.js';
import type { Book } from './book.js';
import type { Change } from './loyalty.js';
import type { Simulation } from './simulate.js';

/** Where each parameter sits in a replicate (and in a gradient): see `replicates` in model/drivers/contract.ts. */
export interface ParameterLayout {
  T: number;
  k: number;
  /** Cells of the model + 1 (the fallback). */
  cells: number;
  /** Hinge and product coefficients. */
  extras: number;
  ppo: boolean;
  cellAt: number;
  extraAt: number;
  omegaAt: number;
  length: number;
}

export function parameterLayout(p: OrdinalParameters): ParameterLayout {
  const T = p.thresholds.length;
  const k = p.scale.length;
  const cells = p.cells.length + 1;
  const extras = p.curves.reduce((n, c) => n + c.knots.length, 0) + p.interactions.length;
  const ppo = p.promoterShift !== null;
  const cellAt = T;
  const extraAt = cellAt + cells * (1 + k);
  const omegaAt = extraAt + extras;
  return { T, k, cells, extras, ppo, cellAt, extraAt, omegaAt, length: omegaAt + (ppo ? k : 0) };
}

/** Whether a model carries replicates that match its parameters (older documents do not). */
export function hasReplicates(p: OrdinalParameters): boolean {
  const r = p.replicates;
  return r !== undefined && r.length >= 2 && r.every((x) => x.length === parameterLayout(p).length);
}

/** One weighted change whose gradient is wanted: Σ_q wP[q]·P(promoter after)_q + wD[q]·P(detractor after)_q. */
export interface GradientSet {
  /** `gradients[0]` takes every row; with `slot`, `gradients[1 + slot[q]]` also takes row q. */
  gradients: Float64Array[];
  slot: Int32Array | null;
  wP: ArrayLike<number>;
  wD: ArrayLike<number>;
}

/**
 * Adds to each set's gradients the gradient of its weighted change over the simulated rows, in one
 * pass: a row's features and their changes (the costly part) are computed once for every set.
 * `after` holds the new ratings of the changed attributes (aligned with `rows`); `crossing` must
 * have its points.
 */
export function accumulateGradient(
  sets: readonly GradientSet[],
  p: OrdinalParameters,
  effects: ResolvedEffects,
  pop: Population,
  rows: Uint32Array,
  after: ReadonlyMap<number, Float64Array>,
  crossing: Crossing,
): void {
  const pts = crossing.points;
  if (!pts) throw new Error('accumulateGradient needs the crossing points (crossingProbabilities with withPoints)');
  const lay = parameterLayout(p);
  const { T, k } = lay;
  const C = p.categories.length;
  const toCategory = new Int16Array(11).fill(-1);
  p.categories.forEach((v, c) => (toCategory[v] = c));
  const { promoterFrom, detractorTo } = cutsOf(p.categories);
  const tP = promoterFrom > 0 ? promoterFrom - 1 : -1;
  const tD = detractorTo >= 0 && detractorTo < C - 1 ? detractorTo : -1;
  const upperFrom = lay.ppo ? p.upperFrom : C;
  // The hot loop over targeted rows allocates nothing and calls no closure: every buffer is made
  // once, the changed attributes' new ratings are looked up once (not a Map per row).
  const z = new Float64Array(k);
  const z1 = new Float64Array(k);
  const dz = new Float64Array(k);
  const extra = new Float64Array(lay.extras);
  const dExtra = new Float64Array(lay.extras);
  const changed = Int32Array.from(after.keys());
  const changedCols = [...after.values()];
  const afterOf: (Float64Array | null)[] = Array.from({ length: k }, (_, j) => after.get(j) ?? null);
  const centre = p.center;
  const scale = p.scale;
  const cellStride = 1 + k;
  // Per row: ∂/∂θ of the weighted probabilities into `g`, and their ∂/∂η, ∂/∂Δ per channel.
  const nSets = sets.length;
  // Per set: ∂/∂η and ∂/∂Δ of its weighted probabilities on each channel (L, U) for the current row.
  const eL = new Float64Array(nSets);
  const eU = new Float64Array(nSets);
  const dL = new Float64Array(nSets);
  const dU = new Float64Array(nSets);
  for (let q = 0; q < rows.length; q++) {
    const r = rows[q]!;
    const c = toCategory[pop.ltr[r]!]!;
    let any = false;
    for (let k2 = 0; k2 < nSets; k2++) {
      const set = sets[k2]!;
      const overall = set.gradients[0]!;
      const second = set.slot ? set.gradients[1 + set.slot[q]!]! : null;
      let sL = 0;
      let sU = 0;
      let tL = 0;
      let tU = 0;
      // ∂/∂θ of this row's weighted probabilities into the gradients, and their ∂/∂η, ∂/∂Δ per channel.
      for (let side = 0; side < 2; side++) {
        const w = side === 0 ? set.wP[q]! : set.wD[q]!;
        const points = side === 0 ? pts.promoter : pts.detractor;
        const lo = points.lo[q]!;
        const hi = points.hi[q]!;
        const cut = points.cut[q]!;
        const tCut = side === 0 ? tP : tD;
        if (w === 0 || (lo === 0 && hi === 0 && cut === 0)) continue;
        if (c > 0) {
          overall[c - 1]! += w * lo;
          if (second) second[c - 1]! += w * lo;
          if (c - 1 >= upperFrom) sU -= w * lo;
          else sL -= w * lo;
        }
        if (c < C - 1) {
          overall[c]! += w * hi;
          if (second) second[c]! += w * hi;
          if (c >= upperFrom) sU -= w * hi;
          else sL -= w * hi;
        }
        if (tCut >= 0) {
          overall[tCut]! += w * cut;
          if (second) second[tCut]! += w * cut;
          if (tCut >= upperFrom) {
            sU -= w * cut;
            tU -= w * cut;
          } else {
            sL -= w * cut;
            tL -= w * cut;
          }
        }
      }
      eL[k2] = sL;
      eU[k2] = sU;
      dL[k2] = tL;
      dU[k2] = tU;
      if (sL !== 0 || sU !== 0 || tL !== 0 || tU !== 0) any = true;
    }
    if (!any) continue;
    // The row's features and their changes.
    for (let j = 0; j < k; j++) {
      const v = (pop.columns[j]![r]! - centre[j]!) / scale[j]!;
      z[j] = v;
      z1[j] = v;
      dz[j] = 0;
    }
    for (let i = 0; i < changed.length; i++) {
      const j = changed[i]!;
      z1[j] = (changedCols[i]![q]! - centre[j]!) / scale[j]!;
      dz[j] = z1[j]! - z[j]!;
    }
    let e = 0;
    for (const curve of p.curves) {
      const s = scale[curve.attribute]!;
      const x0 = pop.columns[curve.attribute]![r]!;
      const col = afterOf[curve.attribute];
      const x1 = col ? col[q]! : x0;
      for (const t of curve.knots) {
        const h0 = Math.max(x0 - t, 0) / s;
        extra[e] = h0;
        dExtra[e] = Math.max(x1 - t, 0) / s - h0;
        e++;
      }
    }
    for (const pair of p.interactions) {
      const x0 = z[pair.a]! * z[pair.b]!;
      extra[e] = x0;
      dExtra[e] = z1[pair.a]! * z1[pair.b]! - x0;
      e++;
    }
    const cell = lay.cellAt + effects.cellOf[r]! * cellStride;
    for (let k2 = 0; k2 < nSets; k2++) {
      const E = eL[k2]! + eU[k2]!;
      const D = dL[k2]! + dU[k2]!;
      if (E === 0 && D === 0 && eU[k2] === 0 && dU[k2] === 0) continue;
      const set = sets[k2]!;
      addFeatures(set.gradients[0]!, cell, k, lay, E, D, eU[k2]!, dU[k2]!, z, dz, extra, dExtra);
      if (set.slot) addFeatures(set.gradients[1 + set.slot[q]!]!, cell, k, lay, E, D, eU[k2]!, dU[k2]!, z, dz, extra, dExtra);
    }
  }
}

/** One row's feature part of the gradient: its cell's intercept and slopes, the extras, the promoter-side shifts. */
function addFeatures(
  g: Float64Array,
  cell: number,
  k: number,
  lay: ParameterLayout,
  E: number,
  D: number,
  eU: number,
  dU: number,
  z: Float64Array,
  dz: Float64Array,
  extra: Float64Array,
  dExtra: Float64Array,
): void {
  g[cell]! += E;
  for (let j = 0; j < k; j++) g[cell + 1 + j]! += E * z[j]! + D * dz[j]!;
  for (let x = 0; x < lay.extras; x++) g[lay.extraAt + x]! += E * extra[x]! + D * dExtra[x]!;
  if (lay.ppo) for (let j = 0; j < k; j++) g[lay.omegaAt + j]! += eU * z[j]! + dU * dz[j]!;
}

/** d_b = ∇·δ_b for every replicate of the model. */
export function replicateDeviations(p: OrdinalParameters, gradient: Float64Array): Float64Array {
  const reps = p.replicates ?? [];
  const out = new Float64Array(reps.length);
  reps.forEach((rep, b) => {
    let d = 0;
    for (let i = 0; i < rep.length; i++) d += rep[i]! * gradient[i]!;
    out[b] = d;
  });
  return out;
}

/** Var ≈ mean_b d_b² (the replicates are deviations from the estimate; Poisson weights have mean 1). */
export function replicateVariance(deviations: ArrayLike<number>): number {
  let s = 0;
  for (let b = 0; b < deviations.length; b++) s += deviations[b]! * deviations[b]!;
  return deviations.length > 0 ? s / deviations.length : 0;
}

/** Cov ≈ mean_b d₁_b d₂_b. */
export function replicateCovariance(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i]! * b[i]!;
  return a.length > 0 ? s / a.length : 0;
}

/**
 * The variance of the realised change among these very respondents given the model: each one's
 * state after the change is a draw (promoter, passive or detractor) from the model's
 * counterfactual. For a weighted change wP·[promoter] + wD·[detractor] (NPS: +1, −1) the variance
 * is wP²·P_p + wD²·P_d − (wP·P_p + wD·P_d)², summed over the rows `inSlot` keeps.
 */
export function respondentNoise(crossing: Crossing, inSlot?: (q: number) => boolean, wP?: ArrayLike<number>, wD?: ArrayLike<number>): number {
  let v = 0;
  for (let q = 0; q < crossing.promoter.length; q++) {
    if (inSlot && !inSlot(q)) continue;
    const pp = crossing.promoter[q]!;
    const pd = crossing.detractor[q]!;
    const a = wP ? wP[q]! : 1;
    const b = wD ? wD[q]! : -1;
    v += a * a * pp + b * b * pd - (a * pp + b * pd) ** 2;
  }
  return v;
}

/** A weighted change Σ wP·P_p + wD·P_d whose replicate deviations are wanted; `segmentOf` adds one per segment. */
export interface Weighting {
  segmentOf: Int32Array | null;
  S: number;
  wP: ArrayLike<number>;
  wD: ArrayLike<number>;
}

/**
 * The model's deviations under every replicate for each weighted change, in one pass over the rows:
 * per weighting, with `segmentOf`, S + 1 arrays (each segment's, then the overall at S); without,
 * one (the overall).
 */
export function modelDeviationsOf(model: DriverModel, effects: ResolvedEffects, pop: Population, sim: Simulation, weightings: readonly Weighting[]): Float64Array[][] {
  const p = model.parameters;
  if (p.kind !== 'ordinal') throw new Error('replicates belong to ordinal models');
  const len = parameterLayout(p).length;
  const all = weightings.map((w) => Array.from({ length: w.segmentOf ? w.S + 1 : 1 }, () => new Float64Array(len)));
  // A set's gradients[0] takes every row and gradients[1 + slot] the row's segment: the overall first.
  const sets: GradientSet[] = weightings.map((w, i) => {
    const g = all[i]!;
    return { gradients: w.segmentOf ? [g[w.S]!, ...g.slice(0, w.S)] : g, slot: w.segmentOf, wP: w.wP, wD: w.wD };
  });
  accumulateGradient(sets, p, effects, pop, sim.rows, sim.after, sim.crossing);
  return all.map((gs) => gs.map((g) => replicateDeviations(p, g)));
}

/**
 * The delta method on each cell's slopes alone (their standard errors, correlations ignored): the
 * model's share for linear models and for ordinal models stored without replicates.
 */
export function perPointVariance(effects: ResolvedEffects, pop: Population, sim: Simulation, segmentOf: Int32Array | null, slot: number, wP: ArrayLike<number>, wD: ArrayLike<number>): number {
  const k = effects.k;
  const G = effects.cells + 1;
  const grad = new Float64Array(G * k);
  const { dPromoter, dDetractor } = sim.crossing;
  for (let q = 0; q < sim.rows.length; q++) {
    if (segmentOf && segmentOf[q] !== slot) continue;
    const d = wP[q]! * dPromoter[q]! + wD[q]! * dDetractor[q]!;
    if (d === 0) continue;
    const r = sim.rows[q]!;
    const g = effects.cellOf[r]!;
    for (const [j, x] of sim.after) grad[g * k + j]! += d * (x[q]! - pop.columns[j]![r]!);
  }
  let v = 0;
  for (let i = 0; i < grad.length; i++) v += (grad[i]! * effects.perPointSe[i]!) ** 2;
  return v;
}

/**
 * Which accounts were surveyed: the change is a mean over accounts (clusters), whose variance is
 * Σ_a (C_a − n_a·ȳ)² · A/(A − 1), with C_a the account's summed change (in respondents²; divide by n²).
 */
export function clusterVariance(pop: Population, book: Book, sim: Simulation, c: Change, segment: number | null): number {
  const clusterSum = new Float64Array(book.A);
  let total = 0;
  let n = 0;
  for (let q = 0; q < sim.rows.length; q++) {
    const r = sim.rows[q]!;
    if (segment !== null && pop.segment[r] !== segment) continue;
    const d = c.dp[q]! - c.dd[q]!;
    clusterSum[pop.account[r]!]! += d;
    total += d;
  }
  for (let a = 0; a < book.A; a++) if (segment === null || book.accountSegment[a] === segment) n += book.clusterN[a]!;
  if (n === 0) return 0;
  const mean = total / n;
  let v = 0;
  let clusters = 0;
  for (let a = 0; a < book.A; a++) {
    if (segment !== null && book.accountSegment[a] !== segment) continue;
    if (book.clusterN[a] === 0) continue;
    clusters++;
    v += (clusterSum[a]! - book.clusterN[a]! * mean) ** 2;
  }
  return clusters > 1 ? (v * clusters) / (clusters - 1) : 0;
}

/**
 * A point's interval at normal quantile z: its standard deviation and the range ends (a lift
 * recomputed at each end of the effects' ranges), combined in quadrature on each side, so
 * saturation at the scale's top makes it asymmetric.
 */
export function intervalOf(point: number, low: number, high: number, sd: number, z: number): [number, number] {
  const below = Math.max(0, point - Math.min(low, high));
  const above = Math.max(0, Math.max(low, high) - point);
  return [point - Math.sqrt((z * sd) ** 2 + below ** 2), point + Math.sqrt((z * sd) ** 2 + above ** 2)];
}
