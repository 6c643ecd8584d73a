/**
 * The end of asynchronous work on an item, shared by models (a queued fit), scenario versions (a
 * queued forecast) and optimisations: the one conditional write that moves the item from its
 * pending status to `ready` with a deflated document or to `failed` with a problem (with any other
 * attributes, such as the event the outcome owes, in the same write); and, before it, the
 * progress reports only a pending item accepts.
 */
import { deflateRawSync } from 'node:zlib';
import { ConditionalCheckFailedException, TransactionCanceledException, TransactWriteItemsCommand, UpdateItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { TooLargeError, type ConflictError } from '../app/errors.js';
import { WorkProgressSchema, type WorkProgress } from '../app/lifecycle.js';
import { translateDynamoError } from './dynamoErrors.js';

/**
 * Where an item's status lives and how the item spells the lifecycle's states (functions/app/
 * lifecycle.ts): a model stores `fitting` for `pending`, a scenario version `forecasting`, an
 * optimisation `running` — the words its API shows, kept as they were first stored.
 */
export interface PendingStatus {
  attribute: string;
  pending: string;
}

/** What the work produced: a document to store under `attribute`, or the problem that stopped it. */
export type Outcome =
  | { status: 'ready'; attribute: string; document: unknown; maxBytes: number; tooLarge: (bytes: number) => string }
  | { status: 'failed'; problem: unknown };

/**
 * Another item that must still be as the work found it when the outcome is written — the dataset a
 * model was fitted on must still be sealed, not being deleted — checked in the same transaction.
 */
export interface Requirement {
  key: Record<string, AttributeValue>;
  condition: string;
  names?: Record<string, string>;
  values?: Record<string, AttributeValue>;
  /** The problem when it no longer holds (nothing is then written). */
  failure: () => ConflictError;
}

/**
 * Stores `outcome` on the item at `key` if it is still pending, with any `also` attributes set in
 * the same write. Returns false when it is not (another writer finished it first, or it is gone):
 * the first outcome stands. A document over `maxBytes` deflated is a {@link TooLargeError}
 * with the caller's message, and nothing is written. With `requires`, the write happens only while
 * that item meets its condition; otherwise nothing is written and `requires.failure()` is thrown.
 */
export async function finishPending(
  db: DynamoDBClient,
  table: string,
  key: Record<string, AttributeValue>,
  status: PendingStatus,
  outcome: Outcome,
  also: Record<string, AttributeValue> = {},
  requires?: Requirement,
): Promise<boolean> {
  const names: Record<string, string> = { '#status': status.attribute };
  const values: Record<string, AttributeValue> = { ':status': { S: outcome.status }, ':pending': { S: status.pending } };
  const sets = ['#status = :status'];
  const set = (attribute: string, value: AttributeValue): void => {
    const i = sets.length;
    names[`#a${i}`] = attribute;
    values[`:a${i}`] = value;
    sets.push(`#a${i} = :a${i}`);
  };
  for (const [attribute, value] of Object.entries(also)) set(attribute, value);
  if (outcome.status === 'ready') {
    const bytes = deflateRawSync(Buffer.from(JSON.stringify(outcome.document), 'utf8'));
    if (bytes.byteLength > outcome.maxBytes) throw new TooLargeError(outcome.tooLarge(bytes.byteLength));
    set(outcome.attribute, { B: bytes });
  } else set('problem', { S: JSON.stringify(outcome.problem) });
  const update = {
    TableName: table,
    Key: key,
    UpdateExpression: `SET ${sets.join(', ')}`,
    ConditionExpression: '#status = :pending',
    ExpressionAttributeNames: names,
    ExpressionAttributeValues: values,
  };
  if (requires) return finishRequiring(db, table, update, requires);
  try {
    await db.send(new UpdateItemCommand(update));
    return true;
  } catch (e) {
    if (e instanceof ConditionalCheckFailedException) return false;
    throw translateDynamoError(e);
  }
}

/** The outcome's update and the requirement's check, in one transaction. */
async function finishRequiring(
  db: DynamoDBClient,
  table: string,
  update: { Key: Record<string, AttributeValue>; UpdateExpression: string; ConditionExpression: string; ExpressionAttributeNames: Record<string, string>; ExpressionAttributeValues: Record<string, AttributeValue> },
  requires: Requirement,
): Promise<boolean> {
  try {
    await db.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          {
            ConditionCheck: {
              TableName: table,
              Key: requires.key,
              ConditionExpression: requires.condition,
              ...(requires.names ? { ExpressionAttributeNames: requires.names } : {}),
              ...(requires.values ? { ExpressionAttributeValues: requires.values } : {}),
            },
          },
          { Update: { TableName: table, ...update } },
        ],
      }),
    );
    return true;
  } catch (e) {
    if (!(e instanceof TransactionCanceledException)) throw translateDynamoError(e);
    const [check, own] = e.CancellationReasons ?? [];
    if (check?.Code === 'ConditionalCheckFailed') throw requires.failure();
    if (own?.Code === 'ConditionalCheckFailed') return false;
    throw translateDynamoError(e);
  }
}

/**
 * Records where pending work stands (`progress`: `{ stage, done }` as a map) on the item at `key`,
 * only while it is still pending — a report racing the outcome's write never lands on finished work.
 * Returns false when the item is no longer pending (or gone).
 */
export async function reportPending(db: DynamoDBClient, table: string, key: Record<string, AttributeValue>, status: PendingStatus, progress: WorkProgress): Promise<boolean> {
  try {
    await db.send(
      new UpdateItemCommand({
        TableName: table,
        Key: key,
        UpdateExpression: 'SET #progress = :progress',
        ConditionExpression: '#status = :pending',
        ExpressionAttributeNames: { '#progress': 'progress', '#status': status.attribute },
        ExpressionAttributeValues: { ':progress': { M: { stage: { S: progress.stage }, done: { N: String(progress.done) } } }, ':pending': { S: status.pending } },
      }),
    );
    return true;
  } catch (e) {
    if (e instanceof ConditionalCheckFailedException) return false;
    throw translateDynamoError(e);
  }
}

/** The progress an item carries (see {@link reportPending}), or `undefined`. */
export function progressOf(item: Record<string, AttributeValue>): WorkProgress | undefined {
  const m = item.progress?.M;
  if (!m) return undefined;
  const parsed = WorkProgressSchema.safeParse({ stage: m.stage?.S, done: Number(m.done?.N) });
  return parsed.success ? parsed.data : undefined;
}
