/**
 * The scenario editor (card `#card-editor`): a scenario started from scratch, from the what-if, or
 * read from the one open in the dashboard; initiatives added, changed and removed in a form (effects,
 * target, reach, ramp, costs, effect range); saved through the public API — a new scenario with
 * `POST /v1/scenarios` (an Idempotency-Key, so a retried click never makes two), a change with
 * `PUT /v1/scenarios/{id}` and `If-Match` of the version read. A 412 (changed elsewhere) opens the
 * question "reload or overwrite?": reload reads theirs into the form, overwrite saves mine on top of
 * the version now current. A forecast the worker computes is followed on its progress bar; once
 * ready the dashboard opens the saved version. Versions are listed and any two compared side by
 * side; another scenario is compared through `POST /v1/compare`, also as a workbook.
 *
 * `data-state`: `idle`, `editing`, `saving`, `saved` (with `data-scenario`, `data-version`),
 * `conflict` or `error`.
 */
import { ApiError, scenarioPath } from '../api.js';
import type { Comparison, Forecast, InitiativeInput, Interval, Page, ScenarioInput, ScenarioSummary, VersionSummary } from '../contract.js';
import { CHANGE_OPS } from '../contract.js';
import type { Dashboard } from '../dashboard.js';
import { byId, el } from '../dom.js';
import { downloadFile } from '../download.js';
import { bracket, fixed, humanise, money, signed } from '../format.js';
import { problemText, progressView } from '../progress.js';
import { loadScenario } from '../scenario.js';
import { fieldsOf, ifMatch, initiativeFrom, isChangedElsewhere, newScenario, sideBySide, withInitiative, withoutInitiative, type EffectFields, type InitiativeFields } from '../editor.js';
import { showProgress } from './progressBar.js';
import { whatIfInitiative, whatIfScales } from './whatif.js';

const POLL_MS = 1500;
const delay = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));
const messageOf = (e: unknown): string => (e instanceof Error ? e.message : String(e));

/** What `POST`/`PUT /v1/scenarios` and `GET …/versions/{v}` answer (the parts the editor reads). */
interface SavedVersion {
  id: string;
  version: number;
  scenario: ScenarioInput;
  forecastStatus: string;
  progress?: { stage: string; done: number };
  problem?: { title?: string; detail?: string };
  forecast?: Forecast | null;
}

function setState(state: string): void {
  byId('card-editor').setAttribute('data-state', state);
}

/** A random key for a create, so a retried save never stores two scenarios. */
function idempotencyKey(): string {
  return `dashboard-${crypto.randomUUID()}`;
}

// ---------------------------------------------------------------------------------------------
// The draft on screen

