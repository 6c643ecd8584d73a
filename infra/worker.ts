import { Duration } from 'aws-cdk-lib';
import { Rule, Schedule, type IEventBus } from 'aws-cdk-lib/aws-events';
import { LambdaFunction as LambdaTarget } from 'aws-cdk-lib/aws-events-targets';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { deadLetterQueue } from './events.js';
import { liftcastFunction } from './lambda.js';

export interface LiftcastModelWorkerProps {
  /** Absolute path of the worker's entry file (functions/lambda/worker.ts). */
  readonly entry: string;
  readonly projectRoot: string;
  /** The bus carrying `ModelFitRequested`. */
  readonly bus: IEventBus;
}

/**
 * How hard each asynchronous path tries before an event goes to its dead-letter queue.
 *
 * - EventBridge → Lambda (delivery: throttling, a missing permission): retried with exponential
 *   backoff for up to 4 hours or 10 attempts.
 * - Lambda asynchronous invocation (the handler threw): 2 retries, about 1 and 2 minutes apart
 *   (Lambda's own backoff), within 6 hours of the event.
 */
export const workerRetry = {
  delivery: { maxEventAge: Duration.hours(4), retryAttempts: 10 },
  invocation: { maxEventAge: Duration.hours(6), retryAttempts: 2 },
} as const;

/**
 * The worker: a Lambda function fitting driver models too large to fit inside an API request, and
 * forecasting scenarios too large to forecast in one, triggered by `ModelFitRequested` and
 * `ScenarioForecastRequested` events (source `liftcast`) through one EventBridge rule; and reading
 * launches against each newly sealed wave (`DatasetIngested`, a rule of its own).
 *
 * Two dead-letter queues, one per asynchronous path, so an alarm says which one broke:
 * `deliveryDlq` gets what EventBridge could not hand to Lambda; `failureDlq` (the function's
 * on-failure destination) gets what the handler failed on after its retries, with the error type
 * and message: a `PoisonEventError` for an event breaking its contract (functions/worker/events.ts).
 */
export class LiftcastModelWorker extends Construct {
  readonly handler: LambdaFunction;
  readonly rule: Rule;
  /** `DatasetIngested` → the worker: it reads the tenant's launches against the sealed wave (the forecast ledger). */
  readonly ledgerRule: Rule;
  /** Every 5 minutes on the default bus: the worker delivers events the outbox still holds. */
  readonly sweepRule: Rule;
  /** Events EventBridge could not deliver to the function. */
  readonly deliveryDlq: Queue;
  /** Events the function failed on, after Lambda's retries. */
  readonly failureDlq: Queue;

  constructor(scope: Construct, id: string, props: LiftcastModelWorkerProps) {
    super(scope, id);
    this.deliveryDlq = deadLetterQueue(this, 'DeliveryDlq');
    this.failureDlq = deadLetterQueue(this, 'FailureDlq');

    this.handler = liftcastFunction(this, 'Handler', {
      entry: props.entry,
      projectRoot: props.projectRoot,
      description: 'Liftcast worker: fits driver models, forecasts and optimises large scenarios',
      // A 1,000,000 × 20 wave is ~160 MB of respondents plus the fit's working arrays; memory also
      // buys CPU (a full vCPU from 1,769 MB). The ordinal fit of that wave takes ~10 s here.
      memorySize: 3008,
      timeout: Duration.minutes(5),
      extra: {
        retryAttempts: workerRetry.invocation.retryAttempts,
        maxEventAge: workerRetry.invocation.maxEventAge,
        onFailure: new SqsDestination(this.failureDlq),
      },
    });

    // What EventBridge cannot hand to the function goes to the delivery DLQ, after 4 hours of retries.
    const toWorker = () =>
      new LambdaTarget(this.handler, { deadLetterQueue: this.deliveryDlq, maxEventAge: workerRetry.delivery.maxEventAge, retryAttempts: workerRetry.delivery.retryAttempts });
    this.rule = new Rule(this, 'ModelFitRequested', {
      eventBus: props.bus,
      description: 'ModelFitRequested, ScenarioForecastRequested, OptimizationRequested → worker',
      eventPattern: { source: ['liftcast'], detailType: ['ModelFitRequested', 'ScenarioForecastRequested', 'OptimizationRequested'] },
      targets: [toWorker()],
    });

    // A rule of its own: a sealed wave is not queued work, and this rule's pattern says so plainly.
    this.ledgerRule = new Rule(this, 'DatasetIngested', {
      eventBus: props.bus,
      description: 'DatasetIngested → worker: evaluate the launches a newly sealed wave can tell about',
      eventPattern: { source: ['liftcast'], detailType: ['DatasetIngested'] },
      targets: [toWorker()],
    });

    // The transactional outbox (functions/store/outbox.ts): events whose first publish failed wait on
    // their items; this schedule has the worker deliver them. Schedules run on the default bus.
    this.sweepRule = new Rule(this, 'OutboxSweep', {
      description: 'Every 5 minutes: the worker delivers the events the outbox still holds',
      schedule: Schedule.rate(Duration.minutes(5)),
      targets: [new LambdaTarget(this.handler, { deadLetterQueue: this.deliveryDlq, maxEventAge: Duration.minutes(10), retryAttempts: 2 })],
    });
  }
}
