/**
 * Forecasts a scenario on a fitted driver model: each initiative alone, and the portfolio (every
 * initiative applied together — overlapping effects combine through the model, never by adding
 * lifts). A pipeline of named stages, each its own module:
 *
 * 1. targets and reach (./plan.ts) — which respondents each initiative reaches, its rating steps;
 * 2. the book of accounts (./book.ts) — loyalty mix, revenue and multiplier of every account;
 * 3. rating changes → latent shifts → crossing probabilities (./simulate.ts);
 * 4. NPS and revenue (./loyalty.ts) — lifts per segment, Δρ per account, revenue NPV, cost, ROI, payback;
 * 5. uncertainty (./uncertainty.ts) — the driver model's parameters (account-bootstrap replicates
 *    projected on each lift's gradient), the respondents' own outcomes, which accounts were
 *    surveyed, and the team's range for each effect (recomputed at its ends).
 */
import type { DriverModel } from '../drivers/contract.js';
import { calibratedLift } from '../ledger/calibration.js';
import type { Calibration } from '../ledger/contract.js';
import { resolveEffects, type ResolvedEffects } from '../drivers/effects.js';
import type { Population } from '../drivers/population.js';
import { netOf } from '../nps.js';
import { normalQuantile } from '../stats/normal.js';
import { keyed } from '../text.js';
import { accountBook, roleWeightsOf, type Book } from './book.js';
import type { Forecast, NpsForecast, Outcome, ScenarioFailure, ScenarioInput } from './contract.js';
import { change, costOf, npvWeights, paybackMonths, rampOf, revenueImpact, type Change, type Timing } from './loyalty.js';
import { planScenario, type Plan, type Which } from './plan.js';
import { haloSimulate, simulate, type Simulation } from './simulate.js';
import { clusterVariance, hasReplicates, intervalOf, modelDeviationsOf, perPointVariance, respondentNoise, type Weighting } from './uncertainty.js';

export { checkEffects, reaches } from './plan.js';
export { rampShare } from './loyalty.js';

export interface ForecastOptions {
  modelId: string;
  computedAt: string;
  /** Interval level (overrides the scenario's `intervalLevel`). */
  level?: number;
  /** The tenant's ledger calibration, when it has evaluated launches (forecasts then carry `calibrated`). */
  calibration?: Calibration | null;
}

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

/** What every stage of one scenario's forecast shares. */
interface Context {
  model: DriverModel;
  pop: Population;
  effects: ResolvedEffects;
  book: Book;
  timing: Timing;
  z: number;
  /** Respondents and observed net loyalty per segment. */
  segmentSize: Float64Array;
  baseNet: Float64Array;
  replicates: boolean;
  level: number;
  calibration: Calibration | null;
  /** Halo corrections (within − pooled, per point) and their errors by attribute index, when the model has a confounding check. */
  halo: { corrections: Map<number, number>; se: Map<number, number> } | null;
}

