/**
 * The NPS-aware driver model as fitted for a request — a pipeline of named stages:
 *
 *   answer categories → standardised ratings → grouping levels → structure search (./latent/search.ts:
 *   structure, curves, interactions, cut-specific slopes, by cross-validation with penalties by
 *   empirical Bayes) → final fit on every respondent → the document (cells for what-ifs, every
 *   level's coefficients, each attribute's curve, the interactions, detractor and promoter drivers,
 *   calibration, and every candidate's score).
 */
import { cutsOf, isDetractor, isPromoter } from '../nps.js';
import { keyed } from '../text.js';
import { groupColumns, type CurveSchema, type DriverSchema, type FitSummary, type LevelSummarySchema, type ModelFailure, type ModelRequest, type OrdinalParameters, type SegmentBy } from './contract.js';
import { latentShifts, resolveEffects } from './effects.js';
import { crossingProbabilities } from './whatIf.js';
import { featureCount, latentData, levelsOf, standardisation, type LevelDef, type Standardisation } from './latent/design.js';
import { comboCoefficients } from './latent/evaluate.js';
import { fitLatent, type LatentFit } from './latent/fit.js';
import { LatentLayout, penaltyVector } from './latent/layout.js';
import { rowLatent } from './latent/predict.js';
import { accountReplicates } from './latent/replicates.js';
import { searchStructure, type SearchResult } from './latent/search.js';
import type { Population } from './population.js';
import type { z } from 'zod';

const Z95 = 1.959963984540054;

type Summary = FitSummary & { scale: 'logit' };

export interface OrdinalModelResult {
  ok: true;
  fit: Summary;
  segments: Record<string, Summary>;
  parameters: OrdinalParameters;
  structure: Record<string, unknown>;
  /** Out-of-fold predicted vs observed NPS by the `segment` column. */
  calibration: { segment: string; respondents: number; observed: number; predicted: number }[];
  levels: z.infer<typeof LevelSummarySchema>[];
  curves: z.infer<typeof CurveSchema>[];
  interactions: { attributes: [string, string]; estimate: number; stdError: number }[];
  drivers: z.infer<typeof DriverSchema>[];
}

/** The answer categories that occur, and each 0–10 answer's category. */
function answerCategories(pop: Population): { categories: number[]; toCategory: Uint8Array } {
  const present = new Array<boolean>(11).fill(false);
  for (let i = 0; i < pop.n; i++) present[pop.ltr[i]!] = true;
  const categories = present.flatMap((p, v) => (p ? [v] : []));
  const toCategory = new Uint8Array(11).fill(255);
  categories.forEach((v, c) => (toCategory[v] = c));
  return { categories, toCategory };
}

/** The levels a structure can use: each grouping column with more than one group, and their crossing when it adds groups. */
function groupingLevels(pop: Population, segmentBy: SegmentBy): LevelDef[] {
  const columns = groupColumns(segmentBy).filter((c) => pop.levels[c].length > 1);
  const levels = levelsOf(pop, columns);
  if (levels.length === 3 && levels[2]!.labels.length <= Math.max(levels[0]!.labels.length, levels[1]!.labels.length)) levels.pop();
  return levels;
}

