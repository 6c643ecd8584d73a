/**
 * The composition root: builds stores, services and the HTTP app from configuration. The local
 * server, the Lambda entry and the tests all assemble Liftcast here, so they run the same code.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DatasetService } from './datasetService.js';
import { createApp } from './http/app.js';
import type { AuthSettings } from './http/identity.js';
import type { Logger } from './log.js';
import { DynamoDatasetStore } from './store/datasets.js';
import { IdempotencyStore } from './store/idempotency.js';

export interface Liftcast {
  app: ReturnType<typeof createApp>;
  datasets: { service: DatasetService; store: DynamoDatasetStore };
}

export function composeLiftcast(options: { db: DynamoDBClient; tableName: string; auth: AuthSettings; logger?: Logger; clock?: () => Date }): Liftcast {
  const store = new DynamoDatasetStore(options.db, options.tableName);
  const service = new DatasetService(store, new IdempotencyStore(options.db, options.tableName), options.clock);
  const datasets = { service, store };
  const app = createApp({ auth: options.auth, datasets, ...(options.logger ? { logger: options.logger } : {}) });
  return { app, datasets };
}
