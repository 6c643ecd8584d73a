/**
 * The DynamoDB client and the table Liftcast keeps everything in (single-table design: `pk`/`sk`
 * strings, `expiresAt` as the TTL attribute, and the sparse `outbox` index). Keys always start from
 * the tenant, see `keys.ts`.
 */
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient, ResourceInUseException, ResourceNotFoundException, UpdateTableCommand, UpdateTimeToLiveCommand } from '@aws-sdk/client-dynamodb';
import { OUTBOX_AT_ATTRIBUTE, OUTBOX_ATTRIBUTE, OUTBOX_INDEX } from './outbox.js';

export interface DynamoSettings {
  endpoint?: string | undefined;
  region: string;
}

/**
 * A client for real DynamoDB (no endpoint) or DynamoDB Local (endpoint, with dummy credentials since
 * the emulator accepts any).
 */
export function createDynamoClient(settings: DynamoSettings): DynamoDBClient {
  return new DynamoDBClient({
    region: settings.region,
    ...(settings.endpoint
      ? { endpoint: settings.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } }
      : {}),
    maxAttempts: 5,
  });
}

const KEY_ATTRIBUTES = [
  { AttributeName: 'pk', AttributeType: 'S' as const },
  { AttributeName: 'sk', AttributeType: 'S' as const },
];
const OUTBOX_KEY_ATTRIBUTES = [
  { AttributeName: OUTBOX_ATTRIBUTE, AttributeType: 'S' as const },
  { AttributeName: OUTBOX_AT_ATTRIBUTE, AttributeType: 'S' as const },
];
/** The outbox's sparse index (functions/store/outbox.ts), as infra/table.ts declares it. */
const OUTBOX_INDEX_SPEC = {
  IndexName: OUTBOX_INDEX,
  KeySchema: [
    { AttributeName: OUTBOX_ATTRIBUTE, KeyType: 'HASH' as const },
    { AttributeName: OUTBOX_AT_ATTRIBUTE, KeyType: 'RANGE' as const },
  ],
  Projection: { ProjectionType: 'INCLUDE' as const, NonKeyAttributes: ['outboxEvent'] },
};

/** Waits (up to a minute) until the table is ACTIVE. */
async function waitActive(client: DynamoDBClient, tableName: string): Promise<void> {
  for (let i = 0; i < 600; i++) {
    const d = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (d.Table?.TableStatus === 'ACTIVE') return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`DynamoDB table ${tableName} did not become ACTIVE within a minute`);
}

/**
 * Creates the table when it does not exist (local development and tests; in AWS the CDK stack owns
 * it). Safe to call concurrently.
 */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    await client.send(new DescribeTableCommand({ TableName: tableName }));
  } catch (e) {
    if (!(e instanceof ResourceNotFoundException)) throw e;
    try {
      await client.send(
        new CreateTableCommand({
          TableName: tableName,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [...KEY_ATTRIBUTES, ...OUTBOX_KEY_ATTRIBUTES],
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
          GlobalSecondaryIndexes: [OUTBOX_INDEX_SPEC],
        }),
      );
    } catch (err) {
      if (!(err instanceof ResourceInUseException)) throw err;
    }
  }
  await waitActive(client, tableName);
  // A table made before the outbox existed (an older `.data/`) gets its index. It fills in the
  // background; writes need not wait for it, and only the worker's sweep reads it.
  const described = await client.send(new DescribeTableCommand({ TableName: tableName }));
  if (!described.Table?.GlobalSecondaryIndexes?.some((i) => i.IndexName === OUTBOX_INDEX)) {
    try {
      await client.send(
        new UpdateTableCommand({
          TableName: tableName,
          AttributeDefinitions: OUTBOX_KEY_ATTRIBUTES,
          GlobalSecondaryIndexUpdates: [{ Create: OUTBOX_INDEX_SPEC }],
        }),
      );
    } catch (err) {
      // Another process added it first.
      if (!(err instanceof ResourceInUseException) && !(err instanceof Error && /already exists/i.test(err.message))) throw err;
    }
    await waitActive(client, tableName);
  }
  try {
    await client.send(
      new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } }),
    );
  } catch {
    // Already enabled (DynamoDB rejects enabling twice); TTL only tidies expired idempotency records.
  }
}
