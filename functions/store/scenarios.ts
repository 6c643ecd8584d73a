/**
 * DynamoDB adapter for scenarios: a mutable head per scenario and an immutable item per version.
 *
 * Items (see `keys.ts`):
 * - head     `T#<tenant>` / `SCENARIO#<id>`: name, model, latest `version`, createdAt, updatedAt.
 *            Listing scenarios is a key-order query over heads only (ids sort by creation time).
 * - version  `T#<tenant>#SCENARIO#<id>` / `V#<version, zero-padded>`: the scenario as posted (with
 *            defaults applied) and its forecast, each deflated JSON. The scenario is written once and
 *            never changed. The forecast is written with it, or — for a scenario too large to forecast
 *            in a request — later, once, by the worker (`forecastStatus` `forecasting` → `ready` or
 *            `failed`, a conditional update that only a version still `forecasting` accepts).
 *
 * Versions live in their own partition rather than beside the heads so that listing scenarios never
 * reads (and pays for) version items, and listing or deleting one scenario's versions is one query.
 *
 * Every write is conditional. A new version is one transaction: the head moves from the version the
 * client read to the next (`version = :expected`), and the version item must not exist yet. Of any
 * number of concurrent updates from the same version exactly one commits; the others are told the
 * scenario changed (412), so no update is ever lost and the version numbers have no gaps.
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { ConditionalCheckFailedException, DeleteItemCommand, GetItemCommand, QueryCommand, TransactionCanceledException, TransactWriteItemsCommand, UpdateItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import { ForecastSchema, ScenarioInputSchema } from '../../model/scenario/contract.js';
import { ConflictError, NotFoundError, TooLargeError } from '../app/errors.js';
import type { OutboxItem, PendingEvent } from '../app/events.js';
import type { IdempotencyCompletion } from '../app/idempotency.js';
import type { WorkProgress } from '../app/lifecycle.js';
import { ForecastProblemSchema, ForecastStatusSchema, ScenarioHeadSchema, type NewVersion, type ScenarioHead, type ScenarioVersion, type ScenarioVersionSummary, staleVersionError } from '../app/scenarios/contract.js';
import type { ForecastOutcome, ScenarioStore } from '../app/scenarios/ports.js';
import { decodeCursor, encodeCursor } from './cursor.js';
import { deletePartition } from './bulk.js';
import { dynamoCall, translateDynamoError } from './dynamoErrors.js';
import { attributesOf, valuesOf } from './items.js';
import { keys } from './keys.js';
import { finishPending, progressOf, reportPending } from './outcomes.js';
import { completionWrite } from './idempotency.js';
import { outboxAttributes, pendingEventOf } from './outbox.js';

/** Largest stored version (scenario and forecast, compressed); DynamoDB's item limit is 400 KB. */
const MAX_VERSION_BYTES = 380_000;

/** Immutable versions kept in memory (least recently used first out). */
const VERSION_CACHE_SIZE = 256;
/** Attempts of an update that collides with another transaction in flight on the same head. */
const TRANSACTION_ATTEMPTS = 5;

const S = (s: string): AttributeValue => ({ S: s });
const N = (n: number): AttributeValue => ({ N: String(n) });

export class DynamoScenarioStore implements ScenarioStore {
  private readonly versionCache = new Map<string, ScenarioVersion>();

  constructor(
    private readonly db: DynamoDBClient,
    private readonly table: string,
  ) {}


  private headKey(tenant: string, id: string): Record<string, AttributeValue> {
    return { pk: S(keys.tenant(tenant)), sk: S(keys.scenarioSk(id)) };
  }

  private versionKey(tenant: string, id: string, version: number): Record<string, AttributeValue> {
    return { pk: S(keys.scenarioPartition(tenant, id)), sk: S(keys.scenarioVersionSk(version)) };
  }

