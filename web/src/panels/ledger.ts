/**
 * The "Forecast ledger" card: every launch's forecast against what the next wave realised
 * (`GET /v1/ledger`), the summary and calibration factor in words, the evaluated launches as a
 * forecast-against-realised chart, the ledger as a CSV download (`GET /v1/ledger` with
 * `Accept: text/csv`), and the NPS bridge between two sealed waves the user picks
 * (`GET /v1/datasets?limit=100`, then `GET /v1/datasets/{after}/bridge?from={before}` when asked).
 * ledger.ts shapes the figures; charts/ledgerScatter.ts and charts/ledgerBridge.ts draw them.
 *
 * State for tests and screen readers: the card's `data-state` is `idle`, `loading`, `ready`,
 * `empty` (no launches yet) or `error`; the bridge section's own `data-state` is `idle`, `loading`,
 * `ready` or `error`; the CSV button's `data-downloaded` is the file name last saved. The ledger is the tenant's, not a scenario's: opening another scenario leaves
 * it. Answers that arrive after sign-out or for an earlier request are dropped.
 */
import type { Dashboard } from '../dashboard.js';
import type { Bridge, Ledger, Page } from '../contract.js';
import { byId, el, panelError } from '../dom.js';
import { destroyBridgeChart, renderBridgeChart } from '../charts/ledgerBridge.js';
import { destroyLedgerScatter, renderLedgerScatter } from '../charts/ledgerScatter.js';
import { downloadFile } from '../download.js';
import { bridgeChoiceProblem, bridgeNote, bridgePath, bridgeSteps, defaultPair, ledgerRows, ledgerScatter, ledgerWords, sealedWaves, waveOption, type LedgerRow, type WaveChoice } from '../ledger.js';
import { Sequence } from '../state.js';

export const LEDGER_CARD = 'card-ledger';

export type LedgerCardState = 'idle' | 'loading' | 'ready' | 'empty' | 'error';
type BridgeState = 'idle' | 'loading' | 'ready' | 'error';

/** What the card knows apart from the page: its requests' tickets, the waves it lists and whose ledger it shows. */
interface LedgerPanel {
  loads: Sequence;
  bridges: Sequence;
  waves: WaveChoice[];
  /** The token the card's content was loaded with: another one clears it first. */
  shownFor: string | null;
}

/** One panel per dashboard, kept with it rather than in a global of this module. */
const panels = new WeakMap<Dashboard, LedgerPanel>();

function panelOf(d: Dashboard): LedgerPanel {
  let p = panels.get(d);
  if (!p) {
    p = { loads: new Sequence(), bridges: new Sequence(), waves: [], shownFor: null };
    panels.set(d, p);
  }
  return p;
}

const setCard = (state: LedgerCardState): void => byId(LEDGER_CARD).setAttribute('data-state', state);
const setBridge = (state: BridgeState): void => byId('ledger-bridge').setAttribute('data-state', state);

function bridgeError(message: string | null): void {
  const p = byId('ledger-bridge-error');
  p.textContent = message ?? '';
  p.hidden = !message;
}

const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** Wires the card's controls: the refresh and CSV buttons and the bridge's form (its button, by click or keyboard). */
export function wireLedger(d: Dashboard): void {
  byId('ledger-refresh', HTMLButtonElement).addEventListener('click', () => {
    loadLedger(d).catch(() => undefined); // the card says why
  });
  byId('ledger-csv', HTMLButtonElement).addEventListener('click', () => {
    downloadLedger(d).catch(() => undefined); // the line under the heading says why
  });
  byId('ledger-bridge-form', HTMLFormElement).addEventListener('submit', (ev) => {
    ev.preventDefault();
    loadBridge(d).catch(() => undefined); // the section says why
  });
  for (const id of ['ledger-before', 'ledger-after']) byId(id, HTMLSelectElement).addEventListener('change', () => bridgeError(null));
}

/**
 * Loads the tenant's ledger and its sealed waves, and draws the table, the summary and the bridge's
 * pickers. Rejects when the ledger could not be read (the card says why); a failed wave list only
 * leaves the bridge saying so.
 */
