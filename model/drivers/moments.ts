/**
 * Sufficient statistics of a linear driver model: n, Σx, Σy, Σy², XᵀX and Xᵀy. They are all a
 * least-squares fit needs, they stream (one pass over chunks in any order, memory k² whatever the
 * number of respondents) and they merge exactly, so a 1,000,000-respondent wave is fitted from its
 * stored chunks without ever holding it in memory, and K-fold cross-validation needs no second pass.
 *
 * Numerics: every value is accumulated as a deviation from a fixed per-column shift (the midpoint of
 * the rating scale), which keeps the sums small and limits the cancellation in
 * Sxx = Σ(x−c)(x−c)ᵀ − W·(x̄−c)(x̄−c)ᵀ when the fit centres them. Sums are formed per block of
 * {@link BLOCK_ROWS} rows and then added to the totals (blocked summation: error grows with the
 * number of blocks, not of rows).
 *
 * Missing answers: a respondent is used only if the ltr and every attribute in the model are
 * answered (complete cases, "listwise deletion"); the others are counted in `incomplete` so a caller
 * can report how many respondents the model could not use. Callers that prefer imputation impute
 * before accumulating.
 */
import { DEFAULT_SCALE } from '../dataset.js';

/** Rows processed per internal block: 2,048 rows × 20 attributes is 320 kB of scratch, cache-sized. */
export const BLOCK_ROWS = 2048;

/**
 * Running sums for a linear model with `k` attributes. All sums are weighted (weight 1 per row when
 * no weights are given) and taken over complete rows, on shifted values u = x − shift, v = y − ltrShift.
 */
export interface Moments {
  readonly k: number;
  /** Per-attribute shift c subtracted before accumulating. */
  readonly shift: Float64Array;
  /** Shift subtracted from the ltr before accumulating. */
  readonly ltrShift: number;
  /** Complete rows accumulated. */
  rows: number;
  /** Rows skipped because the ltr or an attribute was not answered. */
  incomplete: number;
  /** Σw: equal to `rows` when unweighted; the sample size the fit uses (frequency weights). */
  weight: number;
  /** Σ w·u, one per attribute. */
  readonly sumX: Float64Array;
  /** Σ w·v. */
  sumY: number;
  /** Σ w·v². */
  sumYY: number;
  /** Σ w·uᵢuⱼ, row-major k×k; only the upper triangle (i ≤ j) is filled. */
  readonly xx: Float64Array;
  /** Σ w·uᵢ·v, one per attribute. */
  readonly xy: Float64Array;
}

export interface MomentsOptions {
  /**
   * Per-attribute shift (one number for all, or one per attribute): use the middle of each
   * attribute's scale. Any fixed value gives the same fit; a value near the mean gives fewer
   * rounding errors.
   * @default 5, the middle of the default 0–10 scale
   */
  shift?: number | ArrayLike<number>;
  /**
   * Shift for the ltr.
   * @default 5, the middle of the 0–10 ltr scale
   */
  ltrShift?: number;
}

const DEFAULT_SHIFT = (DEFAULT_SCALE[0] + DEFAULT_SCALE[1]) / 2;

/**
 * Empty sufficient statistics for `k` attributes, to be fed with {@link addColumns} and combined with
 * {@link mergeMoments}.
 *
 * @example
 * const m = createMoments(wave.attributes.length, { shift: attributes.map((a) => (a.scale[0] + a.scale[1]) / 2) });
 * for (const chunk of chunks) addColumns(m, chunk.ratings, chunk.ltr);
 */
