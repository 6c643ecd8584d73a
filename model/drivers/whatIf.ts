/**
 * Threshold-aware what-ifs. NPS moves only when a respondent crosses 6|7 or 8|9, so a what-if asks,
 * for each respondent, how likely the change is to carry them across a threshold — given where their
 * own answer puts them today (a residual-preserving counterfactual):
 *
 * - **ordinal**: the respondent's latent score is η + ε with ε logistic, and their observed answer c
 *   says ε lies in (θ_{c−1} − η, θ_c − η]. A change shifts η by Δ; the new answer is a promoter with
 *   probability P(ε > θ_P − η − Δ | ε in that interval) (θ_P the 8|9 cut) and a detractor with
 *   probability P(ε ≤ θ_D − η − Δ | …) (θ_D the 6|7 cut) — closed forms of the logistic CDF.
 * - **linear** (`ols`, `ridge`): an answer c stands for a latent score uniform on [c − ½, c + ½);
 *   a shift Δ = Σ bₐ·Δxₐ makes the respondent a promoter with probability clamp(c + ½ + Δ − 8.5, 0, 1)
 *   and a detractor with probability clamp(6.5 − (c − ½ + Δ), 0, 1).
 *
 * The baseline is the observed NPS; a 9 → 10 move changes nothing, and a shift too small to carry
 * anyone across for sure still moves NPS by its expected share.
 */
import type { Change, DriverModel, ModelFailure, NpsChange, WhatIf, WhatIfResult } from './contract.js';
import type { LinearParameters } from './linearModel.js';
import { logisticMass } from './ordinal.js';
import type { OrdinalParameters } from './ordinalModel.js';
import { cutsOf } from './ordinalModel.js';
import type { Population } from './population.js';

type Op = (x: number) => number;

/** The rating after one change, on the attribute's scale [lo, hi]. */
function operation(change: Change, lo: number, hi: number): Op {
  const v = change.value;
  switch (change.op) {
    case 'add':
      return (x) => Math.min(hi, Math.max(lo, x + v));
    case 'atLeast':
      return (x) => Math.max(x, v);
    case 'set':
      return () => v;
    case 'closeGap':
      return (x) => x + v * (hi - x);
  }
}

function validateChanges(model: DriverModel, whatIf: WhatIf): ModelFailure | { index: number; op: Op }[] {
  const out: { index: number; op: Op }[] = [];
  for (const [i, change] of whatIf.changes.entries()) {
    const index = model.attributes.findIndex((a) => a.name === change.attribute);
    if (index < 0)
      return {
        ok: false,
        reason: 'unknown-attribute',
        detail: `The model has no attribute '${change.attribute}'; it models ${model.attributes.map((a) => a.name).join(', ')}.`,
        attributes: [change.attribute],
        field: `changes[${i}].attribute`,
      };
    const [lo, hi] = model.attributes[index]!.scale;
    const bad = (why: string): ModelFailure => ({ ok: false, reason: 'invalid-change', detail: `changes[${i}]: ${why}`, field: `changes[${i}].value`, attributes: [change.attribute] });
    if (change.op === 'closeGap' && !(change.value >= 0 && change.value <= 1)) return bad(`closeGap closes a share of the gap to ${hi}: the value must be between 0 and 1, got ${change.value}.`);
    if ((change.op === 'set' || change.op === 'atLeast') && !(change.value >= lo && change.value <= hi))
      return bad(`${change.op} needs a rating on ${change.attribute}'s scale ${lo}–${hi}, got ${change.value}.`);
    if (change.op === 'add' && Math.abs(change.value) > hi - lo) return bad(`add moves a rating by at most the scale's width (${hi - lo}), got ${change.value}.`);
    out.push({ index, op: operation(change, lo, hi) });
  }
  return out;
}

