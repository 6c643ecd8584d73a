/**
 * Stages 3–5 of a forecast — rating changes → latent shifts → crossing probabilities: the
 * initiatives' steps applied, in scenario order, to the ratings of the respondents each reaches;
 * f(x′) − f(x) through the whole model (cell slopes, curves, interactions, cut-specific slopes);
 * and each moved respondent's probability of being a promoter and a detractor afterwards, from the
 * model's residual-preserving counterfactual (model/drivers/whatIf.ts).
 */
import type { DriverModel } from '../drivers/contract.js';
import { latentShifts, type ResolvedEffects } from '../drivers/effects.js';
import type { Population } from '../drivers/population.js';
import { applyStep, applyStepAt, crossingProbabilities, gatherColumns, type Crossing } from '../drivers/whatIf.js';
import type { Plan, Which } from './plan.js';

/** Per-respondent outcome of a simulation, for the respondents any chosen initiative reaches. */
export interface Simulation {
  rows: Uint32Array;
  /** New ratings of every touched attribute, aligned with `rows`. */
  after: Map<number, Float64Array>;
  crossing: Crossing;
  /** The latent shifts the crossing was computed from (the halo-adjusted simulation starts from them). */
  shifts: { dL: Float64Array; dU: Float64Array };
}

/** The union of the chosen initiatives' reached respondents, ascending, and each one's position in it. */
function unionOf(pop: Population, chosen: readonly Plan[]): { rows: Uint32Array; position: Int32Array | null } {
  if (chosen.length === 1) return { rows: chosen[0]!.rows, position: null };
  const inAny = new Uint8Array(pop.n);
  for (const p of chosen) for (const r of p.rows) inAny[r] = 1;
  let count = 0;
  for (let r = 0; r < pop.n; r++) count += inAny[r]!;
  const rows = new Uint32Array(count);
  const position = new Int32Array(pop.n).fill(-1);
  for (let r = 0, q = 0; r < pop.n; r++)
    if (inAny[r]) {
      rows[q] = r;
      position[r] = q++;
    }
  return { rows, position };
}

/** The ratings after the chosen initiatives' steps (at `which`), in scenario order. */
export function ratingChanges(pop: Population, chosen: readonly Plan[], which: Which): { rows: Uint32Array; after: Map<number, Float64Array> } {
  const touched = [...new Set(chosen.flatMap((p) => p.steps[which].map((s) => s.index)))];
  const { rows, position } = unionOf(pop, chosen);
  const after = gatherColumns(pop, touched, rows);
  for (const p of chosen) {
    if (!position) {
      for (const step of p.steps[which]) applyStep(step, after.get(step.index)!);
      continue;
    }
    const idx = new Uint32Array(p.rows.length);
    for (let t = 0; t < idx.length; t++) idx[t] = position[p.rows[t]!]!;
    for (const step of p.steps[which]) applyStepAt(step, after.get(step.index)!, idx);
  }
  return { rows, after };
}

/** The whole chain for the chosen initiatives; `withPoints` keeps what the parameter gradient needs. */
export function simulate(model: DriverModel, effects: ResolvedEffects, pop: Population, chosen: readonly Plan[], which: Which, withPoints: boolean): Simulation {
  const { rows, after } = ratingChanges(pop, chosen, which);
  const shifts = latentShifts(effects, pop, rows, after);
  return { rows, after, shifts, crossing: crossingProbabilities(model, pop, rows, shifts, withPoints) };
}

/**
 * The halo-adjusted simulation: every cell's slope of a changed attribute moved by its correction
 * (within − pooled, latent units per rating point), so the shift keeps only what holds within
 * accounts. Also returns each attribute's rating change, for the corrections' share of the error.
 */
export function haloSimulate(model: DriverModel, pop: Population, sim: Simulation, corrections: ReadonlyMap<number, number>): { crossing: Crossing; deltaX: Map<number, Float64Array> } {
  const { rows, after } = sim;
  const whole = sim.shifts;
  const dL = whole.dL.slice();
  const dU = whole.dU === whole.dL ? dL : whole.dU.slice();
  const deltaX = new Map<number, Float64Array>();
  for (const [j, x] of after) {
    const col = pop.columns[j]!;
    const d = new Float64Array(rows.length);
    for (let q = 0; q < rows.length; q++) d[q] = x[q]! - col[rows[q]!]!;
    deltaX.set(j, d);
    const c = corrections.get(j) ?? 0;
    if (c === 0) continue;
    for (let q = 0; q < rows.length; q++) {
      dL[q]! += c * d[q]!;
      if (dU !== dL) dU[q]! += c * d[q]!;
    }
  }
  return { crossing: crossingProbabilities(model, pop, rows, { dL, dU }), deltaX };
}
