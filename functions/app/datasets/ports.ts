/**
 * What the dataset service needs of storage. The DynamoDB adapter is functions/store/datasets.ts;
 * every write it makes is conditional, and a failed condition is a domain error (ConflictError,
 * NotFoundError) or a `false` the service acts on.
 */
import type { Attribute, RespondentColumns } from '../../../model/dataset.js';
import type { DatasetSummary } from '../../../model/summary.js';
import type { OutboxItem, PendingEvent } from '../events.js';
import type { IdempotencyCompletion } from '../idempotency.js';
import type { BatchRecord, Dataset, DatasetMeta, DatasetPage } from './contract.js';

/** Respondents encoded for storage; only their number of chunks matters to the service. */
export interface PreparedChunks {
  readonly count: number;
}

export interface DatasetStore {
  /** The dataset with its chunk ranges, or `null` when it does not exist for this tenant (or is being deleted). */
  getMeta(tenant: string, id: string): Promise<DatasetMeta | null>;
  /** @throws NotFoundError */
  get(tenant: string, id: string): Promise<Dataset>;
  list(tenant: string, limit: number, cursor?: string): Promise<DatasetPage>;
  /** Encodes respondents into the chunks a batch will write. */
  prepare(columns: RespondentColumns): PreparedChunks;
  /** Writes chunks `firstSeq…` of a batch (a retry of the same batch rewrites the same chunks). */
  putChunks(tenant: string, id: string, firstSeq: number, chunks: PreparedChunks, batchKey: string): Promise<void>;
  /** Makes a dataset visible with its first, already written, batch — whole or not at all. */
  createMeta(
    tenant: string,
    input: { id: string; name: string; createdAt: string; attributes: Attribute[]; status: 'open' | 'sealed'; summary: DatasetSummary | null; batch: BatchRecord },
    also?: IdempotencyCompletion[],
    event?: PendingEvent,
  ): Promise<Dataset>;
  getBatch(tenant: string, id: string, key: string): Promise<BatchRecord | null>;
  /** Reserves `count` chunk slots on an open dataset; returns the first. @throws ConflictError when sealed */
  reserveChunks(tenant: string, id: string, count: number): Promise<number>;
  /** Records a batch as pending; `false` when the key is already taken. */
  putPendingBatch(tenant: string, id: string, batch: BatchRecord): Promise<boolean>;
  /** Counts a pending batch in the dataset. */
  commitBatch(tenant: string, id: string, batch: BatchRecord, now: string): Promise<Dataset>;
  listBatches(tenant: string, id: string): Promise<BatchRecord[]>;
  /** Seals an open dataset with its summary, if nothing was committed since it was read. */
  seal(tenant: string, meta: DatasetMeta, summary: DatasetSummary, now: string, event?: PendingEvent): Promise<Dataset>;
  /** The committed respondents in upload order, a chunk at a time. */
  readColumns(tenant: string, meta: DatasetMeta): AsyncGenerator<RespondentColumns>;
  delete(tenant: string, id: string): Promise<void>;
  /** Where the events a dataset's writes owe wait. */
  outboxItem(tenant: string, id: string): OutboxItem;
}
