/**
 * CSV uploads to the model's {@link RawTable}. csv-parse handles quoting, embedded newlines and a
 * byte-order mark; row-count and shape problems are reported with the physical line.
 */
import { CsvError, parse } from 'csv-parse/sync';
import type { RawTable } from '../../model/dataset.js';
import { ValidationError } from '../errors.js';

/** Parses a CSV body; the first record is the header. Throws {@link ValidationError} for unreadable CSV. */
export function parseCsv(text: string): RawTable & { rowCount: number } {
  let records: { record: string[]; info: { lines: number } }[];
  try {
    records = parse(text, {
      bom: true,
      info: true,
      relax_column_count: true,
      skip_empty_lines: true,
      trim: false,
    }) as unknown as { record: string[]; info: { lines: number } }[];
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
  const [header, ...rows] = records;
  return {
    columns: header ? header.record.map((c) => c.trim()) : [],
    rowCount: rows.length,
    rows: rows.map((r, i) => ({ row: i + 1, line: r.info.lines, cells: r.record })),
  };
}