/** Respondent mask of a target: in every list given. */
function targetMask(pop: Population, whatIf: WhatIf): Uint8Array | ModelFailure {
  const mask = new Uint8Array(pop.n).fill(1);
  const t = whatIf.target;
  if (!t) return mask;
  const lists: [keyof NonNullable<WhatIf['target']>, 'segment' | 'role' | 'account'][] = [
    ['segments', 'segment'],
    ['roles', 'role'],
    ['accounts', 'account'],
  ];
  for (const [field, column] of lists) {
    const names = t[field];
    if (!names) continue;
    const levels = pop.levels[column];
    const allowed = new Uint8Array(levels.length);
    for (const [i, name] of names.entries()) {
      const code = levels.indexOf(name);
      if (code < 0)
        return {
          ok: false,
          reason: 'unknown-level',
          detail: `No respondent has ${column} '${name}'${levels.length <= 20 ? `; the dataset has ${levels.join(', ')}` : ''}.`,
          field: `target.${field}[${i}]`,
        };
      allowed[code] = 1;
    }
    const codes = pop[column];
    for (let i = 0; i < pop.n; i++) if (!allowed[codes[i]!]) mask[i] = 0;
  }
  return mask;
}

/**
 * Predicts a what-if's NPS, overall and per segment, for the population the model was fitted on.
 * Changes apply in the order given, to the targeted respondents only.
 */
export function predictWhatIf(model: DriverModel, pop: Population, whatIf: WhatIf): { ok: true; result: WhatIfResult } | ModelFailure {
  const ops = validateChanges(model, whatIf);
  if (!Array.isArray(ops)) return ops;
  const mask = targetMask(pop, whatIf);
  if (!(mask instanceof Uint8Array)) return mask;
  const shifts = shiftPerRespondent(model, pop, ops, mask);
  const probability = model.parameters.kind === 'ordinal' ? ordinalCrossing(model.parameters as unknown as OrdinalParameters, pop, shifts) : linearCrossing(pop, shifts);
  return { ok: true, result: aggregate(pop, mask, probability) };
}

/** Δ (latent shift) per respondent; NaN where the respondent is not targeted or nothing changes. */
function shiftPerRespondent(model: DriverModel, pop: Population, ops: { index: number; op: Op }[], mask: Uint8Array): Float64Array {
  const params = model.parameters as unknown as OrdinalParameters | LinearParameters;
  const k = pop.attributes.length;
  // per group, per attribute: latent units per rating point
  const G = params.groups.length;
  const perPoint = new Float64Array(G * k);
  for (let g = 0; g < G; g++)
    for (let j = 0; j < k; j++) perPoint[g * k + j] = params.kind === 'ordinal' ? params.slopes[g]![j]! / params.scale[j]! : params.slopes[g]![j]!;
  const groupIndex = pop.levels.group.map((level) => params.groups.indexOf(level));
  const touched = [...new Set(ops.map((o) => o.index))];
  const current = new Float64Array(k);
  const shifts = new Float64Array(pop.n).fill(Number.NaN);
  for (let i = 0; i < pop.n; i++) {
    if (!mask[i]) continue;
    for (const j of touched) current[j] = pop.columns[j]![i]!;
    for (const { index, op } of ops) current[index] = op(current[index]!);
    const g = groupIndex[pop.group[i]!]!;
    let delta = 0;
    for (const j of touched) delta += perPoint[(g < 0 ? 0 : g) * k + j]! * (current[j]! - pop.columns[j]![i]!);
    shifts[i] = delta;
  }
  return shifts;
}

interface Crossing {
  /** P(promoter) and P(detractor) after the change, per respondent (NaN = unchanged). */
  promoter: Float64Array;
  detractor: Float64Array;
}

