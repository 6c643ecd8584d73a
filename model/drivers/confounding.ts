/**
 * Is a driver's slope the effect of the experience, or of the account the respondent sits in? A
 * confounding check by the Mundlak (1978) / correlated-random-effects decomposition (Chamberlain
 * 1982; Wooldridge 2010, §15.8.2 for the ordered case): each rating is split into its account mean
 * and the respondent's deviation from it,
 *
 *   x_ij = x̄_A(i),j + (x_ij − x̄_A(i),j),
 *
 * and the latent ordinal model (./latent/) is fitted with both parts as features:
 *
 *   P(y ≤ c) = F(θ_c − η),   η = Σ_j β_W,j (x_ij − x̄_Aj)/s_j + Σ_j β_B,j (x̄_Aj − m_j)/s_j + shifts.
 *
 * The **within** slope β_W,j compares colleagues in one account, so it is net of anything constant
 * within an account (its size, its history, its relationship with us — measured or not). The
 * **between** slope β_B,j compares accounts, and carries account-level causes of loyalty that also
 * raise the ratings. With no such cause the two agree (a rating moves loyalty the same whichever
 * account it is in); `between − within` is the confounding. The **pooled** slope — the ordinary
 * driver model's, from a fit without the split — is a precision-weighted blend of the two, so
 * `within / pooled` says how much of the associational slope survives inside accounts
 * (`haloFactor`, clamped to [0, 1.5]): the forecast scales each attribute's latent shift by it for
 * a "halo-adjusted lift" beside the associational one ({@link adjustShift}).
 *
 * Accounts of one respondent have no within deviation (zero): they inform the between slopes only.
 * With fewer than {@link MIN_MULTI_ACCOUNTS} accounts of ≥ 2 respondents, or under
 * {@link MIN_MULTI_SHARE} of respondents in them, the within slopes rest on too little and the
 * check answers `unknown` with its reason instead of a guess.
 *
 * **Standard errors** are cluster-robust by account (the CR1 sandwich
 * G/(G − 1) · H⁻¹ (Σ_A g_A g_Aᵀ) H⁻¹, g_A the account's summed score, H the information), by
 * default: respondents of one account share unmeasured loyalty (an account random effect), which
 * the model-based (H⁻¹) errors ignore — they understate the errors, the between slopes' most, the more
 * so the larger the account effect, and such an effect, independent of the ratings, is no confounder
 * of the slopes and must not be flagged. Model-based errors are available (`standardErrors: 'model'`).
 * Both are checked against an independent numpy/scipy implementation
 * (test/fixtures/confounding/generate.py) to 1e-6.
 *
 * **The risk** is 'none', 'some' or 'high' from two things together: the joint Wald test of the k
 * contrasts (χ² with k df; it says whether the difference is real) and the size of the difference,
 * the information-weighted mean of within/pooled over the attributes,
 *
 *   ρ = Σ_j w_j β_P,j² · (β_W,j / β_P,j) / Σ_j w_j β_P,j²,   w_j = 1 / Var(β_W,j),
 *
 * (the weighted least-squares slope of the within on the pooled slopes: attributes whose pooled slope
 * is large relative to the within slope's error count most). The test says whether the difference is
 * real, the size whether it matters for a forecast: on a large wave the test alone detects differences
 * too small to matter (segment-specific weights fall differently on within and between comparisons,
 * large enterprise accounts carrying more within information; at 200,000 respondents without a
 * confounder, seed 1 gave χ²(10) = 40.7, p ≈ 2e-5, with ρ = 0.966). So
 *
 *   - 'none'  when p ≥ 0.001 or |ρ − 1| < 0.12;
 *   - 'high'  when p < 0.001 and |ρ − 1| ≥ 0.3;
 *   - 'some'  otherwise.
 *
 * Measured on the known-truth family (test/support/truthFamily.ts, RICH: role weights, curves, an
 * interaction, account random effects on loyalty independent of the ratings, 5 % blanks imputed),
 * seeds 1–20 each way, cluster-robust errors (test/unit/confounding.test.ts runs the first row):
 *
 *   | noise, n | with an account-level confounder: flagged, ρ | without: 'none', ρ, χ²(10) |
 *   |---|---|---|
 *   | normal, 20,000 | 20/20 (15 high, 5 some), ρ 0.37–0.74 | 20/20, ρ 0.956–1.026, χ² 3.6–20.9 |
 *   | normal, 10,000 | 20/20 (16 high, 4 some), ρ 0.43–0.72 | 20/20, ρ 0.935–1.049 |
 *   | skewed, 20,000 | 20/20 (17 high, 3 some), ρ 0.37–0.74 | 20/20, ρ 0.971–1.034 |
 *
 * Model-based errors gave the same flags at 20,000 (their χ² about 8 % larger: the family's account
 * effects, σ_v 0.2–0.6, are small beside the noise). On the confounded waves the halo-adjusted lift of
 * +1 on the top driver had a mean bias of +0.15 NPS points against the truth, the associational one
 * +4.47 (mean true lift 3.41; MAE 0.41 against 4.47).
 *
 * **Robustness value** (Cinelli & Hazlett 2020, §4.1): RV_q = ½(√(f_q⁴ + 4f_q²) − f_q²),
 * f_q = q·|t|/√dof with q = ½, t the within slope's t statistic and dof = respondents − parameters:
 * the share of the residual variance of both the rating and loyalty that a hidden cause would have to
 * explain to halve the within estimate. The within slope is already net of everything constant within
 * accounts, so the hidden cause this speaks of varies within them (a personal halo, a respondent's
 * mood). The formula is the linear model's, applied to the latent-scale t statistic: a guide to
 * scale, not an exact bound for the ordinal model.
 *
 * Pure functions, no I/O. The pipeline: account coverage → account means → Mundlak and pooled
 * features → the two fits → (cluster-robust) covariances → per-attribute contrasts → the joint test
 * and the risk.
 */
