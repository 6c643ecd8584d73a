/**
 * Fitting the latent-score model: maximum penalised likelihood by Newton's method with step halving
 * (the log-likelihood of a cumulative logit is concave in all its parameters, Pratt 1981; so is the
 * cut-specific extension wherever the category probabilities stay positive, which the step halving
 * keeps), and the penalty strengths by empirical Bayes.
 *
 * **Empirical Bayes.** A penalty λ·Σ_{j∈B} p_j² on a block B of parameters is a normal prior
 * p_j ~ N(0, 1/α) with α = 2λ. MacKay's fixed point for the evidence (Laplace approximation),
 *
 *   α ← γ_B / Σ_{j∈B} p̂_j²,   γ_B = Σ_{j∈B} (1 − α [(−H_pen)⁻¹]_jj),
 *
 * where γ_B counts the parameters the data determine, is iterated jointly with the Newton steps, so
 * each level's pooling strength, each curve's smoothness, the interactions' and the cut-specific
 * slopes' shrinkage are set by the data: a level with no real departures is pooled away (α at its
 * cap), a 5,000-respondent cell keeps nearly all of its own. The agreement of these strengths with
 * cross-validated ones is tested (test/unit/latent.test.ts).
 */
import { evaluateLatent, type Evaluation, type LatentData, type RowFilter } from './evaluate.js';
import { LatentLayout } from './layout.js';
import { linkQuantile } from './link.js';
import { cholesky, choleskyInverse, choleskyInverseDiagonal, choleskySolve } from './linalg.js';

export interface LatentFit {
  /** The parameter vector (see LatentLayout). */
  v: Float64Array;
  /** The λ of every parameter it was fitted with. */
  penalties: Float64Array;
  logLik: number;
  objective: number;
  iterations: number;
  rows: number;
  converged: boolean;
  /** (−H_pen)⁻¹ at the optimum, when asked for. */
  covariance: Float64Array | null;
  /** The information at the optimum (for score tests and one-step fold updates). */
  info: Float64Array;
  grad: Float64Array;
}

export type LatentResult = { ok: true; fit: LatentFit } | { ok: false; reason: 'singular' | 'did-not-converge'; detail: string };

export interface FitOptions {
  filter?: RowFilter;
  /** Starting vector (warm start); empirical-logit thresholds and zeros otherwise. */
  start?: Float64Array;
  /** Stop when the largest Newton step is below this. @default 1e-8 */
  tolerance?: number;
  /** @default 50 */
  maxIterations?: number;
  /** Values the threshold penalty pulls toward. */
  anchor?: ArrayLike<number> | null;
  /** Compute (−H_pen)⁻¹. @default false */
  covariance?: boolean;
  /**
   * Return the last iterate after `maxIterations` instead of failing: a few warm-started steps of
   * a fold fit are all cross-validation needs.
   */
  returnLast?: boolean;
  /**
   * Empirical-Bayes blocks: parameter indices sharing one penalty, each with the bounds of its α = 2λ.
   * Their λ are re-estimated between Newton steps until they settle.
   */
  evidence?: EvidenceBlock[];
}

/** A block of parameters whose shared penalty is set by the evidence. */
export interface EvidenceBlock {
  name: string;
  indices: readonly number[];
  /** Bounds of α = 2λ: the cap means "no departure at all", the floor "nearly free". */
  minAlpha: number;
  maxAlpha: number;
}

/** Evidence updates before the penalties are held fixed (they settle in 5–15 on real waves). */
const MAX_EVIDENCE_ROUNDS = 30;
/** Penalties have settled when no block's α moves by more than 5 % in a round (forecasts do not notice). */
const EVIDENCE_TOLERANCE = 0.05;

/**
 * The Cholesky factor of the information, damped toward its diagonal when it is not positive
 * definite (Levenberg–Marquardt): away from the optimum the cut-specific model's likelihood need not
 * be concave, and a damped Newton direction still climbs. `null` only when even heavy damping
 * fails (a genuinely singular design).
 */
