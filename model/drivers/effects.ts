/**
 * What a change of ratings does to a respondent's latent loyalty under a fitted model: the shift on
 * the detractor-side cuts (Δ_L) and on the promoter-side cuts (Δ_U), computed as f(x′) − f(x) of
 * the model's whole effect — the respondent's own cell slopes, the curve hinges, the interactions
 * (a portfolio lifting both attributes of a pair gets the cross term) and the cut-specific slopes.
 * For the linear models (`ols`, `ridge`) there is one channel, in ltr points.
 *
 * The same functions serve what-ifs (./whatIf.ts) and scenario forecasts (model/scenario), so a
 * lift is computed one way everywhere.
 */
import type { DriverModel, OrdinalParameters } from './contract.js';
import type { Population } from './population.js';

/** A model's effects resolved against a population: each respondent's cell, and its coefficients. */
export interface ResolvedEffects {
  kind: 'ordinal' | 'linear';
  k: number;
  /** Cell of each respondent (index into the model's cells, or the fallback at `cells`). */
  cellOf: Int32Array;
  /** Cells + 1 (the last is the fallback): slopes per rating point (latent or ltr units), row-major cells × k. */
  perPoint: Float64Array;
  /** Their standard errors per rating point (0 for the linear models). */
  perPointSe: Float64Array;
  cells: number;
  ordinal: OrdinalParameters | null;
}

const resolved = new WeakMap<Population, Map<string, ResolvedEffects>>();

function keyOf(model: Pick<DriverModel, 'parameters'>): string {
  const p = model.parameters;
  return p.kind === 'ordinal' ? JSON.stringify([p.thresholds, p.cells.map((c) => [c.key, c.intercept]), p.center]) : JSON.stringify([p.groups, p.intercepts, p.sigma]);
}

/** The model's effects on `pop`, cached per population and model (both immutable). */
export function resolveEffects(model: Pick<DriverModel, 'parameters'>, pop: Population): ResolvedEffects {
  const key = keyOf(model);
  const hit = resolved.get(pop)?.get(key);
  if (hit) return hit;
  const k = pop.attributes.length;
  const p = model.parameters;
  let out: ResolvedEffects;
  if (p.kind === 'linear') {
    const G = p.groups.length;
    const perPoint = new Float64Array((G + 1) * k);
    p.slopes.forEach((row, g) => row.forEach((b, j) => (perPoint[g * k + j] = b)));
    p.slopes[0]?.forEach((b, j) => (perPoint[G * k + j] = b));
    const index = new Map(p.groups.map((g, i) => [g, i] as const));
    const cellOf = Int32Array.from(pop.levels.group, (g) => index.get(g) ?? G);
    const perRow = new Int32Array(pop.n);
    for (let i = 0; i < pop.n; i++) perRow[i] = cellOf[pop.group[i]!]!;
    out = { kind: 'linear', k, cellOf: perRow, perPoint, perPointSe: new Float64Array(perPoint.length), cells: G, ordinal: null };
  } else {
    const G = p.cells.length;
    const perPoint = new Float64Array((G + 1) * k);
    const perPointSe = new Float64Array((G + 1) * k);
    const all = [...p.cells, { ...p.fallback, key: [] }];
    all.forEach((c, g) =>
      c.slopes.forEach((b, j) => {
        perPoint[g * k + j] = b / p.scale[j]!;
        perPointSe[g * k + j] = (c.slopeSe[j] ?? 0) / p.scale[j]!;
      }),
    );
    const index = new Map(p.cells.map((c, g) => [c.key.join('\u0000'), g] as const));
    const columns = p.groupBy.map((column) => ({ codes: pop[column], levels: pop.levels[column] }));
    const cellOf = new Int32Array(pop.n);
    const memo = new Map<string, number>();
    for (let i = 0; i < pop.n; i++) {
      const key = columns.map((c) => c.levels[c.codes[i]!]!).join('\u0000');
      let g = memo.get(key);
      if (g === undefined) {
        g = index.get(key) ?? G;
        memo.set(key, g);
      }
      cellOf[i] = g;
    }
    out = { kind: 'ordinal', k, cellOf, perPoint, perPointSe, cells: G, ordinal: p };
  }
  let perPop = resolved.get(pop);
  if (!perPop) resolved.set(pop, (perPop = new Map()));
  if (perPop.size >= 4) perPop.delete(perPop.keys().next().value!);
  perPop.set(key, out);
  return out;
}

/** The latent shifts of `rows` whose ratings of some attributes change to `after` (aligned with `rows`). */
export interface Shifts {
  /** On the detractor-side cuts (and the only one for linear models). */
  dL: Float64Array;
  /** On the promoter-side cuts (the same array when the model has no cut-specific slopes). */
  dU: Float64Array;
}

/**
 * f(x′) − f(x) for each row: `after` maps attribute index → new ratings of `rows`; attributes not
 * in it keep their current value (and still enter the interactions they are part of).
 */
