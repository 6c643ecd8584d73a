import { type CfnElement, Duration, Stack, Validations } from 'aws-cdk-lib';
import { Capture, Match, Template } from 'aws-cdk-lib/assertions';
import type { CfnApi } from 'aws-cdk-lib/aws-apigatewayv2';
import type { CfnTable } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { CfnFunction } from 'aws-cdk-lib/aws-lambda';
import { Code, Function as LambdaFunction, Runtime } from 'aws-cdk-lib/aws-lambda';
import { AwsSolutionsChecks } from 'cdk-nag';
import { describe, expect, it } from 'vitest';
import { LiftcastApi, scopedRoutes } from '../../infra/api.js';
import { liftcastFunction, XRAY_WRITE_ACTIONS } from '../../infra/lambda.js';
import { INVALIDATION_ACTIONS } from '../../infra/site.js';
import { LiftcastStack, projectRoot } from '../../infra/stack.js';
import { LiftcastTable, type TableAccess } from '../../infra/table.js';
import { fastApp, fixtureEntry } from './apps.js';

const issuer = 'https://issuer.example.com/';
const audience = 'liftcast-api';
const dashboardOrigin = 'https://dashboard.example.com';

/**
 * Routes open without a token: the health check and the API description. The dashboard and /docs are
 * static files behind CloudFront (infra/site.ts, test/infra/site.test.ts), not API routes.
 */
const publicRouteKeys = ['GET /health', 'GET /openapi.json'];

interface Statement {
  Effect: string;
  Action: string | string[];
  Resource: unknown;
}

/** Every IAM statement in the template that mentions a DynamoDB action, with the roles it is attached to. */
function dynamoStatements(template: Template): Array<{ statement: Statement; roles: unknown }> {
  const policies = template.findResources('AWS::IAM::Policy') as Record<
    string,
    { Properties: { PolicyDocument: { Statement: Statement[] }; Roles: unknown } }
  >;
  return Object.values(policies).flatMap((policy) =>
    policy.Properties.PolicyDocument.Statement.filter((s) =>
      [s.Action].flat().some((action) => action.startsWith('dynamodb:')),
    ).map((statement) => ({ statement, roles: policy.Properties.Roles })),
  );
}

function logicalId(element: unknown): string {
  const cfn = element as CfnElement;
  return Stack.of(cfn).getLogicalId(cfn);
}

