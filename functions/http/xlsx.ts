/**
 * A small writer of Office Open XML workbooks (`.xlsx`, ECMA-376 SpreadsheetML): sheets of text and
 * numbers, a bold frozen header row, column widths and number formats — what a finance export
 * needs, and nothing else (no formulas, no reading). It exists because exceljs, the maintained
 * library, bundles to 1,073,196 bytes of JavaScript on its own (esbuild, minified, with its zip and
 * stream dependencies): more than the API function's whole 1,000,000-byte budget, so neither an eager
 * import nor a lazily loaded chunk of it fits (test/infra/synth.test.ts counts every chunk). This
 * writer is a few kilobytes over `node:zlib`. Its output is checked by opening it with exceljs
 * 4.4.0 in the tests (test/api/exports.test.ts, test/browser/workflow.test.ts).
 *
 * Strings go to the shared-strings table, so a cell that starts with `=` is text, never a formula.
 */
import { crc32, deflateRawSync } from 'node:zlib';

/** A cell: text, a number (shown with the column's format, or the cell's own), or empty. */
export type Cell = string | number | null | undefined | { value: number; format: string };

export interface Column {
  header: string;
  /** Width in characters. @default 14 */
  width?: number;
  /** Excel number format code for the column's numbers, e.g. `#,##0`, `0.0`, `0.0%`. */
  format?: string;
}

export interface Sheet {
  /** At most 31 characters, none of `[]:*?/\` (Excel's rules); longer names are cut. */
  name: string;
  columns: Column[];
  rows: Cell[][];
}

export const XLSX_MEDIA_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

const MAIN_NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL_NS = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';
const PKG_REL_NS = 'http://schemas.openxmlformats.org/package/2006/relationships';