export async function loadLedger(d: Dashboard): Promise<void> {
  const p = panelOf(d);
  const token = d.state.token;
  // Another tenant's (or user's) ledger never shows while this one loads; clearing first, as it invalidates tickets.
  if (p.shownFor !== token) clearLedger(d);
  const ticket = p.loads.next();
  const current = (): boolean => p.loads.isCurrent(ticket) && d.state.token === token;
  const card = byId(LEDGER_CARD);
  setCard('loading');
  card.setAttribute('aria-busy', 'true');
  const [ledger, waves] = await Promise.allSettled([d.api<Ledger>('/v1/ledger'), d.api<Page<WaveChoice>>('/v1/datasets?limit=100')]);
  if (!current()) return;
  card.removeAttribute('aria-busy');
  p.shownFor = token;
  if (waves.status === 'fulfilled') renderWaves(d, p, waves.value.items);
  else {
    renderWaves(d, p, []);
    bridgeError(`The waves could not be listed: ${messageOf(waves.reason)}`);
  }
  if (ledger.status === 'rejected') {
    setCard('error');
    panelError(LEDGER_CARD, ledger.reason);
    throw ledger.reason;
  }
  panelError(LEDGER_CARD, null);
  renderLedger(d, ledger.value);
  setCard(ledger.value.items.length === 0 ? 'empty' : 'ready');
}

/** The CSV of the ledger, as `GET /v1/ledger` answers `Accept: text/csv`, saved as a file (its name the server's, `ledger.csv`). */
export async function downloadLedger(d: Dashboard): Promise<void> {
  const button = byId('ledger-csv', HTMLButtonElement);
  const problem = byId('ledger-csv-problem');
  const token = d.state.token;
  problem.hidden = true;
  button.disabled = true;
  try {
    const name = await downloadFile(d.api, '/v1/ledger', { headers: { accept: 'text/csv' } }, 'ledger.csv');
    if (d.state.token === token) button.setAttribute('data-downloaded', name);
  } catch (e) {
    if (d.state.token !== token) return;
    problem.textContent = `The CSV could not be made: ${messageOf(e)}`;
    problem.hidden = false;
    throw e;
  } finally {
    // Signed out meanwhile: the button stays as clearLedger left it.
    if (d.state.token === token) button.disabled = false;
  }
}

function renderLedger(d: Dashboard, ledger: Ledger): void {
  const names = new Map(d.state.scenarios.map((s) => [s.id, s.name]));
  const words = ledgerWords(ledger.summary, ledger.calibration, d.state.labels);
  byId('ledger-summary').textContent = words.headline;
  const accuracy = byId('ledger-accuracy');
  accuracy.textContent = words.accuracy ?? '';
  accuracy.hidden = words.accuracy === null;
  const calibration = byId('ledger-calibration');
  calibration.textContent = words.calibration ?? '';
  calibration.hidden = words.calibration === null;
  const byAttribute = byId('ledger-by-attribute');
  byAttribute.replaceChildren(...words.byAttribute.map((line) => el('li', { text: line })));
  byAttribute.hidden = words.byAttribute.length === 0;
  const rows = ledgerRows(ledger, names);
  byId('ledger-table-wrap').hidden = rows.length === 0;
  byId('ledger-rows').replaceChildren(...rows.map(rowOf));
  byId('ledger-csv', HTMLButtonElement).disabled = rows.length === 0;
  // The chart once a launch is evaluated; before, the words say why there is none.
  const scatter = ledgerScatter(ledger);
  const chart = byId('ledger-scatter');
  if (scatter.points.length === 0) {
    destroyLedgerScatter(d);
    chart.hidden = true;
  } else {
    chart.hidden = false;
    renderLedgerScatter(d, scatter);
  }
}

function rowOf(r: LedgerRow): HTMLTableRowElement {
  const figures =
    r.reason === null
      ? [
          el('td', { class: 'num' }, [r.realised, el('span', { class: 'iv', text: r.realisedInterval })]),
          el('td', { class: r.errorClass, text: r.error }),
          el('td', { class: r.forecastHeld.className, text: r.forecastHeld.text, title: r.forecastHeld.title || null }),
          el('td', { class: r.realisedHeld.className, text: r.realisedHeld.text, title: r.realisedHeld.title || null }),
        ]
      : [el('td', { class: 'reason', colspan: 4 }, [el('span', { class: 'status', text: r.reasonHeading }), r.reason])];
  return el('tr', { 'data-launch': r.launchId, 'data-status': r.status }, [
    el('td', { class: 'date', text: r.launched }),
    el('td', { class: 'name' }, [r.initiativeId, el('span', { class: 'id', text: r.scenario })]),
    el('td', { class: 'num' }, [r.forecast, el('span', { class: 'iv', text: r.forecastInterval })]),
    ...figures,
  ]);
}

