/**
 * The NPS-aware core: a cumulative-logit (proportional-odds) model of the 0–10 answer, with
 * optional per-group intercepts and slope deviations pulled toward the overall slopes by a penalty
 * (partial pooling).
 *
 * P(y ≤ c | x) = σ(θ_c − η),   η = α_g + Σₐ (βₐ + δ_{g,a}) zₐ
 *
 * over the answer categories that occur (an unobserved answer has no estimable threshold, so the
 * thresholds sit between consecutive observed categories). The maximised objective is the
 * log-likelihood − λ_α Σ α_g² − λ_δ Σ δ² − λ_β Σ β² (λ_β is 0 in the product; it exists to check the
 * penalised algebra against an independent implementation).
 *
 * The log-likelihood is concave in (θ, β, α, δ) (Pratt 1981), so Newton's method with step halving
 * converges from a start at β = 0 and empirical-logit thresholds in a handful of iterations. Each
 * iteration is one pass over the rows accumulating the gradient and the Hessian; the Hessian is
 * assembled from one (k+1)² cross-product per group, so a pass costs O(n·k²/2) whatever the number
 * of groups, and the sums are additive over rows — chunks could be reduced by separate workers.
 */
import { CholeskyDecomposition, Matrix } from 'ml-matrix';

/** Rows for the ordinal fit: standardised attribute columns, category indices and group codes. */
export interface OrdinalData {
  n: number;
  /** Attribute columns (any fixed scale; the caller standardises for conditioning). */
  z: readonly Float64Array[];
  /** Observed-category index of each row, 0…C−1. */
  category: Uint8Array;
  /** Number of distinct observed categories (≥ 2). */
  C: number;
  /** Group code of each row, 0…G−1 (all 0 when there is one group). */
  group: Uint32Array;
  G: number;
}

export interface OrdinalSpec {
  /** Per-group slope deviations δ (partial pooling) or only the overall slopes. */
  slopes: boolean;
  /** Penalty on δ. */
  lambdaSlope: number;
  /** Penalty on the group intercepts α (present when G > 1). */
  lambdaIntercept: number;
  /** Penalty on the overall slopes β. */
  lambdaBeta?: number;
  /**
   * A weak pull of the thresholds toward fixed values: λ·Σ(θ − anchor)². Without it a threshold
   * next to a category that a cross-validation fold happens not to contain runs off to infinity
   * (its MLE does not exist); λ ≈ 1e-3 is worth a thousandth of one respondent's information.
   */
  thresholdAnchor?: { values: ArrayLike<number>; lambda: number };
}

export interface OrdinalParams {
  /** C − 1 increasing thresholds. */
  theta: Float64Array;
  beta: Float64Array;
  /** G group intercepts (empty when G = 1). */
  alpha: Float64Array;
  /** G × k slope deviations, row-major (empty without slopes). */
  delta: Float64Array;
}

/** Which rows a fit or an evaluation uses: rows whose fold id is in the set. */
export interface RowFilter {
  ids: Uint8Array;
  /** Keep rows whose id differs from `exclude` (training) … */
  exclude?: number;
  /** … or only rows whose id equals `only` (held-out evaluation). */
  only?: number;
  /** Ids never used (rows outside a cross-validation subsample). */
  skip?: number;
}

export interface OrdinalFit {
  params: OrdinalParams;
  /** Unpenalised log-likelihood at the optimum. */
  logLik: number;
  objective: number;
  iterations: number;
  /** Rows used. */
  n: number;
  /** Inverse of the negative penalised Hessian (P × P, row-major), for standard errors. */
  covariance: Float64Array | null;
  /** P minus the degrees of freedom absorbed by the penalties (tr((−H_pen)⁻¹ · penalty)). */
  effectiveDf: number;
  converged: boolean;
  /** Mean information per row of one slope (trace of the β block of −H ÷ k·n): converts a "respondents' worth" of pooling into a penalty. */
  slopeInformation: number;
}

export type OrdinalResult = { ok: true; fit: OrdinalFit } | { ok: false; reason: 'singular' | 'did-not-converge'; detail: string };