/** Shows the draft: its settings and its initiatives' table. */
function renderDraft(d: Dashboard): void {
  const e = d.work.editor;
  const s = e.draft;
  byId('editor-empty').hidden = s !== null;
  byId('editor-body').hidden = s === null;
  if (!s) return;
  byId('editor-name', HTMLInputElement).value = s.name;
  const model = byId('editor-model', HTMLSelectElement);
  if (![...model.options].some((o) => o.value === s.modelId)) model.append(el('option', { value: s.modelId, text: s.modelId }));
  model.value = s.modelId;
  byId('editor-currency', HTMLInputElement).value = s.currency;
  byId('editor-horizon', HTMLInputElement).value = String(s.horizonYears);
  byId('editor-discount', HTMLInputElement).value = String(Number((s.discountRate * 100).toFixed(4)));
  byId('editor-version').textContent = e.scenarioId ? `Editing ${e.scenarioId}, read at version ${e.version ?? '?'}; saving writes version ${(e.version ?? 0) + 1}.` : 'A new scenario: saving creates version 1.';
  const money0 = (v: number): string => money(v, s.currency);
  const rows = s.initiatives.map((i) => {
    const edit = el('button', { type: 'button', 'data-edit': i.id, 'aria-label': `Edit ${i.name}`, text: 'Edit' });
    const remove = el('button', { type: 'button', 'data-remove': i.id, 'aria-label': `Remove ${i.name}`, text: 'Remove' });
    edit.addEventListener('click', () => openForm(d, i.id));
    remove.addEventListener('click', () => {
      if (!e.draft) return;
      e.draft = withoutInitiative(e.draft, i.id);
      if (e.editing === i.id) closeForm(d);
      renderDraft(d);
    });
    const effects = i.effects.map((x) => `${humanise(x.attribute)} ${x.op} ${x.value}${x.range ? ` [${x.range[0]}, ${x.range[1]}]` : ''}`).join('; ');
    const target = [...(i.target?.segments ?? []), ...(i.target?.roles ?? [])].map(humanise).join(', ') || 'all';
    return el('tr', { 'data-initiative': i.id }, [
      el('th', { scope: 'row', text: i.name }),
      el('td', { text: effects }),
      el('td', { text: target }),
      el('td', { class: 'num', text: `${fixed(i.reach * 100, 0)}%` }),
      el('td', { class: 'num', text: `${i.rampMonths} mo` }),
      el('td', { class: 'num', text: money0(i.cost.oneTime) }),
      el('td', { class: 'num', text: money0(i.cost.annual) }),
      el('td', { class: 'actions' }, [edit, ' ', remove]),
    ]);
  });
  byId('editor-initiatives', HTMLTableElement).tBodies[0]?.replaceChildren(...rows);
  byId('editor-save', HTMLButtonElement).disabled = s.initiatives.length === 0;
}

/** The settings typed into the form, onto the draft (numbers the form could not read stay as they were). */
function readSettings(d: Dashboard): void {
  const s = d.work.editor.draft;
  if (!s) return;
  s.name = byId('editor-name', HTMLInputElement).value.trim();
  s.modelId = byId('editor-model', HTMLSelectElement).value || s.modelId;
  s.currency = byId('editor-currency', HTMLInputElement).value.trim().toUpperCase();
  const horizon = Number(byId('editor-horizon', HTMLInputElement).value);
  if (Number.isFinite(horizon)) s.horizonYears = horizon;
  const discount = Number(byId('editor-discount', HTMLInputElement).value);
  if (Number.isFinite(discount)) s.discountRate = discount / 100;
}

/** Starts editing `draft` (read at `version` of `scenarioId`, or new). */
function edit(d: Dashboard, draft: ScenarioInput, scenarioId: string | null, version: number | null): void {
  const e = d.work.editor;
  e.draft = structuredClone(draft);
  e.scenarioId = scenarioId;
  e.version = version;
  closeForm(d);
  byId('editor-conflict').hidden = true;
  byId('editor-problems').hidden = true;
  byId('editor-status').textContent = '';
  showProgress('editor-progress', null);
  renderDraft(d);
  setState('editing');
  if (scenarioId) void loadVersions(d).catch(() => undefined);
  else byId('versions-body').hidden = true;
}

/** The attributes the form offers: the draft's model's, as the what-if read them. */
function attributes(d: Dashboard): { name: string; scale: Interval }[] {
  const fromWhatIf = whatIfScales(d);
  return fromWhatIf.length > 0 ? fromWhatIf : d.work.editor.attributes;
}

// ---------------------------------------------------------------------------------------------
// The initiative form

