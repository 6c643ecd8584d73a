/**
 * Use cases for driver models: fit one on a sealed wave (in the request when the wave is small, by a
 * worker otherwise), read and list them, and run what-ifs against a ready one. The maths lives in
 * `model/drivers`; this module loads respondents through the dataset port, turns every
 * {@link ModelFailure} into a problem that names the attribute or segment at fault, and keeps a model
 * immutable once fitted: it is written `pending` (the API says `fitting`), then exactly once `ready`
 * or `failed` — the queued-work lifecycle of functions/app/lifecycle.ts.
 */
import type { ModelFitRequested } from '../../../events/contracts.js';
import type { RespondentColumns } from '../../../model/dataset.js';
import { DriverModelSchema, ModelRequestSchema, resolvedSegmentBy, type DriverModel, type ModelFailure, type ModelRequest, type WhatIf, type WhatIfResult } from '../../../model/drivers/contract.js';
import { fitDriverModel, predictWhatIf } from '../../../model/drivers/driverModel.js';
import { buildPopulation, type Population } from '../../../model/drivers/population.js';
import { newId } from '../../ids.js';
import { silentLogger, type Logger } from '../../log.js';
import type { DatasetMeta } from '../datasets/contract.js';
import type { DatasetStore } from '../datasets/ports.js';
import { ConflictError, DatasetGoneError, NotFoundError, TooLargeError, UnavailableError, UnprocessableError, ValidationError, type AppError, type StoredProblem } from '../errors.js';
import type { EventPublisher, OutboxPort, PendingEvent } from '../events.js';
import { pendingProgress, QueuedWork, settleFailure, WORK_DEADLINE_MS, type ReportProgress, type WorkOutcome } from '../lifecycle.js';
import { FIT_STAGES, modelStatus, type CreateModelResult, type ModelPage, type ModelProblem, type ModelRecord, type ModelView } from './contract.js';
import type { ModelStore, StoredModel } from './ports.js';
import { checkAttributes, failureProblem } from './problems.js';
import { PopulationCache, populationKey } from './populationCache.js';

export interface ModelServiceOptions {
  /**
   * Datasets with at most this many respondents are fitted within the request (201); larger ones
   * are queued for a worker (202). A 250,000-respondent fit takes a few seconds and well under the
   * API's 29 s timeout.
   * @default 250_000
   */
  syncRowLimit?: number;
  /** How long a queued fit may stay pending before a read records it failed. @default {@link WORK_DEADLINE_MS} */
  fitDeadlineMs?: number;
  /**
   * Populations kept in memory for what-ifs (a 1,000,000 × 20 population is 160 MB).
   * @default 4
   */
  populationCacheSize?: number;
  logger?: Logger;
  /** Delivers the `ModelFitted` events a worker's fits owe; without it they wait for the sweep. */
  outbox?: OutboxPort;
}

type Fitted = { ok: true; model: DriverModel; population: Population } | { ok: false; failure: ModelFailure };
type FitKey = { tenant: string; model: StoredModel };

/** A stored model in the API's words. */
function recordOf(m: StoredModel): ModelRecord {
  const progress = pendingProgress(m.state, m.progress, FIT_STAGES);
  return { id: m.id, datasetId: m.datasetId, status: modelStatus(m.state), createdAt: m.createdAt, updatedAt: m.updatedAt, request: m.request, problem: m.problem, ...(progress ? { progress } : {}) };
}

export class ModelService {
  private readonly syncRowLimit: number;
  private readonly populations: PopulationCache;
  private readonly logger: Logger;
  private readonly outbox: OutboxPort | undefined;
  private readonly work: QueuedWork<FitKey, DriverModel>;