export function createMoments(k: number, options: MomentsOptions = {}): Moments {
  if (!Number.isInteger(k) || k < 1) throw new RangeError(`a driver model needs at least one attribute, got k = ${k}`);
  const shift = new Float64Array(k);
  const given = options.shift ?? DEFAULT_SHIFT;
  if (typeof given === 'number') shift.fill(given);
  else {
    if (given.length !== k) throw new RangeError(`shift has ${given.length} entries for ${k} attributes`);
    for (let j = 0; j < k; j++) shift[j] = given[j]!;
  }
  const ltrShift = options.ltrShift ?? DEFAULT_SHIFT;
  if (!shift.every(Number.isFinite) || !Number.isFinite(ltrShift)) throw new RangeError('shifts must be finite');
  return {
    k,
    shift,
    ltrShift,
    rows: 0,
    incomplete: 0,
    weight: 0,
    sumX: new Float64Array(k),
    sumY: 0,
    sumYY: 0,
    xx: new Float64Array(k * k),
    xy: new Float64Array(k),
  };
}

/**
 * Adds a chunk of respondents given as columns — exactly the shape of
 * {@link import('../dataset.js').RespondentColumns} (`ratings`, `ltr`) — in one pass. Mutates `m`
 * (an accumulator, like `addToMix`). Column input is the fast path: each XᵀX entry becomes a dot
 * product of two contiguous arrays (1,000,000 × 20 in well under a second).
 *
 * @param columns one array per attribute, `NaN` = not answered; length ≥ `n`
 * @param y the ltr (0–10), e.g. the chunk's `Uint8Array`; `NaN` = not answered
 * @param n rows to take from the start of each array (default: the length of `y`)
 * @param weights optional non-negative frequency weights (a weight of 2 counts a respondent twice)
 */
export function addColumns(
  m: Moments,
  columns: readonly Float64Array[],
  y: ArrayLike<number>,
  n: number = y.length,
  weights?: ArrayLike<number>,
): void {
  checkChunk(m.k, columns, y, n, weights);
  accumulate([m], null, 0, columns, y, n, weights);
}

/**
 * Row-major variant of {@link addColumns} (x[r·k + j] is attribute j of row r), for callers that
 * hold rows; it transposes block by block into the same kernel.
 */
export function addRows(m: Moments, x: Float64Array, y: ArrayLike<number>, n: number = y.length, weights?: ArrayLike<number>): void {
  const k = m.k;
  if (x.length < n * k) throw new RangeError(`x has ${x.length} values; ${n} rows × ${k} attributes need ${n * k}`);
  const cols = Array.from({ length: k }, () => new Float64Array(Math.min(n, BLOCK_ROWS)));
  for (let start = 0; start < n; start += BLOCK_ROWS) {
    const len = Math.min(BLOCK_ROWS, n - start);
    for (let r = 0; r < len; r++) {
      const base = (start + r) * k;
      for (let j = 0; j < k; j++) cols[j]![r] = x[base + j]!;
    }
    const ySlice = sliceOf(y, start, len);
    addColumns(m, cols, ySlice, len, weights === undefined ? undefined : sliceOf(weights, start, len));
  }
}

/**
 * Sum of two sets of moments (new object; inputs untouched), so chunks accumulated separately —
 * by parallel workers, or per uploaded batch — combine into exactly the moments of the whole.
 * Both must have the same `k` and shifts.
 */
export function mergeMoments(a: Moments, b: Moments): Moments {
  assertCompatible(a, b);
  const out = createMoments(a.k, { shift: a.shift, ltrShift: a.ltrShift });
  mergeInto(out, a);
  mergeInto(out, b);
  return out;
}

/** Sum of any number of compatible moments (e.g. all folds: the whole data set). */
export function sumMoments(parts: readonly Moments[]): Moments {
  const first = parts[0];
  if (first === undefined) throw new RangeError('sumMoments needs at least one Moments');
  const out = createMoments(first.k, { shift: first.shift, ltrShift: first.ltrShift });
  for (const p of parts) {
    assertCompatible(out, p);
    mergeInto(out, p);
  }
  return out;
}

