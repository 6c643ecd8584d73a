/**
 * Binary encoding of respondent chunks for DynamoDB.
 *
 * A wave is stored as a run of chunk items, each holding a few thousand respondents in columnar
 * form: ratings as one byte per answer when they are whole numbers on a short scale (255 = not
 * answered), text columns dictionary-encoded, the whole deflated. A 20-attribute respondent costs
 * ~20–30 bytes stored, so a 1,000,000-respondent wave is a couple of hundred items, each far below
 * DynamoDB's 400 KB item limit.
 *
 * Layout (before deflate), all integers little-endian:
 *   u8 version (=1) | u32 header length | header JSON | padding to 8 | sections…
 * The header names the sections in order with their element type and length.
 */
import { z } from 'zod';
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import type { RespondentColumns } from '../../model/dataset.js';

const VERSION = 1;
/** Bytes a stored chunk may take; well under the 400 KB item limit, leaving room for keys and metadata. */
export const MAX_CHUNK_BYTES = 350_000;
/** Aim for this compressed size when sizing chunks. */
const TARGET_CHUNK_BYTES = 250_000;
const MISSING_U8 = 255;
const NO_INDEX = 0xffff;

type SectionType = 'u8' | 'u16' | 'u32' | 'f64';
/** A chunk's header: everything but the typed sections. Parsed, not cast, when a chunk is read back. */
const HeaderSchema = z.object({
  n: z.number().int().min(0),
  attributes: z.array(z.string()),
  respondentId: z.array(z.string()),
  accounts: z.array(z.string()),
  segments: z.array(z.string()),
  roles: z.array(z.string()),
  waves: z.array(z.string()),
  /** Per attribute: `u8` with the offset subtracted, or `f64`. */
  ratings: z.array(z.discriminatedUnion('type', [z.object({ type: z.literal('u8'), offset: z.number() }), z.object({ type: z.literal('f64') })])),
  sections: z.array(z.object({ name: z.string(), type: z.enum(['u8', 'u16', 'u32', 'f64']), length: z.number().int().min(0) })),
});
type Header = z.infer<typeof HeaderSchema>;

const BYTES: Record<SectionType, number> = { u8: 1, u16: 2, u32: 4, f64: 8 };

/** Encodes one chunk. Throws a RangeError if it would not fit an item; use {@link encodeChunks} to size chunks. */
export function encodeChunk(cols: RespondentColumns): Uint8Array {
  const dict = (values: readonly (string | null)[]) => {
    const index = new Map<string, number>();
    const codes = new Uint32Array(values.length);
    values.forEach((v, i) => {
      if (v === null) {
        codes[i] = NO_INDEX;
        return;
      }
      let code = index.get(v);
      if (code === undefined) {
        code = index.size;
        index.set(v, code);
      }
      codes[i] = code;
    });
    return { entries: [...index.keys()], codes };
  };
  const accounts = dict(cols.accountId);
  const segments = dict(cols.segment);
  const roles = dict(cols.role);
  const waves = dict(cols.wave);
  if (segments.entries.length >= NO_INDEX || roles.entries.length >= NO_INDEX || waves.entries.length >= NO_INDEX)
    throw new RangeError('too many distinct segments, roles or waves in one chunk');

  const sections: { name: string; data: ArrayBufferView; type: SectionType }[] = [
    { name: 'accountRevenue', data: cols.accountRevenue, type: 'f64' },
  ];
  const ratingTypes: Header['ratings'] = [];
  cols.ratings.forEach((values, a) => {
    const packed = packU8(values);
    if (packed) {
      ratingTypes.push({ type: 'u8', offset: packed.offset });
      sections.push({ name: `r${a}`, data: packed.bytes, type: 'u8' });
    } else {
      ratingTypes.push({ type: 'f64' });
      sections.push({ name: `r${a}`, data: values, type: 'f64' });
    }
  });
  sections.push(
    { name: 'account', data: accounts.codes, type: 'u32' },
    { name: 'segment', data: Uint16Array.from(segments.codes), type: 'u16' },
    { name: 'role', data: Uint16Array.from(roles.codes), type: 'u16' },
    { name: 'wave', data: Uint16Array.from(waves.codes), type: 'u16' },
    { name: 'ltr', data: cols.ltr, type: 'u8' },
  );
  // f64 sections come first so that every section starts aligned to its element size.
  sections.sort((a, b) => BYTES[b.type] - BYTES[a.type]);

  const header: Header = {
    n: cols.size,
    attributes: [...cols.attributes],
    respondentId: cols.respondentId,
    accounts: accounts.entries,
    segments: segments.entries,
    roles: roles.entries,
    waves: waves.entries,
    ratings: ratingTypes,
    sections: sections.map((s) => ({ name: s.name, type: s.type, length: s.data.byteLength / BYTES[s.type] })),
  };
  const headerBytes = Buffer.from(JSON.stringify(header), 'utf8');
  const start = align8(5 + headerBytes.length);
  const total = sections.reduce((sum, s) => sum + s.data.byteLength, start);
  const out = Buffer.alloc(total);
  out.writeUInt8(VERSION, 0);
  out.writeUInt32LE(headerBytes.length, 1);
  headerBytes.copy(out, 5);
  let offset = start;
  for (const s of sections) {
    out.set(new Uint8Array(s.data.buffer, s.data.byteOffset, s.data.byteLength), offset);
    offset += s.data.byteLength;
  }
  return deflateRawSync(out, { level: 6 });
}

