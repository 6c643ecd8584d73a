/**
 * The driver model's panels: loads the scenario's model and its dataset's attribute labels, then
 * draws the importance bars, the priority matrix and the detail panels (effect curves, detractor
 * and promoter drivers, how the model was chosen: panels/modelDetails.ts) and the cause-and-effect
 * card (panels/cause.ts); the headline figures and the ranked table are drawn again, to caution
 * against associational lifts the model's confounding check finds likely off. Without labels (the
 * dataset is gone or unreadable) the attribute names are shown tidied up; only a refused token
 * stops it.
 */
import { ApiError } from '../api.js';
import type { Dashboard } from '../dashboard.js';
import type { Dataset, DriverModel } from '../contract.js';
import { panelError } from '../dom.js';
import { renderImportance, renderMatrix } from '../charts/importance.js';
import { loaded } from '../state.js';
import { CAUSE_CARD, renderCauseCard } from './cause.js';
import { renderFooter } from './footer.js';
import { renderKpis } from './kpis.js';
import { DETAIL_CARDS, renderModelDetails } from './modelDetails.js';
import { renderTable } from './ranking.js';

/** Every card the model fills: a failed load says so in each. */
const MODEL_CARDS = ['card-importance', 'card-matrix', ...DETAIL_CARDS, CAUSE_CARD] as const;

/** Loads and draws the model panels for the load `ticket`; rejects when they could not be drawn. */
export async function loadModel(d: Dashboard, ticket: number): Promise<void> {
  try {
    const modelId = loaded(d.state).scenario.scenario.modelId;
    const model = await d.api<DriverModel>(`/v1/models/${encodeURIComponent(modelId)}`);
    if (!model.importance || !model.importance.length) throw new Error(`the model ${modelId} has no importance figures (status ${model.status}).`);
    // Attribute labels are the dataset's; without them the names are shown tidied up.
    const labels = new Map<string, string>();
    if (model.datasetId) {
      try {
        const ds = await d.api<Dataset>(`/v1/datasets/${encodeURIComponent(model.datasetId)}`);
        for (const a of ds.attributes ?? []) if (a.label) labels.set(a.name, a.label);
      } catch (e) {
        if (e instanceof ApiError && e.status === 401) throw e;
      }
    }
    if (!d.state.loads.isCurrent(ticket)) return;
    d.state.model = model;
    d.state.labels = labels;
    for (const card of MODEL_CARDS) panelError(card, null);
    renderImportance(d, model, labels);
    renderMatrix(d, model, labels);
    renderModelDetails(d);
    renderCauseCard(d);
    renderKpis(d);
    if (d.state.ranking.length) renderTable(d);
    renderFooter(d);
  } catch (e) {
    if (d.state.loads.isCurrent(ticket)) for (const card of MODEL_CARDS) panelError(card, e);
    throw e;
  }
}
