/**
 * From a population to the rows the latent-score model is fitted on: the features each respondent's
 * ratings give (standardised ratings, curve hinges, interaction products), the groups each belongs
 * to in every level of a structure (segment, role, their crossed cells), and the order that keeps
 * each finest group contiguous for the fitting pass.
 *
 * **Curves** are monotone-friendly piecewise-linear effects: an attribute's effect is
 * β·z + Σ_t c_t·(x − t)₊ / s with knots t on its own scale, so the slope changes by c_t at each knot
 * (diminishing returns above a knot, a floor below which dissatisfaction bites); the penalty on c
 * pulls the curve toward the straight line. **Interactions** are products of standardised ratings.
 * A what-if evaluates the features at the new ratings and takes the difference, f(x′) − f(x).
 */
import type { Population } from '../population.js';
import type { LatentData } from './evaluate.js';

/** A curved attribute: its index among the ratings and its knots, on the attribute's own scale. */
export interface CurveSpec {
  attribute: number;
  knots: number[];
}

/** A pair of ratings whose product is a feature. */
export interface InteractionSpec {
  a: number;
  b: number;
}

export interface FeatureSpec {
  k: number;
  curves: readonly CurveSpec[];
  interactions: readonly InteractionSpec[];
}

/** How each rating is standardised: z = (x − center) / scale. */
export interface Standardisation {
  center: readonly number[];
  scale: readonly number[];
}

/** Number of features: k ratings, one hinge per knot, one product per interaction. */
export function featureCount(spec: FeatureSpec): number {
  return spec.k + spec.curves.reduce((n, c) => n + c.knots.length, 0) + spec.interactions.length;
}

/** What each feature is, in order, for reports and for mapping coefficients back. */
export function featureLabels(spec: FeatureSpec): ({ kind: 'rating'; a: number } | { kind: 'hinge'; a: number; knot: number } | { kind: 'product'; a: number; b: number })[] {
  const out: ReturnType<typeof featureLabels> = [];
  for (let a = 0; a < spec.k; a++) out.push({ kind: 'rating', a });
  for (const c of spec.curves) for (const t of c.knots) out.push({ kind: 'hinge', a: c.attribute, knot: t });
  for (const i of spec.interactions) out.push({ kind: 'product', a: i.a, b: i.b });
  return out;
}

/** Every feature's value for one respondent's ratings `x` (raw units), written into `out`. */
export function featureValues(spec: FeatureSpec, std: Standardisation, x: ArrayLike<number>, out: Float64Array): Float64Array {
  let f = 0;
  for (let a = 0; a < spec.k; a++) out[f++] = (x[a]! - std.center[a]!) / std.scale[a]!;
  for (const c of spec.curves) {
    const s = std.scale[c.attribute]!;
    const v = x[c.attribute]!;
    for (const t of c.knots) out[f++] = v > t ? (v - t) / s : 0;
  }
  for (const i of spec.interactions) out[f++] = ((x[i.a]! - std.center[i.a]!) / std.scale[i.a]!) * ((x[i.b]! - std.center[i.b]!) / std.scale[i.b]!);
  return out;
}

/** Mean and standard deviation of each rating column. */
export function standardisation(columns: readonly Float64Array[], n: number): Standardisation {
  const center: number[] = [];
  const scale: number[] = [];
  for (const col of columns) {
    let s = 0;
    for (let i = 0; i < n; i++) s += col[i]!;
    const mean = s / n;
    let ss = 0;
    for (let i = 0; i < n; i++) ss += (col[i]! - mean) ** 2;
    center.push(mean);
    scale.push(Math.sqrt(ss / n) || 1);
  }
  return { center, scale };
}

/** The feature columns of the rows `order` selects (row r of the result is population row order[r]). */
export function featureColumns(spec: FeatureSpec, std: Standardisation, columns: readonly Float64Array[], order: ArrayLike<number>): Float64Array[] {
  const n = order.length;
  const out: Float64Array[] = [];
  for (let a = 0; a < spec.k; a++) {
    const col = columns[a]!;
    const c = std.center[a]!;
    const s = std.scale[a]!;
    const z = new Float64Array(n);
    for (let r = 0; r < n; r++) z[r] = (col[order[r]!]! - c) / s;
    out.push(z);
  }
  for (const cv of spec.curves) {
    const col = columns[cv.attribute]!;
    const s = std.scale[cv.attribute]!;
    for (const t of cv.knots) {
      const h = new Float64Array(n);
      for (let r = 0; r < n; r++) {
        const v = col[order[r]!]!;
        h[r] = v > t ? (v - t) / s : 0;
      }
      out.push(h);
    }
  }
  for (const i of spec.interactions) {
    const za = out[i.a]!;
    const zb = out[i.b]!;
    const p = new Float64Array(n);
    for (let r = 0; r < n; r++) p[r] = za[r]! * zb[r]!;
    out.push(p);
  }
  return out;
}