export function latentShifts(effects: ResolvedEffects, pop: Population, rows: Uint32Array, after: ReadonlyMap<number, Float64Array>): Shifts {
  const m = rows.length;
  const k = effects.k;
  const dL = new Float64Array(m);
  const perPoint = effects.perPoint;
  for (const [j, x] of after) {
    const col = pop.columns[j]!;
    for (let q = 0; q < m; q++) {
      const r = rows[q]!;
      const d = x[q]! - col[r]!;
      if (d !== 0) dL[q]! += perPoint[effects.cellOf[r]! * k + j]! * d;
    }
  }
  const p = effects.ordinal;
  if (!p) return { dL, dU: dL };
  for (const curve of p.curves) {
    const x = after.get(curve.attribute);
    if (!x) continue;
    const col = pop.columns[curve.attribute]!;
    const s = p.scale[curve.attribute]!;
    for (let q = 0; q < m; q++) {
      const before = col[rows[q]!]!;
      const now = x[q]!;
      if (now === before) continue;
      let h = 0;
      curve.knots.forEach((t, i) => (h += curve.coefficients[i]! * (Math.max(now - t, 0) - Math.max(before - t, 0))));
      dL[q]! += h / s;
    }
  }
  for (const pair of p.interactions) {
    const xa = after.get(pair.a);
    const xb = after.get(pair.b);
    if (!xa && !xb) continue;
    const ca = pop.columns[pair.a]!;
    const cb = pop.columns[pair.b]!;
    const [ma, sa, mb, sb] = [p.center[pair.a]!, p.scale[pair.a]!, p.center[pair.b]!, p.scale[pair.b]!];
    for (let q = 0; q < m; q++) {
      const r = rows[q]!;
      const a0 = (ca[r]! - ma) / sa;
      const b0 = (cb[r]! - mb) / sb;
      const a1 = xa ? (xa[q]! - ma) / sa : a0;
      const b1 = xb ? (xb[q]! - mb) / sb : b0;
      dL[q]! += pair.coefficient * (a1 * b1 - a0 * b0);
    }
  }
  if (!p.promoterShift) return { dL, dU: dL };
  const dU = dL.slice();
  for (const [j, x] of after) {
    const w = p.promoterShift[j]! / p.scale[j]!;
    if (w === 0) continue;
    const col = pop.columns[j]!;
    for (let q = 0; q < m; q++) dU[q]! += w * (x[q]! - col[rows[q]!]!);
  }
  return { dL, dU };
}

const latentCache = new WeakMap<Population, Map<string, { etaL: Float64Array; etaU: Float64Array }>>();

/**
 * Every respondent's latent scores under an ordinal model (η_L, and η_U on the promoter-side cuts),
 * cached per population: every what-if on the same model and wave reuses them, so a scenario of
 * many initiatives pays for the pass over the columns once.
 */
export function latentScores(effects: ResolvedEffects, pop: Population): { etaL: Float64Array; etaU: Float64Array } {
  const p = effects.ordinal!;
  const key = JSON.stringify([p.thresholds, p.cells.map((c) => [c.key, c.intercept, c.slopes]), p.curves, p.interactions, p.promoterShift, p.center]);
  const hit = latentCache.get(pop)?.get(key);
  if (hit) return hit;
  const k = pop.attributes.length;
  const G = p.cells.length;
  const intercepts = Float64Array.from([...p.cells.map((c) => c.intercept), p.fallback.intercept]);
  const slopes = [...p.cells.map((c) => c.slopes), p.fallback.slopes];
  const etaL = new Float64Array(pop.n);
  for (let i = 0; i < pop.n; i++) etaL[i] = intercepts[effects.cellOf[i]!]!;
  for (let j = 0; j < k; j++) {
    const col = pop.columns[j]!;
    const c = p.center[j]!;
    const perCell = Float64Array.from({ length: G + 1 }, (_, g) => slopes[g]![j]! / p.scale[j]!);
    for (let i = 0; i < pop.n; i++) etaL[i]! += perCell[effects.cellOf[i]!]! * (col[i]! - c);
  }
  for (const curve of p.curves) {
    const col = pop.columns[curve.attribute]!;
    const s = p.scale[curve.attribute]!;
    curve.knots.forEach((t, i) => {
      const w = curve.coefficients[i]! / s;
      for (let r = 0; r < pop.n; r++) if (col[r]! > t) etaL[r]! += w * (col[r]! - t);
    });
  }
  for (const pair of p.interactions) {
    const ca = pop.columns[pair.a]!;
    const cb = pop.columns[pair.b]!;
    const [ma, sa, mb, sb] = [p.center[pair.a]!, p.scale[pair.a]!, p.center[pair.b]!, p.scale[pair.b]!];
    for (let r = 0; r < pop.n; r++) etaL[r]! += pair.coefficient * ((ca[r]! - ma) / sa) * ((cb[r]! - mb) / sb);
  }
  let etaU = etaL;
  if (p.promoterShift) {
    etaU = etaL.slice();
    for (let j = 0; j < k; j++) {
      const w = p.promoterShift[j]! / p.scale[j]!;
      if (w === 0) continue;
      const col = pop.columns[j]!;
      const c = p.center[j]!;
      for (let i = 0; i < pop.n; i++) etaU[i]! += w * (col[i]! - c);
    }
  }
  const out = { etaL, etaU };
  let perPop = latentCache.get(pop);
  if (!perPop) latentCache.set(pop, (perPop = new Map()));
  if (perPop.size >= 4) perPop.delete(perPop.keys().next().value!);
  perPop.set(key, out);
  return out;
}
