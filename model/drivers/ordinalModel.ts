/**
 * The NPS-aware driver model as fitted for a request: standardises the attributes, chooses the
 * pooling structure by cross-validated deviance, fits the cumulative-logit model on every respondent
 * and explains it (coefficients per rating point, McKelvey–Zavoina R², held-out error, calibration).
 */
import type { FitSummary, ModelFailure, ModelRequest, OrdinalParameters } from './contract.js';
import { categoryProbabilities, fitOrdinal, groupCoefficients, Layout, linearPredictor, type OrdinalData, type OrdinalFit, type OrdinalParams, type OrdinalSpec, type RowFilter } from './ordinal.js';
import { foldOf } from './moments.js';
import type { Population } from './population.js';
import { keyed } from '../text.js';

/** Respondents used to choose the structure: above this a hashed subsample (the final fit uses all). */
export const CV_MAX_ROWS = 40_000;
/** Above this many groups only group intercepts are fitted (slope deviations need ~k parameters per group). */
export const MAX_SLOPE_GROUPS = 30;
/** Candidate pooling strengths, in respondents' worth of prior weight on the overall slopes. */
export const ORDINAL_POOLING_GRID = [3000, 1000, 300, 100, 30, 10];
/** Penalty on group intercepts (weak: a prior sd of 1 logit). */
const LAMBDA_INTERCEPT = 0.5;
const Z95 = 1.959963984540054;

export interface OrdinalModelResult {
  ok: true;
  fit: FitSummary & { scale: 'logit' };
  segments: Record<string, FitSummary & { scale: 'logit' }>;
  parameters: OrdinalParameters;
  structure: Record<string, unknown>;
  /** Out-of-fold (or in-sample) predicted vs observed NPS by the `segment` column. */
  calibration: { segment: string; respondents: number; observed: number; predicted: number }[];
}

interface Candidate {
  label: string;
  spec: OrdinalSpec;
  pooling: number | null;
}

/**
 * Standardised columns in group order (rows of one group contiguous, so the Newton pass works on
 * long single-group blocks); `order[s]` is the population row at sorted position s.
 */
function standardise(pop: Population): { z: Float64Array[]; center: number[]; scale: number[]; order: Uint32Array } {
  const G = pop.levels.group.length;
  const start = new Uint32Array(G + 1);
  for (let i = 0; i < pop.n; i++) start[pop.group[i]! + 1]!++;
  for (let g = 0; g < G; g++) start[g + 1]! += start[g]!;
  const order = new Uint32Array(pop.n);
  const next = start.slice(0, G);
  for (let i = 0; i < pop.n; i++) order[next[pop.group[i]!]!++] = i;
  const center: number[] = [];
  const scale: number[] = [];
  const z = pop.columns.map((col) => {
    let s = 0;
    for (let i = 0; i < pop.n; i++) s += col[i]!;
    const mean = s / pop.n;
    let ss = 0;
    for (let i = 0; i < pop.n; i++) ss += (col[i]! - mean) ** 2;
    const sd = Math.sqrt(ss / pop.n) || 1;
    center.push(mean);
    scale.push(sd);
    const out = new Float64Array(pop.n);
    for (let r = 0; r < pop.n; r++) out[r] = (col[order[r]!]! - mean) / sd;
    return out;
  });
  return { z, center, scale, order };
}

const npsOf = (prom: number, det: number, n: number): number => (n > 0 ? (100 * (prom - det)) / n : 0);

/** Promoter / detractor cut indices on the observed categories. */
export function cutsOf(categories: readonly number[]): { promoterFrom: number; detractorTo: number } {
  const promoterFrom = categories.findIndex((c) => c >= 9); // -1: nobody can be a promoter
  let detractorTo = -1;
  categories.forEach((c, i) => {
    if (c <= 6) detractorTo = i;
  });
  return { promoterFrom, detractorTo };
}

