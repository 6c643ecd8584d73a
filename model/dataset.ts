/**
 * Survey waves: the columns a wave has, the rules a row must follow, and the columnar form in which
 * respondents travel through Liftcast (parsed uploads, stored chunks, model fitting).
 *
 * Everything here is pure: the HTTP layer turns CSV or JSON into a {@link RawTable}, this module
 * validates every cell and reports every problem with its row and column, and the store encodes
 * the resulting {@link RespondentColumns} into compact chunks.
 */
import { z } from 'zod';
import { keyProblem, RESERVED_KEY, safeText, textProblem } from './text.js';

/** Columns every wave must have. */
export const REQUIRED_COLUMNS = ['respondent_id', 'account_id', 'segment', 'ltr'] as const;
/** Columns a wave may have; every other column is an attribute rating. */
export const OPTIONAL_COLUMNS = ['role', 'wave', 'account_revenue'] as const;
const RESERVED: ReadonlySet<string> = new Set<string>([...REQUIRED_COLUMNS, ...OPTIONAL_COLUMNS]);

/** Limits of one upload request (documented in the README; larger waves are appended in batches). */
export const LIMITS = {
  /** Rows in one request (single upload or one appended batch). */
  rowsPerRequest: 100_000,
  /** Attribute columns in a wave. */
  attributes: 200,
  /** Row problems listed in one error response; the total is always given. */
  reportedErrors: 100,
  /** Longest identifier text (respondent, account, segment, role). */
  textLength: 128,
  /** Distinct segments (and, separately, roles) in a wave: each gets its own NPS in the summary. */
  segments: 1000,
} as const;

/** Column names are identifiers so they can be used as keys in formulas, URLs and JSON. */
export const IdentifierSchema = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_]{0,63}$/, 'must be an identifier: letters, digits and _, at most 64, not starting with a digit')
  .refine((name) => name !== RESERVED_KEY, { message: keyProblem(RESERVED_KEY)! });

/** An attribute's answer scale, inclusive, e.g. `[1, 5]`. Survey scales are short; ±1000 bounds them. */
export const ScaleSchema = z
  .tuple([z.number().min(-1000).max(1000), z.number().min(-1000).max(1000)])
  .refine(([min, max]) => min < max, { message: 'scale must be [min, max] with min < max' });
export type Scale = z.infer<typeof ScaleSchema>;

export const AttributeKindSchema = z.enum(['product', 'service', 'other']);
export type AttributeKind = z.infer<typeof AttributeKindSchema>;

/**
 * A code a survey export writes for "not answered" or "don't know" (`-99`, `999`, `N/A`, `Don't
 * know`): a number, or a word matched without regard to case or surrounding spaces.
 */
export const MissingCodeSchema = z.union([
  z.number().min(-1e9).max(1e9),
  safeText(z.string().trim().min(1).max(64)),
]);
export type MissingCode = z.infer<typeof MissingCodeSchema>;
export const MissingCodesSchema = z.array(MissingCodeSchema).max(20);

/** What the uploader tells us about an attribute column. */
export const AttributeDescriptorSchema = z.strictObject({
  name: IdentifierSchema,
  kind: AttributeKindSchema,
  label: safeText(z.string().min(1).max(200)).optional(),
  scale: ScaleSchema.optional(),
  missing: MissingCodesSchema.optional().describe('Codes meaning "not answered" in this column (overrides the upload-wide list)'),
});
export type AttributeDescriptorInput = z.infer<typeof AttributeDescriptorSchema>;

/** An attribute as stored: every field resolved. */
export const AttributeSchema = z.strictObject({
  name: IdentifierSchema,
  kind: AttributeKindSchema,
  label: z.string().optional(),
  scale: ScaleSchema,
  missing: MissingCodesSchema.optional().describe('Codes read as "not answered", exactly like a blank cell'),
});
export type Attribute = z.infer<typeof AttributeSchema>;

/** Scale assumed when the uploader does not give one: the NPS question's own 0–10. */
export const DEFAULT_SCALE: Scale = [0, 10];

/** One problem with an upload, located as precisely as we can. */
export const RowErrorSchema = z.object({
  row: z.number().int().nullable().describe('1-based data row (header excluded); null for file-level problems'),
  line: z.number().int().optional().describe('physical line in a CSV file'),
  column: z.string().optional(),
  reason: z.string(),
});
export type RowError = z.infer<typeof RowErrorSchema>;