  constructor(
    private readonly datasets: DatasetStore,
    private readonly models: ModelStore,
    private readonly bus: EventPublisher,
    private readonly clock: () => Date,
    options: ModelServiceOptions = {},
  ) {
    this.syncRowLimit = options.syncRowLimit ?? 250_000;
    this.populations = new PopulationCache(options.populationCacheSize ?? 4);
    this.logger = options.logger ?? silentLogger;
    this.outbox = options.outbox;
    this.work = new QueuedWork<FitKey, DriverModel>(
      {
        read: async ({ tenant, model }) => {
          try {
            const { model: m } = await this.models.get(tenant, model.id);
            return { state: m.state, since: m.createdAt };
          } catch (e) {
            if (e instanceof NotFoundError) return null;
            throw e;
          }
        },
        finish: ({ tenant, model }, outcome, at, by) => this.finish(tenant, model, outcome, at, by === 'worker'),
        deliver: async ({ tenant, model }) => {
          const { pending } = await this.models.get(tenant, model.id);
          if (pending) await this.outbox?.deliver(this.models.outboxItem(tenant, model.id), pending);
        },
        progress: ({ tenant, model }, progress) => this.models.progress(tenant, model.id, progress),
      },
      { what: 'fit', logName: 'model fit', again: 'Request the model again.', clock, logger: this.logger, deadlineMs: options.fitDeadlineMs ?? WORK_DEADLINE_MS, stages: FIT_STAGES },
    );
  }

  /**
   * Fits a driver model on a sealed dataset. Small datasets are fitted now: the answer is the ready
   * model (201), or a 422/400 problem naming what makes the data unusable, in which case the model
   * is still recorded as `failed` so the attempt stays visible. Larger ones are queued (202).
   */
  async create(tenant: string, request: ModelRequest): Promise<CreateModelResult> {
    const meta = await this.datasets.getMeta(tenant, request.datasetId);
    if (!meta) throw new NotFoundError(`No dataset '${request.datasetId}'.`, { errors: [{ field: 'body.datasetId', reason: 'no such dataset' }] });
    if (meta.dataset.status !== 'sealed')
      throw new ConflictError(`Dataset '${request.datasetId}' is still open: seal it (POST /v1/datasets/${request.datasetId}/seal) before fitting a model on it.`);
    checkAttributes(meta.dataset.attributes, request);

    const now = this.clock();
    const stored: StoredModel = {
      id: newId('mdl', now.getTime()),
      datasetId: request.datasetId,
      state: 'pending',
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      request,
      problem: null,
    };

    if (meta.dataset.rowCount > this.syncRowLimit) {
      await this.models.create(tenant, stored);
      await this.work.enqueue(
        { tenant, model: stored },
        () => this.bus.publish('ModelFitRequested', { version: 1, tenant, occurredAt: stored.createdAt, modelId: stored.id, datasetId: stored.datasetId }),
        'The fit could not be queued; retry shortly.',
      );
      return { status: 202, model: { id: stored.id, status: 'fitting' } };
    }

    // Fit before writing anything, so a crash mid-fit leaves no model stuck pending.
    let outcome: Fitted;
    try {
      outcome = await this.fit(tenant, meta, request);
    } catch (error) {
      // Its respondents vanished mid-read: the dataset is being deleted, and the model says so.
      if (!(error instanceof UnavailableError) && !(await this.datasets.getMeta(tenant, request.datasetId))) {
        const gone = datasetGone(request.datasetId, { modelId: stored.id }, error);
        await this.record(tenant, stored, { state: 'failed', problem: modelProblem(gone) });
        throw gone;
      }
      await this.record(tenant, stored, { state: 'failed', problem: unexpectedProblem() });
      throw error;
    }
    if (!outcome.ok) {
      const error = failureProblem(outcome.failure, { segmentBy: resolvedSegmentBy(request), request }, { modelId: stored.id });
      await this.record(tenant, stored, { state: 'failed', problem: modelProblem(error) });
      throw error;
    }
    const updatedAt = await this.record(tenant, stored, { state: 'ready', result: outcome.model });
    this.populations.put(populationKey(tenant, stored.datasetId, outcome.model), Promise.resolve(outcome.population));
    return { status: 201, model: { ...recordOf({ ...stored, state: 'ready', updatedAt }), ...outcome.model } };
  }