  /** Where a version lives (the outbox delivers the event waiting on it). */
  outboxItem(tenant: string, id: string, version: number): OutboxItem {
    return { pk: keys.scenarioPartition(tenant, id), sk: keys.scenarioVersionSk(version) };
  }

  /**
   * Creates a scenario at version 1: head and first version appear together in one transaction
   * (with any extra item, e.g. the completion of an idempotency record), or not at all.
   */
  async create(tenant: string, head: ScenarioHead, first: ScenarioVersion, also: IdempotencyCompletion[] = [], event?: PendingEvent): Promise<void> {
    try {
      await this.db.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            { Put: { TableName: this.table, Item: headItem(tenant, head), ConditionExpression: 'attribute_not_exists(pk)' } },
            { Put: { TableName: this.table, Item: this.versionItem(tenant, first, event), ConditionExpression: 'attribute_not_exists(pk)' } },
            ...also.map((c) => completionWrite(this.table, c)),
          ],
        }),
      );
    } catch (e) {
      if (e instanceof TransactionCanceledException) throw new ConflictError(`Scenario '${head.id}' already exists.`, { cause: e });
      throw translateDynamoError(e);
    }
  }

  /**
   * Writes the version after `head` (as the caller read it), provided that is still the latest.
   * Throws {@link VersionConflictError} (with the current version) when another update got
   * there first, {@link NotFoundError} when the scenario is gone. Returns the new head.
   */
  async update(tenant: string, head: ScenarioHead, next: NewVersion, event?: (version: number) => PendingEvent): Promise<ScenarioHead> {
    const { id, version: expected } = head;
    const version: ScenarioVersion = { ...next, id, version: expected + 1, createdAt: head.createdAt };
    const item = this.versionItem(tenant, version, event?.(version.version));
    for (let attempt = 1; ; attempt++) {
      try {
        await this.db.send(
          new TransactWriteItemsCommand({
            TransactItems: [
              {
                Update: {
                  TableName: this.table,
                  Key: this.headKey(tenant, id),
                  UpdateExpression: 'SET version = :next, #name = :name, modelId = :model, updatedAt = :now',
                  // Version equality is the optimistic lock; a head being deleted takes no new version
                  // (its delete has already listed the versions it will remove).
                  ConditionExpression: 'version = :expected AND attribute_not_exists(deleting)',
                  ExpressionAttributeNames: { '#name': 'name' },
                  ExpressionAttributeValues: {
                    ':next': N(version.version),
                    ':expected': N(expected),
                    ':name': S(next.name),
                    ':model': S(next.modelId),
                    ':now': S(next.updatedAt),
                  },
                },
              },
              // Versions are immutable: never overwrite one.
              { Put: { TableName: this.table, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } },
            ],
          }),
        );
        return { id, name: next.name, modelId: next.modelId, version: version.version, createdAt: head.createdAt, updatedAt: next.updatedAt };
      } catch (e) {
        if (!(e instanceof TransactionCanceledException)) throw translateDynamoError(e);
        const codes = (e.CancellationReasons ?? []).map((r) => r.Code);
        if (codes.includes('ConditionalCheckFailed')) {
          const current = await this.findHead(tenant, id);
          if (!current) throw new NotFoundError(`No scenario '${id}'.`, { cause: e });
          throw staleVersionError(id, expected, current.version, e);
        }
        // Another transaction on the same head was in flight; it may yet fail, so try again: this
        // attempt then either commits or meets the version that transaction wrote.
        if (codes.includes('TransactionConflict') && attempt < TRANSACTION_ATTEMPTS) {
          await new Promise((r) => setTimeout(r, 10 * attempt + Math.random() * 20));
          continue;
        }
        throw translateDynamoError(e);
      }
    }
  }

  /** The head, or `null` when the scenario does not exist for this tenant (or is being deleted). */
  async findHead(tenant: string, id: string): Promise<ScenarioHead | null> {
    const out = await dynamoCall(() => this.db.send(new GetItemCommand({ TableName: this.table, Key: this.headKey(tenant, id), ConsistentRead: true })));
    return out.Item && !out.Item.deleting ? headFromItem(out.Item) : null;
  }

  async getHead(tenant: string, id: string): Promise<ScenarioHead> {
    const head = await this.findHead(tenant, id);
    if (!head) throw new NotFoundError(`No scenario '${id}'.`);
    return head;
  }

  /**
   * The latest version. The head and the newest version item are read in parallel (one round trip);
   * only when an update committed between the two reads is the head's version fetched again.
   */
  async getLatest(tenant: string, id: string): Promise<ScenarioVersion> {
    const head = await this.findHead(tenant, id);
    if (!head) throw new NotFoundError(`No scenario '${id}'.`);
    // Versions never change once written, so the latest one can be served from memory: a read is
    // then one small GetItem (the head), not a query of the large version item and its inflation.
    const key = `${tenant}\u0000${id}\u0000${head.version}`;
    const hit = this.versionCache.get(key);
    if (hit) {
      this.versionCache.delete(key);
      this.versionCache.set(key, hit);
      return hit;
    }
    const version = await this.readVersion(tenant, id, head.version);
    // A forecast still being computed will change once: only final versions are kept.
    if (version.forecastStatus === 'forecasting') return version;
    this.versionCache.set(key, version);
    if (this.versionCache.size > VERSION_CACHE_SIZE) this.versionCache.delete(this.versionCache.keys().next().value!);
    return version;
  }

  /** One version of a scenario that still exists. */
  async getVersion(tenant: string, id: string, version: number): Promise<ScenarioVersion> {
    const [head, found] = await Promise.all([this.findHead(tenant, id), this.findVersion(tenant, id, version)]);
    if (!head) throw new NotFoundError(`No scenario '${id}'.`);
    if (!found) throw new NotFoundError(`Scenario '${id}' has no version ${version}; its latest is ${head.version}.`);
    return found;
  }

  /**
   * Stores the worker's outcome on a version still `forecasting`: its forecast, or why it failed.
   * Returns false when the version has already left `forecasting` (a redelivered event, a deadline
   * that failed it) or is gone, so the outcome of the first writer stands.
   */
  finishForecast(tenant: string, id: string, version: number, outcome: ForecastOutcome): Promise<boolean> {
    return finishPending(
      this.db,
      this.table,
      this.versionKey(tenant, id, version),
      { attribute: 'forecastStatus', pending: 'forecasting' },
      outcome.status === 'ready'
        ? {
            status: 'ready',
            attribute: 'forecast',
            document: outcome.forecast,
            maxBytes: MAX_VERSION_BYTES,
            tooLarge: (bytes) => `The forecast is too large to store (${bytes} bytes compressed): use fewer initiatives, or a model with fewer segments.`,
          }
        : { status: 'failed', problem: ForecastProblemSchema.parse(outcome.problem) },
      outcome.status === 'ready' && outcome.event ? outboxAttributes(outcome.event) : {},
    );
  }

  /** Records where a queued forecast stands, only while the version is still `forecasting`. */
  forecastProgress(tenant: string, id: string, version: number, progress: WorkProgress): Promise<boolean> {
    return reportPending(this.db, this.table, this.versionKey(tenant, id, version), { attribute: 'forecastStatus', pending: 'forecasting' }, progress);
  }

  /** One version as stored, with the event still waiting on it (if any); `null` when it does not exist. */
  async findVersionForWorker(tenant: string, id: string, version: number): Promise<(ScenarioVersion & { pending: PendingEvent | null }) | null> {
    const out = await dynamoCall(() =>
      this.db.send(new GetItemCommand({ TableName: this.table, Key: this.versionKey(tenant, id, version), ConsistentRead: true })),
    );
    return out.Item ? { ...versionFromItem(out.Item), pending: pendingEventOf(out.Item) } : null;
  }

  private async findVersion(tenant: string, id: string, version: number): Promise<ScenarioVersion | null> {
    const out = await dynamoCall(() =>
      this.db.send(new GetItemCommand({ TableName: this.table, Key: this.versionKey(tenant, id, version), ConsistentRead: true })),
    );
    return out.Item ? versionFromItem(out.Item) : null;
  }

  private async readVersion(tenant: string, id: string, version: number): Promise<ScenarioVersion> {
    const found = await this.findVersion(tenant, id, version);
    // The head names a version written in the same transaction, so only a concurrent delete explains this.
    if (!found) throw new NotFoundError(`No scenario '${id}'.`);
    return found;
  }

  /** Versions oldest first, without their forecasts, `limit` at a time. */
  async listVersions(tenant: string, id: string, options: { limit: number; cursor?: string }): Promise<{ items: ScenarioVersionSummary[]; nextCursor: string | null }> {
    const pk = S(keys.scenarioPartition(tenant, id));
    const start = options.cursor !== undefined ? { pk, sk: S(decodeCursor(options.cursor, keys.scenarioVersionPrefix)) } : undefined;
    const [head, out] = await Promise.all([
      this.findHead(tenant, id),
      dynamoCall(() =>
        this.db.send(
          new QueryCommand({
            TableName: this.table,
            KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
            ExpressionAttributeValues: { ':pk': pk, ':prefix': S(keys.scenarioVersionPrefix) },
            // The forecast is most of an item; a listing leaves it behind. `name` is a reserved word.
            ProjectionExpression: 'sk, id, version, #name, modelId, createdAt, updatedAt, scenario, forecastStatus, problem, progress',
            ExpressionAttributeNames: { '#name': 'name' },
            Limit: options.limit,
            ExclusiveStartKey: start,
            ConsistentRead: true,
          }),
        ),
      ),
    ]);
    if (!head) throw new NotFoundError(`No scenario '${id}'.`);
    // A version written after the head was read is left for the next read, so the list and the head agree.
    const items = (out.Items ?? []).map(versionSummaryFromItem).filter((v) => v.version <= head.version);
    const last = out.LastEvaluatedKey?.sk?.S;
    return { items, nextCursor: last && items.at(-1)?.version !== head.version ? encodeCursor(last) : null };
  }

  /** Scenario heads newest first; the cursor is opaque to clients and bound to the tenant. */
  async list(tenant: string, options: { limit: number; cursor?: string }): Promise<{ items: ScenarioHead[]; nextCursor: string | null }> {
    const start = options.cursor !== undefined ? { pk: S(keys.tenant(tenant)), sk: S(decodeCursor(options.cursor, keys.scenarioPrefix)) } : undefined;
    const out = await dynamoCall(() =>
      this.db.send(
        new QueryCommand({
          TableName: this.table,
          KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
          ExpressionAttributeValues: { ':pk': S(keys.tenant(tenant)), ':prefix': S(keys.scenarioPrefix) },
          ScanIndexForward: false,
          Limit: options.limit,
          ExclusiveStartKey: start,
        }),
      ),
    );
    const items = (out.Items ?? []).filter((i) => !i.deleting).map(headFromItem);
    const last = out.LastEvaluatedKey?.sk?.S;
    return { items, nextCursor: last ? encodeCursor(last) : null };
  }

  /**
   * Deletes a scenario and every version. The head is first marked `deleting` (the scenario vanishes
   * from reads at once and takes no new version), then the versions go, then the head; a DELETE
   * interrupted half-way can simply be repeated.
   */
  async delete(tenant: string, id: string): Promise<void> {
    try {
      await this.db.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: this.headKey(tenant, id),
          UpdateExpression: 'SET deleting = :true',
          ConditionExpression: 'attribute_exists(pk)',
          ExpressionAttributeValues: { ':true': { BOOL: true } },
        }),
      );
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) throw new NotFoundError(`No scenario '${id}'.`, { cause: e });
      throw translateDynamoError(e);
    }
    // No update can add a version once the head is marked, so this query sees every version.
    await deletePartition(this.db, this.table, keys.scenarioPartition(tenant, id));
    await dynamoCall(() =>
      this.db.send(
        new DeleteItemCommand({ TableName: this.table, Key: this.headKey(tenant, id), ConditionExpression: 'deleting = :true', ExpressionAttributeValues: { ':true': { BOOL: true } } }),
      ),
    );
  }

  private versionItem(tenant: string, v: ScenarioVersion, event?: PendingEvent): Record<string, AttributeValue> {
    const scenario = deflateRawSync(Buffer.from(JSON.stringify(v.scenario), 'utf8'));
    const forecast = v.forecast ? deflateRawSync(Buffer.from(JSON.stringify(v.forecast), 'utf8')) : null;
    const bytes = scenario.byteLength + (forecast?.byteLength ?? 0);
    if (bytes > MAX_VERSION_BYTES)
      throw new TooLargeError(
        `The scenario and its forecast are too large to store (${bytes} bytes compressed): use fewer initiatives, or a model with fewer segments.`,
      );
    return {
      ...this.versionKey(tenant, v.id, v.version),
      entity: S('scenario-version'),
      id: S(v.id),
      version: N(v.version),
      name: S(v.name),
      modelId: S(v.modelId),
      createdAt: S(v.createdAt),
      updatedAt: S(v.updatedAt),
      scenario: { B: scenario },
      forecastStatus: S(v.forecastStatus),
      ...(forecast ? { forecast: { B: forecast } } : {}),
      ...(v.problem ? { problem: S(JSON.stringify(v.problem)) } : {}),
      ...(event ? outboxAttributes(event) : {}),
    };
  }


}

