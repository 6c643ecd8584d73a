/**
 * The budget optimiser's arithmetic: the slider's range, the efficient frontier as drawn, and how
 * to tell the worker's job record (202) from a result. Pure, tested in test/unit/dashboardPanels.test.ts.
 */
import type { InitiativeForecast, OptimizationJob, OptimizationResult } from './contract.js';
import { niceStep } from './format.js';

export interface BudgetRange {
  /** The slider's step: a round number, about 1/200 of the whole programme's cost. */
  step: number;
  /** The whole programme's cost, rounded up to a step. */
  max: number;
  /** Where the slider starts: half the programme, on a step. */
  initial: number;
}

/** The budget slider for these initiatives: from 0 to everything, starting at half. */
export function budgetRange(initiatives: readonly InitiativeForecast[]): BudgetRange {
  const total = initiatives.reduce((s, o) => s + o.cost.total, 0);
  const step = niceStep(total / 200);
  const max = Math.ceil(total / step) * step;
  return { step, max, initial: Math.min(max, Math.round((total * 0.5) / step) * step) };
}

/** A portfolio on the frontier chart: its cost, its objective and the initiatives it funds. */
export interface FrontierPoint {
  x: number;
  y: number;
  ids: readonly string[];
  /** The flat run from the last portfolio to the end of the axis (no marker, no tooltip). */
  extension?: true;
}

/** The selection's point on the frontier chart (none before the optimiser answered, or for an empty answer). */
export function selectedPoint(selection: OptimizationResult | null): FrontierPoint[] {
  return selection && selection.value ? [{ x: selection.value.cost, y: selection.value.objective, ids: selection.selected }] : [];
}

/**
 * The efficient portfolios (the frontier's levels, the empty one and the current selection) at
 * their own cost, keeping only those that beat every cheaper one, then flat to `budgetMax`.
 * Between two of them the best value for the money stays that of the cheaper: a step, not a slope.
 */
export function frontierPoints(frontier: OptimizationResult['frontier'], selection: OptimizationResult | null, budgetMax: number): FrontierPoint[] {
  const all: FrontierPoint[] = [{ x: 0, y: 0, ids: [] }, ...frontier.map((f) => ({ x: f.cost, y: f.objective, ids: f.selected })), ...selectedPoint(selection)];
  all.sort((a, b) => a.x - b.x || b.y - a.y);
  const out: FrontierPoint[] = [];
  for (const p of all) if (out.length === 0 || p.y > out[out.length - 1]!.y + 1e-9) out.push(p);
  const last = out[out.length - 1]!;
  if (last.x < budgetMax) out.push({ x: budgetMax, y: last.y, ids: last.ids, extension: true });
  return out;
}

/**
 * True for the worker's record of an optimisation (a large scenario answers 202 with it, and
 * `GET …/optimizations/{id}` with its state) rather than the result itself.
 */
export function isOptimizationJob(body: OptimizationResult | OptimizationJob | null): body is OptimizationJob {
  return body !== null && 'status' in body && typeof body.status === 'string' && 'scenarioVersion' in body && body.scenarioVersion !== undefined;
}
