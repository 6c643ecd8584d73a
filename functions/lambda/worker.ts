/**
 * Lambda entry of the worker: EventBridge delivers `ModelFitRequested`, `ScenarioForecastRequested`,
 * `OptimizationRequested` and `DatasetIngested` (the forecast ledger) here, and the outbox sweep's schedule (rules in infra/worker.ts); each
 * kind has its handler in functions/worker/handlers.ts.
 */
import { createEventBridgeClient, EventBridgePublisher } from '../bus/eventBridge.js';
import { composeWorker } from '../compose/worker.js';
import { ConfigError, loadConfig } from '../config.js';
import { consoleLogger, RequestScope } from '../log.js';
import { createDynamoClient } from '../store/dynamo.js';

const config = loadConfig();
if (config.eventBus === undefined) throw new ConfigError('LIFTCAST_EVENT_BUS must name the bus the worker announces its outcomes on');

export const { handler } = composeWorker({
  db: createDynamoClient({ endpoint: config.dynamoEndpoint, region: config.region }),
  tableName: config.tableName,
  publisher: new EventBridgePublisher(createEventBridgeClient({ region: config.region }), config.eventBus),
  scope: new RequestScope(consoleLogger),
});
