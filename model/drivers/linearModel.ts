/**
 * The linear driver model (`ols`, `ridge`) with per-group slopes partially pooled toward the overall
 * slopes. Everything is computed from mergeable moments — overall, per group and per fold — so it
 * streams: one pass over the population, then only k×k algebra.
 *
 * Partial pooling: group g's slopes minimise Σ_g (y − a_g − xᵀb_g)² + λ_p‖b_g − b‖² with b the overall
 * fit. Substituting y′ = y − xᵀb turns it into a ridge fit of y′ with penalty λ_p, whose moments
 * follow from the group's own moments; λ_p = pooling × the average variance of an attribute, so
 * `pooling` reads as "respondents' worth of prior weight on the overall slopes" (0: separate fits;
 * large: the overall slopes). It is chosen by K-fold cross-validation unless given.
 */
import { fitLinear, type FitResult, type LinearFit } from './linear.js';
import { chooseRidgeLambda, cvRmse } from './linear/crossValidation.js';
import type { RegressionSpec } from './linear/spec.js';
import { addColumns, addColumnsByFold, createFoldMoments, createMoments, foldOf, sumMoments, type Moments } from './moments.js';
import type { FitSummary, LinearParameters, ModelFailure, ModelRequest } from './contract.js';
import type { Population } from './population.js';
import { keyed } from '../text.js';

export interface LinearModelResult {
  ok: true;
  fit: FitSummary & { scale: 'ltr' };
  segments: Record<string, FitSummary & { scale: 'ltr' }>;
  parameters: LinearParameters;
  structure: Record<string, unknown>;
  pooled: LinearFit;
}

export const POOLING_GRID = [0, 3, 10, 30, 100, 300, 1000, 3000, 10_000, 100_000];

/** Moments of the whole population (one pass): what the checks and the importance need. */
export function totalMoments(pop: Population): Moments {
  const total = createMoments(pop.attributes.length, { shift: pop.attributes.map((a) => (a.scale[0] + a.scale[1]) / 2) });
  addColumns(total, pop.columns, pop.ltr, pop.n);
  return total;
}

/** Moments of the population overall, per fold, per group and per group × fold. */
export function populationMoments(pop: Population, folds: number, seed: number): { total: Moments; folds: Moments[]; groups: Moments[]; groupFolds: Moments[][] } {
  const k = pop.attributes.length;
  const shift = pop.attributes.map((a) => (a.scale[0] + a.scale[1]) / 2);
  const G = pop.levels.group.length;
  const total = createMoments(k, { shift });
  addColumns(total, pop.columns, pop.ltr, pop.n);
  const fm = createFoldMoments(k, { shift, folds, seed });
  addColumnsByFold(fm, pop.columns, pop.ltr, 0, pop.n);
  const groupFolds: Moments[][] = Array.from({ length: G }, () => Array.from({ length: folds }, () => createMoments(k, { shift })));
  // Rows ordered by (group, fold) with a counting sort, then gathered cell by cell in blocks.
  const cells = G * folds;
  const start = new Uint32Array(cells + 1);
  const cell = new Uint32Array(pop.n);
  for (let i = 0; i < pop.n; i++) {
    const c = pop.group[i]! * folds + foldOf(i, seed, folds);
    cell[i] = c;
    start[c + 1]!++;
  }
  for (let c = 0; c < cells; c++) start[c + 1]! += start[c]!;
  const order = new Uint32Array(pop.n);
  const next = start.slice(0, cells);
  for (let i = 0; i < pop.n; i++) order[next[cell[i]!]!++] = i;
  const BLOCK = 4096;
  const cols = pop.columns.map(() => new Float64Array(BLOCK));
  const y = new Float64Array(BLOCK);
  for (let c = 0; c < cells; c++) {
    const target = groupFolds[Math.floor(c / folds)]![c % folds]!;
    for (let s = start[c]!; s < start[c + 1]!; s += BLOCK) {
      const len = Math.min(BLOCK, start[c + 1]! - s);
      for (let r = 0; r < len; r++) {
        const i = order[s + r]!;
        for (let j = 0; j < k; j++) cols[j]![r] = pop.columns[j]![i]!;
        y[r] = pop.ltr[i]!;
      }
      addColumns(target, cols, y, len);
    }
  }
  return { total, folds: fm.folds, groups: groupFolds.map((f) => sumMoments(f)), groupFolds };
}


/** Full symmetric XᵀX (shifted) from the upper triangle. */
function fullXX(m: Moments): Float64Array {
  const k = m.k;
  const out = new Float64Array(k * k);
  for (let i = 0; i < k; i++)
    for (let j = i; j < k; j++) {
      out[i * k + j] = m.xx[i * k + j]!;
      out[j * k + i] = m.xx[i * k + j]!;
    }
  return out;
}

