/**
 * Stage 1 of a forecast — targets and reach: which respondents each initiative reaches, and the
 * rating changes it makes (at its value and at both ends of its range). An initiative's `target`
 * picks respondents; its `reach` picks accounts by a hash of (account, initiative id), so the same
 * accounts are reached when the initiative is forecast alone and inside a portfolio, and a forecast
 * is reproducible without a random seed.
 */
import type { DriverModel } from '../drivers/contract.js';
import type { Population } from '../drivers/population.js';
import { resolveChanges, targetMask, type Step } from '../drivers/whatIf.js';
import type { Initiative, ScenarioFailure, ScenarioInput } from './contract.js';

/** An initiative ready to simulate: its steps at the point value and at both ends of its range. */
export interface Plan {
  initiative: Initiative;
  steps: Record<Which, Step[]>;
  /** Respondents it reaches (targeted and in a reached account), ascending. */
  rows: Uint32Array;
  targeted: number;
  hasRange: boolean;
}

/** The point value of the effects, or an end of their ranges. */
export type Which = 'point' | 'low' | 'high';

/** Stable 32-bit hash of a string (FNV-1a). */
function hashString(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) h = Math.imul(h ^ s.charCodeAt(i), 0x01000193) >>> 0;
  return h;
}

/** Uniform in [0, 1) from an account code and an initiative's hash (murmur3 finaliser). */
function unit(account: number, salt: number): number {
  let h = (Math.imul(account + 1, 0x9e3779b1) ^ salt) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return ((h ^ (h >>> 16)) >>> 0) / 4294967296;
}

/**
 * Whether an initiative reaches an account: a hash of (account, initiative id) below `reach`.
 * Deterministic, so the same accounts are reached alone and in the portfolio, run after run.
 */
export function reaches(account: number, initiativeId: string, reach: number): boolean {
  return reach >= 1 || unit(account, hashString(initiativeId)) < reach;
}

/**
 * Checks what a scenario asks of the model alone (each effect's attribute, value and range), without
 * the respondents: the API runs it before it queues a forecast for the worker, so a scenario naming
 * an attribute the model lacks is refused at once rather than failing later. Targets, revenue bases
 * and role weights need the population and are checked when the forecast runs.
 */
export function checkEffects(model: DriverModel, scenario: ScenarioInput): ScenarioFailure | null {
  for (const [i, initiative] of scenario.initiatives.entries()) {
    const steps = initiativeSteps(model, initiative, i);
    if (!('point' in steps)) return steps;
  }
  return null;
}

/** An initiative's effects as steps at their value and at both ends of their ranges. */
function initiativeSteps(model: DriverModel, initiative: Initiative, i: number): Record<Which, Step[]> | ScenarioFailure {
  const path = `initiatives[${i}].effects`;
  const point = resolveChanges(model, initiative.effects, path);
  if (!Array.isArray(point)) return { ok: false, reason: point.reason as ScenarioFailure['reason'], detail: point.detail, ...(point.field ? { field: point.field } : {}) };
  const ends: Record<'low' | 'high', Step[]> = { low: [], high: [] };
  for (const [e, effect] of initiative.effects.entries()) {
    const [lo, hi] = effect.range ?? [effect.value, effect.value];
    if (effect.range && !(lo <= effect.value && effect.value <= hi))
      return { ok: false, reason: 'invalid-change', detail: `${path}[${e}]: the range [${lo}, ${hi}] must contain the value ${effect.value}.`, field: `${path}[${e}].range` };
    for (const [end, v] of [['low', lo], ['high', hi]] as const) {
      const r = resolveChanges(model, [{ ...effect, value: v }], `${path}[${e}].range`);
      if (!Array.isArray(r)) return { ok: false, reason: 'invalid-change', detail: r.detail.replace(`${path}[${e}].range[0]`, `${path}[${e}].range`), field: `${path}[${e}].range` };
      ends[end].push(r[0]!);
    }
  }
  return { point, ...ends };
}

/** Every initiative's plan, or the first failure (naming its field). */
export function planScenario(model: DriverModel, pop: Population, scenario: ScenarioInput): Plan[] | ScenarioFailure {
  const plans: Plan[] = [];
  for (const [i, initiative] of scenario.initiatives.entries()) {
    const steps = initiativeSteps(model, initiative, i);
    if (!('point' in steps)) return steps;
    const mask = targetMask(pop, initiative.target, `initiatives[${i}].target`);
    if (!(mask instanceof Uint8Array)) return { ok: false, reason: mask.reason as ScenarioFailure['reason'], detail: mask.detail, ...(mask.field ? { field: mask.field } : {}) };
    let targeted = 0;
    for (let r = 0; r < pop.n; r++) targeted += mask[r]!;
    // reaches(), with the initiative's hash taken once rather than per respondent.
    const salt = hashString(initiative.id);
    const all = initiative.reach >= 1;
    const reached = new Uint32Array(targeted);
    let m = 0;
    for (let r = 0; r < pop.n; r++) if (mask[r] && (all || unit(pop.account[r]!, salt) < initiative.reach)) reached[m++] = r;
    plans.push({ initiative, steps, rows: reached.slice(0, m), targeted, hasRange: initiative.effects.some((e) => e.range !== undefined) });
  }
  return plans;
}
