import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import { EventBus } from 'aws-cdk-lib/aws-events';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

/**
 * The Liftcast event bus: the API publishes `ModelFitRequested` and `ScenarioForecasted` on it, the
 * model worker `ModelFitted` (contracts in events/contracts.ts, `source: liftcast`,
 * `detail-type` = the event name). A bus of its own, not the account's default bus, so its rules
 * and permissions concern Liftcast alone.
 */
export class LiftcastEvents extends Construct {
  /** Name of the variable a publishing function reads (functions/config.ts). */
  static readonly busVariable = 'LIFTCAST_EVENT_BUS';

  readonly bus: EventBus;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.bus = new EventBus(this, 'Bus', { description: 'Liftcast domain events (source liftcast)' });
  }

  /**
   * Lets a function publish: sets `LIFTCAST_EVENT_BUS` and grants `events:PutEvents` on this bus
   * only, in one call, so the two cannot drift apart.
   *
   * @example
   * events.bindPublisher(api.handler);
   */
  bindPublisher(fn: LambdaFunction): void {
    fn.addEnvironment(LiftcastEvents.busVariable, this.bus.eventBusName);
    this.bus.grantPutEventsTo(fn);
  }
}

/**
 * A dead-letter queue: SQS-managed encryption, TLS-only access, and the longest retention SQS
 * allows (14 days), so a failed event can be inspected and redriven after a long weekend.
 */
export function deadLetterQueue(scope: Construct, id: string): Queue {
  const queue = new Queue(scope, id, {
    encryption: QueueEncryption.SQS_MANAGED,
    enforceSSL: true,
    retentionPeriod: Duration.days(14),
    removalPolicy: RemovalPolicy.RETAIN,
  });
  Validations.of(queue).acknowledge({
    id: 'AwsSolutions-SQS3',
    reason:
      'This queue is itself a dead-letter queue (of an EventBridge target or a Lambda on-failure destination, which cdk-nag does not recognise as DLQ use). Nothing consumes it automatically; an alarm fires on any message.',
  });
  return queue;
}
