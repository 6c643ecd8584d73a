/**
 * The driver model's word on cause and effect: the confounding check (./confounding.ts) run on the
 * fitted wave, and what it means for forecasts — a halo factor per attribute, the share of the
 * associational slope that survives within accounts, shrunk toward the wave's overall survival ρ by
 * empirical Bayes (a weak attribute's raw within/pooled ratio is as noisy as its within slope and
 * can hit either bound by chance). Forecasts give a halo-adjusted lift beside the associational one
 * (model/scenario/forecast.ts) by moving every cell's slope of an attribute by its correction,
 * within − pooled: additive, so an attribute whose associational slope is near zero (its effect
 * credited to a confounded neighbour) still gets its within-account effect.
 *
 * Large waves are checked on an even sample of accounts (at most {@link CHECK_ROWS} respondents): the
 * check is a second fit, and its verdict does not need a million rows.
 */
import { checkConfounding, type ConfoundingResult } from './confounding.js';
import type { LinkName } from './latent/link.js';
import { subsample, type Population } from './population.js';

/** Respondents the confounding check runs on (an even sample of accounts beyond it). */
export const CHECK_ROWS = 40_000;

export interface HaloAttribute {
  attribute: string;
  /** Per rating point, latent units, with 95 % intervals. */
  within: { estimate: number; stdError: number; interval: [number, number] };
  between: { estimate: number; stdError: number; interval: [number, number] };
  contrast: { estimate: number; stdError: number; interval: [number, number] };
  /** Share of the associational effect kept within accounts, shrunk toward ρ; and its standard error. */
  haloFactor: number;
  haloFactorSe: number;
  /** Cinelli–Hazlett robustness value RV₀.₅ of the within slope. */
  robustness: number;
  /** within − pooled, per rating point (latent units): what the halo-adjusted forecast adds to every cell's slope. */
  correction: { estimate: number; stdError: number };
}

export interface Halo {
  risk: 'none' | 'some' | 'high' | 'unknown';
  reason: string | null;
  /** ρ: the information-weighted mean of within/pooled over the attributes. */
  survival: number | null;
  test: { statistic: number; df: number; logP: number } | null;
  respondents: number;
  coverage: { accounts: number; multiAccounts: number; multiShare: number };
  attributes: HaloAttribute[];
  statement: string;
}

const STATEMENT =
  'Lifts are associational: they read how ratings go with loyalty across respondents as what changing a rating would do. An account-level cause that moves both (a strong relationship, a champion inside the account) makes them overstate. The halo-adjusted lift keeps only what holds within accounts; neither is causal until calibrated against realised results.';

/** The confounding section of a model document, from a check on (a sample of) the wave. */
export function haloOf(pop: Population, link: LinkName, seed: number): Halo {
  const sample = pop.n > CHECK_ROWS ? subsample(pop, CHECK_ROWS, seed) : pop;
  const check = checkConfounding(sample, { link });
  return describe(check, sample.n);
}

function describe(check: ConfoundingResult, respondents: number): Halo {
  const coverage = { accounts: check.coverage.accounts, multiAccounts: check.coverage.multiAccounts, multiShare: check.coverage.multiShare };
  if (check.risk === 'unknown') return { risk: 'unknown', reason: check.reason, survival: null, test: null, respondents, coverage, attributes: [], statement: STATEMENT };
  const rho = check.survival;
  // Empirical Bayes: ratios r_j with errors s_j ≈ SE(within_j)/|pooled_j|, spread τ² by moments.
  const raw = check.attributes.map((a) => ({ r: a.ratio, s: a.within.stdError / Math.max(Math.abs(a.pooled.estimate), 1e-9) }));
  const mean = raw.reduce((x, a) => x + a.r, 0) / raw.length;
  const spread = raw.reduce((x, a) => x + (a.r - mean) ** 2, 0) / Math.max(raw.length - 1, 1);
  const tau2 = Math.max(0, spread - raw.reduce((x, a) => x + a.s * a.s, 0) / raw.length);
  const rhoSe = 1 / Math.sqrt(raw.reduce((x, a) => x + 1 / Math.max(a.s * a.s, 1e-12), 0));
  const slope = (e: { estimate: number; stdError: number; lower: number; upper: number }) => ({ estimate: e.estimate, stdError: e.stdError, interval: [e.lower, e.upper] as [number, number] });
  const attributes = check.attributes.map((a, j) => {
    const { r, s } = raw[j]!;
    const keep = tau2 > 0 ? tau2 / (tau2 + s * s) : 0;
    const shrunk = rho + keep * (r - rho);
    return {
      attribute: a.attribute,
      within: slope(a.within),
      between: slope(a.between),
      contrast: slope(a.contrast),
      haloFactor: Math.min(1.5, Math.max(0, shrunk)),
      haloFactorSe: Math.sqrt(keep * s * s + (1 - keep) ** 2 * rhoSe * rhoSe),
      correction: { estimate: a.within.estimate - a.pooled.estimate, stdError: a.within.stdError },
      robustness: a.robustness,
    };
  });
  return { risk: check.risk, reason: null, survival: rho, test: check.test, respondents, coverage, attributes, statement: STATEMENT };
}
