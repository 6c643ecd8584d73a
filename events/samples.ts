/**
 * Typed access to the sample events under `events/samples/<source>/<variant>.json`, with overrides,
 * so tests exercise handlers with events shaped exactly like the ones AWS delivers.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** An API Gateway HTTP API (payload v2) request event, as far as Liftcast reads it. */
export interface HttpApiEvent {
  version: '2.0';
  routeKey: string;
  rawPath: string;
  rawQueryString: string;
  headers: Record<string, string>;
  queryStringParameters?: Record<string, string>;
  requestContext: {
    http: { method: string; path: string; protocol: string; sourceIp: string; userAgent: string };
    authorizer?: { jwt: { claims: Record<string, string>; scopes: string[] | null } };
    requestId: string;
    [key: string]: unknown;
  };
  body?: string;
  isBase64Encoded: boolean;
}

export type ApiGatewaySample = 'list-datasets' | 'create-dataset-csv' | 'invalid-no-authorizer';

/** Loads a sample API Gateway event; `overrides` replace top-level fields (e.g. a body or claims). */
export function apiGatewayEvent(name: ApiGatewaySample, overrides: Partial<HttpApiEvent> = {}): HttpApiEvent {
  const path = fileURLToPath(new URL(`./samples/apigw/${name}.json`, import.meta.url));
  return { ...(JSON.parse(readFileSync(path, 'utf8')) as HttpApiEvent), ...overrides };
}

/** A copy of a sample whose JWT claims belong to another tenant or carry other scopes. */
export function withClaims(event: HttpApiEvent, claims: Record<string, string>): HttpApiEvent {
  const authorizer = event.requestContext.authorizer ?? { jwt: { claims: {}, scopes: null } };
  return {
    ...event,
    requestContext: { ...event.requestContext, authorizer: { jwt: { ...authorizer.jwt, claims: { ...authorizer.jwt.claims, ...claims } } } },
  };
}

export type EventBridgeSample = 'model-fit-requested' | 'model-fitted' | 'scenario-forecasted' | 'invalid-model-fit-requested' | 'invalid-scenario-forecasted';

/** Loads a sample EventBridge envelope; `detail` overrides are merged into the sample's detail. */
export function eventBridgeEvent(name: EventBridgeSample, detail: Record<string, unknown> = {}): Record<string, unknown> & { detail: Record<string, unknown> } {
  const path = fileURLToPath(new URL(`./samples/eventbridge/${name}.json`, import.meta.url));
  const event = JSON.parse(readFileSync(path, 'utf8')) as Record<string, unknown> & { detail: Record<string, unknown> };
  return { ...event, detail: { ...event.detail, ...detail } };
}