function dampedCholesky(info: Float64Array, P: number): Float64Array | null {
  const plain = cholesky(info, P);
  if (plain) return plain;
  let scale = 0;
  for (let q = 0; q < P; q++) scale = Math.max(scale, Math.abs(info[q * P + q]!));
  for (let mu = 1e-8; mu <= 1e2; mu *= 10) {
    const damped = info.slice();
    for (let q = 0; q < P; q++) damped[q * P + q]! += mu * Math.max(Math.abs(info[q * P + q]!), 1e-12 * scale);
    const factor = cholesky(damped, P);
    if (factor) return factor;
  }
  return null;
}

/** Thresholds at the link's quantiles of the answer shares, zero coefficients: the usual, always-feasible start. */
export function startingVector(data: LatentData, L: LatentLayout, filter?: RowFilter): Float64Array {
  const counts = new Float64Array(data.C);
  let n = 0;
  for (let i = 0; i < data.n; i++) {
    if (filter && ((filter.only !== undefined && filter.ids[i] !== filter.only) || (filter.exclude !== undefined && filter.ids[i] === filter.exclude))) continue;
    counts[data.category[i]!]!++;
    n++;
  }
  const v = new Float64Array(L.P);
  let cum = 0;
  for (let t = 0; t < L.T; t++) {
    cum += counts[t]!;
    const q = Math.min(Math.max((cum + 0.5) / (n + 1), 1e-6), 1 - 1e-6);
    v[t] = linkQuantile(L.link, q) + t * 1e-6;
  }
  return v;
}

/** The same evaluation under other penalties, without another pass over the rows. */
function repenalise(ev: Evaluation, v: Float64Array, from: Float64Array, to: Float64Array, T: number, anchor: ArrayLike<number> | null, P: number): Evaluation {
  let objective = ev.objective;
  const grad = ev.grad.slice();
  const info = ev.info.slice();
  for (let q = 0; q < P; q++) {
    const dl = to[q]! - from[q]!;
    if (dl === 0) continue;
    const d = v[q]! - (anchor && q < T ? anchor[q]! : 0);
    objective -= dl * d * d;
    grad[q]! -= 2 * dl * d;
    info[q * P + q]! += 2 * dl;
  }
  return { ...ev, objective, grad, info };
}

/**
 * Maximum penalised likelihood, with the evidence blocks' penalties set by empirical Bayes when
 * given. The step is halved while it would unorder the thresholds or lower the objective.
 */
