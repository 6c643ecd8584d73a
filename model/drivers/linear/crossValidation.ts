/**
 * Exact K-fold cross-validation of the linear fit from per-fold moments, and the ridge penalty chosen
 * by it. Each fold is predicted by a fit on the other folds' moments, and its squared error follows
 * from its own moments, so no second pass over the rows is needed.
 */
import { sumMoments, type Moments } from '../moments.js';
import { dot } from './algebra.js';
import { centre } from './centre.js';
import { solveStandardised } from './solve.js';
import { lambdaOf, namesOf, type DriverModelFailure, type FitOptions, type RegressionSpec } from './spec.js';

/** Cross-validated prediction error of one specification, fold by fold. */
export type CvResult =
  | { ok: true; rmse: number; folds: { rows: number; rmse: number | null }[] }
  | DriverModelFailure;

/**
 * Exact K-fold cross-validated RMSE from per-fold moments (see `createFoldMoments`): for each fold,
 * the model is fitted on the other folds' moments and its squared error on the fold is computed from
 * the fold's own moments, so the result equals refitting on explicit row subsets — without a second
 * pass over the data. RMSE = √(Σ_folds SSE_f / Σ_folds n_f) (pooled over respondents, so folds of
 * unequal size weigh by their size).
 *
 * The training moments are the sum of the other K − 1 folds rather than "total − fold": summing only
 * adds, so no cancellation, and costs K²k² operations — nothing next to the data pass.
 *
 * Why it matters: in-sample R² always rises with more drivers; CV RMSE tells whether a model (or a
 * ridge λ) predicts respondents it has not seen.
 */
export function cvRmse(folds: readonly Moments[], spec: RegressionSpec, options: Pick<FitOptions, 'attributes'> = {}): CvResult {
  const lambda = lambdaOf(spec);
  const first = folds[0];
  if (first === undefined || folds.length < 2) throw new RangeError('cross-validation needs at least 2 folds');
  const names = namesOf(first.k, options.attributes);
  const k = first.k;
  let totalSse = 0;
  let totalW = 0;
  const perFold: { rows: number; rmse: number | null }[] = [];
  for (let f = 0; f < folds.length; f++) {
    const test = folds[f]!;
    if (test.weight === 0) {
      perFold.push({ rows: test.rows, rmse: null });
      continue;
    }
    const train = sumMoments(folds.filter((_, g) => g !== f));
    const c = centre(train, names);
    if (!c.ok) return { ...c, detail: `fold ${f + 1} of ${folds.length}: ${c.detail}` };
    const sol = solveStandardised(c, lambda, names);
    if (!sol.ok) return { ...sol, detail: `fold ${f + 1} of ${folds.length}: ${sol.detail}` };
    const b = new Float64Array(k);
    let b0 = c.meanY;
    for (let j = 0; j < k; j++) {
      b[j] = sol.beta[j]! / c.d[j]!;
      b0 -= c.mean[j]! * b[j]!;
    }
    const sse = foldSse(test, b, b0);
    totalSse += sse;
    totalW += test.weight;
    perFold.push({ rows: test.rows, rmse: Math.sqrt(sse / test.weight) });
  }
  if (totalW === 0) return { ok: false, reason: 'too-few-respondents', detail: 'no fold holds a complete respondent' };
  return { ok: true, rmse: Math.sqrt(totalSse / totalW), folds: perFold };
}

export interface LambdaChoice {
  ok: true;
  /** The λ with the smallest CV RMSE (the larger one on a tie: more shrinkage, same error). */
  lambda: number;
  cvRmse: number;
  /** True when the best λ is the first or last of the grid: widen the grid before trusting it. */
  atEdge: boolean;
  /** CV RMSE at every λ of the grid; `null` where the fit was singular (tiny λ on dependent drivers). */
  curve: { lambda: number; cvRmse: number | null }[];
}

/**
 * Picks the ridge penalty that predicts held-out respondents best (minimum K-fold CV RMSE), so
 * shrinkage is chosen by the data rather than by hand.
 *
 * The default grid is scale-free: λ = s·10^g for g = −6, −5.75, …, 0 (25 values) with
 * s = tr(Sxx)/k, the average centred sum of squares of an attribute (= n × its average variance).
 * λ = s·10^g shrinks an uncorrelated attribute of average spread by the factor 1/(1 + 10^g): from
 * nothing (g = −6) to a half (g = 0), whatever the rating scales and the number of respondents.
 *
 * @param grid explicit λ values (≥ 0, on the attributes' own scale) instead of the default grid
 */
export function chooseRidgeLambda(
  folds: readonly Moments[],
  grid?: readonly number[],
  options: Pick<FitOptions, 'attributes'> = {},
): LambdaChoice | DriverModelFailure {
  const first = folds[0];
  if (first === undefined || folds.length < 2) throw new RangeError('cross-validation needs at least 2 folds');
  const names = namesOf(first.k, options.attributes);
  let lambdas: number[];
  if (grid !== undefined) {
    if (grid.length === 0 || grid.some((l) => !(l >= 0) || !Number.isFinite(l))) throw new RangeError('the λ grid must hold finite values ≥ 0');
    lambdas = [...grid].sort((a, b) => a - b);
  } else {
    const c = centre(sumMoments(folds), names);
    if (!c.ok) return c;
    let trace = 0;
    for (let j = 0; j < c.k; j++) trace += c.sxx[j * c.k + j]!;
    const s = trace / c.k;
    lambdas = Array.from({ length: 25 }, (_, i) => s * 10 ** (-6 + i / 4));
  }
  const curve: { lambda: number; cvRmse: number | null }[] = [];
  let best = -1;
  for (const lambda of lambdas) {
    const cv = cvRmse(folds, { method: 'ridge', lambda }, { attributes: names });
    if (!cv.ok) {
      if (cv.reason !== 'singular') return cv;
      curve.push({ lambda, cvRmse: null });
      continue;
    }
    curve.push({ lambda, cvRmse: cv.rmse });
    if (best === -1 || cv.rmse <= curve[best]!.cvRmse!) best = curve.length - 1;
  }
  if (best === -1)
    return { ok: false, reason: 'singular', detail: 'every λ of the grid gave a singular fit: increase λ or drop dependent attributes', attributes: [...names] };
  const chosen = curve[best]!;
  return { ok: true, lambda: chosen.lambda, cvRmse: chosen.cvRmse!, atEdge: best === 0 || best === curve.length - 1, curve };
}

/**
 * Squared error of a fitted model on one fold, from the fold's moments alone. With u = x − c,
 * v = y − c_y and a = b₀ + cᵀb − c_y the residual is v − uᵀb − a, and expanding the square:
 * Σw(v − uᵀb − a)² = Σwv² − 2bᵀΣwuv − 2aΣwv + bᵀ(Σwuuᵀ)b + 2a·bᵀΣwu + a²Σw.
 */
function foldSse(m: Moments, b: Float64Array, b0: number): number {
  const k = m.k;
  let a = b0 - m.ltrShift;
  for (let j = 0; j < k; j++) a += m.shift[j]! * b[j]!;
  let bXXb = 0;
  for (let i = 0; i < k; i++) {
    bXXb += b[i]! * b[i]! * m.xx[i * k + i]!;
    for (let j = i + 1; j < k; j++) bXXb += 2 * b[i]! * b[j]! * m.xx[i * k + j]!;
  }
  const sse = m.sumYY - 2 * dot(b, m.xy) - 2 * a * m.sumY + bXXb + 2 * a * dot(b, m.sumX) + a * a * m.weight;
  return Math.max(0, sse);
}
