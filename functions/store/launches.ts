/**
 * DynamoDB adapter for launches (the forecast ledger).
 *
 * Item `T#<tenant>` / `LAUNCH#<id>` (ids sort by creation time, so listing newest first is a key-order
 * query): the ids it names and its dates as plain attributes; `forecast` and `initiative` (id, name,
 * effects) as small JSON the ledger reads; `reach` (where it reached and the initiative's target,
 * deflated JSON: a reach may list tens of thousands of accounts) that only a whole launch needs;
 * `endedOn` once ended; `evaluationStatus`, `evaluation` (JSON) and `triedWith` (the set of after
 * waves read against it) once a wave has been read against it.
 *
 * Every write is conditional: a launch is put once (`attribute_not_exists`), its end is set once
 * (`attribute_not_exists(endedOn)`), and an evaluation is stored only on a launch not yet
 * evaluated and not yet tried with that wave, carrying no undelivered event (an item holds one
 * owed event at a time: the `LaunchRecorded` still waiting must go out before a `LaunchEvaluated`
 * takes its place).
 */
import { deflateRawSync, inflateRawSync } from 'node:zlib';
import { ConditionalCheckFailedException, GetItemCommand, TransactionCanceledException, TransactWriteItemsCommand, UpdateItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import { TargetSchema } from '../../model/drivers/contract.js';
import { ConflictError, NotFoundError, TooLargeError } from '../app/errors.js';
import type { OutboxItem, PendingEvent } from '../app/events.js';
import type { IdempotencyCompletion } from '../app/idempotency.js';
import { EvaluationSchema, FrozenForecastSchema, FrozenInitiativeSchema, LaunchSchema, ReachSchema, type Evaluation, type Launch, type LaunchPage, type LedgerRecord } from '../app/launches/contract.js';
import type { LaunchStore, StoredLaunch } from '../app/launches/ports.js';
import { queryAll } from './bulk.js';
import { queryPage } from './cursor.js';
import { dynamoCall, translateDynamoError } from './dynamoErrors.js';
import { completionWrite } from './idempotency.js';
import { attributesOf, valuesOf } from './items.js';
import { keys } from './keys.js';
import { OUTBOX_ATTRIBUTE, outboxAttributes, pendingEventOf } from './outbox.js';

/** Largest deflated reach (a list of accounts); DynamoDB's item limit is 400 KB. */
const MAX_REACH_BYTES = 300_000;

/** The plain attributes of a launch item. */
const FLAT = ['id', 'scenarioId', 'scenarioVersion', 'initiativeId', 'modelId', 'datasetId', 'launchedOn', 'createdAt', 'updatedAt'] as const;
/** What the ledger reads: everything but the reach. */
const LEDGER_ATTRIBUTES = ['id', 'scenarioId', 'scenarioVersion', 'initiativeId', 'launchedOn', 'endedOn', 'forecast', 'initiative', 'evaluation'] as const;

const S = (s: string): AttributeValue => ({ S: s });
const ReachDocSchema = z.object({ reached: ReachSchema, target: TargetSchema.nullable() });
const InitiativeSchema = FrozenInitiativeSchema.omit({ target: true });

/** A ledger item's plain attributes; built once (building a zod schema per item took ~5 ms of a warm GET of 20 launches, parsing with one 0.1 ms). */
const LedgerKeysSchema = z.object({ id: z.string(), scenarioId: z.string(), scenarioVersion: z.number().int(), initiativeId: z.string(), launchedOn: z.string() });

export class DynamoLaunchStore implements LaunchStore {
  constructor(
    private readonly db: DynamoDBClient,
    private readonly table: string,
  ) {}

  private key(tenant: string, id: string): Record<string, AttributeValue> {
    return { pk: S(keys.tenant(tenant)), sk: S(keys.launchSk(id)) };
  }

  /** Where a launch lives (the outbox delivers the event waiting on it). */
  outboxItem(tenant: string, id: string): OutboxItem {
    return { pk: keys.tenant(tenant), sk: keys.launchSk(id) };
  }

  /** Puts a new launch with its `LaunchRecorded` (and any idempotency completion) in one transaction, or nothing. */
  async create(tenant: string, launch: Launch, event: PendingEvent, also: IdempotencyCompletion[] = []): Promise<void> {
    const { target, ...initiative } = launch.initiative;
    const reach = deflateRawSync(Buffer.from(JSON.stringify({ reached: launch.reached, target }), 'utf8'));
    if (reach.byteLength > MAX_REACH_BYTES)
      throw new TooLargeError(`The launch's reach is too large to store (${reach.byteLength} bytes compressed): list fewer accounts, or give a share of the target instead.`, {
        errors: [{ field: 'body.reached.accounts', reason: 'too many accounts to store' }],
      });
    const item: Record<string, AttributeValue> = {
      ...this.key(tenant, launch.id),
      entity: S('launch'),
      ...attributesOf(Object.fromEntries(FLAT.map((name) => [name, launch[name]]))),
      forecast: S(JSON.stringify(launch.forecast)),
      initiative: S(JSON.stringify(initiative)),
      reach: { B: reach },
      ...outboxAttributes(event),
    };
    try {
      await this.db.send(
        new TransactWriteItemsCommand({
          TransactItems: [{ Put: { TableName: this.table, Item: item, ConditionExpression: 'attribute_not_exists(pk)' } }, ...also.map((c) => completionWrite(this.table, c))],
        }),
      );
    } catch (e) {
      if (e instanceof TransactionCanceledException) throw new ConflictError(`Launch '${launch.id}' already exists.`, { cause: e });
      throw translateDynamoError(e);
    }
  }

  async get(tenant: string, id: string): Promise<Launch> {
    const out = await dynamoCall(() => this.db.send(new GetItemCommand({ TableName: this.table, Key: this.key(tenant, id), ConsistentRead: true })));
    if (!out.Item) throw new NotFoundError(`No launch '${id}'.`);
    return launchFromItem(out.Item);
  }

  async list(tenant: string, options: { limit: number; cursor?: string }): Promise<LaunchPage> {
    const page = await queryPage(this.db, this.table, { pk: keys.tenant(tenant), prefix: keys.launchPrefix, newestFirst: true, ...options });
    return { items: page.items.map(launchFromItem), nextCursor: page.nextCursor };
  }

  async all(tenant: string): Promise<StoredLaunch[]> {
    const out: StoredLaunch[] = [];
    for await (const item of queryAll(this.db, this.everyLaunch(tenant)))
      out.push({ ...launchFromItem(item), pending: pendingEventOf(item), triedWith: item.triedWith?.SS ?? [] });
    return out;
  }

  async ledger(tenant: string): Promise<LedgerRecord[]> {
    const names = Object.fromEntries(LEDGER_ATTRIBUTES.map((a, i) => [`#p${i}`, a]));
    const out: LedgerRecord[] = [];
    for await (const item of queryAll(this.db, { ...this.everyLaunch(tenant), ProjectionExpression: Object.keys(names).join(', '), ExpressionAttributeNames: names }))
      out.push({
        ...LedgerKeysSchema.parse(valuesOf(item, LEDGER_ATTRIBUTES)),
        endedOn: item.endedOn?.S ?? null,
        forecast: FrozenForecastSchema.parse(JSON.parse(item.forecast?.S ?? 'null')),
        initiative: InitiativeSchema.parse(JSON.parse(item.initiative?.S ?? 'null')),
        evaluation: evaluationOf(item),
      });
    return out;
  }

  async end(tenant: string, id: string, endedOn: string, now: string): Promise<boolean> {
    try {
      await this.db.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: this.key(tenant, id),
          UpdateExpression: 'SET endedOn = :ended, updatedAt = :now',
          // A launch ends once; the date the service checked against launchedOn is checked again here.
          ConditionExpression: 'attribute_exists(pk) AND attribute_not_exists(endedOn) AND launchedOn <= :ended',
          ExpressionAttributeValues: { ':ended': S(endedOn), ':now': S(now) },
        }),
      );
      return true;
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) return false;
      throw translateDynamoError(e);
    }
  }

  async evaluate(tenant: string, id: string, evaluation: Evaluation, now: string, event: PendingEvent): Promise<boolean> {
    const owed = outboxAttributes(event);
    const sets = Object.keys(owed).map((name, i) => `#o${i} = :o${i}`);
    try {
      await this.db.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: this.key(tenant, id),
          UpdateExpression: `SET evaluationStatus = :status, evaluation = :evaluation, updatedAt = :now, ${sets.join(', ')} ADD triedWith :tried`,
          // An evaluated launch is final; one a wave could not tell may be read against a later wave,
          // never twice against the same one (a redelivered event); and the item must not still owe
          // an event, which this write's own event would replace.
          ConditionExpression:
            'attribute_exists(pk) AND attribute_not_exists(#outbox) AND (attribute_not_exists(evaluationStatus) OR (evaluationStatus = :notEvaluable AND NOT contains(triedWith, :dataset)))',
          ExpressionAttributeNames: { '#outbox': OUTBOX_ATTRIBUTE, ...Object.fromEntries(Object.keys(owed).map((name, i) => [`#o${i}`, name])) },
          ExpressionAttributeValues: {
            ':status': S(evaluation.status),
            ':evaluation': S(JSON.stringify(EvaluationSchema.parse(evaluation))),
            ':now': S(now),
            ':tried': { SS: [evaluation.afterDatasetId] },
            ':dataset': S(evaluation.afterDatasetId),
            ':notEvaluable': S('not-evaluable'),
            ...Object.fromEntries(Object.values(owed).map((value, i) => [`:o${i}`, value])),
          },
        }),
      );
      return true;
    } catch (e) {
      if (e instanceof ConditionalCheckFailedException) return false;
      throw translateDynamoError(e);
    }
  }

  /** The query of every launch of a tenant, newest first. */
  private everyLaunch(tenant: string) {
    return {
      TableName: this.table,
      KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
      ExpressionAttributeValues: { ':pk': S(keys.tenant(tenant)), ':prefix': S(keys.launchPrefix) },
      ScanIndexForward: false,
      ConsistentRead: true,
    };
  }
}

function evaluationOf(item: Record<string, AttributeValue>): Evaluation | null {
  return item.evaluation?.S ? EvaluationSchema.parse(JSON.parse(item.evaluation.S)) : null;
}

function launchFromItem(item: Record<string, AttributeValue>): Launch {
  const reach = ReachDocSchema.parse(JSON.parse(inflateRawSync(item.reach!.B!).toString('utf8')));
  return LaunchSchema.parse({
    ...valuesOf(item, FLAT),
    endedOn: item.endedOn?.S ?? null,
    reached: reach.reached,
    initiative: { ...JSON.parse(item.initiative?.S ?? 'null'), target: reach.target },
    forecast: JSON.parse(item.forecast?.S ?? 'null'),
    evaluation: evaluationOf(item),
  });
}
