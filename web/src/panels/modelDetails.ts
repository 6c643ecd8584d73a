/**
 * The driver model's detail panels, drawn from the model panels' load (panels/model.ts):
 *
 * - effect curves: the attribute picker (curved ones first, marked), the curve chart, its caption
 *   (also the canvas's text alternative) and its points as a table;
 * - detractor drivers against promoter drivers: the sort picker, the paired bars and a table;
 * - how the model was chosen: the chosen structure, every stage's candidates with their deviance
 *   (the chosen ones marked), and the interactions kept.
 *
 * A model without these figures (a linear one, or an ordinal one stored before version 2) leaves
 * each card saying "Not available for this model" and why, with its chart removed.
 */
import type { Dashboard } from '../dashboard.js';
import type { DriverModel } from '../contract.js';
import { renderCurveChart } from '../charts/curves.js';
import { renderCutDriverChart } from '../charts/cutDrivers.js';
import { chartOn } from '../charts/setup.js';
import { curveChoices, curveRows, describeCurve, pickCurve } from '../curves.js';
import { cutDriverRows, cutDriversSummary, isCutSort, sharePercent } from '../cutDrivers.js';
import { byId, el } from '../dom.js';
import { humanise } from '../format.js';
import { choiceSummary, devianceText, interactionText, modelChoice, ruleText } from '../modelChoice.js';

/** The cards these panels fill; a failed model load marks each of them. */
export const DETAIL_CARDS = ['card-curves', 'card-drivers', 'card-choice'] as const;

/** A card whose body a model may have nothing for (`#<detail>-unavailable`, `#<detail>-body`). */
export type Detail = 'curves' | 'drivers' | 'choice' | 'cause';

/** Shows a card's body, or in its place why the model has nothing for it (`reason`). */
export function available(detail: Detail, reason: string | null): void {
  const note = byId(`${detail}-unavailable`);
  note.textContent = reason ? `Not available for this model: ${reason}` : '';
  note.hidden = reason === null;
  byId(`${detail}-body`).hidden = reason !== null;
}

/** Why a model has no curves or drivers: linear models never do; ordinal ones stored before version 2 lack them. */
export function whyNot(model: DriverModel, what: string): string {
  return model.method === 'ordinal' || model.method === undefined
    ? `this model was fitted before ${what} were part of the model document; fit it again to see them.`
    : `${what} come with the ordinal driver model, and this one is ${model.method}.`;
}

function labelOf(d: Dashboard, name: string): string {
  return d.state.labels.get(name) || humanise(name);
}

/** The effect-curve card: the picker's options and the curve of the attribute picked. */
export function renderCurvesCard(d: Dashboard): void {
  const model = d.state.model;
  if (!model) return;
  const choices = curveChoices(model, d.state.labels);
  const picked = pickCurve(choices, d.state.curveAttribute);
  const select = byId('curve-attribute', HTMLSelectElement);
  byId('curve-picker').hidden = picked === null;
  if (!picked) {
    chartOn(d.chart, 'chart-curves')?.destroy();
    select.replaceChildren();
    available('curves', whyNot(model, 'effect curves'));
    return;
  }
  available('curves', null);
  select.replaceChildren(...choices.map((c) => el('option', { value: c.name, text: c.text })));
  select.value = picked.name;
  d.state.curveAttribute = picked.name;
  drawCurve(d);
}

/** Draws the curve of `state.curveAttribute`, its caption and its table. */
function drawCurve(d: Dashboard): void {
  const curve = d.state.model?.curves?.find((c) => c.attribute === d.state.curveAttribute);
  if (!curve) return;
  const label = labelOf(d, curve.attribute);
  const caption = describeCurve(curve, label);
  byId('curves-caption').textContent = caption;
  byId('chart-curves', HTMLCanvasElement).setAttribute('aria-label', `Effect curve. ${caption}`);
  byId('curves-table-caption').textContent = `${label}: effect at each rating (latent units, 0 at the mean rating)`;
  byId('curves-rows').replaceChildren(
    ...curveRows(curve).map((r) =>
      el('tr', { class: r.knot ? 'knot' : null }, [
        el('th', { scope: 'row', class: 'num', text: r.knot ? `${r.rating} (knot)` : r.rating }),
        el('td', { class: 'num', text: r.effect }),
        el('td', { class: 'num', text: r.interval }),
      ]),
    ),
  );
  renderCurveChart(d, curve, label);
}

