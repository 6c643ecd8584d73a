/**
 * Filling unanswered ratings with their conditional mean given the respondent's other answers:
 *
 *     x̂_M = μ_g,M + Σ_MO Σ_OO⁻¹ (x_O − μ_g,O)
 *
 * where M are the blanks, O the answered attributes, μ_g the means of the respondent's group and Σ
 * the covariance of the ratings within groups (pooled, pairwise-complete). Plain mean imputation
 * biases a driver model: a blank carries none of the respondent's experience of that attribute, so
 * its effect is picked up by the correlated attributes that were answered (with 5 % blanks and
 * ratings correlated 0.35–0.85, every slope came out ~5 % too steep and the small ones up to 50 %).
 * The conditional mean leaves a residual uncorrelated with the answered ratings, so the other slopes
 * are not inflated. The ltr is deliberately not a predictor: a single imputation from the outcome
 * would manufacture the very association the model measures.
 *
 * A pair answered together by fewer than {@link MIN_PAIRS} respondents has no usable covariance
 * (taken as 0), so tiny waves fall back to the group mean. Imputed values stay inside the range
 * the attribute's answers span.
 */
import { cholesky, choleskySolve } from './latent/linalg.js';

/** Respondents who must have answered both attributes of a pair before their covariance is used. */
export const MIN_PAIRS = 30;
/** Distinct patterns of blanks whose regression coefficients are kept (beyond it they are recomputed). */
const PATTERN_CACHE = 4096;

/**
 * Moments of the ratings by group, accumulated one respondent at a time: means per group and
 * attribute, and pairwise-complete cross-products for the pooled within-group covariance.
 * Complete respondents (the common case) take one multiply-add per pair.
 */
export class RatingMoments {
  private readonly groups: GroupSums[] = [];
  private readonly lo: Float64Array;
  private readonly hi: Float64Array;

  constructor(readonly k: number) {
    this.lo = new Float64Array(k).fill(Number.POSITIVE_INFINITY);
    this.hi = new Float64Array(k).fill(Number.NEGATIVE_INFINITY);
  }

  /** Adds a respondent of group `g` (blanks NaN). */
  add(g: number, x: ArrayLike<number>): void {
    const k = this.k;
    let s = this.groups[g];
    if (!s) this.groups[g] = s = new GroupSums(k);
    let complete = true;
    for (let j = 0; j < k; j++) {
      const v = x[j]!;
      if (Number.isNaN(v)) {
        complete = false;
        continue;
      }
      if (v < this.lo[j]!) this.lo[j] = v;
      if (v > this.hi[j]!) this.hi[j] = v;
    }
    if (complete) {
      s.complete++;
      for (let j = 0; j < k; j++) {
        const v = x[j]!;
        s.sum[j]! += v;
        const row = j * k;
        for (let l = j; l < k; l++) s.cross[row + l]! += v * x[l]!;
      }
      return;
    }
    for (let j = 0; j < k; j++) {
      const v = x[j]!;
      if (Number.isNaN(v)) continue;
      const row = j * k;
      for (let l = j; l < k; l++) {
        const u = x[l]!;
        if (Number.isNaN(u)) continue;
        s.pairN[row + l]!++;
        s.pairSumA[row + l]! += v;
        s.pairSumB[row + l]! += u;
        s.pairCross[row + l]! += v * u;
      }
    }
  }

  /** The imputer these moments define (a group's blank attribute no one in it answered takes the wave's mean). */
  imputer(): Imputer {
    return new Imputer(this.k, this.means(), this.covariance(), this.lo, this.hi);
  }

  private means(): Float64Array[] {
    const k = this.k;
    const overall = new Float64Array(2 * k);
    const perGroup = this.groups.map((s) => {
      const m = new Float64Array(2 * k);
      if (!s) return m;
      for (let j = 0; j < k; j++) {
        m[j] = s.sum[j]! + s.pairSumA[j * k + j]!;
        m[k + j] = s.complete + s.pairN[j * k + j]!;
        overall[j]! += m[j]!;
        overall[k + j]! += m[k + j]!;
      }
      return m;
    });
    return perGroup.map((m) => Float64Array.from({ length: k }, (_, j) => (m[k + j]! > 0 ? m[j]! / m[k + j]! : overall[k + j]! > 0 ? overall[j]! / overall[k + j]! : 0)));
  }

