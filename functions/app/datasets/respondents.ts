/**
 * Reading a sealed wave back: its respondents, chunk after chunk, and its date.
 */
import type { RespondentColumns } from '../../../model/dataset.js';
import type { DatasetMeta } from './contract.js';
import type { DatasetStore } from './ports.js';

/** Every committed respondent of a dataset, in upload order, a chunk an entry. */
export async function readRespondents(store: DatasetStore, tenant: string, meta: DatasetMeta): Promise<RespondentColumns[]> {
  const chunks: RespondentColumns[] = [];
  for await (const chunk of store.readColumns(tenant, meta)) chunks.push(chunk);
  return chunks;
}

/**
 * The date of a wave: the latest `wave` value among its respondents (ISO dates, checked on upload,
 * so they compare as text), or — when none has one — the day the dataset was created.
 *
 * @example waveDate(chunks, '2026-12-01T22:14:12.000Z') // '2026-07-15' when the latest wave cell says so
 */
export function waveDate(chunks: readonly RespondentColumns[], createdAt: string): string {
  let latest: string | null = null;
  for (const chunk of chunks) for (const w of chunk.wave) if (w !== null && (latest === null || w > latest)) latest = w;
  return latest ?? createdAt.slice(0, 10);
}
