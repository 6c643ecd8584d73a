/**
 * Uploading a wave from the browser, without the DOM: reading a CSV file's header and first rows,
 * guessing which column is which, writing the upload's query (attribute kinds and scales, missing
 * codes) and the file again under the API's column names, split into batches that each fit one
 * request. The API does the validating (every row, every problem with its row and column); this
 * module only carries the user's choices to it. Tested in test/unit/dashboardWork.test.ts.
 */
import type { Problem, ProblemItem } from './contract.js';

/** What a column is for: one of the API's columns, an attribute rating, or left out of the upload. */
export const COLUMN_ROLES = ['respondent', 'account', 'segment', 'role', 'ltr', 'wave', 'revenue', 'attribute', 'skip'] as const;
export type ColumnRole = (typeof COLUMN_ROLES)[number];

/** The API's name of each role's column (README, "Survey waves"). */
export const API_COLUMNS: Readonly<Record<Exclude<ColumnRole, 'attribute' | 'skip'>, string>> = {
  respondent: 'respondent_id',
  account: 'account_id',
  segment: 'segment',
  role: 'role',
  ltr: 'ltr',
  wave: 'wave',
  revenue: 'account_revenue',
};

/** The roles a wave must map (the API refuses a file without them). */
export const REQUIRED_ROLES = ['respondent', 'account', 'segment', 'ltr'] as const;

export const ATTRIBUTE_KINDS = ['product', 'service', 'other'] as const;
export type AttributeKind = (typeof ATTRIBUTE_KINDS)[number];

/** One column's mapping. `kind` and `scale` matter for attributes only. */
export interface ColumnMapping {
  source: string;
  role: ColumnRole;
  kind: AttributeKind;
  scale: [number, number];
}

/** A CSV file read into records (each a list of cells), header first. */
export interface CsvTable {
  header: string[];
  records: string[][];
}

/**
 * The records of CSV text (RFC 4180: quoted cells may hold commas, quotes doubled, line breaks), a
 * BOM and a final line break ignored, CRLF or LF; blank lines skipped.
 */