/**
 * Moments split into K cross-validation folds. A row's fold is {@link foldOf}(global row index, seed),
 * a pure function, so chunks can be accumulated in any order or in parallel and still land in the
 * same folds; K-fold CV is then computed exactly from the K sets of moments without a second pass,
 * and {@link sumMoments} of the folds is the moments of the whole wave (so one pass serves both the
 * fit and its cross-validation). Incomplete rows have no fold: they are all counted on fold 0.
 */
export interface FoldMoments {
  readonly seed: number;
  readonly folds: Moments[];
}

/**
 * Empty per-fold moments; `options.folds` is K (default 10) and `options.seed` fixes the assignment.
 *
 * @example
 * const fm = createFoldMoments(k, { folds: 10, seed: 1 });
 * for (const { chunk, firstRow } of chunks) addColumnsByFold(fm, chunk.ratings, chunk.ltr, firstRow);
 * cvRmse(fm.folds, { method: 'ols' });
 */
export function createFoldMoments(k: number, options: MomentsOptions & { folds?: number; seed: number }): FoldMoments {
  const K = options.folds ?? 10;
  if (!Number.isInteger(K) || K < 2) throw new RangeError(`cross-validation needs at least 2 folds, got ${K}`);
  if (!Number.isInteger(options.seed)) throw new RangeError('the fold seed must be an integer');
  return { seed: options.seed, folds: Array.from({ length: K }, () => createMoments(k, options)) };
}

/**
 * Adds a chunk to per-fold moments. `firstIndex` is the global index of the chunk's first row (its
 * position in the wave), which together with the seed decides each row's fold.
 */
export function addColumnsByFold(
  fm: FoldMoments,
  columns: readonly Float64Array[],
  y: ArrayLike<number>,
  firstIndex: number,
  n: number = y.length,
  weights?: ArrayLike<number>,
): void {
  const first = fm.folds[0]!;
  checkChunk(first.k, columns, y, n, weights);
  if (!Number.isSafeInteger(firstIndex) || firstIndex < 0) throw new RangeError(`firstIndex must be a non-negative integer, got ${firstIndex}`);
  accumulate(fm.folds, fm.seed, firstIndex, columns, y, n, weights);
}

/** Fold-by-fold sum of two per-fold accumulations with the same seed and K (e.g. from parallel workers). */
export function mergeFoldMoments(a: FoldMoments, b: FoldMoments): FoldMoments {
  if (a.seed !== b.seed || a.folds.length !== b.folds.length) throw new RangeError('fold moments with different seeds or fold counts cannot be merged');
  return { seed: a.seed, folds: a.folds.map((f, i) => mergeMoments(f, b.folds[i]!)) };
}

/**
 * The fold (0…K−1) of the row at global position `index`: a 32-bit integer hash (the murmur3
 * finaliser, Appleby 2011) of the index mixed with the seed, mapped to [0, K) by multiply-shift.
 * Deterministic, order-independent and close to uniform; fold sizes are binomial, not equal.
 */
export function foldOf(index: number, seed: number, folds: number): number {
  let h = (Math.imul(index >>> 0, 0x9e3779b1) ^ Math.imul(Math.floor(index / 4294967296) + 0x632be5ab, 0x85ebca77) ^ seed) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  h = (h ^ (h >>> 16)) >>> 0;
  return Math.floor((h / 4294967296) * folds);
}

// ---------------------------------------------------------------------------------------------------

/** The typed arrays a column of numbers can arrive in (a DataView holds no `length`, so is not one). */
type NumberArray = Float64Array | Float32Array | Int32Array | Uint32Array | Int16Array | Uint16Array | Int8Array | Uint8Array | Uint8ClampedArray;

/** Any view over an ArrayLike<number> is one of {@link NumberArray} (BigInt arrays are not ArrayLike<number>). */
function isNumberArray(a: ArrayLike<number>): a is NumberArray {
  return ArrayBuffer.isView(a);
}