describe('LiftcastTable', () => {
  function tableInEmptyStack(access?: TableAccess) {
    const stack = new Stack(fastApp(), 'TableStack');
    const table = new LiftcastTable(stack, 'Data');
    const fn = new LambdaFunction(stack, 'Consumer', {
      runtime: Runtime.NODEJS_22_X,
      handler: 'index.handler',
      code: Code.fromInline('exports.handler = async () => {};'),
    });
    if (access !== undefined) table.bind(fn, access);
    return {
      template: Template.fromStack(stack),
      tableId: logicalId(table.table.node.defaultChild),
      roleId: logicalId(fn.role?.node.defaultChild),
    };
  }

  const { template } = tableInEmptyStack();

  it('keys items by string pk and sk, bills on demand, and has one index: the sparse outbox', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: Match.arrayEquals([
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
        { AttributeName: 'outbox', AttributeType: 'S' },
        { AttributeName: 'outboxAt', AttributeType: 'S' },
      ]),
      BillingMode: 'PAY_PER_REQUEST',
      ProvisionedThroughput: Match.absent(),
      // The same index functions/store/dynamo.ts creates locally (ensureTable).
      GlobalSecondaryIndexes: [
        {
          IndexName: 'outbox',
          KeySchema: [
            { AttributeName: 'outbox', KeyType: 'HASH' },
            { AttributeName: 'outboxAt', KeyType: 'RANGE' },
          ],
          Projection: { ProjectionType: 'INCLUDE', NonKeyAttributes: ['outboxEvent'] },
        },
      ],
    });
  });

  it('keeps the data through mistakes: point-in-time recovery, deletion protection, retained on delete and replace', () => {
    template.hasResource('AWS::DynamoDB::Table', {
      Properties: Match.objectLike({
        PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        DeletionProtectionEnabled: true,
      }),
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
    });
  });

  it('encrypts with the AWS-managed KMS key, not the AWS-owned default or a customer key', () => {
    // SSEEnabled true without a key id means SSE-KMS with the aws/dynamodb key.
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      SSESpecification: { SSEEnabled: true, KMSMasterKeyId: Match.absent() },
    });
  });

  it('expires idempotency records through TTL on expiresAt', () => {
    template.hasResourceProperties('AWS::DynamoDB::Table', {
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
    });
  });

  it('bind read sets TABLE_NAME and grants only reads, on this table only', () => {
    const { template: bound, tableId, roleId } = tableInEmptyStack('read');

    bound.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { TABLE_NAME: { Ref: tableId } } },
    });
    const statements = dynamoStatements(bound);
    const actions = statements.flatMap(({ statement }) => [statement.Action].flat());
    expect(actions).toEqual(expect.arrayContaining(['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:BatchGetItem']));
    for (const write of ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem']) {
      expect(actions).not.toContain(`dynamodb:${write}`);
    }
    for (const { statement, roles } of statements) {
      expect([statement.Resource].flat()).toEqual([{ 'Fn::GetAtt': [tableId, 'Arn'] }]);
      expect(roles).toEqual([{ Ref: roleId }]);
    }
  });

  it('bind readWrite also grants conditional writes, on this table only', () => {
    const { template: bound, tableId } = tableInEmptyStack('readWrite');

    const statements = dynamoStatements(bound);
    const actions = statements.flatMap(({ statement }) => [statement.Action].flat());
    expect(actions).toEqual(
      expect.arrayContaining([
        'dynamodb:GetItem',
        'dynamodb:Query',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
        'dynamodb:ConditionCheckItem',
        'dynamodb:BatchWriteItem',
      ]),
    );
    for (const { statement } of statements) {
      expect([statement.Resource].flat()).toEqual([{ 'Fn::GetAtt': [tableId, 'Arn'] }]);
    }
  });
});

