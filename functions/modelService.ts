/**
 * Use cases for driver models: fit one on a sealed wave (in the request when the wave is small, by a
 * worker otherwise), read and list them, and run what-ifs against a ready one. The maths lives in
 * `model/drivers`; this module loads respondents from the store, turns every {@link ModelFailure}
 * into a problem that names the attribute or segment at fault, and keeps a model immutable once
 * fitted: it is written `fitting`, then exactly once `ready` or `failed`.
 */
import type { ModelFitRequested } from '../events/contracts.js';
import type { Attribute, RespondentColumns } from '../model/dataset.js';
import {
  DriverModelSchema,
  ModelRequestSchema,
  type DriverModel,
  type ModelFailure,
  type ModelRequest,
  type WhatIf,
  type WhatIfResult,
} from '../model/drivers/contract.js';
import { fitDriverModel, predictWhatIf } from '../model/drivers/driverModel.js';
import { buildPopulation, type Population } from '../model/drivers/population.js';
import { bodyPath, ConflictError, NotFoundError, ProblemError, ServiceUnavailableError, UnprocessableError, ValidationError, type ProblemDetailItem } from './errors.js';
import type { EventPublisher } from './events/bus.js';
import { newId } from './ids.js';
import { silentLogger, type Logger } from './log.js';
import type { DatasetMeta, DynamoDatasetStore } from './store/datasets.js';
import type { DynamoModelStore, ModelRecord } from './store/models.js';
import type { Outbox, PendingEvent } from './store/outbox.js';

/** A model as the API shows it: its record, and the fitted document once it is ready. */
export type ModelView = ModelRecord & Partial<DriverModel>;

export type CreateModelResult = { status: 201; model: ModelView } | { status: 202; model: { id: string; status: 'fitting' } };

export interface ModelServiceOptions {
  /**
   * Datasets with at most this many respondents are fitted within the request (201); larger ones
   * are queued for a worker (202). A 250,000-respondent fit takes a few seconds and well under the
   * API's 29 s timeout.
   * @default 250_000
   */
  syncRowLimit?: number;
  /**
   * A model still `fitting` this long after it was requested will never be fitted — its event
   * ended in a dead-letter queue, or the worker died — so the next read records it `failed` (a
   * conditional write: a worker that finishes first wins). Longer than the event path's retries
   * (EventBridge up to 4 h, then the worker's own retries).
   * @default 7 hours
   */
  fitDeadlineMs?: number;
  /**
   * Populations kept in memory for what-ifs (a 1,000,000 × 20 population is 160 MB).
   * @default 4
   */
  populationCacheSize?: number;
  logger?: Logger;
  /** Delivers the `ModelFitted` events a worker's fits owe; without it they wait for the sweep. */
  outbox?: Outbox;
}

type Problem = NonNullable<ModelRecord['problem']>;

export class ModelService {
  private readonly syncRowLimit: number;
  private readonly fitDeadlineMs: number;
  private readonly populations: PopulationCache;
  private readonly logger: Logger;
  private readonly outbox: Outbox | undefined;

  constructor(
    private readonly datasets: DynamoDatasetStore,
    private readonly models: DynamoModelStore,
    private readonly bus: EventPublisher,
    private readonly clock: () => Date = () => new Date(),
    options: ModelServiceOptions = {},
  ) {
    this.syncRowLimit = options.syncRowLimit ?? 250_000;
    this.fitDeadlineMs = options.fitDeadlineMs ?? 7 * 3600_000;
    this.populations = new PopulationCache(options.populationCacheSize ?? 4);
    this.logger = options.logger ?? silentLogger;
    this.outbox = options.outbox;
  }

