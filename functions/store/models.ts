/**
 * DynamoDB adapter for driver models. A model is written once as `fitting`, then exactly once more
 * as `ready` (with its document) or `failed` (with a problem); after that it never changes, so a
 * forecast can always say which model, dataset and options produced it.
 *
 * Item: `T#<tenant>` / `MODEL#<id>`; the fitted document is deflated JSON in a binary attribute.
 */
import { inflateRawSync } from 'node:zlib';
import { ConditionalCheckFailedException, GetItemCommand, PutItemCommand, QueryCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import { ModelProblemSchema } from '../app/models/contract.js';
import type { ModelOutcome, ModelStore, StoredModel } from '../app/models/ports.js';
import { ConflictError, DatasetGoneError, NotFoundError } from '../app/errors.js';
import type { OutboxItem, PendingEvent } from '../app/events.js';
import { WorkProgressSchema, type WorkProgress, type WorkState } from '../app/lifecycle.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { translateDynamoError } from './dynamoErrors.js';
import { finishPending, progressOf, reportPending } from './outcomes.js';
import { outboxAttributes, pendingEventOf } from './outbox.js';
import { keys } from './keys.js';

/** Largest stored model document; a model with hundreds of segments is refused rather than truncated. */
const MAX_DOC_BYTES = 350_000;

/** How a model item spells the lifecycle's states (its API's words). */
const STORED_STATE = { pending: 'fitting', ready: 'ready', failed: 'failed' } as const;
const StoredStateSchema = z.enum(['fitting', 'ready', 'failed']).transform((s): WorkState => (s === 'fitting' ? 'pending' : s));

const S = (s: string): AttributeValue => ({ S: s });

export class DynamoModelStore implements ModelStore {
  constructor(
    private readonly db: DynamoDBClient,
    private readonly table: string,
  ) {}

  private key(tenant: string, id: string): Record<string, AttributeValue> {
    return { pk: S(keys.tenant(tenant)), sk: S(keys.modelSk(id)) };
  }

  /** Where a model lives (the outbox delivers the event waiting on it). */
  outboxItem(tenant: string, id: string): OutboxItem {
    return { pk: keys.tenant(tenant), sk: keys.modelSk(id) };
  }

  async create(tenant: string, record: StoredModel): Promise<void> {
    try {
      await this.db.send(
        new PutItemCommand({
          TableName: this.table,
          Item: {
            ...this.key(tenant, record.id),
            entity: S('model'),
            id: S(record.id),
            datasetId: S(record.datasetId),
            status: S(STORED_STATE[record.state]),
            createdAt: S(record.createdAt),
            updatedAt: S(record.updatedAt),
            request: S(JSON.stringify(record.request)),
            problem: S(JSON.stringify(record.problem)),
          },
          ConditionExpression: 'attribute_not_exists(pk)',
        }),
      );
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) throw new ConflictError(`Model '${record.id}' already exists.`, { cause: e });
      throw translateDynamoError(e);
    }
  }

  /**
   * Moves a `pending` model to `ready` with its document, or to `failed` with a problem. Returns
   * false when the model had already left `pending` (a redelivered event or a racing worker).
   *
   * @param event the `ModelFitted` the outcome owes (the worker's fits), stored with it in the outbox
   * @param datasetId for a ready outcome: the dataset it was fitted on, which must still be sealed (not being deleted)
   */
  async finish(tenant: string, id: string, outcome: ModelOutcome, now: string, event?: PendingEvent, datasetId?: string): Promise<boolean> {
    // Models are immutable once fitted: only a model still fitting may change.
    return finishPending(
      this.db,
      this.table,
      this.key(tenant, id),
      { attribute: 'status', pending: STORED_STATE.pending },
      outcome.state === 'ready'
        ? {
            status: 'ready',
            attribute: 'doc',
            document: outcome.doc,
            maxBytes: MAX_DOC_BYTES,
            tooLarge: (bytes) => `The fitted model is too large to store (${bytes} bytes compressed): fit fewer segments or attributes.`,
          }
        : { status: 'failed', problem: outcome.problem },
      { updatedAt: S(now), ...(event ? outboxAttributes(event) : {}) },
      datasetId === undefined
        ? undefined
        : {
            key: { pk: S(keys.tenant(tenant)), sk: S(keys.datasetSk(datasetId)) },
            condition: '#datasetStatus = :sealed',
            names: { '#datasetStatus': 'status' },
            values: { ':sealed': S('sealed') },
            failure: () => new DatasetGoneError(`Dataset '${datasetId}' was deleted while the model was being fitted; fit a model on another dataset.`, {
              errors: [{ field: 'body.datasetId', reason: `dataset '${datasetId}' was deleted during the fit` }],
            }),
          },
    );
  }

  /** Records where a fit stands, only while the model is still fitting. */
  progress(tenant: string, id: string, progress: WorkProgress): Promise<boolean> {
    return reportPending(this.db, this.table, this.key(tenant, id), { attribute: 'status', pending: STORED_STATE.pending }, progress);
  }

  async get(tenant: string, id: string): Promise<{ model: StoredModel; doc: unknown; pending: PendingEvent | null }> {
    let item: Record<string, AttributeValue> | undefined;
    try {
      item = (await this.db.send(new GetItemCommand({ TableName: this.table, Key: this.key(tenant, id), ConsistentRead: true }))).Item;
    } catch (e) {
      throw translateDynamoError(e);
    }
    if (!item) throw new NotFoundError(`No model '${id}'.`);
    return { model: recordFromItem(item), doc: item.doc?.B ? JSON.parse(inflateRawSync(item.doc.B).toString('utf8')) : null, pending: pendingEventOf(item) };
  }

  async list(tenant: string, options: { datasetId?: string; limit: number; cursor?: string }): Promise<{ items: StoredModel[]; nextCursor: string | null }> {
    let start: Record<string, AttributeValue> | undefined;
    if (options.cursor !== undefined) start = { pk: S(keys.tenant(tenant)), sk: S(decodeCursor(options.cursor, keys.modelPrefix)) };
    try {
      const out = await this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ...(options.datasetId ? { FilterExpression: 'datasetId = :dataset' } : {}),
          ExpressionAttributeValues: {
            ':pk': S(keys.tenant(tenant)),
            ':prefix': S(keys.modelPrefix),
            ...(options.datasetId ? { ':dataset': S(options.datasetId) } : {}),
          },
          // Every item but the (large) document; status and request are DynamoDB reserved words.
          ProjectionExpression: 'pk, sk, id, datasetId, #status, createdAt, updatedAt, #request, #problem, progress',
          ExpressionAttributeNames: { '#status': 'status', '#request': 'request', '#problem': 'problem' },
          ScanIndexForward: false,
          Limit: options.limit,
          ExclusiveStartKey: start,
        }),
      );
      const last = out.LastEvaluatedKey?.sk?.S;
      return { items: (out.Items ?? []).map(recordFromItem), nextCursor: last ? encodeCursor(last) : null };
    } catch (e) {
      throw translateDynamoError(e);
    }
  }
}

const StoredModelSchema = z.object({
  id: z.string(),
  datasetId: z.string(),
  state: StoredStateSchema,
  createdAt: z.string(),
  updatedAt: z.string(),
  request: z.record(z.string(), z.unknown()),
  problem: ModelProblemSchema.nullable(),
  progress: WorkProgressSchema.optional(),
});

function recordFromItem(item: Record<string, AttributeValue>): StoredModel {
  return StoredModelSchema.parse({
    id: item.id?.S,
    datasetId: item.datasetId?.S,
    state: item.status?.S,
    createdAt: item.createdAt?.S,
    updatedAt: item.updatedAt?.S,
    request: JSON.parse(item.request?.S ?? '{}'),
    problem: JSON.parse(item.problem?.S ?? 'null'),
    progress: progressOf(item),
  });
}
