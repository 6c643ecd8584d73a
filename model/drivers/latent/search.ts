/**
 * How the driver model finds the structure a wave has, without being told — a pipeline of named
 * stages on a cross-validation subsample (folds by account, so an account's respondents are held out
 * together):
 *
 * 1. **structure**: the grouping candidates — shifts only; each column's slopes; both added; both
 *    crossed (cells pooled toward their segment and role) — each with its levels' pooling strengths
 *    set by empirical Bayes, compared by K-fold held-out deviance;
 * 2. **curves**: attributes whose effect bends (diminishing returns, a floor) are screened by a score
 *    test of hinge features at two knots, the strongest few added with a smoothness penalty each
 *    (empirical Bayes, so a straight line stays straight), kept if they lower the held-out deviance;
 * 3. **interactions**: pairs of ratings screened by a score test of their product, the strongest few
 *    added with one shared penalty, kept if they lower the held-out deviance;
 * 4. **cut-specific slopes**: every rating's effect may differ at the promoter-side cuts (partial
 *    proportional odds), with one shared penalty, kept if it lowers the held-out deviance.
 *
 * Every candidate's score is reported. The penalties found here are prior precisions, so they carry
 * over to the final fit on every respondent (./../ordinalModel.ts).
 */
import { foldOf } from '../moments.js';
import type { Population } from '../population.js';
import type { LatentData, RowFilter } from './evaluate.js';
import { comboOrder, featureColumns, featureCount, type CurveSpec, type FeatureSpec, type GroupColumn, type InteractionSpec, type LevelDef, type Standardisation } from './design.js';
import { fitLatent, heldOutDeviance, type EvidenceBlock, type LatentFit } from './fit.js';
import { LatentLayout, penaltyVector, type LevelSpec, type Penalties } from './layout.js';
import { LINKS, type LinkName } from './link.js';
import { answerProbabilities, rowDerivatives, rowLatent } from './predict.js';

/** Respondents the search runs on: above this a hashed subsample of accounts (the final fit uses all). */
export const SEARCH_MAX_ROWS = 24_000;
/** Levels with more groups than this shift intercepts only (slope departures need k parameters a group). */
export const MAX_SLOPE_GROUPS = 30;
/** Most curved attributes and most interactions kept. */
const MAX_CURVES = 6;
const MAX_INTERACTIONS = 4;
/** Score statistics a candidate must pass to be tried: χ² at p = 0.001 (2 df for a curve, 1 for a product). */
const CURVE_SCREEN = 13.82;
const INTERACTION_SCREEN = 10.83;
/** Bounds of the prior precision α = 2λ of a penalised block: departures of sd 0.01 (off) to 3 (free). */
const MAX_ALPHA = 1e4;
const MIN_ALPHA = 0.1;
/** Weak pull of every level's intercept shifts before the evidence sets it (a prior sd of 1 logit). */
const START_INTERCEPT = 0.5;

/** Which departures a structure has, per level of the grouping. */
export interface Structure {
  label: string;
  levels: LevelSpec[];
}

export interface SearchOptions {
  folds: number;
  seed: number;
  /** Force a structure by label ('shifts', 'segment', 'role', 'segment + role', 'segment × role', …). */
  structure?: string;
  /** The noise distribution: 'auto' (by cross-validation) or one link. */
  link?: 'auto' | LinkName;
  /** 'auto' (screened and cross-validated), 'none', or the attributes to curve. */
  curves?: 'auto' | 'none' | readonly number[];
  interactions?: 'auto' | 'none' | readonly InteractionSpec[];
  cutSpecific?: 'auto' | boolean;
  /** A fixed pooling strength for every level's slopes, in respondents' worth (no evidence for them). */
  pooling?: number;
}

export interface Candidate {
  stage: 'noise' | 'structure' | 'curves' | 'interactions' | 'cut-specific';
  label: string;
  /** Held-out deviance per respondent. */
  cvDeviance: number;
  /** Held-out RMSE of the expected answer. */
  cvRmse: number;
  chosen: boolean;
}

/** A model to fit: its layout's ingredients and its penalties. */
export interface ModelChoice {
  link: LinkName;
  structure: Structure;
  features: FeatureSpec;
  ppo: boolean;
  penalties: Penalties;
}

