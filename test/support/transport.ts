/**
 * Two ways to call one Liftcast, so a suite can run unchanged against either and compare:
 *
 * - `local`: the app as the local server runs it (`app.request`), verifying an HS256 bearer token
 *   itself (`auth.mode = 'local'`);
 * - `lambda`: the real Lambda entry, `functions/lambda/api.ts` (`handle(app)` from `hono/aws-lambda`),
 *   loaded with the environment a deployment gives it (`LIFTCAST_AUTH_MODE=gateway`) and invoked with
 *   API Gateway HTTP API (payload 2.0) events that carry the JWT authorizer's claims; its result is
 *   turned back into a `Response`.
 *
 * Both work on the same table of the run's DynamoDB Local. A caller is named by its claims
 * (`{ sub, tenant, scope }`): the local transport signs them into a token, the Lambda transport puts
 * them where API Gateway's JWT authorizer does.
 */
import { randomUUID } from 'node:crypto';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { LambdaContext } from 'hono/aws-lambda';
import { sign } from 'hono/jwt';
import { inject, vi } from 'vitest';
import { httpApiEvent, type HttpApiEvent } from '../../events/samples.js';
import { composeLiftcast } from '../../functions/compose/api.js';
import type { LiftcastApp } from '../../functions/http/app.js';
import { LOCAL_AUDIENCE, LOCAL_ISSUER } from '../../functions/http/identity.js';
import { silentLogger } from '../../functions/log.js';
import { createDynamoClient, ensureTable } from '../../functions/store/dynamo.js';
import { checkConformance } from './conformance.js';
import { TEST_SECRET, type TestResponse } from './liftcast.js';
import { staticRoutes } from '../../functions/http/static.js';

export const TRANSPORTS = ['local', 'lambda'] as const;
export type TransportKind = (typeof TRANSPORTS)[number];

/** Who calls: the claims of their token. Values are not checked here, so tests can send bad ones. */
export interface Claims {
  sub?: string;
  tenant?: string;
  scope?: string;
  [claim: string]: string | number | undefined;
}

export interface CallInit {
  /** The caller's claims; absent or `null` sends no credentials at all. */
  as?: Claims | null;
  /** A JSON body (objects are serialised; strings are sent as they are). */
  body?: unknown;
  /** A CSV body, sent as `text/csv` (Lambda: base64-encoded, see {@link LambdaTransportOptions}). */
  csv?: string;
  headers?: Record<string, string>;
}

export interface Transport {
  readonly kind: TransportKind;
  request(method: string, path: string, init?: CallInit): Promise<TestResponse>;
}

/** The result a function built with `handle()` returns to API Gateway. */
export interface LambdaResult {
  statusCode: number;
  headers?: Record<string, string | number | boolean>;
  multiValueHeaders?: Record<string, (string | number | boolean)[]>;
  cookies?: string[];
  body: string;
  isBase64Encoded: boolean;
}

export type ApiHandler = (event: HttpApiEvent, context: LambdaContext) => Promise<LambdaResult>;

/**
 * Lambda's limit on a synchronous invocation's request and response payloads (6 MB; AWS reports it
 * as 6291556 bytes). Past it the function never runs, or its answer never reaches API Gateway.
 */
export const LAMBDA_PAYLOAD_LIMIT = 6_291_556;

/** Thrown when an event or a result would not pass Lambda's payload limit: in AWS there would be no answer from the app. */
export class LambdaPayloadLimitError extends Error {}

export interface LambdaTransportOptions {
  /**
   * Send CSV bodies base64-encoded (`isBase64Encoded: true`), the way API Gateway delivers a body
   * it takes for binary; JSON bodies always go as text.
   * @default true
   */
  base64Csv?: boolean;
}

/** One transport on a table of its own; {@link createTransports} gives both on one table, to compare them. */
export async function createTransport(kind: TransportKind, options: LambdaTransportOptions = {}): Promise<Transport> {
  return (await createTransports(options)).of(kind);
}

