/**
 * Stage 6 of a forecast — NPS and revenue: what the moved respondents' probabilities do to each
 * segment's NPS, to each account's loyalty mix (Δρ), and through it to revenue,
 *
 *     revenue in year t = R·Π_{s≤t}(ρ + ramp_s·Δρ)  against  R·ρᵗ,
 *
 * discounted to an NPV; then cost, ROI and payback. One function computes the change (`change`), so
 * a forecast and the optimiser's quick valuation cannot disagree.
 */
import type { Population } from '../drivers/population.js';
import { isDetractor, isPromoter } from '../nps.js';
import type { Book } from './book.js';
import type { Outcome } from './contract.js';
import type { Simulation } from './simulate.js';

/** Per simulated respondent: change in P(promoter) and in P(detractor) against the observed answer. */
export interface Change {
  dp: Float64Array;
  dd: Float64Array;
  /** Net change (promoters − detractors) per segment and overall, in respondents. */
  bySeg: Float64Array;
  total: number;
  /** Change of each account's multiplier. */
  dRho: Float64Array;
  promoters: number;
  detractors: number;
}

export function change(pop: Population, book: Book, sim: Simulation): Change {
  const S = pop.levels.segment.length;
  const m = sim.rows.length;
  const dp = new Float64Array(m);
  const dd = new Float64Array(m);
  const bySeg = new Float64Array(S);
  const dRho = new Float64Array(book.A);
  let promoters = 0;
  let detractors = 0;
  const { promoter, detractor } = sim.crossing;
  for (let q = 0; q < m; q++) {
    const r = sim.rows[q]!;
    const v = pop.ltr[r]!;
    dp[q] = promoter[q]! - (isPromoter(v) ? 1 : 0);
    dd[q] = detractor[q]! - (isDetractor(v) ? 1 : 0);
    bySeg[pop.segment[r]!]! += dp[q]! - dd[q]!;
    dRho[pop.account[r]!]! += book.omega[r]! * (dp[q]! * (book.vP - book.vA) + dd[q]! * (book.vD - book.vA));
    promoters += dp[q]!;
    detractors += dd[q]!;
  }
  let total = 0;
  for (let s = 0; s < S; s++) total += bySeg[s]!;
  return { dp, dd, bySeg, total, dRho, promoters, detractors };
}

/** Average share of the full effect in year t (1-based) under a linear ramp of `months`. */
export function rampShare(year: number, months: number): number {
  if (months <= 0) return 1;
  let s = 0;
  for (let m = 12 * (year - 1) + 1; m <= 12 * year; m++) s += Math.min(1, m / months);
  return s / 12;
}

/** The ramp of every year of the horizon. */
export function rampOf(months: number, horizon: number): number[] {
  return Array.from({ length: horizon }, (_, t) => rampShare(t + 1, months));
}

/** Discounting and horizon of a scenario. */
export interface Timing {
  horizon: number;
  discountRate: number;
}

export const discount = (timing: Timing, t: number): number => (1 + timing.discountRate) ** -t;

/** Exact revenue impact of a change Δρ per account: R·Π(ρ + ramp·Δρ) − R·ρᵗ, per year, and its NPV. */
export function revenueImpact(book: Book, timing: Timing, dRho: Float64Array, ramp: readonly number[]): { yearly: number[]; npv: number } {
  const y = new Array<number>(timing.horizon).fill(0);
  for (let a = 0; a < book.A; a++) {
    if (dRho[a] === 0 || book.revenue[a] === 0) continue;
    let withIt = 1;
    let without = 1;
    for (let t = 1; t <= timing.horizon; t++) {
      withIt *= book.rho[a]! + ramp[t - 1]! * dRho[a]!;
      without *= book.rho[a]!;
      y[t - 1]! += book.revenue[a]! * (withIt - without);
    }
  }
  return { yearly: y, npv: y.reduce((s, v, t) => s + v * discount(timing, t + 1), 0) };
}

/**
 * ∂NPV/∂Δρ_a for every account at the change `dRho`: R_a Σ_t disc_t Π_{s≤t}(ρ + ramp_s·Δρ) ·
 * Σ_{s≤t} ramp_s/(ρ + ramp_s·Δρ) — the weight of each respondent's probability changes in the
 * revenue interval's linearisation (exact at the forecast, so large changes are not misweighted).
 */
export function npvWeights(book: Book, timing: Timing, ramp: readonly number[], dRho: Float64Array): Float64Array {
  const mu = new Float64Array(book.A);
  for (let a = 0; a < book.A; a++) {
    if (book.revenue[a] === 0) continue;
    let m = 0;
    let product = 1;
    let logDerivative = 0;
    for (let t = 1; t <= timing.horizon; t++) {
      const factor = book.rho[a]! + ramp[t - 1]! * dRho[a]!;
      product *= factor;
      logDerivative += factor !== 0 ? ramp[t - 1]! / factor : 0;
      m += product * logDerivative * discount(timing, t);
    }
    mu[a] = book.revenue[a]! * m;
  }
  return mu;
}

/** Discounted cost of initiatives over the horizon. */
export function costOf(timing: Timing, costs: readonly { oneTime: number; annual: number }[]): Outcome['cost'] {
  let oneTime = 0;
  let annual = 0;
  for (const c of costs) {
    oneTime += c.oneTime;
    annual += c.annual;
  }
  let total = oneTime;
  for (let t = 1; t <= timing.horizon; t++) total += annual * discount(timing, t);
  return { oneTime, annual, total };
}

/** First month at which the discounted cumulative net value turns non-negative. */
export function paybackMonths(timing: Timing, yearly: readonly number[] | null, cost: Outcome['cost']): number | null {
  if (!yearly) return null;
  let cum = -cost.oneTime;
  if (cum >= 0) return 0;
  for (let month = 1; month <= 12 * timing.horizon; month++) {
    const y = Math.ceil(month / 12);
    cum += ((yearly[y - 1]! - cost.annual) / 12) * (1 + timing.discountRate) ** (-month / 12);
    if (cum >= 0) return month;
  }
  return null;
}
