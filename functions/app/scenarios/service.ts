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
import type { ScenarioForecastRequested } from '../../../events/contracts.js';
import type { DriverModel } from '../../../model/drivers/contract.js';
import { ForecastSchema, type Forecast, type ScenarioFailure, type ScenarioInput } from '../../../model/scenario/contract.js';
import { checkEffects, forecastScenario } from '../../../model/scenario/forecast.js';
import { newId } from '../../ids.js';
import { silentLogger, type Logger } from '../../log.js';
import { bodyPath, ConflictError, NotFoundError, PendingWorkError, UnprocessableError, ValidationError } from '../errors.js';
import type { EventPublisher, OutboxPort, PendingEvent } from '../events.js';
import { createOnce, type IdempotencyInput, type IdempotencyPort } from '../idempotency.js';
import { pendingProgress, QueuedWork, WORK_DEADLINE_MS, type ReportProgress } from '../lifecycle.js';
import type { ModelService } from '../models/service.js';
import { FORECAST_STAGES, forecastState, staleVersionError, type ScenarioHead, type ScenarioVersion, type ScenarioVersionSummary } from './contract.js';
import type { CalibrationSource, ScenarioStore } from './ports.js';

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
  /** How long a queued forecast may stay `forecasting` before a read records it failed. @default {@link WORK_DEADLINE_MS} */
  forecastDeadlineMs?: number;
  /** Delivers the `ScenarioForecasted` events versions owe; without it they wait for the sweep. */
  outbox?: OutboxPort;
  /** The tenant's forecast-ledger calibration, which new forecasts carry (`calibrated`); without it they carry none. */
  calibration?: CalibrationSource;
}

/** A scenario version, the unit of queued forecast work. */
type VersionKey = { tenant: string; id: string; version: number };

/** Idempotency operation name of scenario creation. */
const OPERATION = 'scenarios';

/** What an idempotency record keeps of a creation: the version it wrote (immutable, so replayable). */
const CreatedSchema = z.object({ id: z.string(), version: z.literal(1) });

export class ScenarioService {
  private readonly logger: Logger;
  private readonly syncForecastLimit: number;
  private readonly outbox: OutboxPort | undefined;
  private readonly calibration: CalibrationSource | undefined;
  private readonly work: QueuedWork<VersionKey, Forecast>;

  constructor(
    private readonly store: ScenarioStore,
    private readonly models: ModelService,
    private readonly idempotency: IdempotencyPort,
    private readonly bus: EventPublisher,
    private readonly clock: () => Date = () => new Date(),
    options: ScenarioServiceOptions = {},
  ) {
    this.logger = options.logger ?? silentLogger;
    this.syncForecastLimit = options.syncForecastLimit ?? 5_000_000;
    this.outbox = options.outbox;
    this.calibration = options.calibration;
    this.work = new QueuedWork<VersionKey, Forecast>(
      {
        read: async ({ tenant, id, version }) => {
          const v = await this.store.findVersionForWorker(tenant, id, version);
          return v ? { state: forecastState(v.forecastStatus), since: v.updatedAt } : null;
        },
        finish: async ({ tenant, id, version }, outcome, at, by) => {
          if (outcome.state === 'failed') return this.store.finishForecast(tenant, id, version, { status: 'failed', problem: { title: outcome.problem.title, detail: outcome.problem.detail, ...(outcome.problem.field ? { field: outcome.problem.field } : {}) } });
          const v = await this.store.findVersionForWorker(tenant, id, version);
          if (!v) return false;
          return this.store.finishForecast(tenant, id, version, { status: 'ready', forecast: outcome.result, ...(by === 'worker' ? { event: this.forecasted(tenant, { ...v, updatedAt: at }) } : {}) });
        },
        deliver: async ({ tenant, id, version }) => {
          const v = await this.store.findVersionForWorker(tenant, id, version);
          if (v?.pending) await this.outbox?.deliver(this.store.outboxItem(tenant, id, version), v.pending);
        },
        progress: ({ tenant, id, version }, progress) => this.store.forecastProgress(tenant, id, version, progress),
      },
      { what: 'forecast', again: 'Send the scenario again (PUT with If-Match).', clock, logger: this.logger, deadlineMs: options.forecastDeadlineMs ?? WORK_DEADLINE_MS, stages: FORECAST_STAGES },
    );
  }