/** A cell as it arrives from CSV (text) or JSON (text, number or null). */
export type RawCell = string | number | null | undefined;

/** An upload before validation: a header and rows of cells in header order. */
export interface RawTable {
  columns: string[];
  rows: Iterable<RawRow>;
}
export interface RawRow {
  /** 1-based data row. */
  row: number;
  /** Physical line in a CSV file, when known. */
  line?: number;
  cells: RawCell[];
}

/**
 * Respondents in columnar form. Ratings are one `Float64Array` per attribute with `NaN` for "not
 * answered", so the model can stream over them without boxing and a missing answer can never be
 * mistaken for a zero.
 */
export interface RespondentColumns {
  size: number;
  attributes: readonly string[];
  respondentId: string[];
  accountId: string[];
  segment: string[];
  role: (string | null)[];
  wave: (string | null)[];
  /** Annual revenue of the respondent's account; `NaN` where not given. */
  accountRevenue: Float64Array;
  ltr: Uint8Array;
  ratings: Float64Array[];
}

export type ParseResult =
  | { ok: true; columns: RespondentColumns; attributes: Attribute[] }
  | { ok: false; errors: RowError[]; errorCount: number };

export interface ParseOptions {
  /** Descriptors given by the uploader; columns not described get kind `other` and scale 0–10. */
  described?: readonly AttributeDescriptorInput[];
  /** Codes meaning "not answered" in every attribute column without its own list. */
  missing?: readonly MissingCode[];
  /**
   * The dataset's attributes when appending a batch to an existing wave: the batch must carry
   * exactly these attribute columns (in any order), rated on the same scales.
   */
  expected?: readonly Attribute[];
}

/**
 * Validates a whole upload and converts it to columns. Every problem is collected (the first
 * {@link LIMITS.reportedErrors} are listed, all are counted) so that a user fixes a file in one round
 * trip; an upload with any problem yields no columns at all, so nothing partial can be stored.
 */
