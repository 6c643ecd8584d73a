import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { AccessLogField, AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  CorsHttpMethod,
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  HttpStage,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { Function as LambdaFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { liftcastFunction } from './lambda.js';
import { SCOPED_ROUTES } from './routes.js';

export interface LiftcastApiProps {
  /** Absolute path of the Lambda entry file exporting `handler` (`handle(app)` from `hono/aws-lambda`). */
  readonly entry: string;
  /**
   * Absolute path of the directory holding `package.json`, `package-lock.json` and `tsconfig.json`;
   * esbuild runs there and resolves `node_modules` from it.
   */
  readonly projectRoot: string;
  /** Issuer URL (`https://…`) the JWT authorizer trusts; may be a CloudFormation parameter token. */
  readonly jwtIssuer: string;
  /** Accepted `aud` (or `client_id`) values; may be a CloudFormation list-parameter token. */
  readonly jwtAudience: string[];
  /**
   * The single browser origin allowed to call the API, e.g. `https://dashboard.example.com`.
   * @default - no CORS configuration: browsers on other origins cannot call the API
   */
  readonly dashboardOrigin?: string;
}

/**
 * Routes anyone may call without a token, as `[method, path]`. Everything else on the API needs a
 * valid JWT, because the JWT authorizer is the API's default and only these routes opt out. The
 * dashboard and /docs are not API routes: they are static files in S3 behind CloudFront (site.ts).
 */
export const publicRoutes: ReadonlyArray<readonly [HttpMethod, string]> = [
  [HttpMethod.GET, '/health'],
  [HttpMethod.GET, '/openapi.json'],
];

/**
 * Every `/v1` route with the scope it needs (infra/routes.ts). API Gateway checks the scope before
 * the function runs (defence in depth: the app checks it again), and a path that is not listed never
 * reaches the function. `test/infra/scopes.test.ts` proves the table equals the scopes the app
 * declares in its OpenAPI document, route for route.
 */
export const scopedRoutes: ReadonlyArray<readonly [HttpMethod, string, string]> = SCOPED_ROUTES.map(([m, p, sc]) => [m as HttpMethod, p, sc] as const);

/** Stage-wide limits, in requests: a burst of 200, then 100 per second sustained. */
const stageThrottle = { burstLimit: 200, rateLimit: 100 } as const;

/**
 * The Liftcast HTTP API: one Lambda function running the Hono app behind an API Gateway HTTP API.
 *
 * API Gateway verifies JWTs (issuer, audience, signature, expiry) before the function runs, so the
 * app runs with `LIFTCAST_AUTH_MODE=gateway` and only reads the verified claims from the request
 * context. The JWT authorizer is the API's default authorizer: a route added later is protected
 * unless it explicitly opts out like the public routes above.
 */
export class LiftcastApi extends Construct {
  readonly handler: LambdaFunction;
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;
  readonly accessLogs: LogGroup;

  constructor(scope: Construct, id: string, props: LiftcastApiProps) {
    super(scope, id);

    this.handler = liftcastFunction(this, 'Handler', {
      entry: props.entry,
      projectRoot: props.projectRoot,
      description: 'Liftcast HTTP API (Hono app)',
      memorySize: 1024,
      // API Gateway gives up on an HTTP API integration after 30 s; stop just before it does.
      timeout: Duration.seconds(29),
      environment: { LIFTCAST_AUTH_MODE: 'gateway' },
    });

    const authorizer = new HttpJwtAuthorizer('JwtAuthorizer', props.jwtIssuer, {
      jwtAudience: props.jwtAudience,
      identitySource: ['$request.header.Authorization'],
    });

    this.httpApi = new HttpApi(this, 'HttpApi', {
      // Named after the stack so several deployments (e.g. staging, production) stay distinguishable.
      apiName: `${Stack.of(this).stackName}-api`,
      description: 'Liftcast forecasting API',
      defaultAuthorizer: authorizer,
      createDefaultStage: false,
      ...(props.dashboardOrigin === undefined
        ? {}
        : {
            corsPreflight: {
              allowOrigins: [props.dashboardOrigin],
              allowMethods: [
                CorsHttpMethod.GET,
                CorsHttpMethod.POST,
                CorsHttpMethod.PUT,
                CorsHttpMethod.PATCH,
                CorsHttpMethod.DELETE,
                CorsHttpMethod.OPTIONS,
              ],
              allowHeaders: ['authorization', 'content-type', 'idempotency-key'],
              // Bearer tokens, not cookies: no credentials mode needed.
              allowCredentials: false,
              maxAge: Duration.hours(1),
            },
          }),
    });

    const integration = new HttpLambdaIntegration('HandlerIntegration', this.handler);
    for (const [method, path, scope] of scopedRoutes) this.httpApi.addRoutes({ path, methods: [method], integration, authorizationScopes: [scope] });
    const noAuth = new HttpNoneAuthorizer();
    for (const [method, path] of publicRoutes) {
      for (const route of this.httpApi.addRoutes({ path, methods: [method], integration, authorizer: noAuth })) {
        Validations.of(route).acknowledge({
          id: 'AwsSolutions-APIG4',
          reason: `${method} ${path} is public on purpose: the health check or the API description, neither of which returns tenant data.`,
        });
      }
    }

    this.accessLogs = new LogGroup(this, 'AccessLogs', { retention: RetentionDays.ONE_MONTH });
    this.stage = new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      stageName: '$default',
      autoDeploy: true,
      throttle: stageThrottle,
      // Latency and 4xx/5xx per route in CloudWatch, not only for the whole API.
      detailedMetricsEnabled: true,
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: AccessLogField.contextRequestId(),
            requestTime: AccessLogField.contextRequestTime(),
            ip: AccessLogField.contextIdentitySourceIp(),
            userAgent: AccessLogField.contextIdentityUserAgent(),
            httpMethod: AccessLogField.contextHttpMethod(),
            routeKey: AccessLogField.contextRouteKey(),
            path: AccessLogField.contextPath(),
            protocol: AccessLogField.contextProtocol(),
            status: AccessLogField.contextStatus(),
            responseLength: AccessLogField.contextResponseLength(),
            responseLatency: AccessLogField.contextResponseLatency(),
            integrationLatency: AccessLogField.contextIntegrationLatency(),
            integrationError: AccessLogField.contextIntegrationErrorMessage(),
            authorizerError: AccessLogField.contextAuthorizerError(),
            // Whose request it was (the JWT's tenant claim), for per-tenant questions from the logs.
            tenant: AccessLogField.contextAuthorizerClaims('tenant'),
          }),
        ),
      },
    });
  }

  /** Base URL of the API, ending in `/`. */
  get url(): string {
    return this.stage.url;
  }
}