function effectRow(d: Dashboard, f: EffectFields): HTMLElement {
  const n = byId('initiative-effects').children.length;
  const attribute = el('select', { 'data-field': 'attribute', 'aria-label': `Effect ${n + 1}: attribute` }, [el('option', { value: '', text: 'attribute…' }), ...attributes(d).map((a) => el('option', { value: a.name, text: humanise(a.name) }))]);
  attribute.value = f.attribute;
  const op = el('select', { 'data-field': 'op', 'aria-label': `Effect ${n + 1}: operation` }, CHANGE_OPS.map((o) => el('option', { value: o, text: o })));
  op.value = f.op || 'add';
  const input = (field: keyof EffectFields, label: string, value: string): HTMLInputElement => el('input', { type: 'number', step: 'any', 'data-field': field, 'aria-label': `Effect ${n + 1}: ${label}`, value, placeholder: label });
  const remove = el('button', { type: 'button', text: 'Remove', 'aria-label': `Remove effect ${n + 1}` });
  const row = el('div', { class: 'effect' }, [attribute, op, input('value', 'value', f.value), input('rangeLow', 'range low', f.rangeLow), input('rangeHigh', 'range high', f.rangeHigh), remove]);
  remove.addEventListener('click', () => row.remove());
  return row;
}

/** Tick boxes for the target levels, `ticked` ticked. */
function targetChecks(id: string, names: readonly string[], ticked: readonly string[]): void {
  const set = byId(id);
  const legend = set.querySelector('legend');
  set.replaceChildren(...(legend ? [legend] : []), ...names.map((n) => el('label', null, [el('input', { type: 'checkbox', value: n, checked: ticked.includes(n) }), humanise(n)])));
  set.hidden = names.length === 0;
}

/** The open initiative's fields the form does not show, carried into what it keeps. */
let kept: Pick<InitiativeFields, 'description' | 'accounts'> = {};

/** Opens the form on initiative `id` of the draft, or on a new one (`''`). */
function openForm(d: Dashboard, id: string): void {
  const e = d.work.editor;
  const existing = e.draft?.initiatives.find((i) => i.id === id);
  const f: InitiativeFields = existing ? fieldsOf(existing) : { id: '', name: '', effects: [{ attribute: '', op: 'add', value: '0.5', rangeLow: '', rangeHigh: '' }], segments: [], roles: [], reach: '100', rampMonths: '0', oneTime: '0', annual: '0' };
  e.editing = existing ? id : '';
  // What the form has no field for (a description, a list of accounts) is kept as read.
  kept = { ...(f.description !== undefined ? { description: f.description } : {}), ...(f.accounts ? { accounts: [...f.accounts] } : {}) };
  byId('initiative-form-title').textContent = existing ? `Initiative: ${existing.name}` : 'New initiative';
  byId('initiative-name', HTMLInputElement).value = f.name;
  byId('initiative-id', HTMLInputElement).value = f.id;
  byId('initiative-reach', HTMLInputElement).value = f.reach;
  byId('initiative-ramp', HTMLInputElement).value = f.rampMonths;
  byId('initiative-onetime', HTMLInputElement).value = f.oneTime;
  byId('initiative-annual', HTMLInputElement).value = f.annual;
  const effects = byId('initiative-effects');
  effects.replaceChildren();
  for (const x of f.effects) effects.append(effectRow(d, x));
  const levels = d.work.editor.levels.segments.length + d.work.editor.levels.roles.length > 0 ? d.work.editor.levels : d.work.whatIf.levels;
  targetChecks('initiative-segments', levels.segments, f.segments);
  targetChecks('initiative-roles', levels.roles, f.roles);
  byId('initiative-problems').hidden = true;
  byId('initiative-form', HTMLFormElement).hidden = false;
  byId('initiative-name', HTMLInputElement).focus();
}

function closeForm(d: Dashboard): void {
  d.work.editor.editing = null;
  byId('initiative-form', HTMLFormElement).hidden = true;
}

function ticked(id: string): string[] {
  return [...byId(id).querySelectorAll<HTMLInputElement>('input[type=checkbox]')].filter((b) => b.checked).map((b) => b.value);
}