import type { GroupColumn } from './contract.js';
import { standardisation, type Standardisation } from './latent/design.js';
import type { LatentData } from './latent/evaluate.js';
import { fitLatent, type LatentFit } from './latent/fit.js';
import { LatentLayout } from './latent/layout.js';
import { linkValues, massBetween, type LinkName } from './latent/link.js';
import { cholesky, choleskySolve } from './latent/linalg.js';
import { logChiSquareSurvival } from './latent/search.js';
import type { Population } from './population.js';

/** Fewest accounts of ≥ 2 respondents the check needs. */
export const MIN_MULTI_ACCOUNTS = 200;
/** Smallest share of respondents in accounts of ≥ 2 the check needs. */
export const MIN_MULTI_SHARE = 0.2;
/** The joint test flags below this p-value (its log). */
const LOG_ALPHA = Math.log(1e-3);
/** |ρ − 1| below this is too small to matter for a forecast: 'none' whatever the test says. */
const SOME_SIZE = 0.12;
/** |ρ − 1| from this on (with a significant test) is 'high'. */
const HIGH_SIZE = 0.3;
/** The robustness value's q: the share of the estimate a hidden cause would remove. */
const RV_Q = 0.5;
/** The halo factor's range. */
const HALO_RANGE = [0, 1.5] as const;
const Z95 = 1.959963984540054;

export type ConfoundingRisk = 'none' | 'some' | 'high';

export interface ConfoundingOptions {
  /** The latent noise distribution. @default 'logit' */
  link?: LinkName;
  /** Grouping columns whose groups shift the intercept (each group but the first a free shift). @default ['segment', 'role'] */
  shifts?: readonly GroupColumn[];
  /**
   * `cluster`: cluster-robust by account (CR1); `model`: from the inverse information alone.
   * @default 'cluster'
   */
  standardErrors?: 'cluster' | 'model';
}