/** Rows start…start+len of a column: a view for typed arrays (no copy), a copy otherwise. */
function sliceOf(a: ArrayLike<number>, start: number, len: number): ArrayLike<number> {
  if (isNumberArray(a)) return a.subarray(start, start + len);
  return Array.prototype.slice.call(a, start, start + len) as number[];
}

function checkChunk(k: number, columns: readonly Float64Array[], y: ArrayLike<number>, n: number, weights?: ArrayLike<number>): void {
  if (columns.length !== k) throw new RangeError(`${columns.length} attribute columns for a model of ${k}`);
  if (!Number.isInteger(n) || n < 0 || y.length < n || columns.some((c) => c.length < n) || (weights !== undefined && weights.length < n))
    throw new RangeError(`every column must hold at least n = ${n} rows`);
}

function assertCompatible(a: Moments, b: Moments): void {
  if (a.k !== b.k) throw new RangeError(`cannot merge moments of ${a.k} and ${b.k} attributes`);
  if (a.ltrShift !== b.ltrShift || a.shift.some((c, j) => c !== b.shift[j])) throw new RangeError('cannot merge moments accumulated with different shifts');
}

function mergeInto(out: Moments, p: Moments): void {
  out.rows += p.rows;
  out.incomplete += p.incomplete;
  out.weight += p.weight;
  out.sumY += p.sumY;
  out.sumYY += p.sumYY;
  for (let j = 0; j < out.k; j++) {
    out.sumX[j]! += p.sumX[j]!;
    out.xy[j]! += p.xy[j]!;
  }
  for (let i = 0; i < out.xx.length; i++) out.xx[i]! += p.xx[i]!;
}

/**
 * The one kernel behind every entry point. Per block: mark incomplete rows, assign complete rows to
 * their fold (seed null: a single target) and copy them, shifted, into a column-major scratch sorted
 * by fold (counting sort); then each fold's contiguous segment is reduced with dot products.
 */
function accumulate(
  targets: readonly Moments[],
  seed: number | null,
  firstIndex: number,
  columns: readonly Float64Array[],
  y: ArrayLike<number>,
  n: number,
  weights: ArrayLike<number> | undefined,
): void {
  const K = targets.length;
  const m0 = targets[0]!;
  const k = m0.k;
  const shift = m0.shift;
  const cy = m0.ltrShift;
  const cap = Math.min(n, BLOCK_ROWS);
  if (cap === 0) return;
  const u = new Float64Array(k * cap);
  const v = new Float64Array(cap);
  const w = weights === undefined ? null : new Float64Array(cap);
  const uw = weights === undefined ? u : new Float64Array(k * cap);
  const dest = new Int32Array(cap);
  const counts = new Int32Array(K + 1);
  const fold = new Int32Array(cap);

  for (let start = 0; start < n; start += cap) {
    const len = Math.min(cap, n - start);
    // 1. Completeness: a row is usable when its ltr, weight and every rating are present.
    for (let r = 0; r < len; r++) {
      const yr = y[start + r]!;
      dest[r] = yr === yr ? 0 : -1;
    }
    if (weights !== undefined)
      for (let r = 0; r < len; r++) {
        const wr = weights[start + r]!;
        if (!(wr >= 0) || wr === Infinity) throw new RangeError(`weight ${wr} at row ${start + r}: weights must be finite and ≥ 0`);
      }
    for (let j = 0; j < k; j++) {
      const col = columns[j]!;
      for (let r = 0; r < len; r++) {
        const x = col[start + r]!;
        if (x !== x) dest[r] = -1;
      }
    }
    // 2. Fold of each complete row and a counting sort into contiguous fold segments.
    counts.fill(0);
    let skipped = 0;
    for (let r = 0; r < len; r++) {
      if (dest[r] === -1) {
        skipped++;
        continue;
      }
      const f = seed === null ? 0 : foldOf(firstIndex + start + r, seed, K);
      fold[r] = f;
      counts[f + 1]!++;
    }
    for (let f = 0; f < K; f++) counts[f + 1]! += counts[f]!;
    const offsets = counts.slice(0, K + 1); // segment start per fold; counts[K] = complete rows
    const next = counts.slice(0, K);
    for (let r = 0; r < len; r++) if (dest[r] !== -1) dest[r] = next[fold[r]!]!++;
    // 3. Shifted copies in fold order.
    for (let j = 0; j < k; j++) {
      const col = columns[j]!;
      const base = j * cap;
      const c = shift[j]!;
      for (let r = 0; r < len; r++) {
        const d = dest[r]!;
        if (d !== -1) u[base + d] = col[start + r]! - c;
      }
    }
    for (let r = 0; r < len; r++) {
      const d = dest[r]!;
      if (d !== -1) v[d] = y[start + r]! - cy;
    }
    if (w !== null && weights !== undefined) {
      for (let r = 0; r < len; r++) {
        const d = dest[r]!;
        if (d !== -1) w[d] = weights[start + r]!;
      }
      for (let j = 0; j < k; j++) {
        const base = j * cap;
        for (let d = 0; d < offsets[K]!; d++) uw[base + d] = u[base + d]! * w[d]!;
      }
    }
    // 4. Reductions per fold segment.
    targets[0]!.incomplete += skipped;
    for (let f = 0; f < K; f++) {
      const lo = offsets[f]!;
      const hi = offsets[f + 1]!;
      if (hi === lo) continue;
      reduceSegment(targets[f]!, u, uw, v, w, cap, lo, hi);
    }
  }
}

