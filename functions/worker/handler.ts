/**
 * The worker: fits a driver model when a `ModelFitRequested` event arrives from EventBridge,
 * forecasts a large scenario version on `ScenarioForecastRequested` and searches its portfolios on
 * `OptimizationRequested`, and reads the tenant's launches against a newly sealed wave on
 * `DatasetIngested` (the forecast ledger's `LaunchService.evaluateWave`), in a Lambda function of its
 * own (functions/lambda/worker.ts), so neither a fit of a million respondents nor a forecast of
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
import type { Logger, RequestScope } from '../log.js';
import { emitMetrics, stdoutSink, type MetricSink } from '../metrics.js';
import { envelopeId, parseWorkerEvent, PoisonEventError, type WorkerContext } from './events.js';
import { workerHandlers, type WorkerServices } from './handlers.js';

export { PoisonEventError, parseWorkerEvent, type WorkerContext } from './events.js';

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

export interface WorkerDeps extends WorkerServices {
  /** The scope whose logger the services were built with, so their lines carry the request id. */
  scope: RequestScope;
  clock: () => Date;
  /**
   * How long before the Lambda timeout to give up with a logged `TimeoutError` (then retried).
   * @default 10_000
   */
  timeoutEarlyMs?: number;
  /** Where the worker's CloudWatch metrics (EMF lines) go. @default stdout */
  metrics?: MetricSink;
}

/**
 * The worker's Lambda handler for every event the worker takes, wrapped with middy: it checks the
 * event and hands it to its handler (./handlers.ts). Resolves when the event is handled (or was
 * already); rejects to ask for a retry, or with a {@link PoisonEventError} for an event no retry
 * can fix.
 *
 * @example
 * export const handler = createWorkerHandler({ ...services, scope, clock });
 */
export function createWorkerHandler(deps: WorkerDeps) {
  const handlers = workerHandlers(deps, deps.scope, deps.clock);
  return middy<unknown, void, Error, WorkerContext>(
    async (event: unknown, context: WorkerContext) => {
      const parsed = parseWorkerEvent(event);
      const invocation = { requestId: context.awsRequestId, eventId: envelopeId(event) };
      switch (parsed.name) {
        case 'OutboxSweep':
          return handlers.OutboxSweep(invocation);
        case 'ModelFitRequested':
          return handlers.ModelFitRequested(parsed.detail, invocation);
        case 'ScenarioForecastRequested':
          return handlers.ScenarioForecastRequested(parsed.detail, invocation);
        case 'OptimizationRequested':
          return handlers.OptimizationRequested(parsed.detail, invocation);
        case 'DatasetIngested':
          return handlers.DatasetIngested(parsed.detail, invocation);
      }
    },
    { timeoutEarlyInMillis: deps.timeoutEarlyMs ?? 10_000 },
  ).use(invocationLog(deps.scope.logger, deps.metrics ?? stdoutSink));
}