export function parseWave(table: RawTable, options: ParseOptions = {}): ParseResult {
  const errors: RowError[] = [];
  let errorCount = 0;
  const report = (e: RowError): void => {
    errorCount++;
    if (errors.length < LIMITS.reportedErrors) errors.push(e);
  };

  const header = resolveHeader(table.columns, options, report);
  if (!header) {
    // Header problems make row checks meaningless; still report file-level emptiness below.
    return { ok: false, errors, errorCount };
  }
  const { index, attributes } = header;
  const k = attributes.length;
  const width = table.columns.length;

  const respondentId: string[] = [];
  const accountId: string[] = [];
  const segment: string[] = [];
  const role: (string | null)[] = [];
  const wave: (string | null)[] = [];
  const revenue: number[] = [];
  const ltr: number[] = [];
  const ratings: number[][] = attributes.map(() => []);
  const firstRowOf = new Map<string, number>();
  const revenueOf = new Map<string, { value: number; row: number }>();

  /** Columns of the current row whose cell broke the text rule (reported once, not again as empty). */
  const flagged = new Set<string>();
  let size = 0;
  for (const raw of table.rows) {
    size++;
    if (size > LIMITS.rowsPerRequest) break;
    const at = (column?: string): Pick<RowError, 'row' | 'line' | 'column'> => ({
      row: raw.row,
      ...(raw.line !== undefined ? { line: raw.line } : {}),
      ...(column !== undefined ? { column } : {}),
    });
    if (raw.cells.length !== width) {
      report({ ...at(), reason: `row has ${raw.cells.length} cells but the header has ${width} columns` });
      continue;
    }
    // A cell with a control character (NUL, ESC, …) or a lone surrogate is a problem in itself,
    // whatever its column: it is reported once and the cell is then read as blank.
    flagged.clear();
    const cell = (i: number): RawCell => {
      const v = raw.cells[i];
      if (typeof v !== 'string' || !hasSpecial(v)) return v;
      const problem = textProblem(v);
      if (problem === null) return v;
      report({ ...at(table.columns[i]), reason: problem });
      flagged.add(table.columns[i]!);
      return null;
    };
    const fault = (column: string, reason: string): void => {
      if (!flagged.has(column)) report({ ...at(column), reason });
    };

    const rid = parseText(cell(index.respondent_id));
    if (!rid.ok) fault('respondent_id', rid.reason);
    else {
      const first = firstRowOf.get(rid.value);
      if (first !== undefined) report({ ...at('respondent_id'), reason: `duplicate respondent_id '${rid.value}' (first on row ${first})` });
      else firstRowOf.set(rid.value, raw.row);
    }
    const acc = parseText(cell(index.account_id));
    if (!acc.ok) fault('account_id', acc.reason);
    const seg = parseText(cell(index.segment));
    if (!seg.ok) fault('segment', seg.reason);
    const score = parseLtr(cell(index.ltr));
    if (!score.ok) fault('ltr', score.reason);

    let roleValue: string | null = null;
    if (index.role !== undefined) {
      const r = parseOptionalText(cell(index.role));
      if (!r.ok) fault('role', r.reason);
      else roleValue = r.value;
    }
    let waveValue: string | null = null;
    if (index.wave !== undefined) {
      const w = parseOptionalDate(cell(index.wave));
      if (!w.ok) fault('wave', w.reason);
      else waveValue = w.value;
    }
    let revenueValue = Number.NaN;
    if (index.account_revenue !== undefined) {
      const v = parseOptionalNumber(cell(index.account_revenue));
      if (!v.ok) fault('account_revenue', v.reason);
      else if (v.value !== null && v.value < 0) report({ ...at('account_revenue'), reason: `must be ≥ 0, got ${v.value}` });
      else if (v.value !== null) {
        revenueValue = v.value;
        if (acc.ok) {
          const seen = revenueOf.get(acc.value);
          if (!seen) revenueOf.set(acc.value, { value: v.value, row: raw.row });
          else if (seen.value !== v.value)
            report({
              ...at('account_revenue'),
              reason: `account '${acc.value}' has account_revenue ${seen.value} on row ${seen.row} and ${v.value} here`,
            });
        }
      }
    }
    for (let a = 0; a < k; a++) {
      const attr = attributes[a]!;
      const value = cell(header.attributeIndex[a]!);
      if (header.missing[a]!(value)) {
        ratings[a]!.push(Number.NaN);
        continue;
      }
      const v = parseOptionalNumber(value);
      if (!v.ok) {
        fault(attr.name, v.reason);
        continue;
      }
      if (v.value !== null && (v.value < attr.scale[0] || v.value > attr.scale[1])) {
        fault(attr.name, `rating ${v.value} is outside the scale ${attr.scale[0]}–${attr.scale[1]}`);
        continue;
      }
      ratings[a]!.push(v.value ?? Number.NaN);
    }
    if (rid.ok && acc.ok && seg.ok && score.ok) {
      respondentId.push(rid.value);
      accountId.push(acc.value);
      segment.push(seg.value);
      ltr.push(score.value);
    }
    role.push(roleValue);
    wave.push(waveValue);
    revenue.push(revenueValue);
  }

  if (size > LIMITS.rowsPerRequest) {
    report({
      row: null,
      reason: `more than ${LIMITS.rowsPerRequest} rows in one request: append larger waves in batches (POST /v1/datasets/{id}/rows)`,
    });
  } else if (size === 0) {
    report({ row: null, reason: 'the upload has no data rows' });
  }
  const distinctSegments = new Set(segment).size;
  const distinctRoles = new Set(role.filter((r) => r !== null)).size;
  if (distinctSegments > LIMITS.segments || distinctRoles > LIMITS.segments)
    report({
      row: null,
      column: distinctSegments > LIMITS.segments ? 'segment' : 'role',
      reason: `${Math.max(distinctSegments, distinctRoles)} distinct values; at most ${LIMITS.segments} are allowed (is an id column mislabelled?)`,
    });
  if (errorCount > 0) return { ok: false, errors, errorCount };

  // With no errors every array has one entry per row.
  const accountRevenue = Float64Array.from(revenue);
  return {
    ok: true,
    attributes,
    columns: {
      size,
      attributes: attributes.map((a) => a.name),
      respondentId,
      accountId,
      segment,
      role,
      wave,
      accountRevenue,
      ltr: Uint8Array.from(ltr),
      ratings: ratings.map((r) => Float64Array.from(r)),
    },
  };
}

