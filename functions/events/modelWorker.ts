/**
 * The worker: fits a driver model when a `ModelFitRequested` event arrives from EventBridge,
 * forecasts a large scenario version on `ScenarioForecastRequested` and searches its portfolios on
 * `OptimizationRequested`, in a Lambda function of its own
 * (functions/lambda/modelWorker.ts), so neither a fit of a million respondents nor a forecast of
 * many initiatives on them runs inside a 29-second API request. Every 5 minutes EventBridge's schedule
 * also has it sweep the outbox (functions/store/outbox.ts): deliver the events whose first publish
 * failed. The same rules hold for every event (the scenario's side is
 * `ScenarioService.forecastInWorker`, the optimisation's `PortfolioService.optimizeInWorker`):
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
import { z } from 'zod';
import { EVENT_SCHEMAS, EnvelopeSchema, type ModelFitRequested, type OptimizationRequested, type ScenarioForecastRequested } from '../../events/contracts.js';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Logger, RequestScope } from '../log.js';

export { RequestScope } from '../log.js';
import { emitMetrics, stdoutSink, type MetricSink } from '../metrics.js';
import { ModelService } from '../modelService.js';
import { PortfolioService } from '../portfolioService.js';
import { ScenarioService } from '../scenarioService.js';
import { DynamoDatasetStore } from '../store/datasets.js';
import { IdempotencyStore } from '../store/idempotency.js';
import { DynamoModelStore } from '../store/models.js';
import { DynamoOptimizationStore } from '../store/optimizations.js';
import { Outbox } from '../store/outbox.js';
import { DynamoScenarioStore } from '../store/scenarios.js';
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

/** EventBridge's envelope for a scheduled rule (source `aws.events`), as the sweep schedule sends it. */
const ScheduledEventSchema = z.object({ source: z.literal('aws.events'), 'detail-type': z.literal('Scheduled Event') });

/** The events the worker handles, by their `detail-type`. */
export type WorkerEvent =
  | { name: 'OutboxSweep' }
  | { name: 'ModelFitRequested'; detail: ModelFitRequested }
  | { name: 'ScenarioForecastRequested'; detail: ScenarioForecastRequested }
  | { name: 'OptimizationRequested'; detail: OptimizationRequested };
const WORKER_EVENTS: readonly string[] = ['ModelFitRequested', 'ScenarioForecastRequested', 'OptimizationRequested'];

/**
 * Checks an EventBridge envelope and its detail against the contract of a worker event.
 * @throws PoisonEventError listing every problem, each with its path
 */
export function parseWorkerEvent(raw: unknown): WorkerEvent {
  // The schedule in infra/worker.ts: EventBridge's own "Scheduled Event", which starts a sweep of the outbox.
  if (ScheduledEventSchema.safeParse(raw).success) return { name: 'OutboxSweep' };
  const envelope = EnvelopeSchema.safeParse(raw);
  if (!envelope.success) throw new PoisonEventError('not a Liftcast EventBridge event', issuesOf(envelope.error.issues));
  const name = envelope.data['detail-type'];
  if (name !== 'ModelFitRequested' && name !== 'ScenarioForecastRequested' && name !== 'OptimizationRequested')
    throw new PoisonEventError('routed to the worker by mistake', [{ path: 'detail-type', message: `expected ${WORKER_EVENTS.join(' or ')}, got ${name}` }]);
  const detail = EVENT_SCHEMAS[name].safeParse(envelope.data.detail);
  if (!detail.success) throw new PoisonEventError(`${name} breaks its contract`, issuesOf(detail.error.issues, 'detail'));
  return { name, detail: detail.data } as WorkerEvent;
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
  /** The service whose `fitInWorker` fits queued models (idempotent). */
  models: Pick<ModelService, 'fitInWorker'>;
  /** The service whose `forecastInWorker` forecasts queued scenario versions (idempotent). */
  scenarios: Pick<ScenarioService, 'forecastInWorker'>;
  /** The service whose `optimizeInWorker` runs accepted optimisations (idempotent). */
  portfolio: Pick<PortfolioService, 'optimizeInWorker'>;
  /** The outbox the schedule sweeps. */
  outbox: Pick<Outbox, 'sweep'>;
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
 * The worker's Lambda handler for EventBridge `ModelFitRequested` and `ScenarioForecastRequested`
 * events, wrapped with middy.
 * Resolves when the event is handled (or was already); rejects to ask for a retry, or with a
 * {@link PoisonEventError} for an event no retry can fix.
 *
 * @example
 * export const handler = createModelWorkerHandler({ models, scope });
 */
export function createModelWorkerHandler(deps: ModelWorkerDeps) {
  return middy<unknown, void, Error, WorkerContext>(
    async (event: unknown, context: WorkerContext) => {
      const parsed = parseWorkerEvent(event);
      if (parsed.name === 'OutboxSweep') {
        await deps.scope.run({ requestId: context.awsRequestId, eventId: envelopeId(event), event: parsed.name }, async () => {
          const swept = await deps.outbox.sweep(new Date());
          deps.scope.logger.log(swept.failed > 0 ? 'error' : 'info', 'outbox swept', swept);
          // A failure is retried by Lambda (then the failure queue), and the next sweep tries again anyway.
          if (swept.failed > 0) throw new Error(`${swept.failed} events could not be published from the outbox`);
        });
        return;
      }
      const fields = { requestId: context.awsRequestId, eventId: envelopeId(event), event: parsed.name, tenant: parsed.detail.tenant };
      if (parsed.name === 'ModelFitRequested')
        await deps.scope.run({ ...fields, modelId: parsed.detail.modelId }, () => deps.models.fitInWorker(parsed.detail));
      else if (parsed.name === 'ScenarioForecastRequested')
        await deps.scope.run({ ...fields, scenarioId: parsed.detail.scenarioId, scenarioVersion: parsed.detail.scenarioVersion }, () =>
          deps.scenarios.forecastInWorker(parsed.detail),
        );
      else
        await deps.scope.run({ ...fields, scenarioId: parsed.detail.scenarioId, optimizationId: parsed.detail.optimizationId }, () =>
          deps.portfolio.optimizeInWorker(parsed.detail),
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
 * The worker's composition root: just the stores and the model and scenario services, without the
 * HTTP app, so the worker's bundle carries no Hono, OpenAPI or Swagger UI.
 */
export function composeModelWorker(options: ModelWorkerOptions): { models: ModelService; scenarios: ScenarioService; portfolio: PortfolioService; outbox: Outbox } {
  const datasets = new DynamoDatasetStore(options.db, options.tableName);
  const outbox = new Outbox(options.db, options.tableName, options.publisher, options.logger);
  const models = new ModelService(datasets, new DynamoModelStore(options.db, options.tableName), options.publisher, options.clock, { logger: options.logger, outbox });
  const scenarios = new ScenarioService(
    new DynamoScenarioStore(options.db, options.tableName),
    models,
    new IdempotencyStore(options.db, options.tableName),
    options.publisher,
    options.clock,
    { logger: options.logger, outbox },
  );
  const portfolio = new PortfolioService(scenarios, models, {
    optimizations: new DynamoOptimizationStore(options.db, options.tableName),
    bus: options.publisher,
    ...(options.clock ? { clock: options.clock } : {}),
    logger: options.logger,
  });
  return { models, scenarios, portfolio, outbox };
}