/** Moments of y′ = y − xᵀb (same x): the group's fit of y′ estimates its deviation from b. */
export function residualMoments(m: Moments, b: ArrayLike<number>): Moments {
  const k = m.k;
  const XX = fullXX(m);
  const XXb = new Float64Array(k);
  let bSumX = 0;
  let bXy = 0;
  let bXXb = 0;
  let bShift = 0;
  for (let i = 0; i < k; i++) {
    let s = 0;
    for (let j = 0; j < k; j++) s += XX[i * k + j]! * b[j]!;
    XXb[i] = s;
    bSumX += b[i]! * m.sumX[i]!;
    bXy += b[i]! * m.xy[i]!;
    bXXb += b[i]! * s;
    bShift += b[i]! * m.shift[i]!;
  }
  const xy = new Float64Array(k);
  for (let i = 0; i < k; i++) xy[i] = m.xy[i]! - XXb[i]!;
  return {
    ...m,
    ltrShift: m.ltrShift - bShift,
    sumY: m.sumY - bSumX,
    sumYY: m.sumYY - 2 * bXy + bXXb,
    xy,
    shift: m.shift,
    sumX: m.sumX,
    xx: m.xx,
  };
}

/** Σ(y − a − xᵀb)² over the rows summarised by `m`. */
export function sseOf(m: Moments, a: number, b: ArrayLike<number>): number {
  const k = m.k;
  // residual in shifted coordinates: v − c − uᵀb with c = a + shiftᵀb − ltrShift
  let c = a - m.ltrShift;
  for (let j = 0; j < k; j++) c += m.shift[j]! * b[j]!;
  let bxy = 0;
  let bsx = 0;
  let bXXb = 0;
  for (let i = 0; i < k; i++) {
    bxy += b[i]! * m.xy[i]!;
    bsx += b[i]! * m.sumX[i]!;
    bXXb += b[i]! * b[i]! * m.xx[i * k + i]!;
    for (let j = i + 1; j < k; j++) bXXb += 2 * b[i]! * b[j]! * m.xx[i * k + j]!;
  }
  return Math.max(0, m.sumYY - 2 * c * m.sumY - 2 * bxy + m.weight * c * c + 2 * c * bsx + bXXb);
}

function averageVariance(m: Moments): number {
  let s = 0;
  for (let j = 0; j < m.k; j++) s += m.xx[j * m.k + j]! - (m.sumX[j]! * m.sumX[j]!) / m.weight;
  return s / m.k / m.weight;
}

/** Group fit pulled toward `b`: coefficients b + c where c is the ridge fit of y′ = y − xᵀb. */
function pooledGroupFit(m: Moments, b: ArrayLike<number>, lambda: number, names: readonly string[]): FitResult {
  const r = fitLinear(residualMoments(m, b), lambda === 0 ? { method: 'ols' } : { method: 'ridge', lambda }, { attributes: names });
  if (!r.ok) return r;
  const coefficients = r.fit.coefficients.map((c, j) => ({ ...c, estimate: c.estimate + b[j]!, interval: [c.interval[0] + b[j]!, c.interval[1] + b[j]!] as [number, number] }));
  // R² relative to the group's own ltr spread (the SSE is the same for y and y′).
  const syy = m.sumYY - (m.sumY * m.sumY) / m.weight;
  const sse = (1 - r.fit.r2) * ((residualMoments(m, b).sumYY - (residualMoments(m, b).sumY ** 2) / m.weight));
  const r2 = syy > 0 ? 1 - sse / syy : 0;
  return { ok: true, fit: { ...r.fit, coefficients, r2, adjustedR2: 1 - ((1 - r2) * (m.weight - 1)) / r.fit.residualDf } };
}

function summary(fit: LinearFit, names: readonly string[], cv: number | null): FitSummary & { scale: 'ltr' } {
  return {
    n: fit.n,
    intercept: fit.intercept,
    coefficients: fit.coefficients.map((c, j) => ({ attribute: names[j]!, ...c })),
    r2: fit.r2,
    adjustedR2: fit.adjustedR2,
    cvRmse: cv,
    scale: 'ltr',
  };
}

const failureOf = (f: { reason: string; detail: string; attributes?: string[] }): ModelFailure => ({ ok: false, reason: f.reason as ModelFailure['reason'], detail: f.detail, ...(f.attributes ? { attributes: f.attributes } : {}) });

/**
 * Fits `ols` or `ridge` overall and per group. Ridge's λ is given or chosen by CV; the pooling
 * strength is given or chosen by CV (minimum held-out squared error over groups and folds, each fold's
 * overall slopes refitted without it so the choice is honest).
 */