interface ResolvedHeader {
  index: Partial<Record<(typeof REQUIRED_COLUMNS)[number] | (typeof OPTIONAL_COLUMNS)[number], number>> &
    Record<(typeof REQUIRED_COLUMNS)[number], number>;
  attributes: Attribute[];
  attributeIndex: number[];
  /** Per attribute: whether a cell holds one of its missing-value codes. */
  missing: ((cell: RawCell) => boolean)[];
}

/**
 * Whether a cell is one of `codes`: numbers compare as numbers (`-99` matches `-99.0` and the JSON
 * number −99), words without regard to case or surrounding spaces (`n/a` matches `N/A`).
 */
export function missingMatcher(codes: readonly MissingCode[] | undefined): (cell: RawCell) => boolean {
  if (!codes || codes.length === 0) return () => false;
  const numbers = new Set<number>();
  const words = new Set<string>();
  for (const c of codes) {
    if (typeof c === 'number') numbers.add(c);
    else {
      const n = toNumber(c);
      if (Number.isFinite(n)) numbers.add(n);
      else words.add(c.trim().toLowerCase());
    }
  }
  return (cell) => {
    if (typeof cell === 'number') return numbers.has(cell);
    if (typeof cell !== 'string') return false;
    const text = cell.trim();
    if (text === '') return false;
    if (words.size > 0 && words.has(text.toLowerCase())) return true;
    if (numbers.size === 0) return false;
    const n = toNumber(text);
    return Number.isFinite(n) && numbers.has(n);
  };
}

function resolveHeader(
  columns: string[],
  options: ParseOptions,
  report: (e: RowError) => void,
): ResolvedHeader | null {
  let bad = false;
  const fail = (e: RowError): void => {
    bad = true;
    report(e);
  };
  if (columns.length === 0) {
    fail({ row: null, reason: 'the upload is empty: expected a header with respondent_id, account_id, segment, ltr and attribute columns' });
    return null;
  }
  const seen = new Set<string>();
  const index: Record<string, number> = {};
  const attributeNames: string[] = [];
  const attributeIndex: number[] = [];
  columns.forEach((name, i) => {
    if (seen.has(name)) fail({ row: null, column: name, reason: `column '${name}' appears more than once in the header` });
    seen.add(name);
    if (RESERVED.has(name)) index[name] = i;
    else if (name === RESERVED_KEY) fail({ row: null, column: name, reason: `column name ${keyProblem(name)}` });
    else if (!IdentifierSchema.safeParse(name).success)
      fail({ row: null, column: safeShow(name), reason: `column name '${safeShow(name)}' must be an identifier (letters, digits, _)` });
    else {
      attributeNames.push(name);
      attributeIndex.push(i);
    }
  });
  for (const required of REQUIRED_COLUMNS) {
    if (index[required] === undefined) fail({ row: null, column: required, reason: `required column '${required}' is missing` });
  }
  if (attributeNames.length > LIMITS.attributes)
    fail({ row: null, reason: `${attributeNames.length} attribute columns; at most ${LIMITS.attributes} are allowed` });

  const described = new Map<string, AttributeDescriptorInput>();
  for (const d of options.described ?? []) {
    if (described.has(d.name)) fail({ row: null, column: d.name, reason: `attribute '${d.name}' is described twice` });
    described.set(d.name, d);
    if (!attributeNames.includes(d.name))
      fail({ row: null, column: d.name, reason: `attribute '${d.name}' is described but no column has that name` });
  }
  let attributes: Attribute[] = attributeNames.map((name) => {
    const d = described.get(name);
    const missing = d?.missing ?? options.missing;
    return {
      name,
      kind: d?.kind ?? 'other',
      ...(d?.label !== undefined ? { label: d.label } : {}),
      scale: d?.scale ?? DEFAULT_SCALE,
      ...(missing !== undefined && missing.length > 0 ? { missing: [...missing] } : {}),
    };
  });
  for (const a of attributes)
    for (const code of a.missing ?? [])
      if (typeof code === 'number' && code >= a.scale[0] && code <= a.scale[1])
        fail({ row: null, column: a.name, reason: `missing-value code ${code} is inside the scale ${a.scale[0]}–${a.scale[1]}: it would hide real answers` });
  if (options.expected) {
    const expected = new Map(options.expected.map((a) => [a.name, a]));
    for (const name of attributeNames)
      if (!expected.has(name)) fail({ row: null, column: name, reason: `attribute '${name}' is not in this dataset` });
    for (const name of expected.keys())
      if (!attributeNames.includes(name)) fail({ row: null, column: name, reason: `attribute column '${name}' of this dataset is missing` });
    // A batch is rated on the dataset's scales, with its missing codes, whatever it says about itself.
    attributes = attributes.map((a) => expected.get(a.name) ?? a);
  }
  if (bad) return null;
  return { index: index as ResolvedHeader['index'], attributes, attributeIndex, missing: attributes.map((a) => missingMatcher(a.missing)) };
}

