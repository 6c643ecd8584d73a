/**
 * The asynchronous side of the stack, the least-privilege IAM of every function, the alarms, and
 * cdk-nag, all on fast synths (no bundling): the event bus and the model worker's rule, retries and
 * dead-letter queues; which actions each role may take on which resources; and zero unacknowledged
 * AWS Solutions findings.
 */
import { Stack, Validations, type CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { Queue } from 'aws-cdk-lib/aws-sqs';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { LiftcastEvents } from '../../infra/events.js';
import { XRAY_WRITE_ACTIONS } from '../../infra/lambda.js';
import { LiftcastStack, projectRoot } from '../../infra/stack.js';
import { LiftcastModelWorker } from '../../infra/worker.js';
import { fastApp, fixtureEntry } from './apps.js';

function logicalId(element: unknown): string {
  const cfn = element as CfnElement;
  return Stack.of(cfn).getLogicalId(cfn);
}

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
  Principal?: unknown;
  Condition?: unknown;
}

describe('LiftcastEvents', () => {
  const stack = new Stack(fastApp(), 'EventsStack');
  const events = new LiftcastEvents(stack, 'Events');
  const fn = new LambdaFunction(stack, 'Publisher', { runtime: Runtime.NODEJS_22_X, handler: 'index.handler', code: Code.fromInline('exports.handler = async () => {};') });
  events.bindPublisher(fn);
  const template = Template.fromStack(stack);
  const busId = logicalId(events.bus.node.defaultChild);

  it('creates a bus of its own, not the default bus', () => {
    template.resourceCountIs('AWS::Events::EventBus', 1);
    template.hasResourceProperties('AWS::Events::EventBus', { Name: Match.stringLikeRegexp('EventsStack') });
  });

  it('bindPublisher sets LIFTCAST_EVENT_BUS and grants PutEvents on this bus only', () => {
    template.hasResourceProperties('AWS::Lambda::Function', { Environment: { Variables: { LIFTCAST_EVENT_BUS: { Ref: busId } } } });
    template.hasResourceProperties('AWS::IAM::Policy', {
      PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'events:PutEvents', Resource: { 'Fn::GetAtt': [busId, 'Arn'] } }] },
    });
  });
});