/** Rows per block of the Newton pass: k + 3 scratch columns of this length stay in cache. */
const BLOCK = 1024;
const scratch = {
  eta: new Float64Array(BLOCK),
  deta: new Float64Array(BLOCK),
  hee: new Float64Array(BLOCK),
  cols: [] as Float64Array[],
  wz(k: number): Float64Array[] {
    while (this.cols.length < k) this.cols.push(new Float64Array(BLOCK));
    return this.cols;
  },
};

const logistic = (t: number): number => (t >= 0 ? 1 / (1 + Math.exp(-t)) : Math.exp(t) / (1 + Math.exp(t)));

/** P(a < ε ≤ b) for a standard logistic ε, without cancellation in either tail. */
export function logisticMass(a: number, b: number): number {
  if (!(b > a)) return 0;
  if (a > 0) return logistic(-a) - logistic(-b);
  return logistic(b) - logistic(a);
}

/** Layout of the parameter vector: θ (C−1), β (k), then per group α_g and δ_g. */
export class Layout {
  readonly T: number;
  readonly perGroup: number;
  readonly P: number;
  constructor(
    readonly k: number,
    readonly C: number,
    readonly G: number,
    readonly slopes: boolean,
  ) {
    this.T = C - 1;
    this.perGroup = G > 1 ? 1 + (slopes ? k : 0) : 0;
    this.P = this.T + k + G * this.perGroup;
  }
  beta(a: number): number {
    return this.T + a;
  }
  alpha(g: number): number {
    return this.T + this.k + g * this.perGroup;
  }
  delta(g: number, a: number): number {
    return this.T + this.k + g * this.perGroup + 1 + a;
  }
  pack(p: OrdinalParams): Float64Array {
    const v = new Float64Array(this.P);
    v.set(p.theta, 0);
    v.set(p.beta, this.T);
    if (this.perGroup > 0)
      for (let g = 0; g < this.G; g++) {
        v[this.alpha(g)] = p.alpha[g]!;
        if (this.slopes) for (let a = 0; a < this.k; a++) v[this.delta(g, a)] = p.delta[g * this.k + a]!;
      }
    return v;
  }
  unpack(v: Float64Array): OrdinalParams {
    const theta = v.slice(0, this.T);
    const beta = v.slice(this.T, this.T + this.k);
    const alpha = new Float64Array(this.perGroup > 0 ? this.G : 0);
    const delta = new Float64Array(this.perGroup > 0 && this.slopes ? this.G * this.k : 0);
    if (this.perGroup > 0)
      for (let g = 0; g < this.G; g++) {
        alpha[g] = v[this.alpha(g)]!;
        if (this.slopes) for (let a = 0; a < this.k; a++) delta[g * this.k + a] = v[this.delta(g, a)]!;
      }
    return { theta, beta, alpha, delta };
  }
  /** Penalty weight of each parameter (λ in objective − λ·p²). */
  penalties(spec: OrdinalSpec): Float64Array {
    const w = new Float64Array(this.P);
    if (spec.thresholdAnchor) for (let t = 0; t < this.T; t++) w[t] = spec.thresholdAnchor.lambda;
    for (let a = 0; a < this.k; a++) w[this.beta(a)] = spec.lambdaBeta ?? 0;
    if (this.perGroup > 0)
      for (let g = 0; g < this.G; g++) {
        w[this.alpha(g)] = spec.lambdaIntercept;
        if (this.slopes) for (let a = 0; a < this.k; a++) w[this.delta(g, a)] = spec.lambdaSlope;
      }
    return w;
  }
}

/** Per-group effective slopes b_g = β + δ_g (G × k) and intercepts α_g. */
export function groupCoefficients(p: OrdinalParams, k: number, G: number): { b: Float64Array; a: Float64Array } {
  const b = new Float64Array(G * k);
  const a = new Float64Array(G);
  for (let g = 0; g < G; g++) {
    a[g] = p.alpha.length > 0 ? p.alpha[g]! : 0;
    for (let j = 0; j < k; j++) b[g * k + j] = p.beta[j]! + (p.delta.length > 0 ? p.delta[g * k + j]! : 0);
  }
  return { b, a };
}