/** The form's fields, as typed. */
function formFields(): InitiativeFields {
  const effects = [...byId('initiative-effects').querySelectorAll<HTMLElement>('.effect')].map((row) => {
    const v = (field: string): string => row.querySelector<HTMLInputElement | HTMLSelectElement>(`[data-field=${field}]`)?.value ?? '';
    return { attribute: v('attribute'), op: v('op'), value: v('value'), rangeLow: v('rangeLow'), rangeHigh: v('rangeHigh') };
  });
  return {
    ...kept,
    id: byId('initiative-id', HTMLInputElement).value,
    name: byId('initiative-name', HTMLInputElement).value,
    effects,
    segments: ticked('initiative-segments'),
    roles: ticked('initiative-roles'),
    reach: byId('initiative-reach', HTMLInputElement).value,
    rampMonths: byId('initiative-ramp', HTMLInputElement).value,
    oneTime: byId('initiative-onetime', HTMLInputElement).value,
    annual: byId('initiative-annual', HTMLInputElement).value,
  };
}

function showProblems(id: string, lines: readonly string[]): void {
  const p = byId(id);
  p.hidden = lines.length === 0;
  p.replaceChildren(...lines.flatMap((l, i) => (i === 0 ? [l] : [el('br'), l])));
}

/** Keeps the initiative in the form in the draft, or names what is wrong with it. */
function keepInitiative(d: Dashboard): void {
  const e = d.work.editor;
  if (!e.draft || e.editing === null) return;
  const made = initiativeFrom(formFields());
  if (!made.ok) return showProblems('initiative-problems', made.problems.map((p) => `${p.field}: ${p.reason}`));
  const kept = withInitiative(e.draft, made.initiative, e.editing === '' ? undefined : e.editing);
  if (!kept.ok) return showProblems('initiative-problems', [`${kept.problem.field}: ${kept.problem.reason}`]);
  e.draft = kept.scenario;
  closeForm(d);
  renderDraft(d);
}

// ---------------------------------------------------------------------------------------------
// Saving

/** The problem of a refused save in words, each field at fault named. */
function refusalLines(e: unknown): string[] {
  if (!(e instanceof ApiError)) return [messageOf(e)];
  const items = (e.problem.errors ?? []).map((x) => `${x.field ?? x.row ?? ''}: ${x.reason}`);
  return [`${e.title}: ${e.message}`, ...items.slice(0, 20)];
}

/** Saves the draft: create, or the next version with If-Match; `version` overrides the one read (overwrite). */
async function save(d: Dashboard, version?: number): Promise<void> {
  const e = d.work.editor;
  readSettings(d);
  if (!e.draft) return;
  const button = byId('editor-save', HTMLButtonElement);
  button.disabled = true;
  byId('editor-conflict').hidden = true;
  showProblems('editor-problems', []);
  byId('editor-status').textContent = 'Saving…';
  setState('saving');
  try {
    const saved = e.scenarioId
      ? await d.api<SavedVersion>(scenarioPath(e.scenarioId), { method: 'PUT', body: e.draft, headers: { 'if-match': ifMatch(version ?? e.version ?? 1) } })
      : await d.api<SavedVersion>('/v1/scenarios', { method: 'POST', body: e.draft, headers: { 'idempotency-key': idempotencyKey() } });
    e.scenarioId = saved.id;
    e.version = saved.version;
    e.draft = structuredClone(saved.scenario);
    renderDraft(d);
    await follow(d, saved);
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return;
    if (isChangedElsewhere(err)) {
      byId('editor-status').textContent = '';
      byId('editor-conflict').hidden = false;
      setState('conflict');
      byId('conflict-reload', HTMLButtonElement).focus();
      return;
    }
    byId('editor-status').textContent = 'Not saved.';
    showProblems('editor-problems', refusalLines(err));
    setState('error');
  } finally {
    button.disabled = (e.draft?.initiatives.length ?? 0) === 0;
  }
}