/** Decodes a chunk written by {@link encodeChunk}. */
export function decodeChunk(stored: Uint8Array): RespondentColumns {
  const raw = inflateRawSync(stored);
  const version = raw.readUInt8(0);
  if (version !== VERSION) throw new RangeError(`unknown chunk version ${version}`);
  const headerLength = raw.readUInt32LE(1);
  const header = HeaderSchema.parse(JSON.parse(raw.subarray(5, 5 + headerLength).toString('utf8')));
  // `raw` is a fresh buffer from inflate; copy it once into an 8-aligned ArrayBuffer for typed views.
  const buffer = new ArrayBuffer(raw.length);
  new Uint8Array(buffer).set(raw);
  let offset = align8(5 + headerLength);
  const views = new Map<string, ArrayBufferView>();
  for (const s of header.sections) {
    const view =
      s.type === 'f64'
        ? new Float64Array(buffer, offset, s.length)
        : s.type === 'u32'
          ? new Uint32Array(buffer, offset, s.length)
          : s.type === 'u16'
            ? new Uint16Array(buffer, offset, s.length)
            : new Uint8Array(buffer, offset, s.length);
    views.set(s.name, view);
    offset += s.length * BYTES[s.type];
  }
  const section = <T extends ArrayBufferView>(name: string): T => {
    const v = views.get(name);
    if (!v) throw new RangeError(`chunk is missing section ${name}`);
    return v as T;
  };
  const n = header.n;
  const lookup = (codes: Uint16Array | Uint32Array, entries: string[]): (string | null)[] => {
    const out = new Array<string | null>(n);
    for (let i = 0; i < n; i++) {
      const c = codes[i]!;
      out[i] = c === NO_INDEX ? null : entries[c]!;
    }
    return out;
  };
  const ratings = header.ratings.map((t, a) => {
    if (t.type === 'f64') return section<Float64Array>(`r${a}`);
    const bytes = section<Uint8Array>(`r${a}`);
    const values = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const b = bytes[i]!;
      values[i] = b === MISSING_U8 ? Number.NaN : b + t.offset;
    }
    return values;
  });
  const accountCodes = section<Uint32Array>('account');
  const accountId = new Array<string>(n);
  for (let i = 0; i < n; i++) accountId[i] = header.accounts[accountCodes[i]!]!;
  return {
    size: n,
    attributes: header.attributes,
    respondentId: header.respondentId,
    accountId,
    segment: lookup(section('segment'), header.segments) as string[],
    role: lookup(section('role'), header.roles),
    wave: lookup(section('wave'), header.waves),
    accountRevenue: section<Float64Array>('accountRevenue'),
    ltr: section<Uint8Array>('ltr'),
    ratings,
  };
}

/**
 * Splits respondents into encoded chunks that each fit an item. Chunk size adapts to the data:
 * long respondent ids or non-integer ratings compress worse, so such waves get smaller chunks.
 */
export function encodeChunks(cols: RespondentColumns): Uint8Array[] {
  const out: Uint8Array[] = [];
  let start = 0;
  // First guess: ~30 bytes a respondent after compression; corrected from each chunk's real size.
  let rows = Math.max(1, Math.floor(TARGET_CHUNK_BYTES / (12 + 2 * cols.attributes.length)));
  while (start < cols.size) {
    const end = Math.min(cols.size, start + rows);
    const encoded = encodeChunk(sliceColumns(cols, start, end));
    if (encoded.byteLength > MAX_CHUNK_BYTES) {
      if (end - start === 1) throw new RangeError('a single respondent does not fit in a chunk');
      rows = Math.max(1, Math.floor(((end - start) * TARGET_CHUNK_BYTES) / encoded.byteLength));
      continue;
    }
    out.push(encoded);
    if (end - start === rows && encoded.byteLength > 0)
      rows = Math.max(1, Math.floor((rows * TARGET_CHUNK_BYTES) / encoded.byteLength));
    start = end;
  }
  return out;
}

/** Rows [start, end) of a columnar batch, sharing the typed arrays' memory. */
export function sliceColumns(cols: RespondentColumns, start: number, end: number): RespondentColumns {
  return {
    size: end - start,
    attributes: cols.attributes,
    respondentId: cols.respondentId.slice(start, end),
    accountId: cols.accountId.slice(start, end),
    segment: cols.segment.slice(start, end),
    role: cols.role.slice(start, end),
    wave: cols.wave.slice(start, end),
    accountRevenue: cols.accountRevenue.subarray(start, end),
    ltr: cols.ltr.subarray(start, end),
    ratings: cols.ratings.map((r) => r.subarray(start, end)),
  };
}

function packU8(values: Float64Array): { offset: number; bytes: Uint8Array } | null {
  let min = Infinity;
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    if (v !== v) continue;
    if (!Number.isInteger(v)) return null;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min === Infinity) min = max = 0;
  if (max - min >= MISSING_U8) return null;
  const bytes = new Uint8Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    bytes[i] = v !== v ? MISSING_U8 : v - min;
  }
  return { offset: min, bytes };
}

function align8(n: number): number {
  return (n + 7) & ~7;
}