const included = (filter: RowFilter | undefined, i: number): boolean => {
  if (!filter) return true;
  const id = filter.ids[i]!;
  if (filter.skip !== undefined && id === filter.skip) return false;
  if (filter.only !== undefined) return id === filter.only;
  if (filter.exclude !== undefined) return id !== filter.exclude;
  return true;
};

export interface Evaluation {
  logLik: number;
  objective: number;
  grad: Float64Array;
  /** −H_pen, P × P row-major (full). */
  info: Float64Array;
  rows: number;
}

/** One pass: log-likelihood, gradient and negative Hessian of the penalised objective (exported for the derivative checks in tests). */
export function evaluateOrdinal(
  data: OrdinalData,
  L: Layout,
  v: Float64Array,
  pen: Float64Array,
  filter: RowFilter | undefined,
  withInfo: boolean,
  anchor: ArrayLike<number> | null = null,
): Evaluation {
  const { k, T, G } = L;
  const K1 = k + 1;
  const p = L.unpack(v);
  const { b, a } = groupCoefficients(p, k, G);
  const theta = p.theta;
  const grad = new Float64Array(L.P);
  const sg = new Float64Array(G * K1); // Σ dη·(1, z) per group
  const hg = withInfo ? new Float64Array(G * K1 * K1) : new Float64Array(0); // Σ −hηη (1,z)(1,z)ᵀ, upper
  const ct = withInfo ? new Float64Array(T * G * K1) : new Float64Array(0); // Σ −h_θη (1,z) per threshold, group
  const htt = new Float64Array(T * T);
  let logLik = 0;
  let rows = 0;
  const z = data.z;
  // Rows are processed in blocks of one group: per-row work (probabilities, derivatives) in a row
  // loop, then the k×k cross-products as dot products of contiguous column slices — the same
  // column-wise kernel as the linear moments, several times faster than row-by-row outer products.
  const B = BLOCK;
  const eta = scratch.eta;
  const deta = scratch.deta;
  const hee = scratch.hee;
  const wz = scratch.wz(k);
  let s0 = 0;
  while (s0 < data.n) {
    const g = data.group[s0]!;
    let e0 = Math.min(s0 + B, data.n);
    for (let i = s0 + 1; i < e0; i++)
      if (data.group[i] !== g) {
        e0 = i;
        break;
      }
    const len = e0 - s0;
    const bo = g * k;
    eta.fill(a[g]!, 0, len);
    for (let j = 0; j < k; j++) {
      const bj = b[bo + j]!;
      if (bj === 0) continue;
      const zj = z[j]!;
      for (let r = 0; r < len; r++) eta[r]! += bj * zj[s0 + r]!;
    }
    let sumDeta = 0;
    let sumHee = 0;
    for (let r = 0; r < len; r++) {
      const i = s0 + r;
      if (!included(filter, i)) {
        deta[r] = 0;
        hee[r] = 0;
        continue;
      }
      rows++;
      const m = data.category[i]!;
      const et = eta[r]!;
      let Fu = 1;
      let fu = 0;
      let dfu = 0;
      let Fl = 0;
      let fl = 0;
      let dfl = 0;
      let u = Infinity;
      let l = -Infinity;
      if (m < T) {
        u = theta[m]! - et;
        Fu = logistic(u);
        fu = Fu * (1 - Fu);
        dfu = fu * (1 - 2 * Fu);
      }
      if (m > 0) {
        l = theta[m - 1]! - et;
        Fl = logistic(l);
        fl = Fl * (1 - Fl);
        dfl = fl * (1 - 2 * Fl);
      }
      const prob = Math.max(logisticMass(l, u), 1e-300);
      logLik += Math.log(prob);
      const ru = fu / prob;
      const rl = fl / prob;
      const d = -(ru - rl);
      deta[r] = d;
      sumDeta += d;
      if (m < T) grad[m]! += ru;
      if (m > 0) grad[m - 1]! -= rl;
      if (!withInfo) continue;
      const h = -((dfu - dfl) / prob - d * d); // −∂²ℓ/∂η² ≥ 0
      hee[r] = h;
      sumHee += h;
      // Threshold × linear-parameter entries: per row, 2·(k+1) products.
      if (m < T) {
        const c = dfu / prob + ru * d; // −∂²ℓ/∂θ_m∂η
        htt[m * T + m]! -= dfu / prob - ru * ru;
        const off = (m * G + g) * K1;
        ct[off]! += c;
        for (let j = 0; j < k; j++) ct[off + 1 + j]! += c * z[j]![i]!;
      }
      if (m > 0) {
        const c = -dfl / prob - rl * d; // −∂²ℓ/∂θ_{m−1}∂η
        htt[(m - 1) * T + (m - 1)]! -= -dfl / prob - rl * rl;
        const off = ((m - 1) * G + g) * K1;
        ct[off]! += c;
        for (let j = 0; j < k; j++) ct[off + 1 + j]! += c * z[j]![i]!;
      }
      if (m > 0 && m < T) {
        htt[m * T + (m - 1)]! -= ru * rl;
        htt[(m - 1) * T + m]! -= ru * rl;
      }
    }
    const so = g * K1;
    sg[so]! += sumDeta;
    for (let j = 0; j < k; j++) {
      const zj = z[j]!;
      let acc = 0;
      for (let r = 0; r < len; r++) acc += deta[r]! * zj[s0 + r]!;
      sg[so + 1 + j]! += acc;
    }
    if (withInfo) {
      const ho = g * K1 * K1;
      hg[ho]! += sumHee;
      for (let j = 0; j < k; j++) {
        const zj = z[j]!;
        const w = wz[j]!;
        let acc = 0;
        for (let r = 0; r < len; r++) {
          const v = hee[r]! * zj[s0 + r]!;
          w[r] = v;
          acc += v;
        }
        hg[ho + 1 + j]! += acc;
      }
      for (let p = 0; p < k; p++) {
        const w = wz[p]!;
        const rowOff = ho + (p + 1) * K1 + 1;
        for (let q = p; q < k; q++) {
          const zq = z[q]!;
          let acc = 0;
          for (let r = 0; r < len; r++) acc += w[r]! * zq[s0 + r]!;
          hg[rowOff + q]! += acc;
        }
      }
    }
    s0 = e0;
  }
  // Gradient of the linear parameters from the per-group sums.
  for (let g = 0; g < G; g++) {
    const so = g * K1;
    for (let j = 0; j < k; j++) grad[L.beta(j)]! += sg[so + 1 + j]!;
    if (L.perGroup > 0) {
      grad[L.alpha(g)]! += sg[so]!;
      if (L.slopes) for (let j = 0; j < k; j++) grad[L.delta(g, j)]! += sg[so + 1 + j]!;
    }
  }
  let penalty = 0;
  for (let q = 0; q < L.P; q++) {
    if (pen[q] === 0) continue;
    const d = v[q]! - (anchor && q < L.T ? anchor[q]! : 0);
    penalty += pen[q]! * d * d;
    grad[q]! -= 2 * pen[q]! * d;
  }
  const P = L.P;
  const info = new Float64Array(withInfo ? P * P : 0);
  if (withInfo) {
    const set = (r: number, c: number, x: number): void => {
      info[r * P + c]! += x;
      if (r !== c) info[c * P + r]! += x;
    };
    for (let t = 0; t < T; t++) {
      info[t * P + t]! += htt[t * T + t]!;
      if (t + 1 < T) set(t, t + 1, htt[t * T + t + 1]!);
    }
    for (let g = 0; g < G; g++) {
      const ho = g * K1 * K1;
      const H = (r: number, c: number): number => (r <= c ? hg[ho + r * K1 + c]! : hg[ho + c * K1 + r]!);
      // index map of the (1, z) vector into the parameter vector
      for (let r = 1; r < K1; r++)
        for (let c = r; c < K1; c++) {
          const x = H(r, c);
          set(L.beta(r - 1), L.beta(c - 1), x);
          if (L.perGroup > 0 && L.slopes) {
            set(L.delta(g, r - 1), L.delta(g, c - 1), x);
            set(L.beta(r - 1), L.delta(g, c - 1), x);
            if (r !== c) set(L.beta(c - 1), L.delta(g, r - 1), x);
          }
        }
      if (L.perGroup > 0) {
        set(L.alpha(g), L.alpha(g), H(0, 0));
        for (let c = 1; c < K1; c++) {
          set(L.alpha(g), L.beta(c - 1), H(0, c));
          if (L.slopes) set(L.alpha(g), L.delta(g, c - 1), H(0, c));
        }
      }
      for (let t = 0; t < T; t++) {
        const off = (t * G + g) * K1;
        for (let j = 1; j < K1; j++) {
          set(t, L.beta(j - 1), ct[off + j]!);
          if (L.perGroup > 0 && L.slopes) set(t, L.delta(g, j - 1), ct[off + j]!);
        }
        if (L.perGroup > 0) set(t, L.alpha(g), ct[off]!);
      }
    }
    for (let q = 0; q < P; q++) info[q * P + q]! += 2 * pen[q]!;
  }
  return { logLik, objective: logLik - penalty, grad, info, rows };
}

