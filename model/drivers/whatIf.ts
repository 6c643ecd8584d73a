/**
 * Threshold-aware what-ifs. NPS moves only when a respondent crosses 6|7 or 8|9, so a what-if asks,
 * for each respondent, how likely the change is to carry them across a threshold — given where their
 * own answer puts them today (a residual-preserving counterfactual):
 *
 * - **ordinal**: the respondent's latent score is η + ε with ε logistic, and their observed answer c
 *   says ε lies in (θ_{c−1} − η, θ_c − η]. A change shifts η by Δ; the new answer is a promoter with
 *   probability P(ε > θ_P − η − Δ | ε in that interval) (θ_P the 8|9 cut) and a detractor with
 *   probability P(ε ≤ θ_D − η − Δ | …) (θ_D the 6|7 cut) — closed forms of the noise distribution’s CDF (the model’s link: logistic, normal or Gumbel).
 * - **linear** (`ols`, `ridge`): an answer c stands for a latent score uniform on [c − ½, c + ½);
 *   a shift Δ = Σ bₐ·Δxₐ makes the respondent a promoter with probability clamp(c + ½ + Δ − 8.5, 0, 1)
 *   and a detractor with probability clamp(6.5 − (c − ½ + Δ), 0, 1).
 *
 * The baseline is the observed NPS; a 9 → 10 move changes nothing, and a shift too small to carry
 * anyone across for sure still moves NPS by its expected share.
 */
import type { Change, DriverModel, ModelFailure, NpsChange, Target, WhatIf, WhatIfResult } from './contract.js';
import { latentScores, latentShifts, resolveEffects, type Shifts } from './effects.js';
import { linkValues, massBetween } from './latent/link.js';
import { cutsOf, netOf } from '../nps.js';
import type { Population } from './population.js';
import { keyed } from '../text.js';

/**
 * The current ratings of `rows` on each attribute in `attributes` (column indices, repeats allowed),
 * as arrays the changes can then be applied to without touching the population.
 */
export function gatherColumns(pop: Population, attributes: Iterable<number>, rows: Uint32Array): Map<number, Float64Array> {
  const out = new Map<number, Float64Array>();
  for (const j of new Set(attributes)) {
    const col = pop.columns[j]!;
    const v = new Float64Array(rows.length);
    for (let q = 0; q < rows.length; q++) v[q] = col[rows[q]!]!;
    out.set(j, v);
  }
  return out;
}

/** A validated change: which column, and the operation with its bounds resolved. */
export interface Step {
  index: number;
  op: Change['op'];
  value: number;
  lo: number;
  hi: number;
}

/** Applies one change, in place, to the ratings of the targeted respondents. */
export function applyStep(step: Step, x: Float64Array): void {
  const { value: v, lo, hi } = step;
  const n = x.length;
  switch (step.op) {
    case 'add':
      for (let r = 0; r < n; r++) {
        const y = x[r]! + v;
        x[r] = y > hi ? hi : y < lo ? lo : y;
      }
      return;
    case 'atLeast':
      for (let r = 0; r < n; r++) if (x[r]! < v) x[r] = v;
      return;
    case 'set':
      x.fill(v);
      return;
    case 'closeGap':
      for (let r = 0; r < n; r++) x[r] = x[r]! + v * (hi - x[r]!);
      return;
  }
}

/** Applies one change, in place, to the entries `idx` of `x` (respondents an initiative reaches). */
export function applyStepAt(step: Step, x: Float64Array, idx: Uint32Array): void {
  const { value: v, lo, hi } = step;
  const n = idx.length;
  switch (step.op) {
    case 'add':
      for (let t = 0; t < n; t++) {
        const q = idx[t]!;
        const y = x[q]! + v;
        x[q] = y > hi ? hi : y < lo ? lo : y;
      }
      return;
    case 'atLeast':
      for (let t = 0; t < n; t++) {
        const q = idx[t]!;
        if (x[q]! < v) x[q] = v;
      }
      return;
    case 'set':
      for (let t = 0; t < n; t++) x[idx[t]!] = v;
      return;
    case 'closeGap':
      for (let t = 0; t < n; t++) {
        const q = idx[t]!;
        x[q] = x[q]! + v * (hi - x[q]!);
      }
      return;
  }
}

