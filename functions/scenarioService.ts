/**
 * Use cases for scenarios: create one with its forecast, read it (latest, any version, the stored
 * forecast), change it under an `If-Match` version, delete it. The maths lives in
 * `model/scenario`; this module fetches the ready model and its respondents through the model
 * service, computes the forecast before anything is written (a scenario that cannot be forecast
 * leaves nothing behind), stores each version with its forecast, and announces it.
 *
 * Reads never recompute: `GET …/forecast` answers from the stored version, so it stays fast and
 * keeps answering when the model's dataset has since been deleted. Only a create or an update
 * needs the model, and then a model or dataset that is gone is a problem naming `modelId`.
 *
 * A scenario too large to forecast inside a request (more respondent × initiative evaluations than
 * `syncForecastLimit`) is checked against the model, stored with `forecastStatus: forecasting`,
 * and answered 202; a `ScenarioForecastRequested` event takes it to the worker, which stores the
 * forecast on that version once (`forecastInWorker`) and announces it. Until then its forecast
 * reads are 409s with `Retry-After`; a forecast that cannot be computed leaves the version `failed`
 * with the problem, and one no worker finished within `forecastDeadlineMs` is failed on its next read.
 */
import { z } from 'zod';
import type { ScenarioForecastRequested } from '../events/contracts.js';
import type { DriverModel } from '../model/drivers/contract.js';
import { ForecastSchema, type Forecast, type ScenarioFailure, type ScenarioInput } from '../model/scenario/contract.js';
import { checkEffects, forecastScenario } from '../model/scenario/forecast.js';
import { bodyPath, ConflictError, NotFoundError, ServiceUnavailableError, UnprocessableError, ValidationError, workerProblem } from './errors.js';
import type { EventPublisher } from './events/bus.js';
import { newId } from './ids.js';
import { silentLogger, type Logger } from './log.js';
import type { ModelService } from './modelService.js';
import type { IdempotencyStore } from './store/idempotency.js';
import type { Outbox, PendingEvent } from './store/outbox.js';
import { staleVersionError, type DynamoScenarioStore, type ForecastProblem, type ScenarioHead, type ScenarioVersion, type ScenarioVersionSummary } from './store/scenarios.js';

export type { ScenarioHead, ScenarioVersion, ScenarioVersionSummary };

export interface ScenarioServiceOptions {
  logger?: Logger;
  /**
   * Largest forecast computed inside a request, in respondent × initiative evaluations (the model's
   * respondents times the scenario's initiatives); larger ones go to the worker (202). Twenty
   * initiatives on 200,000 respondents (4,000,000) take about 2 s here, well inside API Gateway's
   * 29 s, including reading the respondents.
   * @default 5_000_000
   */
  syncForecastLimit?: number;
  /**
   * How long a queued forecast may stay `forecasting` before a read records it failed. Covers
   * EventBridge's delivery retries and Lambda's own (infra/worker.ts: `workerRetry`).
   * @default 7 hours
   */
  forecastDeadlineMs?: number;
  /** Delivers the `ScenarioForecasted` events versions owe; without it they wait for the sweep. */
  outbox?: Outbox;
}

/** Idempotency operation name of scenario creation. */
const OPERATION = 'scenarios';

/** What an idempotency record keeps of a creation: the version it wrote (immutable, so replayable). */
const CreatedSchema = z.object({ id: z.string(), version: z.literal(1) });

export interface IdempotencyInput {
  key: string;
  /** Hash of everything that defines the request (method, path, content type, body). */
  fingerprint: string;
}

export class ScenarioService {
  private readonly logger: Logger;
  private readonly syncForecastLimit: number;
  private readonly forecastDeadlineMs: number;
  private readonly outbox: Outbox | undefined;

  constructor(
    private readonly store: DynamoScenarioStore,
    private readonly models: ModelService,
    private readonly idempotency: IdempotencyStore,
    private readonly bus: EventPublisher,
    private readonly clock: () => Date = () => new Date(),
    options: ScenarioServiceOptions = {},
  ) {
    this.logger = options.logger ?? silentLogger;
    this.syncForecastLimit = options.syncForecastLimit ?? 5_000_000;
    this.forecastDeadlineMs = options.forecastDeadlineMs ?? 7 * 3600_000;
    this.outbox = options.outbox;
  }

