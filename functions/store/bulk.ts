/**
 * The multi-call DynamoDB operations the stores share: every item a query matches across its pages,
 * a batch write retried until DynamoDB has processed every request, and the deletion of a whole
 * partition (a dataset's chunks, a scenario's versions).
 */
import { BatchWriteItemCommand, QueryCommand, type AttributeValue, type DynamoDBClient, type QueryCommandInput, type WriteRequest } from '@aws-sdk/client-dynamodb';
import { dynamoCall } from './dynamoErrors.js';

/** Every item a query matches, across pages. */
export async function* queryAll(db: DynamoDBClient, input: QueryCommandInput): AsyncGenerator<Record<string, AttributeValue>> {
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await dynamoCall(() => db.send(new QueryCommand({ ...input, ExclusiveStartKey: start })));
    yield* page.Items ?? [];
    start = page.LastEvaluatedKey;
  } while (start);
}

/**
 * Writes (deletes) up to 25 requests in one batch, resending what DynamoDB leaves unprocessed with
 * exponential backoff (25 ms doubling, at most 1 s) for up to 10 retries.
 */
export async function batchWriteAll(db: DynamoDBClient, table: string, requests: WriteRequest[]): Promise<void> {
  let pending = requests;
  for (let attempt = 0; pending.length > 0; attempt++) {
    if (attempt > 10) throw new Error('DynamoDB left deletes unprocessed after 10 retries');
    if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000, 25 * 2 ** attempt)));
    const out = await dynamoCall(() => db.send(new BatchWriteItemCommand({ RequestItems: { [table]: pending } })));
    pending = out.UnprocessedItems?.[table] ?? [];
  }
}

/**
 * Deletes every item of partition `pk`, 25 at a time. Unconditional (BatchWriteItem takes no
 * condition): callers first mark the parent item `deleting`, so no other request can reach these.
 */
export async function deletePartition(db: DynamoDBClient, table: string, pk: string): Promise<void> {
  let requests: WriteRequest[] = [];
  for await (const item of queryAll(db, {
    TableName: table,
    KeyConditionExpression: 'pk = :pk',
    ExpressionAttributeValues: { ':pk': { S: pk } },
    ProjectionExpression: 'pk, sk',
    ConsistentRead: true,
  })) {
    requests.push({ DeleteRequest: { Key: { pk: item.pk!, sk: item.sk! } } });
    if (requests.length === 25) {
      await batchWriteAll(db, table, requests);
      requests = [];
    }
  }
  if (requests.length > 0) await batchWriteAll(db, table, requests);
}