export interface SearchResult extends ModelChoice {
  candidates: Candidate[];
  /** Rows the search ran on, and the folds. */
  rows: number;
  folds: number;
  /** Out-of-fold predicted promoter and detractor shares per segment (calibration), of the chosen model. */
  outOfFold: { respondents: Float64Array; promoters: Float64Array; detractors: Float64Array; observedNet: Float64Array };
  /** Information per respondent of one standardised slope (converts penalties to respondents' worth). */
  slopeInformation: number;
  /** Score statistics of the screened curves and interactions. */
  screened: { curves: { attribute: number; statistic: number }[]; interactions: { a: number; b: number; statistic: number }[] };
}

/** The grouping candidates for the given levels (one or two columns, and their crossing). */
export function structureCandidates(levels: readonly LevelDef[]): Structure[] {
  const spec = (slopes: readonly boolean[]): LevelSpec[] =>
    levels.map((l, i) => ({ name: l.name, size: l.labels.length, intercepts: true, slopes: slopes[i]! && l.labels.length > 1 && l.labels.length <= MAX_SLOPE_GROUPS }));
  if (levels.length === 0) return [{ label: 'overall', levels: [] }];
  if (levels.length === 1) {
    const out = [{ label: 'shifts', levels: spec([false]) }];
    if (levels[0]!.labels.length > 1 && levels[0]!.labels.length <= MAX_SLOPE_GROUPS) out.push({ label: levels[0]!.name, levels: spec([true]) });
    return out;
  }
  const [a, b] = [levels[0]!.name, levels[1]!.name];
  const out: Structure[] = [
    { label: 'shifts', levels: spec([false, false, false]) },
    { label: a, levels: spec([true, false, false]) },
    { label: b, levels: spec([false, true, false]) },
    { label: `${a} + ${b}`, levels: spec([true, true, false]) },
    { label: `${a} × ${b}`, levels: spec([true, true, true]) },
  ];
  // A candidate whose slopes collapsed (a level of one group) is the same as a simpler one.
  const seen = new Set<string>();
  return out.filter((s) => {
    const key = s.levels.map((l) => (l.slopes ? 1 : 0)).join('');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** Knots of a curve on an attribute: its terciles, strictly inside its observed range (none when it has few values). */
export function knotsOf(column: Float64Array, n: number): number[] {
  const values = Float64Array.from(column.subarray(0, n)).sort();
  const lo = values[0]!;
  const hi = values[n - 1]!;
  const knots: number[] = [];
  for (const q of [1 / 3, 2 / 3]) {
    const t = Math.round(values[Math.min(n - 1, Math.floor(q * n))]! * 2) / 2;
    if (t > lo && t < hi && !knots.includes(t)) knots.push(t);
  }
  return knots;
}

interface Work {
  pop: Population;
  levels: readonly LevelDef[];
  std: Standardisation;
  toCategory: Uint8Array;
  C: number;
  /** Population rows of the search subsample. */
  rows: Uint32Array;
  /** Fold of each population row (by account). */
  foldOfRow: Uint8Array;
  K: number;
  upperFrom: number;
}

/** The subsample's fitting data for a feature set (rows sorted by combo), with each row's fold. */
function searchData(w: Work, features: FeatureSpec): { data: LatentData; ids: Uint8Array; order: Uint32Array } {
  const { order, combo, comboCodes } = comboOrder(w.pop.n, w.levels, w.rows);
  const cols = featureColumns(features, w.std, w.pop.columns, order);
  const category = Uint8Array.from(order, (i) => w.toCategory[w.pop.ltr[i]!]!);
  const ids = Uint8Array.from(order, (i) => w.foldOfRow[i]!);
  return { data: { n: order.length, k: features.k, features: cols, category, C: w.C, combo, comboCodes }, ids, order };
}

function layoutOf(w: Work, choice: Pick<ModelChoice, 'link' | 'structure' | 'features' | 'ppo'>): LatentLayout {
  return new LatentLayout({ link: choice.link, T: w.C - 1, F: featureCount(choice.features), k: choice.features.k, levels: choice.structure.levels, ppo: choice.ppo, upperFrom: w.upperFrom });
}

/** The evidence blocks of a model: each level's intercepts and slopes, each curve, the interactions, ω. */
function evidenceBlocks(L: LatentLayout, choice: Pick<ModelChoice, 'features'>, fixedSlopes: boolean): EvidenceBlock[] {
  const blocks: EvidenceBlock[] = [];
  const block = (name: string, indices: number[]): void => {
    if (indices.length > 0) blocks.push({ name, indices, minAlpha: MIN_ALPHA, maxAlpha: MAX_ALPHA });
  };
  L.levels.forEach((level, l) => {
    if (level.intercepts) block(`${level.name} intercepts`, Array.from({ length: level.size }, (_, g) => L.intercept(l, g)));
    if (level.slopes && !fixedSlopes) block(`${level.name} slopes`, Array.from({ length: level.size * L.k }, (_, q) => L.slopeAt[l]! + q));
  });
  let f = choice.features.k;
  for (const c of choice.features.curves) {
    block(`curve ${c.attribute}`, c.knots.map((_, t) => L.beta(f + t)));
    f += c.knots.length;
  }
  block('interactions', choice.features.interactions.map((_, i) => L.beta(f + i)));
  if (L.ppo) block('cut-specific', Array.from({ length: L.k }, (_, a) => L.omega(a)));
  return blocks;
}

/** Starting penalties of a model (the evidence moves the blocks it owns). */
function startPenalties(L: LatentLayout, choice: Pick<ModelChoice, 'features'>, slopePenalty: number): Penalties {
  const features = new Array<number>(featureCount(choice.features)).fill(0);
  for (let f = choice.features.k; f < features.length; f++) features[f] = 1;
  return { levels: L.levels.map(() => ({ intercept: START_INTERCEPT, slope: slopePenalty })), features, omega: 1, threshold: 1e-3 };
}

/** The penalties a fit ended with, read back into named strengths. */
function penaltiesOf(L: LatentLayout, choice: Pick<ModelChoice, 'features'>, pen: Float64Array): Penalties {
  const features = Array.from({ length: L.F }, (_, f) => pen[L.beta(f)]!);
  return {
    levels: L.levels.map((level, l) => ({ intercept: level.intercepts ? pen[L.intercept(l, 0)]! : START_INTERCEPT, slope: level.slopes ? pen[L.slope(l, 0, 0)]! : 0 })),
    features,
    omega: L.ppo ? pen[L.omega(0)]! : 1,
    threshold: 1e-3,
  };
}

interface Scored {
  choice: ModelChoice;
  fit: LatentFit;
  data: LatentData;
  ids: Uint8Array;
  order: Uint32Array;
  cvDeviance: number;
  cvRmse: number;
  outOfFold: SearchResult['outOfFold'];
}

/**
 * Fits a candidate on the subsample (its penalties by evidence), then scores it by K-fold held-out
 * deviance, each fold fit warm-started from the subsample's solution with the penalties held.
 */
function score(w: Work, choice: Omit<ModelChoice, 'penalties'> & { penalties?: Penalties }, slopePenalty: number, fixedSlopes: boolean, start?: { fit: LatentFit; layout: LatentLayout }): Scored | { failed: string } {
  const { data, ids, order } = searchData(w, choice.features);
  const L = layoutOf(w, choice);
  const initial = choice.penalties ?? startPenalties(L, choice, slopePenalty);
  // The subsample holds every category it is fitted on: its thresholds are free.
  const pen = penaltyVector(L, { ...initial, threshold: 0 });
  const startVector = start ? carry(start.layout, start.fit.v, L) : undefined;
  const fitted = fitLatent(data, L, pen, { tolerance: 1e-6, evidence: evidenceBlocks(L, choice, fixedSlopes), ...(startVector ? { start: startVector } : {}) });
  if (!fitted.ok) return { failed: fitted.detail };
  // A fold may miss a category: its thresholds are pulled, weakly, toward the subsample's.
  const anchor = fitted.fit.v.slice(0, L.T);
  const foldPen = fitted.fit.penalties.slice();
  for (let t = 0; t < L.T; t++) foldPen[t] = 1e-3;
  const S = w.pop.levels.segment.length;
  const outOfFold = { respondents: new Float64Array(S), promoters: new Float64Array(S), detractors: new Float64Array(S), observedNet: new Float64Array(S) };
  const categories = categoriesOf(w.toCategory, w.C);
  const probs = new Float64Array(w.C);
  let deviance = 0;
  let sse = 0;
  let rows = 0;
  for (let f = 0; f < w.K; f++) {
    const train: RowFilter = { ids, exclude: f };
    // Two warm-started Newton steps from the subsample's solution: the held-out deviance needs no more.
    const foldFit = fitLatent(data, L, foldPen, { filter: train, start: fitted.fit.v, tolerance: 1e-5, maxIterations: 2, anchor, returnLast: true });
    if (!foldFit.ok) return { failed: `${foldFit.detail} (cross-validation fold ${f + 1})` };
    const v = foldFit.fit.v;
    const heldOut: RowFilter = { ids, only: f };
    deviance += heldOutDeviance(data, L, v, heldOut);
    const { etaL, etaU } = rowLatent(data, L, v);
    for (let i = 0; i < data.n; i++) {
      if (ids[i] !== f) continue;
      answerProbabilities(L.link, v.subarray(0, L.T), L.upperFrom, etaL[i]!, etaU[i]!, probs);
      let expected = 0;
      let prom = 0;
      let det = 0;
      for (let c = 0; c < w.C; c++) {
        expected += probs[c]! * categories[c]!;
        if (categories[c]! >= 9) prom += probs[c]!;
        if (categories[c]! <= 6) det += probs[c]!;
      }
      const y = w.pop.ltr[order[i]!]!;
      sse += (y - expected) ** 2;
      rows++;
      const s = w.pop.segment[order[i]!]!;
      outOfFold.respondents[s]!++;
      outOfFold.promoters[s]! += prom;
      outOfFold.detractors[s]! += det;
      outOfFold.observedNet[s]! += (y >= 9 ? 1 : 0) - (y <= 6 ? 1 : 0);
    }
  }
  return {
    choice: { ...choice, penalties: penaltiesOf(L, choice, fitted.fit.penalties) },
    fit: fitted.fit,
    data,
    ids,
    order,
    cvDeviance: deviance / Math.max(rows, 1),
    cvRmse: Math.sqrt(sse / Math.max(rows, 1)),
    outOfFold,
  };
}

/** The parameters of one layout carried into another (same thresholds, β, levels and ω where both have them). */
export function carry(from: LatentLayout, v: Float64Array, to: LatentLayout): Float64Array {
  const out = new Float64Array(to.P);
  out.set(v.subarray(0, Math.min(from.T, to.T)), 0);
  for (let f = 0; f < Math.min(from.F, to.F); f++) out[to.beta(f)] = v[from.beta(f)]!;
  if (from.ppo && to.ppo) for (let a = 0; a < to.k; a++) out[to.omega(a)] = v[from.omega(a)]!;
  to.levels.forEach((level, l) => {
    const old = from.levels[l];
    if (!old || old.size !== level.size) return;
    if (level.intercepts && old.intercepts) for (let g = 0; g < level.size; g++) out[to.intercept(l, g)] = v[from.intercept(l, g)]!;
    if (level.slopes && old.slopes) for (let g = 0; g < level.size; g++) for (let a = 0; a < to.k; a++) out[to.slope(l, g, a)] = v[from.slope(l, g, a)]!;
  });
  return out;
}

function categoriesOf(toCategory: Uint8Array, C: number): number[] {
  const out = new Array<number>(C).fill(0);
  for (let v = 0; v <= 10; v++) if (toCategory[v]! < C) out[toCategory[v]!] = v;
  return out;
}

/**
 * Score statistics of candidate features at a fitted model, each made efficient against the model's
 * overall rating slopes and intercept (the candidate is residualised on them, weighted by the
 * information): U²/I for one feature, UᵀI⁻¹U for a curve's two hinges.
 */
function scoreStatistics(data: LatentData, L: LatentLayout, v: Float64Array, candidates: readonly Float64Array[][]): number[] {
  const { etaL } = rowLatent(data, L, v);
  const { d, w } = rowDerivatives(data, L.link, v.subarray(0, L.T), etaL);
  // Weighted cross-products of the basis (1, z_1 … z_k), and its Cholesky factor.
  const k = L.k;
  const basis = [new Float64Array(data.n).fill(1), ...data.features.slice(0, k)];
  const B = basis.length;
  const G = new Float64Array(B * B);
  for (let p = 0; p < B; p++)
    for (let q = p; q < B; q++) {
      let acc = 0;
      const bp = basis[p]!;
      const bq = basis[q]!;
      for (let i = 0; i < data.n; i++) acc += w[i]! * bp[i]! * bq[i]!;
      G[p * B + q] = acc;
      G[q * B + p] = acc;
    }
  for (let p = 0; p < B; p++) G[p * B + p]! += 1e-9;
  const solveG = (rhs: Float64Array): Float64Array => gaussSolve(G, B, rhs);
  return candidates.map((cols) => {
    const m = cols.length;
    // Residualise each column on the basis (weighted), then U and I.
    const resid = cols.map((col) => {
      const xb = new Float64Array(B);
      for (let p = 0; p < B; p++) {
        let acc = 0;
        const bp = basis[p]!;
        for (let i = 0; i < data.n; i++) acc += w[i]! * bp[i]! * col[i]!;
        xb[p] = acc;
      }
      const coef = solveG(xb);
      const r = col.slice();
      for (let p = 0; p < B; p++) {
        const c = coef[p]!;
        if (c === 0) continue;
        const bp = basis[p]!;
        for (let i = 0; i < data.n; i++) r[i]! -= c * bp[i]!;
      }
      return r;
    });
    const U = new Float64Array(m);
    const I = new Float64Array(m * m);
    for (let a = 0; a < m; a++) {
      let u = 0;
      for (let i = 0; i < data.n; i++) u += d[i]! * resid[a]![i]!;
      U[a] = u;
      for (let b = a; b < m; b++) {
        let acc = 0;
        for (let i = 0; i < data.n; i++) acc += w[i]! * resid[a]![i]! * resid[b]![i]!;
        I[a * m + b] = acc;
        I[b * m + a] = acc;
      }
    }
    for (let a = 0; a < m; a++) I[a * m + a]! += 1e-9;
    const x = gaussSolve(I, m, U);
    let stat = 0;
    for (let a = 0; a < m; a++) stat += U[a]! * x[a]!;
    return stat;
  });
}

/** Solves a small dense system by Gaussian elimination with partial pivoting. */
function gaussSolve(A: Float64Array, n: number, b: Float64Array): Float64Array {
  const M = A.slice();
  const x = b.slice();
  for (let c = 0; c < n; c++) {
    let p = c;
    for (let r = c + 1; r < n; r++) if (Math.abs(M[r * n + c]!) > Math.abs(M[p * n + c]!)) p = r;
    if (p !== c) {
      for (let q = 0; q < n; q++) [M[c * n + q], M[p * n + q]] = [M[p * n + q]!, M[c * n + q]!];
      [x[c], x[p]] = [x[p]!, x[c]!];
    }
    const piv = M[c * n + c]!;
    if (Math.abs(piv) < 1e-300) continue;
    for (let r = c + 1; r < n; r++) {
      const f = M[r * n + c]! / piv;
      if (f === 0) continue;
      for (let q = c; q < n; q++) M[r * n + q]! -= f * M[c * n + q]!;
      x[r]! -= f * x[c]!;
    }
  }
  for (let c = n - 1; c >= 0; c--) {
    let s = x[c]!;
    for (let q = c + 1; q < n; q++) s -= M[c * n + q]! * x[q]!;
    const piv = M[c * n + c]!;
    x[c] = Math.abs(piv) < 1e-300 ? 0 : s / piv;
  }
  return x;
}

/**
 * Finds the structure, curves, interactions and cut-specific slopes of a wave. `levels` are the
 * grouping levels of the request's columns; `upperFrom` the first promoter-side threshold.
 */
export function searchStructure(
  pop: Population,
  levels: readonly LevelDef[],
  std: Standardisation,
  toCategory: Uint8Array,
  C: number,
  upperFrom: number,
  options: SearchOptions,
): { ok: true; result: SearchResult } | { ok: false; detail: string } {
  const k = pop.attributes.length;
  const K = options.folds;
  // Folds and the subsample are by account: an account's respondents are held out (and kept) together.
  const foldOfRow = Uint8Array.from(pop.account, (a) => foldOf(a, options.seed, K));
  const every = Math.ceil(pop.n / SEARCH_MAX_ROWS);
  const kept: number[] = [];
  for (let i = 0; i < pop.n; i++) if (every === 1 || foldOf(pop.account[i]!, options.seed ^ 0x5bd1e995, every) === 0) kept.push(i);
  const w: Work = { pop, levels, std, toCategory, C, rows: Uint32Array.from(kept), foldOfRow, K, upperFrom };
  const candidates: Candidate[] = [];
  const linear: FeatureSpec = { k, curves: [], interactions: [] };

  // --- 0. Noise -------------------------------------------------------------------------------------
  // The common-slopes model with each noise distribution; the lowest held-out deviance sets the link
  // every later stage uses. Its information per respondent of one standardised slope expresses
  // pooling in respondents' worth.
  const shiftsOnly = { label: 'base', levels: levels.map((l) => ({ name: l.name, size: l.labels.length, intercepts: true, slopes: false })) };
  const links = options.link && options.link !== 'auto' ? [options.link] : LINKS;
  let base: Scored | null = null;
  for (const link of links) {
    const s = score(w, { link, structure: shiftsOnly, features: linear, ppo: false }, 0, false);
    if ('failed' in s) {
      if (links.length === 1) return { ok: false, detail: s.failed };
      candidates.push({ stage: 'noise', label: `${link} (did not fit)`, cvDeviance: Number.NaN, cvRmse: Number.NaN, chosen: false });
      continue;
    }
    candidates.push({ stage: 'noise', label: link, cvDeviance: s.cvDeviance, cvRmse: s.cvRmse, chosen: false });
    if (!base || s.cvDeviance < base.cvDeviance) base = s;
  }
  if (!base) return { ok: false, detail: 'The driver model could not be fitted with any noise distribution.' };
  const link = base.choice.link;
  candidates.find((c) => c.stage === 'noise' && c.label === link)!.chosen = true;
  const baseChoice = { link, structure: shiftsOnly, features: linear, ppo: false };
  const baseLayout = layoutOf(w, baseChoice);
  let trace = 0;
  for (let a = 0; a < k; a++) trace += base.fit.info[baseLayout.beta(a) * baseLayout.P + baseLayout.beta(a)]!;
  const slopeInformation = trace / (k * Math.max(base.fit.rows, 1));
  const candidatesBefore = candidates.length;
  const fixedSlopes = options.pooling !== undefined;
  const slopePenalty = fixedSlopes ? (options.pooling! * slopeInformation) / 2 : 1;

  // --- 1. Structure -----------------------------------------------------------------------------------
  const structures = structureCandidates(levels).filter((s) => !options.structure || s.label === options.structure);
  if (structures.length === 0) return { ok: false, detail: `No structure '${options.structure}' for these grouping columns; candidates are ${structureCandidates(levels).map((s) => `'${s.label}'`).join(', ')}.` };
  let best: Scored | null = null;
  const first: Candidate[] = [];
  for (const structure of structures) {
    const s = structure.label === 'shifts' || structure.label === 'overall' ? { ...base, choice: { ...base.choice, structure } } : score(w, { link, structure, features: linear, ppo: false }, slopePenalty, fixedSlopes, { fit: base!.fit, layout: baseLayout });
    if ('failed' in s) return { ok: false, detail: s.failed };
    first.push({ stage: 'structure', label: structure.label, cvDeviance: s.cvDeviance, cvRmse: s.cvRmse, chosen: false });
    if (!best || s.cvDeviance < best.cvDeviance) best = s;
  }
  first.find((c) => c.label === best!.choice.structure.label)!.chosen = true;
  candidates.push(...first);
  let current = best!;

  // Tries a richer model; keeps it when it lowers the held-out deviance.
  const attempt = (stage: Candidate['stage'], label: string, choice: Omit<ModelChoice, 'penalties'>): void => {
    const L0 = layoutOf(w, current.choice);
    const s = score(w, { ...choice, penalties: { ...current.choice.penalties, features: [...Array.from(current.choice.penalties.features), ...new Array<number>(featureCount(choice.features) - featureCount(current.choice.features)).fill(1)] } }, slopePenalty, fixedSlopes, { fit: current.fit, layout: L0 });
    if ('failed' in s) {
      candidates.push({ stage, label: `${label} (did not fit)`, cvDeviance: Number.NaN, cvRmse: Number.NaN, chosen: false });
      return;
    }
    const better = s.cvDeviance < current.cvDeviance;
    candidates.push({ stage, label, cvDeviance: s.cvDeviance, cvRmse: s.cvRmse, chosen: better });
    if (better) current = s;
  };

  // --- 2. Curves ---------------------------------------------------------------------------------------
  const screened: SearchResult['screened'] = { curves: [], interactions: [] };
  if (options.curves !== 'none') {
    let curves: CurveSpec[] = [];
    if (Array.isArray(options.curves)) curves = options.curves.map((a) => ({ attribute: a, knots: knotsOf(pop.columns[a]!, pop.n) })).filter((c) => c.knots.length > 0);
    else {
      const L = layoutOf(w, current.choice);
      const proposals = Array.from({ length: k }, (_, a) => ({ attribute: a, knots: knotsOf(pop.columns[a]!, pop.n) })).filter((c) => c.knots.length > 0);
      const cols = proposals.map((c) => featureColumns({ k, curves: [c], interactions: [] }, std, pop.columns, current.order).slice(k));
      const stats = scoreStatistics(current.data, L, current.fit.v, cols);
      screened.curves = proposals.map((c, i) => ({ attribute: c.attribute, statistic: stats[i]! }));
      curves = proposals.filter((_, i) => stats[i]! > CURVE_SCREEN).sort((a, b) => stats[proposals.indexOf(b)]! - stats[proposals.indexOf(a)]!).slice(0, MAX_CURVES);
      curves.sort((a, b) => a.attribute - b.attribute);
    }
    if (curves.length > 0) attempt('curves', `curves on ${curves.map((c) => pop.attributes[c.attribute]!.name).join(', ')}`, { ...current.choice, features: { k, curves, interactions: [] } });
  }

  // --- 3. Interactions ---------------------------------------------------------------------------------
  if (options.interactions !== 'none') {
    let pairs: InteractionSpec[] = [];
    if (Array.isArray(options.interactions)) pairs = [...options.interactions];
    else {
      const L = layoutOf(w, current.choice);
      const proposals: InteractionSpec[] = [];
      for (let a = 0; a < k; a++) for (let b = a + 1; b < k; b++) proposals.push({ a, b });
      const z = current.data.features;
      const cols = proposals.map((p) => [Float64Array.from(z[p.a]!, (v, i) => v * z[p.b]![i]!)]);
      const stats = scoreStatistics(current.data, L, current.fit.v, cols);
      screened.interactions = proposals.map((p, i) => ({ ...p, statistic: stats[i]! })).sort((x, y) => y.statistic - x.statistic).slice(0, 10);
      pairs = proposals.filter((_, i) => stats[i]! > INTERACTION_SCREEN).sort((x, y) => stats[proposals.indexOf(y)]! - stats[proposals.indexOf(x)]!).slice(0, MAX_INTERACTIONS);
    }
    if (pairs.length > 0)
      attempt('interactions', `interactions ${pairs.map((p) => `${pop.attributes[p.a]!.name} × ${pop.attributes[p.b]!.name}`).join(', ')}`, {
        ...current.choice,
        features: { ...current.choice.features, interactions: pairs },
      });
  }

  // --- 4. Cut-specific slopes -------------------------------------------------------------------------
  if (options.cutSpecific !== false && upperFrom > 0 && upperFrom < C - 1) attempt('cut-specific', 'cut-specific slopes (detractor and promoter cuts)', { ...current.choice, ppo: true });
  if (options.cutSpecific === true && !current.choice.ppo) {
    // Asked for: fitted even when cross-validation would not have kept it.
    const forced = score(w, { ...current.choice, ppo: true }, slopePenalty, fixedSlopes, { fit: current.fit, layout: layoutOf(w, current.choice) });
    if (!('failed' in forced)) current = forced;
  }

  return {
    ok: true,
    result: {
      ...current.choice,
      candidates,
      rows: w.rows.length,
      folds: K,
      outOfFold: current.outOfFold,
      slopeInformation,
      screened,
    },
  };
}