  /**
   * Creates a scenario at version 1 with its forecast. With an idempotency key, a retry of a
   * completed request answers with the first version (without forecasting again), and the same key
   * with another body is a 422.
   */
  async create(tenant: string, scenario: ScenarioInput, idem?: IdempotencyInput): Promise<{ scenario: ScenarioVersion; replayed: boolean }> {
    const now = this.clock();
    if (idem) {
      const done = await this.idempotency.completed(tenant, OPERATION, idem.key, idem.fingerprint, now.getTime());
      if (done) return { scenario: await this.replay(tenant, done.body), replayed: true };
    }
    const planned = await this.plan(tenant, scenario, now);

    let id = newId('scn', now.getTime());
    if (idem) {
      const start = await this.idempotency.start(tenant, OPERATION, idem.key, idem.fingerprint, id, now.getTime());
      if (start.kind === 'replay') return { scenario: await this.replay(tenant, start.body), replayed: true };
      id = start.resourceId;
    }
    const at = now.toISOString();
    const version: ScenarioVersion = { id, version: 1, name: scenario.name, modelId: scenario.modelId, createdAt: at, updatedAt: at, scenario, ...planned };
    const head: ScenarioHead = { id, name: scenario.name, modelId: scenario.modelId, version: 1, createdAt: at, updatedAt: at };
    try {
      await this.store.create(
        tenant,
        head,
        version,
        idem ? [this.idempotency.completion(tenant, OPERATION, idem.key, idem.fingerprint, planned.forecast ? 201 : 202, { id, version: 1 })] : [],
        planned.forecast ? this.forecasted(tenant, version) : undefined,
      );
    } catch (e) {
      if (!(e instanceof ConflictError) || !idem) throw e;
      // A concurrent retry with the same key finished first: answer as it did.
      const again = await this.idempotency.start(tenant, OPERATION, idem.key, idem.fingerprint, id, now.getTime());
      if (again.kind === 'replay') return { scenario: await this.replay(tenant, again.body), replayed: true };
      throw e;
    }
    if (version.forecastStatus === 'forecasting') return { scenario: await this.queue(tenant, version), replayed: false };
    await this.announce(tenant, version);
    return { scenario: version, replayed: false };
  }

  /**
   * Writes the next version of a scenario: the whole scenario, forecast again on its model. The
   * client names the version it read (`If-Match`); when another change has been stored since, this
   * is a 412 with the current version, and nothing is computed or written.
   */
  async update(tenant: string, id: string, scenario: ScenarioInput, expectedVersion: number): Promise<ScenarioVersion> {
    const head = await this.store.getHead(tenant, id);
    if (head.version !== expectedVersion) throw staleVersionError(id, expectedVersion, head.version);
    const now = this.clock();
    const planned = await this.plan(tenant, scenario, now);
    const at = now.toISOString();
    const next = { name: scenario.name, modelId: scenario.modelId, updatedAt: at, scenario, ...planned };
    const stored = await this.store.update(tenant, head, next, planned.forecast ? (n) => this.forecasted(tenant, { ...next, id, version: n }) : undefined);
    const version: ScenarioVersion = { id, version: stored.version, name: scenario.name, modelId: scenario.modelId, createdAt: head.createdAt, updatedAt: at, scenario, ...planned };
    if (version.forecastStatus === 'forecasting') return this.queue(tenant, version);
    await this.announce(tenant, version);
    return version;
  }

  /** The latest version with its stored forecast (or where that forecast stands). */
  async get(tenant: string, id: string): Promise<ScenarioVersion> {
    return this.settle(tenant, await this.store.getLatest(tenant, id));
  }

  /** One version (versions are immutable), with the forecast stored with it. */
  async getVersion(tenant: string, id: string, version: number): Promise<ScenarioVersion> {
    return this.settle(tenant, await this.store.getVersion(tenant, id, version));
  }

  /**
   * The latest version's forecast, for the reads that need one (rankings, comparisons, the optimiser):
   * a 409 with `Retry-After` while the worker computes it, a 422 with the stored reason when it failed.
   */
  async getForecast(tenant: string, id: string): Promise<ScenarioVersion & { forecast: Forecast }> {
    return requireForecast(await this.get(tenant, id));
  }

