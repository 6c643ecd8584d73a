/**
 * A tiny CSV writer for benchmark uploads. `test/support/liftcast.ts` has the same helper but imports
 * vitest, which a standalone script must not load.
 */

/** Rows as CSV text with the given header; `null` is an empty cell. */
export function toCsv(rows: readonly Record<string, unknown>[], columns: readonly string[]): string {
  const cell = (v: unknown): string => {
    if (v === null || v === undefined) return '';
    const s = String(v);
    return /[",\n\r]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  const lines = new Array<string>(rows.length + 1);
  lines[0] = columns.join(',');
  for (let i = 0; i < rows.length; i++) lines[i + 1] = columns.map((c) => cell(rows[i]![c])).join(',');
  return lines.join('\n') + '\n';
}
