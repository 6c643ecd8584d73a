/**
 * Typed access to the sample events under `events/samples/<source>/<variant>.json`, with overrides,
 * so tests exercise handlers with events shaped exactly like the ones AWS delivers; and a builder
 * of API Gateway HTTP API (payload 2.0) events for any request, shaped like the samples.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { SCOPED_ROUTES } from '../infra/routes.js';

/** An API Gateway HTTP API (payload v2) request event, as far as Liftcast reads it. */
export interface HttpApiEvent {
  version: '2.0';
  routeKey: string;
  rawPath: string;
  rawQueryString: string;
  /** Header names in lower case; a header sent more than once arrives as one comma-joined value. */
  headers: Record<string, string>;
  /** The request's cookies; API Gateway moves them here from the `cookie` header. */
  cookies?: string[];
  queryStringParameters?: Record<string, string>;
  pathParameters?: Record<string, string>;
  requestContext: {
    http: { method: string; path: string; protocol: string; sourceIp: string; userAgent: string };
    /** Present on routes behind the JWT authorizer; every claim arrives as a string. */
    authorizer?: { jwt: { claims: Record<string, string>; scopes: string[] | null } };
    requestId: string;
    [key: string]: unknown;
  };
  body?: string;
  isBase64Encoded: boolean;
}

const METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

/**
 * What an HTTP API (payload 2.0) event must look like for `hono/aws-lambda` to read it as AWS sends
 * it: the route key agrees with the request context, header names are lower case, claims are strings
 * and a base64 body really is base64. Used to check the samples, not by the app.
 */
