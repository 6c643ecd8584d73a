/**
 * Survey waves as the application knows them: a dataset, the batches it was uploaded in, and what an
 * upload asks for. The routes document these schemas; the store parses what it reads back with them.
 */
import { z } from 'zod';
import { AttributeSchema, type AttributeDescriptorInput, type MissingCode, type RawTable } from '../../../model/dataset.js';
import { DatasetSummarySchema } from '../../../model/summary.js';

export const DatasetStatusSchema = z.enum(['open', 'sealed']).describe('open: accepting appended batches; sealed: complete and summarised');

/** A dataset as the API shows it. */
export const DatasetSchema = z.object({
  id: z.string(),
  name: z.string(),
  status: DatasetStatusSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
  version: z.number().int(),
  rowCount: z.number().int(),
  attributes: z.array(AttributeSchema),
  summary: DatasetSummarySchema.nullable().describe('null until the dataset is sealed'),
});
export type Dataset = z.infer<typeof DatasetSchema>;

/** [first chunk sequence number, number of chunks] of one committed batch. */
export type ChunkRange = [number, number];

/** A dataset with where its respondents are stored. */
export interface DatasetMeta {
  dataset: Dataset;
  ranges: ChunkRange[];
  nextChunk: number;
}

/** One uploaded batch: `pending` while its chunks are written, `committed` once counted in the dataset. */
export const BatchRecordSchema = z.object({
  key: z.string(),
  status: z.enum(['pending', 'committed']),
  hash: z.string(),
  firstChunk: z.number().int(),
  chunkCount: z.number().int(),
  rows: z.number().int(),
  createdAt: z.string(),
});
export type BatchRecord = z.infer<typeof BatchRecordSchema>;

/** What an upload that creates a dataset asks for, once the HTTP layer has read it. */
export interface CreateDatasetInput {
  name: string;
  described: readonly AttributeDescriptorInput[];
  missing?: readonly MissingCode[];
  table: RawTable;
  seal: boolean;
}

export const AppendResultSchema = z.object({ batch: z.object({ key: z.string(), rows: z.number().int() }), dataset: DatasetSchema });
export type AppendResult = z.infer<typeof AppendResultSchema>;

export const DatasetPageSchema = z.object({ items: z.array(DatasetSchema), nextCursor: z.string().nullable() });
export type DatasetPage = z.infer<typeof DatasetPageSchema>;