export function fitOrdinalModel(pop: Population, request: ModelRequest, segmentBy: SegmentBy): OrdinalModelResult | ModelFailure {
  const k = pop.attributes.length;
  const names = pop.attributes.map((a) => a.name);
  const index = new Map(names.map((n, j) => [n, j] as const));
  const { categories, toCategory } = answerCategories(pop);
  const C = categories.length;
  const { detractorTo } = cutsOf(categories);
  // Thresholds from just above the detractor|passive cut read the promoter-side scores.
  const upperFrom = detractorTo >= 0 ? detractorTo + 1 : C - 1;
  const std = standardisation(pop.columns, pop.n);
  const levels = groupingLevels(pop, segmentBy);
  const o = request.options;
  const unknown = [...(Array.isArray(o.curves) ? o.curves : []), ...(Array.isArray(o.interactions) ? o.interactions.flat() : [])].filter((n) => !index.has(n));
  if (unknown.length > 0) return { ok: false, reason: 'unknown-attribute', detail: `The model has no attribute ${unknown.map((u) => `'${u}'`).join(', ')}.`, attributes: unknown };

  // --- Structure search ---------------------------------------------------------------------------------
  const searched = searchStructure(pop, levels, std, toCategory, C, upperFrom, {
    folds: o.folds,
    seed: o.seed,
    ...(o.structure !== undefined ? { structure: o.structure } : {}),
    curves: Array.isArray(o.curves) ? o.curves.map((n) => index.get(n)!) : o.curves,
    interactions: Array.isArray(o.interactions) ? o.interactions.map(([a, b]) => ({ a: index.get(a)!, b: index.get(b)! })) : o.interactions,
    cutSpecific: o.cutSpecific,
    link: o.noise,
    ...(o.pooling !== undefined ? { pooling: o.pooling } : {}),
  });
  if (!searched.ok) return { ok: false, reason: 'did-not-converge', detail: searched.detail };
  const search = searched.result;

  // --- Final fit on every respondent ----------------------------------------------------------------------
  const { data, order } = latentData(pop, search.features, std, levels, toCategory, C);
  const L = new LatentLayout({ link: search.link, T: C - 1, F: featureCount(search.features), k, levels: search.structure.levels, ppo: search.ppo, upperFrom });
  const pen = penaltyVector(L, { ...search.penalties, threshold: 0 });
  const final = fitLatent(data, L, pen, { tolerance: 1e-7, covariance: true });
  if (!final.ok) return { ok: false, reason: final.reason, detail: final.detail, ...(final.reason === 'singular' ? { attributes: names } : {}) };
  const fit = final.fit;

  const parameters = parametersOf(pop, search, L, fit, data.comboCodes, levels, categories, std, upperFrom);
  // --- Sampling variability: account-bootstrap replicates, for forecast intervals ----------------------
  const deltas = accountReplicates(data, L, fit.v, fit.info, Uint32Array.from(order, (i) => pop.account[i]!), replicateCount(L.P), o.seed);
  parameters.replicates = deltas.map((d) => replicateInCellForm(L, d, data.comboCodes));
  const doc = explain(pop, search, L, fit, data, order, levels, parameters, std);
  return {
    ok: true,
    ...doc,
    parameters,
    structure: {
      estimator: `cumulative ${search.link} model${search.ppo ? ' with cut-specific slopes (partial proportional odds)' : ' (proportional odds)'} on the 0–10 answer`,
      noise: search.link,
      groupBy: groupColumns(segmentBy),
      chosen: search.structure.label,
      chosenBy: 'noise by likelihood (equal parameters); structure by cross-validated deviance per respondent, the simplest within one standard error of the best; curves and interactions by score tests then cross-validation; penalties by empirical Bayes',
      candidates: search.candidates,
      pooling: search.structure.levels.map((level, l) => ({
        level: level.name,
        groups: level.size,
        intercepts: { penalty: search.penalties.levels[l]!.intercept },
        slopes: level.slopes ? { penalty: search.penalties.levels[l]!.slope, respondentsWorth: (2 * search.penalties.levels[l]!.slope) / Math.max(search.slopeInformation, 1e-12) } : null,
      })),
      curves: search.features.curves.map((c) => names[c.attribute]!),
      interactions: search.features.interactions.map((p) => [names[p.a]!, names[p.b]!]),
      cutSpecific: search.ppo,
      screened: {
        curves: search.screened.curves.map((c) => ({ attribute: names[c.attribute]!, statistic: c.statistic })),
        interactions: search.screened.interactions.map((p) => ({ attributes: [names[p.a]!, names[p.b]!], statistic: p.statistic })),
      },
      folds: search.folds,
      cvRespondents: search.rows,
      iterations: fit.iterations,
      logLik: fit.logLik,
      parameters: L.P,
    },
  };
}

/** Variance of Σ w_p θ_p from the covariance. */
function combination(cov: Float64Array, P: number, terms: ReadonlyMap<number, number>): number {
  let v = 0;
  for (const [p, wp] of terms) for (const [q, wq] of terms) v += wp * wq * cov[p * P + q]!;
  return Math.max(v, 0);
}

/** Replicates kept: 64, fewer for very large models (the document stays under its size limit). */
function replicateCount(P: number): number {
  return Math.max(24, Math.min(64, Math.floor(60_000 / Math.max(P, 1))));
}

