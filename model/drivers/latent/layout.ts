/**
 * The parameters of the latent-score (cumulative-logit) driver model and where each sits in one
 * vector, for a given structure:
 *
 *   P(y ≤ c) = σ(θ_c − η_c),   η_c = Σ_f β_f φ_f + Σ_ℓ (a_ℓ[g_ℓ] + Σ_a δ_ℓ[g_ℓ, a] z_a) + 1[c ≥ u]·Σ_a ω_a z_a
 *
 * - θ: C − 1 increasing thresholds between the observed answer categories;
 * - β: one coefficient per feature φ — the k standardised ratings z first, then curve hinges and
 *   interaction products (functions of the ratings, see ./design.ts);
 * - levels ℓ (segment, role, their crossed cells, …): each may shift the intercept (a_ℓ) and depart
 *   from the overall slopes of the ratings (δ_ℓ); a respondent takes every level's departure, so a
 *   cell's slopes are β + δ_segment + δ_role + δ_cell, and the penalty on each level pulls it toward
 *   the sum of its parents (partial pooling, overall → segment → segment × role, overall → role);
 * - ω: the promoter-side shift of the rating slopes (partial proportional odds): a rating's effect at
 *   the cuts from `u` up (passive|promoter and above) is β + ω, at the lower ones (detractor|passive)
 *   β alone, so a lever can remove detractors without creating promoters, or the reverse.
 *
 * The penalised objective is ℓ − Σ_j λ_j (p_j − anchor_j)², one λ per parameter (0 for θ and the
 * rating slopes; positive for departures, curves, interactions, ω).
 */

import type { LinkName } from './link.js';

/** One grouping level of the structure: its number of groups and which departures it has. */
export interface LevelSpec {
  name: string;
  size: number;
  intercepts: boolean;
  slopes: boolean;
}

export interface LayoutSpec {
  /** The noise distribution (./link.ts). @default 'logit' */
  link?: LinkName;
  /** Thresholds: C − 1. */
  T: number;
  /** Features φ (the k ratings first). */
  F: number;
  /** Ratings among the features (the first k), which levels' slopes and ω apply to. */
  k: number;
  levels: readonly LevelSpec[];
  /** With ω (cut-specific slopes at the cuts from `upperFrom` on). */
  ppo: boolean;
  /** First threshold index on the promoter side (used when `ppo`). */
  upperFrom: number;
}

export class LatentLayout {
  readonly link: LinkName;
  readonly T: number;
  readonly F: number;
  readonly k: number;
  readonly levels: readonly LevelSpec[];
  readonly ppo: boolean;
  readonly upperFrom: number;
  /** Start of β, of ω, and of each level's intercepts and slopes (−1 when absent). */
  readonly betaAt: number;
  readonly omegaAt: number;
  readonly interceptAt: number[];
  readonly slopeAt: number[];
  readonly P: number;

  constructor(spec: LayoutSpec) {
    this.link = spec.link ?? 'logit';
    this.T = spec.T;
    this.F = spec.F;
    this.k = spec.k;
    this.levels = spec.levels;
    this.ppo = spec.ppo;
    this.upperFrom = spec.upperFrom;
    let at = this.T;
    this.betaAt = at;
    at += this.F;
    this.omegaAt = this.ppo ? at : -1;
    if (this.ppo) at += this.k;
    this.interceptAt = [];
    this.slopeAt = [];
    for (const level of spec.levels) {
      this.interceptAt.push(level.intercepts ? at : -1);
      if (level.intercepts) at += level.size;
      this.slopeAt.push(level.slopes ? at : -1);
      if (level.slopes) at += level.size * this.k;
    }
    this.P = at;
  }

  beta(f: number): number {
    return this.betaAt + f;
  }
  omega(a: number): number {
    return this.omegaAt + a;
  }
  intercept(level: number, g: number): number {
    return this.interceptAt[level]! + g;
  }
  slope(level: number, g: number, a: number): number {
    return this.slopeAt[level]! + g * this.k + a;
  }

  /**
   * The parameters each entry of a row's vector (1, φ₁ … φ_F) multiplies, for a respondent whose
   * groups are `codes` (one per level): the constant feeds every level's intercept, a rating feeds
   * β and every level's slope departure, other features feed β alone.
   */
  targets(codes: ArrayLike<number>): number[][] {
    const out: number[][] = [[]];
    this.levels.forEach((level, l) => {
      if (level.intercepts) out[0]!.push(this.intercept(l, codes[l]!));
    });
    for (let f = 0; f < this.F; f++) {
      const t = [this.beta(f)];
      if (f < this.k) this.levels.forEach((level, l) => level.slopes && t.push(this.slope(l, codes[l]!, f)));
      out.push(t);
    }
    return out;
  }
}

/** What the penalty is on each block: the λ of every parameter, built from a few named strengths. */
export interface Penalties {
  /** Per level: penalty on its intercept shifts and on its slope departures. */
  levels: { intercept: number; slope: number }[];
  /** Per feature (β): 0 for the ratings, the curve's or interaction's own strength otherwise. */
  features: ArrayLike<number>;
  /** On ω. */
  omega: number;
  /** A weak pull of the thresholds toward `anchor` (cross-validation folds missing a category). */
  threshold: number;
}

/** λ of every parameter. */
export function penaltyVector(L: LatentLayout, p: Penalties): Float64Array {
  const w = new Float64Array(L.P);
  for (let t = 0; t < L.T; t++) w[t] = p.threshold;
  for (let f = 0; f < L.F; f++) w[L.beta(f)] = p.features[f] ?? 0;
  if (L.ppo) for (let a = 0; a < L.k; a++) w[L.omega(a)] = p.omega;
  L.levels.forEach((level, l) => {
    const lp = p.levels[l]!;
    if (level.intercepts) for (let g = 0; g < level.size; g++) w[L.intercept(l, g)] = lp.intercept;
    if (level.slopes) for (let g = 0; g < level.size; g++) for (let a = 0; a < L.k; a++) w[L.slope(l, g, a)] = lp.slope;
  });
  return w;
}