export function prepareScenario(model: DriverModel, pop: Population, scenario: ScenarioInput, options: ForecastOptions): PreparedScenario | ScenarioFailure {
  const plans = planScenario(model, pop, scenario);
  if (!Array.isArray(plans)) return plans;
  const book = accountBook(pop, scenario);
  if ('ok' in book) return book;
  const level = options.level ?? scenario.intervalLevel ?? 0.9;
  const S = pop.levels.segment.length;
  const segmentSize = new Float64Array(S);
  const baseNet = new Float64Array(S);
  for (let r = 0; r < pop.n; r++) {
    segmentSize[pop.segment[r]!]!++;
    baseNet[pop.segment[r]!]! += netOf(pop.ltr[r]!);
  }
  const ctx: Context = {
    model,
    pop,
    effects: resolveEffects(model, pop),
    book,
    timing: { horizon: scenario.horizonYears, discountRate: scenario.discountRate },
    z: normalQuantile(0.5 + level / 2),
    segmentSize,
    baseNet,
    replicates: model.parameters.kind === 'ordinal' && hasReplicates(model.parameters),
    halo: haloFactorsOf(model, pop),
    level,
    calibration: options.calibration ?? null,
  };
  const notes = [
    ...book.notes,
    'NPS lifts are steady-state effects (after each ramp); revenue follows the ramp.',
    `Intervals (${Math.round(level * 100)} %) combine the driver model's uncertainty (${ctx.replicates ? 'an account bootstrap of its parameters, every correlation kept' : 'its slopes’ standard errors'}), the respondents' own outcomes, which accounts were surveyed, and each effect's range (recomputed at its ends).`,
    'The portfolio applies every initiative together, in scenario order, through the model; its ramp is the slowest initiative’s.',
  ];
  const costs = (chosen: readonly Plan[]): Outcome['cost'] => costOf(ctx.timing, chosen.map((p) => p.initiative.cost));
  const portfolioRamp = (chosen: readonly Plan[]): number[] => rampOf(Math.max(0, ...chosen.map((p) => p.initiative.rampMonths)), ctx.timing.horizon);
  let baseTotal = 0;
  for (let s = 0; s < S; s++) baseTotal += baseNet[s]!;
  const all = plans.map((_, i) => i);
  return {
    ok: true,
    ids: plans.map((p) => p.initiative.id),
    costs: plans.map((p) => costs([p]).total),
    forecast(subset = all) {
      const chosen = [...subset].sort((x, y) => x - y).map((i) => plans[i]!);
      const initiatives = chosen.map((plan) => ({
        id: plan.initiative.id,
        name: plan.initiative.name,
        targeted: plan.targeted,
        reached: plan.rows.length,
        ...outcomeOf(ctx, [plan], rampOf(plan.initiative.rampMonths, ctx.timing.horizon), costs([plan])),
      }));
      // The portfolio ramps as its slowest initiative (a conservative reading of overlapping ramps).
      const portfolio = outcomeOf(ctx, chosen, portfolioRamp(chosen), costs(chosen));
      return {
        modelId: options.modelId,
        computedAt: options.computedAt,
        intervalLevel: level,
        currency: scenario.currency,
        baseline: { nps: (100 * baseTotal) / pop.n, bySegment: keyed(pop.levels.segment.map((name, s) => [name, (100 * baseNet[s]!) / segmentSize[s]!] as const)) },
        initiatives,
        portfolio,
        assumptions: {
          economics: book.economics,
          roleWeights: roleWeightsOf(pop, book),
          revenueSource: book.revenueSource,
          method: `${model.method} driver model; reach by a hash of (account, initiative id); revenue from each account's loyalty mix`,
          notes,
        },
      };
    },
    value(subset) {
      const chosen = [...subset].sort((x, y) => x - y).map((i) => plans[i]!);
      const cost = costs(chosen).total;
      if (chosen.length === 0) return { npsLift: 0, netValue: book.revenueSource === 'none' ? null : -cost, cost };
      const c = change(pop, book, simulate(model, ctx.effects, pop, chosen, 'point', false));
      const netValue = book.revenueSource === 'none' ? null : revenueImpact(book, ctx.timing, c.dRho, portfolioRamp(chosen)).npv - cost;
      return { npsLift: (100 * c.total) / pop.n, netValue, cost };
    },
  };
}

