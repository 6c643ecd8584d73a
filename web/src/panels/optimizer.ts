/**
 * The budget optimiser: a slider from nothing to the whole programme, the objective (net value or
 * NPS lift), the best portfolio within the budget (listed, and highlighted in the table, the
 * bubbles and the frontier) and the efficient frontier over the whole range.
 *
 * The card carries what tests read: `data-state` (`busy`, `ready`, `error`), `data-budget`,
 * `data-objective` and `data-selected` (ids, comma-separated) of the selection shown, and
 * `data-frontier` (the objective the frontier shows).
 */
import { ApiError, scenarioPath } from '../api.js';
import type { Dashboard } from '../dashboard.js';
import type { OptimizationJob, OptimizationResult } from '../contract.js';
import { byId, el, panelError } from '../dom.js';
import { bracket, finite, months, percent, signed } from '../format.js';
import { objectiveName, refreshFrontier, renderFrontier } from '../charts/frontier.js';
import { outlineSelection } from '../charts/roi.js';
import { budgetRange, isOptimizationJob } from '../portfolio.js';
import { netInterval } from '../rankingCells.js';
import { horizonText, loaded, moneyOf } from '../state.js';
import { renderTable } from './ranking.js';

/** How often a worker's optimisation is asked for its result. */
const POLL_MS = 2000;

/** Sets the slider's range and step for the scenario on screen, at half the programme. */
export function setUpSlider(d: Dashboard): void {
  const range = budgetRange(loaded(d.state).forecast.initiatives);
  const money = moneyOf(d.state);
  d.state.budgetMax = range.max;
  d.state.budget = range.initial;
  const slider = byId('budget', HTMLInputElement);
  slider.min = '0';
  slider.max = String(range.max);
  slider.step = String(range.step);
  slider.value = String(range.initial);
  byId('budget-min').textContent = money(0);
  byId('budget-max').textContent = `${money(range.max)} (everything)`;
  showBudget(d);
}

/** The budget under the slider, to the unit. */
export function showBudget(d: Dashboard): void {
  byId('budget-output').textContent = moneyOf(d.state)(d.state.budget, true);
}

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * The optimiser's answer at `budget`. A large scenario is optimised by the worker (202 with the
 * optimisation's record): its record is asked for until it is ready or failed.
 */
async function optimizeAt(d: Dashboard, budget: number): Promise<OptimizationResult> {
  const scenarioId = d.state.scenarioId;
  if (scenarioId === null) throw new Error('no scenario is open');
  let r = await d.api<OptimizationResult | OptimizationJob>(scenarioPath(scenarioId, '/optimize'), { method: 'POST', body: { budget, objective: d.state.objective } });
  for (;;) {
    if (!isOptimizationJob(r)) return r;
    if (r.status === 'ready') {
      if (!r.result) throw new Error(`the optimisation ${r.id} is ready but carries no result`);
      return r.result;
    }
    if (r.status === 'failed') throw new ApiError(422, r.problem?.title ?? 'Failed', r.problem ? r.problem.detail : 'The optimisation failed.');
    await delay(POLL_MS);
    r = await d.api<OptimizationJob>(scenarioPath(scenarioId, `/optimizations/${encodeURIComponent(r.id)}`));
  }
}

/** The frontier over the whole range: one optimisation at the largest budget. */
async function loadFrontier(d: Dashboard): Promise<void> {
  const state = d.state;
  const ticket = state.frontiers.next();
  const load = state.loads.latest;
  const r = await optimizeAt(d, state.budgetMax);
  if (!state.frontiers.isCurrent(ticket) || !state.loads.isCurrent(load)) return;
  state.frontier = r.frontier;
  renderFrontier(d);
  byId('card-optimizer').setAttribute('data-frontier', r.objective || state.objective);
}

/** The best portfolio at the slider's budget, shown and highlighted everywhere. */
export async function optimize(d: Dashboard): Promise<void> {
  const state = d.state;
  const ticket = state.optimizations.next();
  const load = state.loads.latest;
  const budget = state.budget;
  const card = byId('card-optimizer');
  card.setAttribute('data-state', 'busy');
  try {
    const r = await optimizeAt(d, budget);
    if (!state.optimizations.isCurrent(ticket) || !state.loads.isCurrent(load)) return;
    state.selection = r;
    panelError('card-optimizer', null);
    renderSelection(d);
    highlightSelection(d);
    card.setAttribute('data-budget', String(budget));
    card.setAttribute('data-objective', r.objective || state.objective);
    card.setAttribute('data-selected', r.selected.join(','));
    card.setAttribute('data-state', 'ready');
  } catch (e) {
    if (state.optimizations.isCurrent(ticket)) {
      card.setAttribute('data-state', 'error');
      panelError('card-optimizer', e);
    }
    throw e;
  }
}

/** The frontier and the selection, for a new scenario or objective. */
export async function loadOptimizer(d: Dashboard): Promise<void> {
  try {
    await Promise.all([loadFrontier(d), optimize(d)]);
  } catch (e) {
    panelError('card-optimizer', e);
    throw e;
  }
}

function renderSelection(d: Dashboard): void {
  const state = d.state;
  const r = state.selection;
  if (!r) return;
  const { forecast } = loaded(state);
  const money = moneyOf(state);
  const horizon = horizonText(state);
  const ids = r.selected;
  const o = r.forecast;
  const figures: HTMLElement[] = [];
  const row = (label: string, value: string): void => {
    figures.push(el('dt', { text: label }), el('dd', { text: value }));
  };
  if (o) {
    row('NPS lift', `${signed(o.nps.lift)} points ${bracket(o.nps.interval, signed)}`);
    if (o.haloAdjusted) row('Within accounts', `${signed(o.haloAdjusted.lift)} points ${bracket(o.haloAdjusted.interval, signed)}`);
    if (o.revenue) row('Net value (NPV)', `${money(o.revenue.npv - o.cost.total)} ${bracket(netInterval(o), money)}`);
    if (o.roi) row('ROI', `${percent(o.roi.estimate)} ${bracket(o.roi.interval, percent)}`);
    row('Cost', money(o.cost.total, true));
    row('Payback', finite(o.paybackMonths) ? months(o.paybackMonths, horizon) : `beyond ${horizon}`);
  } else if (r.value) {
    row('NPS lift', `${signed(r.value.npsLift)} points`);
    row('Cost', money(r.value.cost, true));
  }
  // exact: every subset through the model; exhaustive and greedy search part of them (model/scenario/optimize.ts).
  row('Search', r.method === 'exact' ? 'exact (every combination)' : `${r.method || ''} heuristic`);
  const chosen = forecast.initiatives.filter((i) => ids.includes(i.id));
  byId('selection').replaceChildren(
    el('p', {
      class: 'headline',
      text: ids.length
        ? `Fund ${ids.length} of ${forecast.initiatives.length} initiatives for ${money(r.value ? r.value.cost : 0)}, the best ${objectiveName(state)} within ${money(state.budget)}`
        : `No initiative fits within ${money(state.budget)}.`,
    }),
    el('dl', { class: 'figures' }, figures),
    el('ul', null, chosen.map((i) => el('li', { 'data-id': i.id }, [el('span', { class: 'swatch', colour: state.colours.get(i.id) }), i.name]))),
  );
}

/** Marks the selection in the table, the bubbles and the frontier. */
function highlightSelection(d: Dashboard): void {
  if (d.state.ranking.length) renderTable(d);
  outlineSelection(d);
  refreshFrontier(d);
}