describe('LiftcastApi', () => {
  function apiInEmptyStack(origin?: string) {
    const stack = new Stack(fastApp(), 'ApiStack');
    const api = new LiftcastApi(stack, 'Api', {
      entry: fixtureEntry,
      projectRoot,
      jwtIssuer: issuer,
      jwtAudience: [audience],
      dashboardOrigin: origin,
    });
    return { api, template: Template.fromStack(stack) };
  }

  const { api, template } = apiInEmptyStack(dashboardOrigin);
  const apiId = logicalId(api.httpApi.node.defaultChild);
  const functionId = logicalId(api.handler.node.defaultChild);

  it('runs the handler as index.handler on Node.js 22, arm64, 1024 MB, 29 s', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: 'nodejs22.x',
      Architectures: ['arm64'],
      MemorySize: 1024,
      Timeout: 29,
      Handler: 'index.handler',
    });
  });

  it('tells the app that API Gateway verifies tokens, and turns on source maps', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({ LIFTCAST_AUTH_MODE: 'gateway', NODE_OPTIONS: '--enable-source-maps' }),
      },
    });
  });

  it('keeps handler logs for 30 days in its own log group', () => {
    const logGroup = new Capture();
    template.hasResourceProperties('AWS::Lambda::Function', { LoggingConfig: { LogGroup: logGroup } });

    const groups = template.findResources('AWS::Logs::LogGroup');
    const ref = logGroup.asObject() as { Ref: string };
    expect(groups[ref.Ref]?.Properties).toMatchObject({ RetentionInDays: 30 });
  });

  it('verifies JWTs from the bearer header against the configured issuer and audience', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      ApiId: { Ref: apiId },
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Issuer: issuer, Audience: [audience] },
    });
  });

  it('requires the JWT authorizer, with the route’s scope, on every /v1 route and leaves only the public routes open', () => {
    const authorizers = template.findResources('AWS::ApiGatewayV2::Authorizer');
    const [authorizerId] = Object.keys(authorizers);
    const routes = Object.values(template.findResources('AWS::ApiGatewayV2::Route')).map(
      (r) => r.Properties as { RouteKey: string; AuthorizationType: string; AuthorizerId?: unknown },
    );

    const scoped = new Map<string, string>(scopedRoutes.map(([method, path, scope]) => [`${method} ${path}`, scope] as const));
    expect(routes.map((r) => r.RouteKey).sort()).toEqual([...publicRouteKeys, ...scoped.keys()].sort());
    for (const route of routes) {
      if (publicRouteKeys.includes(route.RouteKey)) {
        expect(route, route.RouteKey).toMatchObject({ AuthorizationType: 'NONE' });
        expect(route.AuthorizerId, route.RouteKey).toBeUndefined();
      } else {
        expect(route.RouteKey.split(' ')[1]!.startsWith('/v1/'), route.RouteKey).toBe(true);
        expect(route, route.RouteKey).toMatchObject({ AuthorizationType: 'JWT', AuthorizerId: { Ref: authorizerId }, AuthorizationScopes: [scoped.get(route.RouteKey)] });
      }
    }
  });

  it('sends every route to the handler through one payload-v2 Lambda proxy integration', () => {
    const integrations = template.findResources('AWS::ApiGatewayV2::Integration');
    expect(Object.values(integrations).map((i) => i.Properties)).toEqual([
      expect.objectContaining({
        IntegrationType: 'AWS_PROXY',
        PayloadFormatVersion: '2.0',
        IntegrationUri: { 'Fn::GetAtt': [functionId, 'Arn'] },
      }),
    ]);
    const [integrationId] = Object.keys(integrations);
    template.allResourcesProperties('AWS::ApiGatewayV2::Route', {
      Target: { 'Fn::Join': ['', ['integrations/', { Ref: integrationId }]] },
    });
  });

  it('throttles the auto-deployed default stage at a burst of 200 and 100 requests per second, with metrics per route', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      ApiId: { Ref: apiId },
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingBurstLimit: 200, ThrottlingRateLimit: 100, DetailedMetricsEnabled: true },
    });
  });

  it('writes one JSON access-log line per request, with request id, route, status, auth errors and tenant, kept 30 days', () => {
    const format = new Capture();
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      AccessLogSettings: {
        DestinationArn: { 'Fn::GetAtt': [logicalId(api.accessLogs.node.defaultChild), 'Arn'] },
        Format: format,
      },
    });
    expect(JSON.parse(format.asString())).toMatchObject({
      requestId: '$context.requestId',
      routeKey: '$context.routeKey',
      status: '$context.status',
      responseLatency: '$context.responseLatency',
      integrationError: '$context.integrationErrorMessage',
      authorizerError: '$context.authorizer.error',
      tenant: '$context.authorizer.claims.tenant',
    });
    expect(template.findResources('AWS::Logs::LogGroup')[logicalId(api.accessLogs.node.defaultChild)]).toMatchObject({
      Properties: { RetentionInDays: 30 },
    });
  });

  it('allows cross-origin calls from the dashboard origin only, with the auth and idempotency headers', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      CorsConfiguration: {
        AllowOrigins: [dashboardOrigin],
        AllowHeaders: Match.arrayWith(['authorization', 'content-type', 'idempotency-key']),
        AllowMethods: Match.arrayWith(['GET', 'POST', 'DELETE']),
        AllowCredentials: false,
      },
    });
  });

  it('configures no CORS when no dashboard origin is given', () => {
    const { template: noCors } = apiInEmptyStack(undefined);

    noCors.hasResourceProperties('AWS::ApiGatewayV2::Api', { CorsConfiguration: Match.absent() });
  });
});

