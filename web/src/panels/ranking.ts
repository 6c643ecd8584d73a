/**
 * The ranked table: the API's ranking of the scenario's initiatives by the chosen metric (a header
 * click re-ranks), NPS for all accounts or one segment, with the optimiser's selection marked
 * "in plan". Beside the associational NPS lift stands the halo-adjusted one ("within accounts",
 * from the forecast, for all accounts only), and a note under the table says what each is, with a
 * caution when the model's confounding check finds the associational lifts likely off. Once the
 * forecast ledger has evaluated a launch, the forecast's calibrated lift stands under each
 * associational one (for all accounts only; rankingCells.ts `calibratedLine`). The table
 * carries `data-by`, `data-segment` and `aria-busy`, the card `data-caution`, for tests and screen
 * readers.
 */
import { scenarioPath } from '../api.js';
import type { Dashboard } from '../dashboard.js';
import type { Page, RankedInitiative } from '../contract.js';
import { haloCell, liftNote } from '../cause.js';
import { byId, el, panelError } from '../dom.js';
import { humanise } from '../format.js';
import { calibratedLine, calibratedNote, METRIC_NAMES, rankingCells, sortOrder, type CalibratedLine } from '../rankingCells.js';
import { horizonText, levelText, moneyOf, selectedIds } from '../state.js';

/** Rows per page, and at most this many pages (2,000 initiatives) before the table stops asking. */
const PAGE_SIZE = 50;
const MAX_PAGES = 40;

/** Loads every page of the ranking for the current metric and segment, then draws the table. */
export async function loadRanking(d: Dashboard): Promise<void> {
  const state = d.state;
  const ticket = state.rankings.next();
  const load = state.loads.latest;
  const table = byId('ranking', HTMLTableElement);
  const scenarioId = state.scenarioId;
  table.setAttribute('aria-busy', 'true');
  try {
    if (scenarioId === null) throw new Error('no scenario is open');
    const items: RankedInitiative[] = [];
    let cursor: string | null = null;
    for (let pages = 0; ; ) {
      const q = new URLSearchParams({ by: state.by, limit: String(PAGE_SIZE) });
      if (state.segment) q.set('segment', state.segment);
      if (cursor) q.set('cursor', cursor);
      const body: Page<RankedInitiative> = await d.api<Page<RankedInitiative>>(scenarioPath(scenarioId, `/ranking?${q.toString()}`));
      items.push(...body.items);
      cursor = body.nextCursor ?? null;
      if (!cursor || ++pages >= MAX_PAGES) break;
    }
    if (!state.rankings.isCurrent(ticket) || !state.loads.isCurrent(load)) return;
    state.ranking = items;
    panelError('card-ranking', null);
    renderTable(d);
  } catch (e) {
    if (state.rankings.isCurrent(ticket)) {
      table.removeAttribute('aria-busy');
      panelError('card-ranking', e);
    }
    throw e;
  }
}

/** A numeric cell: the figure, its interval under it and, for the NPS lift, the calibrated lift under that. */
function cell(c: { className: string; main: string; interval: string; title?: string }, calibrated: CalibratedLine | null = null): HTMLTableCellElement {
  return el('td', { class: c.className, title: c.title }, [
    c.main,
    c.interval ? el('span', { class: 'iv', text: c.interval }) : null,
    calibrated ? el('span', { class: 'calibrated', text: calibrated.text, title: calibrated.title }) : null,
  ]);
}

/** Draws the table from the state: the ranking, the metric's column marked, the selection highlighted. */
export function renderTable(d: Dashboard): void {
  const state = d.state;
  const by = state.by;
  const selected = selectedIds(state);
  const table = byId('ranking', HTMLTableElement);
  table.querySelectorAll('th[data-by]').forEach((th) => {
    if (th.getAttribute('data-by') === by) th.setAttribute('aria-sort', sortOrder(by));
    else th.removeAttribute('aria-sort');
  });
  const formats = { money: moneyOf(state), horizon: horizonText(state) };
  const rows = state.ranking.map((it) => {
    const inPlan = selected !== null && selected.has(it.id);
    const [lift, ...others] = rankingCells(it, by, state.byId.get(it.id), formats);
    return el('tr', { 'data-id': it.id, class: inPlan ? 'in-plan' : null }, [
      el('td', { class: 'num', text: String(it.rank) }),
      el('td', { class: 'name' }, [
        el('span', { class: 'swatch', colour: state.colours.get(it.id) ?? '#999' }),
        it.name,
        inPlan ? el('span', { class: 'badge', text: 'in plan', title: 'Selected by the budget optimiser' }) : null,
        el('span', { class: 'id', text: it.id }),
      ]),
      lift ? cell(lift, calibratedLine(state.byId.get(it.id), state.segment)) : null,
      cell(haloCell(state.byId.get(it.id), state.segment)),
      ...others.map((c) => cell(c)),
    ]);
  });
  table.tBodies[0]?.replaceChildren(...rows);
  const level = levelText(state);
  byId('lift-unit').textContent = `associational, ${level} interval`;
  byId('halo-unit').textContent = `halo-adjusted, ${level} interval`;
  const note = liftNote(state.model?.confounding, (state.forecast?.initiatives ?? []).some((o) => o.haloAdjusted), state.segment !== '');
  const calibrated = calibratedNote(state.forecast?.initiatives ?? [], state.segment);
  const noteEl = byId('ranking-note');
  noteEl.textContent = calibrated ? `${note.text} ${calibrated}` : note.text;
  noteEl.className = `note lift-note${note.caution ? ' caution' : ''}`;
  byId('card-ranking').setAttribute('data-caution', String(note.caution));
  byId('ranking-sub').textContent =
    `Ranked by ${METRIC_NAMES.get(by) ?? by}${state.segment ? `, NPS for ${humanise(state.segment)} accounts` : ''}` +
    `. Brackets hold ${level} intervals; \u201cbeats next\u201d is the chance an initiative truly ranks above the one below it. Click a heading to re-rank.`;
  table.setAttribute('data-by', by);
  table.setAttribute('data-segment', state.segment);
  table.removeAttribute('aria-busy');
}