/** The forecast of one set of initiatives applied together: NPS and revenue with intervals, cost, ROI, payback. */
function outcomeOf(ctx: Context, chosen: readonly Plan[], ramp: readonly number[], cost: Outcome['cost']): Outcome {
  const { pop, book } = ctx;
  const S = pop.levels.segment.length;
  const anyRange = chosen.some((p) => p.hasRange);
  const sims: Record<Which, Simulation> = { point: simulate(ctx.model, ctx.effects, pop, chosen, 'point', ctx.replicates) } as Record<Which, Simulation>;
  sims.low = anyRange ? simulate(ctx.model, ctx.effects, pop, chosen, 'low', false) : sims.point;
  sims.high = anyRange ? simulate(ctx.model, ctx.effects, pop, chosen, 'high', false) : sims.point;
  const at: Record<Which, Change> = { point: change(pop, book, sims.point), low: change(pop, book, sims.low), high: change(pop, book, sims.high) };
  const sim = sims.point;
  const segmentOf = new Int32Array(sim.rows.length);
  for (let q = 0; q < segmentOf.length; q++) segmentOf[q] = pop.segment[sim.rows[q]!]!;

  // The model's share of the uncertainty: per segment and overall (slot S), in respondents.
  const m = sim.rows.length;
  const plus = new Float64Array(m).fill(1);
  const minus = new Float64Array(m).fill(-1);
  // Revenue's weights per respondent, ∂NPV/∂P: R_a·μ_a·ω_r·(vP − vA) for promoters, ·(vD − vA) for
  // detractors; known before the gradients, so NPS and NPV share one pass over the rows.
  const mu = book.revenueSource !== 'none' ? npvWeights(book, ctx.timing, ramp, at.point.dRho) : null;
  const wP = new Float64Array(mu ? m : 0);
  const wD = new Float64Array(mu ? m : 0);
  if (mu)
    for (let q = 0; q < m; q++) {
      const r = sim.rows[q]!;
      const w = mu[pop.account[r]!]! * book.omega[r]!;
      wP[q] = w * (book.vP - book.vA);
      wD[q] = w * (book.vD - book.vA);
    }
  const weightings: Weighting[] = [{ segmentOf, S, wP: plus, wD: minus }, ...(mu ? [{ segmentOf: null, S: 0, wP, wD }] : [])];
  const passes = ctx.replicates ? modelDeviationsOf(ctx.model, ctx.effects, pop, sim, weightings) : null;
  const deviations = passes ? passes[0]! : null;
  const modelVar = (slot: number): number => (deviations ? mean2(deviations[slot]!) : perPointVariance(ctx.effects, pop, sim, slot === S ? null : segmentOf, slot, plus, minus));
  const npsOf = (slot: number, n: number, baseNetSum: number): NpsForecast => {
    const pick = (c: Change): number => (slot === S ? c.total : c.bySeg[slot]!);
    const inSlot = (q: number): boolean => slot === S || segmentOf[q] === slot;
    const lift = (100 * pick(at.point)) / n;
    const variance = modelVar(slot) + respondentNoise(sim.crossing, inSlot) + clusterVariance(pop, book, sim, at.point, slot === S ? null : slot);
    const sd = (100 * Math.sqrt(variance)) / n;
    const interval = intervalOf(lift, (100 * pick(at.low)) / n, (100 * pick(at.high)) / n, sd, ctx.z);
    const baseline = (100 * baseNetSum) / n;
    return { baseline, predicted: baseline + lift, lift, interval, distinguishable: interval[0] > 0 || interval[1] < 0, respondents: n };
  };
  let baseTotal = 0;
  for (let s = 0; s < S; s++) baseTotal += ctx.baseNet[s]!;
  const nps = npsOf(S, pop.n, baseTotal);
  const bySegment = keyed(pop.levels.segment.map((name, s) => [name, npsOf(s, ctx.segmentSize[s]!, ctx.baseNet[s]!)] as const));
  const before = { promoters: 0, passives: 0, detractors: 0 };
  for (let r = 0; r < pop.n; r++) {
    const v = netOf(pop.ltr[r]!);
    if (v > 0) before.promoters++;
    else if (v < 0) before.detractors++;
    else before.passives++;
  }
  const c = at.point;
  const shares = {
    before: { promoters: (100 * before.promoters) / pop.n, passives: (100 * before.passives) / pop.n, detractors: (100 * before.detractors) / pop.n },
    after: {
      promoters: (100 * (before.promoters + c.promoters)) / pop.n,
      passives: (100 * (before.passives - c.promoters - c.detractors)) / pop.n,
      detractors: (100 * (before.detractors + c.detractors)) / pop.n,
    },
  };

  // Revenue: exact per account at the point value and the range ends; its interval by linearisation.
  let revenue: Outcome['revenue'] = null;
  let yearly: number[] | null = null;
  let npvDeviations: Float64Array | null = null;
  if (book.revenueSource !== 'none') {
    const point = revenueImpact(book, ctx.timing, c.dRho, ramp);
    const low = revenueImpact(book, ctx.timing, at.low.dRho, ramp).npv;
    const high = revenueImpact(book, ctx.timing, at.high.dRho, ramp).npv;
    npvDeviations = passes ? passes[1]![0]! : null;
    const mv = npvDeviations ? mean2(npvDeviations) : perPointVariance(ctx.effects, pop, sim, null, 0, wP, wD);
    const rv = respondentNoise(sim.crossing, undefined, wP, wD);
    const sv = accountNpvVariance(pop, book, sim, c, mu!);
    const interval = intervalOf(point.npv, low, high, Math.sqrt(mv + rv + sv), ctx.z);
    revenue = { yearly: point.yearly, npv: point.npv, interval };
    yearly = point.yearly;
  }
  const roi =
    revenue && cost.total > 0 ? { estimate: (revenue.npv - cost.total) / cost.total, interval: [(revenue.interval[0] - cost.total) / cost.total, (revenue.interval[1] - cost.total) / cost.total] as [number, number] } : null;
  const liftDeviations = deviations ? Array.from(deviations[S]!, (d) => (100 * d) / pop.n) : [];
  const haloAdjusted = ctx.halo ? haloOutcome(ctx, sim, at, (100 * Math.sqrt(modelVar(S))) / pop.n) : null;
  return {
    nps,
    bySegment,
    shares,
    revenue,
    cost,
    roi,
    paybackMonths: paybackMonths(ctx.timing, yearly, cost),
    liftPerMillion: cost.total > 0 ? nps.lift / (cost.total / 1e6) : null,
    uncertainty: {
      model: (100 * Math.sqrt(modelVar(S))) / pop.n,
      respondents: (100 * Math.sqrt(respondentNoise(sim.crossing))) / pop.n,
      sampling: (100 * Math.sqrt(clusterVariance(pop, book, sim, c, null))) / pop.n,
      replicates: { lift: liftDeviations.map(round6), npv: npvDeviations ? Array.from(npvDeviations, round6) : null },
    },
    haloAdjusted,
    calibrated: ctx.calibration ? calibratedOf(ctx, chosen, nps) : null,
  };
}

