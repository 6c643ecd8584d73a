/**
 * What-if sliders without the DOM: one slider per attribute, whose meaning depends on the operation
 * (add points, at least a rating, close a share of the gap to the top), turned into the request of
 * `POST /v1/models/{id}/predict`, and into an initiative for a scenario. Tested in
 * test/unit/dashboardWork.test.ts.
 */
import type { ChangeOp, Effect, InitiativeInput, Interval, Target, WhatIfResult } from './contract.js';

/** The operations a slider can carry (`set` is left to the API: a slider that sets every rating hides the data). */
export const SLIDER_OPS = ['add', 'atLeast', 'closeGap'] as const;
export type SliderOp = (typeof SLIDER_OPS)[number];

export const OP_NAMES: Readonly<Record<SliderOp, string>> = { add: 'add points', atLeast: 'raise to at least', closeGap: 'close the gap to the top' };

/** A slider's range for `op` on an attribute's `scale`, and the value that means "no change". */
export function sliderRange(op: SliderOp, scale: Interval): { min: number; max: number; step: number; none: number } {
  const [lo, hi] = scale;
  if (op === 'add') return { min: 0, max: hi - lo, step: (hi - lo) / 20, none: 0 };
  if (op === 'atLeast') return { min: lo, max: hi, step: (hi - lo) / 20, none: lo };
  return { min: 0, max: 1, step: 0.05, none: 0 };
}

/** A slider's value in words: `+1.5 points`, `at least 7`, `45% of the gap`. */
export function sliderText(op: SliderOp, value: number): string {
  if (op === 'add') return `+${Number(value.toFixed(2))} points`;
  if (op === 'atLeast') return `at least ${Number(value.toFixed(2))}`;
  return `${Math.round(value * 100)}% of the gap`;
}

/** The changes the sliders make: one per attribute moved off "no change", in the attributes' order. */
export function changesOf(op: SliderOp, values: ReadonlyMap<string, number>, scales: ReadonlyMap<string, Interval>): Effect[] {
  const out: Effect[] = [];
  for (const [attribute, value] of values) {
    const scale = scales.get(attribute);
    if (!scale || value === sliderRange(op, scale).none) continue;
    out.push({ attribute, op, value });
  }
  return out;
}

/** The target in the request: only the lists that name something. */
export function targetOf(segments: readonly string[], roles: readonly string[]): Target | undefined {
  const t: Target = {};
  if (segments.length > 0) t.segments = [...segments];
  if (roles.length > 0) t.roles = [...roles];
  return t.segments || t.roles ? t : undefined;
}

/** The body of `POST /v1/models/{id}/predict`, or `null` when no slider has moved (nothing to ask). */
export function predictRequest(changes: readonly Effect[], target: Target | undefined): { changes: Effect[]; target?: Target } | null {
  if (changes.length === 0) return null;
  return { changes: [...changes], ...(target ? { target } : {}) };
}

/** The per-segment rows of a what-if, segments sorted by name (tenant names: read as own keys). */
export function segmentRows(result: WhatIfResult): { segment: string; baseline: number; predicted: number; lift: number }[] {
  return [...new Map(Object.entries(result.bySegment)).entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([segment, v]) => ({ segment, ...v }));
}

const round4 = (v: number): number => Number(v.toFixed(4));

/**
 * An effect's range: ±25 % around its value, kept to what the API takes at both ends (it checks each
 * end as a change of its own, model/drivers/whatIf.ts `resolveChanges`): a share of the gap within
 * 0–1; with the attribute's `scale` known, a rating (`atLeast`, `set`) on the scale and a move (`add`)
 * no wider than the scale.
 */
function rangeOf(c: Effect, scale: Interval | undefined): [number, number] {
  const width = scale ? scale[1] - scale[0] : Infinity;
  const [min, max] = c.op === 'closeGap' ? [0, 1] : c.op === 'add' ? [-width, width] : scale ?? [-Infinity, Infinity];
  const a = c.value * 0.75;
  const b = c.value * 1.25;
  return [round4(Math.max(min, Math.min(a, b))), round4(Math.min(max, Math.max(a, b)))];
}

/**
 * The what-if as an initiative, to start a scenario from: its changes as effects (each with a range
 * of ±25 % around the value, the team's uncertainty until they say otherwise, kept within what the
 * API takes for the attribute's scale in `scales`), its target, full reach, no ramp and no cost yet.
 */
export function initiativeFromWhatIf(changes: readonly Effect[], target: Target | undefined, name = 'What-if', scales?: ReadonlyMap<string, Interval>): InitiativeInput {
  return {
    id: 'what-if',
    name,
    effects: changes.map((c) => ({ ...c, range: rangeOf(c, scales?.get(c.attribute)) })),
    ...(target ? { target } : {}),
    reach: 1,
    rampMonths: 0,
    cost: { oneTime: 0, annual: 0 },
  };
}

/**
 * `fn` called once calls stop for `ms`: the sliders ask the API when the hand rests, not at every
 * pixel. `flush()` calls it at once (a slider's `change` at release).
 */
export function debounce<A extends unknown[]>(fn: (...args: A) => void, ms: number): { (...args: A): void; flush(...args: A): void } {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const call = (...args: A): void => {
    clearTimeout(timer);
    timer = setTimeout(() => fn(...args), ms);
  };
  return Object.assign(call, {
    flush: (...args: A): void => {
      clearTimeout(timer);
      fn(...args);
    },
  });
}

export type { ChangeOp };
