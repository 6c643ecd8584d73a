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
import { normalCdf } from '../../stats/normal.js';
import { foldOf } from '../moments.js';
import type { Population } from '../population.js';
import type { LatentData, RowFilter } from './evaluate.js';
import { comboOrder, featureColumns, featureCount, featureLabels, type CurveSpec, type FeatureSpec, type GroupColumn, type InteractionSpec, type LevelDef, type Standardisation } from './design.js';
import { evaluateLatent } from './evaluate.js';
import { cholesky, choleskySolve } from './linalg.js';
import { fitLatent, heldOutDeviance, type EvidenceBlock, type LatentFit } from './fit.js';
import { LatentLayout, penaltyVector, type LevelSpec, type Penalties } from './layout.js';
import { LINKS, type LinkName } from './link.js';
import { answerProbabilities, rowDerivatives, rowLatent } from './predict.js';
import { isDetractor, isPromoter, netOf } from '../../nps.js';

/** Respondents the search runs on: above this a hashed subsample of accounts (the final fit uses all). */
export const SEARCH_MAX_ROWS = 16_000;
/** Levels with more groups than this shift intercepts only (slope departures need k parameters a group). */
export const MAX_SLOPE_GROUPS = 30;
/** Most curved attributes and most interactions kept. */
const MAX_SHAPE_FEATURES = 6;
/** A curve or product is added while its score test has p < 0.001 (its log here). */
const LOG_SCREEN = Math.log(1e-3);
/** Newton steps of each fold's refit from the whole subsample's solution. */
const FOLD_STEPS = 1;
/** Newton steps of the refit between screening rounds. */
const SCREEN_STEPS = 3;
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
  stage: 'noise' | 'structure' | 'shape' | 'cut-specific';
  label: string;
  /** Held-out deviance per respondent (null where candidates are compared in-sample: the noise links, which have equal parameters). */
  cvDeviance: number | null;
  /** Held-out RMSE of the expected answer. */
  cvRmse: number | null;
  /** In-sample deviance per respondent (the noise stage's criterion). */
  deviance?: number;
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
  screened: { curves: { attribute: number; statistic: number }[]; interactions: { a: number; b: number; statistic: number }[]; cutSpecific?: { statistic: number; df: number } };
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

/** Knots a curve is screened with: the attribute's terciles, strictly inside its observed range (none when it has few values). */
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

/** The elementwise product of two feature columns (a loop: `Float64Array.from` with a mapper is ~10× slower, and the screen builds one per attribute pair per round). */
function product(a: Float64Array, b: Float64Array): Float64Array {
  const out = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]! * b[i]!;
  return out;
}

/** Most knots of a fitted curve. */
export const MAX_KNOTS = 6;

/**
 * Knots a curve is fitted with: every whole scale point between the attribute's 5th and 95th
 * percentiles (at most {@link MAX_KNOTS}, evenly spread), so a bend at any answer — diminishing
 * returns above 7, a floor below 4 — is representable; the curve's penalty on the slope changes
 * keeps it as straight as the evidence allows (a penalised piecewise-linear spline).
 */
export function curveKnots(column: Float64Array, n: number): number[] {
  const values = Float64Array.from(column.subarray(0, n)).sort();
  const lo = Math.max(values[Math.floor(0.05 * (n - 1))]!, values[0]!);
  const hi = values[Math.ceil(0.95 * (n - 1))]!;
  const points: number[] = [];
  for (let t = Math.ceil(lo); t <= Math.floor(hi); t++) if (t > values[0]! && t < values[n - 1]!) points.push(t);
  if (points.length <= MAX_KNOTS) return points.length > 0 ? points : knotsOf(column, n);
  return Array.from({ length: MAX_KNOTS }, (_, i) => points[Math.round((i * (points.length - 1)) / (MAX_KNOTS - 1))]!);
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
  /** Each subsample row's held-out deviance (rows in combo order, the same for every candidate of a search). */
  rowDeviance: Float64Array;
  outOfFold: SearchResult['outOfFold'];
}

interface Fitted {
  choice: ModelChoice;
  fit: LatentFit;
  data: LatentData;
  ids: Uint8Array;
  order: Uint32Array;
  layout: LatentLayout;
}