/** Text as XML character data: escaped, with characters XML 1.0 cannot carry removed. */
function xml(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** `A`, `B`, … `Z`, `AA`: a zero-based column index as Excel names it. */
export function columnName(index: number): string {
  let n = index + 1;
  let name = '';
  while (n > 0) {
    const r = (n - 1) % 26;
    name = String.fromCharCode(65 + r) + name;
    n = Math.floor((n - 1) / 26);
  }
  return name;
}

/** A sheet name Excel accepts, unique among `taken`. */
function sheetName(name: string, taken: Set<string>): string {
  const base = name.replace(/[[\]:*?/\\]/g, ' ').trim().slice(0, 31) || 'Sheet';
  let out = base;
  for (let i = 2; taken.has(out.toLowerCase()); i++) out = `${base.slice(0, 31 - String(i).length - 1)} ${i}`;
  taken.add(out.toLowerCase());
  return out;
}

/** Cell styles: 0 plain, 1 the bold header, then one per number format (ids from 164, Excel's first custom id). */
class Styles {
  readonly formats: string[] = [];

  styleOf(format: string | undefined): number {
    if (format === undefined) return 0;
    let i = this.formats.indexOf(format);
    if (i < 0) i = this.formats.push(format) - 1;
    return 2 + i;
  }

  toXml(): string {
    const numFmts = this.formats.map((f, i) => `<numFmt numFmtId="${164 + i}" formatCode="${xml(f)}"/>`).join('');
    const xfs = [
      '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>',
      '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" xfId="0" applyFont="1"/>',
      ...this.formats.map((_, i) => `<xf numFmtId="${164 + i}" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>`),
    ];
    return (
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<styleSheet xmlns="${MAIN_NS}">` +
      (this.formats.length > 0 ? `<numFmts count="${this.formats.length}">${numFmts}</numFmts>` : '') +
      '<fonts count="2"><font><sz val="11"/><name val="Calibri"/></font><font><b/><sz val="11"/><name val="Calibri"/></font></fonts>' +
      '<fills count="2"><fill><patternFill patternType="none"/></fill><fill><patternFill patternType="gray125"/></fill></fills>' +
      '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>' +
      '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>' +
      `<cellXfs count="${xfs.length}">${xfs.join('')}</cellXfs>` +
      '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
    );
  }
}

/** The shared-strings table: each distinct text once. */
class SharedStrings {
  private readonly index = new Map<string, number>();
  private count = 0;

  of(text: string): number {
    this.count++;
    let i = this.index.get(text);
    if (i === undefined) {
      i = this.index.size;
      this.index.set(text, i);
    }
    return i;
  }

  toXml(): string {
    const items = [...this.index.keys()].map((t) => `<si><t xml:space="preserve">${xml(t)}</t></si>`).join('');
    return `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<sst xmlns="${MAIN_NS}" count="${this.count}" uniqueCount="${this.index.size}">${items}</sst>`;
  }
}

function sheetXml(sheet: Sheet, styles: Styles, strings: SharedStrings): string {
  const cols = sheet.columns.map((c, i) => `<col min="${i + 1}" max="${i + 1}" width="${c.width ?? 14}" customWidth="1"/>`).join('');
  const cell = (value: Cell, ref: string, columnFormat: string | undefined, header: boolean): string => {
    if (value === null || value === undefined || value === '') return '';
    if (typeof value === 'string') return `<c r="${ref}" t="s"${header ? ' s="1"' : ''}><v>${strings.of(value)}</v></c>`;
    const number = typeof value === 'number' ? value : value.value;
    // A figure that does not exist is an empty cell, never NaN or Infinity (which Excel cannot read).
    if (!Number.isFinite(number)) return '';
    const style = styles.styleOf(typeof value === 'number' ? columnFormat : value.format);
    return `<c r="${ref}"${style ? ` s="${style}"` : ''}><v>${number}</v></c>`;
  };
  const rows = [sheet.columns.map((c) => c.header), ...sheet.rows].map((row, r) => {
    const cells = row.map((v, c) => cell(v, `${columnName(c)}${r + 1}`, sheet.columns[c]?.format, r === 0)).join('');
    return `<row r="${r + 1}">${cells}</row>`;
  });
  return (
    `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="${MAIN_NS}" xmlns:r="${REL_NS}">` +
    '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft" state="frozen"/></sheetView></sheetViews>' +
    (cols ? `<cols>${cols}</cols>` : '') +
    `<sheetData>${rows.join('')}</sheetData></worksheet>`
  );
}

/**
 * The workbook's bytes: one worksheet per sheet, in order.
 *
 * @example
 * const bytes = writeWorkbook([{ name: 'Forecast', columns: [{ header: 'Initiative' }, { header: 'NPS lift', format: '0.0' }], rows: [['Onboarding', 1.88]] }]);
 */
export function writeWorkbook(sheets: readonly Sheet[]): Uint8Array<ArrayBuffer> {
  const styles = new Styles();
  const strings = new SharedStrings();
  const taken = new Set<string>();
  const names = sheets.map((s) => sheetName(s.name, taken));
  const worksheets = sheets.map((s) => sheetXml(s, styles, strings));
  const files: [string, string][] = [
    [
      '[Content_Types].xml',
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/>' +
        '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>' +
        worksheets.map((_, i) => `<Override PartName="/xl/worksheets/sheet${i + 1}.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>`).join('') +
        '<Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>' +
        '<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    ],
    ['_rels/.rels', `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="${PKG_REL_NS}"><Relationship Id="rId1" Type="${REL_NS}/officeDocument" Target="xl/workbook.xml"/></Relationships>`],
    [
      'xl/workbook.xml',
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<workbook xmlns="${MAIN_NS}" xmlns:r="${REL_NS}"><sheets>` +
        names.map((n, i) => `<sheet name="${xml(n)}" sheetId="${i + 1}" r:id="rId${i + 1}"/>`).join('') +
        '</sheets></workbook>',
    ],
    [
      'xl/_rels/workbook.xml.rels',
      `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<Relationships xmlns="${PKG_REL_NS}">` +
        worksheets.map((_, i) => `<Relationship Id="rId${i + 1}" Type="${REL_NS}/worksheet" Target="worksheets/sheet${i + 1}.xml"/>`).join('') +
        `<Relationship Id="rId${worksheets.length + 1}" Type="${REL_NS}/styles" Target="styles.xml"/>` +
        `<Relationship Id="rId${worksheets.length + 2}" Type="${REL_NS}/sharedStrings" Target="sharedStrings.xml"/></Relationships>`,
    ],
    ...worksheets.map((w, i): [string, string] => [`xl/worksheets/sheet${i + 1}.xml`, w]),
    ['xl/styles.xml', styles.toXml()],
    ['xl/sharedStrings.xml', strings.toXml()],
  ];
  return zip(files.map(([name, text]) => ({ name, data: Buffer.from(text, 'utf8') })));
}

/**
 * A ZIP archive (PKWARE APPNOTE 6.3: local headers, deflated data, central directory, end record)
 * of small files, as an OOXML package is. No ZIP64: a workbook this writer makes is far below 4 GiB.
 */
function zip(files: readonly { name: string; data: Buffer }[]): Uint8Array<ArrayBuffer> {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  // 1980-01-01 00:00, the DOS epoch: the archive's bytes depend only on its contents.
  const dosTime = 0;
  const dosDate = (0 << 9) | (1 << 5) | 1;
  for (const file of files) {
    const name = Buffer.from(file.name, 'utf8');
    const packed = deflateRawSync(file.data);
    const crc = crc32(file.data) >>> 0;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4); // version needed: 2.0 (deflate)
    local.writeUInt16LE(0x0800, 6); // UTF-8 names
    local.writeUInt16LE(8, 8); // deflate
    local.writeUInt16LE(dosTime, 10);
    local.writeUInt16LE(dosDate, 12);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.byteLength, 18);
    local.writeUInt32LE(file.data.byteLength, 22);
    local.writeUInt16LE(name.byteLength, 26);
    local.writeUInt16LE(0, 28);
    parts.push(local, name, packed);
    const entry = Buffer.alloc(46);
    entry.writeUInt32LE(0x02014b50, 0);
    entry.writeUInt16LE(20, 4); // made by: 2.0
    entry.writeUInt16LE(20, 6);
    entry.writeUInt16LE(0x0800, 8);
    entry.writeUInt16LE(8, 10);
    entry.writeUInt16LE(dosTime, 12);
    entry.writeUInt16LE(dosDate, 14);
    entry.writeUInt32LE(crc, 16);
    entry.writeUInt32LE(packed.byteLength, 20);
    entry.writeUInt32LE(file.data.byteLength, 24);
    entry.writeUInt16LE(name.byteLength, 28);
    entry.writeUInt32LE(offset, 42);
    central.push(entry, name);
    offset += local.byteLength + name.byteLength + packed.byteLength;
  }
  const directory = Buffer.concat(central);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(files.length, 8);
  end.writeUInt16LE(files.length, 10);
  end.writeUInt32LE(directory.byteLength, 12);
  end.writeUInt32LE(offset, 16);
  return new Uint8Array(Buffer.concat([...parts, directory, end]));
}