/** Checks changes against the model's attributes and scales; `path` names them in errors. */
export function resolveChanges(model: DriverModel, changes: readonly Change[], path = 'changes'): ModelFailure | Step[] {
  const out: Step[] = [];
  for (const [i, change] of changes.entries()) {
    const index = model.attributes.findIndex((a) => a.name === change.attribute);
    if (index < 0)
      return {
        ok: false,
        reason: 'unknown-attribute',
        detail: `The model has no attribute '${change.attribute}'; it models ${model.attributes.map((a) => a.name).join(', ')}.`,
        attributes: [change.attribute],
        field: `${path}[${i}].attribute`,
      };
    const [lo, hi] = model.attributes[index]!.scale;
    const bad = (why: string): ModelFailure => ({ ok: false, reason: 'invalid-change', detail: `${path}[${i}]: ${why}`, field: `${path}[${i}].value`, attributes: [change.attribute] });
    if (change.op === 'closeGap' && !(change.value >= 0 && change.value <= 1)) return bad(`closeGap closes a share of the gap to ${hi}: the value must be between 0 and 1, got ${change.value}.`);
    if ((change.op === 'set' || change.op === 'atLeast') && !(change.value >= lo && change.value <= hi))
      return bad(`${change.op} needs a rating on ${change.attribute}'s scale ${lo}–${hi}, got ${change.value}.`);
    if (change.op === 'add' && Math.abs(change.value) > hi - lo) return bad(`add moves a rating by at most the scale's width (${hi - lo}), got ${change.value}.`);
    out.push({ index, op: change.op, value: change.value, lo, hi });
  }
  return out;
}