/** Fits a candidate on the subsample, its penalties by evidence, warm-started from a simpler model's fit when given. */
function fitCandidate(w: Work, choice: Omit<ModelChoice, 'penalties'> & { penalties?: Penalties }, slopePenalty: number, fixedSlopes: boolean, start?: { fit: LatentFit; layout: LatentLayout; features?: FeatureSpec }, steps?: number): Fitted | { failed: string } {
  const { data, ids, order } = searchData(w, choice.features);
  const L = layoutOf(w, choice);
  const initial = choice.penalties ?? startPenalties(L, choice, slopePenalty);
  // The subsample holds every category it is fitted on: its thresholds are free.
  const pen = penaltyVector(L, { ...initial, threshold: 0 });
  const startVector = start ? carry(start.layout, start.fit.v, L, start.features ? featureMap(start.features, choice.features) : undefined) : undefined;
  const fitted = fitLatent(data, L, pen, { tolerance: 1e-6, evidence: evidenceBlocks(L, choice, fixedSlopes), ...(startVector ? { start: startVector } : {}), ...(steps ? { maxIterations: steps, returnLast: true } : {}) });
  if (!fitted.ok) return { failed: fitted.detail };
  return { choice: { ...choice, penalties: penaltiesOf(L, choice, fitted.fit.penalties) }, fit: fitted.fit, data, ids, order, layout: L };
}

/**
 * Fits a candidate on the subsample (its penalties by evidence), then scores it by K-fold held-out
 * deviance, each fold fit warm-started from the subsample's solution with the penalties held.
 */
function score(w: Work, choice: Omit<ModelChoice, 'penalties'> & { penalties?: Penalties }, slopePenalty: number, fixedSlopes: boolean, start?: { fit: LatentFit; layout: LatentLayout; features?: FeatureSpec }): Scored | { failed: string } {
  const f = fitCandidate(w, choice, slopePenalty, fixedSlopes, start);
  return 'failed' in f ? f : crossValidate(w, f);
}

/** K-fold held-out deviance (and RMSE, and out-of-fold NPS shares) of a fitted candidate. */
function crossValidate(w: Work, { choice, fit, data, ids, order, layout: L }: Fitted): Scored | { failed: string } {
  const fitted = { fit };
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
  const rowDeviance = new Float64Array(data.n);
  for (let f = 0; f < w.K; f++) {
    const train: RowFilter = { ids, exclude: f };
    // Warm-started Newton steps from the subsample's solution (one is the classic one-step
    // approximation to refitting; the held-out deviance needs no more).
    const foldFit = fitLatent(data, L, foldPen, { filter: train, start: fitted.fit.v, tolerance: 1e-5, maxIterations: FOLD_STEPS, anchor, returnLast: true });
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
        if (isPromoter(categories[c]!)) prom += probs[c]!;
        if (isDetractor(categories[c]!)) det += probs[c]!;
      }
      const y = w.pop.ltr[order[i]!]!;
      rowDeviance[i] = -2 * Math.log(Math.max(probs[data.category[i]!]!, 1e-300));
      sse += (y - expected) ** 2;
      rows++;
      const s = w.pop.segment[order[i]!]!;
      outOfFold.respondents[s]!++;
      outOfFold.promoters[s]! += prom;
      outOfFold.detractors[s]! += det;
      outOfFold.observedNet[s]! += netOf(y);
    }
  }
  return {
    choice,
    fit: fitted.fit,
    data,
    ids,
    order,
    cvDeviance: deviance / Math.max(rows, 1),
    cvRmse: Math.sqrt(sse / Math.max(rows, 1)),
    rowDeviance,
    outOfFold,
  };
}

/**
 * For each feature of `to`, the index of the same feature in `from` (−1 when new): features are
 * matched by what they are, so inserting a curve before the products moves nothing.
 */
export function featureMap(from: FeatureSpec, to: FeatureSpec): Int32Array {
  const key = (l: ReturnType<typeof featureLabels>[number]): string => (l.kind === 'rating' ? `r${l.a}` : l.kind === 'hinge' ? `h${l.a}@${l.knot}` : `p${l.a},${l.b}`);
  const index = new Map(featureLabels(from).map((l, f) => [key(l), f] as const));
  return Int32Array.from(featureLabels(to), (l) => index.get(key(l)) ?? -1);
}