  /**
   * Fits a driver model on a sealed dataset. Small datasets are fitted now: the answer is the ready
   * model (201), or a 422/400 problem naming what makes the data unusable, in which case the model
   * is still recorded as `failed` so the attempt stays visible. Larger ones are queued (202).
   */
  async create(tenant: string, request: ModelRequest): Promise<CreateModelResult> {
    const meta = await this.datasets.getMeta(tenant, request.datasetId);
    if (!meta)
      throw new NotFoundError(`No dataset '${request.datasetId}'.`, { errors: [{ field: 'body.datasetId', reason: 'no such dataset' }] });
    if (meta.dataset.status !== 'sealed')
      throw new ConflictError(
        `Dataset '${request.datasetId}' is still open: seal it (POST /v1/datasets/${request.datasetId}/seal) before fitting a model on it.`,
      );
    checkAttributes(meta.dataset.attributes, request);

    const now = this.clock();
    const record: ModelRecord = {
      id: newId('mdl', now.getTime()),
      datasetId: request.datasetId,
      status: 'fitting',
      createdAt: now.toISOString(),
      updatedAt: now.toISOString(),
      request,
      problem: null,
    };

    if (meta.dataset.rowCount > this.syncRowLimit) {
      await this.models.create(tenant, record);
      try {
        await this.bus.publish('ModelFitRequested', { version: 1, tenant, occurredAt: now.toISOString(), modelId: record.id, datasetId: record.datasetId });
      } catch (cause) {
        await this.models.finish(tenant, record.id, { status: 'failed', problem: { title: 'The fit could not be queued', detail: 'Request the model again.' } }, this.clock().toISOString());
        throw new ServiceUnavailableError('The fit could not be queued; retry shortly.', { cause });
      }
      return { status: 202, model: { id: record.id, status: 'fitting' } };
    }

    // Fit before writing anything, so a crash mid-fit leaves no model stuck in `fitting`.
    let outcome: Awaited<ReturnType<ModelService['fit']>>;
    try {
      outcome = await this.fit(tenant, meta, request);
    } catch (error) {
      // Its respondents vanished mid-read: the dataset is being deleted, and the model says so.
      if (!(error instanceof ServiceUnavailableError) && !(await this.datasets.getMeta(tenant, request.datasetId))) {
        await this.record(tenant, record, { status: 'failed', problem: datasetGoneProblem(request.datasetId) });
        throw new ConflictError(`Dataset '${request.datasetId}' was deleted while the model was being fitted.`, {
          cause: error,
          errors: [{ field: 'body.datasetId', reason: `dataset '${request.datasetId}' was deleted during the fit` }],
          extensions: { modelId: record.id },
        });
      }
      await this.record(tenant, record, { status: 'failed', problem: unexpectedProblem() });
      throw error;
    }
    if (!outcome.ok) {
      const error = failureProblem(outcome.failure, { segmentBy: request.segmentBy, request }, { modelId: record.id });
      await this.record(tenant, record, { status: 'failed', problem: storedProblem(error) });
      throw error;
    }
    const updatedAt = await this.record(tenant, record, { status: 'ready', doc: outcome.model });
    this.populations.put(populationKey(tenant, record.datasetId, outcome.model), Promise.resolve(outcome.population));
    return { status: 201, model: { ...record, status: 'ready', updatedAt, ...outcome.model } };
  }

  /**
   * The worker's side of a queued fit (a `ModelFitRequested` event). Idempotent: a redelivered
   * event for a model that has left `fitting` does nothing. A transient store failure is rethrown
   * so the event is retried; anything else marks the model `failed`. Publishes `ModelFitted` once the
   * outcome is stored, and again on a redelivery if that publish had failed.
   */
  async fitInWorker(event: ModelFitRequested): Promise<void> {
    const { tenant, modelId } = event;
    let record: ModelRecord;
    try {
      record = (await this.models.get(tenant, modelId)).record;
    } catch (e) {
      if (e instanceof NotFoundError) {
        this.logger.log('warn', 'model fit requested for an unknown model', { tenant, modelId });
        return;
      }
      throw e;
    }
    if (record.status === 'fitting') await this.fitQueued(tenant, record);
    // The outcome was stored with its `ModelFitted` in the model's outbox (functions/store/outbox.ts):
    // deliver it if it still waits. A publish that fails throws, so the event is retried and the
    // retry lands here; a redelivery after a successful one finds nothing waiting.
    const { pending } = await this.models.get(tenant, modelId);
    if (pending) await this.outbox?.deliver(this.models.key(tenant, modelId), pending);
  }

  /** The `ModelFitted` a worker's outcome owes, stored with it. */
  private fitted(tenant: string, record: ModelRecord, now: string, problem: Problem | null): PendingEvent<'ModelFitted'> {
    return {
      name: 'ModelFitted',
      at: now,
      detail: {
        version: 1,
        tenant,
        occurredAt: now,
        modelId: record.id,
        datasetId: record.datasetId,
        status: problem ? 'failed' : 'ready',
        ...(problem ? { problem: { title: problem.title, detail: problem.detail } } : {}),
      },
    };
  }

