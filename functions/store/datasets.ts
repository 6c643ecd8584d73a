/**
 * DynamoDB adapter for survey waves.
 *
 * Items (see `keys.ts`):
 * - meta      `T#<tenant>` / `DATASET#<id>`: status, version, row count, and a JSON document with the
 *             name, attributes, summary and the committed chunk ranges.
 * - batch     `T#<tenant>#DATASET#<id>` / `BATCH#<idempotency key>`: one appended batch, `pending`
 *             while its chunks are written, `committed` once counted in the dataset.
 * - chunk     `T#<tenant>#DATASET#<id>` / `CHUNK#<seq>`: a few thousand respondents, encoded by
 *             `chunkCodec.ts`, always below the 400 KB item limit.
 *
 * Every write is conditional. Readers only see chunks inside the ranges the meta item lists as
 * committed, so a batch that fails half-way is never read, and a retry with the same idempotency key
 * rewrites exactly the same chunks.
 */
import { ConditionalCheckFailedException, DeleteItemCommand, GetItemCommand, PutItemCommand, QueryCommand, TransactionCanceledException, TransactWriteItemsCommand, UpdateItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import { AttributeSchema, type Attribute, type RespondentColumns } from '../../model/dataset.js';
import { DatasetSummarySchema, type DatasetSummary } from '../../model/summary.js';
import { BatchRecordSchema, DatasetSchema, type BatchRecord, type ChunkRange, type Dataset, type DatasetMeta, type DatasetPage } from '../app/datasets/contract.js';
import type { DatasetStore, PreparedChunks } from '../app/datasets/ports.js';
import { ConflictError, NotFoundError } from '../app/errors.js';
import type { OutboxItem, PendingEvent } from '../app/events.js';
import type { IdempotencyCompletion } from '../app/idempotency.js';
import { decodeChunk, encodeChunks } from './chunkCodec.js';
import { completionWrite } from './idempotency.js';
import { deletePartition, queryAll } from './bulk.js';
import { dynamoCall, translateDynamoError } from './dynamoErrors.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { attributesOf, valuesOf } from './items.js';
import { keys } from './keys.js';
import { outboxAttributes } from './outbox.js';

const MetaDocSchema = z.object({
  name: z.string(),
  createdAt: z.string(),
  attributes: z.array(AttributeSchema),
  summary: DatasetSummarySchema.nullable(),
  ranges: z.array(z.tuple([z.number().int(), z.number().int()])),
});
type MetaDoc = z.infer<typeof MetaDocSchema>;

const S = (s: string): AttributeValue => ({ S: s });
const N = (n: number): AttributeValue => ({ N: String(n) });

/** How many chunk puts or reads run at once: enough to hide latency, few enough not to throttle. */
const CONCURRENCY = 8;
/** Chunks fetched by one range query. */
const READ_SPAN = 12;

/** Encoded chunks as this adapter writes them. */
interface Chunks extends PreparedChunks {
  readonly data: readonly Uint8Array[];
}

export class DynamoDatasetStore implements DatasetStore {
  constructor(
    private readonly db: DynamoDBClient,
    private readonly table: string,
  ) {}



  /** The dataset's meta item, or `null` when it does not exist for this tenant (or is being deleted). */
  async getMeta(tenant: string, id: string): Promise<DatasetMeta | null> {
    const out = await dynamoCall(() => this.db.send(
      new GetItemCommand({ TableName: this.table, Key: { pk: S(keys.tenant(tenant)), sk: S(keys.datasetSk(id)) }, ConsistentRead: true }),
    ));
    if (!out.Item || out.Item.status?.S === 'deleting') return null;
    return metaFromItem(out.Item);
  }

  async get(tenant: string, id: string): Promise<Dataset> {
    const meta = await this.getMeta(tenant, id);
    if (!meta) throw new NotFoundError(`No dataset '${id}'.`);
    return meta.dataset;
  }

  /** Newest first, `limit` at a time; the cursor is opaque to clients and bound to the tenant. */
  async list(tenant: string, limit: number, cursor?: string): Promise<DatasetPage> {
    let start: Record<string, AttributeValue> | undefined;
    if (cursor !== undefined) start = { pk: S(keys.tenant(tenant)), sk: S(decodeCursor(cursor, keys.datasetPrefix)) };
    const out = await dynamoCall(() => this.db.send(
      new QueryCommand({
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': S(keys.tenant(tenant)), ':prefix': S(keys.datasetPrefix) },
        ScanIndexForward: false,
        Limit: limit,
        ExclusiveStartKey: start,
      }),
    ));
    const items = (out.Items ?? []).filter((i) => i.status?.S !== 'deleting').map((i) => metaFromItem(i).dataset);
    const last = out.LastEvaluatedKey?.sk?.S;
    return { items, nextCursor: last ? encodeCursor(last) : null };
  }

  /**
   * Writes chunks `firstSeq…` of a batch. Each put is conditional: the slot must be empty or already
   * hold a chunk of the same batch (a retry rewriting identical content), never another batch's.
   */
  prepare(columns: RespondentColumns): Chunks {
    const data = encodeChunks(columns);
    return { count: data.length, data };
  }

  async putChunks(tenant: string, id: string, firstSeq: number, chunks: PreparedChunks, batchKey: string): Promise<void> {
    const pk = keys.datasetPartition(tenant, id);
    await forEachLimit(dataOf(chunks), CONCURRENCY, async (data, i) => {
      try {
        await this.db.send(
          new PutItemCommand({
            TableName: this.table,
            Item: { pk: S(pk), sk: S(keys.chunkSk(firstSeq + i)), data: { B: data }, batch: S(batchKey) },
            ConditionExpression: 'attribute_not_exists(pk) OR #batch = :batch',
            ExpressionAttributeNames: { '#batch': 'batch' },
            ExpressionAttributeValues: { ':batch': S(batchKey) },
          }),
        );
      } catch (e) {
        if (e instanceof ConditionalCheckFailedException)
          throw new ConflictError(`Chunk ${firstSeq + i} of dataset '${id}' belongs to another batch.`, { cause: e });
        throw translateDynamoError(e);
      }
    });
  }

  /**
   * Creates a dataset whose first batch's chunks are already written: the meta item and the batch
   * record appear together in one transaction (plus any extra item, e.g. an idempotency record's
   * completion), so the dataset is visible whole or not at all.
   */
  async createMeta(
    tenant: string,
    input: { id: string; name: string; createdAt: string; attributes: Attribute[]; status: 'open' | 'sealed'; summary: DatasetSummary | null; batch: BatchRecord },
    also: IdempotencyCompletion[] = [],
    event?: PendingEvent,
  ): Promise<Dataset> {
    const doc: MetaDoc = {
      name: input.name,
      createdAt: input.createdAt,
      attributes: input.attributes,
      summary: input.summary,
      ranges: [[input.batch.firstChunk, input.batch.chunkCount]],
    };
    const meta: Record<string, AttributeValue> = {
      pk: S(keys.tenant(tenant)),
      sk: S(keys.datasetSk(input.id)),
      entity: S('dataset'),
      id: S(input.id),
      status: S(input.status),
      version: N(1),
      rowCount: N(input.batch.rows),
      nextChunk: N(input.batch.firstChunk + input.batch.chunkCount),
      updatedAt: S(input.createdAt),
      doc: S(JSON.stringify(doc)),
      ...(event ? outboxAttributes(event) : {}),
    };
    try {
      await this.db.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            { Put: { TableName: this.table, Item: meta, ConditionExpression: 'attribute_not_exists(pk)' } },
            {
              Put: {
                TableName: this.table,
                Item: batchItem(tenant, input.id, { ...input.batch, status: 'committed' }),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            ...also.map((c) => completionWrite(this.table, c)),
          ],
        }),
      );
    } catch (e) {
      if (e instanceof TransactionCanceledException) throw new ConflictError(`Dataset '${input.id}' already exists.`, { cause: e });
      throw translateDynamoError(e);
    }
    return metaFromItem(meta).dataset;
  }

  async getBatch(tenant: string, id: string, key: string): Promise<BatchRecord | null> {
    const out = await dynamoCall(() => this.db.send(
      new GetItemCommand({
        TableName: this.table,
        Key: { pk: S(keys.datasetPartition(tenant, id)), sk: S(keys.batchSk(key)) },
        ConsistentRead: true,
      }),
    ));
    return out.Item ? batchFromItem(out.Item) : null;
  }

  /**
   * Reserves `count` chunk slots on an open dataset. Slots are never reused, so two batches
   * appended at once never write the same chunk.
   */
  async reserveChunks(tenant: string, id: string, count: number): Promise<number> {
    try {
      const out = await this.db.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: { pk: S(keys.tenant(tenant)), sk: S(keys.datasetSk(id)) },
          UpdateExpression: 'SET nextChunk = nextChunk + :n',
          ConditionExpression: '#status = :open',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':n': N(count), ':open': S('open') },
          ReturnValues: 'UPDATED_NEW',
        }),
      );
      return Number(out.Attributes?.nextChunk?.N) - count;
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) throw new ConflictError(`Dataset '${id}' is sealed: no more rows can be appended.`, { cause: e });
      throw translateDynamoError(e);
    }
  }

  /** Records a batch as pending before its chunks are written; `false` if the key is already taken. */
  async putPendingBatch(tenant: string, id: string, batch: BatchRecord): Promise<boolean> {
    try {
      await this.db.send(
        new PutItemCommand({ TableName: this.table, Item: batchItem(tenant, id, batch), ConditionExpression: 'attribute_not_exists(pk)' }),
      );
      return true;
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) return false;
      throw translateDynamoError(e);
    }
  }

  /**
   * Commits a pending batch: in one transaction the batch becomes `committed` and the dataset gains
   * its rows and chunk range — only while the dataset is still open.
   */
  async commitBatch(tenant: string, id: string, batch: BatchRecord, now: string): Promise<Dataset> {
    const meta = await this.getMeta(tenant, id);
    if (!meta) throw new NotFoundError(`No dataset '${id}'.`);
    if (meta.dataset.status !== 'open') throw new ConflictError(`Dataset '${id}' is sealed: no more rows can be appended.`);
    const doc = docOf(meta);
    doc.ranges = [...meta.ranges, [batch.firstChunk, batch.chunkCount]];
    try {
      await this.db.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.table,
                Key: { pk: S(keys.datasetPartition(tenant, id)), sk: S(keys.batchSk(batch.key)) },
                UpdateExpression: 'SET #status = :committed',
                ConditionExpression: '#status = :pending',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: { ':committed': S('committed'), ':pending': S('pending') },
              },
            },
            {
              // Version equality: the ranges list is rewritten whole, so two commits must not interleave.
              Update: {
                TableName: this.table,
                Key: { pk: S(keys.tenant(tenant)), sk: S(keys.datasetSk(id)) },
                UpdateExpression: 'SET rowCount = rowCount + :rows, version = version + :one, updatedAt = :now, doc = :doc',
                ConditionExpression: '#status = :open AND version = :version',
                ExpressionAttributeNames: { '#status': 'status' },
                ExpressionAttributeValues: {
                  ':rows': N(batch.rows),
                  ':one': N(1),
                  ':now': S(now),
                  ':doc': S(JSON.stringify(doc)),
                  ':open': S('open'),
                  ':version': N(meta.dataset.version),
                },
              },
            },
          ],
        }),
      );
    } catch (e) {
      if (e instanceof TransactionCanceledException) {
        const [batchReason, metaReason] = (e.CancellationReasons ?? []).map((r) => r.Code);
        if (batchReason === 'ConditionalCheckFailed') {
          // Another request with the same key committed first: that is success for this one too.
          return this.get(tenant, id);
        }
        if (metaReason === 'ConditionalCheckFailed') return this.commitBatch(tenant, id, batch, now);
      }
      throw translateDynamoError(e);
    }
    return this.get(tenant, id);
  }

  async listBatches(tenant: string, id: string): Promise<BatchRecord[]> {
    const out: BatchRecord[] = [];
    for await (const item of queryAll(this.db, {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': S(keys.datasetPartition(tenant, id)), ':prefix': S(keys.batchPrefix) },
      ConsistentRead: true,
    }))
      out.push(batchFromItem(item));
    return out;
  }

  /** Where a dataset's meta item lives (the outbox delivers the events waiting on it). */
  outboxItem(tenant: string, id: string): OutboxItem {
    return { pk: keys.tenant(tenant), sk: keys.datasetSk(id) };
  }

  private metaKey(tenant: string, id: string): Record<string, AttributeValue> {
    return { pk: S(keys.tenant(tenant)), sk: S(keys.datasetSk(id)) };
  }

  /** Seals an open dataset with its summary, provided nothing was committed since `version` was read. */
  async seal(tenant: string, meta: DatasetMeta, summary: DatasetSummary, now: string, event?: PendingEvent): Promise<Dataset> {
    const doc = docOf(meta);
    doc.summary = summary;
    const outbox = event ? outboxAttributes(event) : {};
    try {
      await this.db.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: this.metaKey(tenant, meta.dataset.id),
          UpdateExpression: `SET #status = :sealed, version = version + :one, updatedAt = :now, doc = :doc${Object.keys(outbox)
            .map((a, i) => `, #o${i} = :o${i}`)
            .join('')}`,
          ConditionExpression: '#status = :open AND version = :version',
          ExpressionAttributeNames: { '#status': 'status', ...Object.fromEntries(Object.keys(outbox).map((a, i) => [`#o${i}`, a])) },
          ExpressionAttributeValues: {
            ':sealed': S('sealed'),
            ':open': S('open'),
            ':one': N(1),
            ':now': S(now),
            ':doc': S(JSON.stringify(doc)),
            ':version': N(meta.dataset.version),
            ...Object.fromEntries(Object.values(outbox).map((v, i) => [`:o${i}`, v])),
          },
        }),
      );
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException)
        throw new ConflictError(`Dataset '${meta.dataset.id}' changed while it was being sealed (a batch was committed or it was sealed already); retry.`, { cause: e });
      throw translateDynamoError(e);
    }
    return this.get(tenant, meta.dataset.id);
  }

  /**
   * Streams the committed respondents of a dataset in upload order, a chunk at a time. Several range
   * queries run ahead in parallel; memory stays bounded by a few chunks.
   */
  async *readColumns(tenant: string, meta: DatasetMeta): AsyncGenerator<RespondentColumns> {
    for await (const data of this.readChunkData(tenant, meta.dataset.id, meta.ranges)) yield decodeChunk(data);
  }

  private async *readChunkData(tenant: string, id: string, ranges: readonly ChunkRange[]): AsyncGenerator<Uint8Array> {
    const spans: ChunkRange[] = [];
    for (const [first, count] of ranges)
      for (let s = first; s < first + count; s += READ_SPAN) spans.push([s, Math.min(READ_SPAN, first + count - s)]);
    const pk = keys.datasetPartition(tenant, id);
    const fetchSpan = async ([first, count]: ChunkRange): Promise<Uint8Array[]> => {
      const found: Uint8Array[] = [];
      for await (const item of queryAll(this.db, {
        TableName: this.table,
        KeyConditionExpression: 'pk = :pk AND sk BETWEEN :from AND :to',
        ExpressionAttributeValues: { ':pk': S(pk), ':from': S(keys.chunkSk(first)), ':to': S(keys.chunkSk(first + count - 1)) },
        ProjectionExpression: 'sk, #data',
        ExpressionAttributeNames: { '#data': 'data' },
      }))
        found.push(item.data!.B!);
      if (found.length !== count)
        throw new Error(`dataset ${id}: expected ${count} chunks from ${first}, found ${found.length}`);
      return found;
    };
    const inFlight: Promise<Uint8Array[]>[] = [];
    let next = 0;
    const ahead = Math.max(1, Math.floor(CONCURRENCY / 2));
    while (next < spans.length && inFlight.length < ahead) inFlight.push(fetchSpan(spans[next++]!));
    while (inFlight.length > 0) {
      const chunks = await inFlight.shift()!;
      if (next < spans.length) inFlight.push(fetchSpan(spans[next++]!));
      for (const c of chunks) yield c;
    }
  }

  /**
   * Deletes a dataset and every item under it. The meta item is first marked `deleting` (so the
   * dataset disappears from reads at once), then chunks and batch records go, then the meta item;
   * a DELETE interrupted half-way can simply be repeated.
   */
  async delete(tenant: string, id: string): Promise<void> {
    const key = { pk: S(keys.tenant(tenant)), sk: S(keys.datasetSk(id)) };
    try {
      await this.db.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: key,
          UpdateExpression: 'SET #status = :deleting',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':deleting': S('deleting') },
        }),
      );
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) throw new NotFoundError(`No dataset '${id}'.`, { cause: e });
      throw translateDynamoError(e);
    }
    // Children of a dataset marked `deleting` are unreachable to every other request, so these
    // deletes need no condition; BatchWriteItem cannot take one anyway.
    await deletePartition(this.db, this.table, keys.datasetPartition(tenant, id));
    await dynamoCall(() => this.db.send(
      new DeleteItemCommand({
        TableName: this.table,
        Key: key,
        ConditionExpression: '#status = :deleting',
        ExpressionAttributeNames: { '#status': 'status' },
        ExpressionAttributeValues: { ':deleting': S('deleting') },
      }),
    ));
  }

}