function headItem(tenant: string, h: ScenarioHead): Record<string, AttributeValue> {
  return { pk: S(keys.tenant(tenant)), sk: S(keys.scenarioSk(h.id)), entity: S('scenario'), ...attributesOf(h) };
}

function headFromItem(item: Record<string, AttributeValue>): ScenarioHead {
  return ScenarioHeadSchema.parse(valuesOf(item, Object.keys(ScenarioHeadSchema.shape)));
}

function inflateJson(value: AttributeValue | undefined): unknown {
  if (!value?.B) return undefined;
  return JSON.parse(inflateRawSync(value.B).toString('utf8'));
}

function versionSummaryFromItem(item: Record<string, AttributeValue>): ScenarioVersionSummary {
  return {
    id: z.string().parse(item.id?.S),
    version: z.number().int().min(1).parse(Number(item.version?.N)),
    name: z.string().parse(item.name?.S),
    modelId: z.string().parse(item.modelId?.S),
    createdAt: z.string().parse(item.createdAt?.S),
    updatedAt: z.string().parse(item.updatedAt?.S),
    scenario: ScenarioInputSchema.parse(inflateJson(item.scenario)),
    // Versions written before forecasts could be queued have no status: theirs is ready.
    forecastStatus: ForecastStatusSchema.parse(item.forecastStatus?.S ?? 'ready'),
    ...(item.problem?.S ? { problem: ForecastProblemSchema.parse(JSON.parse(item.problem.S)) } : {}),
    ...withProgress(item),
  };
}


/** A forecasting version's progress, as its worker last reported it (nothing once it is final). */
function withProgress(item: Record<string, AttributeValue>): { progress?: WorkProgress } {
  const progress = item.forecastStatus?.S === 'forecasting' ? progressOf(item) : undefined;
  return progress ? { progress } : {};
}

function versionFromItem(item: Record<string, AttributeValue>): ScenarioVersion {
  return { ...versionSummaryFromItem(item), forecast: item.forecast?.B ? ForecastSchema.parse(inflateJson(item.forecast)) : null };
}