function solve(info: Float64Array, P: number, rhs: Float64Array): Float64Array | null {
  const A = new Matrix(P, P);
  for (let r = 0; r < P; r++) for (let c = 0; c < P; c++) A.set(r, c, info[r * P + c]!);
  const chol = new CholeskyDecomposition(A);
  if (!chol.isPositiveDefinite()) return null;
  const x = chol.solve(Matrix.columnVector(Array.from(rhs)));
  return Float64Array.from(x.getColumn(0));
}

function inverse(info: Float64Array, P: number): Float64Array | null {
  const A = new Matrix(P, P);
  for (let r = 0; r < P; r++) for (let c = 0; c < P; c++) A.set(r, c, info[r * P + c]!);
  const chol = new CholeskyDecomposition(A);
  if (!chol.isPositiveDefinite()) return null;
  const inv = chol.solve(Matrix.eye(P, P));
  const out = new Float64Array(P * P);
  for (let r = 0; r < P; r++) for (let c = 0; c < P; c++) out[r * P + c] = inv.get(r, c);
  return out;
}

/** Empirical-logit thresholds and zero slopes: the usual, always-feasible starting point. */
export function startingParams(data: OrdinalData, L: Layout, filter?: RowFilter): OrdinalParams {
  const counts = new Float64Array(data.C);
  let n = 0;
  for (let i = 0; i < data.n; i++)
    if (included(filter, i)) {
      counts[data.category[i]!]!++;
      n++;
    }
  const theta = new Float64Array(L.T);
  let cum = 0;
  for (let t = 0; t < L.T; t++) {
    cum += counts[t]!;
    const q = Math.min(Math.max((cum + 0.5) / (n + 1), 1e-6), 1 - 1e-6);
    theta[t] = Math.log(q / (1 - q)) + t * 1e-6;
  }
  return { theta, beta: new Float64Array(L.k), alpha: new Float64Array(L.perGroup > 0 ? L.G : 0), delta: new Float64Array(L.perGroup > 0 && L.slopes ? L.G * L.k : 0) };
}

