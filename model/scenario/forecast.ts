/**
 * Forecasts a scenario on a fitted driver model: each initiative alone, and the portfolio (every
 * initiative applied together — overlapping effects combine through the model, never by adding
 * lifts).
 *
 * 1. **Who is affected.** An initiative's target picks respondents; its `reach` picks accounts: an
 *    account is reached when a hash of (account, initiative id) falls below `reach`, so the same
 *    accounts are reached when the initiative is forecast alone and inside the portfolio, and a
 *    forecast is reproducible.
 * 2. **How loyalty moves.** The initiative's effects change the ratings of reached respondents; the
 *    driver model's threshold-aware counterfactual gives each one's probability of being a promoter
 *    and a detractor afterwards (see `model/drivers/whatIf.ts`). NPS lift is the steady-state
 *    effect (after the ramp).
 * 3. **What it is worth.** Each account's loyalty mix (its respondents' probabilities, weighted by
 *    role) sets its yearly revenue multiplier ρ = Σ_group share × (retention + expansion + referral −
 *    cost to serve). Revenue in year t is R·Π_{s≤t}(ρ + ramp_s·Δρ) against R·ρᵗ without the
 *    initiative; the difference, discounted, is the NPV.
 * 4. **How sure.** Three independent sources, combined in quadrature on each side:
 *    model uncertainty (delta method: the lift's gradient with respect to every segment's slopes ×
 *    their standard errors), sampling noise (accounts as clusters: the variance of a ratio estimator
 *    over accounts), and the team's `range` for each effect (the lift recomputed at the low and the
 *    high ends).
 */
import type { DriverModel } from '../drivers/contract.js';
import type { Population } from '../drivers/population.js';
import { normalQuantile } from '../stats/normal.js';
import { keyed, own } from '../text.js';
import { latentShifts, resolveEffects as modelEffects } from '../drivers/effects.js';
import { applyStep, applyStepAt, crossingProbabilities, gatherColumns, resolveChanges, targetMask, type Step } from '../drivers/whatIf.js';
import { DEFAULT_ECONOMICS, type Economics, type Forecast, type Initiative, type NpsForecast, type Outcome, type ScenarioFailure, type ScenarioInput } from './contract.js';

export interface ForecastOptions {
  modelId: string;
  computedAt: string;
  /** Interval level. @default 0.9 */
  level?: number;
}

/** An initiative ready to simulate: its steps at the point value and at both ends of its range. */
interface Plan {
  initiative: Initiative;
  steps: { point: Step[]; low: Step[]; high: Step[] };
  /** Respondents it reaches (targeted and in a reached account). */
  rows: Uint32Array;
  targeted: number;
  hasRange: boolean;
}

type Which = 'point' | 'low' | 'high';

/** Per-respondent outcome of a simulation, for the respondents whose latent score moved. */
interface Simulation {
  rows: Uint32Array;
  promoter: Float64Array;
  detractor: Float64Array;
  /** d P(promoter)/dΔ and d P(detractor)/dΔ. */
  dPromoter: Float64Array;
  dDetractor: Float64Array;
  /** Touched attributes, and the rating change of each (aligned with rows), for the slope gradient. */
  touched: number[];
  deltaX: Float64Array[];
}

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

/** Average share of the full effect in year t (1-based) under a linear ramp of `months`. */
export function rampShare(year: number, months: number): number {
  if (months <= 0) return 1;
  let s = 0;
  for (let m = 12 * (year - 1) + 1; m <= 12 * year; m++) s += Math.min(1, m / months);
  return s / 12;
}

/** Net yearly revenue multiplier of one loyalty group. */
const multiplier = (e: Economics['promoter']): number => e.retention + e.expansion + e.referral - e.costToServe;

/** A scenario checked against a model and population, ready to forecast or to value sub-portfolios. */
export interface PreparedScenario {
  ok: true;
  ids: string[];
  /** Discounted cost of each initiative over the horizon. */
  costs: number[];
  /** The forecast of the initiatives at `subset` (indices; default all) and of their portfolio. */
  forecast(subset?: readonly number[]): Forecast;
  /** The point value of the portfolio of `subset`: NPS lift and net present value (revenue − cost), fast (no intervals). */
  value(subset: readonly number[]): { npsLift: number; netValue: number | null; cost: number };
}

