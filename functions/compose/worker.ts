/**
 * The worker Lambda over the services (./services.ts): EventBridge delivers queued work and the
 * outbox sweep's schedule here (infra/worker.ts).
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { EventPublisher } from '../app/events.js';
import type { RequestScope } from '../log.js';
import type { MetricSink } from '../metrics.js';
import { createWorkerHandler } from '../worker/handler.js';
import { composeServices, workerServicesOf } from './services.js';

export interface WorkerOptions {
  db: DynamoDBClient;
  tableName: string;
  /** Where the worker's events go: EventBridge in AWS. */
  publisher: EventPublisher;
  /** The scope the worker's lines are logged in (each invocation runs in it). */
  scope: RequestScope;
  clock?: () => Date;
  /** Where the worker's metrics go. @default stdout (CloudWatch's Embedded Metric Format) */
  metrics?: MetricSink;
}

/** The worker Lambda's handler over the services. */
export function composeWorker(options: WorkerOptions) {
  const clock = options.clock ?? (() => new Date());
  const services = composeServices({ ...options, clock, logger: options.scope.logger });
  const handler = createWorkerHandler({ ...workerServicesOf(services), scope: options.scope, clock, ...(options.metrics ? { metrics: options.metrics } : {}) });
  return { services, handler };
}