describe('LiftcastModelWorker', () => {
  const stack = new Stack(fastApp(), 'WorkerStack');
  const events = new LiftcastEvents(stack, 'Events');
  const worker = new LiftcastModelWorker(stack, 'Worker', { entry: fixtureEntry, projectRoot, bus: events.bus });
  const template = Template.fromStack(stack);
  const functionId = logicalId(worker.handler.node.defaultChild);
  const deliveryId = logicalId(worker.deliveryDlq.node.defaultChild);
  const failureId = logicalId(worker.failureDlq.node.defaultChild);

  it('runs on Node.js 22, arm64, with memory for a million-respondent fit and 5 minutes', () => {
    template.hasResourceProperties('AWS::Lambda::Function', { Runtime: 'nodejs22.x', Architectures: ['arm64'], MemorySize: 3008, Timeout: 300 });
  });

  it('routes only ModelFitRequested, ScenarioForecastRequested and OptimizationRequested from source liftcast on the Liftcast bus to the worker', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: logicalId(events.bus.node.defaultChild) },
      EventPattern: { source: ['liftcast'], 'detail-type': ['ModelFitRequested', 'ScenarioForecastRequested', 'OptimizationRequested'] },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [functionId, 'Arn'] } })],
    });
  });

  it('routes DatasetIngested from source liftcast on the Liftcast bus to the worker by a rule of its own, with the same delivery retries and DLQ', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      EventBusName: { Ref: logicalId(events.bus.node.defaultChild) },
      EventPattern: { source: ['liftcast'], 'detail-type': ['DatasetIngested'] },
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [functionId, 'Arn'] },
          RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 4 * 3600 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [deliveryId, 'Arn'] } },
        }),
      ],
    });
    // The worker may be invoked by this rule (a permission per rule).
    const ledgerRuleId = logicalId(worker.ledgerRule.node.defaultChild);
    template.hasResourceProperties('AWS::Lambda::Permission', {
      Action: 'lambda:InvokeFunction',
      Principal: 'events.amazonaws.com',
      SourceArn: { 'Fn::GetAtt': [ledgerRuleId, 'Arn'] },
    });
  });

  it('sweeps the outbox every 5 minutes: a schedule on the default bus invokes the worker, undeliverable runs go to the delivery DLQ', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      ScheduleExpression: 'rate(5 minutes)',
      EventBusName: Match.absent(),
      Targets: [
        Match.objectLike({
          Arn: { 'Fn::GetAtt': [functionId, 'Arn'] },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [logicalId(worker.deliveryDlq.node.defaultChild), 'Arn'] } },
          RetryPolicy: { MaximumEventAgeInSeconds: 600, MaximumRetryAttempts: 2 },
        }),
      ],
    });
  });

  it('retries delivery with backoff for 4 hours, then sends the event to the delivery DLQ', () => {
    template.hasResourceProperties('AWS::Events::Rule', {
      Targets: [
        Match.objectLike({
          RetryPolicy: { MaximumRetryAttempts: 10, MaximumEventAgeInSeconds: 4 * 3600 },
          DeadLetterConfig: { Arn: { 'Fn::GetAtt': [deliveryId, 'Arn'] } },
        }),
      ],
    });
    // Only EventBridge, and only for this rule, may put messages on the delivery DLQ.
    const policies = Object.values(template.findResources('AWS::SQS::QueuePolicy')).filter((p) => JSON.stringify(p).includes(deliveryId));
    const statements = policies.flatMap((p) => (p.Properties as { PolicyDocument: { Statement: Statement[] } }).PolicyDocument.Statement);
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Allow', Action: 'sqs:SendMessage', Principal: { Service: 'events.amazonaws.com' }, Condition: { ArnEquals: { 'aws:SourceArn': expect.anything() } } }),
    );
  });

  it('retries a failed invocation twice within 6 hours, then sends it to the failure DLQ', () => {
    template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', {
      FunctionName: { Ref: functionId },
      MaximumRetryAttempts: 2,
      MaximumEventAgeInSeconds: 6 * 3600,
      DestinationConfig: { OnFailure: { Destination: { 'Fn::GetAtt': [failureId, 'Arn'] } } },
    });
  });

  it('keeps dead letters 14 days, encrypted, reachable over TLS only, and retained on delete', () => {
    for (const id of [deliveryId, failureId]) {
      expect(template.findResources('AWS::SQS::Queue')[id]).toMatchObject({
        Properties: { SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 },
        DeletionPolicy: 'Retain',
      });
    }
    const denies = Object.values(template.findResources('AWS::SQS::QueuePolicy')).flatMap((p) =>
      (p.Properties as { PolicyDocument: { Statement: Statement[] } }).PolicyDocument.Statement.filter(
        (s) => s.Effect === 'Deny' && JSON.stringify(s.Condition) === JSON.stringify({ Bool: { 'aws:SecureTransport': 'false' } }),
      ),
    );
    expect(denies).toHaveLength(2);
  });
});