/**
 * Maximum penalised likelihood by Newton's method with step halving (the step is halved while it
 * would unorder the thresholds or lower the objective).
 *
 * @param options.tolerance stop when the largest Newton step is below this (default 1e-8)
 * @param options.covariance compute the inverse information for standard errors (default true)
 */
export function fitOrdinal(
  data: OrdinalData,
  spec: OrdinalSpec,
  options: { filter?: RowFilter; start?: OrdinalParams; tolerance?: number; maxIterations?: number; covariance?: boolean } = {},
): OrdinalResult {
  const L = new Layout(data.z.length, data.C, data.G, spec.slopes);
  const pen = L.penalties(spec);
  const tolerance = options.tolerance ?? 1e-8;
  const maxIterations = options.maxIterations ?? 50;
  let v = L.pack(options.start ?? startingParams(data, L, options.filter));
  const anchor = spec.thresholdAnchor?.values ?? null;
  if (anchor && anchor.length !== L.T) throw new RangeError(`the threshold anchor has ${anchor.length} values for ${L.T} thresholds`);
  let cur = evaluateOrdinal(data, L, v, pen, options.filter, true, anchor);
  let iterations = 0;
  let converged = false;
  while (iterations < maxIterations) {
    const step = solve(cur.info, L.P, cur.grad);
    if (!step) return { ok: false, reason: 'singular', detail: 'The ordinal model’s information matrix is not positive definite: some attributes are linearly dependent.' };
    let maxStep = 0;
    for (const s of step) maxStep = Math.max(maxStep, Math.abs(s));
    if (maxStep < tolerance) {
      converged = true;
      break;
    }
    iterations++;
    let t = 1;
    let accepted = false;
    while (t > 1e-12) {
      const cand = new Float64Array(L.P);
      for (let q = 0; q < L.P; q++) cand[q] = v[q]! + t * step[q]!;
      let ordered = true;
      for (let q = 1; q < L.T; q++) if (!(cand[q]! > cand[q - 1]!)) ordered = false;
      if (ordered) {
        const ev = evaluateOrdinal(data, L, cand, pen, options.filter, true, anchor);
        if (ev.objective >= cur.objective - 1e-12 * Math.abs(cur.objective)) {
          v = cand;
          cur = ev;
          accepted = true;
          break;
        }
      }
      t /= 2;
    }
    if (!accepted) {
      // No ascent is possible along the Newton direction: the optimum is reached to rounding.
      converged = true;
      break;
    }
  }
  let covariance: Float64Array | null = null;
  let effectiveDf = L.P;
  if (options.covariance !== false) {
    covariance = inverse(cur.info, L.P);
    if (covariance) {
      let absorbed = 0;
      for (let q = 0; q < L.P; q++) absorbed += covariance[q * L.P + q]! * 2 * pen[q]!;
      effectiveDf = L.P - absorbed;
    }
  }
  if (!converged) return { ok: false, reason: 'did-not-converge', detail: `The ordinal model did not converge in ${maxIterations} Newton iterations.` };
  let trace = 0;
  for (let a = 0; a < L.k; a++) trace += cur.info[L.beta(a) * L.P + L.beta(a)]! - 2 * pen[L.beta(a)]!;
  const slopeInformation = trace / (L.k * Math.max(cur.rows, 1));
  return { ok: true, fit: { params: L.unpack(v), logLik: cur.logLik, objective: cur.objective, iterations, n: cur.rows, covariance, effectiveDf, converged, slopeInformation } };
}