/** The parameters of one layout carried into another (same thresholds, β, levels and ω where both have them). */
export function carry(from: LatentLayout, v: Float64Array, to: LatentLayout, features?: Int32Array): Float64Array {
  const out = new Float64Array(to.P);
  out.set(v.subarray(0, Math.min(from.T, to.T)), 0);
  for (let f = 0; f < to.F; f++) {
    const g = features ? features[f]! : f < from.F ? f : -1;
    if (g >= 0) out[to.beta(f)] = v[from.beta(g)]!;
  }
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
 * features and intercept (the candidate is residualised on them, weighted by the information):
 * U²/I for one feature, UᵀI⁻¹U for a curve's two hinges.
 */
function scoreStatistics(data: LatentData, L: LatentLayout, v: Float64Array, candidates: readonly Float64Array[][]): number[] {
  const { etaL } = rowLatent(data, L, v);
  const { d, w } = rowDerivatives(data, L.link, v.subarray(0, L.T), etaL);
  // Weighted cross-products of the basis (1, z_1 … z_k), and its Cholesky factor.
  const k = L.k;
  const basis = [new Float64Array(data.n).fill(1), ...data.features];
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
  // Every link has the same parameters, so the likelihood compares them fairly without folds.
  let baseFit: Fitted | null = null;
  for (const link of links) {
    const f = fitCandidate(w, { link, structure: shiftsOnly, features: linear, ppo: false }, 0, false);
    if ('failed' in f) {
      if (links.length === 1) return { ok: false, detail: f.failed };
      candidates.push({ stage: 'noise', label: `${link} (did not fit)`, deviance: Number.NaN, cvDeviance: null, cvRmse: null, chosen: false });
      continue;
    }
    const deviance = (-2 * f.fit.logLik) / Math.max(f.fit.rows, 1);
    candidates.push({ stage: 'noise', label: link, deviance, cvDeviance: null, cvRmse: null, chosen: false });
    if (!baseFit || f.fit.logLik > baseFit.fit.logLik) baseFit = f;
  }
  if (!baseFit) return { ok: false, detail: 'The driver model could not be fitted with any noise distribution.' };
  const baseScored = crossValidate(w, baseFit);
  if ('failed' in baseScored) return { ok: false, detail: baseScored.failed };
  const base: Scored = baseScored;
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
  const scoredStructures: Scored[] = [];
  const first: Candidate[] = [];
  for (const structure of structures) {
    const s = structure.label === 'shifts' || structure.label === 'overall' ? { ...base, choice: { ...base.choice, structure } } : score(w, { link, structure, features: linear, ppo: false }, slopePenalty, fixedSlopes, { fit: base!.fit, layout: baseLayout });
    if ('failed' in s) return { ok: false, detail: s.failed };
    first.push({ stage: 'structure', label: structure.label, cvDeviance: s.cvDeviance, cvRmse: s.cvRmse, chosen: false });
    scoredStructures.push(s);
  }
  const best = simplestWithinOneSe(scoredStructures, structures);
  first.find((c) => c.label === best.choice.structure.label)!.chosen = true;
  candidates.push(...first);
  let current = best;

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

  // --- 2. Shape: curves and interactions, chosen together ---------------------------------------------
  // An interaction between correlated ratings also looks like curvature in every rating it correlates
  // with (and a curve like an interaction), so the two are screened side by side: each round adds the
  // single feature with the smallest score-test p-value (a curve's two hinges, or one product), refits
  // briefly, and screens again — forward selection, so a feature that only echoed one already taken
  // drops out. The set found is then kept only if it lowers the held-out deviance.
  const screened: SearchResult['screened'] = { curves: [], interactions: [] };
  const named = { curves: Array.isArray(options.curves) ? options.curves : [], pairs: Array.isArray(options.interactions) ? options.interactions : [] };
  const auto = { curves: options.curves === undefined || options.curves === 'auto', pairs: options.interactions === undefined || options.interactions === 'auto' };
  const extend = (from: ModelChoice, features: FeatureSpec): Omit<ModelChoice, 'penalties'> & { penalties: Penalties } => {
    const map = featureMap(from.features, features);
    return { ...from, features, penalties: { ...from.penalties, features: Array.from(map, (g) => (g >= 0 ? from.penalties.features[g]! : 1)) } };
  };
  if (named.curves.length > 0 || named.pairs.length > 0) {
    // Asked for by name: fitted whatever cross-validation says.
    const features: FeatureSpec = { k, curves: named.curves.map((a) => ({ attribute: a, knots: curveKnots(pop.columns[a]!, pop.n) })).filter((c) => c.knots.length > 0), interactions: [...named.pairs] };
    const s = score(w, extend(current.choice, features), slopePenalty, fixedSlopes, { fit: current.fit, layout: layoutOf(w, current.choice), features: current.choice.features });
    if ('failed' in s) return { ok: false, detail: s.failed };
    candidates.push({ stage: 'shape', label: shapeLabel(pop, features, 'as asked: '), cvDeviance: s.cvDeviance, cvRmse: s.cvRmse, chosen: true });
    current = s;
  }
  if (auto.curves || auto.pairs) {
    let work: Fitted = { choice: current.choice, fit: current.fit, data: current.data, ids: current.ids, order: current.order, layout: layoutOf(w, current.choice) };
    const tercileKnots = Array.from({ length: k }, (_, a) => knotsOf(pop.columns[a]!, pop.n));
    for (let round = 0; round < MAX_SHAPE_FEATURES; round++) {
      const f = work.choice.features;
      const curveProposals = auto.curves ? Array.from({ length: k }, (_, a) => a).filter((a) => tercileKnots[a]!.length > 0 && !f.curves.some((c) => c.attribute === a)) : [];
      const pairProposals: InteractionSpec[] = [];
      if (auto.pairs) for (let a = 0; a < k; a++) for (let b = a + 1; b < k; b++) if (!f.interactions.some((p) => p.a === a && p.b === b)) pairProposals.push({ a, b });
      const z = work.data.features;
      const cols = [
        ...curveProposals.map((a) => featureColumns({ k, curves: [{ attribute: a, knots: tercileKnots[a]! }], interactions: [] }, std, pop.columns, work.order).slice(k)),
        ...pairProposals.map((p) => [product(z[p.a]!, z[p.b]!)]),
      ];
      if (cols.length === 0) break;
      const stats = scoreStatistics(work.data, work.layout, work.fit.v, cols);
      const logP = stats.map((x, i) => logChiSquareSurvival(x, cols[i]!.length));
      if (round === 0) {
        screened.curves = curveProposals.map((a, i) => ({ attribute: a, statistic: stats[i]! }));
        screened.interactions = pairProposals
          .map((p, i) => ({ ...p, statistic: stats[curveProposals.length + i]! }))
          .sort((x, y) => y.statistic - x.statistic)
          .slice(0, 10);
      }
      let best = 0;
      for (let i = 1; i < logP.length; i++) if (logP[i]! < logP[best]!) best = i;
      if (!(logP[best]! < LOG_SCREEN)) break;
      const features: FeatureSpec =
        best < curveProposals.length
          ? { ...f, curves: [...f.curves, { attribute: curveProposals[best]!, knots: curveKnots(pop.columns[curveProposals[best]!]!, pop.n) }].sort((x, y) => x.attribute - y.attribute) }
          : { ...f, interactions: [...f.interactions, pairProposals[best - curveProposals.length]!] };
      // A brief refit: the next screen needs the new feature in, not its penalty settled.
      const next = fitCandidate(w, extend(work.choice, features), slopePenalty, fixedSlopes, { fit: work.fit, layout: work.layout, features: work.choice.features }, SCREEN_STEPS);
      if ('failed' in next) break;
      work = next;
    }
    if (featureCount(work.choice.features) > featureCount(current.choice.features)) {
      const settled = fitCandidate(w, work.choice, slopePenalty, fixedSlopes, { fit: work.fit, layout: work.layout });
      const s = 'failed' in settled ? settled : crossValidate(w, settled);
      const label = shapeLabel(pop, work.choice.features);
      if ('failed' in s) candidates.push({ stage: 'shape', label: `${label} (did not fit)`, cvDeviance: Number.NaN, cvRmse: Number.NaN, chosen: false });
      else {
        const better = s.cvDeviance < current.cvDeviance;
        candidates.push({ stage: 'shape', label, cvDeviance: s.cvDeviance, cvRmse: s.cvRmse, chosen: better });
        if (better) current = s;
      }
    }
  }

  // --- 4. Cut-specific slopes -------------------------------------------------------------------------
  if (options.cutSpecific !== false && options.cutSpecific !== true && upperFrom > 0 && upperFrom < C - 1) {
    const statistic = cutSpecificStatistic(w, current);
    screened.cutSpecific = { statistic, df: k };
    if (logChiSquareSurvival(statistic, k) < LOG_SCREEN) attempt('cut-specific', 'cut-specific slopes (detractor and promoter cuts)', { ...current.choice, ppo: true });
    else candidates.push({ stage: 'cut-specific', label: `cut-specific slopes: not tried (score test χ²(${k}) = ${statistic.toFixed(1)})`, cvDeviance: null, cvRmse: null, chosen: false });
  }
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

/** The label of a shape candidate: its curves and interactions by attribute name. */
function shapeLabel(pop: Population, f: FeatureSpec, prefix = ''): string {
  const name = (a: number): string => pop.attributes[a]!.name;
  const parts = [];
  if (f.curves.length > 0) parts.push(`curves on ${f.curves.map((c) => name(c.attribute)).join(', ')}`);
  if (f.interactions.length > 0) parts.push(`interactions ${f.interactions.map((p) => `${name(p.a)} × ${name(p.b)}`).join(', ')}`);
  return prefix + (parts.join('; ') || 'straight lines');
}

/**
 * log P(χ²_df > x) for the df a screened feature has (1 or 2), exact in the far tail too, so the
 * strongest candidates stay comparable when their p-values underflow.
 */
export function logChiSquareSurvival(x: number, df: number): number {
  if (!(x > 0)) return 0;
  if (df === 2) return -x / 2;
  if (df === 1) return Math.log(2) + logNormalUpper(Math.sqrt(x));
  // Wilson–Hilferty: (χ²/df)^⅓ is nearly normal (ample for a screening threshold).
  const h = 2 / (9 * df);
  return logNormalUpper((Math.cbrt(x / df) - (1 - h)) / Math.sqrt(h));
}

/** log P(Z > z) for a standard normal Z, without underflow in the far tail. */
function logNormalUpper(z: number): number {
  if (z < 30) return Math.log(normalCdf(-z));
  // Mills ratio: P(Z > z) ≈ φ(z)/z · (1 − 1/z² + 3/z⁴).
  const z2 = z * z;
  return -z2 / 2 - Math.log(z * Math.sqrt(2 * Math.PI)) + Math.log(1 - 1 / z2 + 3 / (z2 * z2));
}

/**
 * The score statistic for cut-specific slopes at a fitted proportional-odds model: gᵀ I⁻¹ g at
 * ω = 0, with I the full information, so it is efficient against every other parameter (one pass
 * over the rows instead of a fit; the fit is tried only when this says the cuts differ).
 */
function cutSpecificStatistic(w: Work, at: Scored): number {
  const L0 = layoutOf(w, at.choice);
  const L = layoutOf(w, { ...at.choice, ppo: true });
  const v = carry(L0, at.fit.v, L);
  const pen = penaltyVector(L, { ...at.choice.penalties, omega: 0, threshold: 0 });
  const ev = evaluateLatent(at.data, L, v, pen, undefined, true);
  const factor = cholesky(ev.info, L.P);
  if (!factor) return Number.POSITIVE_INFINITY;
  const x = choleskySolve(factor, L.P, ev.grad);
  let stat = 0;
  for (let q = 0; q < L.P; q++) stat += ev.grad[q]! * x[q]!;
  return stat;
}

/**
 * The one-standard-error rule: the structure with the fewest slope departures whose held-out
 * deviance is within one standard error of the best one's (the error of the paired per-respondent
 * difference). Cross-validation scores differ by noise too; a richer structure must earn its place,
 * so a wave without role differences keeps the simple one.
 */
function simplestWithinOneSe(scored: readonly Scored[], structures: readonly Structure[]): Scored {
  let best = 0;
  for (let i = 1; i < scored.length; i++) if (scored[i]!.cvDeviance < scored[best]!.cvDeviance) best = i;
  const complexity = (s: Structure): number => s.levels.reduce((n, l) => n + (l.slopes ? l.size : 0), 0);
  const byComplexity = scored.map((_, i) => i).sort((a, b) => complexity(structures[a]!) - complexity(structures[b]!) || a - b);
  const b = scored[best]!.rowDeviance;
  for (const i of byComplexity) {
    if (i === best) return scored[i]!;
    const d = scored[i]!.rowDeviance;
    const n = d.length;
    let mean = 0;
    for (let r = 0; r < n; r++) mean += d[r]! - b[r]!;
    mean /= n;
    let ss = 0;
    for (let r = 0; r < n; r++) ss += (d[r]! - b[r]! - mean) ** 2;
    const se = Math.sqrt(ss / Math.max(n - 1, 1) / n);
    if (mean <= se) return scored[i]!;
  }
  return scored[best]!;
}