/** How much within-account information the wave has. */
export interface AccountCoverage {
  accounts: number;
  /** Accounts of at least two respondents. */
  multiAccounts: number;
  /** Respondents in those accounts, and their share of all. */
  multiRespondents: number;
  multiShare: number;
}

/** A slope per rating point on the latent scale, with its standard error and 95 % interval. */
export interface SlopeEstimate {
  estimate: number;
  stdError: number;
  lower: number;
  upper: number;
}

export interface AttributeConfounding {
  attribute: string;
  /** Effect of a rating net of anything constant within an account. */
  within: SlopeEstimate;
  /** Effect of the account's mean rating: includes account-level causes. */
  between: SlopeEstimate;
  /** The ordinary (associational) slope, from the fit without the split. */
  pooled: SlopeEstimate;
  /** between − within. */
  contrast: SlopeEstimate;
  /** within / pooled (1 when the pooled slope is exactly 0). */
  ratio: number;
  /**
   * clamp(within / pooled, 0, 1.5): the share of the associational slope that survives within
   * accounts. As noisy as the within slope: for an attribute whose pooled slope is small beside the
   * within slope's error the ratio can reach either bound by chance (on an unconfounded 20,000 wave,
   * pooled 0.013 with within −0.009 ± 0.016 gave −0.65, so 0), so read it with `within`'s interval.
   */
  haloFactor: number;
  /** The within slope's t statistic. */
  t: number;
  /** Cinelli–Hazlett robustness value RV_0.5 of the within slope (0…1). */
  robustness: number;
}

export interface ConfoundingCheck {
  risk: ConfoundingRisk;
  link: LinkName;
  standardErrors: 'cluster-robust by account (CR1)' | 'model-based (inverse information)';
  coverage: AccountCoverage;
  attributes: AttributeConfounding[];
  /** Joint Wald test that every contrast is zero: χ², its df (k) and log p. */
  test: { statistic: number; df: number; logP: number };
  /** ρ: the information-weighted mean of within/pooled. */
  survival: number;
  respondents: number;
  /** Parameters of the Mundlak fit, and its residual degrees of freedom (respondents − parameters). */
  parameters: number;
  dof: number;
}

export interface ConfoundingUnknown {
  risk: 'unknown';
  reason: string;
  coverage: AccountCoverage;
}

export type ConfoundingResult = ConfoundingCheck | ConfoundingUnknown;

/**
 * The confounding check of a population's drivers: within-account, between-account and pooled
 * slopes per attribute, their contrasts, a halo factor and robustness value each, and an overall
 * risk (see the module's documentation for the method and the thresholds).
 *
 * @example
 * const check = checkConfounding(population);
 * if (check.risk !== 'unknown') console.log(check.risk, check.attributes.map((a) => a.haloFactor));
 */
