/**
 * One pass over the respondents: the penalised log-likelihood of the latent-score model
 * (./layout.ts), its gradient and its information (the negative Hessian), for Newton's method.
 *
 * Each respondent's answer c bounds their latent score between two thresholds, each on its own
 * channel: the detractor-side cuts read η_L, the promoter-side cuts η_U = η_L + ω·z (equal without
 * cut-specific slopes). Per respondent the pass needs the first and second derivatives of
 * log(F(θ_c − η) − F(θ_{c−1} − η)) in the two channels; everything else is sums of those times the
 * respondent's features, accumulated per finest group ("combo": the respondent's group in every
 * level) as dot products of contiguous column slices — O(n·F²/2) a pass, whatever the number of
 * groups — and assembled into the P × P information at the end.
 *
 * Derivatives (ℓ = log A, A = F(u) − F(l), u = θ_c − η_{ch(c)}, l = θ_{c−1} − η_{ch(c−1)}, f = F′):
 *   ∂ℓ/∂u = f(u)/A,  ∂ℓ/∂l = −f(l)/A,  ℓ_uu = f′(u)/A − (f(u)/A)²,  ℓ_ll = −f′(l)/A − (f(l)/A)²,
 *   ℓ_ul = f(u)f(l)/A²,  and ∂u/∂η = ∂l/∂η = −1, ∂u/∂θ_c = ∂l/∂θ_{c−1} = 1.
 * Checked against central finite differences in test/unit/latent.test.ts.
 */
import { LatentLayout } from './layout.js';
import { linkMass, linkValues, massBetween } from './link.js';

/** Respondents for the fit, rows sorted by combo so each finest group is contiguous. */
export interface LatentData {
  n: number;
  /** Ratings among the features (the first k columns). */
  k: number;
  /** Feature columns φ (length F): the k standardised ratings, then hinges and products. */
  features: readonly Float64Array[];
  /** Observed-category index of each row, 0…C−1. */
  category: Uint8Array;
  /** Observed categories (≥ 2). */
  C: number;
  /** Finest group of each row (0…combos−1). */
  combo: Uint32Array;
  /** Per combo, its group in each level of the layout. */
  comboCodes: readonly Uint32Array[];
}

/** Which rows a pass uses: rows whose fold id is in the set. */
export interface RowFilter {
  ids: Uint8Array;
  /** Keep rows whose id differs from `exclude` (training) … */
  exclude?: number;
  /** … or only rows whose id equals `only` (held-out evaluation). */
  only?: number;
}

export interface Evaluation {
  logLik: number;
  objective: number;
  grad: Float64Array;
  /** −H of the penalised objective, P × P row-major (empty when not asked for). */
  info: Float64Array;
  rows: number;
}

/** P(a < ε ≤ b) for a standard logistic ε, without cancellation in either tail. */
export function logisticMass(a: number, b: number): number {
  return linkMass('logit', a, b);
}

/** Rows of one block of the pass (a few columns of this length stay in cache). */
const BLOCK = 1024;

/** Effective coefficients of one combo: intercept, the F feature coefficients, and ω. */
export function comboCoefficients(L: LatentLayout, v: ArrayLike<number>, codes: ArrayLike<number>): { a: number; b: Float64Array } {
  let a = 0;
  const b = new Float64Array(L.F);
  for (let f = 0; f < L.F; f++) b[f] = v[L.beta(f)]!;
  L.levels.forEach((level, l) => {
    const g = codes[l]!;
    if (level.intercepts) a += v[L.intercept(l, g)]!;
    if (level.slopes) for (let j = 0; j < L.k; j++) b[j]! += v[L.slope(l, g, j)]!;
  });
  return { a, b };
}

/**
 * The pass. With `withInfo` false only the log-likelihood and gradient are computed (held-out
 * deviance, line search).
 */