function metaFromItem(item: Record<string, AttributeValue>): DatasetMeta {
  const doc = MetaDocSchema.parse(JSON.parse(item.doc!.S!));
  return {
    dataset: DatasetSchema.parse({
      id: item.id?.S,
      name: doc.name,
      status: item.status?.S,
      createdAt: doc.createdAt,
      updatedAt: item.updatedAt?.S,
      version: Number(item.version?.N),
      rowCount: Number(item.rowCount?.N),
      attributes: doc.attributes,
      summary: doc.summary,
    }),
    ranges: doc.ranges,
    nextChunk: Number(item.nextChunk!.N),
  };
}

function docOf(meta: DatasetMeta): MetaDoc {
  return {
    name: meta.dataset.name,
    createdAt: meta.dataset.createdAt,
    attributes: meta.dataset.attributes,
    summary: meta.dataset.summary,
    ranges: meta.ranges,
  };
}

function batchItem(tenant: string, id: string, b: BatchRecord): Record<string, AttributeValue> {
  return { pk: S(keys.datasetPartition(tenant, id)), sk: S(keys.batchSk(b.key)), entity: S('batch'), ...attributesOf(b) };
}

function batchFromItem(item: Record<string, AttributeValue>): BatchRecord {
  return BatchRecordSchema.parse(valuesOf(item, Object.keys(BatchRecordSchema.shape)));
}

/** The bytes of chunks this adapter prepared. */
function dataOf(chunks: PreparedChunks): readonly Uint8Array[] {
  const data = (chunks as Partial<Chunks>).data;
  if (!data || data.length !== chunks.count) throw new TypeError('chunks were not prepared by this store');
  return data;
}

async function forEachLimit<T>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < items.length) {
      const i = next++;
      try {
        await fn(items[i]!, i);
      } catch (e) {
        failed = true;
        throw e;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