  /**
   * Creates a scenario at version 1 with its forecast. With an idempotency key, a retry of a
   * completed request answers with the first version (without forecasting again), and the same key
   * with another body is a 422.
   */
  async create(tenant: string, scenario: ScenarioInput, idem?: IdempotencyInput): Promise<{ scenario: ScenarioVersion; replayed: boolean }> {
    const now = this.clock();
    const out = await createOnce(
      this.idempotency,
      { tenant, operation: OPERATION, idem, now: now.getTime(), proposedId: newId('scn', now.getTime()) },
      {
        prepare: () => this.plan(tenant, scenario, now),
        write: async (id, planned, completion) => {
          const at = now.toISOString();
          const version: ScenarioVersion = { id, version: 1, name: scenario.name, modelId: scenario.modelId, createdAt: at, updatedAt: at, scenario, ...planned };
          const head: ScenarioHead = { id, name: scenario.name, modelId: scenario.modelId, version: 1, createdAt: at, updatedAt: at };
          await this.store.create(tenant, head, version, completion(planned.forecast ? 201 : 202, { id, version: 1 }), planned.forecast ? this.forecasted(tenant, version) : undefined);
          return version;
        },
        replay: (body) => this.replay(tenant, body),
      },
    );
    if (out.replayed) return { scenario: out.value, replayed: true };
    const version = out.value;
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
   * The worker's side of a queued forecast (a `ScenarioForecastRequested` event), through the
   * lifecycle: computes the forecast of that version and stores it once (or why it cannot be
   * computed), then delivers the `ScenarioForecasted` it owes. Idempotent; a version or scenario
   * deleted meanwhile is skipped; a transient failure is rethrown for a retry.
   */
  async forecastInWorker(event: ScenarioForecastRequested): Promise<void> {
    const { tenant, scenarioId, scenarioVersion } = event;
    const key = { tenant, id: scenarioId, version: scenarioVersion };
    await this.work.run(
      key,
      async (report) => {
        const v = await this.store.findVersionForWorker(tenant, scenarioId, scenarioVersion);
        if (!v) throw new NotFoundError(`Version ${scenarioVersion} of scenario '${scenarioId}' is gone.`);
        return this.computeForecast(tenant, v.scenario, this.clock(), undefined, report);
      },
      { tenant, scenarioId, scenarioVersion },
    );
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
    await this.work.enqueue(
      { tenant, id: v.id, version: v.version },
      () => this.bus.publish('ScenarioForecastRequested', { version: 1, tenant, occurredAt: v.updatedAt, scenarioId: v.id, scenarioVersion: v.version, modelId: v.modelId }),
      `Version ${v.version} of scenario '${v.id}' is stored, but its forecast could not be queued; PUT it again shortly.`,
    );
    return v;
  }

  /** A version as it stands, after failing a queued forecast past its deadline. */
  private async settle(tenant: string, v: ScenarioVersion): Promise<ScenarioVersion> {
    const expired = await this.work.expire({ tenant, id: v.id, version: v.version }, { state: forecastState(v.forecastStatus), since: v.updatedAt });
    // Whoever won the conditional write, the stored version is now final: read it back.
    if (expired) return this.store.getVersion(tenant, v.id, v.version);
    const progress = pendingProgress(forecastState(v.forecastStatus), v.progress, FORECAST_STAGES);
    return progress ? { ...v, progress } : v;
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

  /**
   * Forecasts a scenario on its (ready) model, read here unless `known`, with the tenant's ledger
   * calibration when it has one; every failure is a problem naming its field.
   */
  private async computeForecast(tenant: string, scenario: ScenarioInput, now: Date, known?: Awaited<ReturnType<ModelService['readyModel']>>, report?: ReportProgress): Promise<Forecast> {
    await report?.('reading respondents');
    const [{ model, population }, calibration] = await Promise.all([
      this.models.simulationBasis(tenant, scenario.modelId, 'body.modelId', known),
      this.calibration?.calibration(tenant) ?? null,
    ]);
    await report?.('forecasting');
    const out = forecastScenario(model, population, scenario, { modelId: scenario.modelId, computedAt: now.toISOString(), calibration });
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
    await this.outbox?.deliverOrLeave(this.store.outboxItem(tenant, v.id, v.version), this.forecasted(tenant, v), { tenant, scenarioId: v.id, scenarioVersion: v.version });
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
    throw new PendingWorkError(`Version ${v.version} of scenario '${v.id}' is still being forecast by the worker; retry shortly.`, 5, {
      extensions: { scenarioId: v.id, version: v.version, forecastStatus: 'forecasting' },
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
