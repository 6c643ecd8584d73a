import { Duration } from 'aws-cdk-lib';
import type { HttpApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { Alarm, ComparisonOperator, TreatMissingData, type IMetric } from 'aws-cdk-lib/aws-cloudwatch';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';

export interface LiftcastAlarmsProps {
  /** Functions watched for errors and throttles, by a short name used in alarm descriptions. */
  readonly functions: Readonly<Record<string, LambdaFunction>>;
  /** Dead-letter queues: any message in one is an event that was given up on. */
  readonly deadLetterQueues: Readonly<Record<string, Queue>>;
  readonly httpApi: HttpApi;
  /**
   * p99 latency of the HTTP API above which it alarms, over three 5-minute periods.
   * @default 5 seconds (a 100,000-row CSV upload takes 2–4 s; reads take tens of milliseconds)
   */
  readonly p99LatencyThreshold?: Duration;
}

/**
 * CloudWatch alarms on what needs a person: function errors and throttles, anything in a
 * dead-letter queue, API 5xx answers and p99 latency. No data counts as fine (a quiet night is not
 * an incident). Alarms have no actions here: wire `alarms` to an SNS topic or incident tool per
 * account.
 */
export class LiftcastAlarms extends Construct {
  readonly alarms: Alarm[] = [];

  constructor(scope: Construct, id: string, props: LiftcastAlarmsProps) {
    super(scope, id);
    const fiveMinutes = Duration.minutes(5);

    for (const [name, fn] of Object.entries(props.functions)) {
      this.add(`${name}Errors`, `${name}: the function threw or timed out`, fn.metricErrors({ period: fiveMinutes, statistic: 'Sum' }), 1);
      this.add(`${name}Throttles`, `${name}: invocations throttled (concurrency limit reached)`, fn.metricThrottles({ period: fiveMinutes, statistic: 'Sum' }), 1);
    }
    for (const [name, queue] of Object.entries(props.deadLetterQueues)) {
      // Visible > 0: a message arrived and nobody has looked at it yet.
      this.add(
        `${name}Depth`,
        `${name}: events given up on are waiting in ${name}; inspect and redrive them`,
        queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1), statistic: 'Maximum' }),
        1,
      );
    }
    this.add('Api5xx', 'HTTP API: 5 or more server errors in 5 minutes', props.httpApi.metricServerError({ period: fiveMinutes, statistic: 'Sum' }), 5);
    const p99 = props.p99LatencyThreshold ?? Duration.seconds(5);
    this.add(
      'ApiLatencyP99',
      `HTTP API: p99 latency above ${p99.toMilliseconds()} ms for 15 minutes`,
      props.httpApi.metricLatency({ period: fiveMinutes, statistic: 'p99' }),
      p99.toMilliseconds(),
      3,
      ComparisonOperator.GREATER_THAN_THRESHOLD,
    );
  }

  private add(
    id: string,
    description: string,
    metric: IMetric,
    threshold: number,
    evaluationPeriods = 1,
    comparisonOperator = ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
  ): void {
    this.alarms.push(
      new Alarm(this, id, {
        alarmDescription: description,
        metric,
        threshold,
        evaluationPeriods,
        comparisonOperator,
        treatMissingData: TreatMissingData.NOT_BREACHING,
      }),
    );
  }
}