  /**
   * The worker's side of a queued fit (a `ModelFitRequested` event), through the lifecycle:
   * idempotent on redelivery, a transient failure rethrown for a retry, anything else recorded
   * `failed`; the `ModelFitted` the outcome owes is delivered from the model's outbox.
   */
  async fitInWorker(event: ModelFitRequested): Promise<void> {
    const { tenant, modelId } = event;
    let found: StoredModel;
    try {
      found = (await this.models.get(tenant, modelId)).model;
    } catch (e) {
      if (e instanceof NotFoundError) {
        this.logger.log('warn', 'model fit requested for an unknown model', { tenant, modelId });
        return;
      }
      throw e;
    }
    await this.work.run({ tenant, model: found }, (report) => this.fitQueued(tenant, found, report), { tenant, modelId });
  }

  /** The fit of a queued model, or the error saying why there is none. */
  private async fitQueued(tenant: string, stored: StoredModel, report: ReportProgress): Promise<DriverModel> {
    const request = ModelRequestSchema.parse(stored.request);
    const meta = await this.datasets.getMeta(tenant, stored.datasetId);
    if (!meta) throw datasetGone(stored.datasetId);
    let outcome: Fitted;
    try {
      outcome = await this.fit(tenant, meta, request, report);
    } catch (error) {
      if (!(error instanceof UnavailableError) && !(await this.datasets.getMeta(tenant, stored.datasetId))) throw datasetGone(stored.datasetId, {}, error);
      throw error;
    }
    if (!outcome.ok) throw failureProblem(outcome.failure, { segmentBy: resolvedSegmentBy(request), request });
    return outcome.model;
  }

  /** Stores an outcome: a ready one only while its dataset is still sealed; a worker's with the `ModelFitted` it owes. */
  private finish(tenant: string, stored: StoredModel, outcome: WorkOutcome<DriverModel>, at: string, owesEvent: boolean): Promise<boolean> {
    const problem = outcome.state === 'failed' ? modelProblem(outcome.problem) : null;
    const event = owesEvent ? this.fitted(tenant, stored, at, problem) : undefined;
    return outcome.state === 'ready'
      ? this.models.finish(tenant, stored.id, { state: 'ready', doc: outcome.result }, at, event, stored.datasetId)
      : this.models.finish(tenant, stored.id, { state: 'failed', problem: problem! }, at, event);
  }

  /** The `ModelFitted` a worker's outcome owes, stored with it. */
  private fitted(tenant: string, stored: StoredModel, now: string, problem: ModelProblem | null): PendingEvent<'ModelFitted'> {
    return {
      name: 'ModelFitted',
      at: now,
      detail: {
        version: 1,
        tenant,
        occurredAt: now,
        modelId: stored.id,
        datasetId: stored.datasetId,
        status: problem ? 'failed' : 'ready',
        ...(problem ? { problem: { title: problem.title, detail: problem.detail } } : {}),
      },
    };
  }

  /** One model: its record, merged with the fitted document when it is ready. */
  async get(tenant: string, id: string): Promise<ModelView> {
    const found = await this.settled(tenant, id);
    const record = recordOf(found.model);
    if (record.status !== 'ready') return record;
    return { ...record, ...DriverModelSchema.parse(found.doc) };
  }

  /**
   * Models newest first, optionally of one dataset, without their documents. The dataset filter is
   * applied by DynamoDB after its page limit, so a few pages are read to fill one.
   */
  async list(tenant: string, options: { datasetId?: string; limit: number; cursor?: string }): Promise<ModelPage> {
    const items: ModelRecord[] = [];
    let cursor = options.cursor;
    for (let round = 0; round < 5; round++) {
      const page = await this.models.list(tenant, { ...options, limit: options.limit - items.length, ...(cursor !== undefined ? { cursor } : {}) });
      for (const m of page.items) items.push(recordOf(await this.settle(tenant, m)));
      if (page.nextCursor === null) return { items, nextCursor: null };
      cursor = page.nextCursor;
      if (items.length >= options.limit) break;
    }
    return { items, nextCursor: cursor ?? null };
  }