/** Fills both pickers with the sealed waves (newest first), opening on the second newest to the newest. */
function renderWaves(d: Dashboard, p: LedgerPanel, items: readonly WaveChoice[]): void {
  const sealed = sealedWaves(items);
  p.waves = sealed;
  const options = (): HTMLOptionElement[] => sealed.map((w) => el('option', { value: w.id, text: waveOption(w) }));
  const before = byId('ledger-before', HTMLSelectElement);
  const after = byId('ledger-after', HTMLSelectElement);
  const kept = { before: before.value, after: after.value };
  before.replaceChildren(...options());
  after.replaceChildren(...options());
  const pair = defaultPair(sealed);
  const has = (id: string): boolean => sealed.some((w) => w.id === id);
  // A refresh keeps the pair the user chose while both waves are still there.
  before.value = has(kept.before) && has(kept.after) ? kept.before : (pair?.before ?? '');
  after.value = has(kept.before) && has(kept.after) ? kept.after : (pair?.after ?? '');
  byId('ledger-bridge-show', HTMLButtonElement).disabled = pair === null;
  bridgeError(pair === null ? bridgeChoiceProblem('', '') : null);
  if (pair === null) {
    // Fewer than two sealed waves: no bridge of the last list stays on screen.
    destroyBridgeChart(d.chart);
    byId('ledger-bridge-chart').hidden = true;
    byId('ledger-bridge-note').textContent = '';
    setBridge('idle');
  }
}

/** Asks for the bridge between the two chosen waves and draws it; rejects (the section says why) when it cannot. */
export async function loadBridge(d: Dashboard): Promise<void> {
  const p = panelOf(d);
  const before = byId('ledger-before', HTMLSelectElement).value;
  const after = byId('ledger-after', HTMLSelectElement).value;
  const problem = bridgeChoiceProblem(before, after);
  if (problem) {
    bridgeError(problem);
    setBridge('error');
    throw new Error(problem);
  }
  const ticket = p.bridges.next();
  const token = d.state.token;
  const current = (): boolean => p.bridges.isCurrent(ticket) && d.state.token === token;
  const section = byId('ledger-bridge');
  setBridge('loading');
  section.setAttribute('aria-busy', 'true');
  bridgeError(null);
  try {
    const bridge = await d.api<Bridge>(bridgePath(after, before));
    if (!current()) return;
    renderBridge(d, p, bridge);
    setBridge('ready');
  } catch (e) {
    if (!current()) return;
    bridgeError(`The bridge could not be computed: ${messageOf(e)}`);
    setBridge('error');
    throw e;
  } finally {
    if (current()) section.removeAttribute('aria-busy');
  }
}

function renderBridge(d: Dashboard, p: LedgerPanel, bridge: Bridge): void {
  const nameOf = (id: string): string => p.waves.find((w) => w.id === id)?.name ?? id;
  const chart = bridgeSteps(bridge, { before: nameOf(bridge.from), after: nameOf(bridge.datasetId) });
  byId('ledger-bridge-chart').hidden = false;
  renderBridgeChart(d.chart, chart);
  byId('ledger-bridge-note').textContent = bridgeNote(bridge, chart);
}

/** Empties the card and removes the bridge's chart (sign-out: nothing of the last tenant stays on screen). */
export function clearLedger(d: Dashboard): void {
  const p = panelOf(d);
  p.loads.invalidate();
  p.bridges.invalidate();
  p.waves = [];
  p.shownFor = null;
  destroyBridgeChart(d.chart);
  byId('ledger-bridge-chart').hidden = true;
  destroyLedgerScatter(d);
  byId('ledger-scatter').hidden = true;
  const csv = byId('ledger-csv', HTMLButtonElement);
  csv.disabled = true;
  csv.removeAttribute('data-downloaded');
  byId('ledger-csv-problem').hidden = true;
  for (const id of ['ledger-summary', 'ledger-accuracy', 'ledger-calibration', 'ledger-bridge-note']) byId(id).textContent = '';
  byId('ledger-rows').replaceChildren();
  byId('ledger-by-attribute').replaceChildren();
  byId('ledger-table-wrap').hidden = true;
  for (const id of ['ledger-before', 'ledger-after']) byId(id, HTMLSelectElement).replaceChildren();
  bridgeError(null);
  panelError(LEDGER_CARD, null);
  byId(LEDGER_CARD).removeAttribute('aria-busy');
  byId('ledger-bridge').removeAttribute('aria-busy');
  setCard('idle');
  setBridge('idle');
}