/** Follows a saved version's forecast to the end, then opens it in the dashboard. */
async function follow(d: Dashboard, saved: SavedVersion): Promise<void> {
  let v = saved;
  while (v.forecastStatus === 'forecasting') {
    showProgress('editor-progress', progressView(v.forecastStatus, v.progress));
    await delay(POLL_MS);
    v = await d.api<SavedVersion>(scenarioPath(saved.id));
    if (v.version !== saved.version) break; // changed again elsewhere: open what is there now
  }
  if (v.forecastStatus === 'failed') {
    showProgress('editor-progress', { state: 'failed', share: 1, text: `Saved as version ${v.version}, but its forecast failed: ${problemText(v.problem)}` });
    setState('error');
    return;
  }
  showProgress('editor-progress', v === saved ? null : progressView('ready'));
  byId('editor-status').textContent = `Saved as version ${saved.version}.`;
  const card = byId('card-editor');
  card.setAttribute('data-scenario', saved.id);
  card.setAttribute('data-version', String(saved.version));
  setState('saved');
  await refreshPicker(d, saved.id);
  await loadScenario(d, saved.id);
  await loadVersions(d);
}

/** The dashboard's scenario picker, listed again with `select` chosen. */
async function refreshPicker(d: Dashboard, select: string): Promise<void> {
  const list = await d.api<Page<ScenarioSummary>>('/v1/scenarios?limit=100');
  d.state.scenarios = list.items;
  const picker = byId('scenario', HTMLSelectElement);
  picker.replaceChildren(...list.items.map((s) => el('option', { value: s.id, text: `${s.name} (v${s.version})` })));
  picker.value = select;
  byId('scenario-picker').hidden = list.items.length === 0;
  const other = byId('compare-other', HTMLSelectElement);
  other.replaceChildren(...list.items.filter((s) => s.id !== d.work.editor.scenarioId).map((s) => el('option', { value: s.id, text: `${s.name} (v${s.version})` })));
  for (const id of ['compare-run', 'compare-xlsx']) byId(id, HTMLButtonElement).disabled = other.options.length === 0;
}

/** After a 412: theirs into the form (reload), or mine saved over the version now current (overwrite). */
async function resolveConflict(d: Dashboard, choice: 'reload' | 'overwrite'): Promise<void> {
  const e = d.work.editor;
  if (!e.scenarioId) return;
  const current = await d.api<SavedVersion>(scenarioPath(e.scenarioId));
  byId('editor-conflict').hidden = true;
  if (choice === 'reload') {
    edit(d, current.scenario, e.scenarioId, current.version);
    byId('editor-status').textContent = `Reloaded version ${current.version}.`;
    return;
  }
  e.version = current.version;
  await save(d, current.version);
}

// ---------------------------------------------------------------------------------------------
// Versions and comparisons

async function loadVersions(d: Dashboard): Promise<void> {
  const id = d.work.editor.scenarioId;
  if (!id) return;
  const page = await d.api<Page<VersionSummary>>(scenarioPath(id, '/versions?limit=100'));
  const items = page.items;
  const last = items.length - 1;
  const radio = (group: string, v: number, checked: boolean): HTMLInputElement => el('input', { type: 'radio', name: group, value: v, checked, 'aria-label': `Version ${v} as ${group === 'version-a' ? 'A' : 'B'}` });
  byId('versions', HTMLTableElement).tBodies[0]?.replaceChildren(
    ...items.map((v, k) =>
      el('tr', { 'data-version': v.version }, [
        el('th', { scope: 'row', text: `v${v.version}` }),
        el('td', { text: v.updatedAt.slice(0, 19).replace('T', ' ') }),
        el('td', { class: 'num', text: String(v.scenario.initiatives.length) }),
        el('td', null, [radio('version-a', v.version, k === Math.max(0, last - 1))]),
        el('td', null, [radio('version-b', v.version, k === last)]),
      ]),
    ),
  );
  byId('versions-compare', HTMLButtonElement).disabled = items.length < 2;
  byId('versions-body').hidden = false;
  await refreshPicker(d, id);
}