export function fitLatent(data: LatentData, L: LatentLayout, penalties: Float64Array, options: FitOptions = {}): LatentResult {
  const P = L.P;
  const tolerance = options.tolerance ?? 1e-8;
  const maxIterations = options.maxIterations ?? 50;
  const anchor = options.anchor ?? null;
  let pen = penalties.slice();
  let v = options.start ? options.start.slice() : startingVector(data, L, options.filter);
  let cur = evaluateLatent(data, L, v, pen, options.filter, true, anchor);
  let iterations = 0;
  let converged = false;
  let settled = !options.evidence || options.evidence.length === 0;
  let evidenceRounds = 0;
  while (iterations < maxIterations) {
    const chol = dampedCholesky(cur.info, P);
    if (!chol) return { ok: false, reason: 'singular', detail: 'The driver model’s information matrix is not positive definite: some attributes are linearly dependent.' };
    if (!settled) {
      // One evidence update at the current point, then the Newton step under the new penalties.
      const diag = choleskyInverseDiagonal(chol, P);
      const next = pen.slice();
      let change = 0;
      for (const block of options.evidence!) {
        let sum2 = 0;
        let gamma = 0;
        const alpha = 2 * pen[block.indices[0]!]!;
        for (const j of block.indices) {
          sum2 += v[j]! * v[j]!;
          gamma += 1 - alpha * diag[j]!;
        }
        const proposed = Math.min(block.maxAlpha, Math.max(block.minAlpha, Math.max(gamma, 1e-9) / Math.max(sum2, 1e-12)));
        // The fixed point taken whole when near, at most a factor e per round when far (it can
        // overshoot while a block is far from its optimum and the coefficients have not followed).
        const from = Math.max(alpha, block.minAlpha);
        const logStep = Math.max(-1, Math.min(1, Math.log(proposed / from)));
        const damped = from * Math.exp(logStep);
        change = Math.max(change, Math.abs(Math.log(damped / Math.max(alpha, 1e-300))));
        for (const j of block.indices) next[j] = damped / 2;
      }
      cur = repenalise(cur, v, pen, next, L.T, anchor, P);
      pen = next;
      if (change < EVIDENCE_TOLERANCE || ++evidenceRounds >= MAX_EVIDENCE_ROUNDS) settled = true;
      const c2 = dampedCholesky(cur.info, P);
      if (!c2) return { ok: false, reason: 'singular', detail: 'The driver model’s information matrix is not positive definite.' };
      const step = choleskySolve(c2, P, cur.grad);
      const moved = lineSearch(data, L, v, step, pen, options.filter, anchor, cur);
      iterations++;
      if (moved) {
        v = moved.v;
        cur = moved.ev;
      }
      continue;
    }
    const step = choleskySolve(chol, P, cur.grad);
    let maxStep = 0;
    for (const s of step) maxStep = Math.max(maxStep, Math.abs(s));
    if (maxStep < tolerance) {
      converged = true;
      break;
    }
    iterations++;
    const moved = lineSearch(data, L, v, step, pen, options.filter, anchor, cur);
    if (!moved) {
      // No ascent along the Newton direction: the optimum is reached to rounding.
      converged = true;
      break;
    }
    v = moved.v;
    cur = moved.ev;
  }
  if (!converged && !options.returnLast) return { ok: false, reason: 'did-not-converge', detail: `The driver model did not converge in ${maxIterations} Newton iterations.` };
  let covariance: Float64Array | null = null;
  if (options.covariance) {
    const chol = cholesky(cur.info, P);
    if (!chol) return { ok: false, reason: 'singular', detail: 'The driver model’s information matrix is not invertible: some attributes are linearly dependent.' };
    covariance = choleskyInverse(chol, P);
  }
  return { ok: true, fit: { v, penalties: pen, logLik: cur.logLik, objective: cur.objective, iterations, rows: cur.rows, converged, covariance, info: cur.info, grad: cur.grad } };
}

/**
 * True when the point's gradient and information are finite. With cut-specific slopes the boundary
 * category's two bounds move with different scores, so a long step can make its probability
 * vanish for a few respondents (the cumulative curves cross there): the log-likelihood stays
 * finite (its mass is floored) but the curvature overflows, and the next Newton step would be
 * NaN. Such a step is refused like one that lowers the objective, and the search halves it (seen on
 * the real energy survey, 1–5 drivers: the final fit failed as "singular" after one step).
 */
function finiteCurvature(ev: Evaluation, P: number): boolean {
  for (let q = 0; q < P; q++) if (!Number.isFinite(ev.grad[q]!)) return false;
  for (let q = 0; q < P * P; q++) if (!Number.isFinite(ev.info[q]!)) return false;
  return true;
}

function lineSearch(
  data: LatentData,
  L: LatentLayout,
  v: Float64Array,
  step: Float64Array,
  pen: Float64Array,
  filter: RowFilter | undefined,
  anchor: ArrayLike<number> | null,
  cur: Evaluation,
): { v: Float64Array; ev: Evaluation } | null {
  let t = 1;
  while (t > 1e-12) {
    const cand = new Float64Array(L.P);
    for (let q = 0; q < L.P; q++) cand[q] = v[q]! + t * step[q]!;
    let ordered = true;
    for (let q = 1; q < L.T; q++) if (!(cand[q]! > cand[q - 1]!)) ordered = false;
    if (ordered) {
      const ev = evaluateLatent(data, L, cand, pen, filter, true, anchor);
      if (ev.objective >= cur.objective - 1e-12 * Math.abs(cur.objective) && finiteCurvature(ev, L.P)) return { v: cand, ev };
    }
    t /= 2;
  }
  return null;
}

/** Held-out deviance (−2·log-likelihood) of the rows `filter` selects. */
export function heldOutDeviance(data: LatentData, L: LatentLayout, v: Float64Array, filter: RowFilter): number {
  const ev = evaluateLatent(data, L, v, new Float64Array(L.P), filter, false);
  return -2 * ev.logLik;
}
