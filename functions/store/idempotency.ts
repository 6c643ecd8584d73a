/**
 * Idempotency records for creating requests (`Idempotency-Key` header, IETF
 * draft-ietf-httpapi-idempotency-key-header). A record remembers the request's fingerprint, the id
 * of the resource it creates and, once done, the response; it expires after a day (DynamoDB TTL).
 *
 * - first request: a `pending` record is written conditionally, the work runs, and the record turns
 *   `completed` in the same transaction that makes the resource visible;
 * - a retry after completion gets the first response again;
 * - a retry of a request that died half-way resumes it with the same resource id;
 * - the same key with a different body is refused (422).
 */
import { ConditionalCheckFailedException, GetItemCommand, PutItemCommand, type AttributeValue, type DynamoDBClient, type TransactWriteItem } from '@aws-sdk/client-dynamodb';
import { IdempotencyMismatchError, UnprocessableError } from '../app/errors.js';
import type { IdempotencyCompletion, IdempotencyPort, IdempotencyStart } from '../app/idempotency.js';
import { translateDynamoError } from './dynamoErrors.js';
import { keys } from './keys.js';

const TTL_SECONDS = 24 * 3600;

export class IdempotencyStore implements IdempotencyPort {
  constructor(
    private readonly db: DynamoDBClient,
    private readonly table: string,
  ) {}

  private key(tenant: string, operation: string, key: string): Record<string, AttributeValue> {
    return recordKey(tenant, operation, key);
  }

  /**
   * Looks without claiming: the first response when this key already completed with the same
   * request, `null` when the key is free or its request still pending. Lets a caller with costly
   * work to do (a forecast) replay before doing it, and write nothing when the work fails.
   */
  async completed(tenant: string, operation: string, key: string, fingerprint: string, now: number): Promise<{ status: number; body: unknown } | null> {
    let item: Record<string, AttributeValue> | undefined;
    try {
      item = (await this.db.send(new GetItemCommand({ TableName: this.table, Key: this.key(tenant, operation, key), ConsistentRead: true }))).Item;
    } catch (e) {
      throw translateDynamoError(e);
    }
    if (!item || Number(item.expiresAt?.N) <= now / 1000) return null;
    if (item.fingerprint?.S !== fingerprint) throw reused();
    return item.state?.S === 'completed' ? { status: Number(item.status!.N), body: JSON.parse(item.response!.S!) } : null;
  }

  /**
   * Claims `key` for this request, or tells the caller to replay or resume. `proposedId` is the
   * resource id to use when the key is new.
   */
  async start(tenant: string, operation: string, key: string, fingerprint: string, proposedId: string, now: number): Promise<IdempotencyStart> {
    for (let attempt = 0; attempt < 3; attempt++) {
      let item: Record<string, AttributeValue> | undefined;
      try {
        item = (await this.db.send(new GetItemCommand({ TableName: this.table, Key: this.key(tenant, operation, key), ConsistentRead: true }))).Item;
      } catch (e) {
        throw translateDynamoError(e);
      }
      if (item && Number(item.expiresAt?.N) > now / 1000) {
        if (item.fingerprint?.S !== fingerprint) throw reused();
        if (item.state?.S === 'completed')
          return { kind: 'replay', status: Number(item.status!.N), body: JSON.parse(item.response!.S!) };
        return { kind: 'proceed', resourceId: item.resourceId!.S! };
      }
      try {
        // Either no record, or an expired one DynamoDB has not swept yet: claim it conditionally.
        await this.db.send(
          new PutItemCommand({
            TableName: this.table,
            Item: {
              ...this.key(tenant, operation, key),
              entity: { S: 'idempotency' },
              state: { S: 'pending' },
              fingerprint: { S: fingerprint },
              resourceId: { S: proposedId },
              expiresAt: { N: String(Math.floor(now / 1000) + TTL_SECONDS) },
            },
            ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
            ExpressionAttributeValues: { ':now': { N: String(Math.floor(now / 1000)) } },
          }),
        );
        return { kind: 'proceed', resourceId: proposedId };
      } catch (e) {
        if (!(e instanceof ConditionalCheckFailedException)) throw translateDynamoError(e);
        // Someone claimed it between our read and write: read again.
      }
    }
    throw new UnprocessableError('This Idempotency-Key is being claimed by concurrent requests; retry.');
  }
}

function recordKey(tenant: string, operation: string, key: string): Record<string, AttributeValue> {
  return { pk: { S: keys.tenant(tenant) }, sk: { S: keys.idempotencySk(operation, key) } };
}

/**
 * The transaction item that marks a record completed with its response, for the store that writes
 * the resource: both appear together or not at all.
 */
export function completionWrite(table: string, c: IdempotencyCompletion): TransactWriteItem {
  return {
    Update: {
      TableName: table,
      Key: recordKey(c.tenant, c.operation, c.key),
      UpdateExpression: 'SET #state = :completed, #status = :status, #response = :response',
      ConditionExpression: '#state = :pending AND fingerprint = :fingerprint',
      ExpressionAttributeNames: { '#state': 'state', '#status': 'status', '#response': 'response' },
      ExpressionAttributeValues: {
        ':completed': { S: 'completed' },
        ':pending': { S: 'pending' },
        ':status': { N: String(c.status) },
        ':response': { S: JSON.stringify(c.body) },
        ':fingerprint': { S: c.fingerprint },
      },
    },
  };
}

function reused(): IdempotencyMismatchError {
  return new IdempotencyMismatchError('This Idempotency-Key was already used with a different request body.', {
    errors: [{ field: 'header.Idempotency-Key', reason: 'reused with a different request' }],
  });
}