function checkedVersion(group: string): number | null {
  const r = document.querySelector<HTMLInputElement>(`input[name=${group}]:checked`);
  return r ? Number(r.value) : null;
}

/** A table of rows side by side under `head`. */
function renderSideBySide(tableId: string, head: readonly string[], rows: readonly (readonly string[])[]): void {
  const table = byId(tableId, HTMLTableElement);
  table.tHead?.replaceChildren(el('tr', null, head.map((h, i) => el('th', { scope: 'col', class: i > 0 ? 'num' : null, text: h }))));
  table.tBodies[0]?.replaceChildren(...rows.map((r) => el('tr', null, r.map((c, i) => (i === 0 ? el('th', { scope: 'row', text: c }) : el('td', { class: 'num', text: c }))))));
  table.hidden = false;
}

async function compareVersions(d: Dashboard): Promise<void> {
  const id = d.work.editor.scenarioId;
  const a = checkedVersion('version-a');
  const b = checkedVersion('version-b');
  if (!id || a === null || b === null) return;
  const [va, vb] = await Promise.all([a, b].map((v) => d.api<SavedVersion>(scenarioPath(id, `/versions/${v}`))));
  if (!va?.forecast || !vb?.forecast) return showProblems('editor-problems', ['One of the versions has no forecast yet.']);
  const lift = (o: { nps: { lift: number; interval: Interval } } | null): string => (o ? `${signed(o.nps.lift)} ${bracket(o.nps.interval, (x) => fixed(x))}` : '\u2013');
  const cur = va.forecast.currency;
  const npv = (o: { revenue: { npv: number } | null } | null): string => (o?.revenue ? money(o.revenue.npv, cur) : '\u2013');
  renderSideBySide(
    'version-compare',
    ['Initiative', `NPS lift v${a}`, `NPS lift v${b}`, `NPV v${a}`, `NPV v${b}`],
    sideBySide(va.forecast, vb.forecast).map((r) => [r.name, lift(r.a), lift(r.b), npv(r.a), npv(r.b)]),
  );
}

function compareBody(d: Dashboard): { scenarios: string[] } | null {
  const a = d.work.editor.scenarioId;
  const b = byId('compare-other', HTMLSelectElement).value;
  return a && b ? { scenarios: [a, b] } : null;
}

async function compareScenarios(d: Dashboard): Promise<void> {
  const body = compareBody(d);
  if (!body) return;
  const c = await d.api<Comparison>('/v1/compare', { method: 'POST', body });
  const head = ['', ...c.scenarios.map((s) => `${s.name} (v${s.version})`)];
  const rows: string[][] = [
    ['Portfolio NPS lift', ...c.scenarios.map((s) => `${signed(s.nps.lift)} ${bracket(s.nps.interval, (x) => fixed(x))}`)],
    ['Net value', ...c.scenarios.map((s) => (s.netValue ? money(s.netValue.value, s.currency) : '\u2013'))],
    ['Cost (discounted)', ...c.scenarios.map((s) => money(s.cost.total, s.currency))],
    ['ROI', ...c.scenarios.map((s) => (s.roi ? `${fixed(s.roi.estimate * 100, 0)}%` : '\u2013'))],
  ];
  for (const diff of c.differences) rows.push([`Difference in NPS lift (${diff.b} − ${diff.a})`, diff.npsLift ? `${signed(diff.npsLift.value)} ${bracket(diff.npsLift.interval, (x) => fixed(x))}` : '\u2013', '']);
  renderSideBySide('scenario-compare', head, rows);
}

// ---------------------------------------------------------------------------------------------
// Workbooks

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** Fetches a workbook from the API and hands it to the browser as a download. */
export function downloadWorkbook(d: Dashboard, path: string, init: { method?: 'GET' | 'POST'; body?: unknown }, fallbackName: string): Promise<string> {
  return downloadFile(d.api, path, { ...init, headers: { accept: XLSX } }, fallbackName);
}

