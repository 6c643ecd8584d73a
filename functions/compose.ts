/**
 * The composition root: builds stores, services and the HTTP app from configuration. The local
 * server, the Lambda entry and the tests all assemble Liftcast here, so they run the same code.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DatasetService } from './datasetService.js';
import { InProcessBus, type EventPublisher } from './events/bus.js';
import { EventBridgePublisher, type PutEventsSender } from './events/eventBridge.js';
import { createApp } from './http/app.js';
import type { AuthSettings } from './http/identity.js';
import { consoleLogger, RequestScope, type Logger } from './log.js';
import { ModelService } from './modelService.js';
import { PortfolioService } from './portfolioService.js';
import { ScenarioService } from './scenarioService.js';
import { DynamoDatasetStore } from './store/datasets.js';
import { IdempotencyStore } from './store/idempotency.js';
import { DynamoModelStore } from './store/models.js';
import { DynamoOptimizationStore } from './store/optimizations.js';
import { Outbox } from './store/outbox.js';
import { DynamoScenarioStore } from './store/scenarios.js';

export interface Liftcast {
  app: ReturnType<typeof createApp>;
  datasets: { service: DatasetService; store: DynamoDatasetStore };
  models: { service: ModelService; store: DynamoModelStore };
  scenarios: { service: ScenarioService; store: DynamoScenarioStore };
  /**
   * Carries `ModelFitRequested`, `ScenarioForecastRequested` and `OptimizationRequested` to the worker's code, in this process,
   * and announces `ModelFitted`, `ScenarioForecasted` and `DatasetIngested`.
   * Idle when {@link ComposeOptions.eventBus} is set: events then go to EventBridge.
   */
  bus: InProcessBus;
  /** Where the services publish events: `bus`, or EventBridge when {@link ComposeOptions.eventBus} is set. */
  publisher: EventPublisher;
  /** The events written items owe (functions/store/outbox.ts); the worker sweeps it in AWS. */
  outbox: Outbox;
}

export interface ComposeOptions {
  db: DynamoDBClient;
  tableName: string;
  auth: AuthSettings;
  logger?: Logger;
  clock?: () => Date;
  /** Largest dataset fitted within the request; see `ModelServiceOptions.syncRowLimit`. */
  syncRowLimit?: number;
  /** Largest forecast computed within the request; see `ScenarioServiceOptions.syncForecastLimit`. */
  syncForecastLimit?: number;
  /**
   * The EventBridge bus to publish to (`LIFTCAST_EVENT_BUS`, in AWS). When set, events go to it and
   * a queued fit is left to the model worker Lambda; when absent, the in-process bus runs the fit
   * in this process after the response (local server, tests).
   * @default - the in-process bus
   */
  eventBus?: { name: string; client: PutEventsSender };
  /** Serve the dashboard and /docs from the app (false in AWS, where they are static files). @default true */
  serveStatic?: boolean;
}

export function composeLiftcast(options: ComposeOptions): Liftcast {
  // Services log through the request scope, so their lines carry the request id of the call.
  const scope = new RequestScope(options.logger ?? consoleLogger);
  const logger = scope.logger;
  const store = new DynamoDatasetStore(options.db, options.tableName);
  const idempotency = new IdempotencyStore(options.db, options.tableName);
  const bus = new InProcessBus(logger);
  const publisher: EventPublisher = options.eventBus ? new EventBridgePublisher(options.eventBus.client, options.eventBus.name) : bus;
  const outbox = new Outbox(options.db, options.tableName, publisher, logger);
  const service = new DatasetService(store, idempotency, options.clock, outbox);
  const datasets = { service, store };
  const modelStore = new DynamoModelStore(options.db, options.tableName);
  const modelService = new ModelService(store, modelStore, publisher, options.clock, {
    logger,
    outbox,
    ...(options.syncRowLimit !== undefined ? { syncRowLimit: options.syncRowLimit } : {}),
  });
  if (!options.eventBus) bus.subscribe('ModelFitRequested', (detail) => modelService.fitInWorker(detail));
  const models = { service: modelService, store: modelStore };

  const scenarioStore = new DynamoScenarioStore(options.db, options.tableName);
  const scenarioService = new ScenarioService(scenarioStore, modelService, idempotency, publisher, options.clock, {
    logger,
    outbox,
    ...(options.syncForecastLimit !== undefined ? { syncForecastLimit: options.syncForecastLimit } : {}),
  });
  if (!options.eventBus) bus.subscribe('ScenarioForecastRequested', (detail) => scenarioService.forecastInWorker(detail));
  const scenarios = { service: scenarioService, store: scenarioStore };

  const optimizations = new DynamoOptimizationStore(options.db, options.tableName);
  const portfolio = new PortfolioService(scenarios.service, modelService, { optimizations, bus: publisher, ...(options.clock ? { clock: options.clock } : {}), logger });
  if (!options.eventBus) bus.subscribe('OptimizationRequested', (detail) => portfolio.optimizeInWorker(detail));
  const app = createApp({ auth: options.auth, datasets, models, scenarios, portfolio, logger, scope, ...(options.serveStatic !== undefined ? { serveStatic: options.serveStatic } : {}) });
  return { app, datasets, models, scenarios, bus, publisher, outbox };
}