describe('LiftcastStack: permissions, alarms and cdk-nag', () => {
  const stack = new LiftcastStack(fastApp(), 'Liftcast', {
    apiEntry: fixtureEntry,
    workerEntry: fixtureEntry,
    jwtIssuer: 'https://issuer.example.com/',
    jwtAudience: ['liftcast-api'],
  });
  const template = Template.fromStack(stack);
  const ids = {
    table: logicalId(stack.table.table.node.defaultChild),
    bus: logicalId(stack.events.bus.node.defaultChild),
    failureDlq: logicalId(stack.worker.failureDlq.node.defaultChild),
    apiLogs: logicalId(stack.api.handler.logGroup.node.defaultChild),
    workerLogs: logicalId(stack.worker.handler.logGroup.node.defaultChild),
    apiRole: logicalId(stack.api.handler.role?.node.defaultChild),
    workerRole: logicalId(stack.worker.handler.role?.node.defaultChild),
  };

  /** Every Allow statement attached to a role, as `action → resources`. */
  function grantsOf(roleId: string): Record<string, unknown[]> {
    const grants: Record<string, unknown[]> = {};
    for (const policy of Object.values(template.findResources('AWS::IAM::Policy'))) {
      const props = policy.Properties as { Roles: unknown[]; PolicyDocument: { Statement: Statement[] } };
      if (!props.Roles.some((r) => JSON.stringify(r) === JSON.stringify({ Ref: roleId }))) continue;
      for (const s of props.PolicyDocument.Statement.filter((st) => st.Effect === 'Allow'))
        for (const action of [s.Action].flat()) (grants[action] ??= []).push(...[s.Resource].flat());
    }
    return grants;
  }

  it('uses no AWS managed policy: each role starts with write access to its own log group only', () => {
    for (const role of Object.values(template.findResources('AWS::IAM::Role'))) expect(role.Properties.ManagedPolicyArns).toBeUndefined();
  });

  it('grants the API exactly: table data actions on the table, PutEvents on the bus, its own logs, X-Ray writes', () => {
    const grants = grantsOf(ids.apiRole);
    for (const [action, resources] of Object.entries(grants)) {
      const expected = action.startsWith('dynamodb:')
        ? [{ 'Fn::GetAtt': [ids.table, 'Arn'] }]
        : action === 'events:PutEvents'
          ? [{ 'Fn::GetAtt': [ids.bus, 'Arn'] }]
          : XRAY_WRITE_ACTIONS.includes(action)
            ? ['*']
            : [{ 'Fn::GetAtt': [ids.apiLogs, 'Arn'] }];
      expect(resources, action).toEqual(expected);
    }
    expect(Object.keys(grants).filter((a) => !a.startsWith('dynamodb:')).sort()).toEqual(
      ['events:PutEvents', 'logs:CreateLogStream', 'logs:PutLogEvents', ...XRAY_WRITE_ACTIONS].sort(),
    );
    expect(Object.keys(grants)).toContain('dynamodb:PutItem');
  });

  it('grants the worker exactly: table data actions, PutEvents, its failure DLQ, its own logs; a wildcard resource for X-Ray writes only', () => {
    const grants = grantsOf(ids.workerRole);
    expect(Object.keys(grants).filter((a) => !a.startsWith('dynamodb:')).sort()).toEqual(
      expect.arrayContaining(['events:PutEvents', 'logs:CreateLogStream', 'logs:PutLogEvents', 'sqs:SendMessage']),
    );
    expect(grants['sqs:SendMessage']).toEqual([{ 'Fn::GetAtt': [ids.failureDlq, 'Arn'] }]);
    expect(grants['dynamodb:UpdateItem']).toEqual([{ 'Fn::GetAtt': [ids.table, 'Arn'] }]);
    expect(grants['logs:PutLogEvents']).toEqual([{ 'Fn::GetAtt': [ids.workerLogs, 'Arn'] }]);
    for (const role of [ids.apiRole, ids.workerRole])
      for (const [action, resources] of Object.entries(grantsOf(role))) {
        expect(action, role).not.toMatch(/\*/);
        if (XRAY_WRITE_ACTIONS.includes(action)) expect(resources, `${role} ${action}`).toEqual(['*']);
        else expect(resources, `${role} ${action}`).not.toContain('*');
      }
  });

  it('alarms on errors and throttles of both functions', () => {
    for (const fn of [stack.api.handler, stack.worker.handler])
      for (const metric of ['Errors', 'Throttles'])
        template.hasResourceProperties('AWS::CloudWatch::Alarm', {
          Namespace: 'AWS/Lambda',
          MetricName: metric,
          Dimensions: [{ Name: 'FunctionName', Value: { Ref: logicalId(fn.node.defaultChild) } }],
          Statistic: 'Sum',
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        });
  });

  it('alarms as soon as any message waits in either dead-letter queue', () => {
    for (const queue of [stack.worker.deliveryDlq, stack.worker.failureDlq])
      template.hasResourceProperties('AWS::CloudWatch::Alarm', {
        Namespace: 'AWS/SQS',
        MetricName: 'ApproximateNumberOfMessagesVisible',
        Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [logicalId(queue.node.defaultChild), 'QueueName'] } }],
        Statistic: 'Maximum',
        Threshold: 1,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        TreatMissingData: 'notBreaching',
      });
  });

  it('alarms on the API p99 latency over 5 s for 15 minutes, and on 5xx answers', () => {
    const apiId = logicalId(stack.api.httpApi.node.defaultChild);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      Namespace: 'AWS/ApiGateway',
      MetricName: 'Latency',
      Dimensions: [{ Name: 'ApiId', Value: { Ref: apiId } }],
      ExtendedStatistic: 'p99',
      Period: 300,
      EvaluationPeriods: 3,
      Threshold: 5000,
      ComparisonOperator: 'GreaterThanThreshold',
    });
    template.hasResourceProperties('AWS::CloudWatch::Alarm', { Namespace: 'AWS/ApiGateway', MetricName: '5xx', Dimensions: [{ Name: 'ApiId', Value: { Ref: apiId } }] });
  });

  it('passes the cdk-nag AWS Solutions checks with no unacknowledged finding', () => {
    const report = new AwsSolutionsChecks(stack).validateScope(stack);

    expect(report.violations.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
    expect(report.success).toBe(true);
  });

  it('acknowledges only the expected rules, each with a reason of substance', () => {
    const acknowledged = stack.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY).map((m) => m.data as Record<string, string>))
      .flatMap((entry) => Object.entries(entry));

    // The site's (infra/site.ts): no S3 access logs, CloudFront without geo restriction, WAF, logs or
    // a custom certificate, and aws-cdk-lib's grants to the deployment handler (test/infra/site.test.ts).
    const siteRules = ['AwsSolutions-S1', 'AwsSolutions-CFR1', 'AwsSolutions-CFR2', 'AwsSolutions-CFR3', 'AwsSolutions-CFR4'];
    const ids = new Set(acknowledged.map(([id]) => id.replace(/^Annotation::/, '')));
    expect([...ids].filter((id) => !id.startsWith('AwsSolutions-IAM5[') || id === 'AwsSolutions-IAM5[Resource::*]').sort()).toEqual(
      ['AwsSolutions-L1', 'AwsSolutions-SQS3', 'AwsSolutions-APIG4', 'AwsSolutions-IAM5[Resource::*]', ...siteRules].sort(),
    );
    expect([...ids].filter((id) => id.startsWith('AwsSolutions-IAM5[') && id !== 'AwsSolutions-IAM5[Resource::*]').every((id) => /^AwsSolutions-IAM5\[(Action::s3:|Resource::)/.test(id))).toBe(true);
    for (const [id, reason] of acknowledged) expect(reason.length, id).toBeGreaterThan(60);
  });

  it('has checks that can fail: a bare queue breaks the AWS Solutions rules', () => {
    const bare = new Stack(fastApp(), 'Bare');
    new Queue(bare, 'Queue');

    const report = new AwsSolutionsChecks(bare).validateScope(bare);

    expect(report.success).toBe(false);
    expect(report.violations.map((v) => v.ruleName)).toEqual(expect.arrayContaining(['AwsSolutions-SQS3', 'AwsSolutions-SQS4']));
  });
});