type Parsed<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Text echoed in a problem, with any control character replaced by U+FFFD so the answer is clean. */
function safeShow(text: string): string {
  return hasSpecial(text) && textProblem(text) !== null ? text.replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069\u2028\u2029\ufeff]|[\ud800-\udfff]/gu, '\ufffd') : text;
}

/** A cheap first test: only text with a character outside printable ASCII needs the full rule. */
function hasSpecial(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c >= 0x7f) return true;
  }
  return false;
}

function show(v: RawCell): string {
  return typeof v === 'string' ? `'${safeShow(v.length > 40 ? `${v.slice(0, 40)}…` : v)}'` : String(v);
}

function isBlank(v: RawCell): v is null | undefined | '' {
  return v === null || v === undefined || (typeof v === 'string' && v.trim() === '');
}

/** An identifier cell (respondent, account, segment, role): trimmed, bounded, safe as a key. */
function parseText(v: RawCell): Parsed<string> {
  if (isBlank(v)) return { ok: false, reason: 'is required but empty' };
  const s = typeof v === 'number' ? String(v) : v.trim();
  if (s.length > LIMITS.textLength) return { ok: false, reason: `is longer than ${LIMITS.textLength} characters` };
  if (s === RESERVED_KEY) return { ok: false, reason: keyProblem(s)! };
  return { ok: true, value: s };
}

function parseOptionalText(v: RawCell): Parsed<string | null> {
  return isBlank(v) ? { ok: true, value: null } : parseText(v);
}

function toNumber(v: string | number): number {
  if (typeof v === 'number') return v;
  const s = v.trim();
  // Number('') is 0 and Number('0x10') is 16: accept only plain decimal notation.
  if (!/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/.test(s)) return Number.NaN;
  return Number(s);
}

function parseOptionalNumber(v: RawCell): Parsed<number | null> {
  if (isBlank(v)) return { ok: true, value: null };
  const n = toNumber(v);
  if (!Number.isFinite(n)) return { ok: false, reason: `${show(v)} is not a number` };
  return { ok: true, value: n };
}

function parseLtr(v: RawCell): Parsed<number> {
  if (isBlank(v)) return { ok: false, reason: 'is required but empty' };
  const n = toNumber(v);
  if (!Number.isInteger(n) || n < 0 || n > 10) return { ok: false, reason: `must be a whole number from 0 to 10, got ${show(v)}` };
  return { ok: true, value: n };
}

/** Wave dates repeat on every row; remember the few distinct ones (bounded, so it cannot grow). */
const checkedDates = new Map<string, Parsed<string | null>>();

function parseOptionalDate(v: RawCell): Parsed<string | null> {
  if (isBlank(v)) return { ok: true, value: null };
  const s = String(v).trim();
  const known = checkedDates.get(s);
  if (known) return known;
  const result = checkDate(v, s);
  if (checkedDates.size >= 256) checkedDates.clear();
  checkedDates.set(s, result);
  return result;
}

function checkDate(v: RawCell, s: string): Parsed<string | null> {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(s);
  if (m) {
    const d = new Date(`${s}T00:00:00Z`);
    if (!Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s) return { ok: true, value: s };
  }
  return { ok: false, reason: `${show(v)} is not an ISO date (YYYY-MM-DD)` };
}

/** Converts JSON row objects to a {@link RawTable}; keys seen in any row become columns, in first-seen order. */
export function tableFromObjects(rows: readonly Record<string, RawCell>[]): RawTable {
  const columns: string[] = [];
  const seen = new Set<string>();
  for (const r of rows)
    for (const key of Object.keys(r))
      if (!seen.has(key)) {
        seen.add(key);
        columns.push(key);
      }
  return {
    columns,
    rows: rows.map((r, i) => ({ row: i + 1, cells: columns.map((c) => r[c]) })),
  };
}