  /**
   * A what-if on a ready model: the NPS it predicts if the changes were made, overall and per
   * segment. Writes nothing. The respondents are those of the model's dataset (cached, as sealed
   * datasets never change).
   */
  async predict(tenant: string, id: string, whatIf: WhatIf): Promise<WhatIfResult> {
    const { record, model } = await this.ready(tenant, id);
    const known = new Set(model.attributes.map((a) => a.name));
    const unknown = whatIf.changes.flatMap((c, i) =>
      known.has(c.attribute) ? [] : [{ field: `body.changes.${i}.attribute`, reason: `the model has no attribute '${c.attribute}'; it has ${[...known].join(', ')}` }],
    );
    if (unknown.length > 0) throw new ValidationError(`The what-if changes ${unknown.length === 1 ? 'an attribute' : 'attributes'} the model does not have.`, { errors: unknown });

    const population = await this.population(tenant, record, model);
    if (!population)
      throw new NotFoundError(`Dataset '${record.datasetId}', on which model '${id}' was fitted, has been deleted: its respondents are needed for a what-if.`);
    const out = predictWhatIf(model, population, whatIf);
    if (!out.ok) throw failureProblem(out, { segmentBy: model.segmentBy, whatIf });
    return out.result;
  }

  /**
   * A ready model with the respondents of its dataset, for a caller that simulates on them (a
   * scenario forecast). Writes nothing. Each problem names `field`, the request field that chose
   * the model: 404 when the tenant has no such model, 409 while it is fitting, 422 when it failed
   * or its dataset has been deleted (the model can no longer simulate anything).
   *
   * @param known the ready model, when the caller already read it ({@link ModelService.readyModel}), so it is not read twice
   */
  async simulationBasis(tenant: string, id: string, field: string, known?: { record: ModelRecord; model: DriverModel }): Promise<{ record: ModelRecord; model: DriverModel; population: Population }> {
    const ready = known ?? (await this.ready(tenant, id, field));
    const population = await this.population(tenant, ready.record, ready.model);
    if (!population)
      throw new UnprocessableError(
        `Model '${id}' can no longer forecast: dataset '${ready.record.datasetId}', on which it was fitted, has been deleted. Fit a model on another dataset and use its id.`,
        { errors: [{ field, reason: `the dataset of model '${id}' has been deleted` }], extensions: { modelId: id, datasetId: ready.record.datasetId } },
      );
    return { ...ready, population };
  }

  /**
   * A ready model without its respondents: enough to size a forecast and check its effects before
   * the population is loaded. Same problems as {@link ModelService.simulationBasis}.
   */
  readyModel(tenant: string, id: string, field: string): Promise<{ record: ModelRecord; model: DriverModel }> {
    return this.ready(tenant, id, field);
  }

  /** A model as it stands, after failing a fit that is past its deadline. */
  private async settled(tenant: string, id: string): Promise<{ model: StoredModel; doc: unknown }> {
    const found = await this.models.get(tenant, id);
    return (await this.expired(tenant, found.model)) ? this.models.get(tenant, id) : found;
  }

  /** {@link settled} for a model already read (a listing). */
  private async settle(tenant: string, model: StoredModel): Promise<StoredModel> {
    return (await this.expired(tenant, model)) ? (await this.models.get(tenant, model.id)).model : model;
  }

  /** Whether a pending model was past its deadline and has just been failed (whoever won that write, read it back). */
  private expired(tenant: string, model: StoredModel): Promise<boolean> {
    return this.work.expire({ tenant, model }, { state: model.state, since: model.createdAt });
  }

  /** A model that can simulate: 404 unknown, 409 still fitting, 422 failed; located at `field` when given. */
  private async ready(tenant: string, id: string, field?: string): Promise<{ record: ModelRecord; model: DriverModel }> {
    const at = (reason: string) => (field ? { errors: [{ field, reason }] } : {});
    let found: { model: StoredModel; doc: unknown };
    try {
      found = await this.settled(tenant, id);
    } catch (e) {
      if (e instanceof NotFoundError && field) throw new NotFoundError(`No model '${id}'.`, { cause: e, ...at('no such model') });
      throw e;
    }
    const record = recordOf(found.model);
    if (record.status === 'fitting')
      throw new ConflictError(`Model '${id}' is still fitting; use it once GET /v1/models/${id} shows status 'ready'.`, at('the model is still fitting'));
    if (record.status === 'failed')
      throw new UnprocessableError(`Model '${id}' failed to fit, so it cannot predict: ${record.problem?.detail ?? 'no detail recorded'}`, {
        ...at('the model failed to fit'),
        extensions: { modelProblem: record.problem },
      });
    return { record, model: DriverModelSchema.parse(found.doc) };
  }

