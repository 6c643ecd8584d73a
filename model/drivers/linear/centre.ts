/**
 * From moments to the centred, correlation-scaled system every linear fit solves, and the checks
 * that must fail before any division: too few respondents, a constant attribute, a constant ltr.
 * The relative weights (importance.ts) use the same centring, so both refuse the same data.
 */
import type { Moments } from '../moments.js';
import type { DriverModelFailure } from './spec.js';

/**
 * A column or the ltr is constant when its centred sum of squares is below this fraction of its
 * uncentred (shifted) one — the size of the rounding left by the centring subtraction itself.
 */
const CONSTANT_TOLERANCE = 1e-12;

export interface Centred {
  ok: true;
  k: number;
  /** Σw. */
  W: number;
  /** Attribute means x̄ (original scale) and ltr mean ȳ. */
  mean: Float64Array;
  meanY: number;
  /** Centred cross-products Sxx (full, symmetric), Sxy, Syy. */
  sxx: Float64Array;
  syy: number;
  /** dⱼ = √Sxx_jj. */
  d: Float64Array;
  /** Correlation matrix R = D^{-1/2} Sxx D^{-1/2} and r = D^{-1/2} Sxy. */
  R: Float64Array;
  r: Float64Array;
}

/**
 * Centred cross-products from shifted sums: Sxx = Σuuᵀ − (Σu)(Σu)ᵀ/W (the shift c cancels:
 * Σ(x−x̄)(x−x̄)ᵀ = Σ(u−ū)(u−ū)ᵀ with u = x − c), and the checks that must fail before any division.
 */
export function centre(m: Moments, names: readonly string[]): Centred | DriverModelFailure {
  const k = m.k;
  const W = m.weight;
  if (m.rows < k + 2 || !(W > k + 1)) {
    const skipped = m.incomplete > 0 ? ` (${m.incomplete} more skipped for missing answers)` : '';
    return {
      ok: false,
      reason: 'too-few-respondents',
      detail: `${m.rows} complete respondents${skipped}: a model with ${k} attributes needs at least ${k + 2}`,
    };
  }
  const sxx = new Float64Array(k * k);
  for (let i = 0; i < k; i++)
    for (let j = i; j < k; j++) {
      const v = m.xx[i * k + j]! - (m.sumX[i]! * m.sumX[j]!) / W;
      sxx[i * k + j] = v;
      sxx[j * k + i] = v;
    }
  const constant = names.filter((_, j) => !(sxx[j * k + j]! > CONSTANT_TOLERANCE * m.xx[j * k + j]!));
  if (constant.length > 0)
    return {
      ok: false,
      reason: 'constant-attribute',
      detail: `${constant.join(', ')} ${constant.length === 1 ? 'has' : 'have'} the same rating for every respondent, so no effect on ltr can be estimated: drop ${constant.length === 1 ? 'it' : 'them'} from the model`,
      attributes: constant,
    };
  const syy = m.sumYY - (m.sumY * m.sumY) / W;
  if (!(syy > CONSTANT_TOLERANCE * m.sumYY))
    return { ok: false, reason: 'constant-ltr', detail: 'every respondent gave the same likelihood to recommend: there is nothing for the drivers to explain' };
  const d = new Float64Array(k);
  for (let j = 0; j < k; j++) d[j] = Math.sqrt(sxx[j * k + j]!);
  const R = new Float64Array(k * k);
  const r = new Float64Array(k);
  for (let i = 0; i < k; i++) {
    for (let j = 0; j < k; j++) R[i * k + j] = i === j ? 1 : sxx[i * k + j]! / (d[i]! * d[j]!);
    r[i] = (m.xy[i]! - (m.sumX[i]! * m.sumY) / W) / d[i]!;
  }
  const mean = new Float64Array(k);
  for (let j = 0; j < k; j++) mean[j] = m.shift[j]! + m.sumX[j]! / W;
  return { ok: true, k, W, mean, meanY: m.ltrShift + m.sumY / W, sxx, syy, d, R, r };
}