export function readCsv(text: string): CsvTable {
  const records: string[][] = [];
  let cells: string[] = [];
  let cell = '';
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  const endRecord = (): void => {
    cells.push(cell);
    if (!(cells.length === 1 && cells[0] === '')) records.push(cells);
    cells = [];
    cell = '';
  };
  for (; i < text.length; i++) {
    const ch = text[i]!;
    if (quoted) {
      if (ch === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cell += ch;
    } else if (ch === '"' && cell === '') quoted = true;
    else if (ch === ',') {
      cells.push(cell);
      cell = '';
    } else if (ch === '\n' || ch === '\r') {
      if (ch === '\r' && text[i + 1] === '\n') i++;
      endRecord();
    } else cell += ch;
  }
  if (cell !== '' || cells.length > 0) endRecord();
  const [header = [], ...rest] = records;
  return { header: header.map((h) => h.trim()), records: rest };
}

/** Lower-case letters and digits only, to compare column names loosely. */
const loose = (s: string): string => s.toLowerCase().replace(/[^a-z0-9]/g, '');

/** Names people give each role's column, loosely written. */
const ALIASES: ReadonlyArray<[Exclude<ColumnRole, 'attribute' | 'skip'>, readonly string[]]> = [
  ['respondent', ['respondentid', 'respondent', 'respid', 'responseid', 'id']],
  ['account', ['accountid', 'account', 'customerid', 'customer', 'company']],
  ['segment', ['segment', 'tier']],
  ['role', ['role', 'persona', 'jobrole']],
  ['ltr', ['ltr', 'nps', 'likelihoodtorecommend', 'recommend']],
  ['wave', ['wave', 'surveydate', 'date']],
  ['revenue', ['accountrevenue', 'revenue', 'arr']],
];

/**
 * A first mapping of `header`: each column whose name is a role's (or a usual alias) takes that role,
 * the first one only; every other column is an attribute of kind `other` on a 0–10 scale.
 *
 * @example guessMapping(['Respondent ID', 'account_id', 'Segment', 'NPS', 'support']).map((m) => m.role)
 * // ['respondent', 'account', 'segment', 'ltr', 'attribute']
 */
export function guessMapping(header: readonly string[]): ColumnMapping[] {
  const taken = new Set<ColumnRole>();
  return header.map((source) => {
    const name = loose(source);
    const hit = ALIASES.find(([role, names]) => !taken.has(role) && names.includes(name));
    if (hit) taken.add(hit[0]);
    return { source, role: hit ? hit[0] : 'attribute', kind: 'other', scale: [0, 10] };
  });
}

/**
 * The name an attribute column goes up as: an identifier (letters, digits, `_`, not starting with a
 * digit, at most 64 characters), as the API requires (model/dataset.ts, `IdentifierSchema`). Survey
 * exports often head a column with the whole question, so a long name is cut to 64.
 */
export function attributeName(source: string): string {
  const id = source.trim().replace(/[^A-Za-z0-9_]+/g, '_').replace(/^_+|_+$/g, '');
  return (id === '' ? 'attribute' : /^[0-9]/.test(id) ? `a_${id}` : id).slice(0, 64);
}

/** The name a mapped column goes up as; `null` for a skipped one. */
export function uploadedName(m: ColumnMapping): string | null {
  return m.role === 'skip' ? null : m.role === 'attribute' ? attributeName(m.source) : API_COLUMNS[m.role];
}

/**
 * What is wrong with a mapping before anything is sent: each required role mapped once, names unique,
 * no rating uploaded under a name the API reads as one of its own columns (`role`, `wave`, …).
 */
export function mappingProblems(mapping: readonly ColumnMapping[]): string[] {
  const problems: string[] = [];
  for (const role of REQUIRED_ROLES) if (!mapping.some((m) => m.role === role)) problems.push(`Choose the column that holds ${API_COLUMNS[role]}.`);
  const counts = new Map<string, number>();
  for (const m of mapping) {
    const name = uploadedName(m);
    if (name === null) continue;
    counts.set(name, (counts.get(name) ?? 0) + 1);
  }
  for (const [name, n] of counts) if (n > 1) problems.push(`${n} columns would be uploaded as '${name}'; map only one.`);
  const apiRoles = new Map(Object.entries(API_COLUMNS).map(([role, column]) => [column, role]));
  for (const m of mapping) {
    const name = attributeName(m.source);
    const role = m.role === 'attribute' ? apiRoles.get(name) : undefined;
    if (role) problems.push(`'${m.source}' would be uploaded as '${name}', the API's ${role} column, not as a rating: map it as ${role} or skip it.`);
  }
  if (!mapping.some((m) => m.role === 'attribute')) problems.push('Map at least one column as an attribute rating.');
  for (const m of mapping) if (m.role === 'attribute' && !(m.scale[0] < m.scale[1])) problems.push(`The scale of '${m.source}' must run from a lower to a higher number.`);
  return problems;
}

/**
 * Missing-value codes typed by the user (`-99, Don't know`), as the query's comma-separated list:
 * trimmed, empty ones dropped. A code may not hold a comma, `|` or `:` (the query's separators).
 */
export function missingCodes(text: string): { codes: string[]; problems: string[] } {
  const codes = text.split(/[,;\n]/).map((c) => c.trim()).filter((c) => c !== '');
  const problems = codes.filter((c) => /[|:]/.test(c)).map((c) => `The code '${c}' holds | or :, which the upload cannot carry.`);
  return { codes: [...new Set(codes)], problems };
}

/**
 * The query of `POST /v1/datasets` for a CSV: its name, the attributes' kinds and scales, the
 * missing codes; `seal=false` when more batches follow.
 */
export function uploadQuery(name: string, mapping: readonly ColumnMapping[], codes: readonly string[], seal: boolean): string {
  const q = new URLSearchParams({ name });
  const attributes = mapping.filter((m) => m.role === 'attribute');
  for (const kind of ['product', 'service'] as const) {
    const names = attributes.filter((m) => m.kind === kind).map((m) => attributeName(m.source));
    if (names.length > 0) q.set(kind, names.join(','));
  }
  const scales = attributes.filter((m) => m.scale[0] !== 0 || m.scale[1] !== 10).map((m) => `${attributeName(m.source)}:${m.scale[0]}-${m.scale[1]}`);
  if (scales.length > 0) q.set('scales', scales.join(','));
  if (codes.length > 0) q.set('missing', codes.join(','));
  if (!seal) q.set('seal', 'false');
  return `?${q.toString()}`;
}

/** A cell written back as CSV: quoted when it holds a comma, a quote or a line break. */
function csvCell(v: string): string {
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** Batches of the file, each CSV text with the API's header, and where its first row sits in the file. */
export interface Batch {
  csv: string;
  /** 0-based index in the file of the batch's first data row. */
  offset: number;
  rows: number;
}

/**
 * The file under the API's column names (skipped columns left out), in batches of at most `maxRows`
 * rows and at most `maxBytes` bytes each (UTF-8, the header included; only a single row larger than
 * that gets a batch of its own), so that every request stays under the API's limits (100,000 rows,
 * 4 MiB).
 *
 * @default maxRows 50_000, maxBytes 3_500_000
 */
export function batches(table: CsvTable, mapping: readonly ColumnMapping[], maxRows = 50_000, maxBytes = 3_500_000): Batch[] {
  const kept = mapping.map((m, i) => ({ m, i })).filter(({ m }) => m.role !== 'skip');
  const header = kept.map(({ m }) => uploadedName(m)).join(',');
  const encoder = new TextEncoder();
  // Every batch carries the header: its bytes count against `maxBytes` too.
  const headerBytes = encoder.encode(header).byteLength + 1;
  const out: Batch[] = [];
  let lines: string[] = [];
  let bytes = headerBytes;
  let offset = 0;
  const flush = (): void => {
    if (lines.length === 0) return;
    out.push({ csv: `${header}\n${lines.join('\n')}\n`, offset, rows: lines.length });
    offset += lines.length;
    lines = [];
    bytes = headerBytes;
  };
  for (const record of table.records) {
    const line = kept.map(({ i }) => csvCell(record[i] ?? '')).join(',');
    const size = encoder.encode(line).byteLength + 1;
    if (lines.length >= maxRows || (lines.length > 0 && bytes + size > maxBytes)) flush();
    lines.push(line);
    bytes += size;
  }
  flush();
  return out;
}

/** A row error as the page lists it: the row in the file (1-based), its column and why. */
export interface RowError {
  row: number | null;
  column: string;
  reason: string;
}

/**
 * The row errors of a refused upload, at most `limit`, with rows counted in the whole file (a batch's
 * rows are numbered from its own first row), and how many problems there were in all.
 */
export function rowErrors(problem: Problem, offset = 0, limit = 100): { errors: RowError[]; total: number } {
  const items: ProblemItem[] = problem.errors ?? [];
  const errors = items.slice(0, limit).map((e) => ({
    row: typeof e.row === 'number' ? e.row + offset : null,
    column: e.column ?? e.field ?? '',
    reason: e.reason,
  }));
  return { errors, total: Math.max(problem.errorCount ?? 0, items.length) };
}