export function checkConfounding(pop: Population, options: ConfoundingOptions = {}): ConfoundingResult {
  const link = options.link ?? 'logit';
  const accounts = accountIndex(pop);
  const coverage = accounts.coverage;
  const thin = thinCoverage(coverage);
  if (thin) return { risk: 'unknown', reason: thin, coverage };
  const answers = answerCategories(pop);
  if (answers.C < 2) return { risk: 'unknown', reason: 'Every respondent gave the same likelihood-to-recommend answer: there is nothing to explain.', coverage };
  const std = standardisation(pop.columns, pop.n);
  const shifts = shiftColumns(pop, options.shifts ?? ['segment', 'role']);
  const means = accountMeans(pop, accounts);
  const mundlak = fitFeatures(mundlakFeatures(pop, accounts, means, std), shifts, answers, link);
  const pooled = fitFeatures(pooledFeatures(pop, std), shifts, answers, link);
  if (!mundlak.ok) return { risk: 'unknown', reason: `The within/between fit failed: ${mundlak.detail}`, coverage };
  if (!pooled.ok) return { risk: 'unknown', reason: `The pooled fit failed: ${pooled.detail}`, coverage };
  const robust = options.standardErrors !== 'model';
  const vM = robust ? clusterCovariance(mundlak.data, mundlak.layout, mundlak.fit, accounts.ofRow, accounts.count) : mundlak.fit.covariance!;
  const vP = robust ? clusterCovariance(pooled.data, pooled.layout, pooled.fit, accounts.ofRow, accounts.count) : pooled.fit.covariance!;
  const parameters = mundlak.layout.P;
  const dof = pop.n - parameters;
  const attributes = attributeContrasts(pop, std, mundlak.layout, mundlak.fit.v, vM, pooled.layout, pooled.fit.v, vP, dof);
  const test = contrastTest(pop.columns.length, mundlak.layout, mundlak.fit.v, vM);
  if (!test) return { risk: 'unknown', reason: 'The contrasts’ covariance is singular: some attributes do not vary within accounts.', coverage };
  const survival = survivalShare(attributes);
  return {
    risk: riskOf(test.logP, survival),
    link,
    standardErrors: robust ? 'cluster-robust by account (CR1)' : 'model-based (inverse information)',
    coverage,
    attributes,
    test,
    survival,
    respondents: pop.n,
    parameters,
    dof,
  };
}

/**
 * The halo factor of every attribute, in the population's attribute order: what the forecast
 * multiplies each attribute's latent shift by for the halo-adjusted lift. `null` when the check
 * could not be made (`unknown`): there is then no adjustment to offer, rather than a factor of 1
 * that would read as "no halo".
 */
export function haloFactors(check: ConfoundingResult): Float64Array | null {
  if (check.risk === 'unknown') return null;
  return Float64Array.from(check.attributes, (a) => a.haloFactor);
}

/**
 * A latent shift per attribute (a what-if's Δ of each attribute's own terms, in the population's
 * attribute order) scaled by each attribute's halo factor: the part of the shift that survives
 * within accounts. `null` when the check is `unknown`.
 *
 * @example
 * const adjusted = adjustShift(check, [0.12, 0, 0.05]); // e.g. [0.07, 0, 0.05]
 */
export function adjustShift(check: ConfoundingResult, perAttributeDelta: ArrayLike<number>): Float64Array | null {
  const factors = haloFactors(check);
  if (!factors) return null;
  if (perAttributeDelta.length !== factors.length) throw new RangeError(`adjustShift: ${perAttributeDelta.length} shifts for ${factors.length} attributes`);
  return Float64Array.from(factors, (f, a) => f * perAttributeDelta[a]!);
}

// ---------------------------------------------------------------------------------------------
// Stages

interface AccountIndex {
  /** Dense account index of each row (accounts in order of first appearance). */
  ofRow: Uint32Array;
  /** Respondents per account. */
  size: Uint32Array;
  count: number;
  coverage: AccountCoverage;
}

/** Respondents per account, and how many sit in accounts of two or more. */
export function accountIndex(pop: Population): AccountIndex {
  const dense = new Map<number, number>();
  const ofRow = new Uint32Array(pop.n);
  const sizes: number[] = [];
  for (let i = 0; i < pop.n; i++) {
    const code = pop.account[i]!;
    let a = dense.get(code);
    if (a === undefined) {
      a = sizes.length;
      dense.set(code, a);
      sizes.push(0);
    }
    ofRow[i] = a;
    sizes[a]!++;
  }
  const size = Uint32Array.from(sizes);
  let multiAccounts = 0;
  let multiRespondents = 0;
  for (const s of size)
    if (s >= 2) {
      multiAccounts++;
      multiRespondents += s;
    }
  return { ofRow, size, count: size.length, coverage: { accounts: size.length, multiAccounts, multiRespondents, multiShare: pop.n > 0 ? multiRespondents / pop.n : 0 } };
}

