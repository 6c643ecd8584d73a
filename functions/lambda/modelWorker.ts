/**
 * Lambda entry of the worker: EventBridge delivers `ModelFitRequested` and `ScenarioForecastRequested` here (rule in
 * infra/worker.ts); the work and its failure handling are in functions/events/modelWorker.ts.
 */
import { loadConfig, ConfigError } from '../config.js';
import { createEventBridgeClient, EventBridgePublisher } from '../events/eventBridge.js';
import { composeModelWorker, createModelWorkerHandler, RequestScope } from '../events/modelWorker.js';
import { consoleLogger } from '../log.js';
import { createDynamoClient } from '../store/dynamo.js';

const config = loadConfig();
if (config.eventBus === undefined) throw new ConfigError('LIFTCAST_EVENT_BUS must name the bus the worker announces ModelFitted on');

const scope = new RequestScope(consoleLogger);
const services = composeModelWorker({
  db: createDynamoClient({ endpoint: config.dynamoEndpoint, region: config.region }),
  tableName: config.tableName,
  publisher: new EventBridgePublisher(createEventBridgeClient({ region: config.region }), config.eventBus),
  logger: scope.logger,
});

export const handler = createModelWorkerHandler({ ...services, scope });