describe('LiftcastStack', () => {
  function liftcastStack(props: { jwtIssuer?: string; jwtAudience?: string[] }) {
    const stack = new LiftcastStack(fastApp(), 'Liftcast', { apiEntry: fixtureEntry, workerEntry: fixtureEntry, ...props });
    return {
      stack,
      template: Template.fromStack(stack),
      tableId: logicalId(stack.table.table.node.defaultChild as CfnTable),
      functionId: logicalId(stack.api.handler.node.defaultChild as CfnFunction),
      roleId: logicalId(stack.api.handler.role?.node.defaultChild),
      workerRoleId: logicalId(stack.worker.handler.role?.node.defaultChild),
      apiId: logicalId(stack.api.httpApi.node.defaultChild as CfnApi),
    };
  }

  const { stack, template, tableId, functionId, roleId, workerRoleId, apiId } = liftcastStack({ jwtIssuer: issuer, jwtAudience: [audience] });

  it('gives the API function the table name through TABLE_NAME', () => {
    const functions = template.findResources('AWS::Lambda::Function');
    expect(functions[functionId]?.Properties).toMatchObject({
      Environment: { Variables: { TABLE_NAME: { Ref: tableId } } },
    });
  });

  it('grants the API and worker functions DynamoDB actions on the table ARN only, never on *', () => {
    const resources = new Capture();
    template.hasResourceProperties('AWS::IAM::Policy', {
      Roles: [{ Ref: roleId }],
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Allow', Action: Match.arrayWith(['dynamodb:PutItem']), Resource: resources }),
        ]),
      },
    });
    // One resource, so @aws-cdk/aws-iam:minimizePolicies (cdk.json) renders it as a single value.
    expect(resources.asObject()).toEqual({ 'Fn::GetAtt': [tableId, 'Arn'] });

    const statements = dynamoStatements(template);
    expect(statements.length).toBeGreaterThan(0);
    const outboxIndex = { 'Fn::Join': ['', [{ 'Fn::GetAtt': [tableId, 'Arn'] }, '/index/outbox']] };
    for (const { statement, roles } of statements) {
      expect([[{ Ref: roleId }], [{ Ref: workerRoleId }]]).toContainEqual(roles);
      expect([statement.Action].flat()).not.toContain('dynamodb:*');
      // Everything on the table itself, except the worker's sweep: Query on the outbox index, by name.
      if ([statement.Resource].flat().some((r) => JSON.stringify(r).includes('/index/'))) {
        expect(roles).toEqual([{ Ref: workerRoleId }]);
        expect([statement.Resource].flat()).toEqual([outboxIndex]);
        expect([statement.Action].flat()).toEqual(['dynamodb:Query']);
      } else expect([statement.Resource].flat()).toEqual([{ 'Fn::GetAtt': [tableId, 'Arn'] }]);
    }
  });

  it('bakes the given issuer and audience into the authorizer and asks for no JWT parameters', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      JwtConfiguration: { Issuer: issuer, Audience: [audience] },
    });
    expect(Object.keys(template.findParameters('*')).filter((name) => name.startsWith('Jwt'))).toEqual([]);
  });

  it('asks CloudFormation for the JWT issuer and audience when they are not given', () => {
    const { template: parameterised } = liftcastStack({});

    parameterised.hasParameter('JwtIssuer', { Type: 'String', AllowedPattern: '^https://\\S+$' });
    parameterised.hasParameter('JwtAudience', { Type: 'CommaDelimitedList' });
    parameterised.hasResourceProperties('AWS::ApiGatewayV2::Authorizer', {
      JwtConfiguration: { Issuer: { Ref: 'JwtIssuer' }, Audience: { Ref: 'JwtAudience' } },
    });
  });

  it('outputs the API base URL and the table name', () => {
    const url = new Capture();
    template.hasOutput('ApiUrl', { Value: url });
    template.hasOutput('TableName', { Value: { Ref: tableId } });

    const serialized = JSON.stringify(url.asObject());
    expect(serialized).toContain(`{"Ref":"${apiId}"}`);
    expect(serialized).toContain('.execute-api.');
  });

  it('outputs the dashboard’s address: the distribution, whose API origin is this stack’s HTTP API', () => {
    template.hasOutput('DashboardUrl', {
      Value: { 'Fn::Join': ['', ['https://', { 'Fn::GetAtt': [logicalId(stack.site.distribution.node.defaultChild), 'DomainName'] }, '/']] },
    });
    const origins = Object.values(template.findResources('AWS::CloudFront::Distribution'))[0]?.Properties.DistributionConfig.Origins as { DomainName: unknown }[];
    expect(origins.filter((o) => JSON.stringify(o.DomainName).includes(`{"Ref":"${apiId}"}`))).toHaveLength(1);
  });
});