/** A replicate (layout order) in the document's order — see `replicates` in ./contract.ts — to 4 significant digits. */
function replicateInCellForm(L: LatentLayout, d: Float64Array, comboCodes: readonly Uint32Array[]): number[] {
  const out: number[] = Array.from(d.subarray(0, L.T));
  for (const codes of comboCodes) {
    const { a, b } = comboCoefficients(L, d, codes);
    out.push(a, ...b.subarray(0, L.k));
  }
  out.push(0);
  for (let j = 0; j < L.k; j++) out.push(d[L.beta(j)]!);
  for (let f = L.k; f < L.F; f++) out.push(d[L.beta(f)]!);
  if (L.ppo) for (let a = 0; a < L.k; a++) out.push(d[L.omega(a)]!);
  return out.map((x) => Number(x.toPrecision(4)));
}

/** The parameters of a combo's slope of rating j: β_j and every level's departure. */
function slopeTerms(L: LatentLayout, codes: ArrayLike<number>, j: number, weight = 1, into = new Map<number, number>()): Map<number, number> {
  into.set(L.beta(j), (into.get(L.beta(j)) ?? 0) + weight);
  L.levels.forEach((level, l) => {
    if (!level.slopes) return;
    const p = L.slope(l, codes[l]!, j);
    into.set(p, (into.get(p) ?? 0) + weight);
  });
  return into;
}

/** The document's parameters: every cell of the data with its effective coefficients, the curves, interactions and ω. */
function parametersOf(
  pop: Population,
  search: SearchResult,
  L: LatentLayout,
  fit: LatentFit,
  comboCodes: readonly Uint32Array[],
  levels: readonly LevelDef[],
  categories: number[],
  std: Standardisation,
  upperFrom: number,
): OrdinalParameters {
  const k = L.k;
  const cov = fit.covariance!;
  const v = fit.v;
  const groupBy = [...new Set(levels.flatMap((l) => l.columns))];
  const cells = comboCodes.map((codes) => {
    const { a, b } = comboCoefficients(L, v, codes);
    // The cell's value in each grouping column, from its single-column levels.
    const key = groupBy.map((column) => {
      const l = levels.findIndex((lv) => lv.columns.length === 1 && lv.columns[0] === column);
      return levels[l]!.labels[codes[l]!]![0]!;
    });
    return { key, intercept: a, slopes: Array.from(b.subarray(0, k)), slopeSe: Array.from({ length: k }, (_, j) => Math.sqrt(combination(cov, L.P, slopeTerms(L, codes, j)))) };
  });
  const fallback = {
    intercept: 0,
    slopes: Array.from({ length: k }, (_, j) => v[L.beta(j)]!),
    slopeSe: Array.from({ length: k }, (_, j) => Math.sqrt(cov[L.beta(j) * L.P + L.beta(j)]!)),
  };
  let f = k;
  const curves = search.features.curves.map((c) => {
    const coefficients = c.knots.map((_, t) => v[L.beta(f + t)]!);
    f += c.knots.length;
    return { attribute: c.attribute, knots: [...c.knots], coefficients };
  });
  const interactions = search.features.interactions.map((p) => ({ a: p.a, b: p.b, coefficient: v[L.beta(f++)]! }));
  void pop;
  return {
    kind: 'ordinal',
    version: 2,
    link: L.link,
    categories,
    thresholds: Array.from(v.subarray(0, L.T)),
    upperFrom,
    center: [...std.center],
    scale: [...std.scale],
    groupBy,
    cells,
    fallback,
    curves,
    interactions,
    promoterShift: L.ppo ? Array.from({ length: k }, (_, a) => v[L.omega(a)]!) : null,
  };
}

