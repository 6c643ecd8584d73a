import { describe, expect, it } from 'vitest';
import { parseWave, tableFromObjects, type RawTable } from '../../model/dataset.js';
import { summarize } from '../../model/summary.js';

const table = (columns: string[], rows: (string | number | null)[][]): RawTable => ({
  columns,
  rows: rows.map((cells, i) => ({ row: i + 1, line: i + 2, cells })),
});

describe('parsing a wave', () => {
  it('reports every problem of a file at once, not just the first', () => {
    const result = parseWave(
      table(['respondent_id', 'account_id', 'segment', 'ltr', 'q'], [
        ['r1', 'A', 'smb', '11', 'x'],
        ['r1', '', 'smb', '9', '5'],
      ]),
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => [e.row, e.column])).toEqual([
      [1, 'ltr'],
      [1, 'q'],
      [2, 'respondent_id'],
      [2, 'account_id'],
    ]);
  });

  it('treats blank cells as unanswered, never as zero', () => {
    const result = parseWave(table(['respondent_id', 'account_id', 'segment', 'ltr', 'q'], [['r1', 'A', 's', 9, ''], ['r2', 'A', 's', 9, null], ['r3', 'A', 's', 9, '  ']]));
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect([...result.columns.ratings[0]!].every(Number.isNaN)).toBe(true);
    expect(summarize(result.attributes, [result.columns]).attributes[0]).toMatchObject({ mean: null, answeredShare: 0 });
  });

  it('accepts only plain decimal numbers as ratings', () => {
    const result = parseWave(table(['respondent_id', 'account_id', 'segment', 'ltr', 'q'], [['r1', 'A', 's', 9, '0x5'], ['r2', 'A', 's', 9, '1e1'], ['r3', 'A', 's', 9, 'Infinity']]));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors.map((e) => e.row)).toEqual([1, 3]);
  });

  it('refuses one account with two different revenues', () => {
    const result = parseWave(table(['respondent_id', 'account_id', 'segment', 'ltr', 'account_revenue'], [['r1', 'A', 's', 9, 100], ['r2', 'A', 's', 9, ''], ['r3', 'A', 's', 9, 200]]));
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors).toEqual([{ row: 3, line: 4, column: 'account_revenue', reason: "account 'A' has account_revenue 100 on row 1 and 200 here" }]);
  });

  it('refuses a descriptor for a column the upload does not have', () => {
    const result = parseWave(tableFromObjects([{ respondent_id: 'r', account_id: 'A', segment: 's', ltr: 9, q: 1 }]), { described: [{ name: 'qq', kind: 'product' }] });
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.errors[0]).toMatchObject({ column: 'qq', reason: expect.stringMatching(/no column/) });
  });

  it('rates an appended batch on the dataset scales and refuses extra attributes', () => {
    const expected = [{ name: 'q', kind: 'product' as const, scale: [1, 5] as [number, number] }];
    const ok = parseWave(tableFromObjects([{ respondent_id: 'r', account_id: 'A', segment: 's', ltr: 9, q: 5 }]), { expected });
    expect(ok.ok && ok.attributes).toEqual(expected);
    const outside = parseWave(tableFromObjects([{ respondent_id: 'r', account_id: 'A', segment: 's', ltr: 9, q: 7 }]), { expected });
    expect(outside.ok).toBe(false);
    const extra = parseWave(tableFromObjects([{ respondent_id: 'r', account_id: 'A', segment: 's', ltr: 9, q: 5, z: 1 }]), { expected });
    expect(!extra.ok && extra.errors[0]).toMatchObject({ column: 'z' });
  });
});
