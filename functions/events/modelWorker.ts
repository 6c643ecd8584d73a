/**
 * The model worker: fits a driver model when a `ModelFitRequested` event arrives from EventBridge,
 * in a Lambda function of its own (functions/lambda/modelWorker.ts), so a fit of a million
 * respondents never runs inside a 29-second API request.
 *
 * What happens to each kind of event:
 * - **valid, model still `fitting`**: fitted; the model becomes `ready`, or `failed` with a problem
 *   when the data cannot support it; `ModelFitted` is published.
 * - **redelivered** (EventBridge and Lambda deliver at least once): `ModelService.fitInWorker` sees the
 *   model has left `fitting` and does nothing, so a second delivery is harmless.
 * - **transient failure** (DynamoDB or EventBridge unavailable, throttled): logged and rethrown. Lambda's
 *   asynchronous invocation retries it with backoff, then hands it to the failure queue (DLQ).
 * - **poison** (breaks the contract in events/contracts.ts, or is not a `ModelFitRequested`): logged with
 *   the reason and thrown as a {@link PoisonEventError}. Lambda cannot be told that an error is final,
 *   so the retries repeat (each fails in a millisecond, before any I/O) and the event then lands in
 *   the same failure queue, whose record carries `errorType: PoisonEventError` and the reason. We
 *   chose that over sending it to SQS from here: one failure path for every bad event, no SQS client
 *   in the bundle and no `sqs:SendMessage` permission on the function.
 */
import middy, { type MiddlewareObj } from '@middy/core';
import { AsyncLocalStorage } from 'node:async_hooks';
import { EVENT_SCHEMAS, EnvelopeSchema, type ModelFitRequested } from '../../events/contracts.js';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Logger } from '../log.js';
import { emitMetrics, stdoutSink, type MetricSink } from '../metrics.js';
import { ModelService } from '../modelService.js';
import { DynamoDatasetStore } from '../store/datasets.js';
import { DynamoModelStore } from '../store/models.js';
import type { EventPublisher } from './bus.js';

/** The part of the Lambda context the worker reads. */
export interface WorkerContext {
  awsRequestId: string;
  /** Present in Lambda; middy uses it to stop just before the function's timeout. */
  getRemainingTimeInMillis?: () => number;
}

/** One problem with a poison event, located by its path in the envelope (`detail.modelId`). */
export interface PoisonIssue {
  path: string;
  message: string;
}

/**
 * An event that can never succeed: it breaks its contract or was routed to the wrong worker.
 * Retrying cannot help; the failure queue keeps it for a person to look at.
 */
export class PoisonEventError extends Error {
  /** Never worth retrying (read by the logs and by anyone inspecting the failure queue). */
  readonly retryable = false;

  constructor(
    message: string,
    readonly issues: PoisonIssue[],
  ) {
    super(`${message}: ${issues.map((i) => `${i.path || '(event)'}: ${i.message}`).join('; ')}`);
    this.name = 'PoisonEventError';
  }
}

/**
 * A logger whose every line carries the fields of the invocation it runs in (request id, event id),
 * including lines written deep inside the services, which know nothing of Lambda.
 */
export class RequestScope {
  private readonly storage = new AsyncLocalStorage<Record<string, unknown>>();
  readonly logger: Logger;

  constructor(base: Logger) {
    this.logger = { log: (level, message, fields = {}) => base.log(level, message, { ...this.storage.getStore(), ...fields }) };
  }

  /** Runs `work` with `fields` added to every line logged through {@link RequestScope.logger}. */
  run<T>(fields: Record<string, unknown>, work: () => Promise<T>): Promise<T> {
    return this.storage.run({ ...this.storage.getStore(), ...fields }, work);
  }
}

/**
 * Checks an EventBridge envelope and its detail against the `ModelFitRequested` contract.
 * @throws PoisonEventError listing every problem, each with its path
 */
export function parseModelFitRequested(raw: unknown): ModelFitRequested {
  const envelope = EnvelopeSchema.safeParse(raw);
  if (!envelope.success) throw new PoisonEventError('not a Liftcast EventBridge event', issuesOf(envelope.error.issues));
  if (envelope.data['detail-type'] !== 'ModelFitRequested')
    throw new PoisonEventError('routed to the model worker by mistake', [
      { path: 'detail-type', message: `expected ModelFitRequested, got ${envelope.data['detail-type']}` },
    ]);
  const detail = EVENT_SCHEMAS.ModelFitRequested.safeParse(envelope.data.detail);
  if (!detail.success) throw new PoisonEventError('ModelFitRequested breaks its contract', issuesOf(detail.error.issues, 'detail'));
  return detail.data;
}