/** Why the wave has too little within-account information, or `null` when it has enough. */
function thinCoverage(c: AccountCoverage): string | null {
  if (c.multiAccounts < MIN_MULTI_ACCOUNTS || c.multiShare < MIN_MULTI_SHARE)
    return `Only ${c.multiAccounts} accounts (${(100 * c.multiShare).toFixed(1)} % of respondents) have two or more respondents; the within-account comparison needs at least ${MIN_MULTI_ACCOUNTS} such accounts holding at least ${100 * MIN_MULTI_SHARE} % of respondents.`;
  return null;
}

/** Each attribute's mean rating per account (index: the dense account index). */
export function accountMeans(pop: Population, accounts: Pick<AccountIndex, 'ofRow' | 'size' | 'count'>): Float64Array[] {
  return pop.columns.map((col) => {
    const sum = new Float64Array(accounts.count);
    for (let i = 0; i < pop.n; i++) sum[accounts.ofRow[i]!]! += col[i]!;
    for (let a = 0; a < accounts.count; a++) sum[a]! /= accounts.size[a]!;
    return sum;
  });
}

function answerCategories(pop: Population): { category: Uint8Array; C: number } {
  const present = new Array<boolean>(11).fill(false);
  for (let i = 0; i < pop.n; i++) present[pop.ltr[i]!] = true;
  const toCategory = new Uint8Array(11);
  let C = 0;
  present.forEach((p, v) => p && (toCategory[v] = C++));
  return { category: Uint8Array.from(pop.ltr, (v) => toCategory[v]!), C };
}

/**
 * Intercept-shift columns: one indicator per group of each column but its first. Free (unpenalised)
 * features rather than a penalised intercept level, so the fit is identified without a penalty and
 * the sandwich is the plain one.
 */
function shiftColumns(pop: Population, columns: readonly GroupColumn[]): Float64Array[] {
  const out: Float64Array[] = [];
  for (const column of columns) {
    const codes = pop[column];
    for (let g = 1; g < pop.levels[column].length; g++) {
      const indicator = new Float64Array(pop.n);
      for (let i = 0; i < pop.n; i++) if (codes[i] === g) indicator[i] = 1;
      out.push(indicator);
    }
  }
  return out;
}

/** Within deviations (x − x̄_A)/s then account means (x̄_A − m)/s, k columns each. */
export function mundlakFeatures(pop: Population, accounts: Pick<AccountIndex, 'ofRow'>, means: readonly Float64Array[], std: Standardisation): Float64Array[] {
  // Loops, not Float64Array.from with a mapper (several times slower on these 40,000-row columns).
  const n = accounts.ofRow.length;
  const within = pop.columns.map((col, j) => {
    const m = means[j]!;
    const s = std.scale[j]!;
    const out = new Float64Array(col.length);
    for (let i = 0; i < col.length; i++) out[i] = (col[i]! - m[accounts.ofRow[i]!]!) / s;
    return out;
  });
  const between = pop.columns.map((_, j) => {
    const m = means[j]!;
    const c = std.center[j]!;
    const s = std.scale[j]!;
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = (m[accounts.ofRow[i]!]! - c) / s;
    return out;
  });
  return [...within, ...between];
}

/** Standardised ratings (x − m)/s: the ordinary driver model's features. */
function pooledFeatures(pop: Population, std: Standardisation): Float64Array[] {
  return pop.columns.map((col, j) => {
    const c = std.center[j]!;
    const s = std.scale[j]!;
    const out = new Float64Array(col.length);
    for (let i = 0; i < col.length; i++) out[i] = (col[i]! - c) / s;
    return out;
  });
}

type FeatureFit = { ok: true; data: LatentData; layout: LatentLayout; fit: LatentFit } | { ok: false; detail: string };

