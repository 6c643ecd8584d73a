/**
 * Opening the dashboard: the tenant's scenarios in the picker (the one last opened in this tab, or
 * the first), then one scenario's figures: headline figures, waterfall, ROI bubbles and slider at
 * once from its forecast; model panels, ranking and optimiser as their answers arrive. One panel
 * failing leaves the others (`body[data-status=partial]`); a forecast the worker is still computing
 * is waited for as the API's `Retry-After` says (`waiting`).
 */
import { ApiError, scenarioPath } from './api.js';
import type { Dashboard } from './dashboard.js';
import type { Forecast, Page, ScenarioSummary, ScenarioVersion } from './contract.js';
import { renderRoi } from './charts/roi.js';
import { renderWaterfall } from './charts/waterfall.js';
import { banner, byId, el, setStatus } from './dom.js';
import { humanise } from './format.js';
import { renderFooter } from './panels/footer.js';
import { renderKpis } from './panels/kpis.js';
import { loadModel } from './panels/model.js';
import { loadOptimizer, setUpSlider } from './panels/optimizer.js';
import { loadRanking } from './panels/ranking.js';
import { SCENARIO_KEY } from './session.js';
import { adoptForecast, hasNoRevenue, segmentsOf } from './state.js';
import { tenantOf } from './token.js';

const isUnauthorized = (e: unknown): boolean => e instanceof ApiError && e.status === 401;
const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Opens scenario `id`: resolves when every panel has loaded or failed. */
export async function loadScenario(d: Dashboard, id: string): Promise<void> {
  const state = d.state;
  const ticket = state.loads.next();
  state.scenarioId = id;
  state.selection = null;
  state.frontier = null;
  state.ranking = [];
  state.model = null;
  sessionStorage.setItem(SCENARIO_KEY, id);
  setStatus('loading');
  banner('');
  try {
    const [scenario, forecast] = await Promise.all([d.api<ScenarioVersion>(scenarioPath(id)), d.api<Forecast>(scenarioPath(id, '/forecast'))]);
    if (!state.loads.isCurrent(ticket)) return;
    adoptForecast(state, scenario, forecast);
    const segment = byId('segment', HTMLSelectElement);
    segment.replaceChildren(el('option', { value: '', text: 'all accounts' }), ...segmentsOf(forecast).map((s) => el('option', { value: s, text: `${humanise(s)} accounts` })));
    const objective = byId('objective', HTMLSelectElement);
    const npv = objective.querySelector<HTMLOptionElement>('option[value=npv]');
    if (npv) npv.disabled = hasNoRevenue(forecast);
    objective.value = state.objective;
    segment.value = state.segment;
    renderKpis(d);
    renderWaterfall(d);
    renderRoi(d);
    setUpSlider(d);
    renderFooter(d);
    const results = await Promise.allSettled([loadModel(d, ticket), loadRanking(d), loadOptimizer(d)]);
    if (!state.loads.isCurrent(ticket)) return;
    setStatus(results.some((r) => r.status === 'rejected') ? 'partial' : 'ready');
  } catch (e) {
    if (!state.loads.isCurrent(ticket) || isUnauthorized(e)) return;
    // A large scenario's forecast is computed by the worker: wait as the API says, then try again.
    if (e instanceof ApiError && e.status === 409 && e.retryAfter > 0) {
      banner('This version\u2019s forecast is still being computed; it opens here as soon as it is ready.', 'info');
      setStatus('waiting');
      setTimeout(() => {
        if (state.loads.isCurrent(ticket)) void loadScenario(d, id);
      }, e.retryAfter * 1000);
      return;
    }
    banner(`The scenario could not be loaded: ${messageOf(e)}`);
    setStatus('error');
  }
}

/** Shows the signed-in page and opens the scenario last opened in this tab, or the first one. */
export async function start(d: Dashboard): Promise<void> {
  const token = d.state.token;
  byId('signin').hidden = true;
  byId('content').hidden = false;
  byId('session').hidden = false;
  const tenant = token ? tenantOf(token) : null;
  byId('tenant').textContent = tenant ? `Tenant ${tenant}` : '';
  setStatus('loading');
  try {
    const list = await d.api<Page<ScenarioSummary>>('/v1/scenarios?limit=100');
    d.state.scenarios = list.items;
    const select = byId('scenario', HTMLSelectElement);
    select.replaceChildren(...list.items.map((s) => el('option', { value: s.id, text: `${s.name} (v${s.version})` })));
    byId('scenario-picker').hidden = list.items.length === 0;
    const first = list.items[0];
    if (!first) {
      banner('This tenant has no scenarios yet. Create one with POST /v1/scenarios (see the API reference at /docs), then reload.', 'info');
      setStatus('empty');
      return;
    }
    const remembered = sessionStorage.getItem(SCENARIO_KEY);
    const id = remembered !== null && list.items.some((s) => s.id === remembered) ? remembered : first.id;
    select.value = id;
    await loadScenario(d, id);
  } catch (e) {
    if (isUnauthorized(e)) return;
    banner(`The scenarios could not be listed: ${messageOf(e)}`);
    setStatus('error');
  }
}