/** Everything the document explains: summaries per level, curves, interactions, drivers, calibration. */
function explain(
  pop: Population,
  search: SearchResult,
  L: LatentLayout,
  fit: LatentFit,
  data: ReturnType<typeof latentData>['data'],
  order: Uint32Array,
  levels: readonly LevelDef[],
  parameters: OrdinalParameters,
  std: Standardisation,
): Omit<OrdinalModelResult, 'ok' | 'parameters' | 'structure'> {
  const k = L.k;
  const names = pop.attributes.map((a) => a.name);
  const cov = fit.covariance!;
  const v = fit.v;
  const perPoint = (j: number, terms: Map<number, number>): { attribute: string; estimate: number; stdError: number; interval: [number, number] } => {
    let est = 0;
    for (const [p, w] of terms) est += w * v[p]!;
    const e = est / std.scale[j]!;
    const se = Math.sqrt(combination(cov, L.P, terms)) / std.scale[j]!;
    return { attribute: names[j]!, estimate: e, stdError: se, interval: [e - Z95 * se, e + Z95 * se] };
  };
  const { etaL } = rowLatent(data, L, v);
  // McKelvey–Zavoina R²: the share of the latent variance the drivers explain.
  const mz = (rows: (i: number) => boolean): { r2: number; rows: number } => {
    let s = 0;
    let ss = 0;
    let n = 0;
    for (let i = 0; i < data.n; i++)
      if (rows(i)) {
        s += etaL[i]!;
        ss += etaL[i]! * etaL[i]!;
        n++;
      }
    const variance = n > 0 ? ss / n - (s / n) ** 2 : 0;
    return { r2: variance / (variance + Math.PI ** 2 / 3), rows: n };
  };
  const { promoterFrom } = cutsOf(parameters.categories);
  const promCut = promoterFrom > 0 ? promoterFrom - 1 : L.T - 1;
  const cvRmse = search.candidates.filter((c) => c.chosen).at(-1)?.cvRmse ?? null;
  const summary = (terms: (j: number) => Map<number, number>, intercept: number, n: number, r2: number): Summary => {
    const coefficients = names.map((_, j) => perPoint(j, terms(j)));
    const df = Math.min(k, n - 2);
    // Log-odds of being a promoter when every rating is 0 (straight-line part).
    let estimate = -v[promCut]! + intercept;
    coefficients.forEach((c, j) => (estimate += c.estimate * (0 - std.center[j]!)));
    return {
      n,
      intercept: { estimate, stdError: Math.sqrt(cov[promCut * L.P + promCut]!) },
      coefficients,
      r2,
      adjustedR2: n - df - 1 > 0 ? 1 - ((1 - r2) * (n - 1)) / (n - df - 1) : r2,
      cvRmse,
      scale: 'logit',
    };
  };
  const overall = mz(() => true);
  const fitSummary = summary((j) => new Map([[L.beta(j), 1]]), 0, pop.n, overall.r2);

  // Respondent counts per combo, for weighted level averages.
  const comboCount = new Float64Array(data.comboCodes.length);
  for (let i = 0; i < data.n; i++) comboCount[data.combo[i]!]!++;

  // Segments (the first grouping column's levels): the respondent-weighted average of their cells.
  const segments: Record<string, Summary> = keyed([]);
  const first = levels[0];
  if (!first) segments.all = fitSummary;
  else
    first.labels.forEach(([label], g) => {
      const combos = data.comboCodes.map((codes, c) => ({ codes, c })).filter(({ codes }) => codes[0] === g);
      const total = combos.reduce((s, { c }) => s + comboCount[c]!, 0);
      const terms = (j: number): Map<number, number> => {
        const m = new Map<number, number>();
        for (const { codes, c } of combos) slopeTerms(L, codes, j, comboCount[c]! / Math.max(total, 1), m);
        return m;
      };
      let intercept = 0;
      for (const { codes, c } of combos) intercept += (comboCoefficients(L, v, codes).a * comboCount[c]!) / Math.max(total, 1);
      segments[label!] = summary(terms, intercept, total, mz((i) => data.comboCodes[data.combo[i]!]![0] === g).r2);
    });

  // Every level of the structure, and every finest cell.
  const levelSummaries: z.infer<typeof LevelSummarySchema>[] = [{ level: 'overall', group: [], respondents: pop.n, coefficients: names.map((_, j) => perPoint(j, new Map([[L.beta(j), 1]]))) }];
  L.levels.forEach((level, l) => {
    if (!level.slopes) return;
    levels[l]!.labels.forEach((label, g) => {
      let n = 0;
      data.comboCodes.forEach((codes, c) => codes[l] === g && (n += comboCount[c]!));
      levelSummaries.push({ level: level.name, group: label, respondents: n, coefficients: names.map((_, j) => perPoint(j, new Map([[L.beta(j), 1], [L.slope(l, g, j), 1]]))) });
    });
  });
  if (L.levels.some((lv) => lv.slopes))
    data.comboCodes.forEach((codes, c) => {
      if (levels.length < 2) return;
      levelSummaries.push({ level: 'cell', group: parameters.cells[c]!.key, respondents: comboCount[c]!, coefficients: names.map((_, j) => perPoint(j, slopeTerms(L, codes, j))) });
    });

  // Curves: the latent effect at each scale point relative to the mean rating, with its interval.
  let f = k;
  const curveAt = new Map<number, { knots: number[]; params: number[] }>();
  for (const c of search.features.curves) {
    curveAt.set(c.attribute, { knots: c.knots, params: c.knots.map((_, t) => L.beta(f + t)) });
    f += c.knots.length;
  }
  const curves = pop.attributes.map((attr, j) => {
    const [lo, hi] = attr.scale;
    const step = hi - lo > 20 ? (hi - lo) / 20 : 1;
    const curve = curveAt.get(j);
    const mean = std.center[j]!;
    const points: { rating: number; effect: number; interval: [number, number] }[] = [];
    for (let x = lo; x <= hi + 1e-9; x += step) {
      const terms = new Map<number, number>([[L.beta(j), (x - mean) / std.scale[j]!]]);
      curve?.knots.forEach((t, i) => terms.set(curve.params[i]!, (Math.max(x - t, 0) - Math.max(mean - t, 0)) / std.scale[j]!));
      let effect = 0;
      for (const [p, w] of terms) effect += w * v[p]!;
      const se = Math.sqrt(combination(cov, L.P, terms));
      points.push({ rating: Math.round(x * 1000) / 1000, effect, interval: [effect - Z95 * se, effect + Z95 * se] });
    }
    return { attribute: attr.name, curved: curve !== undefined, knots: curve?.knots ?? [], points };
  });

  const interactions = search.features.interactions.map((p) => {
    const q = L.beta(f++);
    const s = std.scale[p.a]! * std.scale[p.b]!;
    return { attributes: [names[p.a]!, names[p.b]!] as [string, string], estimate: v[q]! / s, stdError: Math.sqrt(cov[q * L.P + q]!) / s };
  });

  // Calibration: out-of-fold predicted NPS against observed, per segment, on the search's rows.
  const oof = search.outOfFold;
  const calibration = pop.levels.segment.map((segment, s) => {
    const n = oof.respondents[s]!;
    return { segment, respondents: n, observed: n > 0 ? (100 * oof.observedNet[s]!) / n : 0, predicted: n > 0 ? (100 * (oof.promoters[s]! - oof.detractors[s]!)) / n : 0 };
  });

  void order;
  return { fit: fitSummary, segments, calibration, levels: levelSummaries, curves, interactions, drivers: driversOf(pop, parameters) };
}