  /**
   * The worker's side of a queued forecast (a `ScenarioForecastRequested` event): computes the
   * forecast of that version and stores it, or stores why it cannot be computed, then announces it.
   *
   * Idempotent: a redelivered event finds the version no longer `forecasting` and only delivers its
   * `ScenarioForecasted` if that still waits in the version's outbox (functions/store/outbox.ts), so
   * an event EventBridge refused is published by the retry (or the sweep). A version or scenario
   * deleted meanwhile is skipped. A transient failure (DynamoDB or EventBridge unavailable) is
   * rethrown for a retry.
   */
  async forecastInWorker(event: ScenarioForecastRequested): Promise<void> {
    const { tenant, scenarioId, scenarioVersion } = event;
    let v = await this.store.findVersionForWorker(tenant, scenarioId, scenarioVersion);
    if (!v) {
      this.logger.log('warn', 'forecast requested for a scenario version that does not exist (deleted?)', { tenant, scenarioId, scenarioVersion });
      return;
    }
    if (v.forecastStatus === 'forecasting') {
      const computed = await this.computeInWorker(tenant, v);
      const outcome = computed.status === 'ready' ? { ...computed, event: this.forecasted(tenant, { ...v, updatedAt: this.clock().toISOString() }) } : computed;
      let finished: boolean;
      try {
        finished = await this.store.finishForecast(tenant, scenarioId, scenarioVersion, outcome);
      } catch (error) {
        if (!(error instanceof UnprocessableError)) throw error;
        finished = await this.store.finishForecast(tenant, scenarioId, scenarioVersion, { status: 'failed', problem: { title: error.title, detail: error.message } });
      }
      if (finished) this.logger.log('info', 'forecast stored', { tenant, scenarioId, scenarioVersion, forecastStatus: outcome.status });
      v = await this.store.findVersionForWorker(tenant, scenarioId, scenarioVersion);
      if (!v) return;
    }
    // Thrown on failure: the event is retried, and the retry lands here again.
    if (v.pending) await this.outbox?.deliver(this.store.versionKey(tenant, scenarioId, scenarioVersion), v.pending);
  }

  /** The forecast of a queued version, or the problem that prevents it; rethrows what a retry may fix. */
  private async computeInWorker(tenant: string, v: ScenarioVersion): Promise<{ status: 'ready'; forecast: Forecast } | { status: 'failed'; problem: ForecastProblem }> {
    try {
      return { status: 'ready', forecast: await this.computeForecast(tenant, v.scenario, this.clock()) };
    } catch (error) {
      const problem = workerProblem(error);
      if (problem) return { status: 'failed', problem };
      this.logger.log('error', 'scenario forecast failed', { tenant, scenarioId: v.id, scenarioVersion: v.version, error });
      return { status: 'failed', problem: { title: 'The forecast failed', detail: 'An unexpected error stopped the forecast; it has been logged. Send the scenario again (PUT with If-Match).' } };
    }
  }

  /**
   * Whether a scenario on this model is small enough to evaluate inside an API request: its
   * respondent × initiative evaluations within `syncForecastLimit`. The optimiser asks too.
   */
  fitsInRequest(model: DriverModel, scenario: ScenarioInput): { fits: boolean; evaluations: number; limit: number } {
    const evaluations = model.population.used * scenario.initiatives.length;
    return { fits: evaluations <= this.syncForecastLimit, evaluations, limit: this.syncForecastLimit };
  }

  /**
   * Decides where a scenario is forecast: here, now, when it is small enough; otherwise the effects
   * are checked against the model (so a scenario naming an unknown attribute is still a 400) and the
   * version is stored `forecasting`, for the worker.
   */
  private async plan(tenant: string, scenario: ScenarioInput, now: Date): Promise<{ forecastStatus: 'ready'; forecast: Forecast } | { forecastStatus: 'forecasting'; forecast: null }> {
    const ready = await this.models.readyModel(tenant, scenario.modelId, 'body.modelId');
    if (!this.fitsInRequest(ready.model, scenario).fits) {
      const failure = checkEffects(ready.model, scenario);
      if (failure) throw failureProblem(failure);
      return { forecastStatus: 'forecasting', forecast: null };
    }
    return { forecastStatus: 'ready', forecast: await this.computeForecast(tenant, scenario, now, ready) };
  }

  /**
   * Sends a stored `forecasting` version to the worker. When the event cannot be published the
   * version is recorded `failed` (so it does not wait for the deadline) and the request is a 503.
   */
  private async queue(tenant: string, v: ScenarioVersion): Promise<ScenarioVersion> {
    try {
      await this.bus.publish('ScenarioForecastRequested', { version: 1, tenant, occurredAt: v.updatedAt, scenarioId: v.id, scenarioVersion: v.version, modelId: v.modelId });
    } catch (cause) {
      const problem = { title: 'The forecast could not be queued', detail: 'Send the scenario again (PUT with If-Match) to forecast it.' };
      await this.store.finishForecast(tenant, v.id, v.version, { status: 'failed', problem });
      throw new ServiceUnavailableError(`Version ${v.version} of scenario '${v.id}' is stored, but its forecast could not be queued; PUT it again shortly.`, { cause });
    }
    return v;
  }

  /** A version as it stands, after failing a queued forecast past its deadline. */
  private async settle(tenant: string, v: ScenarioVersion): Promise<ScenarioVersion> {
    if (v.forecastStatus !== 'forecasting' || this.clock().getTime() - Date.parse(v.updatedAt) <= this.forecastDeadlineMs) return v;
    const problem = {
      title: 'The forecast did not complete',
      detail: `No worker finished this forecast within ${Math.round(this.forecastDeadlineMs / 60_000)} minutes of the request (its event ended in the dead-letter queue, or the worker stopped). Send the scenario again (PUT with If-Match).`,
    };
    await this.store.finishForecast(tenant, v.id, v.version, { status: 'failed', problem });
    // Whoever won the conditional write, the stored version is now final: read it back.
    return this.store.getVersion(tenant, v.id, v.version);
  }