/**
 * Forecasts a scenario: every initiative alone and the portfolio, with intervals. A failure names
 * the field at fault (an unknown attribute, a target naming a segment the data lacks, …).
 */
export function forecastScenario(model: DriverModel, pop: Population, scenario: ScenarioInput, options: ForecastOptions): { ok: true; forecast: Forecast } | ScenarioFailure {
  const prepared = prepareScenario(model, pop, scenario, options);
  return prepared.ok ? { ok: true, forecast: prepared.forecast() } : prepared;
}

/**
 * Checks what a scenario asks of the model alone (each effect's attribute, value and range), without
 * the respondents: the API runs it before it queues a forecast for the worker, so a scenario naming
 * an attribute the model lacks is refused at once rather than failing later. Targets, revenue bases
 * and role weights need the population and are checked when the forecast runs.
 */
export function checkEffects(model: DriverModel, scenario: ScenarioInput): ScenarioFailure | null {
  for (const [i, initiative] of scenario.initiatives.entries()) {
    const steps = resolveEffects(model, initiative, i);
    if (!('point' in steps)) return steps;
  }
  return null;
}

/** An initiative's effects as steps at their value and at both ends of their ranges. */
function resolveEffects(model: DriverModel, initiative: Initiative, i: number): Record<'point' | 'low' | 'high', Step[]> | ScenarioFailure {
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

export function prepareScenario(model: DriverModel, pop: Population, scenario: ScenarioInput, options: ForecastOptions): PreparedScenario | ScenarioFailure {
  const level = options.level ?? 0.9;
  const z = normalQuantile(0.5 + level / 2);
  const economics = scenario.economics ?? DEFAULT_ECONOMICS;
  const vP = multiplier(economics.promoter);
  const vA = multiplier(economics.passive);
  const vD = multiplier(economics.detractor);
  const k = pop.attributes.length;
  const S = pop.levels.segment.length;
  const notes: string[] = [];

  // --- Validate and plan every initiative ----------------------------------------------------------
  const plans: Plan[] = [];
  for (const [i, initiative] of scenario.initiatives.entries()) {
    const steps = resolveEffects(model, initiative, i);
    if (!('point' in steps)) return steps;
    const mask = targetMask(pop, initiative.target, `initiatives[${i}].target`);
    if (!(mask instanceof Uint8Array)) return { ok: false, reason: mask.reason as ScenarioFailure['reason'], detail: mask.detail, ...(mask.field ? { field: mask.field } : {}) };
    let targeted = 0;
    const reached: number[] = [];
    for (let r = 0; r < pop.n; r++) {
      if (!mask[r]) continue;
      targeted++;
      if (reaches(pop.account[r]!, initiative.id, initiative.reach)) reached.push(r);
    }
    plans.push({ initiative, steps, rows: Uint32Array.from(reached), targeted, hasRange: initiative.effects.some((e) => e.range !== undefined) });
  }
  for (const name of Object.keys(scenario.revenueBase ?? {}))
    if (!pop.levels.segment.includes(name))
      return { ok: false, reason: 'unknown-segment', detail: `revenueBase names segment '${name}', which the dataset does not have (${pop.levels.segment.join(', ')}).`, field: `revenueBase.${name}` };
  for (const role of Object.keys(scenario.roleWeights ?? {}))
    if (!pop.levels.role.includes(role)) return { ok: false, reason: 'unknown-level', detail: `roleWeights names role '${role}', which no respondent has (${pop.levels.role.join(', ')}).`, field: `roleWeights.${role}` };

  // --- Accounts: role weights, revenue, baseline loyalty multiplier --------------------------------
  const A = pop.levels.account.length;
  const roleWeight = pop.levels.role.map((r) => own(scenario.roleWeights, r) ?? 1);
  const accountWeight = new Float64Array(A);
  for (let r = 0; r < pop.n; r++) accountWeight[pop.account[r]!]! += roleWeight[pop.role[r]!]!;
  const omega = new Float64Array(pop.n); // respondent's share of their account's mix
  for (let r = 0; r < pop.n; r++) {
    const w = accountWeight[pop.account[r]!]!;
    omega[r] = w > 0 ? roleWeight[pop.role[r]!]! / w : 0;
  }
  const rho = new Float64Array(A);
  for (let r = 0; r < pop.n; r++) {
    const v = pop.ltr[r]!;
    rho[pop.account[r]!]! += omega[r]! * (v >= 9 ? vP : v <= 6 ? vD : vA);
  }
  const clusterN = new Float64Array(A); // respondents per account
  for (let r = 0; r < pop.n; r++) clusterN[pop.account[r]!]!++;
  const accountSegment = new Int32Array(A).fill(-1);
  const accountRevenue = new Float64Array(A).fill(Number.NaN);
  for (let r = 0; r < pop.n; r++) {
    accountSegment[pop.account[r]!] = pop.segment[r]!;
    const rev = pop.accountRevenue[r]!;
    if (Number.isFinite(rev)) accountRevenue[pop.account[r]!] = rev;
  }
  let revenueSource: Forecast['assumptions']['revenueSource'] = 'none';
  const revenue = new Float64Array(A);
  if (scenario.revenueBase) {
    revenueSource = 'revenueBase';
    const known = new Float64Array(S);
    const count = new Float64Array(S);
    for (let a = 0; a < A; a++) {
      const s = accountSegment[a]!;
      count[s]!++;
      if (Number.isFinite(accountRevenue[a]!)) known[s]! += accountRevenue[a]!;
    }
    for (let a = 0; a < A; a++) {
      const s = accountSegment[a]!;
      const base = own(scenario.revenueBase, pop.levels.segment[s]!) ?? 0;
      revenue[a] = known[s]! > 0 ? (base * (Number.isFinite(accountRevenue[a]!) ? accountRevenue[a]! : 0)) / known[s]! : base / count[s]!;
    }
    const missing = pop.levels.segment.filter((s) => own(scenario.revenueBase, s) === undefined);
    if (missing.length > 0) notes.push(`revenueBase gives no revenue for ${missing.join(', ')}: their revenue impact is 0.`);
    notes.push('Revenue is extrapolated to each segment’s revenueBase in proportion to surveyed accounts’ revenue (equal shares where unknown).');
  } else {
    let withRevenue = 0;
    for (let a = 0; a < A; a++)
      if (Number.isFinite(accountRevenue[a]!)) {
        revenue[a] = accountRevenue[a]!;
        withRevenue++;
      }
    if (withRevenue > 0) {
      revenueSource = 'account_revenue';
      notes.push(`Revenue impact covers the ${withRevenue} surveyed accounts with account_revenue${withRevenue < A ? ` (${A - withRevenue} without it count as 0)` : ''}; pass revenueBase to extrapolate to the whole book.`);
    } else notes.push('The dataset has no account_revenue and the scenario no revenueBase: revenue, ROI and payback are not forecast.');
  }

  // --- Simulation ------------------------------------------------------------------------------------
  // Each respondent's cell of the model, its slopes per rating point and their standard errors.
  const effects = modelEffects(model, pop);
  const cellOf = effects.cellOf;

  const simulate = (chosen: readonly Plan[], which: Which): Simulation => {
    // Union of reached respondents, in order, with each one's ratings of the touched attributes.
    const touched = [...new Set(chosen.flatMap((p) => p.steps[which].map((s) => s.index)))];
    let rows: Uint32Array;
    let position: Int32Array | null = null;
    if (chosen.length === 1) rows = chosen[0]!.rows;
    else {
      const inAny = new Uint8Array(pop.n);
      for (const p of chosen) for (const r of p.rows) inAny[r] = 1;
      let count = 0;
      for (let r = 0; r < pop.n; r++) count += inAny[r]!;
      rows = new Uint32Array(count);
      position = new Int32Array(pop.n).fill(-1);
      for (let r = 0, q = 0; r < pop.n; r++)
        if (inAny[r]) {
          rows[q] = r;
          position[r] = q++;
        }
    }
    const m = rows.length;
    const after = gatherColumns(pop, touched, rows);
    // Each initiative's steps, in scenario order, on the rows it reaches.
    for (const p of chosen) {
      if (!position) {
        for (const step of p.steps[which]) applyStep(step, after.get(step.index)!);
        continue;
      }
      const idx = new Uint32Array(p.rows.length);
      for (let t = 0; t < idx.length; t++) idx[t] = position[p.rows[t]!]!;
      for (const step of p.steps[which]) applyStepAt(step, after.get(step.index)!, idx);
    }
    const deltaX: Float64Array[] = [];
    for (const j of touched) {
      const col = pop.columns[j]!;
      const x = after.get(j)!;
      const d = new Float64Array(m);
      for (let q = 0; q < m; q++) d[q] = x[q]! - col[rows[q]!]!;
      deltaX.push(d);
    }
    // f(x′) − f(x) through the whole model: cell slopes, curves, interactions, cut-specific slopes.
    const shifts = latentShifts(effects, pop, rows, after);
    const { promoter, detractor, dPromoter, dDetractor } = crossingProbabilities(model, pop, rows, shifts);
    return { rows, promoter, detractor, dPromoter, dDetractor, touched, deltaX };
  };

  // Observed loyalty: +1 promoter, −1 detractor.
  const observedNet = (r: number): number => (pop.ltr[r]! >= 9 ? 1 : 0) - (pop.ltr[r]! <= 6 ? 1 : 0);
  const segmentSize = new Float64Array(S);
  const baseNet = new Float64Array(S);
  const baseShares = { promoters: 0, passives: 0, detractors: 0 };
  for (let r = 0; r < pop.n; r++) {
    segmentSize[pop.segment[r]!]!++;
    baseNet[pop.segment[r]!]! += observedNet(r);
    const v = pop.ltr[r]!;
    if (v >= 9) baseShares.promoters++;
    else if (v <= 6) baseShares.detractors++;
    else baseShares.passives++;
  }
  const horizon = scenario.horizonYears;
  const discount = (t: number): number => (1 + scenario.discountRate) ** -t;

  /** NPV multiplier of a change in ρ: ∂NPV/∂Δρ per unit revenue, and the exact yearly impacts. */
  /** Exact revenue impact of a change Δρ per account: R·Π(ρ + ramp·Δρ) − R·ρᵗ, per year, and its NPV. */
  const exact = (dRho: Float64Array, ramp: number[]): { yearly: number[]; npv: number } => {
    const y = new Array<number>(horizon).fill(0);
    for (let a = 0; a < A; a++) {
      if (dRho[a] === 0 || revenue[a] === 0) continue;
      let withIt = 1;
      let without = 1;
      for (let t = 1; t <= horizon; t++) {
        withIt *= rho[a]! + ramp[t - 1]! * dRho[a]!;
        without *= rho[a]!;
        y[t - 1]! += revenue[a]! * (withIt - without);
      }
    }
    return { yearly: y, npv: y.reduce((s, v, t) => s + v * discount(t + 1), 0) };
  };

  const muCache = new Map<string, Float64Array>();
  const npvMultiplier = (rhoA: number, ramp: number[]): number => {
    let mu = 0;
    let cum = 0;
    for (let t = 1; t <= horizon; t++) {
      cum += ramp[t - 1]!;
      mu += (rhoA ** (t - 1) * cum) * discount(t);
    }
    return mu;
  };

  const evaluate = (chosen: readonly Plan[], ramp: number[]): { sim: Record<Which, Simulation>; outcome: Omit<Outcome, 'cost' | 'roi' | 'paybackMonths' | 'liftPerMillion'>; npvInterval: [number, number] | null; yearly: number[] | null } => {
    const anyRange = chosen.some((p) => p.hasRange);
    const sim = { point: simulate(chosen, 'point') } as Record<Which, Simulation>;
    sim.low = anyRange ? simulate(chosen, 'low') : sim.point;
    sim.high = anyRange ? simulate(chosen, 'high') : sim.point;

    // Per-respondent change of net loyalty and of the account's ρ, at the point value.
    const lift = (s: Simulation): { bySeg: Float64Array; total: number; dRho: Float64Array; promoters: number; detractors: number } => {
      const bySeg = new Float64Array(S);
      const dRho = new Float64Array(A);
      let promoters = 0;
      let detractors = 0;
      for (let q = 0; q < s.rows.length; q++) {
        const r = s.rows[q]!;
        const v = pop.ltr[r]!;
        const dp = s.promoter[q]! - (v >= 9 ? 1 : 0);
        const dd = s.detractor[q]! - (v <= 6 ? 1 : 0);
        bySeg[pop.segment[r]!]! += dp - dd;
        dRho[pop.account[r]!]! += omega[r]! * (dp * (vP - vA) + dd * (vD - vA));
        promoters += dp;
        detractors += dd;
      }
      let total = 0;
      for (let s2 = 0; s2 < S; s2++) total += bySeg[s2]!;
      return { bySeg, total, dRho, promoters, detractors };
    };
    const at = { point: lift(sim.point), low: lift(sim.low), high: lift(sim.high) };

    // Model uncertainty (delta method) and sampling noise (accounts as clusters), per segment and overall.
    const G = effects.cells + 1;
    const gradNps = new Float64Array((S + 1) * G * k); // [segment or overall][cell][attribute]
    const p = sim.point;
    const contribution = new Float64Array(pop.n); // net change per respondent (0 for unmoved)
    for (let q = 0; q < p.rows.length; q++) {
      const r = p.rows[q]!;
      contribution[r] = p.promoter[q]! - (pop.ltr[r]! >= 9 ? 1 : 0) - (p.detractor[q]! - (pop.ltr[r]! <= 6 ? 1 : 0));
      const dNet = p.dPromoter[q]! - p.dDetractor[q]!;
      if (dNet === 0) continue;
      const g = cellOf[r]!;
      const s = pop.segment[r]!;
      for (let t = 0; t < p.touched.length; t++) {
        const j = p.touched[t]!;
        const v = dNet * p.deltaX[t]![q]!;
        gradNps[(s * G + g) * k + j]! += v;
        gradNps[(S * G + g) * k + j]! += v;
      }
    }
    const se = effects.perPointSe;
    const modelVar = (slot: number, n: number): number => {
      let v = 0;
      for (let g = 0; g < G; g++) for (let j = 0; j < k; j++) v += ((gradNps[(slot * G + g) * k + j]! / n) * se[g * k + j]!) ** 2;
      return v;
    };
    // Cluster variance of the mean change: Σ_a (C_a − n_a·ȳ)² / n² · A/(A−1), per segment and overall.
    const clusterSum = new Float64Array(A);
    for (let q = 0; q < p.rows.length; q++) {
      const r = p.rows[q]!;
      clusterSum[pop.account[r]!]! += contribution[r]!;
    }
    const samplingVar = (segment: number | null, total: number, n: number): number => {
      const mean = total / n;
      let v = 0;
      let clusters = 0;
      for (let a = 0; a < A; a++) {
        if (segment !== null && accountSegment[a] !== segment) continue;
        if (clusterN[a] === 0) continue;
        clusters++;
        v += (clusterSum[a]! - clusterN[a]! * mean) ** 2;
      }
      return clusters > 1 ? ((v / (n * n)) * clusters) / (clusters - 1) : 0;
    };
    const interval = (point: number, low: number, high: number, sd: number): [number, number] => {
      const below = Math.max(0, point - Math.min(low, high));
      const above = Math.max(0, Math.max(low, high) - point);
      return [point - Math.sqrt((z * sd) ** 2 + below ** 2), point + Math.sqrt((z * sd) ** 2 + above ** 2)];
    };
    const npsOf = (slot: number | null, n: number, baseNetSum: number): NpsForecast => {
      const pick = (x: typeof at.point): number => (slot === null ? x.total : x.bySeg[slot]!);
      const liftPts = (100 * pick(at.point)) / n;
      const sd = (100 * Math.sqrt(modelVar(slot ?? S, n) + samplingVar(slot, pick(at.point), n)));
      const iv = interval(liftPts, (100 * pick(at.low)) / n, (100 * pick(at.high)) / n, sd);
      const baseline = (100 * baseNetSum) / n;
      return { baseline, predicted: baseline + liftPts, lift: liftPts, interval: iv, distinguishable: iv[0] > 0 || iv[1] < 0, respondents: n };
    };
    let baseTotal = 0;
    for (let s = 0; s < S; s++) baseTotal += baseNet[s]!;
    const nps = npsOf(null, pop.n, baseTotal);
    const bySegment = keyed(pop.levels.segment.map((name, s) => [name, npsOf(s, segmentSize[s]!, baseNet[s]!)] as const));
    const shares = {
      before: { promoters: (100 * baseShares.promoters) / pop.n, passives: (100 * baseShares.passives) / pop.n, detractors: (100 * baseShares.detractors) / pop.n },
      after: {
        promoters: (100 * (baseShares.promoters + at.point.promoters)) / pop.n,
        passives: (100 * (baseShares.passives - at.point.promoters - at.point.detractors)) / pop.n,
        detractors: (100 * (baseShares.detractors + at.point.detractors)) / pop.n,
      },
    };

    // Revenue: exact per account at the point value and the range ends; interval by linearisation.
    let revenueOut: Outcome['revenue'] = null;
    let yearly: number[] | null = null;
    let npvInterval: [number, number] | null = null;
    if (revenueSource !== 'none') {
      const pointRev = exact(at.point.dRho, ramp);
      const lowRev = exact(at.low.dRho, ramp).npv;
      const highRev = exact(at.high.dRho, ramp).npv;
      // Linear NPV per respondent: R_a·μ_a·ω_r·(dP·(vP − vA) + dD·(vD − vA)).
      const key = ramp.join(',');
      let mu = muCache.get(key);
      if (!mu) {
        mu = new Float64Array(A);
        for (let a = 0; a < A; a++) mu[a] = revenue[a] === 0 ? 0 : revenue[a]! * npvMultiplier(rho[a]!, ramp);
        muCache.set(key, mu);
      }
      const grad = new Float64Array(G * k);
      const accountNpv = new Float64Array(A);
      for (let q = 0; q < p.rows.length; q++) {
        const r = p.rows[q]!;
        const a = pop.account[r]!;
        const w = mu[a]! * omega[r]!;
        const v = pop.ltr[r]!;
        accountNpv[a]! += w * ((p.promoter[q]! - (v >= 9 ? 1 : 0)) * (vP - vA) + (p.detractor[q]! - (v <= 6 ? 1 : 0)) * (vD - vA));
        const dv = w * (p.dPromoter[q]! * (vP - vA) + p.dDetractor[q]! * (vD - vA));
        if (dv === 0) continue;
        for (let t = 0; t < p.touched.length; t++) grad[cellOf[r]! * k + p.touched[t]!]! += dv * p.deltaX[t]![q]!;
      }
      let mv = 0;
      for (let g = 0; g < G; g++) for (let j = 0; j < k; j++) mv += (grad[g * k + j]! * se[g * k + j]!) ** 2;
      // Sampling: the NPV is a total over accounts; its variance is A·Var(account NPV).
      let sum = 0;
      for (let a = 0; a < A; a++) sum += accountNpv[a]!;
      const mean = sum / A;
      let sv = 0;
      for (let a = 0; a < A; a++) sv += (accountNpv[a]! - mean) ** 2;
      sv = A > 1 ? (sv * A) / (A - 1) : 0;
      npvInterval = interval(pointRev.npv, lowRev, highRev, Math.sqrt(mv + sv));
      yearly = pointRev.yearly;
      revenueOut = { yearly, npv: pointRev.npv, interval: npvInterval };
    }
    return { sim, outcome: { nps, bySegment, shares, revenue: revenueOut }, npvInterval, yearly };
  };

  const costOf = (plansIn: readonly Plan[]): Outcome['cost'] => {
    let oneTime = 0;
    let annual = 0;
    for (const p of plansIn) {
      oneTime += p.initiative.cost.oneTime;
      annual += p.initiative.cost.annual;
    }
    let total = oneTime;
    for (let t = 1; t <= horizon; t++) total += annual * discount(t);
    return { oneTime, annual, total };
  };

  /** First month at which the discounted cumulative net value turns non-negative. */
  const payback = (yearly: number[] | null, cost: Outcome['cost']): number | null => {
    if (!yearly) return null;
    let cum = -cost.oneTime;
    if (cum >= 0) return 0;
    for (let month = 1; month <= 12 * horizon; month++) {
      const y = Math.ceil(month / 12);
      cum += ((yearly[y - 1]! - cost.annual) / 12) * (1 + scenario.discountRate) ** (-month / 12);
      if (cum >= 0) return month;
    }
    return null;
  };

  const finish = (base: ReturnType<typeof evaluate>, cost: Outcome['cost']): Outcome => {
    const o = base.outcome;
    const roi =
      o.revenue && cost.total > 0
        ? { estimate: (o.revenue.npv - cost.total) / cost.total, interval: [(o.revenue.interval[0] - cost.total) / cost.total, (o.revenue.interval[1] - cost.total) / cost.total] as [number, number] }
        : null;
    return { ...o, cost, roi, paybackMonths: payback(base.yearly, cost), liftPerMillion: cost.total > 0 ? o.nps.lift / (cost.total / 1e6) : null };
  };

  const rampOf = (months: number): number[] => Array.from({ length: horizon }, (_, t) => rampShare(t + 1, months));
  const portfolioRamp = (chosen: readonly Plan[]): number[] => rampOf(Math.max(0, ...chosen.map((p) => p.initiative.rampMonths)));

  const bySegment = keyed(pop.levels.segment.map((name, s) => [name, (100 * baseNet[s]!) / segmentSize[s]!] as const));
  let baseTotal = 0;
  for (let s = 0; s < S; s++) baseTotal += baseNet[s]!;
  notes.push(
    'NPS lifts are steady-state effects (after each ramp); revenue follows the ramp.',
    `Intervals (${Math.round(level * 100)} %) combine model uncertainty (delta method on each segment's slopes), sampling noise (accounts as clusters) and each effect's range (recomputed at its ends).`,
    'The portfolio applies every initiative together, in scenario order, through the model; its ramp is the slowest initiative’s.',
  );
  const all = plans.map((_, i) => i);
  return {
    ok: true,
    ids: plans.map((p) => p.initiative.id),
    costs: plans.map((p) => costOf([p]).total),
    forecast(subset = all) {
      const chosen = [...subset].sort((x, y) => x - y).map((i) => plans[i]!);
      const initiatives = chosen.map((plan) => {
        const base = evaluate([plan], rampOf(plan.initiative.rampMonths));
        return { id: plan.initiative.id, name: plan.initiative.name, targeted: plan.targeted, reached: plan.rows.length, ...finish(base, costOf([plan])) };
      });
      // The portfolio ramps as its slowest initiative (a conservative reading of overlapping ramps).
      const portfolio = finish(evaluate(chosen, portfolioRamp(chosen)), costOf(chosen));
      return {
        modelId: options.modelId,
        computedAt: options.computedAt,
        intervalLevel: level,
        currency: scenario.currency,
        baseline: { nps: (100 * baseTotal) / pop.n, bySegment },
        initiatives,
        portfolio,
        assumptions: {
          economics,
          roleWeights: keyed(pop.levels.role.map((r, i) => [r, roleWeight[i]!] as const)),
          revenueSource,
          method: `${model.method} driver model; reach by a hash of (account, initiative id); revenue from each account's loyalty mix`,
          notes,
        },
      };
    },
    value(subset) {
      const chosen = [...subset].sort((x, y) => x - y).map((i) => plans[i]!);
      const cost = costOf(chosen).total;
      if (chosen.length === 0) return { npsLift: 0, netValue: revenueSource === 'none' ? null : -cost, cost };
      const sim = simulate(chosen, 'point');
      let net = 0;
      const dRho = new Float64Array(A);
      for (let q = 0; q < sim.rows.length; q++) {
        const r = sim.rows[q]!;
        const v = pop.ltr[r]!;
        const dp = sim.promoter[q]! - (v >= 9 ? 1 : 0);
        const dd = sim.detractor[q]! - (v <= 6 ? 1 : 0);
        net += dp - dd;
        dRho[pop.account[r]!]! += omega[r]! * (dp * (vP - vA) + dd * (vD - vA));
      }
      const netValue = revenueSource === 'none' ? null : exact(dRho, portfolioRamp(chosen)).npv - cost;
      return { npsLift: (100 * net) / pop.n, netValue, cost };
    },
  };
}
