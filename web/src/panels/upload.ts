/**
 * Uploading a wave (card `#card-upload`): a CSV picked or dropped is read in the browser; its header
 * and first rows are shown, each column mapped (which is ltr, respondent, account, segment, role,
 * wave, revenue; which are attributes, of what kind and scale), missing-value codes declared; then it
 * goes up through the public API: one request when it fits, otherwise open (`seal=false`, first
 * batch), append (`POST …/rows`, each with an Idempotency-Key), seal — with a progress bar. A refused
 * batch's row errors are listed (row, column, reason; the first 100 and the count) and the open
 * dataset is deleted, so nothing of a bad file stays, as a single request promises.
 *
 * The card's `data-state`: `idle`, `ready` (a file is read), `uploading`, `uploaded` (with
 * `data-dataset`), `rejected` (row errors shown) or `error`.
 */
import { ApiError } from '../api.js';
import type { AppendedBatch, DatasetSummary } from '../contract.js';
import type { Dashboard } from '../dashboard.js';
import { byId, el } from '../dom.js';

import { ATTRIBUTE_KINDS, batches, COLUMN_ROLES, guessMapping, mappingProblems, missingCodes, readCsv, rowErrors, uploadQuery, type ColumnMapping, type ColumnRole } from '../upload.js';
import { showProgress } from './progressBar.js';

/** Rows shown under the header. */
const PREVIEW_ROWS = 5;

const ROLE_NAMES: Readonly<Record<ColumnRole, string>> = {
  respondent: 'respondent id',
  account: 'account id',
  segment: 'segment',
  role: 'role',
  ltr: 'likelihood to recommend (ltr)',
  wave: 'wave date',
  revenue: 'account revenue',
  attribute: 'an attribute rating',
  skip: 'leave it out',
};

function setState(state: string): void {
  byId('card-upload').setAttribute('data-state', state);
}

/** Reads a picked or dropped file and shows its preview and mapping. */
async function readFile(d: Dashboard, file: File): Promise<void> {
  const text = await file.text();
  const table = readCsv(text);
  d.work.upload = { table, mapping: guessMapping(table.header), fileName: file.name };
  byId('upload-name', HTMLInputElement).value = file.name.replace(/\.csv$/i, '');
  byId('upload-errors').hidden = true;
  showProgress('upload-progress', null);
  renderPreview(d);
  renderMapping(d);
  byId('upload-preview').hidden = false;
  setState('ready');
}

function renderPreview(d: Dashboard): void {
  const { table, fileName } = d.work.upload;
  if (!table) return;
  const head = byId('upload-head', HTMLTableElement);
  head.tHead?.replaceChildren(el('tr', null, table.header.map((h) => el('th', { scope: 'col', text: h }))));
  head.tBodies[0]?.replaceChildren(...table.records.slice(0, PREVIEW_ROWS).map((r) => el('tr', null, table.header.map((_, i) => el('td', { text: r[i] ?? '' })))));
  byId('upload-caption').textContent = `${fileName}: ${table.records.length.toLocaleString('en-US')} rows; the first ${Math.min(PREVIEW_ROWS, table.records.length)} shown`;
}

function renderMapping(d: Dashboard): void {
  const rows = d.work.upload.mapping.map((m, i) => {
    const role = el('select', { 'aria-label': `What ${m.source} holds`, 'data-column': m.source }, COLUMN_ROLES.map((r) => el('option', { value: r, text: ROLE_NAMES[r] })));
    role.value = m.role;
    const kind = el('select', { 'aria-label': `Kind of ${m.source}` }, ATTRIBUTE_KINDS.map((k) => el('option', { value: k, text: k })));
    kind.value = m.kind;
    const lo = el('input', { type: 'number', step: 'any', value: String(m.scale[0]), 'aria-label': `Lowest rating of ${m.source}` });
    const hi = el('input', { type: 'number', step: 'any', value: String(m.scale[1]), 'aria-label': `Highest rating of ${m.source}` });
    const attributeOnly = (): void => {
      const on = role.value === 'attribute';
      for (const c of [kind, lo, hi]) c.disabled = !on;
    };
    attributeOnly();
    const update = (): void => {
      const current = d.work.upload.mapping[i];
      if (!current) return;
      d.work.upload.mapping[i] = { ...current, role: role.value as ColumnRole, kind: kind.value as ColumnMapping['kind'], scale: [Number(lo.value), Number(hi.value)] };
      attributeOnly();
    };
    for (const c of [role, kind, lo, hi]) c.addEventListener('change', update);
    return el('tr', null, [el('th', { scope: 'row', text: m.source }), el('td', null, [role]), el('td', null, [kind]), el('td', null, [lo]), el('td', null, [hi])]);
  });
  byId('upload-mapping', HTMLTableElement).tBodies[0]?.replaceChildren(...rows);
}

function problems(list: readonly string[]): void {
  const p = byId('upload-problems');
  p.textContent = list.join(' ');
  p.hidden = list.length === 0;
}

