/**
 * What-if sliders (card `#card-whatif`): for the picked ready model and a target (segments, roles
 * of its wave), one slider per attribute and the operation (add points, at least a rating, close
 * the gap to the top). As the sliders move, `POST /v1/models/{id}/predict` is asked once the hand
 * rests (debounced; at once on release), and the predicted NPS overall and per segment is shown;
 * the moved attribute's effect curve is drawn where the model has curves. The last request wins.
 *
 * `data-state`: `idle`, `busy`, `ready` (with `data-predicted`, the overall predicted NPS, and
 * `data-lift`) or `error`.
 */
import { ApiError } from '../api.js';
import type { DatasetSummary, DriverModel, Interval, ModelSummary, Page, WhatIfResult } from '../contract.js';
import type { Dashboard } from '../dashboard.js';
import { byId, el } from '../dom.js';
import { fixed, humanise, signed } from '../format.js';
import { renderCurveChart } from '../charts/curves.js';
import { chartOn } from '../charts/setup.js';
import { describeCurve } from '../curves.js';
import { changesOf, debounce, initiativeFromWhatIf, predictRequest, segmentRows, sliderRange, sliderText, SLIDER_OPS, targetOf, type SliderOp } from '../whatif.js';

/** How long the sliders must rest before the model is asked. */
const DEBOUNCE_MS = 250;

const isSliderOp = (v: string): v is SliderOp => (SLIDER_OPS as readonly string[]).includes(v);

/** The ready models, newest first; `select` picks this one (a fit just finished). */
export async function loadModels(d: Dashboard, select?: string): Promise<void> {
  const page = await d.api<Page<ModelSummary>>('/v1/models?limit=100');
  const ready = page.items.filter((m) => m.status === 'ready');
  const picker = byId('whatif-model', HTMLSelectElement);
  const keep = select ?? d.work.whatIf.modelId ?? picker.value;
  picker.replaceChildren(...ready.map((m) => el('option', { value: m.id, text: `${m.id} (${String(m.request?.method ?? 'auto')}, ${m.createdAt?.slice(0, 16).replace('T', ' ') ?? ''})` })));
  const id = ready.some((m) => m.id === keep) ? keep : ready[0]?.id;
  document.dispatchEvent(new CustomEvent('liftcast:models', { detail: ready.map((m) => m.id) }));
  if (id === undefined) return;
  picker.value = id;
  if (id !== d.work.whatIf.modelId) await openModel(d, id);
}

/** Reads a model and its wave's segments and roles, and lays out its sliders. */
async function openModel(d: Dashboard, id: string): Promise<void> {
  const w = d.work.whatIf;
  const model = await d.api<DriverModel>(`/v1/models/${encodeURIComponent(id)}`);
  let levels = { segments: [] as string[], roles: [] as string[] };
  if (model.datasetId) {
    try {
      const ds = await d.api<DatasetSummary>(`/v1/datasets/${encodeURIComponent(model.datasetId)}`);
      levels = { segments: Object.keys(ds.summary?.nps.bySegment ?? {}).sort(), roles: Object.keys(ds.summary?.nps.byRole ?? {}).sort() };
    } catch (e) {
      if (e instanceof ApiError && e.status === 401) throw e;
    }
  }
  w.modelId = id;
  w.model = model;
  w.levels = levels;
  w.scales = new Map((model.attributes ?? []).map((a) => [a.name, a.scale]));
  w.segments = [];
  w.roles = [];
  byId('whatif-unavailable').hidden = true;
  byId('whatif-body').hidden = false;
  renderChecks('whatif-segments', levels.segments, (v) => (w.segments = v));
  renderChecks('whatif-roles', levels.roles, (v) => (w.roles = v));
  renderSliders(d);
  showResult(null);
  chartOn(d.chart, 'chart-whatif-curve')?.destroy();
  byId('whatif-curve-caption').textContent = model.curves ? 'Move a slider to see that attribute’s effect curve.' : `This ${model.method ?? ''} model has no effect curves.`;
  document.dispatchEvent(new CustomEvent('liftcast:levels', { detail: levels }));
}

/** Tick boxes for `names` in the fieldset `id`; `onChange` gets the ticked ones. */
function renderChecks(id: string, names: readonly string[], onChange: (ticked: string[]) => void, d?: Dashboard): void {
  const set = byId(id);
  const legend = set.querySelector('legend');
  const boxes = names.map((n) => el('input', { type: 'checkbox', value: n }));
  set.replaceChildren(...(legend ? [legend] : []), ...names.map((n, i) => el('label', null, [boxes[i]!, humanise(n)])));
  set.hidden = names.length === 0;
  for (const b of boxes)
    b.addEventListener('change', () => {
      onChange(boxes.filter((x) => x.checked).map((x) => x.value));
      set.dispatchEvent(new Event('liftcast:target', { bubbles: true }));
    });
  void d;
}