/** The detractor/promoter drivers card. */
export function renderDriversCard(d: Dashboard): void {
  const model = d.state.model;
  if (!model) return;
  const rows = cutDriverRows(model, d.state.labels, d.state.cutSort);
  byId('drivers-sort-picker').hidden = rows === null;
  if (!rows) {
    chartOn(d.chart, 'chart-drivers')?.destroy();
    byId('drivers-sub').textContent = '';
    available('drivers', whyNot(model, 'detractor and promoter drivers'));
    return;
  }
  available('drivers', null);
  byId('drivers-sort', HTMLSelectElement).value = d.state.cutSort;
  const summary = cutDriversSummary(rows);
  byId('drivers-sub').textContent =
    `Per +1 point on each attribute: the share of today\u2019s detractors lifted out of detractor, and of non-promoters made promoters. ${summary}`;
  byId('chart-drivers', HTMLCanvasElement).setAttribute('aria-label', `Detractor drivers against promoter drivers, paired bar chart. ${summary}`);
  byId('drivers-rows').replaceChildren(
    ...rows.map((r) =>
      el('tr', { 'data-attribute': r.name }, [
        el('th', { scope: 'row', text: r.label }),
        el('td', { class: 'num', text: `${sharePercent(r.leavingDetractor)} (#${r.detractorRank})` }),
        el('td', { class: 'num', text: `${sharePercent(r.becomingPromoter)} (#${r.promoterRank})` }),
      ]),
    ),
  );
  renderCutDriverChart(d, rows);
}

/** The "how the model was chosen" card. */
export function renderChoiceCard(d: Dashboard): void {
  const model = d.state.model;
  if (!model) return;
  const choice = modelChoice(model, d.state.labels);
  const list = byId('choice');
  if (!choice) {
    list.replaceChildren();
    available('choice', `the model document lists no candidates it was compared with (method ${model.method ?? 'unknown'}).`);
    return;
  }
  available('choice', null);
  const stages = choice.stages.map((s) =>
    el('section', { class: 'stage', 'data-stage': s.stage }, [
      el('h3', { text: s.title }),
      el('p', { class: 'criterion', text: s.criterion }),
      el(
        'ol',
        null,
        s.candidates.map((c) =>
          el('li', { class: c.chosen ? 'chosen' : null, 'data-chosen': String(c.chosen) }, [
            el('span', { class: 'candidate', text: c.label }),
            el('span', { class: 'num', text: devianceText(c) }),
            c.chosen ? el('span', { class: 'badge', text: 'chosen' }) : null,
          ]),
        ),
      ),
    ]),
  );
  const interactions =
    choice.interactions === null
      ? el('p', { class: 'criterion', text: 'Not recorded for this model.' })
      : choice.interactions.length
        ? el('ul', null, choice.interactions.map((i) => el('li', { text: interactionText(i) })))
        : el('p', { class: 'criterion', text: 'None: no pair of attributes earned one.' });
  const rule = ruleText(choice);
  list.replaceChildren(
    el('p', { class: 'choice-summary', text: choiceSummary(choice) }),
    el('p', { class: 'choice-rule', text: rule ?? '', hidden: rule === null }),
    el('div', { class: 'stages' }, [...stages, el('section', { class: 'stage', 'data-stage': 'interactions' }, [el('h3', { text: 'Interactions kept' }), interactions])]),
  );
}

/** All three cards, for the model just loaded. */
export function renderModelDetails(d: Dashboard): void {
  renderCurvesCard(d);
  renderDriversCard(d);
  renderChoiceCard(d);
}

/** Empties what the cards show (sign-out: nothing of the last tenant stays on the page). */
export function clearModelDetails(): void {
  for (const id of ['curve-attribute', 'curves-rows', 'drivers-rows', 'choice']) byId(id).replaceChildren();
  for (const id of ['curves-caption', 'curves-table-caption', 'drivers-sub']) byId(id).textContent = '';
}

/** The pickers: another attribute redraws its curve; another sort redraws the bars. */
export function wireModelDetails(d: Dashboard): void {
  const attribute = byId('curve-attribute', HTMLSelectElement);
  attribute.addEventListener('change', () => {
    d.state.curveAttribute = attribute.value;
    drawCurve(d);
  });
  const sort = byId('drivers-sort', HTMLSelectElement);
  sort.addEventListener('change', () => {
    if (!isCutSort(sort.value)) return;
    d.state.cutSort = sort.value;
    renderDriversCard(d);
  });
}