  /** Fits a queued model and stores the outcome (unless another worker stored one first). */
  private async fitQueued(tenant: string, record: ModelRecord): Promise<void> {
    const modelId = record.id;

    let problem: Problem | null = null;
    let model: DriverModel | null = null;
    try {
      const request = ModelRequestSchema.parse(record.request);
      const meta = await this.datasets.getMeta(tenant, record.datasetId);
      if (!meta) problem = datasetGoneProblem(record.datasetId);
      else {
        const outcome = await this.fit(tenant, meta, request);
        if (outcome.ok) model = outcome.model;
        else problem = storedProblem(failureProblem(outcome.failure, { segmentBy: request.segmentBy, request }));
      }
    } catch (error) {
      if (error instanceof ServiceUnavailableError) throw error;
      if (!(await this.datasets.getMeta(tenant, record.datasetId))) problem = datasetGoneProblem(record.datasetId);
      else {
        this.logger.log('error', 'model fit failed', { tenant, modelId, error });
        problem = unexpectedProblem();
      }
    }
    const now = this.clock().toISOString();
    let finished: boolean;
    if (model) {
      try {
        finished = await this.finishReady(tenant, modelId, record.datasetId, model, now, (failed) => this.fitted(tenant, record, now, failed));
      } catch (error) {
        if (!(error instanceof UnprocessableError || error instanceof ConflictError)) throw error;
        finished = true;
        model = null;
        problem = error instanceof ConflictError ? datasetGoneProblem(record.datasetId) : storedProblem(error);
      }
    } else {
      const failed = problem ?? unexpectedProblem();
      finished = await this.models.finish(tenant, modelId, { status: 'failed', problem: failed }, now, this.fitted(tenant, record, now, failed));
    }
    if (finished) this.logger.log('info', 'model fit stored', { tenant, modelId, status: model ? 'ready' : 'failed' });
  }

  /** One model: its record, merged with the fitted document when it is ready. */
  async get(tenant: string, id: string): Promise<ModelView> {
    const found = await this.models.get(tenant, id);
    const record = await this.settle(tenant, found.record);
    const doc = found.doc;
    if (record.status !== 'ready') return record;
    return { ...record, ...DriverModelSchema.parse(doc) };
  }