/** The grouping columns a structure can use. */
export type GroupColumn = 'segment' | 'role' | 'wave';

/** One level of a structure: a grouping column, or two crossed. */
export interface LevelDef {
  name: string;
  columns: readonly GroupColumn[];
  /** Group of each population row. */
  codes: Uint32Array;
  /** Each group's value in each of `columns`. */
  labels: string[][];
}

function columnCodes(pop: Population, column: GroupColumn): { codes: Uint32Array; levels: string[] } {
  return { codes: pop[column], levels: pop.levels[column] };
}

/**
 * The levels of a structure over `columns` (one or two grouping columns): each column alone, and
 * for two columns their crossed cells (only the combinations that occur).
 */
export function levelsOf(pop: Population, columns: readonly GroupColumn[]): LevelDef[] {
  const out: LevelDef[] = columns.map((column) => {
    const { codes, levels } = columnCodes(pop, column);
    return { name: column, columns: [column], codes, labels: levels.map((l) => [l]) };
  });
  if (columns.length === 2) {
    const [a, b] = columns.map((c) => columnCodes(pop, c));
    const index = new Map<number, number>();
    const labels: string[][] = [];
    const codes = new Uint32Array(pop.n);
    const width = b!.levels.length;
    for (let i = 0; i < pop.n; i++) {
      const key = a!.codes[i]! * width + b!.codes[i]!;
      let g = index.get(key);
      if (g === undefined) {
        g = labels.length;
        index.set(key, g);
        labels.push([a!.levels[a!.codes[i]!]!, b!.levels[b!.codes[i]!]!]);
      }
      codes[i] = g;
    }
    out.push({ name: `${columns[0]} × ${columns[1]}`, columns: [...columns], codes, labels });
  }
  return out;
}

/**
 * The rows sorted by their finest group (the combination of their groups in every level), and each
 * combination's groups: what {@link LatentData} needs besides the features.
 */
export function comboOrder(n: number, levels: readonly LevelDef[], rows?: ArrayLike<number>): { order: Uint32Array; combo: Uint32Array; comboCodes: Uint32Array[] } {
  const m = rows ? rows.length : n;
  const rowAt = (r: number): number => (rows ? rows[r]! : r);
  const index = new Map<string, number>();
  const comboCodes: Uint32Array[] = [];
  const comboOfRow = new Uint32Array(m);
  for (let r = 0; r < m; r++) {
    const i = rowAt(r);
    const key = levels.map((l) => l.codes[i]!).join(',');
    let c = index.get(key);
    if (c === undefined) {
      c = comboCodes.length;
      index.set(key, c);
      comboCodes.push(Uint32Array.from(levels, (l) => l.codes[i]!));
    }
    comboOfRow[r] = c;
  }
  // Counting sort by combo, stable.
  const start = new Uint32Array(comboCodes.length + 1);
  for (let r = 0; r < m; r++) start[comboOfRow[r]! + 1]!++;
  for (let c = 0; c < comboCodes.length; c++) start[c + 1]! += start[c]!;
  const order = new Uint32Array(m);
  const combo = new Uint32Array(m);
  const next = start.slice(0, comboCodes.length);
  for (let r = 0; r < m; r++) {
    const c = comboOfRow[r]!;
    const at = next[c]!++;
    order[at] = rowAt(r);
    combo[at] = c;
  }
  return { order, combo, comboCodes };
}

/** Fitting rows for the given features, levels and answer categories. */
export function latentData(
  pop: Population,
  spec: FeatureSpec,
  std: Standardisation,
  levels: readonly LevelDef[],
  toCategory: Uint8Array,
  C: number,
  rows?: ArrayLike<number>,
): { data: LatentData; order: Uint32Array } {
  const { order, combo, comboCodes } = comboOrder(pop.n, levels, rows);
  const features = featureColumns(spec, std, pop.columns, order);
  const category = new Uint8Array(order.length);
  for (let r = 0; r < order.length; r++) category[r] = toCategory[pop.ltr[order[r]!]!]!;
  return { data: { n: order.length, k: spec.k, features, category, C, combo, comboCodes }, order };
}
