/**
 * Progress of queued work on its GET: a fit, a worker forecast and an optimisation each show
 * `progress: { stage, done }` while pending — `queued` (0) before a worker took it, then each stage
 * the worker wrote at its boundaries — and none once finished; a report that arrives after the
 * outcome is refused by its conditional write. The work is queued by services whose events go
 * nowhere, so the test runs the worker's side itself and reads every step through the HTTP API
 * (each answer checked against the OpenAPI document).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { ModelFitRequested, OptimizationRequested, ScenarioForecastRequested } from '../../events/contracts.js';
import { tableFromObjects } from '../../model/dataset.js';
import { demoWave } from '../../model/demo.js';
import { ModelRequestSchema } from '../../model/drivers/contract.js';
import { OptimizeRequestSchema } from '../../model/scenario/optimize.js';
import { ScenarioInputSchema } from '../../model/scenario/contract.js';
import type { EventPublisher } from '../../functions/app/events.js';
import { ModelService } from '../../functions/app/models/service.js';
import { PortfolioService } from '../../functions/app/portfolio/service.js';
import { ScenarioService } from '../../functions/app/scenarios/service.js';
import { demoScenario } from '../../functions/local/demoScenario.js';
import { IdempotencyStore } from '../../functions/store/idempotency.js';
import { DynamoOptimizationStore } from '../../functions/store/optimizations.js';
import { createTestLiftcast, type TestLiftcast } from '../support/liftcast.js';

let lc: TestLiftcast;

/** A publisher that keeps each event instead of delivering it: the test plays the worker. */
function held(): EventPublisher & { events: Map<string, unknown> } {
  const events = new Map<string, unknown>();
  return { events, publish: async (name, detail) => void events.set(name, detail) };
}

/** Calls `after` once each progress report `store[method]` makes has been written. */
function onReport<K extends string, S extends Record<K, (...args: never[]) => Promise<boolean>>>(store: S, method: K, after: () => Promise<void>): void {
  const original = store[method].bind(store) as (...args: unknown[]) => Promise<boolean>;
  store[method] = (async (...args: unknown[]) => {
    const written = await original(...args);
    await after();
    return written;
  }) as unknown as S[K];
}

beforeAll(async () => {
  lc = await createTestLiftcast();
});

async function demoDataset(tenant: string): Promise<string> {
  const wave = demoWave({ seed: 7, respondents: 600, accounts: 150 });
  const { dataset } = await lc.datasets.service.create(tenant, { name: wave.name, described: wave.attributes, table: tableFromObjects(wave.rows), seal: true });
  return dataset.id;
}

describe('progress of queued work', () => {
  it('a queued fit shows queued, then each stage its worker reports, then no progress once ready; a late report is refused', async () => {
    // Prepare
    const tenant = lc.tenant();
    const token = await lc.token(tenant);
    const datasetId = await demoDataset(tenant);
    const bus = held();
    const models = new ModelService(lc.datasets.store, lc.models.store, bus, () => new Date(), { syncRowLimit: 0 });
    const accepted = await models.create(tenant, ModelRequestSchema.parse({ datasetId, segmentBy: 'segment' }));
    expect(accepted.status).toBe(202);
    const path = `/v1/models/${accepted.model.id}`;
    const seen: unknown[] = [];
    onReport(lc.models.store, 'progress', async () => void seen.push((await (await lc.request('GET', path, { token })).json()).progress));

    // Act
    const queued = await (await lc.request('GET', path, { token })).json();
    await models.fitInWorker(bus.events.get('ModelFitRequested') as ModelFitRequested);

    // Assess
    expect(queued).toMatchObject({ status: 'fitting', progress: { stage: 'queued', done: 0 } });
    expect(seen).toEqual([
      { stage: 'reading respondents', done: 1 / 3 },
      { stage: 'fitting', done: 2 / 3 },
    ]);
    const ready = await (await lc.request('GET', path, { token })).json();
    expect(ready.status).toBe('ready');
    expect(ready).not.toHaveProperty('progress');
    expect(await lc.models.store.progress(tenant, accepted.model.id, { stage: 'fitting', done: 0.5 })).toBe(false);
    expect(await (await lc.request('GET', path, { token })).json()).toEqual(ready);
  });

  it('a worker forecast and a worker optimisation show their stages on GET until they are ready', async () => {
    // Prepare: a ready model, then a scenario and an optimisation both sent to the worker
    const tenant = lc.tenant();
    const token = await lc.token(tenant);
    const datasetId = await demoDataset(tenant);
    const fitted = await lc.models.service.create(tenant, ModelRequestSchema.parse({ datasetId, segmentBy: 'segment' }));
    const bus = held();
    const scenarios = new ScenarioService(lc.scenarios.store, lc.models.service, new IdempotencyStore(lc.db, lc.tableName), bus, () => new Date(), { syncForecastLimit: 0 });
    const optimizations = new DynamoOptimizationStore(lc.db, lc.tableName);
    const portfolio = new PortfolioService(scenarios, lc.models.service, optimizations, bus, () => new Date());
    const { scenario } = await scenarios.create(tenant, ScenarioInputSchema.parse(demoScenario(fitted.model.id)));
    const scenarioPath = `/v1/scenarios/${scenario.id}`;
    const forecastSeen: unknown[] = [];
    onReport(lc.scenarios.store, 'forecastProgress', async () => void forecastSeen.push((await (await lc.request('GET', scenarioPath, { token })).json()).progress));

    // Act: the forecast
    const queued = await (await lc.request('GET', scenarioPath, { token })).json();
    await scenarios.forecastInWorker(bus.events.get('ScenarioForecastRequested') as ScenarioForecastRequested);

    // Assess
    expect(queued).toMatchObject({ forecastStatus: 'forecasting', progress: { stage: 'queued', done: 0 } });
    expect(forecastSeen).toEqual([
      { stage: 'reading respondents', done: 1 / 3 },
      { stage: 'forecasting', done: 2 / 3 },
    ]);
    const ready = await (await lc.request('GET', scenarioPath, { token })).json();
    expect(ready.forecastStatus).toBe('ready');
    expect(ready).not.toHaveProperty('progress');

    // Act: the optimisation
    const started = await portfolio.optimize(tenant, scenario.id, OptimizeRequestSchema.parse({ budget: 2_000_000, objective: 'npsLift' }));
    expect(started.status).toBe(202);
    const job = started.status === 202 ? started.optimization : null;
    const jobPath = `${scenarioPath}/optimizations/${job!.id}`;
    const optimizationSeen: unknown[] = [];
    onReport(optimizations, 'progress', async () => void optimizationSeen.push((await (await lc.request('GET', jobPath, { token })).json()).progress));
    const running = await (await lc.request('GET', jobPath, { token })).json();
    await portfolio.optimizeInWorker(bus.events.get('OptimizationRequested') as OptimizationRequested);

    // Assess
    expect(job!.progress).toEqual({ stage: 'queued', done: 0 });
    expect(running).toMatchObject({ status: 'running', progress: { stage: 'queued', done: 0 } });
    expect(optimizationSeen).toEqual([
      { stage: 'reading respondents', done: 1 / 3 },
      { stage: 'searching portfolios', done: 2 / 3 },
    ]);
    const done = await (await lc.request('GET', jobPath, { token })).json();
    expect(done.status).toBe('ready');
    expect(done).not.toHaveProperty('progress');
  });
});