export function evaluateLatent(
  data: LatentData,
  L: LatentLayout,
  v: Float64Array,
  pen: Float64Array,
  filter: RowFilter | undefined,
  withInfo: boolean,
  anchor: ArrayLike<number> | null = null,
): Evaluation {
  const { T, F, k, ppo, upperFrom, link } = L;
  const lv = new Float64Array(8);
  const F1 = F + 1;
  const G = data.comboCodes.length;
  const feats = data.features;
  const omega = new Float64Array(k);
  if (ppo) for (let a = 0; a < k; a++) omega[a] = v[L.omega(a)]!;
  const theta = v.subarray(0, T);

  // Per-combo sums.
  const gTot = new Float64Array(G * F1);
  const gU = ppo ? new Float64Array(G * k) : new Float64Array(0);
  const mTot = withInfo ? new Float64Array(G * F1 * F1) : new Float64Array(0);
  const mXU = withInfo && ppo ? new Float64Array(G * F1 * k) : new Float64Array(0);
  const mUU = withInfo && ppo ? new Float64Array(G * k * k) : new Float64Array(0);
  const ctTot = withInfo ? new Float64Array(T * G * F1) : new Float64Array(0);
  const ctU = withInfo && ppo ? new Float64Array(T * G * k) : new Float64Array(0);
  const htt = new Float64Array(T * T);
  const gTheta = new Float64Array(T);

  const eta = new Float64Array(BLOCK);
  const etaU = new Float64Array(BLOCK);
  const dTot = new Float64Array(BLOCK);
  const dU = new Float64Array(BLOCK);
  const wTot = new Float64Array(BLOCK);
  const wXU = new Float64Array(BLOCK);
  const wUU = new Float64Array(BLOCK);
  const scratch = new Float64Array(BLOCK);

  let logLik = 0;
  let rows = 0;
  const ids = filter?.ids;
  const only = filter?.only;
  const exclude = filter?.exclude;

  let s0 = 0;
  while (s0 < data.n) {
    const c = data.combo[s0]!;
    let e0 = Math.min(s0 + BLOCK, data.n);
    for (let i = s0 + 1; i < e0; i++)
      if (data.combo[i] !== c) {
        e0 = i;
        break;
      }
    const len = e0 - s0;
    const { a: a0, b } = comboCoefficients(L, v, data.comboCodes[c]!);
    eta.fill(a0, 0, len);
    for (let f = 0; f < F; f++) {
      const bf = b[f]!;
      if (bf === 0) continue;
      const col = feats[f]!;
      for (let r = 0; r < len; r++) eta[r]! += bf * col[s0 + r]!;
    }
    if (ppo) {
      etaU.set(eta.subarray(0, len));
      for (let a = 0; a < k; a++) {
        const w = omega[a]!;
        if (w === 0) continue;
        const col = feats[a]!;
        for (let r = 0; r < len; r++) etaU[r]! += w * col[s0 + r]!;
      }
    }
    let sumTot = 0;
    let sumWTot = 0;
    for (let r = 0; r < len; r++) {
      const i = s0 + r;
      if (ids && ((only !== undefined && ids[i] !== only) || (exclude !== undefined && ids[i] === exclude))) {
        dTot[r] = dU[r] = wTot[r] = wXU[r] = wUU[r] = 0;
        continue;
      }
      rows++;
      const m = data.category[i]!;
      // Channels of the two bounds: U from threshold upperFrom on (when ω is in the model).
      // A missing bound (the bottom or top category) takes the channel of the other one.
      let cuU = ppo && m < T && m >= upperFrom;
      let clU = ppo && m > 0 && m - 1 >= upperFrom;
      if (m >= T) cuU = clU;
      if (m <= 0) clU = cuU;
      const eU = ppo ? etaU[r]! : eta[r]!;
      const eL = eta[r]!;
      // F, 1 − F, f, f′ at the upper bound (lv[0…3]) and the lower bound (lv[4…7]).
      linkValues(link, m < T ? theta[m]! - (cuU ? eU : eL) : Infinity, lv, 0);
      linkValues(link, m > 0 ? theta[m - 1]! - (clU ? eU : eL) : -Infinity, lv, 4);
      const fu = lv[2]!;
      const dfu = lv[3]!;
      const fl = lv[6]!;
      const dfl = lv[7]!;
      const A = Math.max(massBetween(lv, 4, lv, 0), 1e-300);
      logLik += Math.log(A);
      const gu = fu / A;
      const gl = fl / A;
      if (m < T) gTheta[m]! += gu;
      if (m > 0) gTheta[m - 1]! -= gl;
      // ∂ℓ/∂η per channel.
      const dl = (clU ? 0 : gl) + (cuU ? 0 : -gu);
      const du = (clU ? gl : 0) + (cuU ? -gu : 0);
      dTot[r] = dl + du;
      dU[r] = du;
      sumTot += dl + du;
      if (!withInfo) continue;
      const luu = dfu / A - gu * gu;
      const lll = -dfl / A - gl * gl;
      const lul = gu * gl;
      // −∂²ℓ/∂η_X∂η_Y.
      let hLL = 0;
      let hLU = 0;
      let hUU = 0;
      if (!cuU && !clU) hLL = -(luu + lll + 2 * lul);
      else if (cuU && clU) hUU = -(luu + lll + 2 * lul);
      else {
        // Upper bound on U, lower on L (the boundary category).
        hUU = -luu;
        hLL = -lll;
        hLU = -lul;
      }
      const wt = hLL + 2 * hLU + hUU;
      wTot[r] = wt;
      wXU[r] = hLU + hUU;
      wUU[r] = hUU;
      sumWTot += wt;
      // Thresholds: −∂²ℓ/∂θ² and −∂²ℓ/∂θ∂(shared parameter) per row.
      if (m < T) {
        htt[m * T + m]! -= luu;
        const cTot = luu + lul;
        const off = (m * G + c) * F1;
        ctTot[off]! += cTot;
        for (let f = 0; f < F; f++) ctTot[off + 1 + f]! += cTot * feats[f]![i]!;
        if (ppo) {
          const cU = (cuU ? luu : 0) + (clU ? lul : 0);
          if (cU !== 0) {
            const uo = (m * G + c) * k;
            for (let a = 0; a < k; a++) ctU[uo + a]! += cU * feats[a]![i]!;
          }
        }
      }
      if (m > 0) {
        htt[(m - 1) * T + (m - 1)]! -= lll;
        const cTot = lll + lul;
        const off = ((m - 1) * G + c) * F1;
        ctTot[off]! += cTot;
        for (let f = 0; f < F; f++) ctTot[off + 1 + f]! += cTot * feats[f]![i]!;
        if (ppo) {
          const cU = (clU ? lll : 0) + (cuU ? lul : 0);
          if (cU !== 0) {
            const uo = ((m - 1) * G + c) * k;
            for (let a = 0; a < k; a++) ctU[uo + a]! += cU * feats[a]![i]!;
          }
        }
      }
      if (m > 0 && m < T) {
        htt[m * T + (m - 1)]! -= lul;
        htt[(m - 1) * T + m]! -= lul;
      }
    }
    // Column kernels over the block.
    const go = c * F1;
    gTot[go]! += sumTot;
    for (let f = 0; f < F; f++) {
      const col = feats[f]!;
      let acc = 0;
      for (let r = 0; r < len; r++) acc += dTot[r]! * col[s0 + r]!;
      gTot[go + 1 + f]! += acc;
    }
    if (ppo)
      for (let a = 0; a < k; a++) {
        const col = feats[a]!;
        let acc = 0;
        for (let r = 0; r < len; r++) acc += dU[r]! * col[s0 + r]!;
        gU[c * k + a]! += acc;
      }
    if (withInfo) {
      const mo = c * F1 * F1;
      mTot[mo]! += sumWTot;
      for (let p = 0; p < F; p++) {
        const cp = feats[p]!;
        for (let r = 0; r < len; r++) scratch[r] = wTot[r]! * cp[s0 + r]!;
        let acc0 = 0;
        for (let r = 0; r < len; r++) acc0 += scratch[r]!;
        mTot[mo + 1 + p]! += acc0;
        const rowOff = mo + (p + 1) * F1 + 1;
        for (let q = p; q < F; q++) {
          const cq = feats[q]!;
          let acc = 0;
          for (let r = 0; r < len; r++) acc += scratch[r]! * cq[s0 + r]!;
          mTot[rowOff + q]! += acc;
        }
      }
      if (ppo) {
        const xo = c * F1 * k;
        const uo = c * k * k;
        for (let a = 0; a < k; a++) {
          const ca = feats[a]!;
          for (let r = 0; r < len; r++) scratch[r] = wXU[r]! * ca[s0 + r]!;
          let acc0 = 0;
          for (let r = 0; r < len; r++) acc0 += scratch[r]!;
          mXU[xo + a]! += acc0; // ψ index 0 (the constant) × z_a
          for (let f = 0; f < F; f++) {
            const cf = feats[f]!;
            let acc = 0;
            for (let r = 0; r < len; r++) acc += scratch[r]! * cf[s0 + r]!;
            mXU[xo + (1 + f) * k + a]! += acc;
          }
          for (let r = 0; r < len; r++) scratch[r] = wUU[r]! * ca[s0 + r]!;
          for (let b2 = a; b2 < k; b2++) {
            const cb = feats[b2]!;
            let acc = 0;
            for (let r = 0; r < len; r++) acc += scratch[r]! * cb[s0 + r]!;
            mUU[uo + a * k + b2]! += acc;
          }
        }
      }
    }
    s0 = e0;
  }

  // Assembly.
  const P = L.P;
  const grad = new Float64Array(P);
  grad.set(gTheta, 0);
  const info = new Float64Array(withInfo ? P * P : 0);
  const add = (r: number, cIdx: number, x: number): void => {
    if (x === 0) return;
    info[r * P + cIdx]! += x;
    if (r !== cIdx) info[cIdx * P + r]! += x;
  };
  for (let c = 0; c < G; c++) {
    const targets = L.targets(data.comboCodes[c]!);
    const go = c * F1;
    for (let i = 0; i < F1; i++) {
      const g = gTot[go + i]!;
      if (g !== 0) for (const p of targets[i]!) grad[p]! += g;
    }
    if (ppo) for (let a = 0; a < k; a++) grad[L.omega(a)]! += gU[c * k + a]!;
    if (!withInfo) continue;
    const mo = c * F1 * F1;
    for (let i = 0; i < F1; i++)
      for (let j = i; j < F1; j++) {
        const x = mTot[mo + i * F1 + j]!;
        if (x === 0) continue;
        for (const p of targets[i]!)
          for (const q of targets[j]!) {
            if (i === j && q < p) continue; // the same pair once
            add(p, q, x);
          }
      }
    for (let t = 0; t < T; t++) {
      const off = (t * G + c) * F1;
      for (let i = 0; i < F1; i++) {
        const x = ctTot[off + i]!;
        if (x !== 0) for (const p of targets[i]!) add(t, p, x);
      }
    }
    if (ppo) {
      const xo = c * F1 * k;
      const uo = c * k * k;
      for (let i = 0; i < F1; i++)
        for (let a = 0; a < k; a++) {
          const x = mXU[xo + i * k + a]!;
          if (x !== 0) for (const p of targets[i]!) add(L.omega(a), p, x);
        }
      for (let a = 0; a < k; a++) for (let b2 = a; b2 < k; b2++) add(L.omega(a), L.omega(b2), mUU[uo + a * k + b2]!);
      for (let t = 0; t < T; t++) {
        const uoff = (t * G + c) * k;
        for (let a = 0; a < k; a++) add(t, L.omega(a), ctU[uoff + a]!);
      }
    }
  }
  if (withInfo)
    for (let t = 0; t < T; t++) {
      info[t * P + t]! += htt[t * T + t]!;
      if (t + 1 < T) add(t, t + 1, htt[t * T + t + 1]!);
    }
  let penalty = 0;
  for (let q = 0; q < P; q++) {
    const lam = pen[q]!;
    if (lam === 0) continue;
    const d = v[q]! - (anchor && q < T ? anchor[q]! : 0);
    penalty += lam * d * d;
    grad[q]! -= 2 * lam * d;
    if (withInfo) info[q * P + q]! += 2 * lam;
  }
  return { logLik, objective: logLik - penalty, grad, info, rows };
}