export interface Transports {
  db: DynamoDBClient;
  tableName: string;
  /** The app behind the local transport (its routes, for coverage checks). */
  app: LiftcastApp;
  local: Transport;
  lambda: Transport;
  /** The exported `handler` of `functions/lambda/api.ts`, for tests that send their own events. */
  handler: ApiHandler;
  /** Invokes {@link handler} with `event` as Lambda would, refusing events over the payload limit. */
  invoke(event: HttpApiEvent): Promise<LambdaResult>;
  of(kind: TransportKind): Transport;
  /** A fresh tenant id, so flows never see each other's data. */
  tenant(): string;
}

/**
 * Creates a table in the run's DynamoDB Local and both transports on it. Call once per test file
 * (in `beforeAll`): the Lambda module reads its configuration when imported, as at a cold start.
 */
export async function createTransports(options: LambdaTransportOptions = {}): Promise<Transports> {
  const endpoint = inject('dynamoEndpoint');
  if (!/^http:\/\/(127\.0\.0\.1|localhost):\d+$/.test(endpoint)) throw new Error(`refusing to test against ${endpoint}: not DynamoDB Local`);
  const db = createDynamoClient({ endpoint, region: 'us-east-1' });
  const tableName = `parity-${randomUUID()}`;
  await ensureTable(db, tableName);

  const { app } = composeLiftcast({ db, tableName, auth: { mode: 'local', secret: TEST_SECRET }, logger: silentLogger, staticRoutes });
  const handler = await loadApiHandler({ endpoint, tableName });
  const invoke = (event: HttpApiEvent) => invokeHandler(handler, event);

  const local: Transport = {
    kind: 'local',
    async request(method, path, init = {}) {
      const { headers, body } = encodeBody(init);
      if (init.as) headers.authorization = `Bearer ${await signClaims(init.as)}`;
      return checkConformance(app, method, path, await app.request(path, { method, headers, ...(body !== undefined ? { body } : {}) }));
    },
  };

  const base64Csv = options.base64Csv ?? true;
  let invocations = 0;
  const lambda: Transport = {
    kind: 'lambda',
    async request(method, path, init = {}) {
      const { headers, body } = encodeBody(init);
      // API Gateway passes the Authorization header on; the app must not need it in gateway mode.
      if (init.as) headers.authorization = `Bearer ${unsignedJwt(init.as)}`;
      invocations += 1;
      const event = httpApiEvent({
        method,
        path,
        headers,
        ...(body !== undefined ? { body } : {}),
        base64: init.csv !== undefined && base64Csv,
        claims: init.as ? gatewayClaims(init.as) : null,
        requestId: `req-${invocations.toString(36).padStart(6, '0')}=`,
      });
      return checkConformance(app, method, path, toResponse(await invoke(event)));
    },
  };

  return {
    db,
    tableName,
    app,
    local,
    lambda,
    handler,
    invoke,
    of: (kind) => (kind === 'local' ? local : lambda),
    tenant: () => `t-${randomUUID().slice(0, 8)}`,
  };
}

/**
 * Imports `functions/lambda/api.ts` with the environment the CDK stack gives the function (gateway
 * auth, the table) plus DynamoDB Local's endpoint, then restores the environment. A fresh copy of
 * the module graph is loaded each time, as a cold start would.
 */