/** An unpenalised cumulative-link fit of the given features and shifts, with its covariance. */
function fitFeatures(features: Float64Array[], shifts: readonly Float64Array[], answers: { category: Uint8Array; C: number }, link: LinkName): FeatureFit {
  const all = [...features, ...shifts];
  const n = answers.category.length;
  const data: LatentData = { n, k: all.length, features: all, category: answers.category, C: answers.C, combo: new Uint32Array(n), comboCodes: [new Uint32Array(0)] };
  const layout = new LatentLayout({ link, T: answers.C - 1, F: all.length, k: all.length, levels: [], ppo: false, upperFrom: answers.C - 1 });
  const r = fitLatent(data, layout, new Float64Array(layout.P), { covariance: true, tolerance: 1e-10, maxIterations: 100 });
  if (!r.ok) return { ok: false, detail: r.detail };
  return { ok: true, data, layout, fit: r.fit };
}

/**
 * The CR1 cluster-robust covariance G/(G − 1) · V (Σ_A g_A g_Aᵀ) V with V = H⁻¹ the model-based
 * covariance and g_A the sum over account A's respondents of the score of their answer:
 * ∂ℓ/∂θ_c = f(u)/A, ∂ℓ/∂θ_{c−1} = −f(l)/A, ∂ℓ/∂β_f = (f(l) − f(u))/A · φ_f, with A = F(u) − F(l),
 * u = θ_c − η, l = θ_{c−1} − η (./latent/evaluate.ts). Checked against numpy (the fixture).
 */
export function clusterCovariance(data: LatentData, L: LatentLayout, fit: LatentFit, cluster: Uint32Array, clusters: number): Float64Array {
  const P = L.P;
  const T = L.T;
  const g = new Float64Array(clusters * P);
  const lv = new Float64Array(8);
  const v = fit.v;
  for (let i = 0; i < data.n; i++) {
    let eta = 0;
    for (let f = 0; f < L.F; f++) eta += v[L.beta(f)]! * data.features[f]![i]!;
    const m = data.category[i]!;
    linkValues(L.link, m < T ? v[m]! - eta : Infinity, lv, 0);
    linkValues(L.link, m > 0 ? v[m - 1]! - eta : -Infinity, lv, 4);
    const A = Math.max(massBetween(lv, 4, lv, 0), 1e-300);
    const gu = lv[2]! / A;
    const gl = lv[6]! / A;
    const o = cluster[i]! * P;
    if (m < T) g[o + m]! += gu;
    if (m > 0) g[o + m - 1]! -= gl;
    const d = gl - gu;
    for (let f = 0; f < L.F; f++) g[o + L.beta(f)]! += d * data.features[f]![i]!;
  }
  const meat = new Float64Array(P * P);
  for (let c = 0; c < clusters; c++) {
    const o = c * P;
    for (let p = 0; p < P; p++) {
      const gp = g[o + p]!;
      if (gp === 0) continue;
      for (let q = p; q < P; q++) meat[p * P + q]! += gp * g[o + q]!;
    }
  }
  for (let p = 0; p < P; p++) for (let q = 0; q < p; q++) meat[p * P + q] = meat[q * P + p]!;
  const V = fit.covariance!;
  const VB = multiply(V, meat, P);
  const out = multiply(VB, V, P);
  const scale = clusters > 1 ? clusters / (clusters - 1) : 1;
  for (let q = 0; q < P * P; q++) out[q]! *= scale;
  return out;
}

function multiply(A: Float64Array, B: Float64Array, P: number): Float64Array {
  const out = new Float64Array(P * P);
  for (let i = 0; i < P; i++)
    for (let r = 0; r < P; r++) {
      const a = A[i * P + r]!;
      if (a === 0) continue;
      for (let j = 0; j < P; j++) out[i * P + j]! += a * B[r * P + j]!;
    }
  return out;
}

function estimateOf(value: number, se: number): SlopeEstimate {
  return { estimate: value, stdError: se, lower: value - Z95 * se, upper: value + Z95 * se };
}

