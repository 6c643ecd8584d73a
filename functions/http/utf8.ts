/**
 * Request bodies must be UTF-8. A decoder that replaces bad bytes with U+FFFD would store a
 * different name or cell than the one sent, silently; Liftcast refuses the body instead and says
 * where the bad bytes are (line and byte), so the user can re-save the file as UTF-8.
 */

const strict = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Where a byte sequence is not UTF-8: 1-based line, and the byte offset in the body and in the line. */
export interface InvalidUtf8 {
  line: number;
  offset: number;
  byte: number;
}

/**
 * The body as text, or `null` when it is not valid UTF-8. One strict decode: as fast as the lossy
 * one for valid text.
 */
export function decodeUtf8(bytes: Uint8Array): string | null {
  try {
    return strict.decode(bytes);
  } catch {
    return null;
  }
}

/** Length of the valid UTF-8 sequence starting at `i`, or 0 when the bytes there are not UTF-8 (RFC 3629 table 3-7). */
function sequenceLength(b: Uint8Array, i: number): number {
  const c = b[i]!;
  if (c < 0x80) return 1;
  const cont = (j: number, lo = 0x80, hi = 0xbf): boolean => j < b.length && b[j]! >= lo && b[j]! <= hi;
  if (c >= 0xc2 && c <= 0xdf) return cont(i + 1) ? 2 : 0;
  if (c === 0xe0) return cont(i + 1, 0xa0) && cont(i + 2) ? 3 : 0;
  if ((c >= 0xe1 && c <= 0xec) || c === 0xee || c === 0xef) return cont(i + 1) && cont(i + 2) ? 3 : 0;
  if (c === 0xed) return cont(i + 1, 0x80, 0x9f) && cont(i + 2) ? 3 : 0; // no UTF-16 surrogates
  if (c === 0xf0) return cont(i + 1, 0x90) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  if (c >= 0xf1 && c <= 0xf3) return cont(i + 1) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  if (c === 0xf4) return cont(i + 1, 0x80, 0x8f) && cont(i + 2) && cont(i + 3) ? 4 : 0;
  return 0;
}

/**
 * The first invalid sequence of every line that has one, up to `limit` lines. Only called once a
 * strict decode has failed, to say where.
 */
export function invalidUtf8Lines(bytes: Uint8Array, limit = 100): InvalidUtf8[] {
  const out: InvalidUtf8[] = [];
  let line = 1;
  let lineStart = 0;
  let reported = -1;
  for (let i = 0; i < bytes.length && out.length < limit; ) {
    if (bytes[i] === 0x0a) {
      line++;
      lineStart = ++i;
      continue;
    }
    const n = sequenceLength(bytes, i);
    if (n > 0) {
      i += n;
      continue;
    }
    if (reported !== line) {
      out.push({ line, offset: i - lineStart, byte: bytes[i]! });
      reported = line;
    }
    i++;
  }
  return out;
}

/** "byte 0xFF at byte 12 of the line" — the words a problem uses for one bad sequence. */
export function describeInvalid(at: InvalidUtf8): string {
  return `is not valid UTF-8 (byte 0x${at.byte.toString(16).toUpperCase().padStart(2, '0')} at byte ${at.offset + 1} of the line): save the file as UTF-8`;
}