  /**
   * Models newest first, optionally of one dataset, without their documents. The dataset filter is
   * applied by DynamoDB after its page limit, so a few pages are read to fill one.
   */
  async list(tenant: string, options: { datasetId?: string; limit: number; cursor?: string }): Promise<{ items: ModelRecord[]; nextCursor: string | null }> {
    const items: ModelRecord[] = [];
    let cursor = options.cursor;
    for (let round = 0; round < 5; round++) {
      const page = await this.models.list(tenant, { ...options, limit: options.limit - items.length, ...(cursor !== undefined ? { cursor } : {}) });
      items.push(...(await Promise.all(page.items.map((r) => this.settle(tenant, r)))));
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
  async simulationBasis(
    tenant: string,
    id: string,
    field: string,
    known?: { record: ModelRecord; model: DriverModel },
  ): Promise<{ record: ModelRecord; model: DriverModel; population: Population }> {
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

  /** A record as it stands, after failing a fit that is past its deadline (see `fitDeadlineMs`). */
  private async settle(tenant: string, record: ModelRecord): Promise<ModelRecord> {
    if (record.status !== 'fitting') return record;
    const now = this.clock();
    if (now.getTime() - Date.parse(record.createdAt) <= this.fitDeadlineMs) return record;
    const problem = {
      title: 'The fit did not complete',
      detail: `No worker finished this model within ${Math.round(this.fitDeadlineMs / 60_000)} minutes of the request (its event ended in the dead-letter queue, or the worker stopped). Request the model again.`,
    };
    await this.models.finish(tenant, record.id, { status: 'failed', problem }, now.toISOString());
    // Whoever won the conditional write, the stored record is now final: read it back.
    return (await this.models.get(tenant, record.id)).record;
  }

  /** A model that can simulate: 404 unknown, 409 still fitting, 422 failed; located at `field` when given. */
  private async ready(tenant: string, id: string, field?: string): Promise<{ record: ModelRecord; model: DriverModel }> {
    const at = (reason: string) => (field ? { errors: [{ field, reason }] } : {});
    let found: Awaited<ReturnType<DynamoModelStore['get']>>;
    try {
      found = await this.models.get(tenant, id);
    } catch (e) {
      if (e instanceof NotFoundError && field) throw new NotFoundError(`No model '${id}'.`, { cause: e, ...at('no such model') });
      throw e;
    }
    const record = await this.settle(tenant, found.record);
    const doc = found.doc;
    if (record.status === 'fitting')
      throw new ConflictError(`Model '${id}' is still fitting; use it once GET /v1/models/${id} shows status 'ready'.`, at('the model is still fitting'));
    if (record.status === 'failed')
      throw new UnprocessableError(`Model '${id}' failed to fit, so it cannot predict: ${record.problem?.detail ?? 'no detail recorded'}`, {
        ...at('the model failed to fit'),
        extensions: { modelProblem: record.problem },
      });
    return { record, model: DriverModelSchema.parse(doc) };
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

  /** Builds the population and fits it. */
  private async fit(
    tenant: string,
    meta: DatasetMeta,
    request: ModelRequest,
  ): Promise<{ ok: true; model: DriverModel; population: Population } | { ok: false; failure: ModelFailure }> {
    const built = buildPopulation(meta.dataset.attributes, await this.readAll(tenant, meta), {
      ...(request.attributes ? { attributes: request.attributes } : {}),
      segmentBy: request.segmentBy,
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

  /** Writes a synchronously fitted model: created `fitting`, then finished at once. Returns `updatedAt`. */
  private async record(
    tenant: string,
    record: ModelRecord,
    outcome: { status: 'ready'; doc: DriverModel } | { status: 'failed'; problem: Problem },
  ): Promise<string> {
    await this.models.create(tenant, record);
    const now = this.clock().toISOString();
    if (outcome.status === 'ready') await this.finishReady(tenant, record.id, record.datasetId, outcome.doc, now);
    else await this.models.finish(tenant, record.id, outcome, now);
    return now;
  }

  /**
   * Stores a fitted document; one the store refuses (too large) leaves the model `failed` with that
   * problem rather than `fitting` for ever, and the refusal is rethrown.
   *
   * @param event the `ModelFitted` owed for each outcome (`null`: ready), when a worker fitted it
   */
  private async finishReady(tenant: string, id: string, datasetId: string, doc: DriverModel, now: string, event?: (problem: Problem | null) => PendingEvent): Promise<boolean> {
    try {
      return await this.models.finish(tenant, id, { status: 'ready', doc }, now, event?.(null), datasetId);
    } catch (error) {
      if (error instanceof UnprocessableError || error instanceof ConflictError) {
        // Too large to store, or its dataset was deleted while it was fitted: failed, saying why.
        const problem = error instanceof ConflictError ? datasetGoneProblem(datasetId) : storedProblem(error);
        await this.models.finish(tenant, id, { status: 'failed', problem }, now, event?.(problem));
      }
      throw error;
    }
  }
}

/** Unknown or repeated attribute names in a request: a 400 naming each, before anything is written. */
function checkAttributes(datasetAttributes: readonly Attribute[], request: ModelRequest): void {
  if (datasetAttributes.length === 0)
    throw new UnprocessableError(`Dataset '${request.datasetId}' has no attribute ratings, so there is nothing to model.`);
  if (!request.attributes) return;
  const names = new Set(datasetAttributes.map((a) => a.name));
  const errors: ProblemDetailItem[] = [];
  request.attributes.forEach((name, i) => {
    if (!names.has(name)) errors.push({ field: `body.attributes.${i}`, reason: `the dataset has no attribute '${name}'; it has ${[...names].join(', ')}` });
    else if (request.attributes!.indexOf(name) !== i) errors.push({ field: `body.attributes.${i}`, reason: `'${name}' is listed twice` });
  });
  if (errors.length > 0) throw new ValidationError(`The request names ${errors.length === 1 ? 'an attribute' : 'attributes'} the model cannot use.`, { errors });
}

/** Why each failure reason makes an attribute or segment unusable, for the problem's `errors`. */
const ATTRIBUTE_REASONS: Partial<Record<ModelFailure['reason'], (name: string) => string>> = {
  'unknown-attribute': (n) => `there is no attribute '${n}'`,
  'constant-attribute': (n) => `every respondent gave '${n}' the same rating, so its effect cannot be estimated; leave it out of attributes`,
  'unanswered-attribute': (n) => `no respondent answered '${n}'; leave it out of attributes`,
  singular: (n) => `'${n}' is a linear combination of other attributes; leave one of them out`,
};

/** Failures caused by the request itself (a name or value that cannot be), not by the data: 400. */
const REQUEST_FAILURES: ReadonlySet<ModelFailure['reason']> = new Set(['unknown-attribute', 'unknown-level', 'invalid-change']);

/**
 * Maps a {@link ModelFailure} to a problem: 400 for a request naming what does not exist or asking
 * what cannot be, 422 for data that cannot support the model. Each attribute or segment at fault is
 * listed, with the request field it came from when the request named it.
 */
function failureProblem(
  failure: ModelFailure,
  context: { segmentBy: string; request?: ModelRequest; whatIf?: WhatIf },
  extensions: Record<string, unknown> = {},
): ProblemError {
  const errors: ProblemDetailItem[] = [];
  const { request, whatIf } = context;
  if (failure.field !== undefined) {
    const column = failure.attributes?.length === 1 ? { column: failure.attributes[0]! } : {};
    errors.push({ field: bodyPath(failure.field), ...column, reason: failure.detail });
  } else {
    for (const name of failure.attributes ?? []) {
      const reason = ATTRIBUTE_REASONS[failure.reason]?.(name) ?? `'${name}': ${failure.detail}`;
      const located = whatIf ? whatIfFields(whatIf, name) : [];
      const i = request?.attributes?.indexOf(name) ?? -1;
      if (located.length > 0) for (const field of located) errors.push({ field, column: name, reason });
      else errors.push({ field: i >= 0 ? `body.attributes.${i}` : 'body.attributes', column: name, reason });
    }
    for (const name of failure.segments ?? []) {
      const reason =
        failure.reason === 'small-segment'
          ? `${context.segmentBy} '${name}' has fewer respondents than options.minSegmentSize (${request?.options.minSegmentSize ?? 'the minimum'}); fit with segmentBy 'none' or a smaller options.minSegmentSize`
          : `${context.segmentBy} '${name}': ${failure.detail}`;
      errors.push({ field: 'body.segmentBy', column: context.segmentBy, reason });
    }
  }
  if (failure.reason === 'constant-ltr') errors.push({ column: 'ltr', reason: 'every respondent gave the same likelihood to recommend, so nothing can explain it' });
  if (errors.length === 0) errors.push({ reason: failure.detail });
  const options = { errors, extensions: { failure: failure.reason, ...extensions } };
  return REQUEST_FAILURES.has(failure.reason) ? new ValidationError(failure.detail, options) : new UnprocessableError(failure.detail, options);
}

/** The changes of a what-if that name an attribute. */
function whatIfFields(whatIf: WhatIf, name: string): string[] {
  return whatIf.changes.flatMap((c, i) => (c.attribute === name ? [`body.changes.${i}.attribute`] : []));
}

function storedProblem(error: ProblemError): Problem {
  return { title: error.title, detail: error.message, ...(error.errors ? { errors: error.errors.map((e) => ({ ...e })) } : {}) };
}

function datasetGoneProblem(datasetId: string): Problem {
  return { title: 'The dataset is gone', detail: `Dataset '${datasetId}' was deleted while the model was being fitted; fit a model on another dataset.` };
}

function unexpectedProblem(): Problem {
  return { title: 'Internal error', detail: 'The fit failed unexpectedly; it has been logged. Request the model again.' };
}

function populationKey(tenant: string, datasetId: string, model: Pick<DriverModel, 'attributes' | 'segmentBy'>): string {
  return JSON.stringify([tenant, datasetId, model.segmentBy, model.attributes.map((a) => a.name)]);
}

/**
 * Least-recently-used populations, keyed by tenant, dataset, grouping and attributes. Sealed
 * datasets never change, so an entry never goes stale; a failed build is not kept. Concurrent
 * what-ifs on one model share one build.
 */
class PopulationCache {
  private readonly entries = new Map<string, Promise<Population>>();

  constructor(private readonly capacity: number) {}

  get(key: string, build: () => Promise<Population>): Promise<Population> {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const built = build();
    this.put(key, built);
    built.catch(() => {
      if (this.entries.get(key) === built) this.entries.delete(key);
    });
    return built;
  }

  put(key: string, population: Promise<Population>): void {
    if (this.capacity <= 0) return;
    this.entries.delete(key);
    this.entries.set(key, population);
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }
}
