/**
 * The dashboard's workbench, without the DOM: reading and uploading a wave (web/src/upload.ts), the
 * what-if sliders (web/src/whatif.ts), the scenario editor (web/src/editor.ts), progress bars
 * (web/src/progress.ts) and the workbench's first state (web/src/work.ts).
 *
 * Where the client prepares something for the API, the API itself judges it: uploads go through the
 * real dataset routes (functions/http/datasets.ts, csv-parse, the model's row rules) over a service
 * that only validates, predict bodies and initiatives through the server's zod contracts and its
 * effect checks on a stored model. Tenant strings (`__proto__`, `constructor`) are used as data
 * throughout.
 */
import { OpenAPIHono } from '@hono/zod-openapi';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { LIMITS, IdentifierSchema, OPTIONAL_COLUMNS, parseWave, REQUIRED_COLUMNS, type Attribute, type ParseResult, type RawTable, type RespondentColumns } from '../../model/dataset.js';
import { DriverModelSchema, WhatIfSchema, type DriverModel } from '../../model/drivers/contract.js';
import { resolveChanges } from '../../model/drivers/whatIf.js';
import { InitiativeSchema, ScenarioInputSchema } from '../../model/scenario/contract.js';
import { checkEffects } from '../../model/scenario/plan.js';
import type { CreateDatasetInput, Dataset } from '../../functions/app/datasets/contract.js';
import type { DatasetStore } from '../../functions/app/datasets/ports.js';
import { DatasetService } from '../../functions/app/datasets/service.js';
import { ValidationError } from '../../functions/app/errors.js';
import type { IdempotencyPort } from '../../functions/app/idempotency.js';
import { silentLogger } from '../../functions/log.js';
import { MAX_BODY_BYTES } from '../../functions/http/app.js';
import { parseCsv } from '../../functions/http/csv.js';
import { datasetRoutes } from '../../functions/http/datasets.js';
import { versionFromIfMatch, versionTag } from '../../functions/http/headers.js';
import type { IdentityEnv } from '../../functions/http/identity.js';
import { validationHook } from '../../functions/http/openapi.js';
import { installProblemHandling } from '../../functions/http/problem.js';
import { ApiError, createApi, type Api } from '../../web/src/api.js';
import type { Forecast, InitiativeForecast, InitiativeInput, Interval, Outcome, Problem, ScenarioInput, WhatIfResult } from '../../web/src/contract.js';
import { fieldsOf, ifMatch, initiativeFrom, isChangedElsewhere, newScenario, sideBySide, slug, withInitiative, withoutInitiative, type InitiativeFields } from '../../web/src/editor.js';
import { problemText, progressView } from '../../web/src/progress.js';
import {
  API_COLUMNS,
  attributeName,
  batches,
  guessMapping,
  mappingProblems,
  missingCodes,
  readCsv,
  REQUIRED_ROLES,
  rowErrors,
  uploadedName,
  uploadQuery,
  type Batch,
  type ColumnMapping,
  type ColumnRole,
  type CsvTable,
} from '../../web/src/upload.js';
import { changesOf, debounce, initiativeFromWhatIf, predictRequest, segmentRows, SLIDER_OPS, sliderRange, sliderText, targetOf, type SliderOp } from '../../web/src/whatif.js';
import { initialWork } from '../../web/src/work.js';

const utf8 = (s: string): number => new TextEncoder().encode(s).byteLength;