export function fitLinearModel(pop: Population, request: ModelRequest, moments = populationMoments(pop, request.options.folds, request.options.seed)): LinearModelResult | ModelFailure {
  const names = pop.attributes.map((a) => a.name);
  let spec: RegressionSpec = { method: 'ols' };
  let lambdaChoice: Record<string, unknown> = {};
  if (request.method === 'ridge') {
    if (request.options.lambda !== undefined) spec = { method: 'ridge', lambda: request.options.lambda };
    else {
      const choice = chooseRidgeLambda(moments.folds, undefined, { attributes: names });
      if (!choice.ok) return failureOf(choice);
      spec = { method: 'ridge', lambda: choice.lambda };
      lambdaChoice = { lambda: choice.lambda, chosenBy: 'cross-validation', atEdge: choice.atEdge };
    }
  }
  const pooled = fitLinear(moments.total, spec, { attributes: names });
  if (!pooled.ok) return failureOf(pooled);
  const cv = cvRmse(moments.folds, spec, { attributes: names });
  const b = pooled.fit.coefficients.map((c) => c.estimate);
  const G = pop.levels.group.length;
  const scaleOfPooling = averageVariance(moments.total);

  let pooling = request.options.pooling;
  const curve: { pooling: number; cvRmse: number | null }[] = [];
  if (G > 1 && pooling === undefined) {
    // Fold-wise overall slopes, fitted without the held-out fold.
    const K = moments.folds.length;
    const foldB: (number[] | null)[] = [];
    for (let f = 0; f < K; f++) {
      const r = fitLinear(sumMoments(moments.folds.filter((_, h) => h !== f)), spec, { attributes: names });
      foldB.push(r.ok ? r.fit.coefficients.map((c) => c.estimate) : null);
    }
    let best: number | undefined;
    let bestErr = Infinity;
    for (const p of POOLING_GRID) {
      let sse = 0;
      let w = 0;
      let failed = false;
      for (let g = 0; g < G && !failed; g++)
        for (let f = 0; f < K; f++) {
          const test = moments.groupFolds[g]![f]!;
          const fb = foldB[f];
          if (test.weight === 0 || !fb) continue;
          const train = sumMoments(moments.groupFolds[g]!.filter((_, h) => h !== f));
          const r = pooledGroupFit(train, fb, p * scaleOfPooling, names);
          if (!r.ok) {
            failed = true;
            break;
          }
          sse += sseOf(test, r.fit.intercept.estimate, r.fit.coefficients.map((c) => c.estimate));
          w += test.weight;
        }
      const err = failed || w === 0 ? null : Math.sqrt(sse / w);
      curve.push({ pooling: p, cvRmse: err });
      if (err !== null && err < bestErr) {
        bestErr = err;
        best = p;
      }
    }
    pooling = best ?? POOLING_GRID[POOLING_GRID.length - 1]!;
  }
  const segments: Record<string, FitSummary & { scale: 'ltr' }> = keyed([]);
  const intercepts: number[] = [];
  const slopes: number[][] = [];
  for (let g = 0; g < G; g++) {
    const level = pop.levels.group[g]!;
    if (G === 1) {
      intercepts.push(pooled.fit.intercept.estimate);
      slopes.push(b);
      segments[level] = summary(pooled.fit, names, cv.ok ? cv.rmse : null);
      continue;
    }
    const r = pooledGroupFit(moments.groups[g]!, b, (pooling ?? 0) * scaleOfPooling, names);
    if (!r.ok) return { ...failureOf(r), detail: `Segment '${level}': ${r.detail}`, segments: [level] };
    intercepts.push(r.fit.intercept.estimate);
    slopes.push(r.fit.coefficients.map((c) => c.estimate));
    // Held-out error of this group at the chosen pooling, with the full-data overall slopes.
    let sse = 0;
    let w = 0;
    const K = moments.groupFolds[g]!.length;
    for (let f = 0; f < K; f++) {
      const test = moments.groupFolds[g]![f]!;
      if (test.weight === 0) continue;
      const t = pooledGroupFit(sumMoments(moments.groupFolds[g]!.filter((_, h) => h !== f)), b, (pooling ?? 0) * scaleOfPooling, names);
      if (!t.ok) continue;
      sse += sseOf(test, t.fit.intercept.estimate, t.fit.coefficients.map((c) => c.estimate));
      w += test.weight;
    }
    segments[level] = summary(r.fit, names, w > 0 ? Math.sqrt(sse / w) : null);
  }
  return {
    ok: true,
    pooled: pooled.fit,
    fit: summary(pooled.fit, names, cv.ok ? cv.rmse : null),
    segments,
    parameters: { kind: 'linear', groups: pop.levels.group, intercepts, slopes, sigma: pooled.fit.sigma },
    structure: {
      estimator: spec.method,
      ...(spec.method === 'ridge' ? { lambda: spec.lambda, ...lambdaChoice } : {}),
      condition: pooled.fit.condition,
      ...(G > 1 ? { pooling, poolingChosenBy: request.options.pooling === undefined ? 'cross-validation' : 'given', poolingCurve: curve } : {}),
    },
  };
}
