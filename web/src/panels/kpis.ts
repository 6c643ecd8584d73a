/**
 * The headline figures above the charts: the portfolio of every initiative, funded together. The
 * portfolio's lift is associational; its halo-adjusted lift stands under it, and a badge says so
 * when the model's confounding check finds the associational one likely off.
 */
import { biasBadge, withinLine } from '../cause.js';
import type { Dashboard } from '../dashboard.js';
import { byId, el, type Child } from '../dom.js';
import { bracket, finite, fixed, MISSING, months, percent, signed } from '../format.js';
import { netInterval } from '../rankingCells.js';
import { horizonText, levelText, loaded, moneyOf } from '../state.js';

function kpi(label: string, value: string, detail: string, id: string, more: readonly Child[] = []): HTMLElement {
  return el('div', { class: 'kpi', id }, [
    el('div', { class: 'label', text: label }),
    el('div', { class: 'value', text: value }),
    el('div', { class: 'detail', text: detail || '' }),
    ...more,
  ]);
}

export function renderKpis(d: Dashboard): void {
  const { forecast: f } = loaded(d.state);
  const p = f.portfolio;
  const money = moneyOf(d.state);
  const horizon = horizonText(d.state);
  const net = p.revenue ? p.revenue.npv - p.cost.total : null;
  const within = withinLine(p);
  const bias = biasBadge(d.state.model?.confounding);
  const portfolio = kpi('NPS with all initiatives', fixed(p.nps.predicted), `${signed(p.nps.lift)} points ${bracket(p.nps.interval, signed)} associational`, 'kpi-portfolio', [
    within ? el('div', { class: 'detail within', text: within.text, title: within.title }) : null,
    bias ? el('span', { class: 'badge caution', text: bias.text, title: bias.title }) : null,
  ]);
  if (bias) portfolio.classList.add('caution');
  byId('kpis').replaceChildren(
    kpi('NPS today', fixed(p.nps.baseline), `from ${p.nps.respondents.toLocaleString('en-US')} respondents`, 'kpi-baseline'),
    portfolio,
    kpi('Net value (NPV)', money(net), p.revenue ? `${levelText(d.state)} interval ${bracket(netInterval(p), money)}` : 'no revenue data in the wave', 'kpi-npv'),
    kpi(`ROI over ${horizon}`, p.roi ? percent(p.roi.estimate) : MISSING, p.roi ? bracket(p.roi.interval, percent) : '', 'kpi-roi'),
    kpi('Cost (discounted)', money(p.cost.total), `${money(p.cost.oneTime)} one-time + ${money(p.cost.annual)} a year`, 'kpi-cost'),
    kpi('Payback', finite(p.paybackMonths) ? months(p.paybackMonths, horizon) : `beyond ${horizon}`, `${f.initiatives.length} initiatives together`, 'kpi-payback'),
  );
}
