/**
 * The "Cause and effect" card, drawn from the model panels' load (panels/model.ts): the driver
 * model's confounding risk as a badge (with why, when it is unknown), the share of the associational
 * effect that holds within accounts, the model's own statement on what its lifts are, and each
 * attribute's within-account against between-account effect (cause.ts shapes the figures).
 *
 * The card carries `data-risk` (the model's risk) for tests. A model without the check (a linear
 * one, or an ordinal one stored before it) leaves the card saying "Not available for this model".
 */
import type { Dashboard } from '../dashboard.js';
import { causeRows, checkText, riskBadge, survivalText } from '../cause.js';
import { byId, el } from '../dom.js';
import { available, whyNot } from './modelDetails.js';

export const CAUSE_CARD = 'card-cause';

const TEXTS = ['cause-risk', 'cause-detail', 'cause-survival', 'cause-statement', 'cause-check'] as const;

/** The card for the model just loaded. */
export function renderCauseCard(d: Dashboard): void {
  const model = d.state.model;
  if (!model) return;
  const card = byId(CAUSE_CARD);
  const c = model.confounding;
  if (!c) {
    clearCause();
    available('cause', whyNot(model, 'cause-and-effect figures'));
    return;
  }
  available('cause', null);
  card.setAttribute('data-risk', c.risk);
  const badge = riskBadge(c);
  const risk = byId('cause-risk');
  risk.textContent = badge.text;
  risk.className = badge.className;
  byId('cause-detail').textContent = badge.detail;
  const survival = survivalText(c.survival);
  byId('cause-survival').textContent = survival ?? '';
  byId('cause-survival').hidden = survival === null;
  byId('cause-statement').textContent = c.statement;
  byId('cause-check').textContent = checkText(c);
  const rows = causeRows(c, d.state.labels);
  byId('cause-figures').hidden = rows.length === 0;
  byId('cause-rows').replaceChildren(
    ...rows.map((r) =>
      el('tr', { 'data-attribute': r.name }, [
        el('th', { scope: 'row', text: r.label }),
        el('td', { class: 'num' }, [r.within, el('span', { class: 'iv', text: r.withinInterval })]),
        el('td', { class: 'num' }, [r.between, el('span', { class: 'iv', text: r.betweenInterval })]),
        el('td', { class: 'num', text: r.haloFactor }),
        el('td', { class: 'num', text: r.robustness }),
      ]),
    ),
  );
}

/** Empties the card (sign-out, or a model without the check). */
export function clearCause(): void {
  byId(CAUSE_CARD).removeAttribute('data-risk');
  byId('cause-rows').replaceChildren();
  for (const id of TEXTS) byId(id).textContent = '';
}
