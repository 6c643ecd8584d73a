/**
 * One handler per kind of work the worker does. Each runs in the request scope (every log line
 * carries the invocation's request id and the event's ids) and calls the service that owns the
 * work; the services' queued-work lifecycle (functions/app/lifecycle.ts) makes each idempotent. The
 * Lambda handler (./handler.ts) and, locally, the in-process bus call these same functions.
 */
import type { DatasetIngested, ModelFitRequested, OptimizationRequested, ScenarioForecastRequested } from '../../events/contracts.js';
import type { LaunchService } from '../app/launches/service.js';
import type { ModelService } from '../app/models/service.js';
import type { PortfolioService } from '../app/portfolio/service.js';
import type { ScenarioService } from '../app/scenarios/service.js';
import type { RequestScope } from '../log.js';
import type { Outbox } from '../store/outbox.js';

export interface WorkerServices {
  /** The service whose `fitInWorker` fits queued models. */
  models: Pick<ModelService, 'fitInWorker'>;
  /** The service whose `forecastInWorker` forecasts queued scenario versions. */
  scenarios: Pick<ScenarioService, 'forecastInWorker'>;
  /** The service whose `optimizeInWorker` runs accepted optimisations. */
  portfolio: Pick<PortfolioService, 'optimizeInWorker'>;
  /** The service whose `evaluateWave` reads the tenant's launches against a sealed wave (the forecast ledger). */
  launches: Pick<LaunchService, 'evaluateWave'>;
  /** The outbox the schedule sweeps. */
  outbox: Pick<Outbox, 'sweep'>;
}

/** Log fields of an invocation: its request id and envelope id. */
export type Invocation = { requestId?: string; eventId?: string | undefined };

export interface WorkerHandlers {
  ModelFitRequested(detail: ModelFitRequested, invocation?: Invocation): Promise<void>;
  ScenarioForecastRequested(detail: ScenarioForecastRequested, invocation?: Invocation): Promise<void>;
  OptimizationRequested(detail: OptimizationRequested, invocation?: Invocation): Promise<void>;
  DatasetIngested(detail: DatasetIngested, invocation?: Invocation): Promise<void>;
  OutboxSweep(invocation?: Invocation): Promise<void>;
}

/** The worker's handlers over its services, logging through `scope`. */
export function workerHandlers(services: WorkerServices, scope: RequestScope, clock: () => Date): WorkerHandlers {
  return {
    ModelFitRequested: (detail, invocation = {}) =>
      scope.run({ ...invocation, event: 'ModelFitRequested', tenant: detail.tenant, modelId: detail.modelId }, () => services.models.fitInWorker(detail)),
    ScenarioForecastRequested: (detail, invocation = {}) =>
      scope.run({ ...invocation, event: 'ScenarioForecastRequested', tenant: detail.tenant, scenarioId: detail.scenarioId, scenarioVersion: detail.scenarioVersion }, () =>
        services.scenarios.forecastInWorker(detail),
      ),
    OptimizationRequested: (detail, invocation = {}) =>
      scope.run({ ...invocation, event: 'OptimizationRequested', tenant: detail.tenant, scenarioId: detail.scenarioId, optimizationId: detail.optimizationId }, () =>
        services.portfolio.optimizeInWorker(detail),
      ),
    DatasetIngested: (detail, invocation = {}) =>
      scope.run({ ...invocation, event: 'DatasetIngested', tenant: detail.tenant, datasetId: detail.datasetId }, () => services.launches.evaluateWave(detail)),
    OutboxSweep: (invocation = {}) =>
      scope.run({ ...invocation, event: 'OutboxSweep' }, async () => {
        const swept = await services.outbox.sweep(clock());
        scope.logger.log(swept.failed > 0 ? 'error' : 'info', 'outbox swept', swept);
        // A failure is retried by Lambda (then the failure queue), and the next sweep tries again anyway.
        if (swept.failed > 0) throw new Error(`${swept.failed} events could not be published from the outbox`);
      }),
  };
}