  /** Σ pooled within groups from every pair answered together; 0 where too few answered both. */
  private covariance(): Float64Array {
    const k = this.k;
    const num = new Float64Array(k * k);
    const dof = new Float64Array(k * k);
    const pairs = new Float64Array(k * k);
    for (const s of this.groups) {
      if (!s) continue;
      for (let j = 0; j < k; j++)
        for (let l = j; l < k; l++) {
          const q = j * k + l;
          const n = s.complete + s.pairN[q]!;
          if (n < 2) continue;
          const a = s.sum[j]! + s.pairSumA[q]!;
          const b = s.sum[l]! + s.pairSumB[q]!;
          num[q]! += s.cross[q]! + s.pairCross[q]! - (a * b) / n;
          dof[q]! += n - 1;
          pairs[q]! += n;
        }
    }
    const cov = new Float64Array(k * k);
    for (let j = 0; j < k; j++)
      for (let l = j; l < k; l++) {
        const q = j * k + l;
        const c = pairs[q]! >= MIN_PAIRS && dof[q]! > 0 ? num[q]! / dof[q]! : 0;
        cov[q] = c;
        cov[l * k + j] = c;
      }
    return cov;
  }
}

class GroupSums {
  complete = 0;
  readonly sum: Float64Array;
  readonly cross: Float64Array;
  readonly pairN: Float64Array;
  readonly pairSumA: Float64Array;
  readonly pairSumB: Float64Array;
  readonly pairCross: Float64Array;
  constructor(k: number) {
    this.sum = new Float64Array(k);
    this.cross = new Float64Array(k * k);
    this.pairN = new Float64Array(k * k);
    this.pairSumA = new Float64Array(k * k);
    this.pairSumB = new Float64Array(k * k);
    this.pairCross = new Float64Array(k * k);
  }
}

interface Pattern {
  observed: Int32Array;
  missing: Int32Array;
  /** Regression of the blanks on the answers, missing × observed, row-major. */
  coefficients: Float64Array;
}

/** Fills the blanks of one respondent at a time from {@link RatingMoments}. */
export class Imputer {
  private readonly patterns = new Map<string, Pattern>();

  constructor(
    private readonly k: number,
    /** Per group: the mean of each attribute. */
    readonly means: readonly Float64Array[],
    /** Pooled within-group covariance, k × k. */
    readonly covariance: Float64Array,
    private readonly lo: Float64Array,
    private readonly hi: Float64Array,
  ) {}

  /** Replaces the NaNs of `x` (a respondent of group `g`) in place; returns how many it filled. */
  fill(g: number, x: Float64Array): number {
    const k = this.k;
    let key = '';
    let blanks = 0;
    for (let j = 0; j < k; j++)
      if (Number.isNaN(x[j]!)) {
        key += `${j},`;
        blanks++;
      }
    if (blanks === 0) return 0;
    const p = this.pattern(key, x);
    const mu = this.means[g]!;
    const { observed, missing, coefficients } = p;
    const o = observed.length;
    for (let m = 0; m < missing.length; m++) {
      const j = missing[m]!;
      let v = mu[j]!;
      for (let q = 0; q < o; q++) {
        const l = observed[q]!;
        v += coefficients[m * o + q]! * (x[l]! - mu[l]!);
      }
      x[j] = Math.min(this.hi[j]!, Math.max(this.lo[j]!, v));
    }
    return blanks;
  }

  private pattern(key: string, x: Float64Array): Pattern {
    const hit = this.patterns.get(key);
    if (hit) return hit;
    const k = this.k;
    const observed: number[] = [];
    const missing: number[] = [];
    for (let j = 0; j < k; j++) (Number.isNaN(x[j]!) ? missing : observed).push(j);
    const o = observed.length;
    const S = this.covariance;
    // Σ_OO with a ridge (relative to its trace), raised until it factors: a pairwise-complete
    // covariance need not be positive definite.
    const A = new Float64Array(o * o);
    let trace = 0;
    for (let a = 0; a < o; a++) {
      for (let b = 0; b < o; b++) A[a * o + b] = S[observed[a]! * k + observed[b]!]!;
      trace += A[a * o + a]!;
    }
    const unit = trace / Math.max(o, 1) || 1;
    let factor: Float64Array | null = null;
    for (const ridge of [1e-8, 1e-4, 1e-2, 1e-1]) {
      if (o === 0) break;
      const R = A.slice();
      for (let a = 0; a < o; a++) R[a * o + a]! += ridge * unit;
      factor = cholesky(R, o);
      if (factor) break;
    }
    const coefficients = new Float64Array(missing.length * o);
    if (factor)
      missing.forEach((j, m) => {
        const rhs = Float64Array.from(observed, (l) => S[j * k + l]!);
        coefficients.set(choleskySolve(factor, o, rhs), m * o);
      });
    const p: Pattern = { observed: Int32Array.from(observed), missing: Int32Array.from(missing), coefficients };
    if (this.patterns.size < PATTERN_CACHE) this.patterns.set(key, p);
    return p;
  }
}