function ordinalCrossing(params: OrdinalParameters, pop: Population, shifts: Float64Array): Crossing {
  const k = pop.attributes.length;
  const C = params.categories.length;
  const toCategory = new Int16Array(11).fill(-1);
  params.categories.forEach((v, c) => (toCategory[v] = c));
  const { promoterFrom, detractorTo } = cutsOf(params.categories);
  const theta = params.thresholds;
  const groupIndex = pop.levels.group.map((level) => params.groups.indexOf(level));
  const promoter = new Float64Array(pop.n).fill(Number.NaN);
  const detractor = new Float64Array(pop.n).fill(Number.NaN);
  for (let i = 0; i < pop.n; i++) {
    const d = shifts[i]!;
    if (Number.isNaN(d)) continue;
    const g = Math.max(groupIndex[pop.group[i]!]!, 0);
    const slopes = params.slopes[g]!;
    let eta = params.intercepts[g]!;
    for (let j = 0; j < k; j++) eta += (slopes[j]! * (pop.columns[j]![i]! - params.center[j]!)) / params.scale[j]!;
    const c = toCategory[pop.ltr[i]!]!;
    const lower = c > 0 ? theta[c - 1]! - eta : -Infinity;
    const upper = c < C - 1 ? theta[c]! - eta : Infinity;
    const mass = logisticMass(lower, upper);
    if (!(mass > 1e-300)) {
      // The answer is so unlikely under the model that its interval has no mass: keep the respondent where they are.
      promoter[i] = promoterFrom >= 0 && c >= promoterFrom ? 1 : 0;
      detractor[i] = c <= detractorTo ? 1 : 0;
      continue;
    }
    promoter[i] = promoterFrom < 0 ? 0 : promoterFrom === 0 ? 1 : logisticMass(Math.max(lower, theta[promoterFrom - 1]! - eta - d), upper) / mass;
    detractor[i] = detractorTo < 0 ? 0 : detractorTo >= C - 1 ? 1 : logisticMass(lower, Math.min(upper, theta[detractorTo]! - eta - d)) / mass;
  }
  return { promoter, detractor };
}

function linearCrossing(pop: Population, shifts: Float64Array): Crossing {
  const promoter = new Float64Array(pop.n).fill(Number.NaN);
  const detractor = new Float64Array(pop.n).fill(Number.NaN);
  const clamp = (v: number): number => Math.min(1, Math.max(0, v));
  for (let i = 0; i < pop.n; i++) {
    const d = shifts[i]!;
    if (Number.isNaN(d)) continue;
    const c = pop.ltr[i]!;
    promoter[i] = clamp(c + 0.5 + d - 8.5);
    detractor[i] = clamp(6.5 - (c - 0.5 + d));
  }
  return { promoter, detractor };
}

function aggregate(pop: Population, mask: Uint8Array, crossing: Crossing): WhatIfResult {
  const S = pop.levels.segment.length;
  const base = new Float64Array(S);
  const after = new Float64Array(S);
  const count = new Float64Array(S);
  let targeted = 0;
  for (let i = 0; i < pop.n; i++) {
    const s = pop.segment[i]!;
    const v = pop.ltr[i]!;
    const observed = (v >= 9 ? 1 : 0) - (v <= 6 ? 1 : 0);
    count[s]!++;
    base[s]! += observed;
    const p = crossing.promoter[i]!;
    if (Number.isNaN(p)) after[s]! += observed;
    else after[s]! += p - crossing.detractor[i]!;
    if (mask[i]) targeted++;
  }
  const change = (b: number, a: number, n: number): NpsChange => {
    const baseline = n > 0 ? (100 * b) / n : 0;
    const predicted = n > 0 ? (100 * a) / n : 0;
    return { baseline, predicted, lift: predicted - baseline };
  };
  const bySegment: Record<string, NpsChange> = {};
  let tb = 0;
  let ta = 0;
  for (let s = 0; s < S; s++) {
    bySegment[pop.levels.segment[s]!] = change(base[s]!, after[s]!, count[s]!);
    tb += base[s]!;
    ta += after[s]!;
  }
  return { nps: change(tb, ta, pop.n), bySegment, targeted, respondents: pop.n };
}
