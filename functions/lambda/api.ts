/**
 * Lambda entry of the HTTP API: the same Hono app as the local server, behind API Gateway. In AWS
 * the JWT authorizer verifies tokens (LIFTCAST_AUTH_MODE=gateway) and events go to the EventBridge
 * bus named by LIFTCAST_EVENT_BUS, so queued fits run in the model worker function. The dashboard
 * and /docs are static files in S3 behind CloudFront (infra/site.ts), so the function is given no
 * static routes and its bundle carries none of their files nor the site's build.
 */
import { handle } from 'hono/aws-lambda';
import { composeLiftcast } from '../compose/api.js';
import { loadConfig } from '../config.js';
import { createEventBridgeClient } from '../bus/eventBridge.js';
import { createDynamoClient } from '../store/dynamo.js';

const config = loadConfig();
const { app } = composeLiftcast({
  db: createDynamoClient({ endpoint: config.dynamoEndpoint, region: config.region }),
  tableName: config.tableName,
  auth: config.auth,
  ...(config.eventBus !== undefined ? { eventBus: { name: config.eventBus, client: createEventBridgeClient({ region: config.region }) } } : {}),
});

const handleApp = handle(app);

/**
 * API Gateway passes a body on GET and HEAD through, but hono/aws-lambda cannot build such a
 * Request and answers 400 without running the app. HTTP gives those bodies no meaning, and
 * `@hono/node-server` ignores them, so they are dropped here: both servers answer alike.
 */
export const handler: typeof handleApp = (event, context) => {
  const method = (event as { requestContext?: { http?: { method?: string } } }).requestContext?.http?.method;
  if ((method === 'GET' || method === 'HEAD') && 'body' in event && event.body) return handleApp({ ...event, body: undefined, isBase64Encoded: false } as typeof event, context);
  return handleApp(event, context);
};