/** Held-out deviance (−2·log-likelihood) of rows selected by `filter`. */
export function ordinalDeviance(data: OrdinalData, spec: OrdinalSpec, params: OrdinalParams, filter: RowFilter): number {
  const L = new Layout(data.z.length, data.C, data.G, spec.slopes);
  const ev = evaluateOrdinal(data, L, L.pack(params), new Float64Array(L.P), filter, false);
  return -2 * ev.logLik;
}

/** Linear predictor η of every row. */
export function linearPredictor(data: Pick<OrdinalData, 'n' | 'z' | 'group' | 'G'>, params: OrdinalParams): Float64Array {
  const k = data.z.length;
  const { b, a } = groupCoefficients(params, k, data.G);
  const eta = new Float64Array(data.n);
  for (let i = 0; i < data.n; i++) {
    const g = data.group[i]!;
    let e = a[g]!;
    for (let j = 0; j < k; j++) e += b[g * k + j]! * data.z[j]![i]!;
    eta[i] = e;
  }
  return eta;
}

/** Category probabilities at linear predictor η: P(y = c) for c = 0…C−1, written into `out`. */
export function categoryProbabilities(theta: ArrayLike<number>, eta: number, out: Float64Array): Float64Array {
  const T = theta.length;
  let prev = 0;
  for (let c = 0; c < T; c++) {
    const F = logistic(theta[c]! - eta);
    out[c] = Math.max(F - prev, 0);
    prev = F;
  }
  out[T] = 1 - prev;
  return out;
}
