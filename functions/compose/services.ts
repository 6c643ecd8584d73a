/**
 * The composition root's core: the one place that builds the adapters (DynamoDB stores, the outbox)
 * and hands them, with the event publisher its caller chose, to the application's services. The
 * HTTP API (./api.ts: local server, API Lambda, tests) and the worker Lambda (./worker.ts) both
 * start from here, so they run the same wiring; the worker's bundle carries no Hono or OpenAPI.
 */
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DatasetService } from '../app/datasets/service.js';
import { LedgerCalibration } from '../app/launches/ledger.js';
import { LaunchService } from '../app/launches/service.js';
import type { EventPublisher } from '../app/events.js';
import { ModelService } from '../app/models/service.js';
import { PortfolioService } from '../app/portfolio/service.js';
import { ScenarioService } from '../app/scenarios/service.js';
import type { Logger } from '../log.js';
import { DynamoDatasetStore } from '../store/datasets.js';
import { IdempotencyStore } from '../store/idempotency.js';
import { DynamoLaunchStore } from '../store/launches.js';
import { DynamoModelStore } from '../store/models.js';
import { DynamoOptimizationStore } from '../store/optimizations.js';
import { Outbox } from '../store/outbox.js';
import { DynamoScenarioStore } from '../store/scenarios.js';
import type { WorkerServices } from '../worker/handlers.js';

export interface ServiceOptions {
  db: DynamoDBClient;
  tableName: string;
  /** Where services publish events (EventBridge in AWS, the in-process bus locally). */
  publisher: EventPublisher;
  /** The logger services log through (a request scope's, so lines carry the request id). */
  logger: Logger;
  clock?: () => Date;
  /** Largest dataset fitted within the request; see `ModelServiceOptions.syncRowLimit`. */
  syncRowLimit?: number;
  /** Largest forecast computed within the request; see `ScenarioServiceOptions.syncForecastLimit`. */
  syncForecastLimit?: number;
}

/** Every service, with the DynamoDB adapter behind each (tests reach the stores through these). */
export interface Services {
  datasets: { service: DatasetService; store: DynamoDatasetStore };
  models: { service: ModelService; store: DynamoModelStore };
  scenarios: { service: ScenarioService; store: DynamoScenarioStore };
  portfolio: PortfolioService;
  launches: { service: LaunchService; store: DynamoLaunchStore };
  /** The events written items owe (functions/store/outbox.ts); the worker sweeps it in AWS. */
  outbox: Outbox;
}

/** The stores and services, wired. */
export function composeServices(options: ServiceOptions): Services {
  const { db, tableName, publisher, logger } = options;
  const clock = options.clock ?? (() => new Date());
  const outbox = new Outbox(db, tableName, publisher, logger);
  const idempotency = new IdempotencyStore(db, tableName);
  const datasetStore = new DynamoDatasetStore(db, tableName);
  const modelStore = new DynamoModelStore(db, tableName);
  const scenarioStore = new DynamoScenarioStore(db, tableName);
  const launchStore = new DynamoLaunchStore(db, tableName);
  const datasets = new DatasetService(datasetStore, idempotency, clock, outbox);
  const models = new ModelService(datasetStore, modelStore, publisher, clock, {
    logger,
    outbox,
    ...(options.syncRowLimit !== undefined ? { syncRowLimit: options.syncRowLimit } : {}),
  });
  const scenarios = new ScenarioService(scenarioStore, models, idempotency, publisher, clock, {
    logger,
    outbox,
    calibration: new LedgerCalibration(launchStore),
    ...(options.syncForecastLimit !== undefined ? { syncForecastLimit: options.syncForecastLimit } : {}),
  });
  const portfolio = new PortfolioService(scenarios, models, new DynamoOptimizationStore(db, tableName), publisher, clock, { logger });
  const launches = new LaunchService(launchStore, datasetStore, models, scenarios, idempotency, clock, { logger, outbox });
  return {
    datasets: { service: datasets, store: datasetStore },
    models: { service: models, store: modelStore },
    scenarios: { service: scenarios, store: scenarioStore },
    portfolio,
    launches: { service: launches, store: launchStore },
    outbox,
  };
}


/** The services the worker's handlers call. */
export function workerServicesOf(services: Services): WorkerServices {
  return { models: services.models.service, scenarios: services.scenarios.service, portfolio: services.portfolio, launches: services.launches.service, outbox: services.outbox };
}
