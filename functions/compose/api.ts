/**
 * The HTTP API over the services (./services.ts): what the local server, the API Lambda and the API
 * tests run. Without an EventBridge bus, the in-process bus takes queued work to the worker's own
 * handlers (functions/worker/handlers.ts) in this process, after the response.
 */
import type { EventPublisher } from '../app/events.js';
import { EventBridgePublisher, type PutEventsSender } from '../bus/eventBridge.js';
import { InProcessBus } from '../bus/inProcess.js';
import { createApp } from '../http/app.js';
import type { AuthSettings } from '../http/identity.js';
import { consoleLogger, RequestScope, type Logger } from '../log.js';
import { workerHandlers } from '../worker/handlers.js';
import { composeServices, workerServicesOf, type Services } from './services.js';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Hono } from 'hono';

export interface ComposeOptions {
  db: DynamoDBClient;
  tableName: string;
  auth: AuthSettings;
  logger?: Logger;
  clock?: () => Date;
  syncRowLimit?: number;
  syncForecastLimit?: number;
  /**
   * The EventBridge bus to publish to (`LIFTCAST_EVENT_BUS`, in AWS). When set, events go to it and
   * queued work is left to the worker Lambda; when absent, the in-process bus runs the worker's
   * handlers in this process after the response (local server, tests).
   * @default - the in-process bus
   */
  eventBus?: { name: string; client: PutEventsSender };
  /**
   * The dashboard and /docs routes (functions/http/static.ts): the local server and the tests pass
   * them; in AWS they are static files behind CloudFront and the API function passes none.
   * @default - none
   */
  staticRoutes?: () => Hono;
}

export interface Liftcast extends Services {
  app: ReturnType<typeof createApp>;
  /** Carries queued work to the worker's handlers in this process. Idle when {@link ComposeOptions.eventBus} is set. */
  bus: InProcessBus;
  /** Where the services publish events: `bus`, or EventBridge when {@link ComposeOptions.eventBus} is set. */
  publisher: EventPublisher;
}

/** The HTTP API over the services: the local server, the API Lambda and the API tests. */
export function composeLiftcast(options: ComposeOptions): Liftcast {
  // Services log through the request scope, so their lines carry the request id of the call.
  const scope = new RequestScope(options.logger ?? consoleLogger);
  const clock = options.clock ?? (() => new Date());
  const bus = new InProcessBus(scope.logger);
  const publisher: EventPublisher = options.eventBus ? new EventBridgePublisher(options.eventBus.client, options.eventBus.name) : bus;
  const services = composeServices({ ...options, clock, publisher, logger: scope.logger });
  if (!options.eventBus) {
    // Locally the in-process bus takes queued work to the worker's own handlers.
    const handlers = workerHandlers(workerServicesOf(services), scope, clock);
    bus.subscribe('ModelFitRequested', (detail) => handlers.ModelFitRequested(detail));
    bus.subscribe('ScenarioForecastRequested', (detail) => handlers.ScenarioForecastRequested(detail));
    bus.subscribe('OptimizationRequested', (detail) => handlers.OptimizationRequested(detail));
    bus.subscribe('DatasetIngested', (detail) => handlers.DatasetIngested(detail));
  }
  const app = createApp({
    auth: options.auth,
    datasets: services.datasets.service,
    models: services.models.service,
    scenarios: services.scenarios.service,
    portfolio: services.portfolio,
    launches: services.launches.service,
    logger: scope.logger,
    scope,
    ...(options.staticRoutes ? { staticRoutes: options.staticRoutes } : {}),
  });
  return { ...services, app, bus, publisher };
}

