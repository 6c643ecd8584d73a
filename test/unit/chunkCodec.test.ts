import { describe, expect, it } from 'vitest';
import { decodeChunk, encodeChunk, encodeChunks, MAX_CHUNK_BYTES } from '../../functions/store/chunkCodec.js';
import { parseWave, tableFromObjects, type RespondentColumns } from '../../model/dataset.js';
import { DEMO_ATTRIBUTES, demoRespondents } from '../../model/demo.js';

function columnsOf(n: number, seed = 3): RespondentColumns {
  const rows = [...demoRespondents({ seed, respondents: n, accounts: Math.max(1, Math.floor(n / 5)) })];
  const parsed = parseWave(tableFromObjects(rows), { described: DEMO_ATTRIBUTES });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.errors));
  return parsed.columns;
}

function concat(chunks: RespondentColumns[]) {
  return {
    respondentId: chunks.flatMap((c) => c.respondentId),
    ltr: chunks.flatMap((c) => [...c.ltr]),
    role: chunks.flatMap((c) => c.role),
    ratings: chunks[0]!.attributes.map((_, a) => chunks.flatMap((c) => [...c.ratings[a]!].map((v) => (Number.isNaN(v) ? null : v)))),
  };
}

describe('respondent chunks', () => {
  it('round-trips every column, with missing answers and missing roles kept as missing', () => {
    const cols = columnsOf(2_000);
    cols.role[5] = null;
    const back = decodeChunk(encodeChunk(cols));
    expect(back.size).toBe(cols.size);
    expect(back.respondentId).toEqual(cols.respondentId);
    expect(back.accountId).toEqual(cols.accountId);
    expect(back.segment).toEqual(cols.segment);
    expect(back.role).toEqual(cols.role);
    expect(back.wave).toEqual(cols.wave);
    expect([...back.accountRevenue]).toEqual([...cols.accountRevenue]);
    expect([...back.ltr]).toEqual([...cols.ltr]);
    expect(back.ratings.map((r) => [...r])).toEqual(cols.ratings.map((r) => [...r]));
    expect(cols.ratings.some((r) => r.some(Number.isNaN))).toBe(true);
  });

  it('keeps fractional and wide-range ratings exactly', () => {
    const cols = columnsOf(50);
    cols.ratings[0]![0] = 3.25;
    cols.ratings[1]![0] = -400;
    cols.ratings[1]![1] = 600;
    const back = decodeChunk(encodeChunk(cols));
    expect(back.ratings[0]![0]).toBe(3.25);
    expect([back.ratings[1]![0], back.ratings[1]![1]]).toEqual([-400, 600]);
    expect(back.ratings.map((r) => [...r])).toEqual(cols.ratings.map((r) => [...r]));
  });

  it('splits a large wave into chunks that all fit a DynamoDB item and keep row order', () => {
    const cols = columnsOf(60_000);
    const chunks = encodeChunks(cols);
    expect(chunks.length).toBeGreaterThan(1);
    for (const c of chunks) expect(c.byteLength).toBeLessThan(MAX_CHUNK_BYTES);
    const back = concat(chunks.map(decodeChunk));
    const orig = concat([cols]);
    expect(back).toEqual(orig);
  });

  it('shrinks chunks for respondents with long ids so items still fit', () => {
    const cols = columnsOf(20_000);
    cols.respondentId = cols.respondentId.map((id, i) => `${id}-${i.toString(36)}-${'q'.repeat(100)}${Math.sin(i)}`);
    const chunks = encodeChunks(cols);
    for (const c of chunks) expect(c.byteLength).toBeLessThan(MAX_CHUNK_BYTES);
    expect(chunks.map(decodeChunk).flatMap((c) => c.respondentId)).toEqual(cols.respondentId);
  });

  it('stores a 20-attribute respondent in a few dozen bytes', () => {
    const cols = columnsOf(20_000);
    const bytes = encodeChunks(cols).reduce((s, c) => s + c.byteLength, 0);
    // 9 attributes here; the bound scales to ~25 bytes a respondent for 20.
    expect(bytes / cols.size).toBeLessThan(30);
  });
});