  /** Every version, oldest first, a page at a time, without forecasts. */
  listVersions(tenant: string, id: string, options: { limit: number; cursor?: string }): Promise<{ items: ScenarioVersionSummary[]; nextCursor: string | null }> {
    return this.store.listVersions(tenant, id, options);
  }

  /** Scenarios newest first. */
  list(tenant: string, options: { limit: number; cursor?: string }): Promise<{ items: ScenarioHead[]; nextCursor: string | null }> {
    return this.store.list(tenant, options);
  }

  /** Deletes the scenario and every version. */
  delete(tenant: string, id: string): Promise<void> {
    return this.store.delete(tenant, id);
  }

  /** Forecasts a scenario on its (ready) model, read here unless `known`; every failure is a problem naming its field. */
  private async computeForecast(tenant: string, scenario: ScenarioInput, now: Date, known?: Awaited<ReturnType<ModelService['readyModel']>>): Promise<Forecast> {
    const { model, population } = await this.models.simulationBasis(tenant, scenario.modelId, 'body.modelId', known);
    const out = forecastScenario(model, population, scenario, { modelId: scenario.modelId, computedAt: now.toISOString() });
    if (!out.ok) throw failureProblem(out);
    // Stored and served exactly as the contract describes it, so a read equals the first answer.
    return ForecastSchema.parse(out.forecast);
  }

  /** The first response of an idempotent creation: version 1, read back. */
  private async replay(tenant: string, body: unknown): Promise<ScenarioVersion> {
    const { id } = CreatedSchema.parse(body);
    try {
      return await this.store.getVersion(tenant, id, 1);
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e;
      throw new ConflictError(`The scenario this Idempotency-Key created ('${id}') has since been deleted; send a new key to create it again.`, {
        cause: e,
        errors: [{ field: 'header.Idempotency-Key', reason: `its scenario '${id}' was deleted` }],
      });
    }
  }

  /** The `ScenarioForecasted` a version with a forecast owes, written with it (the outbox). */
  private forecasted(tenant: string, v: Pick<ScenarioVersion, 'id' | 'version' | 'modelId' | 'updatedAt'>): PendingEvent<'ScenarioForecasted'> {
    return {
      name: 'ScenarioForecasted',
      at: v.updatedAt,
      detail: { version: 1, tenant, occurredAt: v.updatedAt, scenarioId: v.id, scenarioVersion: v.version, modelId: v.modelId },
    };
  }

  /**
   * Delivers the `ScenarioForecasted` a version written in the request owes. The version is stored,
   * so a publish that fails does not fail the request: the event waits in the version's outbox and
   * the worker's sweep delivers it.
   */
  private async announce(tenant: string, v: ScenarioVersion): Promise<void> {
    await this.outbox?.deliverOrLeave(this.store.versionKey(tenant, v.id, v.version), this.forecasted(tenant, v), { tenant, scenarioId: v.id, scenarioVersion: v.version });
  }
}

/** The forecast of a version, or the problem that it has none yet (409) or cannot have one (422). */
export function requireForecast(v: ScenarioVersion): ScenarioVersion & { forecast: Forecast } {
  if (v.forecastStatus === 'forecasting' || !v.forecast) {
    if (v.forecastStatus === 'failed')
      throw new UnprocessableError(`Version ${v.version} of scenario '${v.id}' has no forecast: ${v.problem?.detail ?? 'its forecast failed'}`, {
        errors: v.problem?.field ? [{ field: v.problem.field, reason: v.problem.title }] : [],
        extensions: { scenarioId: v.id, version: v.version, forecastStatus: 'failed' },
      });
    throw new ConflictError(`Version ${v.version} of scenario '${v.id}' is still being forecast by the worker; retry shortly.`, {
      extensions: { scenarioId: v.id, version: v.version, forecastStatus: 'forecasting' },
      headers: { 'Retry-After': '5' },
    });
  }
  return v as ScenarioVersion & { forecast: Forecast };
}

/**
 * A scenario the model cannot forecast: every reason (an attribute or segment the model does not
 * know, a target level the data does not have, a change that cannot be) is in the request, so a 400
 * at the field the model layer names.
 */
function failureProblem(failure: ScenarioFailure): ValidationError {
  return new ValidationError(failure.detail, {
    errors: [{ field: failure.field !== undefined ? bodyPath(failure.field) : 'body', reason: failure.detail }],
    extensions: { failure: failure.reason },
  });
}