/**
 * Detractor drivers and promoter drivers: for +1 point on one attribute for everyone (capped at the
 * scale's top), the expected share of today's detractors who stop being detractors and of today's
 * non-promoters who become promoters — through the model's own counterfactual.
 */
/** Respondents the detractor and promoter drivers are read on (an even sample beyond it). */
const DRIVER_ROWS = 40_000;

function driversOf(pop: Population, parameters: OrdinalParameters): z.infer<typeof DriverSchema>[] {
  const model = { parameters };
  const effects = resolveEffects(model, pop);
  // Shares of large waves are read on an evenly spaced sample of respondents: the figure is an
  // average, and its sampling error at DRIVER_ROWS is far below the model's own.
  const every = Math.ceil(pop.n / DRIVER_ROWS);
  const rows = Uint32Array.from({ length: Math.ceil(pop.n / every) }, (_, q) => q * every);
  let detractors = 0;
  let nonPromoters = 0;
  for (const i of rows) {
    if (isDetractor(pop.ltr[i]!)) detractors++;
    if (!isPromoter(pop.ltr[i]!)) nonPromoters++;
  }
  const raw = pop.attributes.map((attr, j) => {
    const hi = attr.scale[1];
    const col = pop.columns[j]!;
    const after = new Float64Array(rows.length);
    for (let q = 0; q < rows.length; q++) after[q] = Math.min(hi, col[rows[q]!]! + 1);
    const shifts = latentShifts(effects, pop, rows, new Map([[j, after]]));
    const crossing = crossingProbabilities(model, pop, rows, shifts);
    let left = 0;
    let became = 0;
    for (let q = 0; q < rows.length; q++) {
      const y = pop.ltr[rows[q]!]!;
      if (isDetractor(y)) left += 1 - crossing.detractor[q]!;
      if (!isPromoter(y)) became += crossing.promoter[q]!;
    }
    return { attribute: attr.name, leavingDetractor: detractors > 0 ? left / detractors : 0, becomingPromoter: nonPromoters > 0 ? became / nonPromoters : 0 };
  });
  const sumD = raw.reduce((s, r) => s + r.leavingDetractor, 0) || 1;
  const sumP = raw.reduce((s, r) => s + r.becomingPromoter, 0) || 1;
  return raw.map((r) => ({ ...r, detractorShare: r.leavingDetractor / sumD, promoterShare: r.becomingPromoter / sumP }));
}

