/**
 * Pagination cursors: the sort key of the last item of a page, base64url-encoded. The partition key
 * is never in the cursor (it always comes from the caller's tenant), so a cursor cannot lead into
 * another tenant's items. {@link queryPage} runs one page of a key-order listing with them.
 */
import { QueryCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { ValidationError } from '../app/errors.js';
import { dynamoCall } from './dynamoErrors.js';

export function encodeCursor(sk: string): string {
  return Buffer.from(sk, 'utf8').toString('base64url');
}

/** The sort key in `cursor`, which must lie among keys starting with `prefix`. */
export function decodeCursor(cursor: string, prefix: string): string {
  const sk = /^[A-Za-z0-9_-]{1,400}$/.test(cursor) ? Buffer.from(cursor, 'base64url').toString('utf8') : '';
  if (!sk.startsWith(prefix)) throw new ValidationError('The cursor is not valid.', { errors: [{ field: 'query.cursor', reason: 'not a cursor returned by this API' }] });
  return sk;
}

/** One page of the items of partition `pk` whose sort keys start with `prefix`. */
export interface PageQuery {
  pk: string;
  prefix: string;
  limit: number;
  /** A cursor from an earlier page of the same query. */
  cursor?: string;
  /** Descending sort-key order: ids sort by creation time, so this is newest first. @default false */
  newestFirst?: boolean;
  /** Attributes to read (a listing leaves large documents behind), with names for reserved words. */
  projection?: { expression: string; names?: Record<string, string> };
}

/**
 * A page of a key-order query, with the cursor of the next page (`null` after the last). The
 * cursor holds the sort key alone; the partition always comes from the caller's tenant.
 */
export async function queryPage(db: DynamoDBClient, table: string, q: PageQuery): Promise<{ items: Record<string, AttributeValue>[]; nextCursor: string | null }> {
  const start = q.cursor !== undefined ? { pk: { S: q.pk }, sk: { S: decodeCursor(q.cursor, q.prefix) } } : undefined;
  const out = await dynamoCall(() =>
    db.send(
      new QueryCommand({
        TableName: table,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': { S: q.pk }, ':prefix': { S: q.prefix } },
        ...(q.projection ? { ProjectionExpression: q.projection.expression, ...(q.projection.names ? { ExpressionAttributeNames: q.projection.names } : {}) } : {}),
        ScanIndexForward: !q.newestFirst,
        Limit: q.limit,
        ExclusiveStartKey: start,
      }),
    ),
  );
  const last = out.LastEvaluatedKey?.sk?.S;
  return { items: out.Items ?? [], nextCursor: last ? encodeCursor(last) : null };
}
