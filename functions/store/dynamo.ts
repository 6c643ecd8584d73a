/**
 * The DynamoDB client and the table Liftcast keeps everything in (single-table design: `pk`/`sk`
 * strings, `expiresAt` as the TTL attribute). Keys always start from the tenant, see `keys.ts`.
 */
import {
  CreateTableCommand,
  DescribeTableCommand,
  DynamoDBClient,
  ResourceInUseException,
  ResourceNotFoundException,
  UpdateTimeToLiveCommand,
} from '@aws-sdk/client-dynamodb';

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

/**
 * Creates the table when it does not exist (local development and tests; in AWS the CDK stack owns
 * it). Safe to call concurrently.
 */
export async function ensureTable(client: DynamoDBClient, tableName: string): Promise<void> {
  try {
    const d = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (d.Table?.TableStatus === 'ACTIVE') return;
  } catch (e) {
    if (!(e instanceof ResourceNotFoundException)) throw e;
    try {
      await client.send(
        new CreateTableCommand({
          TableName: tableName,
          BillingMode: 'PAY_PER_REQUEST',
          AttributeDefinitions: [
            { AttributeName: 'pk', AttributeType: 'S' },
            { AttributeName: 'sk', AttributeType: 'S' },
          ],
          KeySchema: [
            { AttributeName: 'pk', KeyType: 'HASH' },
            { AttributeName: 'sk', KeyType: 'RANGE' },
          ],
        }),
      );
    } catch (err) {
      if (!(err instanceof ResourceInUseException)) throw err;
    }
  }
  for (let i = 0; i < 100; i++) {
    const d = await client.send(new DescribeTableCommand({ TableName: tableName }));
    if (d.Table?.TableStatus === 'ACTIVE') break;
    await new Promise((r) => setTimeout(r, 100));
  }
  try {
    await client.send(
      new UpdateTimeToLiveCommand({ TableName: tableName, TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true } }),
    );
  } catch {
    // Already enabled (DynamoDB rejects enabling twice); TTL only tidies expired idempotency records.
  }
}