/** The lift calibrated by the ledger, by the factor of the attributes the initiatives change. */
function calibratedOf(ctx: Context, chosen: readonly Plan[], nps: NpsForecast): Outcome['calibrated'] {
  const c = ctx.calibration!;
  const attributes = [...new Set(chosen.flatMap((p) => p.initiative.effects.map((e) => e.attribute)))];
  const out = calibratedLift(nps.lift, nps.interval, ctx.level, c, attributes);
  return { lift: out.lift, interval: out.interval, factor: out.factor, launches: c.launches };
}

/**
 * The halo-adjusted lift and its interval: the model's error, the corrections' own error (each
 * correction's standard error times the lift's sensitivity to it), the respondents' outcomes and the
 * accounts surveyed; the effects' ranges as for the associational lift.
 */
function haloOutcome(ctx: Context, sim: Simulation, at: Record<Which, Change>, modelSdPoints: number): Outcome['haloAdjusted'] {
  const { pop, book } = ctx;
  const halo = ctx.halo!;
  const adjusted = haloSimulate(ctx.model, pop, sim, halo.corrections);
  const adjustedSim = { ...sim, crossing: adjusted.crossing };
  const c = change(pop, book, adjustedSim);
  const { dPromoter, dDetractor } = adjusted.crossing;
  let correctionVar = 0;
  for (const [j, d] of adjusted.deltaX) {
    let g = 0;
    for (let q = 0; q < d.length; q++) g += (dPromoter[q]! - dDetractor[q]!) * d[q]!;
    correctionVar += (g * (halo.se.get(j) ?? 0)) ** 2;
  }
  const lift = (100 * c.total) / pop.n;
  const raw = (100 * at.point.total) / pop.n;
  const variance = correctionVar + respondentNoise(adjusted.crossing) + clusterVariance(pop, book, adjustedSim, c, null);
  const sd = Math.sqrt(modelSdPoints * modelSdPoints + (100 * 100 * variance) / (pop.n * pop.n));
  const ratio = raw !== 0 ? lift / raw : 1;
  const scale = (x: number): number => lift + ratio * ((100 * x) / pop.n - raw);
  const interval = intervalOf(lift, scale(at.low.total), scale(at.high.total), sd, ctx.z);
  return { lift, interval, factor: ratio };
}

/** The model's halo corrections by attribute index (null without a usable confounding check). */
function haloFactorsOf(model: DriverModel, pop: Population): Context['halo'] {
  const c = model.confounding;
  if (!c || c.risk === 'unknown' || c.attributes.length === 0) return null;
  const index = new Map(pop.attributes.map((a, j) => [a.name, j] as const));
  const corrections = new Map<number, number>();
  const se = new Map<number, number>();
  for (const a of c.attributes) {
    const j = index.get(a.attribute);
    if (j === undefined) continue;
    corrections.set(j, a.correction.estimate);
    se.set(j, a.correction.stdError);
  }
  return { corrections, se };
}

const mean2 = (d: ArrayLike<number>): number => {
  let s = 0;
  for (let i = 0; i < d.length; i++) s += d[i]! * d[i]!;
  return d.length > 0 ? s / d.length : 0;
};

const round6 = (x: number): number => Number(x.toPrecision(6));

/** Sampling variance of the NPV, a total over accounts: A·Var(account NPV). */
function accountNpvVariance(pop: Population, book: Book, sim: Simulation, c: Change, mu: Float64Array): number {
  const accountNpv = new Float64Array(book.A);
  for (let q = 0; q < sim.rows.length; q++) {
    const r = sim.rows[q]!;
    const a = pop.account[r]!;
    accountNpv[a]! += mu[a]! * book.omega[r]! * (c.dp[q]! * (book.vP - book.vA) + c.dd[q]! * (book.vD - book.vA));
  }
  let sum = 0;
  for (let a = 0; a < book.A; a++) sum += accountNpv[a]!;
  const mean = sum / book.A;
  let v = 0;
  for (let a = 0; a < book.A; a++) v += (accountNpv[a]! - mean) ** 2;
  return book.A > 1 ? (v * book.A) / (book.A - 1) : 0;
}