/** Respondent mask of a target: in every list given. */
/** Respondents a target matches (in every list given); `path` names the target in errors. */
export function targetMask(pop: Population, t: Target | undefined, path = 'target'): Uint8Array | ModelFailure {
  const mask = new Uint8Array(pop.n).fill(1);
  if (!t) return mask;
  const lists: [keyof Target, 'segment' | 'role' | 'account'][] = [
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
          field: `${path}.${field}[${i}]`,
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
 * Changes apply in the order given, to the targeted respondents only. Work is proportional to the
 * targeted respondents, column by column; a respondent whose latent score does not move keeps their
 * observed answer exactly (no arithmetic on them at all).
 */
export function predictWhatIf(model: DriverModel, pop: Population, whatIf: WhatIf): { ok: true; result: WhatIfResult } | ModelFailure {
  const steps = resolveChanges(model, whatIf.changes);
  if (!Array.isArray(steps)) return steps;
  const mask = targetMask(pop, whatIf.target);
  if (!(mask instanceof Uint8Array)) return mask;
  const { rows, shifts } = shiftPerRespondent(model, pop, steps, mask);
  const crossing = crossingProbabilities(model, pop, rows, shifts);
  return { ok: true, result: aggregate(pop, mask, rows, crossing) };
}

/** Respondents whose latent score moves, and by how much on each channel (latent units). */
function shiftPerRespondent(model: DriverModel, pop: Population, steps: Step[], mask: Uint8Array): { rows: Uint32Array; shifts: Shifts } {
  let targeted = 0;
  for (let i = 0; i < pop.n; i++) targeted += mask[i]!;
  const candidates = new Uint32Array(targeted);
  for (let i = 0, r = 0; i < pop.n; i++) if (mask[i]) candidates[r++] = i;
  // New ratings of the targeted respondents only, one array per touched attribute.
  const changed = gatherColumns(pop, steps.map((s) => s.index), candidates);
  for (const step of steps) applyStep(step, changed.get(step.index)!);
  const all = latentShifts(resolveEffects(model, pop), pop, candidates, changed);
  let moved = 0;
  for (let r = 0; r < targeted; r++) if (all.dL[r] !== 0 || all.dU[r] !== 0) moved++;
  const rows = new Uint32Array(moved);
  const dL = new Float64Array(moved);
  const dU = all.dU === all.dL ? dL : new Float64Array(moved);
  for (let r = 0, m = 0; r < targeted; r++)
    if (all.dL[r] !== 0 || all.dU[r] !== 0) {
      rows[m] = candidates[r]!;
      dL[m] = all.dL[r]!;
      if (dU !== dL) dU[m] = all.dU[r]!;
      m++;
    }
  return { rows, shifts: { dL, dU } };
}

/** P(promoter) and P(detractor) after a change, and their derivatives in the shift, per moved respondent. */
export interface Crossing {
  promoter: Float64Array;
  detractor: Float64Array;
  /** d P(promoter)/dΔ_U and d P(detractor)/dΔ_L, for the delta-method intervals of scenario forecasts. */
  dPromoter: Float64Array;
  dDetractor: Float64Array;
  /**
   * Ordinal models, when asked for: each probability's derivatives in the three noise-scale points
   * it depends on — the answer's interval ends `lo` = θ_{c−1} − η and `hi` = θ_c − η, and its cut
   * (θ_{8|9} − η − Δ for promoters, θ_{6|7} − η − Δ for detractors) — from which
   * model/scenario/uncertainty.ts takes the gradient in every parameter. Zero where a probability is
   * 0 or 1 for sure.
   */
  points?: { promoter: CrossingPoints; detractor: CrossingPoints };
}

/** ∂P/∂lo, ∂P/∂hi, ∂P/∂cut per row (see {@link Crossing.points}). */
export interface CrossingPoints {
  lo: Float64Array;
  hi: Float64Array;
  cut: Float64Array;
}


/**
 * Each respondent's noise interval under the model — the link's F, 1 − F and f at both ends,
 * θ_{c−1} − η and θ_c − η — six numbers a respondent, computed once per population and model: the
 * ends do not move with a change (only the cut does), and a scenario asks the same respondents
 * dozens of times (each initiative, the portfolio, both ends of the effect ranges, the
 * halo-adjusted lift).
 */
const boundCache = new WeakMap<Float64Array, Map<string, Float64Array>>();

function noiseBounds(pop: Population, etaL: Float64Array, etaU: Float64Array, params: Extract<DriverModel['parameters'], { kind: 'ordinal' }>, toCategory: Int16Array, upperFrom: number): Float64Array {
  const key = JSON.stringify([params.link, params.thresholds, upperFrom]);
  let byKey = boundCache.get(etaL);
  if (!byKey) boundCache.set(etaL, (byKey = new Map()));
  const hit = byKey.get(key);
  if (hit) return hit;
  const theta = params.thresholds;
  const C = params.categories.length;
  const out = new Float64Array(pop.n * 6);
  const ev = new Float64Array(8);
  for (let r = 0; r < pop.n; r++) {
    const c = toCategory[pop.ltr[r]!]!;
    const lower = c > 0 ? theta[c - 1]! - (c - 1 >= upperFrom ? etaU[r]! : etaL[r]!) : -Infinity;
    const upper = c < C - 1 ? theta[c]! - (c >= upperFrom ? etaU[r]! : etaL[r]!) : Infinity;
    linkValues(params.link, lower, ev, 0);
    linkValues(params.link, upper, ev, 4);
    const o = r * 6;
    out[o] = ev[0]!;
    out[o + 1] = ev[1]!;
    out[o + 2] = ev[2]!;
    out[o + 3] = ev[4]!;
    out[o + 4] = ev[5]!;
    out[o + 5] = ev[6]!;
  }
  byKey.set(key, out);
  return out;
}

/**
 * Each moved respondent's probability of being a promoter and a detractor after their latent scores
 * move by `shifts` (aligned with `rows`), and the derivatives of both in the shifts. A respondent
 * whose shifts are 0 keeps their observed answer exactly. See the module comment for the two models;
 * with cut-specific slopes the promoter cut reads the promoter-side score (η_U + Δ_U), the detractor
 * cut the detractor-side one (η_L + Δ_L), and the respondent's own noise bounds both.
 */
export function crossingProbabilities(model: Pick<DriverModel, 'parameters'>, pop: Population, rows: Uint32Array, shifts: Shifts, withPoints = false): Crossing {
  const m = rows.length;
  const promoter = new Float64Array(m);
  const detractor = new Float64Array(m);
  const dPromoter = new Float64Array(m);
  const dDetractor = new Float64Array(m);
  const { dL, dU } = shifts;
  if (model.parameters.kind !== 'ordinal') {
    for (let q = 0; q < m; q++) {
      const v = pop.ltr[rows[q]!]!;
      const p = v + 0.5 + dL[q]! - 8.5;
      const d = 6.5 - (v - 0.5 + dL[q]!);
      promoter[q] = Math.min(1, Math.max(0, p));
      detractor[q] = Math.min(1, Math.max(0, d));
      if (p > 0 && p < 1) dPromoter[q] = 1;
      if (d > 0 && d < 1) dDetractor[q] = -1;
    }
    return { promoter, detractor, dPromoter, dDetractor };
  }
  const params = model.parameters;
  const effects = resolveEffects(model, pop);
  const { etaL, etaU } = latentScores(effects, pop);
  const toCategory = new Int16Array(11).fill(-1);
  params.categories.forEach((v, c) => (toCategory[v] = c));
  const { promoterFrom, detractorTo } = cutsOf(params.categories);
  const theta = params.thresholds;
  const C = params.categories.length;
  const upperFrom = params.promoterShift ? params.upperFrom : C;
  const channel = (t: number, r: number): number => (t >= upperFrom ? etaU[r]! : etaL[r]!);
  const tP = promoterFrom > 0 ? promoterFrom - 1 : -1; // the passive|promoter cut
  const tD = detractorTo >= 0 && detractorTo < C - 1 ? detractorTo : -1; // the detractor|passive cut
  const link = params.link;
  const points = withPoints ? { promoter: { lo: new Float64Array(m), hi: new Float64Array(m), cut: new Float64Array(m) }, detractor: { lo: new Float64Array(m), hi: new Float64Array(m), cut: new Float64Array(m) } } : undefined;
  // F, 1 − F, f, f′ at the interval's lower end (ev[0…3]), its upper end (ev[4…7]) and a cut (ev[8…11]).
  const ev = new Float64Array(12);
  const bounds = noiseBounds(pop, etaL, etaU, params, toCategory, upperFrom);
  for (let q = 0; q < m; q++) {
    const r = rows[q]!;
    const c = toCategory[pop.ltr[r]!]!;
    const lower = c > 0 ? theta[c - 1]! - channel(c - 1, r) : -Infinity;
    const upper = c < C - 1 ? theta[c]! - channel(c, r) : Infinity;
    let mass = 0;
    if (dL[q] !== 0 || dU[q] !== 0) {
      // The interval ends' CDF, survival and density, as computed once for this model and wave.
      const o = r * 6;
      ev[0] = bounds[o]!;
      ev[1] = bounds[o + 1]!;
      ev[2] = bounds[o + 2]!;
      ev[4] = bounds[o + 3]!;
      ev[5] = bounds[o + 4]!;
      ev[6] = bounds[o + 5]!;
      mass = upper > lower ? massBetween(ev, 0, ev, 4) : 0;
    }
    if (!(mass > 1e-300)) {
      // No shift, or an answer so unlikely under the model that its interval has no mass: keep it.
      promoter[q] = promoterFrom >= 0 && c >= promoterFrom ? 1 : 0;
      detractor[q] = c <= detractorTo ? 1 : 0;
      continue;
    }
    if (promoterFrom < 0) promoter[q] = 0;
    else if (promoterFrom === 0) promoter[q] = 1;
    else {
      const t = theta[tP]! - channel(tP, r) - (tP >= upperFrom ? dU[q]! : dL[q]!);
      if (t <= lower) promoter[q] = 1;
      else if (t >= upper) promoter[q] = 0;
      else {
        linkValues(link, t, ev, 8);
        const P = massBetween(ev, 8, ev, 4) / mass;
        promoter[q] = P;
        dPromoter[q] = ev[10]! / mass;
        if (points) {
          // P = (F(hi) − F(cut)) / (F(hi) − F(lo)).
          points.promoter.hi[q] = (ev[6]! * (1 - P)) / mass;
          points.promoter.lo[q] = (P * ev[2]!) / mass;
          points.promoter.cut[q] = -ev[10]! / mass;
        }
      }
    }
    if (detractorTo < 0) detractor[q] = 0;
    else if (tD < 0) detractor[q] = 1;
    else {
      const t = theta[tD]! - channel(tD, r) - (tD >= upperFrom ? dU[q]! : dL[q]!);
      if (t >= upper) detractor[q] = 1;
      else if (t <= lower) detractor[q] = 0;
      else {
        linkValues(link, t, ev, 8);
        const P = massBetween(ev, 0, ev, 8) / mass;
        detractor[q] = P;
        dDetractor[q] = -ev[10]! / mass;
        if (points) {
          // P = (F(cut) − F(lo)) / (F(hi) − F(lo)).
          points.detractor.cut[q] = ev[10]! / mass;
          points.detractor.lo[q] = (-ev[2]! * (1 - P)) / mass;
          points.detractor.hi[q] = (-P * ev[6]!) / mass;
        }
      }
    }
  }
  return points ? { promoter, detractor, dPromoter, dDetractor, points } : { promoter, detractor, dPromoter, dDetractor };
}

function aggregate(pop: Population, mask: Uint8Array, rows: Uint32Array, crossing: Crossing): WhatIfResult {
  const S = pop.levels.segment.length;
  const base = new Float64Array(S);
  const change = new Float64Array(S);
  const count = new Float64Array(S);
  let targeted = 0;
  for (let i = 0; i < pop.n; i++) {
    const s = pop.segment[i]!;
    const v = pop.ltr[i]!;
    count[s]!++;
    base[s]! += netOf(v);
    targeted += mask[i]!;
  }
  // Only moved respondents change: their new net contribution minus the observed one.
  for (let r = 0; r < rows.length; r++) {
    const i = rows[r]!;
    const v = pop.ltr[i]!;
    change[pop.segment[i]!]! += crossing.promoter[r]! - crossing.detractor[r]! - netOf(v);
  }
  const npsChange = (b: number, d: number, n: number): NpsChange => {
    const baseline = n > 0 ? (100 * b) / n : 0;
    const lift = n > 0 ? (100 * d) / n : 0;
    return { baseline, predicted: baseline + lift, lift };
  };
  const bySegment = keyed(pop.levels.segment.map((name, s) => [name, npsChange(base[s]!, change[s]!, count[s]!)] as const));
  let tb = 0;
  let td = 0;
  for (let s = 0; s < S; s++) {
    tb += base[s]!;
    td += change[s]!;
  }
  return { nps: npsChange(tb, td, pop.n), bySegment, targeted, respondents: pop.n };
}
