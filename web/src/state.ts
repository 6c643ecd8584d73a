/**
 * What the dashboard knows at a moment: the session, the scenario on screen and the choices the user
 * made (ranking metric, segment, objective, budget). One object, read by every panel, so that a
 * panel redrawn later (the table after an optimisation) shows the same choices as the others.
 *
 * Requests overlap (a second header click before the first ranking arrives; a new scenario picked
 * while the optimiser runs), so each kind of request takes a ticket from its {@link Sequence} and an
 * answer is drawn only if its ticket is still the latest: the last request wins, whatever order
 * the answers come in.
 *
 * Keys that are tenant data (initiative ids, segment names: a segment may be called `constructor`
 * or `__proto__`) are only ever kept in `Map`s.
 */
import type {
  DriverModel,
  Forecast,
  InitiativeForecast,
  Objective,
  OptimizationResult,
  RankBy,
  RankedInitiative,
  ScenarioSummary,
  ScenarioVersion,
} from './contract.js';
import type { CutSort } from './cutDrivers.js';
import { money, years } from './format.js';
import { PALETTE } from './theme.js';

/**
 * Tickets for one kind of request: `next()` when sending, `isCurrent(ticket)` when its answer
 * arrives. `invalidate()` makes every ticket out so far stale (sign-out).
 */
export class Sequence {
  #latest = 0;

  next(): number {
    return ++this.#latest;
  }

  isCurrent(ticket: number): boolean {
    return ticket === this.#latest;
  }

  /** The latest ticket, without taking one: to tie another request to the load it belongs to. */
  get latest(): number {
    return this.#latest;
  }

  invalidate(): void {
    this.#latest++;
  }
}

export interface DashboardState {
  token: string | null;
  scenarios: ScenarioSummary[];
  scenarioId: string | null;
  scenario: ScenarioVersion | null;
  forecast: Forecast | null;
  model: DriverModel | null;
  /** The model's dataset's attribute labels, by attribute name (empty when the dataset could not be read). */
  labels: Map<string, string>;
  /** The attribute the effect-curve chart shows (kept across scenarios while the model has it). */
  curveAttribute: string | null;
  /** What the detractor/promoter driver bars are sorted by. */
  cutSort: CutSort;
  currency: string;
  /** Colour of each initiative, by id, in forecast order (the bars, bubbles, table and selection agree). */
  colours: Map<string, string>;
  /** Each initiative's forecast, by id. */
  byId: Map<string, InitiativeForecast>;
  by: RankBy;
  /** The segment the ranking's NPS is for; `''` for all accounts. */
  segment: string;
  ranking: RankedInitiative[];
  objective: Objective;
  budget: number;
  budgetMax: number;
  frontier: OptimizationResult['frontier'] | null;
  selection: OptimizationResult | null;
  /** A scenario load; every other sequence's answer is also dropped when a newer load started. */
  loads: Sequence;
  rankings: Sequence;
  optimizations: Sequence;
  frontiers: Sequence;
  /** The pending re-optimisation while the budget slider moves. */
  debounce: ReturnType<typeof setTimeout> | undefined;
}

/** The state before sign-in: ranked by ROI, optimising net value, all accounts, drivers sorted by detractors moved. */
export function initialState(): DashboardState {
  return {
    token: null,
    scenarios: [],
    scenarioId: null,
    scenario: null,
    forecast: null,
    model: null,
    labels: new Map(),
    curveAttribute: null,
    cutSort: 'leavingDetractor',
    currency: 'USD',
    colours: new Map(),
    byId: new Map(),
    by: 'roi',
    segment: '',
    ranking: [],
    objective: 'npv',
    budget: 0,
    budgetMax: 0,
    frontier: null,
    selection: null,
    loads: new Sequence(),
    rankings: new Sequence(),
    optimizations: new Sequence(),
    frontiers: new Sequence(),
    debounce: undefined,
  };
}

/**
 * Takes in a scenario's forecast: its currency, and each initiative's colour and forecast by id.
 * A chosen segment the forecast does not have is dropped (back to all accounts).
 */
export function adoptForecast(state: DashboardState, scenario: ScenarioVersion, forecast: Forecast): void {
  state.scenario = scenario;
  state.forecast = forecast;
  state.currency = forecast.currency;
  state.colours = new Map();
  state.byId = new Map();
  forecast.initiatives.forEach((o, i) => {
    state.colours.set(o.id, PALETTE[i % PALETTE.length]!);
    state.byId.set(o.id, o);
  });
  if (state.segment && !segmentsOf(forecast).includes(state.segment)) state.segment = '';
  // Without revenue there is no net value to maximise: the optimiser can only maximise NPS lift.
  if (hasNoRevenue(forecast)) state.objective = 'npsLift';
}

/** The forecast's segments, sorted: the names are the tenant's, read as own keys only. */
export function segmentsOf(forecast: Forecast): string[] {
  return [...new Map(Object.entries(forecast.baseline.bySegment)).keys()].sort();
}

/** True when the forecast has no revenue to value initiatives by (neither a revenue base nor account revenue). */
export function hasNoRevenue(forecast: Forecast): boolean {
  return forecast.assumptions?.revenueSource === 'none';
}

/** The scenario and forecast on screen; throws when called before one has loaded (a bug, not a state). */
export function loaded(state: DashboardState): { scenario: ScenarioVersion; forecast: Forecast } {
  if (!state.scenario || !state.forecast) throw new Error('no scenario has loaded yet');
  return { scenario: state.scenario, forecast: state.forecast };
}

/** The selected initiatives' ids, or `null` before the optimiser has answered. */
export function selectedIds(state: DashboardState): Set<string> | null {
  return state.selection ? new Set(state.selection.selected) : null;
}

/** `'3 years'`: the scenario's horizon (3 before one has loaded). */
export function horizonText(state: DashboardState): string {
  return years(state.scenario ? state.scenario.scenario.horizonYears : 3);
}

/** `'90%'`: the forecast's interval level (90% before one has loaded). */
export function levelText(state: DashboardState): string {
  return state.forecast ? `${Math.round(state.forecast.intervalLevel * 100)}%` : '90%';
}

/**
 * Amounts in the scenario's currency, read when called: chart ticks drawn later use the currency
 * of the scenario on screen then.
 */
export function moneyOf(state: DashboardState): (v: number | null | undefined, full?: boolean) => string {
  return (v, full = false) => money(v, state.currency, full);
}