/** RFC 4180, written independently of the client: a cell is quoted when forced or when it holds `"`, `,`, CR or LF. */
const field = (v: string, force = false): string => (force || /[",\r\n]/.test(v) ? `"${v.split('"').join('""')}"` : v);

/** A mapping from `guessMapping`, with the columns named in `changes` changed. */
function mapped(header: readonly string[], changes: Readonly<Record<string, Partial<ColumnMapping>>> = {}): ColumnMapping[] {
  const byName = new Map(Object.entries(changes));
  return guessMapping(header).map((m) => ({ ...m, ...byName.get(m.source) }));
}

const roles = (mapping: readonly ColumnMapping[]): ColumnRole[] => mapping.map((m) => m.role);

// ---------------------------------------------------------------------------------------------
// The API, in-process: the real dataset routes over a service that validates as the real one does
// (model/dataset.ts parseWave), and stores nothing.

/** Stands in for a port the validating service never reaches: any use is a test failure. */
function unused<T extends object>(what: string): T {
  return new Proxy({} as T, {
    get: () => {
      throw new Error(`${what} is not used by these tests`);
    },
  });
}

class ValidatingDatasets extends DatasetService {
  /** The respondents of every accepted request, in the order they came. */
  readonly accepted: RespondentColumns[] = [];
  readonly inputs: CreateDatasetInput[] = [];
  attributes: Attribute[] = [];

  constructor() {
    super(unused<DatasetStore>('the dataset store'), unused<IdempotencyPort>('idempotency'), () => new Date(0));
  }

  override async create(_tenant: string, input: CreateDatasetInput): Promise<{ dataset: Dataset; replayed: boolean }> {
    this.inputs.push(input);
    const parsed = parseWave(input.table, { described: input.described, ...(input.missing ? { missing: input.missing } : {}) });
    const columns = this.#accept(parsed);
    this.attributes = parsed.ok ? parsed.attributes : [];
    return { dataset: this.#dataset(input.name, input.seal ? 'sealed' : 'open', columns.size), replayed: false };
  }

  override async append(_tenant: string, id: string, table: RawTable): Promise<{ result: { batch: { key: string; rows: number }; dataset: Dataset }; replayed: boolean }> {
    const columns = this.#accept(parseWave(table, { expected: this.attributes }));
    return { result: { batch: { key: id, rows: columns.size }, dataset: this.#dataset('appended', 'open', columns.size) }, replayed: false };
  }

  #accept(parsed: ParseResult): RespondentColumns {
    // As the real service words a refusal (functions/app/datasets/service.ts, uploadRejected).
    if (!parsed.ok) throw new ValidationError(`The upload has ${parsed.errorCount} problems; nothing was stored.`, { errors: parsed.errors, extensions: { errorCount: parsed.errorCount } });
    this.accepted.push(parsed.columns);
    return parsed.columns;
  }

  #dataset(name: string, status: 'open' | 'sealed', rowCount: number): Dataset {
    const at = new Date(0).toISOString();
    return { id: 'ds_test', name, status, createdAt: at, updatedAt: at, version: 1, rowCount, attributes: this.attributes, summary: null };
  }
}

/** The dashboard's API client talking to the dataset routes, signed in with the datasets:write scope. */
function server(): { api: Api; datasets: ValidatingDatasets } {
  const datasets = new ValidatingDatasets();
  const app = new OpenAPIHono<IdentityEnv>({ defaultHook: validationHook });
  installProblemHandling(app, silentLogger);
  app.use('*', async (c, next) => {
    c.set('identity', { subject: 'tester', tenant: 'acme', scopes: new Set(['read', 'datasets:write']) });
    await next();
  });
  app.route('/v1/datasets', datasetRoutes(datasets));
  const api = createApi({ token: () => 'test-token', onUnauthorized: () => undefined, fetch: async (input, init) => app.request(String(input), init) });
  return { api, datasets };
}

/** Sends the file as the upload panel does: one request, or the first batch open and the rest appended. */
async function upload(api: Api, table: CsvTable, mapping: readonly ColumnMapping[], codes: readonly string[], maxRows?: number, maxBytes?: number) {
  const parts = batches(table, mapping, maxRows, maxBytes);
  const statuses: string[] = [];
  for (const [i, part] of parts.entries()) {
    const headers = { 'idempotency-key': `upload-batch-${String(i + 1).padStart(4, '0')}` };
    try {
      if (i === 0) statuses.push((await api<Dataset>(`/v1/datasets${uploadQuery('Q3 wave', mapping, codes, parts.length === 1)}`, { method: 'POST', csv: part.csv, headers })).status);
      else statuses.push((await api<{ dataset: Dataset }>('/v1/datasets/ds_test/rows', { method: 'POST', csv: part.csv, headers })).dataset.status);
    } catch (e) {
      if (e instanceof ApiError) return { parts, statuses, refused: { error: e, part } };
      throw e;
    }
  }
  return { parts, statuses, refused: null };
}

/** One column of every accepted request, joined in upload order. */
function joined<K extends keyof RespondentColumns>(accepted: readonly RespondentColumns[], key: K): unknown[] {
  return accepted.flatMap((c) => Array.from(c[key] as ArrayLike<unknown>));
}

function ratingsOf(accepted: readonly RespondentColumns[], attribute: string): number[] {
  return accepted.flatMap((c) => Array.from(c.ratings[c.attributes.indexOf(attribute)] ?? []));
}

// =============================================================================================
// upload.ts

describe('readCsv', () => {
  it('reads quoted cells holding commas, line breaks (LF and CRLF) and doubled quotes as one cell each', () => {
    // Prepare
    const text = 'respondent_id,comment,segment\nr1,"late, again","Mid ""EMEA"""\nr2,"two\nlines","three\r\nlines"\nr3,"",plain\n';

    // Act
    const table = readCsv(text);

    // Assess
    expect(table.header).toEqual(['respondent_id', 'comment', 'segment']);
    expect(table.records).toEqual([
      ['r1', 'late, again', 'Mid "EMEA"'],
      ['r2', 'two\nlines', 'three\r\nlines'],
      ['r3', '', 'plain'],
    ]);
  });

  it('ignores a byte-order mark, so the first column keeps its name', () => {
    const table = readCsv('\ufeffrespondent_id,ltr\r\nr1,9\r\n');

    expect(table.header[0]).toBe('respondent_id');
    expect(guessMapping(table.header)[0]?.role).toBe('respondent');
  });

  it('reads CRLF line endings without leaving a carriage return in any cell', () => {
    const table = readCsv('a,b\r\n1,2\r\n3,4\r\n');

    expect(table.records).toEqual([
      ['1', '2'],
      ['3', '4'],
    ]);
  });

  it('skips blank lines, trailing ones included, and reads a last line without a line break', () => {
    expect(readCsv('a,b\n\n1,2\n\n\n3,4').records).toEqual([
      ['1', '2'],
      ['3', '4'],
    ]);
    expect(readCsv('a,b\r\n1,2\r\n\r\n\r\n').records).toEqual([['1', '2']]);
  });

  it('keeps a line of empty cells (a row the API should see and refuse) but not an empty line', () => {
    expect(readCsv('a,b\n,\n').records).toEqual([['', '']]);
  });

  it('trims the header names, as the API does, but leaves the cells as they are', () => {
    const table = readCsv(' respondent_id , Segment \n r1 , smb \n');

    expect(table.header).toEqual(['respondent_id', 'Segment']);
    expect(table.records).toEqual([[' r1 ', ' smb ']]);
  });

  it('reads an empty file as no header and no records', () => {
    expect(readCsv('')).toEqual({ header: [], records: [] });
    expect(readCsv('\ufeff\n\n')).toEqual({ header: [], records: [] });
  });

  it('reads back any table written as RFC 4180, exactly as the API (csv-parse) reads the same text', () => {
    const cell = fc.array(fc.constantFrom('a', 'Z', '7', ' ', ',', '"', '\n', '\r\n', '\r', 'é', '😀', '-'), { maxLength: 5 }).map((a) => a.join(''));
    const shape = fc.record({
      width: fc.integer({ min: 2, max: 4 }),
      rows: fc.array(fc.array(cell, { minLength: 4, maxLength: 4 }), { maxLength: 6 }),
      quoteAll: fc.boolean(),
      crlf: fc.boolean(),
      bom: fc.boolean(),
      trailing: fc.integer({ min: 0, max: 2 }),
    });
    fc.assert(
      fc.property(shape, ({ width, rows, quoteAll, crlf, bom, trailing }) => {
        // Prepare: width ≥ 2, so no record is a blank line; the file ends in 0–2 line breaks of its own kind
        const header = Array.from({ length: width }, (_, i) => `c${i}`);
        const records = rows.map((r) => r.slice(0, width));
        const eol = crlf ? '\r\n' : '\n';
        const text = (bom ? '\ufeff' : '') + [header, ...records].map((r) => r.map((v) => field(v, quoteAll)).join(',')).join(eol) + eol.repeat(trailing);

        // Act
        const table = readCsv(text);
        const api = parseCsv(text);

        // Assess
        expect(table).toEqual({ header, records });
        expect(api.columns).toEqual(table.header);
        expect(Array.from(api.rows, (r) => r.cells)).toEqual(table.records);
      }),
      { numRuns: 300 },
    );
  });
});

describe('guessMapping', () => {
  it('maps a typical export as its TSDoc example says: the named columns take their roles, the rest are ratings', () => {
    const mapping = guessMapping(['Respondent ID', 'account_id', 'Segment', 'NPS', 'support']);

    expect(roles(mapping)).toEqual(['respondent', 'account', 'segment', 'ltr', 'attribute']);
    expect(mapping[4]).toEqual({ source: 'support', role: 'attribute', kind: 'other', scale: [0, 10] });
  });

  it('recognises the usual names of each column, however written', () => {
    const header = ['resp_id', 'Customer', 'Tier', 'Job Role', 'Likelihood to recommend', 'Survey date', 'ARR'];

    expect(roles(guessMapping(header))).toEqual(['respondent', 'account', 'segment', 'role', 'ltr', 'wave', 'revenue']);
    expect(guessMapping(header).map(uploadedName)).toEqual(['respondent_id', 'account_id', 'segment', 'role', 'ltr', 'wave', 'account_revenue']);
  });

  it('gives a role to the first column that fits it only; a second one is a rating', () => {
    expect(roles(guessMapping(['NPS', 'LTR', 'id', 'Respondent']))).toEqual(['ltr', 'attribute', 'respondent', 'attribute']);
  });

  it('keeps columns called __proto__ and constructor as ordinary ratings under their own names', () => {
    const mapping = guessMapping(['__proto__', 'constructor', 'toString']);

    expect(mapping.map((m) => [m.source, m.role])).toEqual([
      ['__proto__', 'attribute'],
      ['constructor', 'attribute'],
      ['toString', 'attribute'],
    ]);
  });
});

describe("the API's column names", () => {
  it("are the client's names for the roles: the required roles are the API's required columns, the others its optional ones", () => {
    const required = REQUIRED_ROLES.map((r) => API_COLUMNS[r]);
    const all = Object.values(API_COLUMNS);

    expect(new Set(required)).toEqual(new Set(REQUIRED_COLUMNS));
    expect(new Set(all)).toEqual(new Set([...REQUIRED_COLUMNS, ...OPTIONAL_COLUMNS]));
  });

  it('a skipped column goes up under no name', () => {
    expect(uploadedName({ source: 'Comment', role: 'skip', kind: 'other', scale: [0, 10] })).toBeNull();
  });
});

describe('attributeName', () => {
  it('turns a header into an identifier: runs of other characters become one _, none at either end', () => {
    expect(attributeName('Ease of use (1–5)')).toBe('Ease_of_use_1_5');
    expect(attributeName('  Value for money  ')).toBe('Value_for_money');
    expect(attributeName('Qualité')).toBe('Qualit');
  });

  it('prefixes a name that would start with a digit, and names a column of punctuation only "attribute"', () => {
    expect(attributeName('2nd line support')).toBe('a_2nd_line_support');
    expect(attributeName('???')).toBe('attribute');
    expect(attributeName('')).toBe('attribute');
  });

  it('uploads a column called __proto__ under a name the API takes (it refuses __proto__ itself)', () => {
    expect(IdentifierSchema.safeParse('__proto__').success).toBe(false);

    expect(attributeName('__proto__')).toBe('proto');
  });

  it('cuts a whole survey question used as a header to the 64 characters the API allows', () => {
    // Regression: the name was not cut, and the API refused the upload ("must be an identifier").
    const question = 'How satisfied are you with the onboarding experience provided by our team?';

    const name = attributeName(question);

    expect(name).toBe('How_satisfied_are_you_with_the_onboarding_experience_provided_by_our_team'.slice(0, 64));
    expect(IdentifierSchema.safeParse(name).success).toBe(true);
  });

  it('gives every header, whatever it holds, a name the API accepts as a column name', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', 'Z', '0', '9', '_', ' ', '-', '(', 'é', '😀', '\t'), maxLength: 120, size: 'max' }), (source) => {
        expect(IdentifierSchema.safeParse(attributeName(source)).success).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe('mappingProblems', () => {
  const header = ['Respondent ID', 'Customer', 'Segment', 'NPS', 'Support', 'Comment'];

  it('finds nothing wrong with a mapping of every required column and one rating', () => {
    expect(mappingProblems(mapped(header, { Comment: { role: 'skip' } }))).toEqual([]);
  });

  it("names each required column that no column is mapped to, by the API's name", () => {
    const mapping = mapped(header, { 'Respondent ID': { role: 'skip' }, NPS: { role: 'skip' } });

    expect(mappingProblems(mapping)).toEqual(['Choose the column that holds respondent_id.', 'Choose the column that holds ltr.']);
  });

  it('refuses two columns uploaded under one name, and ignores skipped columns when counting', () => {
    const twice = mapped(['id', 'account_id', 'segment', 'ltr', 'Support', 'Support!', 'x'], { x: { role: 'skip' } });

    expect(mappingProblems(twice)).toEqual(["2 columns would be uploaded as 'Support'; map only one."]);
    expect(mappingProblems(mapped(['id', 'account_id', 'segment', 'ltr', 'Support', 'skip1', 'skip2'], { skip1: { role: 'skip' }, skip2: { role: 'skip' } }))).toEqual([]);
  });

  it('asks for at least one rating', () => {
    expect(mappingProblems(mapped(header, { Support: { role: 'skip' }, Comment: { role: 'skip' } }))).toEqual(['Map at least one column as an attribute rating.']);
  });

  it('refuses a scale that does not run from lower to higher, naming the column', () => {
    const mapping = mapped(header, { Comment: { role: 'skip' }, Support: { scale: [5, 5] } });

    expect(mappingProblems(mapping)).toEqual(["The scale of 'Support' must run from a lower to a higher number."]);
  });

  it('lists every problem at once', () => {
    const mapping = mapped(['Customer', 'Support', 'Support?', 'Ease'], { Ease: { scale: [10, 0] } });

    expect(mappingProblems(mapping)).toHaveLength(5); // respondent_id, segment, ltr missing; 'Support' twice; Ease's scale
  });

  it("refuses a rating whose name the API would read as one of its own columns (a 'role' column mapped as a rating)", () => {
    // Regression: nothing was said, and the API read the ratings as the respondents' roles.
    const table = readCsv('respondent_id,account_id,segment,ltr,role,support\nr1,a1,smb,9,7,8\n');
    const mapping = mapped(table.header, { role: { role: 'attribute' } });
    const api = parseWave(parseCsv(batches(table, mapping)[0]!.csv));
    if (!api.ok) throw new Error('the API refused the file');
    expect(api.columns.role).toEqual(['7']);
    expect(api.attributes.map((a) => a.name)).toEqual(['support']);

    const problems = mappingProblems(mapping);

    expect(problems).toHaveLength(1);
    expect(problems[0]).toContain("'role'");
  });
});

describe('missingCodes', () => {
  it('reads codes separated by commas, semicolons or line breaks, trimmed, empty ones dropped, each once', () => {
    expect(missingCodes(" -99, Don't know ;N/A\n\n, -99 ,")).toEqual({ codes: ['-99', "Don't know", 'N/A'], problems: [] });
  });

  it('reads nothing typed as no codes', () => {
    expect(missingCodes('  ')).toEqual({ codes: [], problems: [] });
  });

  it('names each code holding | or :, which the query cannot carry', () => {
    const { problems } = missingCodes('n|a, 99, a:b');

    expect(problems).toHaveLength(2);
    expect(problems[0]).toContain("'n|a'");
    expect(problems[1]).toContain("'a:b'");
  });
});

describe('uploadQuery', () => {
  const header = ['Respondent ID', 'Customer', 'Segment', 'NPS', 'Price (1-5)', 'Features', 'Support', 'Ease', 'Comment'];
  const mapping = mapped(header, {
    'Price (1-5)': { kind: 'product', scale: [1, 5] },
    Features: { kind: 'product' },
    Support: { kind: 'service', scale: [-2, 2] },
    Comment: { role: 'skip' },
  });

  it("carries the name, the attributes' kinds, the scales that are not 0–10 and the missing codes, under the uploaded names", () => {
    const q = new URLSearchParams(uploadQuery('Q3 2026', mapping, ['-99', 'N/A'], true));

    expect([...q.keys()].sort()).toEqual(['missing', 'name', 'product', 'scales', 'service']);
    expect(q.get('name')).toBe('Q3 2026');
    expect(q.get('product')).toBe('Price_1_5,Features');
    expect(q.get('service')).toBe('Support');
    expect(q.get('scales')).toBe('Price_1_5:1-5,Support:-2-2');
    expect(q.get('missing')).toBe('-99,N/A');
  });

  it('asks to keep the dataset open only when more batches follow', () => {
    expect(new URLSearchParams(uploadQuery('w', mapping, [], false)).get('seal')).toBe('false');
    expect(new URLSearchParams(uploadQuery('w', mapping, [], true)).has('seal')).toBe(false);
  });

  it('leaves out what has nothing to say: no kinds, scales or codes for plain 0–10 ratings', () => {
    expect(uploadQuery('Q&A = fun', mapped(['id', 'account', 'segment', 'ltr', 'support']), [], true)).toBe('?name=Q%26A+%3D+fun');
  });
});

describe('batches', () => {
  const header = ['Respondent ID', 'Customer', 'Tier', 'NPS', 'Comment', 'Ease of use'];
  const mapping = mapped(header, { Comment: { role: 'skip' } });
  /** The header every batch must start with, and the columns of the file it keeps (Comment is skipped). */
  const apiHeader = 'respondent_id,account_id,segment,ltr,Ease_of_use';
  const kept = [0, 1, 2, 3, 5];
  const lineOf = (record: readonly string[]): string => kept.map((i) => field(record[i] ?? '')).join(',');

  it('writes the file under the API column names, skipped columns left out, cells quoted where they must be', () => {
    const table: CsvTable = { header, records: [['r1', 'acme', 'Mid, "EMEA"', '9', 'nice', '7'], ['r2', 'beta', 'two\nlines', '10', '', '']] };

    const [only, ...rest] = batches(table, mapping);

    expect(rest).toEqual([]);
    expect(only).toEqual({ csv: `${apiHeader}\nr1,acme,"Mid, ""EMEA""",9,7\nr2,beta,"two\nlines",10,\n`, offset: 0, rows: 2 });
  });

  it('fills the cells of a short record with empty ones', () => {
    expect(batches({ header, records: [['r1', 'acme']] }, mapping)[0]?.csv).toBe(`${apiHeader}\nr1,acme,,,\n`);
  });

  it('makes no batch of a file without rows', () => {
    expect(batches({ header, records: [] }, mapping)).toEqual([]);
  });

  it('counts bytes as UTF-8: a row of accented letters and emoji goes up in a batch of its own when two would not fit', () => {
    // 'r1,Ünïcødé,smb,9,😀' is 25 bytes (Ü ï ø é two each, 😀 four); with its line break 26; the header line 49.
    const row = ['r1', 'Ünïcødé', 'smb', '9', '', '😀'];
    const table: CsvTable = { header, records: [row, row] };
    expect(utf8(`${apiHeader}\n`)).toBe(49);
    expect(utf8(`${lineOf(row)}\n`)).toBe(26);

    expect(batches(table, mapping, 10, 101).map((b) => b.rows)).toEqual([2]); // 49 + 26 + 26
    expect(batches(table, mapping, 10, 100).map((b) => b.rows)).toEqual([1, 1]);
  });

  it("never sends more than maxRows rows or maxBytes bytes (the header included) in one batch, only the rows of the file in its order, and fills each batch before starting the next", () => {
    // Regression: the header was not counted, so a batch could exceed maxBytes by its header.
    const cell = fc.array(fc.constantFrom('a', '7', ' ', ',', '"', '\n', 'é', '😀'), { maxLength: 12 }).map((a) => a.join(''));
    const record = fc.array(cell, { minLength: 2, maxLength: 6 });
    fc.assert(
      fc.property(fc.array(record, { maxLength: 40 }), fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 400 }), (records, maxRows, maxBytes) => {
        // Act
        const parts = batches({ header, records }, mapping, maxRows, maxBytes);

        // Assess: sizes
        for (const b of parts) {
          expect(b.rows).toBeGreaterThan(0);
          expect(b.rows).toBeLessThanOrEqual(maxRows);
          if (b.rows > 1) expect(utf8(b.csv)).toBeLessThanOrEqual(maxBytes);
        }
        // …each batch is as full as the limits allow
        for (let i = 0; i + 1 < parts.length; i++) {
          const next = records[parts[i + 1]!.offset]!;
          const roomForNext = parts[i]!.rows < maxRows && utf8(parts[i]!.csv) + utf8(`${lineOf(next)}\n`) <= maxBytes;
          expect(roomForNext).toBe(false);
        }
        // …and read by the API, the batches hold exactly the file's rows, each under the API's header
        let offset = 0;
        const sent: unknown[][] = [];
        for (const b of parts) {
          expect(b.offset).toBe(offset);
          const api = parseCsv(b.csv);
          expect(api.columns.join(',')).toBe(apiHeader);
          expect(api.rowCount).toBe(b.rows);
          sent.push(...Array.from(api.rows, (r) => r.cells));
          offset += b.rows;
        }
        expect(sent).toEqual(records.map((r) => kept.map((i) => r[i] ?? '')));
      }),
      { numRuns: 300 },
    );
  });

  it("keeps, by default, every request under the API's limits: at most 100,000 rows and 4 MiB", () => {
    // Prepare: 120,000 short rows (rows bound the batches) and 40,000 long ones (bytes bound them)
    const short: CsvTable = { header, records: Array.from({ length: 120_000 }, (_, i) => [`r${i}`, 'a', 'smb', '9', '', '5']) };
    const long: CsvTable = { header, records: Array.from({ length: 40_000 }, (_, i) => [`respondent-${i}`, `account-${'x'.repeat(80)}`, 'mid_market', '10', '', '7']) };

    // Act
    const byRows = batches(short, mapping);
    const byBytes = batches(long, mapping);

    // Assess
    expect(byRows.length).toBeGreaterThan(1);
    expect(byBytes.length).toBeGreaterThan(1);
    for (const b of [...byRows, ...byBytes]) {
      expect(b.rows).toBeLessThanOrEqual(LIMITS.rowsPerRequest);
      expect(utf8(b.csv)).toBeLessThanOrEqual(MAX_BODY_BYTES);
    }
    expect(byRows.reduce((n, b) => n + b.rows, 0)).toBe(120_000);
    expect(byBytes.reduce((n, b) => n + b.rows, 0)).toBe(40_000);
  });
});

describe('rowErrors', () => {
  const problem: Problem = {
    errors: [
      { row: 2, line: 3, column: 'ltr', reason: 'must be a whole number 0–10' },
      { row: null, column: 'support', reason: 'missing-value code 5 is inside the scale' },
      { field: 'query.scales', reason: 'attr:min-max pairs' },
    ],
  };

  it("numbers a batch's rows in the whole file, keeps file-level problems without a row, and names the column or else the field", () => {
    expect(rowErrors(problem, 50_000).errors).toEqual([
      { row: 50_002, column: 'ltr', reason: 'must be a whole number 0–10' },
      { row: null, column: 'support', reason: 'missing-value code 5 is inside the scale' },
      { row: null, column: 'query.scales', reason: 'attr:min-max pairs' },
    ]);
  });

  it('lists at most `limit` errors and counts them all: the listed ones, or errorCount when the API found more', () => {
    expect(rowErrors(problem, 0, 1)).toEqual({ errors: [{ row: 2, column: 'ltr', reason: 'must be a whole number 0–10' }], total: 3 });
    expect(rowErrors({ ...problem, errorCount: 250 }).total).toBe(250);
    expect(rowErrors({}).total).toBe(0);
  });
});

describe('an upload, as the API reads it', () => {
  const header = ['Respondent ID', 'Customer', 'Tier', 'Persona', 'NPS', 'Ease of use', 'Support (0-10)', '2nd line', '__proto__', 'Comment'];
  const records = [
    ['r1', 'acme', 'Mid-market, "EMEA"', 'gatekeeper', '9', '4', '8', '3', '7', 'said "great", twice'],
    ['r2', 'acme', 'smb', '', '10', '-99', 'N/A', '5', '6', 'two\nlines'],
    ['r3', 'Béta AG', 'smb', 'user', '3', '1', '10', '7', '0', ''],
    ['r4', 'globex', 'enterprise', 'user', '6', '5', '0', '1', '10', 'x'],
    ['r5', 'globex', 'enterprise', 'admin', '0', 'n/a', '9', '2', '5', 'y'],
  ];
  const text = [header, ...records].map((r) => r.map((v) => field(v)).join(',')).join('\r\n');
  const mapping = mapped(readCsv(text).header, {
    'Ease of use': { kind: 'product', scale: [1, 5] },
    'Support (0-10)': { kind: 'service' },
    '2nd line': { scale: [1, 7] },
    Comment: { role: 'skip' },
  });
  const codes = missingCodes('-99; N/A').codes;

  it('in batches holds every respondent and cell of the file, with the kinds, scales and missing codes chosen', async () => {
    // Prepare
    const { api, datasets } = server();
    expect(mappingProblems(mapping)).toEqual([]);

    // Act: five rows, two a batch → create (open) and two appends
    const sent = await upload(api, readCsv(text), mapping, codes, 2);

    // Assess
    expect(sent.refused).toBeNull();
    expect(sent.parts.map((b) => b.rows)).toEqual([2, 2, 1]);
    expect(sent.statuses[0]).toBe('open');
    expect(datasets.attributes).toEqual([
      { name: 'Ease_of_use', kind: 'product', scale: [1, 5], missing: [-99, 'N/A'] },
      { name: 'Support_0_10', kind: 'service', scale: [0, 10], missing: [-99, 'N/A'] },
      { name: 'a_2nd_line', kind: 'other', scale: [1, 7], missing: [-99, 'N/A'] },
      { name: 'proto', kind: 'other', scale: [0, 10], missing: [-99, 'N/A'] },
    ]);
    const a = datasets.accepted;
    expect(joined(a, 'respondentId')).toEqual(['r1', 'r2', 'r3', 'r4', 'r5']);
    expect(joined(a, 'accountId')).toEqual(['acme', 'acme', 'Béta AG', 'globex', 'globex']);
    expect(joined(a, 'segment')).toEqual(['Mid-market, "EMEA"', 'smb', 'smb', 'enterprise', 'enterprise']);
    expect(joined(a, 'role')).toEqual(['gatekeeper', null, 'user', 'user', 'admin']);
    expect(joined(a, 'ltr')).toEqual([9, 10, 3, 6, 0]);
    // -99 and N/A (any case) are read as not answered
    expect(ratingsOf(a, 'Ease_of_use')).toEqual([4, NaN, 1, 5, NaN]);
    expect(ratingsOf(a, 'Support_0_10')).toEqual([8, NaN, 10, 0, 9]);
    expect(ratingsOf(a, 'a_2nd_line')).toEqual([3, 5, 7, 1, 2]);
    expect(ratingsOf(a, 'proto')).toEqual([7, 6, 0, 10, 5]);
  });

  it('in one request is sealed at once', async () => {
    const { api, datasets } = server();

    const sent = await upload(api, readCsv(text), mapping, codes);

    expect(sent.refused).toBeNull();
    expect(sent.statuses).toEqual(['sealed']);
    expect(datasets.inputs[0]?.seal).toBe(true);
  });

  it('with a whole question as a header goes up under the cut name, and the API takes it', async () => {
    const question = 'How satisfied are you with the onboarding experience provided by our team?';
    const { api, datasets } = server();

    const sent = await upload(api, readCsv(`id,account,segment,ltr,"${question}"\nr1,a1,smb,9,7\n`), mapped(['id', 'account', 'segment', 'ltr', question], { [question]: { kind: 'service', scale: [1, 7] } }), []);

    expect(sent.refused).toBeNull();
    expect(datasets.attributes).toEqual([{ name: attributeName(question), kind: 'service', scale: [1, 7] }]);
  });

  it("refused in its second batch lists each bad row by its row in the whole file, with the API's column", async () => {
    // Prepare: file rows 5 (ltr 11) and 6 (support 12) are wrong; three rows a batch → offsets 0, 3, 6
    const rows = ['9', '8', '7', '6', '11', '5', '4'].map((ltr, i) => [`r${i + 1}`, 'a1', 'smb', ltr, i === 5 ? '12' : '5']);
    const table: CsvTable = { header: ['respondent_id', 'account_id', 'segment', 'ltr', 'support'], records: rows };
    const { api } = server();

    // Act
    const sent = await upload(api, table, guessMapping(table.header), [], 3);
    if (!sent.refused) throw new Error('the API took a wrong file');
    const listed = rowErrors(sent.refused.error.problem, sent.refused.part.offset);

    // Assess
    expect(sent.refused.error.status).toBe(400);
    expect(sent.refused.part.offset).toBe(3);
    expect(listed.total).toBe(2);
    expect(listed.errors.map((e) => [e.row, e.column])).toEqual([
      [5, 'ltr'],
      [6, 'support'],
    ]);
  });

  it('refused in its first batch numbers rows from the first row of the file', async () => {
    const table: CsvTable = { header: ['respondent_id', 'account_id', 'segment', 'ltr', 'support'], records: [['r1', 'a1', 'smb', '9', '5'], ['r2', 'a1', 'smb', 'ten', '5']] };
    const { api } = server();

    const sent = await upload(api, table, guessMapping(table.header), []);

    expect(sent.refused && rowErrors(sent.refused.error.problem, sent.refused.part.offset).errors.map((e) => [e.row, e.column])).toEqual([[2, 'ltr']]);
  });

  it('with more problems than the API lists counts them all', async () => {
    const records = Array.from({ length: 150 }, (_, i) => [`r${i}`, 'a1', 'smb', '99', '5']);
    const { api } = server();

    const sent = await upload(api, { header: ['respondent_id', 'account_id', 'segment', 'ltr', 'support'], records }, guessMapping(['id', 'account', 'segment', 'ltr', 'support']), []);
    if (!sent.refused) throw new Error('the API took a wrong file');
    const listed = rowErrors(sent.refused.error.problem, sent.refused.part.offset);

    expect(listed.errors).toHaveLength(LIMITS.reportedErrors);
    expect(listed.total).toBe(150);
  });

  it('with a missing-value code inside a scale is refused for the whole file: its error has no row', async () => {
    const { api } = server();

    const sent = await upload(api, readCsv('id,account,segment,ltr,support\nr1,a1,smb,9,5\n'), guessMapping(['id', 'account', 'segment', 'ltr', 'support']), missingCodes('5').codes);
    if (!sent.refused) throw new Error('the API took a code that hides answers');

    expect(rowErrors(sent.refused.error.problem).errors.map((e) => [e.row, e.column])).toEqual([[null, 'support']]);
  });
});

// =============================================================================================
// whatif.ts

const storedModels = JSON.parse(readFileSync(new URL('../fixtures/models/stored.json', import.meta.url), 'utf8')) as { documents: { ordinal: { attributes: { name: string; scale: [number, number] }[] } } };

/** The stored ordinal model (eight attributes), every attribute on `scale`. */
function modelOn(scale: [number, number]): DriverModel {
  const doc = storedModels.documents.ordinal;
  return DriverModelSchema.parse({ ...doc, attributes: doc.attributes.map((a) => ({ ...a, scale })) });
}

/** Every value a slider for `op` on `scale` can take, from its range and step. */
function sliderValues(op: SliderOp, scale: Interval): number[] {
  const r = sliderRange(op, scale);
  return Array.from({ length: Math.round((r.max - r.min) / r.step) + 1 }, (_, k) => r.min + k * r.step);
}

describe('sliderRange', () => {
  it('for add runs from no change to the width of the scale, in twentieths', () => {
    expect(sliderRange('add', [1, 5])).toEqual({ min: 0, max: 4, step: 0.2, none: 0 });
  });

  it('for atLeast runs over the scale itself, its bottom meaning no change', () => {
    expect(sliderRange('atLeast', [1, 5])).toEqual({ min: 1, max: 5, step: 0.2, none: 1 });
  });

  it('for closeGap runs over shares of the gap, 0 to 1 in steps of 5 %', () => {
    expect(sliderRange('closeGap', [1, 5])).toEqual({ min: 0, max: 1, step: 0.05, none: 0 });
  });

  it("gives only changes the API accepts, at every stop of every slider (the API's own check on the model's scales)", () => {
    for (const scale of [[0, 10], [1, 5]] as [number, number][]) {
      const model = modelOn(scale);
      for (const op of SLIDER_OPS)
        for (const value of sliderValues(op, scale)) expect(Array.isArray(resolveChanges(model, [{ attribute: 'support', op, value }])), `${op} ${value} on ${scale}`).toBe(true);
    }
  });
});

describe('sliderText', () => {
  it('says what each slider does, in words, without floating-point noise', () => {
    expect(sliderText('add', 0.1 + 0.2)).toBe('+0.3 points');
    expect(sliderText('atLeast', 7)).toBe('at least 7');
    expect(sliderText('closeGap', 0.45)).toBe('45% of the gap');
  });
});

describe('changesOf', () => {
  const scales = new Map<string, Interval>([
    ['support', [1, 5]],
    ['__proto__', [0, 10]],
    ['price', [0, 10]],
  ]);

  it('makes one change per slider moved off no change, in the sliders’ order, carrying the op', () => {
    const values = new Map([
      ['price', 2],
      ['support', 1],
      ['__proto__', 3],
    ]);

    expect(changesOf('atLeast', values, scales)).toEqual([
      { attribute: 'price', op: 'atLeast', value: 2 },
      { attribute: '__proto__', op: 'atLeast', value: 3 },
    ]); // support at 1 is its scale's bottom: no change for atLeast
    expect(changesOf('add', values, scales).map((c) => c.attribute)).toEqual(['price', 'support', '__proto__']);
  });

  it('leaves out a slider whose attribute has no scale (not in the model)', () => {
    expect(changesOf('add', new Map([['gone', 2]]), scales)).toEqual([]);
  });
});

describe('targetOf and predictRequest', () => {
  it('target only the lists that name something, and nothing when none does', () => {
    expect(targetOf([], [])).toBeUndefined();
    expect(targetOf(['__proto__'], [])).toEqual({ segments: ['__proto__'] });
    expect(targetOf([], ['gatekeeper'])).toEqual({ roles: ['gatekeeper'] });
  });

  it("copy the user's lists, so later ticks do not change a request already made", () => {
    const segments = ['smb'];
    const body = predictRequest([{ attribute: 'support', op: 'add', value: 1 }], targetOf(segments, []));
    segments.push('enterprise');

    expect(body?.target).toEqual({ segments: ['smb'] });
  });

  it('ask nothing when no slider has moved', () => {
    expect(predictRequest([], { segments: ['smb'] })).toBeNull();
  });

  it("write a body the API's predict contract takes, without a target when none was chosen", () => {
    const changes = changesOf('closeGap', new Map([['support', 0.5]]), new Map([['support', [0, 10] as const]]));

    const bare = predictRequest(changes, targetOf([], []));
    const aimed = predictRequest(changes, targetOf(['smb', 'constructor'], ['gatekeeper']));

    expect(bare).toEqual({ changes: [{ attribute: 'support', op: 'closeGap', value: 0.5 }] });
    expect(WhatIfSchema.safeParse(bare).success).toBe(true);
    expect(WhatIfSchema.parse(aimed)).toEqual(aimed);
  });
});

describe('segmentRows', () => {
  it('lists every segment of the answer, __proto__ and constructor included, sorted by name', () => {
    const result = JSON.parse(
      '{"nps":{"baseline":10,"predicted":12,"lift":2},"targeted":30,"respondents":30,"bySegment":{"smb":{"baseline":5,"predicted":9,"lift":4},"__proto__":{"baseline":1,"predicted":2,"lift":1},"constructor":{"baseline":-3,"predicted":-3,"lift":0},"Enterprise":{"baseline":20,"predicted":21,"lift":1}}}',
    ) as WhatIfResult;

    expect(segmentRows(result)).toEqual([
      { segment: 'Enterprise', baseline: 20, predicted: 21, lift: 1 },
      { segment: '__proto__', baseline: 1, predicted: 2, lift: 1 },
      { segment: 'constructor', baseline: -3, predicted: -3, lift: 0 },
      { segment: 'smb', baseline: 5, predicted: 9, lift: 4 },
    ]);
  });
});

describe('initiativeFromWhatIf', () => {
  it('starts an initiative with full reach, no ramp, no cost and a ±25 % range around each change', () => {
    const initiative = initiativeFromWhatIf([{ attribute: 'support', op: 'add', value: 1.2 }], { segments: ['smb'] }, 'Support push');

    expect(initiative).toEqual({
      id: 'what-if',
      name: 'Support push',
      effects: [{ attribute: 'support', op: 'add', value: 1.2, range: [0.9, 1.5] }],
      target: { segments: ['smb'] },
      reach: 1,
      rampMonths: 0,
      cost: { oneTime: 0, annual: 0 },
    });
    expect(InitiativeSchema.safeParse(initiative).success).toBe(true);
  });

  it('names itself "What-if" and targets everyone when not told otherwise', () => {
    const initiative = initiativeFromWhatIf([{ attribute: 'support', op: 'closeGap', value: 0.9 }], undefined);

    expect(initiative.name).toBe('What-if');
    expect(initiative).not.toHaveProperty('target');
    expect(initiative.effects[0]?.range).toEqual([0.675, 1]); // 1.125 of the gap is more than all of it
  });

  it('keeps a range low to high around a negative value', () => {
    const [effect] = initiativeFromWhatIf([{ attribute: 'balance', op: 'atLeast', value: -2 }], undefined, 'x', new Map([['balance', [-5, 5] as const]])).effects;

    expect(effect?.range).toEqual([-2.5, -1.5]);
  });

  it('keeps both ends of every range where the API takes them, at every stop of every slider, given the scales', () => {
    // Regression: "at least 9" on 0–10 became a range up to 11.25, and "add 10 points" one up to
    // 12.5; the API refused the scenario (it checks each end as a change of its own).
    for (const scale of [[0, 10], [1, 5]] as [number, number][]) {
      const model = modelOn(scale);
      const scales = new Map(model.attributes.map((a) => [a.name, a.scale] as const));
      for (const op of SLIDER_OPS)
        for (const value of sliderValues(op, scale).filter((v) => v !== sliderRange(op, scale).none)) {
          const initiative = initiativeFromWhatIf([{ attribute: 'support', op, value }], undefined, 'What-if', scales);
          const scenario = ScenarioInputSchema.parse({ ...newScenario('From a what-if', 'mdl_1'), initiatives: [initiative] });

          expect(checkEffects(model, scenario), `${op} ${value} on ${scale}`).toBeNull();
          const [lo, hi] = initiative.effects[0]!.range!;
          expect(lo <= value && value <= hi && lo < hi, `${op} ${value}: [${lo}, ${hi}]`).toBe(true);
        }
    }
  });
});

describe('debounce', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('calls once, with the last arguments, when calls have stopped for the delay', () => {
    const fn = vi.fn<(v: number) => void>();
    const ask = debounce(fn, 200);

    ask(1);
    vi.advanceTimersByTime(150);
    ask(2);
    vi.advanceTimersByTime(199);
    expect(fn).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);

    expect(fn.mock.calls).toEqual([[2]]);
  });

  it('calls again for a later burst', () => {
    const fn = vi.fn<(v: string) => void>();
    const ask = debounce(fn, 100);

    ask('a');
    vi.advanceTimersByTime(100);
    ask('b');
    vi.advanceTimersByTime(100);

    expect(fn.mock.calls).toEqual([['a'], ['b']]);
  });

  it('flush calls at once and drops the call that was waiting', () => {
    const fn = vi.fn<(v: number) => void>();
    const ask = debounce(fn, 100);

    ask(1);
    ask.flush(2);
    vi.advanceTimersByTime(1_000);

    expect(fn.mock.calls).toEqual([[2]]);
  });
});

// =============================================================================================
// editor.ts

/** The fields of a valid initiative, as a user types them. */
function fields(over: Partial<InitiativeFields> = {}): InitiativeFields {
  return {
    id: '',
    name: 'Onboarding programme',
    effects: [{ attribute: 'onboarding', op: 'add', value: '1.5', rangeLow: '0.5', rangeHigh: '2' }],
    segments: ['smb'],
    roles: [],
    reach: '60',
    rampMonths: '6',
    oneTime: '250,000',
    annual: '40000',
    ...over,
  };
}

describe('slug', () => {
  it('joins the lower-cased words of a name with hyphens, accents dropped', () => {
    expect(slug('Onboarding Programme')).toBe('onboarding-programme');
    expect(slug('  Café & Crème: Phase #2!  ')).toBe('cafe-creme-phase-2');
  });

  it('names an initiative whose name has no letters or digits "initiative"', () => {
    expect(slug('!!!')).toBe('initiative');
    expect(slug('日本語')).toBe('initiative');
  });

  it('cuts a long name to 64 characters without a trailing hyphen', () => {
    const id = slug(`${'a'.repeat(63)} b`);

    expect(id).toBe('a'.repeat(63));
  });

  it("always gives an id the API's initiative contract takes", () => {
    const idOnly = InitiativeSchema.shape.id;
    fc.assert(
      fc.property(fc.string({ maxLength: 120 }), (name) => {
        expect(idOnly.safeParse(slug(name)).success).toBe(true);
      }),
      { numRuns: 500 },
    );
  });
});

describe('initiativeFrom', () => {
  it('makes the initiative the fields describe: id from the name, reach from percent, numbers with thousands separators', () => {
    const made = initiativeFrom(fields());

    expect(made).toEqual({
      ok: true,
      initiative: {
        id: 'onboarding-programme',
        name: 'Onboarding programme',
        effects: [{ attribute: 'onboarding', op: 'add', value: 1.5, range: [0.5, 2] }],
        target: { segments: ['smb'] },
        reach: 0.6,
        rampMonths: 6,
        cost: { oneTime: 250_000, annual: 40_000 },
      },
    });
    if (made.ok) expect(InitiativeSchema.parse(made.initiative)).toEqual(made.initiative);
  });

  it('keeps a typed id, targets everyone without ticked segments or roles, and counts empty costs as 0', () => {
    const made = initiativeFrom(fields({ id: ' my-id ', segments: [], oneTime: '', annual: ' ', effects: [{ attribute: 'support', op: 'closeGap', value: '0.3', rangeLow: '', rangeHigh: '' }] }));

    expect(made.ok && made.initiative).toMatchObject({ id: 'my-id', cost: { oneTime: 0, annual: 0 }, effects: [{ attribute: 'support', op: 'closeGap', value: 0.3 }] });
    expect(made.ok && made.initiative).not.toHaveProperty('target');
    expect(made.ok && made.initiative.effects[0]).not.toHaveProperty('range');
  });

  it('names every field at fault at once, as the form names it', () => {
    const made = initiativeFrom({
      id: 'Not A Slug',
      name: '  ',
      effects: [
        { attribute: '', op: 'double', value: 'lots', rangeLow: '1', rangeHigh: '' },
        { attribute: 'support', op: 'add', value: '1', rangeLow: '3', rangeHigh: '2' },
      ],
      segments: [],
      roles: [],
      reach: '0',
      rampMonths: '2.5',
      oneTime: '-1',
      annual: '-5',
    });

    expect(made.ok).toBe(false);
    expect(!made.ok && made.problems.map((p) => p.field)).toEqual([
      'name',
      'id',
      'effects.0.attribute',
      'effects.0.op',
      'effects.0.value',
      'effects.0.range',
      'effects.1.range',
      'reach',
      'rampMonths',
      'oneTime',
      'annual',
    ]);
  });

  it('asks for an effect, a reach above 0 % and at most 100 %, and whole months up to 120', () => {
    const problemsOf = (f: InitiativeFields): string[] => {
      const made = initiativeFrom(f);
      return made.ok ? [] : made.problems.map((p) => p.field);
    };

    expect(problemsOf(fields({ effects: [] }))).toEqual(['effects']);
    expect(problemsOf(fields({ reach: '100.5' }))).toEqual(['reach']);
    expect(problemsOf(fields({ reach: '100', rampMonths: '120' }))).toEqual([]);
    expect(problemsOf(fields({ rampMonths: '121' }))).toEqual(['rampMonths']);
    expect(problemsOf(fields({ rampMonths: '' }))).toEqual(['rampMonths']);
    expect(problemsOf(fields({ id: 'double--hyphen' }))).toEqual(['id']);
  });
});

describe('fieldsOf', () => {
  const initiative: InitiativeInput = {
    id: 'key-accounts',
    name: 'Key accounts',
    effects: [
      { attribute: 'support', op: 'add', value: 1.25, range: [0.5, 2] },
      { attribute: 'onboarding', op: 'atLeast', value: 7 },
    ],
    target: { segments: ['enterprise', '__proto__'], roles: ['gatekeeper'] },
    reach: 0.35,
    rampMonths: 9,
    cost: { oneTime: 1_500_000, annual: 120_000.5 },
  };

  it('shows reach in percent and numbers as text', () => {
    const f = fieldsOf(initiative);

    expect(f).toMatchObject({ reach: '35', rampMonths: '9', oneTime: '1500000', annual: '120000.5', segments: ['enterprise', '__proto__'], roles: ['gatekeeper'] });
    expect(f.effects[1]).toEqual({ attribute: 'onboarding', op: 'atLeast', value: '7', rangeLow: '', rangeHigh: '' });
  });

  it('round-trips: the fields of an initiative make that initiative again', () => {
    expect(initiativeFrom(fieldsOf(initiative))).toEqual({ ok: true, initiative });
  });

  it('round-trips the description and the accounts targeted, which the form does not show', () => {
    // Regression: both were dropped, so editing an account-targeted initiative aimed it at everyone.
    const targeted: InitiativeInput = { ...initiative, description: 'For the top 20 accounts', target: { accounts: ['acme', 'constructor'] } };

    expect(initiativeFrom(fieldsOf(targeted))).toEqual({ ok: true, initiative: targeted });
  });
});

describe('withInitiative and withoutInitiative', () => {
  const make = (id: string): InitiativeInput => ({ id, name: `Initiative ${id}`, effects: [{ attribute: 'support', op: 'add', value: 1 }], reach: 1, rampMonths: 0, cost: { oneTime: 0, annual: 0 } });
  const scenario: ScenarioInput = { ...newScenario('Plan', 'mdl_1'), initiatives: [make('a'), make('b'), make('c')] };
  const ids = (s: ScenarioInput): string[] => s.initiatives.map((i) => i.id);

  it('adds a new initiative at the end, leaving the scenario read untouched', () => {
    const kept = withInitiative(scenario, make('d'));

    expect(kept.ok && ids(kept.scenario)).toEqual(['a', 'b', 'c', 'd']);
    expect(ids(scenario)).toEqual(['a', 'b', 'c']);
  });

  it('replaces an edited initiative in its place, even under a new id', () => {
    const renamed = { ...make('b-two'), name: 'Second, renamed' };

    const kept = withInitiative(scenario, renamed, 'b');

    expect(kept.ok && kept.scenario.initiatives.map((i) => [i.id, i.name])).toEqual([
      ['a', 'Initiative a'],
      ['b-two', 'Second, renamed'],
      ['c', 'Initiative c'],
    ]);
  });

  it('refuses an id another initiative already has, naming the id field', () => {
    expect(withInitiative(scenario, make('c'))).toEqual({ ok: false, problem: { field: 'id', reason: "another initiative is already called 'c'" } });
    expect(withInitiative(scenario, make('c'), 'b').ok).toBe(false);
  });

  it('lets an edited initiative keep its own id', () => {
    const kept = withInitiative(scenario, { ...make('b'), reach: 0.5 }, 'b');

    expect(kept.ok && kept.scenario.initiatives[1]?.reach).toBe(0.5);
  });

  it('removes only the initiative named, the others in their order', () => {
    expect(ids(withoutInitiative(scenario, 'b'))).toEqual(['a', 'c']);
    expect(ids(withoutInitiative(scenario, 'zz'))).toEqual(['a', 'b', 'c']);
    expect(ids(scenario)).toEqual(['a', 'b', 'c']);
  });
});

describe('newScenario', () => {
  it("writes out the API's own defaults, with no initiatives yet", () => {
    const fresh = newScenario('Plan 2027', 'mdl_1');
    const api = ScenarioInputSchema.parse({ name: 'Plan 2027', modelId: 'mdl_1', initiatives: [initiativeFromWhatIf([{ attribute: 'support', op: 'add', value: 1 }], undefined)] });

    expect(fresh.initiatives).toEqual([]);
    expect({ ...fresh, initiatives: api.initiatives }).toEqual(api);
    expect(newScenario('x', 'm', 'EUR').currency).toBe('EUR');
  });
});

describe('ifMatch', () => {
  it("is the version's ETag as the API writes it, and names that version to the API", () => {
    for (const v of [1, 7, 1234]) {
      expect(ifMatch(v)).toBe(versionTag(v));
      expect(versionFromIfMatch(ifMatch(v))).toBe(v);
    }
  });
});

describe('isChangedElsewhere', () => {
  it('is true for the API refusing a save because the version moved on (412), and for nothing else', () => {
    expect(isChangedElsewhere(new ApiError(412, 'Precondition Failed', 'changed', 0, { currentVersion: 4 }))).toBe(true);
    expect(isChangedElsewhere(new ApiError(409, 'Conflict'))).toBe(false);
    expect(isChangedElsewhere(new ApiError(428, 'Precondition Required'))).toBe(false);
    expect(isChangedElsewhere(Object.assign(new Error('stale'), { status: 412 }))).toBe(false);
    expect(isChangedElsewhere({ status: 412 })).toBe(false);
    expect(isChangedElsewhere(undefined)).toBe(false);
  });

  it("is true for a 412 as the dashboard's client receives it", async () => {
    const api = createApi({
      token: () => 't',
      onUnauthorized: () => undefined,
      fetch: async () => new Response(JSON.stringify({ title: 'Precondition Failed', detail: 'The scenario is at version 4.', currentVersion: 4 }), { status: 412, headers: { 'content-type': 'application/problem+json' } }),
    });

    const error: unknown = await api('/v1/scenarios/scn_1', { method: 'PUT', body: {} }).catch((e: unknown) => e);

    expect(isChangedElsewhere(error)).toBe(true);
  });
});

describe('sideBySide', () => {
  const outcome = (lift: number): Outcome => ({
    nps: { baseline: 10, predicted: 10 + lift, lift, interval: [lift - 1, lift + 1], respondents: 100 },
    revenue: null,
    cost: { oneTime: 0, annual: 0, total: 0 },
    roi: null,
    paybackMonths: null,
  });
  const forecast = (initiatives: [string, string, number][], portfolio: number): Forecast => ({
    modelId: 'mdl_1',
    computedAt: '2026-12-01T10:00:00Z',
    intervalLevel: 0.9,
    currency: 'USD',
    baseline: { nps: 10, bySegment: {} },
    initiatives: initiatives.map(([id, name, lift]): InitiativeForecast => ({ id, name, ...outcome(lift) })),
    portfolio: outcome(portfolio),
  });

  it("matches initiatives by id (a's order, then b's new ones), takes b's name, and puts the portfolio last", () => {
    const a = forecast([['constructor', 'Old name', 1], ['gone', 'Gone in b', 2]], 3);
    const b = forecast([['new', 'New in b', 4], ['constructor', 'New name', 1.5]], 5);

    const rows = sideBySide(a, b);

    expect(rows.map((r) => [r.id, r.name, r.a?.nps.lift ?? null, r.b?.nps.lift ?? null])).toEqual([
      ['constructor', 'New name', 1, 1.5],
      ['gone', 'Gone in b', 2, null],
      ['new', 'New in b', null, 4],
      ['', 'Portfolio', 3, 5],
    ]);
  });
});

// =============================================================================================
// progress.ts and work.ts

describe('progressView', () => {
  it('shows pending work by its stage and the share of stages done', () => {
    expect(progressView('fitting', { stage: 'fitting', done: 2 / 3 })).toEqual({ state: 'pending', share: 2 / 3, text: 'Fitting\u2026 (67% of the stages done)' });
    expect(progressView('forecasting', { stage: 'simulating', done: 0.25 })).toEqual({ state: 'pending', share: 0.25, text: 'Simulating\u2026 (25% of the stages done)' });
  });

  it('shows work not started yet as queued, at 0', () => {
    expect(progressView('running')).toEqual({ state: 'pending', share: 0, text: 'Queued: waiting for a worker' });
    expect(progressView('pending', { stage: 'queued', done: 0 }).text).toBe('Queued: waiting for a worker');
  });

  it('keeps the bar between empty and full whatever the share reported', () => {
    expect(progressView('fitting', { stage: 'fitting', done: 1.4 }).share).toBe(1);
    expect(progressView('fitting', { stage: 'fitting', done: -0.2 }).share).toBe(0);
  });

  it('shows finished work full, ready or failed with its reason', () => {
    expect(progressView('ready', { stage: 'fitting', done: 0.5 })).toEqual({ state: 'ready', share: 1, text: 'Ready' });
    expect(progressView('failed', undefined, { title: 'Model fit failed', detail: 'Too few respondents.' })).toEqual({ state: 'failed', share: 1, text: 'Failed: Too few respondents.' });
    expect(progressView('failed').text).toBe('Failed: no reason was recorded');
  });
});

describe('problemText', () => {
  it("says the problem's detail, else its title, else that no reason was recorded", () => {
    expect(problemText({ title: 'Failed', detail: 'Out of memory.' })).toBe('Out of memory.');
    expect(problemText({ title: 'Failed', detail: '' })).toBe('Failed');
    expect(problemText({})).toBe('no reason was recorded');
    expect(problemText(null)).toBe('no reason was recorded');
  });
});

describe('initialWork', () => {
  it('starts with no file, no model, no draft and the first slider operation', () => {
    const w = initialWork();

    expect(w.upload).toEqual({ table: null, mapping: [], fileName: '' });
    expect(w.whatIf).toMatchObject({ modelId: null, model: null, op: SLIDER_OPS[0], segments: [], roles: [], levels: { segments: [], roles: [] } });
    expect([w.whatIf.scales.size, w.whatIf.values.size]).toEqual([0, 0]);
    expect(w.editor).toEqual({ scenarioId: null, version: null, draft: null, editing: null, attributes: [], levels: { segments: [], roles: [] } });
    expect(w.whatIf.predictions.latest).toBe(0);
  });

  it('gives each call its own maps and tickets, so one workbench never sees another’s sliders or answers', () => {
    const one = initialWork();
    const two = initialWork();

    one.whatIf.values.set('__proto__', 2);
    one.whatIf.levels.segments.push('smb');
    const ticket = one.whatIf.predictions.next();

    expect(one.whatIf.values.get('__proto__')).toBe(2);
    expect(two.whatIf.values.size).toBe(0);
    expect(two.whatIf.levels.segments).toEqual([]);
    expect(two.whatIf.predictions.latest).toBe(0);
    expect(one.whatIf.predictions.isCurrent(ticket)).toBe(true);
  });
});