  /**
   * The respondents a ready model simulates on, or `null` when its dataset has been deleted. The
   * dataset is checked every time, cached population or not: a deleted dataset's respondents are
   * not used again.
   */
  private async population(tenant: string, record: ModelRecord, model: DriverModel): Promise<Population | null> {
    const meta = await this.datasets.getMeta(tenant, record.datasetId);
    if (!meta) return null;
    return this.populations.get(populationKey(tenant, record.datasetId, model), async () => {
      const built = buildPopulation(meta.dataset.attributes, await this.readAll(tenant, meta), { attributes: model.attributes.map((a) => a.name), segmentBy: model.segmentBy });
      if (!built.ok) throw failureProblem(built, { segmentBy: model.segmentBy });
      return built.population;
    });
  }

  /** Builds the population and fits it, reporting each stage to a queued fit's `report`. */
  private async fit(tenant: string, meta: DatasetMeta, request: ModelRequest, report?: ReportProgress): Promise<Fitted> {
    await report?.('reading respondents');
    const columns = await this.readAll(tenant, meta);
    await report?.('fitting');
    const built = buildPopulation(meta.dataset.attributes, columns, {
      ...(request.attributes ? { attributes: request.attributes } : {}),
      segmentBy: resolvedSegmentBy(request),
    });
    if (!built.ok) return { ok: false, failure: built };
    const fitted = fitDriverModel(built.population, request);
    if (!fitted.ok) return { ok: false, failure: fitted };
    return { ok: true, model: fitted.model, population: built.population };
  }

  private async readAll(tenant: string, meta: DatasetMeta): Promise<RespondentColumns[]> {
    const chunks: RespondentColumns[] = [];
    for await (const chunk of this.datasets.readColumns(tenant, meta)) chunks.push(chunk);
    return chunks;
  }

  /**
   * Writes a model fitted in the request: created `pending`, then finished at once. A ready outcome
   * the store refuses (too large, its dataset deleted meanwhile) leaves the model `failed` with that
   * problem, and the refusal is thrown. Returns `updatedAt`.
   */
  private async record(tenant: string, stored: StoredModel, outcome: WorkOutcome<DriverModel>): Promise<string> {
    await this.models.create(tenant, stored);
    const now = this.clock().toISOString();
    if (outcome.state === 'failed') {
      await this.models.finish(tenant, stored.id, { state: 'failed', problem: modelProblem(outcome.problem) }, now);
      return now;
    }
    try {
      await this.models.finish(tenant, stored.id, { state: 'ready', doc: outcome.result }, now, undefined, stored.datasetId);
    } catch (error) {
      if (error instanceof TooLargeError || error instanceof DatasetGoneError) {
        await this.models.finish(tenant, stored.id, { state: 'failed', problem: modelProblem(error) }, now);
        if (error instanceof DatasetGoneError) throw datasetGone(stored.datasetId, { modelId: stored.id }, error);
      }
      throw error;
    }
    return now;
  }
}

/** A model's problem from an error (a worker's stored problem, or an error thrown in the request). */
function modelProblem(source: AppError | StoredProblem): ModelProblem {
  const problem = source instanceof Error ? settleFailure(source) : source;
  if (!problem) return unexpectedProblem();
  return { title: problem.title, detail: problem.detail, ...(problem.errors ? { errors: problem.errors.map((e) => ({ ...e })) } : {}) };
}

function datasetGone(datasetId: string, extensions: Record<string, unknown> = {}, cause?: unknown): DatasetGoneError {
  return new DatasetGoneError(`Dataset '${datasetId}' was deleted while the model was being fitted; fit a model on another dataset.`, {
    cause,
    errors: [{ field: 'body.datasetId', reason: `dataset '${datasetId}' was deleted during the fit` }],
    extensions,
  });
}

function unexpectedProblem(): ModelProblem {
  return { title: 'The fit failed', detail: 'An unexpected error stopped the fit; it has been logged. Request the model again.' };
}