/** RV_q = ½(√(f⁴ + 4f²) − f²), f = q|t|/√dof (Cinelli & Hazlett 2020, eq. 18). */
export function robustnessValue(t: number, dof: number, q = RV_Q): number {
  const f = (q * Math.abs(t)) / Math.sqrt(dof);
  const f2 = f * f;
  return 0.5 * (Math.sqrt(f2 * f2 + 4 * f2) - f2);
}

/** Per attribute: within, between, pooled and their contrast per rating point, the ratio, halo factor and RV. */
function attributeContrasts(
  pop: Population,
  std: Standardisation,
  LM: LatentLayout,
  vM: Float64Array,
  covM: Float64Array,
  LP: LatentLayout,
  vP: Float64Array,
  covP: Float64Array,
  dof: number,
): AttributeConfounding[] {
  const k = pop.columns.length;
  const P = LM.P;
  return pop.attributes.map((attribute, j) => {
    const s = std.scale[j]!;
    const w = LM.beta(j);
    const b = LM.beta(k + j);
    const p = LP.beta(j);
    const within = vM[w]! / s;
    const between = vM[b]! / s;
    const pooled = vP[p]! / s;
    const seW = Math.sqrt(covM[w * P + w]!) / s;
    const seB = Math.sqrt(covM[b * P + b]!) / s;
    const seC = Math.sqrt(Math.max(covM[w * P + w]! + covM[b * P + b]! - 2 * covM[w * P + b]!, 0)) / s;
    const seP = Math.sqrt(covP[p * LP.P + p]!) / s;
    const ratio = pooled !== 0 ? within / pooled : 1;
    const t = within / seW;
    return {
      attribute: attribute.name,
      within: estimateOf(within, seW),
      between: estimateOf(between, seB),
      pooled: estimateOf(pooled, seP),
      contrast: estimateOf(between - within, seC),
      ratio,
      haloFactor: Math.min(HALO_RANGE[1], Math.max(HALO_RANGE[0], ratio)),
      t,
      robustness: robustnessValue(t, dof),
    };
  });
}

/** Wald χ² of the k contrasts β_B − β_W (scale-free, so on the standardised features). */
function contrastTest(k: number, L: LatentLayout, v: Float64Array, cov: Float64Array): { statistic: number; df: number; logP: number } | null {
  const P = L.P;
  const c = new Float64Array(k);
  const Vc = new Float64Array(k * k);
  for (let a = 0; a < k; a++) {
    c[a] = v[L.beta(k + a)]! - v[L.beta(a)]!;
    for (let b = 0; b < k; b++) {
      const wa = L.beta(a);
      const ba = L.beta(k + a);
      const wb = L.beta(b);
      const bb = L.beta(k + b);
      Vc[a * k + b] = cov[ba * P + bb]! - cov[ba * P + wb]! - cov[wa * P + bb]! + cov[wa * P + wb]!;
    }
  }
  const chol = cholesky(Vc, k);
  if (!chol) return null;
  const x = choleskySolve(chol, k, c);
  let statistic = 0;
  for (let a = 0; a < k; a++) statistic += c[a]! * x[a]!;
  return { statistic, df: k, logP: logChiSquareSurvival(statistic, k) };
}

/** ρ = Σ w β_P² (β_W/β_P) / Σ w β_P² with w = 1/Var(β_W): the information-weighted mean of within/pooled. */
function survivalShare(attributes: readonly AttributeConfounding[]): number {
  let num = 0;
  let den = 0;
  for (const a of attributes) {
    const w = 1 / (a.within.stdError * a.within.stdError);
    num += w * a.within.estimate * a.pooled.estimate;
    den += w * a.pooled.estimate * a.pooled.estimate;
  }
  return den > 0 ? num / den : 1;
}

/** The risk from the joint test's log p and the size |ρ − 1| (thresholds in the module's documentation). */
export function riskOf(logP: number, survival: number): ConfoundingRisk {
  const size = Math.abs(survival - 1);
  if (!(logP < LOG_ALPHA) || size < SOME_SIZE) return 'none';
  return size >= HIGH_SIZE ? 'high' : 'some';
}