/** One slider per attribute, at "no change" for the current operation. */
function renderSliders(d: Dashboard): void {
  const w = d.work.whatIf;
  w.values = new Map();
  const sliders = [...w.scales].map(([name, scale]) => {
    const r = sliderRange(w.op, scale);
    w.values.set(name, r.none);
    const id = `whatif-${name}`;
    const input = el('input', { type: 'range', id, min: r.min, max: r.max, step: r.step, value: r.none, 'data-attribute': name });
    const out = el('output', { for: id, text: sliderText(w.op, r.none) });
    const moved = (): void => {
      w.values.set(name, Number(input.value));
      out.textContent = sliderText(w.op, Number(input.value));
      showCurve(d, name);
    };
    input.addEventListener('input', () => {
      moved();
      ask(d);
    });
    input.addEventListener('change', () => {
      moved();
      ask.flush(d);
    });
    return el('div', { class: 'slider' }, [el('label', { for: id }, [el('span', { text: humanise(name) }), out]), input]);
  });
  byId('whatif-sliders').replaceChildren(...sliders);
}

function showCurve(d: Dashboard, attribute: string): void {
  const curve = d.work.whatIf.model?.curves?.find((c) => c.attribute === attribute);
  if (!curve) return;
  const label = humanise(attribute);
  renderCurveChart(d, curve, label, 'chart-whatif-curve');
  const caption = describeCurve(curve, label);
  byId('whatif-curve-caption').textContent = caption;
  byId('chart-whatif-curve', HTMLCanvasElement).setAttribute('aria-label', `Effect curve. ${caption}`);
}

function showResult(r: WhatIfResult | null): void {
  const card = byId('card-whatif');
  const table = byId('whatif-table', HTMLTableElement);
  if (!r) {
    byId('whatif-nps').textContent = 'Move a slider to see the predicted NPS.';
    table.tBodies[0]?.replaceChildren();
    card.setAttribute('data-state', 'idle');
    card.removeAttribute('data-predicted');
    card.removeAttribute('data-lift');
    return;
  }
  byId('whatif-nps').textContent = `NPS ${fixed(r.nps.baseline)} → ${fixed(r.nps.predicted)} (${signed(r.nps.lift)} points; ${r.targeted.toLocaleString('en-US')} of ${r.respondents.toLocaleString('en-US')} respondents targeted)`;
  table.tBodies[0]?.replaceChildren(
    ...segmentRows(r).map((s) =>
      el('tr', { 'data-segment': s.segment }, [el('th', { scope: 'row', text: humanise(s.segment) }), el('td', { class: 'num', text: fixed(s.baseline) }), el('td', { class: 'num', text: fixed(s.predicted) }), el('td', { class: 'num', text: signed(s.lift) })]),
    ),
  );
  card.setAttribute('data-predicted', String(r.nps.predicted));
  card.setAttribute('data-lift', String(r.nps.lift));
  card.setAttribute('data-state', 'ready');
}

/** Asks the model for the sliders' what-if; the last request wins. */
async function predict(d: Dashboard): Promise<void> {
  const w = d.work.whatIf;
  if (!w.modelId) return;
  const body = predictRequest(changesOf(w.op, w.values, w.scales), targetOf(w.segments, w.roles));
  const ticket = w.predictions.next();
  if (!body) return showResult(null);
  const card = byId('card-whatif');
  card.setAttribute('data-state', 'busy');
  try {
    const r = await d.api<WhatIfResult>(`/v1/models/${encodeURIComponent(w.modelId)}/predict`, { method: 'POST', body });
    if (w.predictions.isCurrent(ticket)) showResult(r);
  } catch (e) {
    if (!w.predictions.isCurrent(ticket)) return;
    card.setAttribute('data-state', 'error');
    byId('whatif-nps').textContent = `The model could not answer: ${e instanceof Error ? e.message : String(e)}`;
  }
}

const ask = debounce((d: Dashboard) => void predict(d), DEBOUNCE_MS);

/** The what-if's scales, for the editor's effect fields. */
export function whatIfScales(d: Dashboard): { name: string; scale: Interval }[] {
  return [...d.work.whatIf.scales].map(([name, scale]) => ({ name, scale }));
}

/** The what-if as the first initiative of a new scenario (panels/editor.ts). */
export function whatIfInitiative(d: Dashboard) {
  const w = d.work.whatIf;
  return initiativeFromWhatIf(changesOf(w.op, w.values, w.scales), targetOf(w.segments, w.roles), 'What-if', w.scales);
}

export function wireWhatIf(d: Dashboard): void {
  const picker = byId('whatif-model', HTMLSelectElement);
  picker.addEventListener('change', () => void openModel(d, picker.value).catch(() => undefined));
  const op = byId('whatif-op', HTMLSelectElement);
  op.addEventListener('change', () => {
    if (!isSliderOp(op.value)) return;
    d.work.whatIf.op = op.value;
    renderSliders(d);
    showResult(null);
  });
  byId('card-whatif').addEventListener('liftcast:target', () => ask.flush(d));
  document.addEventListener('liftcast:model', (ev) => {
    const id = ev instanceof CustomEvent && typeof ev.detail === 'string' ? ev.detail : undefined;
    loadModels(d, id).catch(() => undefined);
  });
}
