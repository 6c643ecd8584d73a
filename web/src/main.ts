/**
 * The dashboard's entry (bundled by esbuild into `/dashboard/assets/dashboard.js`, see
 * functions/dashboard/site.ts). It fills the static shell (web/index.html) from the JSON API with the
 * user's bearer token:
 *
 * - `GET /v1/scenarios` → the scenario picker (the one last opened in this tab, else the first);
 * - `GET /v1/scenarios/{id}`, `…/forecast` → headline figures, NPS waterfall, ROI × cost bubbles;
 * - `GET /v1/models/{modelId}` (+ its dataset for attribute labels) → importance bars, priority matrix,
 *   effect curves, detractor vs promoter drivers, how the model was chosen, cause and effect (the
 *   confounding check; the forecast's halo-adjusted lifts stand beside the associational ones);
 * - `GET /v1/scenarios/{id}/ranking?by=…&segment=…` → the ranked table (a header click re-fetches);
 * - `POST /v1/scenarios/{id}/optimize` → the efficient frontier (whole budget range) and the
 *   selection at the slider's budget, highlighted in the table, the bubbles and the frontier.
 *
 * Above them, the workbench does the work itself, on the same public API: upload a wave
 * (panels/upload.ts), fit a model and follow it (panels/fit.ts), what-if sliders (panels/whatif.ts),
 * build and edit scenarios with If-Match, versions and comparisons (panels/editor.ts); the ranked
 * table and a comparison download as Excel workbooks.
 *
 * State for tests and screen readers: `body[data-status]` is `signin`, `loading`, `waiting`,
 * `ready`, `partial` (some panel failed), `empty` or `error`; the table and the optimiser card carry
 * their own (panels/ranking.ts, panels/optimizer.ts).
 */
import { createApi, scenarioPath } from './api.js';
import { isObjective, isRankBy } from './contract.js';
import type { Dashboard } from './dashboard.js';
import { loadedChartLib } from './charts/lib.js';
import { chartOn, setUpCharts } from './charts/setup.js';
import { byId, setStatus } from './dom.js';
import { downloadWorkbook, wireEditor } from './panels/editor.js';
import { loadDatasets, wireFit } from './panels/fit.js';
import { loadLedger, wireLedger } from './panels/ledger.js';
import { wireUpload } from './panels/upload.js';
import { loadModels, wireWhatIf } from './panels/whatif.js';
import { wireModelDetails } from './panels/modelDetails.js';
import { loadOptimizer, optimize, showBudget } from './panels/optimizer.js';
import { loadRanking } from './panels/ranking.js';
import { loadScenario, start } from './scenario.js';
import { showSignIn, signIn, signOut, TOKEN_KEY, tokenFromLink } from './session.js';
import { initialState } from './state.js';
import { pastedToken } from './token.js';
import { initialWork } from './work.js';

/** Quiet: a failed panel has already said so in its card. */
const shown = (): void => undefined;

/** Signed in: the dashboard opens its scenario while the workbench lists the waves and models. */
function open(d: Dashboard): void {
  void start(d);
  loadDatasets(d).catch(shown);
  loadModels(d).catch(shown);
  loadLedger(d).catch(shown);
}

/** The ranked table as a workbook: the forecast, this ranking and the assumptions. */
function exportRanking(d: Dashboard): void {
  const id = d.state.scenarioId;
  if (!id) return;
  const q = new URLSearchParams({ by: d.state.by });
  if (d.state.segment) q.set('segment', d.state.segment);
  const problem = byId('export-problem');
  problem.hidden = true;
  const button = byId('export-xlsx', HTMLButtonElement);
  button.disabled = true;
  downloadWorkbook(d, scenarioPath(id, `/ranking?${q.toString()}`), {}, 'ranking.xlsx')
    .then((name) => button.setAttribute('data-downloaded', name))
    .catch((e: unknown) => {
      problem.textContent = `The workbook could not be made: ${e instanceof Error ? e.message : String(e)}`;
      problem.hidden = false;
    })
    .finally(() => (button.disabled = false));
}

/** How long the slider must rest before the optimiser is asked (the `change` at release asks at once). */
const SLIDER_DEBOUNCE_MS = 250;

function wire(d: Dashboard): void {
  const state = d.state;
  const tokenInput = byId('token-input', HTMLTextAreaElement);
  byId('signin-form', HTMLFormElement).addEventListener('submit', (ev) => {
    ev.preventDefault();
    const token = pastedToken(tokenInput.value);
    if (!token) return;
    signIn(d, token);
    tokenInput.value = '';
    open(d);
  });
  byId('signout').addEventListener('click', () => signOut(d, null));
  const scenario = byId('scenario', HTMLSelectElement);
  scenario.addEventListener('change', () => void loadScenario(d, scenario.value));
  byId('ranking', HTMLTableElement)
    .querySelector('thead')
    ?.addEventListener('click', (ev) => {
      const button = ev.target instanceof Element ? ev.target.closest('button[data-by]') : null;
      const by = button?.getAttribute('data-by');
      if (!button || !state.scenarioId || !isRankBy(by)) return;
      state.by = by;
      loadRanking(d).catch(shown);
    });
  const segment = byId('segment', HTMLSelectElement);
  segment.addEventListener('change', () => {
    state.segment = segment.value;
    loadRanking(d).catch(shown);
  });
  const objective = byId('objective', HTMLSelectElement);
  objective.addEventListener('change', () => {
    if (!isObjective(objective.value)) return;
    state.objective = objective.value;
    loadOptimizer(d).catch(shown);
  });
  wireModelDetails(d);
  wireUpload(d);
  wireFit(d);
  wireWhatIf(d);
  wireEditor(d);
  wireLedger(d);
  byId('export-xlsx').addEventListener('click', () => exportRanking(d));
  const slider = byId('budget', HTMLInputElement);
  slider.addEventListener('input', () => {
    state.budget = Number(slider.value);
    showBudget(d);
    // The budget line follows the slider at once; the selection follows once it rests.
    chartOn(d.chart, 'chart-frontier')?.draw();
    clearTimeout(state.debounce);
    state.debounce = setTimeout(() => optimize(d).catch(shown), SLIDER_DEBOUNCE_MS);
  });
  slider.addEventListener('change', () => {
    clearTimeout(state.debounce);
    state.budget = Number(slider.value);
    showBudget(d);
    optimize(d).catch(shown);
  });
}

function boot(): void {
  const chart = loadedChartLib();
  if (!chart) {
    document.body.textContent = 'Chart.js did not load from /dashboard/assets/chart.umd.min.js; run npm install and restart the server.';
    setStatus('error');
    return;
  }
  const state = initialState();
  const dashboard: Dashboard = {
    state,
    chart,
    work: initialWork(),
    api: createApi({
      token: () => state.token,
      onUnauthorized: (e) => signOut(dashboard, `The server refused the token: ${e.message}`),
    }),
  };
  setUpCharts(chart);
  wire(dashboard);
  const fromLink = tokenFromLink();
  if (fromLink) sessionStorage.setItem(TOKEN_KEY, fromLink);
  state.token = sessionStorage.getItem(TOKEN_KEY);
  if (state.token) open(dashboard);
  else showSignIn(dashboard, null);
}

boot();