// ---------------------------------------------------------------------------------------------
// Wiring

export function wireEditor(d: Dashboard): void {
  const e = d.work.editor;
  byId('editor-new').addEventListener('click', () => {
    const modelId = byId('editor-model', HTMLSelectElement).value || d.work.whatIf.modelId || d.state.model?.id || '';
    edit(d, newScenario('New scenario', modelId), null, null);
    byId('editor-name', HTMLInputElement).select();
  });
  byId('editor-open').addEventListener('click', () => {
    const s = d.state.scenario;
    if (!s || !d.state.scenarioId) return showProblems('editor-problems', ['Open a scenario in the dashboard first.']);
    edit(d, s.scenario, d.state.scenarioId, s.version);
  });
  byId('whatif-to-scenario').addEventListener('click', () => {
    const modelId = d.work.whatIf.modelId;
    if (!modelId) return;
    const draft = newScenario('Scenario from a what-if', modelId);
    const first: InitiativeInput = whatIfInitiative(d);
    edit(d, first.effects.length > 0 ? { ...draft, initiatives: [first] } : draft, null, null);
    byId('card-editor').scrollIntoView({ block: 'start' });
    byId('editor-name', HTMLInputElement).select();
  });
  byId('editor-add').addEventListener('click', () => openForm(d, ''));
  byId('initiative-add-effect').addEventListener('click', () => byId('initiative-effects').append(effectRow(d, { attribute: '', op: 'add', value: '', rangeLow: '', rangeHigh: '' })));
  byId('initiative-form', HTMLFormElement).addEventListener('submit', (ev) => {
    ev.preventDefault();
    keepInitiative(d);
  });
  byId('initiative-cancel').addEventListener('click', () => closeForm(d));
  for (const id of ['editor-name', 'editor-model', 'editor-currency', 'editor-horizon', 'editor-discount']) byId(id).addEventListener('change', () => readSettings(d));
  byId('editor-save').addEventListener('click', () => void save(d));
  byId('conflict-reload').addEventListener('click', () => void resolveConflict(d, 'reload').catch((err) => showProblems('editor-problems', refusalLines(err))));
  byId('conflict-overwrite').addEventListener('click', () => void resolveConflict(d, 'overwrite').catch((err) => showProblems('editor-problems', refusalLines(err))));
  byId('versions-compare').addEventListener('click', () => void compareVersions(d).catch((err) => showProblems('editor-problems', refusalLines(err))));
  byId('compare-run').addEventListener('click', () => void compareScenarios(d).catch((err) => showProblems('editor-problems', refusalLines(err))));
  byId('compare-xlsx').addEventListener('click', () => {
    const body = compareBody(d);
    if (body) void downloadWorkbook(d, '/v1/compare', { method: 'POST', body }, 'comparison.xlsx').catch((err) => showProblems('editor-problems', refusalLines(err)));
  });
  // The models the what-if lists are the ones a scenario can be built on; its levels are the targets.
  document.addEventListener('liftcast:models', (ev) => {
    const ids = ev instanceof CustomEvent && Array.isArray(ev.detail) ? (ev.detail as string[]) : [];
    const picker = byId('editor-model', HTMLSelectElement);
    const keep = e.draft?.modelId ?? picker.value;
    picker.replaceChildren(...ids.map((id) => el('option', { value: id, text: id })));
    if (keep && !ids.includes(keep)) picker.append(el('option', { value: keep, text: keep }));
    if (keep) picker.value = keep;
  });
  document.addEventListener('liftcast:levels', (ev) => {
    const levels = ev instanceof CustomEvent ? (ev.detail as { segments: string[]; roles: string[] }) : null;
    if (levels) e.levels = { segments: [...levels.segments], roles: [...levels.roles] };
    e.attributes = whatIfScales(d);
  });
}