describe('X-Ray tracing', () => {
  const stack = new LiftcastStack(fastApp(), 'Traced', { apiEntry: fixtureEntry, workerEntry: fixtureEntry, jwtIssuer: issuer, jwtAudience: [audience] });
  const template = Template.fromStack(stack);

  it('turns on active tracing for every Liftcast function, grants X-Ray writes on * and nothing else on *, and still passes cdk-nag', () => {
    // Liftcast's two functions, and aws-cdk-lib's handler that uploads the static site (infra/site.ts).
    const functions = Object.entries(template.findResources('AWS::Lambda::Function'));
    const ours = [stack.api.handler, stack.worker.handler].map((fn) => logicalId(fn.node.defaultChild));
    const others = functions.filter(([id]) => !ours.includes(id));
    expect(functions.map(([id]) => id)).toEqual(expect.arrayContaining(ours));
    expect(others.map(([, fn]) => fn.Properties?.Role)).toEqual([{ 'Fn::GetAtt': [logicalId(stack.site.deployment.handlerRole.node.defaultChild), 'Arn'] }]);
    for (const id of ours) expect(functions.find(([f]) => f === id)?.[1].Properties?.TracingConfig, id).toEqual({ Mode: 'Active' });

    // Each function's role may write segments and telemetry; those two actions are the only ones on *,
    // next to the site deployment's CloudFront invalidations.
    const policies = template.findResources('AWS::IAM::Policy') as Record<string, { Properties: { PolicyDocument: { Statement: Statement[] }; Roles: unknown } }>;
    const onEverything = Object.values(policies).flatMap((p) =>
      p.Properties.PolicyDocument.Statement.filter((s) => [s.Resource].flat().includes('*')).map((s) => ({ roles: p.Properties.Roles, actions: [s.Action].flat().sort() })),
    );
    const roleOf = (fn: { role?: { node: { defaultChild?: unknown } } }) => [{ Ref: logicalId(fn.role?.node.defaultChild) }];
    expect(onEverything).toEqual(
      expect.arrayContaining([
        ...[stack.api.handler, stack.worker.handler].map((fn) => ({ roles: roleOf(fn), actions: [...XRAY_WRITE_ACTIONS].sort() })),
        { roles: [{ Ref: logicalId(stack.site.deployment.handlerRole.node.defaultChild) }], actions: [...INVALIDATION_ACTIONS].sort() },
      ]),
    );
    expect(onEverything).toHaveLength(3);

    const report = new AwsSolutionsChecks(stack).validateScope(stack);
    expect(report.violations.map((v) => `${v.ruleName} at ${v.violatingResources.map((r) => r.constructPath).join(', ')}`)).toEqual([]);
    expect(report.success).toBe(true);

    // IAM5 is acknowledged for the Resource::* finding only on the functions' role policies; the other
    // IAM5 acknowledgements are on the site deployment's role, about aws-cdk-lib's grants.
    const iam5 = stack.node
      .findAll()
      .flatMap((c) =>
        c.node.metadata
          .filter((m) => m.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
          .flatMap((m) => Object.keys(m.data as Record<string, string>))
          .filter((rule) => rule.includes('AwsSolutions-IAM5'))
          .map((rule) => `${c.node.path} ${rule}`),
      );
    const deployRole = stack.site.deployment.handlerRole.node.path;
    expect(iam5.filter((a) => !a.startsWith(`${deployRole} `)).sort()).toEqual(
      [stack.api.handler, stack.worker.handler].map((fn) => `${fn.role?.node.path}/DefaultPolicy Annotation::AwsSolutions-IAM5[Resource::*]`).sort(),
    );
    expect(iam5.filter((a) => a.startsWith(`${deployRole} `)).length).toBeGreaterThan(0);
  });

  it('fails the synth when anything but the X-Ray actions is allowed on * next to them', () => {
    const other = new Stack(fastApp(), 'Widened');
    const fn = liftcastFunction(other, 'Fn', { entry: fixtureEntry, projectRoot, description: 'test', memorySize: 128, timeout: Duration.seconds(3) });
    fn.addToRolePolicy(new PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] }));

    expect(() => Template.fromStack(other)).toThrow(/s3:GetObject is allowed on every resource/);
  });
});