function issuesOf(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>, prefix?: string): PoisonIssue[] {
  return issues.map((i) => ({ path: [...(prefix ? [prefix] : []), ...i.path.map(String)].join('.'), message: i.message }));
}

function envelopeId(event: unknown): string | undefined {
  return typeof event === 'object' && event !== null && 'id' in event && typeof event.id === 'string' ? event.id : undefined;
}

/**
 * Logs the start, end and failure of every invocation with the request and event ids, so one
 * CloudWatch Logs Insights query (`filter requestId = …`) shows an event's whole story.
 */
function invocationLog(logger: Logger, sink: MetricSink): MiddlewareObj<unknown, void, Error, WorkerContext> {
  const dimensions = { Function: 'modelWorker' };
  const started = new WeakMap<object, number>();
  const ids = (request: { event: unknown; context: WorkerContext }) => ({ requestId: request.context.awsRequestId, eventId: envelopeId(request.event) });
  return {
    before: (request) => {
      started.set(request, performance.now());
      logger.log('info', 'event received', ids(request));
    },
    after: (request) => {
      const durationMs = Math.round(performance.now() - (started.get(request) ?? 0));
      logger.log('info', 'event handled', { ...ids(request), durationMs });
      emitMetrics(dimensions, { EventsHandled: [1, 'Count'], HandlerDuration: [durationMs, 'Milliseconds'] }, sink);
    },
    onError: (request) => {
      const error = request.error;
      if (error instanceof PoisonEventError) logger.log('error', 'poison event: not retried by us, it goes to the failure queue', { ...ids(request), reason: error.message, issues: error.issues });
      else logger.log('error', 'event failed: it will be retried, then sent to the failure queue', { ...ids(request), error });
      emitMetrics(dimensions, { [error instanceof PoisonEventError ? 'PoisonEvents' : 'FailedEvents']: [1, 'Count'] }, sink);
      // Returning nothing lets middy rethrow the error, which is what makes Lambda retry.
    },
  };
}

export interface ModelWorkerDeps {
  /** The service whose `fitInWorker` does the work (idempotent). */
  models: Pick<ModelService, 'fitInWorker'>;
  /** The scope whose logger the services were built with, so their lines carry the request id. */
  scope: RequestScope;
  /**
   * How long before the Lambda timeout to give up with a logged `TimeoutError` (then retried).
   * @default 10_000
   */
  timeoutEarlyMs?: number;
  /** Where the worker's CloudWatch metrics (EMF lines) go. @default stdout */
  metrics?: MetricSink;
}

/**
 * The worker's Lambda handler for EventBridge `ModelFitRequested` events, wrapped with middy.
 * Resolves when the event is handled (or was already); rejects to ask for a retry, or with a
 * {@link PoisonEventError} for an event no retry can fix.
 *
 * @example
 * export const handler = createModelWorkerHandler({ models, scope });
 */
export function createModelWorkerHandler(deps: ModelWorkerDeps) {
  return middy<unknown, void, Error, WorkerContext>(
    async (event: unknown, context: WorkerContext) => {
      const detail = parseModelFitRequested(event);
      await deps.scope.run({ requestId: context.awsRequestId, eventId: envelopeId(event), tenant: detail.tenant, modelId: detail.modelId }, () =>
        deps.models.fitInWorker(detail),
      );
    },
    { timeoutEarlyInMillis: deps.timeoutEarlyMs ?? 10_000 },
  ).use(invocationLog(deps.scope.logger, deps.metrics ?? stdoutSink));
}

export interface ModelWorkerOptions {
  db: DynamoDBClient;
  tableName: string;
  /** Where `ModelFitted` goes: EventBridge in AWS. */
  publisher: EventPublisher;
  logger: Logger;
  clock?: () => Date;
}

/**
 * The worker's composition root: just the stores and the model service, without the HTTP app, so
 * the worker's bundle carries no Hono, OpenAPI or Swagger UI.
 */
export function composeModelWorker(options: ModelWorkerOptions): ModelService {
  const datasets = new DynamoDatasetStore(options.db, options.tableName);
  const models = new DynamoModelStore(options.db, options.tableName);
  return new ModelService(datasets, models, options.publisher, options.clock, { logger: options.logger });
}
