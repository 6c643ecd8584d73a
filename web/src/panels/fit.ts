/**
 * Fitting a driver model (card `#card-fit`): the tenant's sealed waves in a picker, a fit started
 * with `POST /v1/models`, then followed — a small wave answers at once (201), a large one is fitted
 * by the worker (202) and `GET /v1/models/{id}` is asked until it is ready or failed, its
 * `progress` on the bar. A failure is shown in words (the problem's detail and each field at fault).
 * A ready model's chosen structure and calibration (held-out predicted vs observed NPS per segment)
 * show here; its importance, curves, drivers, choice and cause-and-effect fill the panels below;
 * the what-if and the editor are told of it (`liftcast:model`).
 *
 * `data-state`: `idle`, `fitting`, `ready` (with `data-model`) or `failed`.
 */
import { ApiError } from '../api.js';
import type { DatasetSummary, DriverModel, ModelSummary, Page } from '../contract.js';
import type { Dashboard } from '../dashboard.js';
import { byId, el } from '../dom.js';
import { renderCalibration, calibrationText } from '../charts/calibration.js';
import { renderImportance, renderMatrix } from '../charts/importance.js';
import { modelChoice, choiceSummary } from '../modelChoice.js';
import { problemText, progressView } from '../progress.js';
import { renderCauseCard } from './cause.js';
import { renderModelDetails } from './modelDetails.js';
import { showProgress } from './progressBar.js';

const POLL_MS = 1500;

const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** The sealed waves, newest first; `select` picks this one when given. */
export async function loadDatasets(d: Dashboard, select?: string): Promise<void> {
  const page = await d.api<Page<DatasetSummary>>('/v1/datasets?limit=100');
  const sealed = page.items.filter((s) => s.status === 'sealed');
  const picker = byId('fit-dataset', HTMLSelectElement);
  const keep = select ?? picker.value;
  picker.replaceChildren(...sealed.map((s) => el('option', { value: s.id, text: `${s.name} (${s.rowCount.toLocaleString('en-US')} respondents)` })));
  if (sealed.some((s) => s.id === keep)) picker.value = keep;
  byId('fit-start', HTMLButtonElement).disabled = sealed.length === 0;
}

function setState(state: string): void {
  byId('card-fit').setAttribute('data-state', state);
}

/** The problem of a fit in words: its detail and each reason it gives. */
function failureWords(e: unknown): string {
  if (!(e instanceof ApiError)) return e instanceof Error ? e.message : String(e);
  const reasons = (e.problem.errors ?? []).map((x) => x.reason).filter((r) => r !== e.message);
  return [e.message, ...new Set(reasons)].join(' ');
}

/** Fits a model on the picked wave and follows it to the end. */
async function fit(d: Dashboard): Promise<void> {
  const datasetId = byId('fit-dataset', HTMLSelectElement).value;
  if (!datasetId) return;
  const method = byId('fit-method', HTMLSelectElement).value;
  const segmentBy = byId('fit-segmentby', HTMLSelectElement).value;
  const button = byId('fit-start', HTMLButtonElement);
  button.disabled = true;
  byId('fit-result').hidden = true;
  setState('fitting');
  showProgress('fit-progress', progressView('fitting'));
  try {
    let model = await d.api<DriverModel | ModelSummary>('/v1/models', { method: 'POST', body: { datasetId, method, ...(segmentBy ? { segmentBy } : {}) } });
    while (model.status === 'fitting') {
      showProgress('fit-progress', progressView(model.status, model.progress));
      await delay(POLL_MS);
      model = await d.api<DriverModel>(`/v1/models/${encodeURIComponent(model.id ?? '')}`);
    }
    if (model.status === 'failed') throw new ApiError(422, 'The fit failed', problemText(model.problem), 0, model.problem ?? {});
    showFitted(d, model as DriverModel);
  } catch (e) {
    if (e instanceof ApiError && e.status === 401) return;
    showProgress('fit-progress', { state: 'failed', share: 1, text: `Failed: ${failureWords(e)}` });
    setState('failed');
  } finally {
    button.disabled = false;
  }
}

/** A ready model: its structure and calibration here, its panels below, and the workbench told. */
function showFitted(d: Dashboard, model: DriverModel): void {
  showProgress('fit-progress', progressView('ready'));
  const choice = modelChoice(model, new Map());
  const columns = Array.isArray(model.segmentBy) ? model.segmentBy.join(', ') : (model.segmentBy ?? 'none');
  byId('fit-structure').textContent = `${model.method ?? 'model'} model; grouping columns considered: ${columns}.${choice ? ` ${choiceSummary(choice)}` : ''}${typeof model.fit?.r2 === 'number' ? ` R² ${model.fit.r2.toFixed(3)}.` : ''}`;
  const calibration = model.calibration ?? [];
  renderCalibration(d, calibration);
  byId('chart-calibration', HTMLCanvasElement).setAttribute('aria-label', `Predicted against observed NPS per segment. ${calibrationText(calibration)}`);
  byId('fit-result').hidden = false;
  // The panels below show the model just fitted, until a scenario is opened.
  d.state.model = model;
  d.state.labels = new Map();
  renderImportance(d, model, d.state.labels);
  renderMatrix(d, model, d.state.labels);
  renderModelDetails(d);
  renderCauseCard(d);
  const card = byId('card-fit');
  card.setAttribute('data-model', model.id ?? '');
  setState('ready');
  document.dispatchEvent(new CustomEvent('liftcast:model', { detail: model.id }));
}

export function wireFit(d: Dashboard): void {
  byId('fit-form', HTMLFormElement).addEventListener('submit', (ev) => {
    ev.preventDefault();
    void fit(d);
  });
  document.addEventListener('liftcast:datasets', (ev) => {
    const id = ev instanceof CustomEvent && typeof ev.detail === 'string' ? ev.detail : undefined;
    loadDatasets(d, id).catch(() => undefined);
  });
}