async function loadApiHandler(settings: { endpoint: string; tableName: string }): Promise<ApiHandler> {
  const env: Record<string, string> = {
    TABLE_NAME: settings.tableName,
    DYNAMODB_ENDPOINT: settings.endpoint,
    AWS_REGION: 'us-east-1',
    LIFTCAST_AUTH_MODE: 'gateway',
    // No bus: queued fits run in-process, as with the local transport (the worker is tested elsewhere).
    LIFTCAST_EVENT_BUS: '',
  };
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    vi.resetModules();
    const { handler } = await import('../../functions/lambda/api.js');
    // hono types the handler for its own event union, which wants fields (authentication, an
    // authorizer on every route) that real events omit; ours are genuine payload 2.0 events.
    return handler as unknown as ApiHandler;
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

async function invokeHandler(handler: ApiHandler, event: HttpApiEvent): Promise<LambdaResult> {
  const size = Buffer.byteLength(JSON.stringify(event));
  if (size > LAMBDA_PAYLOAD_LIMIT)
    throw new LambdaPayloadLimitError(`The event is ${size} bytes; Lambda refuses invocations over ${LAMBDA_PAYLOAD_LIMIT} bytes, so the function would not run.`);
  const result = await handler(event, lambdaContext());
  const out = Buffer.byteLength(JSON.stringify(result));
  if (out > LAMBDA_PAYLOAD_LIMIT)
    throw new LambdaPayloadLimitError(`The result is ${out} bytes; Lambda drops results over ${LAMBDA_PAYLOAD_LIMIT} bytes and API Gateway answers 500.`);
  return result;
}

function lambdaContext(): LambdaContext {
  const started = Date.now();
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'liftcast-api',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:liftcast-api',
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: '/aws/lambda/liftcast-api',
    logStreamName: '2026/11/23/[$LATEST]0123456789abcdef0123456789abcdef',
    getRemainingTimeInMillis: () => 29_000 - (Date.now() - started),
  };
}

/** A Lambda result as the `Response` API Gateway would send to the client. */
export function toResponse(result: LambdaResult): TestResponse {
  const headers = new Headers();
  for (const [name, value] of Object.entries(result.headers ?? {})) headers.set(name, String(value));
  for (const [name, values] of Object.entries(result.multiValueHeaders ?? {})) for (const v of values) headers.append(name, String(v));
  for (const cookie of result.cookies ?? []) headers.append('set-cookie', cookie);
  const nullBody = [101, 103, 204, 205, 304].includes(result.statusCode);
  if (nullBody && result.body !== '') throw new Error(`A ${result.statusCode} result carries a body: ${result.body.slice(0, 80)}`);
  const body = result.isBase64Encoded ? Buffer.from(result.body, 'base64') : result.body;
  return new Response(nullBody ? null : body, { status: result.statusCode, headers });
}

function encodeBody(init: CallInit): { headers: Record<string, string>; body: string | undefined } {
  const headers: Record<string, string> = { ...init.headers };
  const has = (name: string) => Object.keys(headers).some((k) => k.toLowerCase() === name);
  if (init.csv !== undefined) {
    if (!has('content-type')) headers['content-type'] = 'text/csv';
    return { headers, body: init.csv };
  }
  if (init.body !== undefined) {
    if (!has('content-type')) headers['content-type'] = 'application/json';
    return { headers, body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) };
  }
  return { headers, body: undefined };
}

const ISSUED_AT = 1_790_000_000;
const EXPIRES_AT = 4_000_000_000;

/** A local token with exactly `claims` (unlike `signDevToken`, which refuses a bad tenant). */
function signClaims(claims: Claims): Promise<string> {
  const defined = Object.fromEntries(Object.entries(claims).filter(([, v]) => v !== undefined)) as Record<string, string | number>;
  return sign({ ...defined, iss: LOCAL_ISSUER, aud: LOCAL_AUDIENCE, iat: ISSUED_AT, exp: EXPIRES_AT }, TEST_SECRET, 'HS256');
}

/** The claims as API Gateway's JWT authorizer hands them on: those of the token, all as strings. */
function gatewayClaims(claims: Claims): Record<string, string | number | undefined> {
  return {
    ...claims,
    iss: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_EXAMPLE',
    aud: 'liftcast',
    iat: ISSUED_AT,
    exp: EXPIRES_AT,
  };
}

/** A JWT-shaped token carrying `claims`, signed by nobody: in gateway mode only the authorizer checks tokens. */
function unsignedJwt(claims: Claims): string {
  const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${part({ alg: 'RS256', kid: 'example' })}.${part(claims)}.c2lnbmF0dXJl`;
}