export function fitOrdinalModel(pop: Population, request: ModelRequest): OrdinalModelResult | ModelFailure {
  const k = pop.attributes.length;
  const names = pop.attributes.map((a) => a.name);
  const present = new Array<boolean>(11).fill(false);
  for (let i = 0; i < pop.n; i++) present[pop.ltr[i]!] = true;
  const categories = present.flatMap((p, v) => (p ? [v] : []));
  const toCategory = new Uint8Array(11);
  categories.forEach((v, c) => (toCategory[v] = c));
  const { z, center, scale, order } = standardise(pop);
  // From here on, row s is population row order[s].
  const category = new Uint8Array(pop.n);
  const group = new Uint32Array(pop.n);
  const ltr = new Uint8Array(pop.n);
  const segmentOf = new Uint32Array(pop.n);
  for (let s = 0; s < pop.n; s++) {
    const i = order[s]!;
    ltr[s] = pop.ltr[i]!;
    category[s] = toCategory[ltr[s]!]!;
    group[s] = pop.group[i]!;
    segmentOf[s] = pop.segment[i]!;
  }
  const G = pop.levels.group.length;
  const data: OrdinalData = { n: pop.n, z, category, C: categories.length, group, G };
  const { folds: K, seed } = request.options;

  // Cross-validation runs on a hashed subsample of at most CV_MAX_ROWS respondents, compacted (still
  // in group order) so that a fold fit costs the subsample, not the wave.
  const every = Math.ceil(pop.n / CV_MAX_ROWS);
  const cvRows: number[] = [];
  for (let s = 0; s < pop.n; s++) if (every === 1 || foldOf(order[s]!, seed ^ 0x5bd1e995, every) === 0) cvRows.push(s);
  const m = cvRows.length;
  const ids = new Uint8Array(m);
  cvRows.forEach((s, r) => (ids[r] = foldOf(order[s]!, seed, K)));
  const cv: OrdinalData =
    m === pop.n
      ? data
      : { n: m, z: z.map((col) => Float64Array.from(cvRows, (s) => col[s]!)), category: Uint8Array.from(cvRows, (s) => category[s]!), C: categories.length, group: Uint32Array.from(cvRows, (s) => group[s]!), G };
  const cvLtr = m === pop.n ? ltr : Uint8Array.from(cvRows, (s) => ltr[s]!);
  const cvSegment = m === pop.n ? segmentOf : Uint32Array.from(cvRows, (s) => segmentOf[s]!);

  // Information per respondent of a standardised slope, to express pooling in respondents' worth.
  const base = fitOrdinal(cv, { slopes: false, lambdaSlope: 0, lambdaIntercept: LAMBDA_INTERCEPT }, { covariance: false, tolerance: 1e-6 });
  if (!base.ok) return { ok: false, reason: base.reason, detail: base.detail };
  const info = base.fit.slopeInformation;
  const lambdaFor = (pooling: number): number => (pooling * info) / 2;
  const thresholdAnchor = { values: base.fit.params.theta, lambda: 1e-3 };

  const candidates: Candidate[] = [];
  const slopesAllowed = G > 1 && G <= MAX_SLOPE_GROUPS;
  if (request.options.pooling !== undefined && slopesAllowed)
    candidates.push({ label: `pooling ${request.options.pooling}`, spec: { slopes: true, lambdaSlope: lambdaFor(request.options.pooling), lambdaIntercept: LAMBDA_INTERCEPT, thresholdAnchor }, pooling: request.options.pooling });
  else {
    candidates.push({ label: G > 1 ? 'group intercepts, common slopes' : 'common slopes', spec: { slopes: false, lambdaSlope: 0, lambdaIntercept: LAMBDA_INTERCEPT, thresholdAnchor }, pooling: null });
    if (slopesAllowed && request.options.pooling === undefined)
      for (const p of ORDINAL_POOLING_GRID) candidates.push({ label: `group slopes, pooling ${p}`, spec: { slopes: true, lambdaSlope: lambdaFor(p), lambdaIntercept: LAMBDA_INTERCEPT, thresholdAnchor }, pooling: p });
  }

  // Cross-validation: held-out deviance and squared error of the expected answer, per candidate.
  const S = pop.levels.segment.length;
  const curve: { structure: string; pooling: number | null; cvDeviance: number; cvRmse: number }[] = [];
  const outOfFold: { prom: Float64Array; det: Float64Array; sse: Float64Array; rows: Float64Array }[] = [];
  const previous: (OrdinalParams | undefined)[] = new Array(K).fill(base.fit.params);
  const firstFold: OrdinalParams[] = [];
  const probs = new Float64Array(categories.length);
  const { promoterFrom, detractorTo } = cutsOf(categories);
  for (const cand of candidates) {
    let deviance = 0;
    let sse = 0;
    let rows = 0;
    const acc = { prom: new Float64Array(S), det: new Float64Array(S), sse: new Float64Array(G), rows: new Float64Array(G) };
    for (let f = 0; f < K; f++) {
      const start = previous[f] ? withLayout(previous[f]!, k, G, cand.spec.slopes) : undefined;
      const r = fitOrdinal(cv, cand.spec, { filter: { ids, exclude: f }, covariance: false, tolerance: 1e-6, ...(start ? { start } : {}) });
      if (!r.ok) return { ok: false, reason: r.reason, detail: `${r.detail} (cross-validation fold ${f + 1})` };
      previous[f] = r.fit.params;
      if (f === 0) firstFold.push(r.fit.params);
      const { b, a } = groupCoefficients(r.fit.params, k, G);
      const theta = r.fit.params.theta;
      for (let i = 0; i < m; i++) {
        if (ids[i] !== f) continue;
        const g = cv.group[i]!;
        let eta = a[g]!;
        for (let j = 0; j < k; j++) eta += b[g * k + j]! * cv.z[j]![i]!;
        categoryProbabilities(theta, eta, probs);
        const p = Math.max(probs[cv.category[i]!]!, 1e-300);
        deviance -= 2 * Math.log(p);
        let expected = 0;
        let prom = 0;
        let det = 0;
        for (let c = 0; c < probs.length; c++) {
          expected += probs[c]! * categories[c]!;
          if (promoterFrom >= 0 && c >= promoterFrom) prom += probs[c]!;
          if (c <= detractorTo) det += probs[c]!;
        }
        const e2 = (cvLtr[i]! - expected) ** 2;
        sse += e2;
        rows++;
        acc.sse[g]! += e2;
        acc.rows[g]!++;
        acc.prom[cvSegment[i]!]! += prom;
        acc.det[cvSegment[i]!]! += det;
      }
    }
    curve.push({ structure: cand.label, pooling: cand.pooling, cvDeviance: deviance / Math.max(rows, 1), cvRmse: Math.sqrt(sse / Math.max(rows, 1)) });
    outOfFold.push(acc);
  }
  let best = 0;
  curve.forEach((c, i) => {
    if (c.cvDeviance < curve[best]!.cvDeviance) best = i;
  });
  const chosen = candidates[best]!;

  // The final fit, on every respondent.
  const warm = firstFold[best];
  const start = warm ? withLayout(warm, k, G, chosen.spec.slopes) : undefined;
  // Every category occurs in the whole wave, so the final fit is the plain penalised MLE (no anchor).
  const finalSpec: OrdinalSpec = { slopes: chosen.spec.slopes, lambdaSlope: chosen.spec.lambdaSlope, lambdaIntercept: chosen.spec.lambdaIntercept };
  const final = fitOrdinal(data, finalSpec, { tolerance: 1e-6, ...(start ? { start } : {}) });
  if (!final.ok) return { ok: false, reason: final.reason, detail: final.detail };
  const fit = final.fit;
  if (!fit.covariance) return { ok: false, reason: 'singular', detail: 'The ordinal model’s information matrix is not invertible: some attributes are linearly dependent.', attributes: names };

  const L = new Layout(k, categories.length, G, chosen.spec.slopes);
  const cov = (p: number, q: number): number => fit.covariance![p * L.P + q]!;
  const eta = linearPredictor(data, fit.params);
  const { b, a } = groupCoefficients(fit.params, k, G);
  const promCut = promoterFrom > 0 ? promoterFrom - 1 : L.T - 1;

  // Summaries: coefficients per rating point; intercept = promoter log-odds when every rating is 0.
  const summarise = (g: number | null, rows: number, mzR2: number, cv: number | null): FitSummary & { scale: 'logit' } => {
    const coefficients = names.map((attribute, j) => {
      const pj = L.beta(j);
      let variance = cov(pj, pj);
      let estimate = fit.params.beta[j]!;
      if (g !== null && L.slopes) {
        const dj = L.delta(g, j);
        variance += cov(dj, dj) + 2 * cov(pj, dj);
        estimate = b[g * k + j]!;
      }
      const est = estimate / scale[j]!;
      const se = Math.sqrt(Math.max(variance, 0)) / scale[j]!;
      return { attribute, estimate: est, stdError: se, interval: [est - Z95 * se, est + Z95 * se] as [number, number] };
    });
    // gradient of  Σ_j slope_j·(0 − c_j)/s_j + α_g − θ_cut  with respect to the parameters
    const grad = new Map<number, number>();
    grad.set(promCut, -1);
    let estimate = -fit.params.theta[promCut]!;
    for (let j = 0; j < k; j++) {
      const w = -center[j]! / scale[j]!;
      estimate += w * (g === null ? fit.params.beta[j]! : b[g * k + j]!);
      grad.set(L.beta(j), w);
      if (g !== null && L.slopes) grad.set(L.delta(g, j), w);
    }
    if (g !== null && L.perGroup > 0) {
      estimate += a[g]!;
      grad.set(L.alpha(g), 1);
    }
    let v = 0;
    for (const [p, wp] of grad) for (const [q, wq] of grad) v += wp * wq * cov(p, q);
    const df = Math.min(k, rows - 2);
    return {
      n: rows,
      intercept: { estimate, stdError: Math.sqrt(Math.max(v, 0)) },
      coefficients,
      r2: mzR2,
      adjustedR2: rows - df - 1 > 0 ? 1 - ((1 - mzR2) * (rows - 1)) / (rows - df - 1) : mzR2,
      cvRmse: cv,
      scale: 'logit',
    };
  };
  // McKelvey–Zavoina R²: the share of the latent variance the drivers explain.
  const mz = (filter: (i: number) => boolean): { r2: number; rows: number } => {
    let s = 0;
    let ss = 0;
    let rows = 0;
    for (let i = 0; i < pop.n; i++)
      if (filter(i)) {
        s += eta[i]!;
        ss += eta[i]! * eta[i]!;
        rows++;
      }
    const variance = rows > 0 ? ss / rows - (s / rows) ** 2 : 0;
    return { r2: variance / (variance + Math.PI ** 2 / 3), rows };
  };
  const chosenCv = curve[best]!;
  const overall = mz(() => true);
  const segments: Record<string, FitSummary & { scale: 'logit' }> = keyed([]);
  const acc = outOfFold[best]!;
  for (let g = 0; g < G; g++) {
    const within = mz((i) => group[i] === g);
    segments[pop.levels.group[g]!] = summarise(G > 1 ? g : null, within.rows, within.r2, acc.rows[g]! > 0 ? Math.sqrt(acc.sse[g]! / acc.rows[g]!) : null);
  }

  // Calibration by segment: out-of-fold predicted NPS against observed, on the CV rows.
  const calibration = pop.levels.segment.map((segment, s) => {
    let rows = 0;
    let prom = 0;
    let det = 0;
    for (let i = 0; i < m; i++) {
      if (cvSegment[i] !== s) continue;
      rows++;
      const v = cvLtr[i]!;
      if (v >= 9) prom++;
      else if (v <= 6) det++;
    }
    return { segment, respondents: rows, observed: npsOf(prom, det, rows), predicted: npsOf(acc.prom[s]!, acc.det[s]!, rows) };
  });

  return {
    ok: true,
    fit: summarise(null, pop.n, overall.r2, chosenCv.cvRmse),
    segments,
    calibration,
    parameters: {
      kind: 'ordinal',
      categories,
      thresholds: Array.from(fit.params.theta),
      center,
      scale,
      groups: pop.levels.group,
      intercepts: Array.from(a),
      slopes: Array.from({ length: G }, (_, g) => Array.from(b.subarray(g * k, (g + 1) * k))),
    },
    structure: {
      estimator: 'cumulative logit (proportional odds) on the 0–10 answer',
      chosen: chosen.label,
      pooling: chosen.pooling,
      chosenBy: candidates.length > 1 ? 'cross-validation (held-out deviance per respondent)' : request.options.pooling !== undefined ? 'given' : 'only candidate',
      folds: K,
      cvRespondents: m,
      candidates: curve,
      iterations: fit.iterations,
      logLik: fit.logLik,
      effectiveDf: fit.effectiveDf,
      ...(G > MAX_SLOPE_GROUPS ? { note: `More than ${MAX_SLOPE_GROUPS} groups: only group intercepts are fitted, slopes are common.` } : {}),
    },
  };
}

/** Carries parameters between layouts with and without slope deviations (warm starts). */
function withLayout(p: OrdinalParams, k: number, G: number, slopes: boolean): OrdinalParams {
  const delta = slopes && G > 1 ? (p.delta.length === G * k ? p.delta.slice() : new Float64Array(G * k)) : new Float64Array(0);
  return { theta: p.theta.slice(), beta: p.beta.slice(), alpha: p.alpha.slice(), delta };
}

export type { OrdinalFit };