/** Lists a refused batch's row errors, rows counted in the whole file. */
function showRowErrors(e: ApiError, offset: number): void {
  const { errors, total } = rowErrors(e.problem, offset);
  byId('upload-errors-summary').textContent =
    `${e.message} ${total === 1 ? 'One problem' : `${total.toLocaleString('en-US')} problems`}${total > errors.length ? `; the first ${errors.length} are listed` : ''}. Nothing was stored: correct the file and upload it again.`;
  byId('upload-error-rows').replaceChildren(
    ...errors.map((r) => el('tr', null, [el('td', { class: 'num', text: r.row === null ? 'file' : String(r.row) }), el('td', { text: r.column }), el('td', { text: r.reason })])),
  );
  byId('upload-errors').hidden = false;
}

/** A fresh Idempotency-Key for one batch of one upload (a retry of the same batch reuses it). */
function batchKey(upload: string, index: number): string {
  return `${upload}-batch-${String(index + 1).padStart(4, '0')}`;
}

/** Uploads the file as mapped: one request, or open → append → seal. */
async function send(d: Dashboard): Promise<void> {
  const { table, mapping } = d.work.upload;
  if (!table) return;
  const name = byId('upload-name', HTMLInputElement).value.trim();
  const missing = missingCodes(byId('upload-missing', HTMLInputElement).value);
  const issues = [...(name === '' ? ['Name the wave.'] : []), ...mappingProblems(mapping), ...missing.problems];
  problems(issues);
  if (issues.length > 0) return;
  const perRequest = Math.min(100_000, Math.max(1, Math.floor(Number(byId('upload-batch', HTMLInputElement).value) || 50_000)));
  const parts = batches(table, mapping, perRequest);
  if (parts.length === 0) return problems(['The file has no rows under its header.']);
  byId('upload-errors').hidden = true;
  const button = byId('upload-send', HTMLButtonElement);
  button.disabled = true;
  setState('uploading');
  const steps = parts.length === 1 ? 1 : parts.length + 1;
  const progress = (done: number, text: string): void => showProgress('upload-progress', { state: 'pending', share: done / steps, text });
  const upload = crypto.randomUUID();
  let dataset: DatasetSummary | null = null;
  let offset = 0;
  try {
    progress(0, parts.length === 1 ? 'Uploading…' : `Opening the wave with batch 1 of ${parts.length}…`);
    const first = parts[0]!;
    dataset = await d.api<DatasetSummary>(`/v1/datasets${uploadQuery(name, mapping, missing.codes, parts.length === 1)}`, {
      method: 'POST',
      csv: first.csv,
      headers: { 'idempotency-key': batchKey(upload, 0) },
    });
    for (let i = 1; i < parts.length; i++) {
      const part = parts[i]!;
      offset = part.offset;
      progress(i, `Appending batch ${i + 1} of ${parts.length}…`);
      await d.api<AppendedBatch>(`/v1/datasets/${encodeURIComponent(dataset.id)}/rows`, { method: 'POST', csv: part.csv, headers: { 'idempotency-key': batchKey(upload, i) } });
    }
    if (parts.length > 1) {
      progress(parts.length, 'Sealing the wave…');
      dataset = await d.api<DatasetSummary>(`/v1/datasets/${encodeURIComponent(dataset.id)}/seal`, { method: 'POST' });
    }
    showProgress('upload-progress', { state: 'ready', share: 1, text: `Uploaded ${dataset.rowCount.toLocaleString('en-US')} respondents as ‘${dataset.name}’ in ${parts.length === 1 ? 'one request' : `${parts.length} batches`}.` });
    byId('card-upload').setAttribute('data-dataset', dataset.id);
    setState('uploaded');
    document.dispatchEvent(new CustomEvent('liftcast:datasets', { detail: dataset.id }));
  } catch (e) {
    // A batch refused after the wave was opened: delete what was stored, so a bad file leaves nothing.
    if (dataset && dataset.status !== 'sealed') await d.api(`/v1/datasets/${encodeURIComponent(dataset.id)}`, { method: 'DELETE' }).catch(() => undefined);
    if (e instanceof ApiError && e.status === 401) return;
    if (e instanceof ApiError && e.status === 400 && (e.problem.errors ?? []).some((x) => x.row !== undefined || x.column !== undefined)) {
      showRowErrors(e, offset);
      showProgress('upload-progress', { state: 'failed', share: 1, text: 'Refused: see the rows below.' });
      setState('rejected');
    } else {
      showProgress('upload-progress', { state: 'failed', share: 1, text: `The upload failed: ${e instanceof Error ? e.message : String(e)}` });
      setState('error');
    }
  } finally {
    button.disabled = false;
  }
}

export function wireUpload(d: Dashboard): void {
  const input = byId('upload-file', HTMLInputElement);
  input.addEventListener('change', () => {
    const file = input.files?.[0];
    if (file) void readFile(d, file);
  });
  const drop = byId('upload-drop');
  drop.addEventListener('dragover', (ev) => {
    ev.preventDefault();
    drop.classList.add('over');
  });
  drop.addEventListener('dragleave', () => drop.classList.remove('over'));
  drop.addEventListener('drop', (ev) => {
    ev.preventDefault();
    drop.classList.remove('over');
    const file = ev.dataTransfer?.files[0];
    if (file) void readFile(d, file);
  });
  byId('upload-send').addEventListener('click', () => void send(d));
}

