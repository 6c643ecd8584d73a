/** The line under the panels: which scenario version, forecast and model the figures come from. */
import type { Dashboard } from '../dashboard.js';
import { byId, el } from '../dom.js';
import { levelText, loaded } from '../state.js';

export function renderFooter(d: Dashboard): void {
  const { scenario: s, forecast: f } = loaded(d.state);
  const m = d.state.model;
  const parts = [
    `Scenario \u201c${s.scenario.name}\u201d version ${s.version}`,
    `forecast ${new Date(f.computedAt).toLocaleString('en-US')}`,
    `model ${f.modelId}${m && m.fit ? ` (R\u00b2 ${m.fit.r2.toFixed(2)})` : ''}`,
    `${levelText(d.state)} intervals`,
    `amounts in ${f.currency}`,
  ];
  byId('footer').replaceChildren(`${parts.join(' \u00b7 ')} \u00b7 `, el('a', { href: '/docs', text: 'API reference' }));
}