export const HttpApiEventSchema = z
  .object({
    version: z.literal('2.0'),
    routeKey: z.string().regex(/^(ANY|GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) \/\S*$|^\$default$/),
    rawPath: z.string().startsWith('/'),
    rawQueryString: z.string().refine((q) => !q.startsWith('?'), 'rawQueryString has no leading ?'),
    headers: z.record(z.string().regex(/^[a-z0-9!#$%&'*+.^_`|~-]+$/, 'header names arrive in lower case'), z.string()),
    cookies: z.array(z.string().min(1)).optional(),
    queryStringParameters: z.record(z.string(), z.string()).optional(),
    pathParameters: z.record(z.string(), z.string()).optional(),
    requestContext: z.looseObject({
      accountId: z.string().regex(/^\d{12}$/),
      apiId: z.string().min(1),
      authorizer: z.object({ jwt: z.object({ claims: z.record(z.string(), z.string()), scopes: z.array(z.string()).nullable() }) }).optional(),
      domainName: z.string().min(1),
      domainPrefix: z.string().min(1),
      http: z.object({ method: z.enum(METHODS), path: z.string().startsWith('/'), protocol: z.string(), sourceIp: z.string(), userAgent: z.string() }),
      requestId: z.string().min(1),
      routeKey: z.string(),
      stage: z.string().min(1),
      time: z.string().min(1),
      timeEpoch: z.number().int().positive(),
    }),
    body: z.string().optional(),
    isBase64Encoded: z.boolean(),
  })
  .superRefine((e, ctx) => {
    if (e.requestContext.routeKey !== e.routeKey) ctx.addIssue({ code: 'custom', path: ['requestContext', 'routeKey'], message: 'differs from routeKey' });
    if (e.requestContext.http.path !== e.rawPath) ctx.addIssue({ code: 'custom', path: ['requestContext', 'http', 'path'], message: 'differs from rawPath' });
    const expected = routeKeyFor(e.requestContext.http.method, e.rawPath);
    if (e.routeKey !== expected?.routeKey)
      ctx.addIssue({ code: 'custom', path: ['routeKey'], message: `the API routes ${e.requestContext.http.method} ${e.rawPath} to ${expected?.routeKey ?? 'no route'}` });
    if (e.isBase64Encoded && (e.body === undefined || !/^[A-Za-z0-9+/]*={0,2}$/.test(e.body)))
      ctx.addIssue({ code: 'custom', path: ['body'], message: 'isBase64Encoded, but the body is not base64' });
    if ('cookie' in e.headers) ctx.addIssue({ code: 'custom', path: ['headers', 'cookie'], message: 'payload 2.0 carries cookies in `cookies`' });
  });

/** The API Gateway samples under `events/samples/apigw/`; `invalid-*` ones never come from a well-configured API. */
export type ApiGatewaySample =
  | 'get-health'
  | 'get-openapi'
  | 'create-dataset-json'
  | 'create-dataset-csv'
  | 'list-datasets'
  | 'get-dataset'
  | 'append-rows-csv'
  | 'seal-dataset'
  | 'delete-dataset'
  | 'create-model'
  | 'list-models'
  | 'get-model'
  | 'predict'
  | 'create-scenario'
  | 'list-scenarios'
  | 'get-scenario'
  | 'get-forecast'
  | 'put-scenario'
  | 'list-versions'
  | 'get-version'
  | 'delete-scenario'
  | 'get-ranking'
  | 'get-ranking-csv'
  | 'list-rankings'
  | 'compare'
  | 'optimize'
  | 'get-optimization'
  | 'create-launch'
  | 'list-launches'
  | 'get-launch'
  | 'end-launch'
  | 'get-ledger'
  | 'get-ledger-csv'
  | 'get-bridge'
  | 'invalid-no-authorizer'
  | 'invalid-claims';

const APIGW_DIR = fileURLToPath(new URL('./samples/apigw/', import.meta.url));

/** Every API Gateway sample on disk, by name (for tests that must cover them all). */
export function apiGatewaySamples(): string[] {
  return readdirSync(APIGW_DIR)
    .filter((f) => f.endsWith('.json'))
    .map((f) => f.replace(/\.json$/, ''))
    .sort();
}

/** Loads a sample API Gateway event; `overrides` replace top-level fields (e.g. a body or claims). */
export function apiGatewayEvent(name: ApiGatewaySample, overrides: Partial<HttpApiEvent> = {}): HttpApiEvent {
  return { ...(JSON.parse(readFileSync(`${APIGW_DIR}${name}.json`, 'utf8')) as HttpApiEvent), ...overrides };
}

/** A copy of a sample whose JWT claims belong to another tenant or carry other scopes. */
export function withClaims(event: HttpApiEvent, claims: Record<string, string>): HttpApiEvent {
  const authorizer = event.requestContext.authorizer ?? { jwt: { claims: {}, scopes: null } };
  return {
    ...event,
    requestContext: { ...event.requestContext, authorizer: { jwt: { ...authorizer.jwt, claims: { ...authorizer.jwt.claims, ...claims } } } },
  };
}

/**
 * The ids the samples use for tenant `acme`'s resources (and the day of its launches). A test seeds
 * its own resources and swaps these for the real ids with {@link withIds}; the samples stay valid
 * events as they are.
 */
export const SAMPLE_IDS = {
  /** A sealed wave with the demo attributes (model/demo.ts). */
  dataset: 'ds_01kb2m4q8r3s5t7v9w1x3y5z7a',
  /** An open dataset with the columns of `create-dataset-csv`, for appended batches. */
  openDataset: 'ds_01kb2m4q8r3s5t7v9w1x3y5z7b',
  /** A ready model fitted on `dataset`. */
  model: 'mdl_01kb2m5c0d2e4f6g8h0j2k4m6n',
  /** The demo scenario (functions/local/demoScenario.ts) on `model`, at version 1. */
  scenario: 'scn_01kb2m6p1q3r5s7t9v1w3x5y7z',
  /** A second scenario on `model`, to compare with `scenario`. */
  otherScenario: 'scn_01kb2m6p1q3r5s7t9v1w3x5y8a',
  /** A launch of `scenario`'s first initiative, not yet ended. */
  launch: 'lch_01kb2m7d2f4h6k8m0p2r4t6v8x',
  /** A second sealed wave with the demo attributes, the bridge's after wave (`dataset` before it). */
  afterDataset: 'ds_01kb2m4q8r3s5t7v9w1x3y5z7c',
  /**
   * Not an id: the day the launch samples say a launch went live (or ended). A launch cannot date
   * from before its scenario version, so a test swaps it for the day it runs.
   */
  today: '2026-11-23',
} as const;

/** A copy of `event` with the {@link SAMPLE_IDS} it mentions (path, query, body) replaced by `ids`. */
export function withIds(event: HttpApiEvent, ids: Partial<Record<keyof typeof SAMPLE_IDS, string>>): HttpApiEvent {
  let text = JSON.stringify(event);
  for (const [key, id] of Object.entries(ids)) {
    // Ids are [a-z0-9_] only, so they need no escaping inside the JSON text (nor inside a JSON body string).
    text = text.replaceAll(SAMPLE_IDS[key as keyof typeof SAMPLE_IDS], id);
  }
  return JSON.parse(text) as HttpApiEvent;
}

/**
 * The routes of the HTTP API in `infra/api.ts`: each `/v1` route of `infra/routes.ts` behind the JWT
 * authorizer with its scope, and the public `GET /health` and `GET /openapi.json` (the dashboard and
 * /docs are static files CloudFront serves from S3, infra/site.ts, not API routes). Returns the route key API Gateway would match for a request, with its path
 * parameters, or `null` when API Gateway has no route for it (it then answers 404 itself and the
 * function never runs).
 */
export function routeKeyFor(method: string, rawPath: string): { routeKey: string; pathParameters?: Record<string, string>; authorized: boolean } | null {
  if (rawPath.startsWith('/v1/')) {
    // The stack's /v1 routes (infra/routes.ts), matched as API Gateway does: {name} is one segment.
    for (const [m, template] of SCOPED_ROUTES) {
      if (m !== method) continue;
      const names: string[] = [];
      const pattern = new RegExp(`^${template.replace(/\{(\w+)\}/g, (_, name: string) => (names.push(name), '([^/]+)'))}$`);
      const match = pattern.exec(rawPath);
      if (!match) continue;
      const pathParameters = Object.fromEntries(names.map((name, i) => [name, decodeURIComponent(match[i + 1]!)]));
      return { routeKey: `${m} ${template}`, ...(names.length > 0 ? { pathParameters } : {}), authorized: true };
    }
    return null;
  }
  if (method !== 'GET') return null;
  if (['/health', '/openapi.json'].includes(rawPath)) return { routeKey: `GET ${rawPath}`, authorized: false };
  return null;
}

/** What a test asks for; {@link httpApiEvent} turns it into the event API Gateway would deliver. */
export interface HttpApiRequest {
  method: string;
  /** Path and query string, e.g. `/v1/datasets?limit=10`. */
  path: string;
  headers?: Record<string, string>;
  body?: string;
  /** Deliver the body base64-encoded, as API Gateway does with bodies it takes for binary. */
  base64?: boolean;
  /** The verified JWT claims the authorizer adds; `null` for a request with no authorizer context. */
  claims?: Record<string, string | number | undefined> | null;
  cookies?: string[];
  /** @default 'JKJaXmPLvHcESHA=' */
  requestId?: string;
  /** @default 1795467600000 (the samples' time) */
  timeEpoch?: number;
}

const DOMAIN = 'abc123.execute-api.eu-west-1.amazonaws.com';

/**
 * An API Gateway HTTP API (payload 2.0) event for `request`, as AWS builds it: lower-case header names,
 * the raw path and query string as sent, decoded `queryStringParameters` (repeated names joined with
 * commas), cookies moved out of the headers, the route key and path parameters of `infra/api.ts`, and
 * every JWT claim as a string. A request on no route gets `$default`, so it can still be invoked.
 */
export function httpApiEvent(request: HttpApiRequest): HttpApiEvent {
  const url = new URL(request.path, `https://${DOMAIN}`);
  const method = request.method.toUpperCase();
  const headers: Record<string, string> = {};
  const cookies = [...(request.cookies ?? [])];
  for (const [name, value] of Object.entries(request.headers ?? {})) {
    const lower = name.toLowerCase();
    if (lower === 'cookie') cookies.push(...value.split(/;\s*/).filter(Boolean));
    else headers[lower] = lower in headers ? `${headers[lower]},${value}` : value;
  }
  const userAgent = headers['user-agent'] ?? 'liftcast-tests/1.0';
  const timeEpoch = request.timeEpoch ?? 1795467600000;
  Object.assign(headers, {
    host: DOMAIN,
    'user-agent': userAgent,
    'x-amzn-trace-id': `Root=1-${Math.floor(timeEpoch / 1000).toString(16)}-${Buffer.from(request.requestId ?? 'JKJaXmPLvHcESHA=').toString('hex').padEnd(24, '0').slice(0, 24)}`,
    'x-forwarded-for': '203.0.113.10',
    'x-forwarded-port': '443',
    'x-forwarded-proto': 'https',
  });
  const body = request.body === undefined ? undefined : request.base64 ? Buffer.from(request.body, 'utf8').toString('base64') : request.body;
  if (request.body !== undefined) headers['content-length'] = String(Buffer.byteLength(request.body, 'utf8'));
  const route = routeKeyFor(method, url.pathname);
  const claims =
    request.claims === undefined || request.claims === null
      ? undefined
      : Object.fromEntries(Object.entries(request.claims).filter((e): e is [string, string | number] => e[1] !== undefined).map(([k, v]) => [k, String(v)]));
  const query: Record<string, string> = {};
  for (const [k, v] of url.searchParams) query[k] = k in query ? `${query[k]},${v}` : v;
  const routeKey = route?.routeKey ?? '$default';
  return {
    version: '2.0',
    routeKey,
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...(url.search ? { queryStringParameters: query } : {}),
    ...(route?.pathParameters ? { pathParameters: route.pathParameters } : {}),
    requestContext: {
      accountId: '123456789012',
      apiId: 'abc123',
      ...(claims ? { authorizer: { jwt: { claims, scopes: null } } } : {}),
      domainName: DOMAIN,
      domainPrefix: 'abc123',
      http: { method, path: url.pathname, protocol: 'HTTP/1.1', sourceIp: '203.0.113.10', userAgent },
      requestId: request.requestId ?? 'JKJaXmPLvHcESHA=',
      routeKey,
      stage: '$default',
      time: httpApiTime(timeEpoch),
      timeEpoch,
    },
    ...(body !== undefined ? { body } : {}),
    isBase64Encoded: body !== undefined && request.base64 === true,
  };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** API Gateway's `requestContext.time` format: `23/Nov/2026:21:00:00 +0000`. */
function httpApiTime(epochMs: number): string {
  const d = new Date(epochMs);
  const p = (n: number) => String(n).padStart(2, '0');
  return `${p(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}

export type EventBridgeSample =
  | 'dataset-ingested'
  | 'model-fit-requested'
  | 'model-fitted'
  | 'scenario-forecast-requested'
  | 'scenario-forecasted'
  | 'optimization-requested'
  | 'launch-recorded'
  | 'launch-evaluated'
  | 'invalid-model-fit-requested'
  | 'invalid-scenario-forecasted'
  | 'invalid-launch-evaluated';

/** Loads a sample EventBridge envelope; `detail` overrides are merged into the sample's detail. */
export function eventBridgeEvent(name: EventBridgeSample, detail: Record<string, unknown> = {}): Record<string, unknown> & { detail: Record<string, unknown> } {
  const path = fileURLToPath(new URL(`./samples/eventbridge/${name}.json`, import.meta.url));
  const event = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown> & { detail: Record<string, unknown> };
  return { ...event, detail: { ...event.detail, ...detail } };
}
