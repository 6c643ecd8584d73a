/**
 * CSV uploads to the model's {@link RawTable}. csv-parse handles quoting, embedded newlines and a
 * byte-order mark; row-count and shape problems are reported with the physical line.
 */
import { CsvError, parse } from 'csv-parse/sync';
import type { RawTable } from '../../model/dataset.js';
import { ValidationError, type ProblemDetailItem } from '../app/errors.js';
import { decodeUtf8, describeInvalid, invalidUtf8Lines } from './utf8.js';

/**
 * Parses a CSV body; the first record is the header. Throws {@link ValidationError} for unreadable
 * CSV. Line numbers cost csv-parse nearly double the time, so they are only computed on demand
 * ({@link withCsvLines}) when an upload is rejected.
 */
export function parseCsv(text: string): RawTable & { rowCount: number } {
  const records = parseRecords(text, false) as string[][];
  const [header, ...rows] = records;
  return {
    columns: header ? header.map((c) => c.trim()) : [],
    rowCount: rows.length,
    rows: rows.map((cells, i) => ({ row: i + 1, cells })),
  };
}

/**
 * A CSV body's text. Bytes that are not UTF-8 are never replaced silently: each line holding them is
 * a row error naming the line (and the data row it belongs to), and nothing is stored.
 */
export function csvText(bytes: Uint8Array): string {
  const text = decodeUtf8(bytes);
  if (text !== null) return text;
  const bad = invalidUtf8Lines(bytes);
  // Which data row each bad line belongs to: records end on known lines (quoted cells may span several).
  const lossy = new TextDecoder('utf-8').decode(bytes);
  let ends: number[] = [];
  try {
    ends = (parseRecords(lossy, true) as { info: { lines: number } }[]).map((r) => r.info.lines);
  } catch {
    // Unreadable as CSV too: the lines alone locate the problem.
  }
  const rowOf = (line: number): number | null => {
    const record = ends.findIndex((end) => end >= line);
    return record <= 0 ? null : record;
  };
  const errors: ProblemDetailItem[] = bad.map((at) => ({ row: rowOf(at.line), line: at.line, reason: `line ${at.line} ${describeInvalid(at)}` }));
  throw new ValidationError(`The CSV file is not valid UTF-8 on ${bad.length === 100 ? 'at least 100 lines' : `${bad.length} line${bad.length === 1 ? '' : 's'}`}; nothing was stored.`, {
    errors,
    extensions: { errorCount: errors.length },
  });
}

/** The same problem with the physical CSV line of every row it names. */
export function withCsvLines(error: ValidationError, text: string): ValidationError {
  if (!error.errors?.some((e) => typeof e.row === 'number' && e.line === undefined)) return error;
  const records = parseRecords(text, true) as { info: { lines: number } }[];
  const lineOf = (row: number): number | undefined => records[row]?.info.lines;
  return new ValidationError(error.message, {
    cause: error,
    extensions: error.extensions,
    errors: error.errors.map((e) => {
      const line = typeof e.row === 'number' && e.line === undefined ? lineOf(e.row) : undefined;
      return line === undefined ? e : { row: e.row, line, ...(e.column !== undefined ? { column: e.column } : {}), reason: e.reason };
    }),
  });
}

function parseRecords(text: string, info: boolean): unknown[] {
  try {
    return parse(text, { bom: true, info, relax_column_count: true, skip_empty_lines: true, trim: false }) as unknown[];
  } catch (e) {
    if (e instanceof CsvError) {
      const line = (e as CsvError & { lines?: number }).lines;
      throw new ValidationError('The CSV file could not be read.', {
        cause: e,
        errors: [{ row: null, ...(line !== undefined ? { line } : {}), reason: e.message }],
      });
    }
    throw e;
  }
}