/** Adds Σ over rows [lo, hi) of the scratch to `m`. `uw` is u·w (the same array as u when unweighted). */
function reduceSegment(
  m: Moments,
  u: Float64Array,
  uw: Float64Array,
  v: Float64Array,
  w: Float64Array | null,
  cap: number,
  lo: number,
  hi: number,
): void {
  const k = m.k;
  m.rows += hi - lo;
  let sw = 0;
  let sv = 0;
  let svv = 0;
  if (w === null) {
    sw = hi - lo;
    for (let d = lo; d < hi; d++) {
      const vd = v[d]!;
      sv += vd;
      svv += vd * vd;
    }
  } else {
    for (let d = lo; d < hi; d++) {
      const vd = v[d]!;
      const wd = w[d]!;
      sw += wd;
      sv += wd * vd;
      svv += wd * vd * vd;
    }
  }
  m.weight += sw;
  m.sumY += sv;
  m.sumYY += svv;
  const xx = m.xx;
  for (let i = 0; i < k; i++) {
    const bi = i * cap;
    let sx = 0;
    let sxy = 0;
    for (let d = lo; d < hi; d++) {
      const a = uw[bi + d]!;
      sx += a;
      sxy += a * v[d]!;
    }
    m.sumX[i]! += sx;
    m.xy[i]! += sxy;
    // XᵀX row i, four columns at a time so each uw value is loaded once per four products.
    let j = i;
    for (; j + 3 < k; j += 4) {
      const b0 = j * cap;
      const b1 = b0 + cap;
      const b2 = b1 + cap;
      const b3 = b2 + cap;
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      for (let d = lo; d < hi; d++) {
        const a = uw[bi + d]!;
        s0 += a * u[b0 + d]!;
        s1 += a * u[b1 + d]!;
        s2 += a * u[b2 + d]!;
        s3 += a * u[b3 + d]!;
      }
      const row = i * k + j;
      xx[row]! += s0;
      xx[row + 1]! += s1;
      xx[row + 2]! += s2;
      xx[row + 3]! += s3;
    }
    for (; j < k; j++) {
      const bj = j * cap;
      let s = 0;
      for (let d = lo; d < hi; d++) s += uw[bi + d]! * u[bj + d]!;
      xx[i * k + j]! += s;
    }
  }
}
