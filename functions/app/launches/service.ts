/**
 * Use cases of the forecast ledger: record that an initiative of a scenario version went live (its
 * forecast frozen on the launch), list, read and end launches; read each launch against the first
 * wave sealed after it (`DatasetIngested`, on the worker); serve the ledger; and split the change
 * of NPS between two waves into its parts (the bridge). The maths lives in model/ledger.
 *
 * Evaluation, wave by wave: for every launch of the tenant not yet evaluated, whose wave before is
 * another dataset and whose `launchedOn` is before the new wave's date ({@link waveDate}), both
 * waves are read as the launch's model reads them and the realised lift is estimated against the
 * tenant's other launches; the result (or why there is none) is stored on the launch once, and
 * `LaunchEvaluated` announced from its outbox. A wave dated on or before a launch never evaluates
 * it: it was surveyed before the launch could have changed anything. A redelivered event does
 * nothing new (each launch remembers the waves read against it).
 */
import { z } from 'zod';
import type { DatasetIngested } from '../../../events/contracts.js';
import type { RespondentColumns } from '../../../model/dataset.js';
import type { DriverModel } from '../../../model/drivers/contract.js';
import { buildPopulation, type Population } from '../../../model/drivers/population.js';
import { npsBridge } from '../../../model/ledger/bridge.js';
import type { LaunchSpec } from '../../../model/ledger/contract.js';
import { realisedLift } from '../../../model/ledger/realised.js';
import { hasOwn } from '../../../model/text.js';
import { newId } from '../../ids.js';
import { silentLogger, type Logger } from '../../log.js';
import type { DatasetMeta } from '../datasets/contract.js';
import type { DatasetStore } from '../datasets/ports.js';
import { readRespondents, waveDate } from '../datasets/respondents.js';
import { AppError, ConflictError, NotFoundError, UnavailableError, UnprocessableError, ValidationError, type ProblemDetailItem } from '../errors.js';
import type { OutboxPort, PendingEvent } from '../events.js';
import { createOnce, type IdempotencyInput, type IdempotencyPort } from '../idempotency.js';
import type { ModelRecord } from '../models/contract.js';
import { PopulationCache, populationKey } from '../models/populationCache.js';
import type { ModelService } from '../models/service.js';
import type { ScenarioVersion } from '../scenarios/contract.js';
import { requireForecast, type ScenarioService } from '../scenarios/service.js';
import type { BridgeView, Evaluation, Launch, LaunchInput, LaunchPage, Ledger } from './contract.js';
import { ledgerOf } from './ledger.js';
import type { LaunchStore, StoredLaunch } from './ports.js';

/** Level of every realised interval (the 90 %). */
export const REALISED_LEVEL = 0.9;

/** Idempotency operation name of recording a launch. */
const OPERATION = 'launches';

/** What an idempotency record keeps of a launch it recorded. */
const CreatedSchema = z.object({ id: z.string() });

export interface LaunchServiceOptions {
  logger?: Logger;
  /** Delivers the events launches owe; without it they wait for the sweep. */
  outbox?: OutboxPort;
  /** Waves kept in memory for evaluations and bridges (a 200,000 × 20 wave is ~32 MB). @default 2 */
  waveCacheSize?: number;
}

/** A sealed wave as a model reads it, and its date. */
interface Wave {
  date: string;
  population: Population;
}

/** What a group of launches on one model is read with, or why it cannot be. */
type Basis = { before: Wave; after: Population } | { reason: string };

/** The day of `at` (ISO) `hours` later: a date "not after today" holds anywhere on Earth with +14, "not before" with −12. */
const dayOf = (at: Date | string, hours: number): string => new Date(new Date(at).getTime() + hours * 3600_000).toISOString().slice(0, 10);

export class LaunchService {
  private readonly logger: Logger;
  private readonly outbox: OutboxPort | undefined;
  private readonly waves: PopulationCache<Wave>;

  constructor(
    private readonly store: LaunchStore,
    private readonly datasets: DatasetStore,
    private readonly models: ModelService,
    private readonly scenarios: ScenarioService,
    private readonly idempotency: IdempotencyPort,
    private readonly clock: () => Date,
    options: LaunchServiceOptions = {},
  ) {
    this.logger = options.logger ?? silentLogger;
    this.outbox = options.outbox;
    this.waves = new PopulationCache<Wave>(options.waveCacheSize ?? 2);
  }

  /**
   * Records a launch with its forecast frozen. With an idempotency key, a retry answers with the
   * launch it recorded (as it stands now), and the same key with another body is a 422.
   */
  async create(tenant: string, input: LaunchInput, idem?: IdempotencyInput): Promise<{ launch: Launch; replayed: boolean }> {
    const now = this.clock();
    const out = await createOnce(
      this.idempotency,
      { tenant, operation: OPERATION, idem, now: now.getTime(), proposedId: newId('lch', now.getTime()) },
      {
        prepare: () => this.freeze(tenant, input, now),
        write: async (id, frozen, completion) => {
          const launch: Launch = { id, ...frozen };
          const event = this.recorded(tenant, launch);
          await this.store.create(tenant, launch, event, completion(201, { id }));
          await this.outbox?.deliverOrLeave(this.store.outboxItem(tenant, id), event, { tenant, launchId: id });
          return launch;
        },
        replay: (body) => this.replay(tenant, body),
      },
    );
    return { launch: out.value, replayed: out.replayed };
  }

  /** Launches newest first. */
  list(tenant: string, options: { limit: number; cursor?: string }): Promise<LaunchPage> {
    return this.store.list(tenant, options);
  }

  get(tenant: string, id: string): Promise<Launch> {
    return this.store.get(tenant, id);
  }

  /** Ends a launch on `endedOn` (once): 409 when it has already ended, 400 for a date before its launch or after today. */
  async end(tenant: string, id: string, endedOn: string): Promise<Launch> {
    const launch = await this.store.get(tenant, id);
    if (launch.endedOn !== null) throw alreadyEnded(launch);
    const now = this.clock();
    if (endedOn < launch.launchedOn) throw new ValidationError(`Launch '${id}' went live on ${launch.launchedOn}; it cannot end before that.`, { errors: [{ field: 'body.endedOn', reason: `is before launchedOn (${launch.launchedOn})` }] });
    if (endedOn > dayOf(now, 14)) throw new ValidationError('A launch ends on a day that has come.', { errors: [{ field: 'body.endedOn', reason: `is after today (${dayOf(now, 0)})` }] });
    const at = now.toISOString();
    if (!(await this.store.end(tenant, id, endedOn, at))) throw alreadyEnded(await this.store.get(tenant, id));
    return { ...launch, endedOn, updatedAt: at };
  }

  /** The ledger: every launch's forecast beside its realised lift, the summary and the calibration. */
  async ledger(tenant: string): Promise<Ledger> {
    return ledgerOf(await this.store.ledger(tenant));
  }

  /**
   * The worker's side of a sealed wave (`DatasetIngested`): reads every open launch against it and
   * stores each result once, then announces it. Idempotent; a transient failure is rethrown for a
   * retry, which first delivers the events the earlier attempt left waiting.
   */
  async evaluateWave(event: DatasetIngested): Promise<void> {
    const { tenant, datasetId } = event;
    const launches = await this.store.all(tenant);
    for (const l of launches) if (l.pending && l.evaluation?.afterDatasetId === datasetId) await this.deliver(tenant, l.id, l.pending);
    const open = launches.filter((l) => l.datasetId !== datasetId && l.evaluation?.status !== 'evaluated' && !l.triedWith.includes(datasetId));
    if (open.length === 0) return;
    const meta = await this.datasets.getMeta(tenant, datasetId);
    if (!meta || meta.dataset.status !== 'sealed') {
      this.logger.log('warn', 'DatasetIngested for a dataset that is gone or not sealed', { tenant, datasetId });
      return;
    }
    const chunks = await readRespondents(this.datasets, tenant, meta);
    const afterDate = waveDate(chunks, meta.dataset.createdAt);
    const specs = launches.map(specOf);
    const byModel = new Map<string, StoredLaunch[]>();
    for (const l of open) if (l.launchedOn < afterDate) byModel.set(l.modelId, [...(byModel.get(l.modelId) ?? []), l]);
    for (const [modelId, group] of byModel) {
      const basis = await this.basis(tenant, modelId, group[0]!.datasetId, meta, chunks);
      for (const l of group) {
        const evaluation = this.evaluation(l, basis, specs, datasetId, afterDate);
        // An item holds one owed event at a time: whatever still waits on it goes out first.
        if (l.pending) await this.deliver(tenant, l.id, l.pending);
        const owed = this.evaluated(tenant, l.id, evaluation);
        if (!(await this.store.evaluate(tenant, l.id, evaluation, evaluation.evaluatedAt, owed))) continue;
        this.logger.log('info', 'launch evaluated', { tenant, launchId: l.id, datasetId, status: evaluation.status });
        await this.deliver(tenant, l.id, owed);
      }
    }
  }

  /**
   * The bridge from wave `from` to wave `afterId`: mix, the launches evaluated between them, rating
   * shifts through a driver model of `from` (the one named, else its newest ready one), remainder.
   */
  async bridge(tenant: string, afterId: string, query: { from: string; modelId?: string }): Promise<BridgeView> {
    if (query.from === afterId) throw new ValidationError('A bridge goes from one wave to another.', { errors: [{ field: 'query.from', reason: 'names the same dataset as the path' }] });
    const [after, before] = await Promise.all([this.datasets.getMeta(tenant, afterId), this.datasets.getMeta(tenant, query.from)]);
    if (!after) throw new NotFoundError(`No dataset '${afterId}'.`);
    if (!before) throw new NotFoundError(`No dataset '${query.from}'.`, { errors: [{ field: 'query.from', reason: 'no such dataset' }] });
    for (const [meta, field] of [[before, 'query.from'], [after, 'path.id']] as const)
      if (meta.dataset.status !== 'sealed')
        throw new ConflictError(`Dataset '${meta.dataset.id}' is still open: seal it before bridging.`, { errors: [{ field, reason: 'the dataset is not sealed' }] });
    const ready = query.modelId ? await this.models.readyModel(tenant, query.modelId, 'query.modelId') : await this.newestReadyModel(tenant, query.from);
    if (ready.record.datasetId !== query.from)
      throw new ValidationError(`Model '${ready.record.id}' was fitted on dataset '${ready.record.datasetId}', not on '${query.from}': a bridge reads ratings through a model of the wave before.`, {
        errors: [{ field: 'query.modelId', reason: `fitted on '${ready.record.datasetId}'` }],
      });
    const [b, a] = await Promise.all([this.wave(tenant, before, ready.model), this.wave(tenant, after, ready.model)]);
    // Oldest first: the order they went live in.
    const launches = (await this.store.all(tenant))
      .flatMap((l) => (l.datasetId === query.from && l.evaluation?.status === 'evaluated' && l.evaluation.afterDatasetId === afterId ? [{ ...l, realised: l.evaluation.realised }] : []))
      .reverse();
    const bridge = npsBridge(
      b.population,
      a.population,
      ready.model,
      launches.map((l) => ({ id: l.id, name: l.initiative.name, lift: l.realised.lift, interval: l.realised.interval, reached: l.reached })),
      REALISED_LEVEL,
    );
    let launch = 0;
    return {
      datasetId: afterId,
      from: query.from,
      modelId: ready.record.id,
      ...bridge,
      parts: bridge.parts.map((p) => ({ ...p, launchId: p.kind === 'launch' ? launches[launch++]!.id : null })),
    };
  }

  /**
   * Everything a launch freezes, checked: the version exists (404) and has its forecast (409 while
   * the worker computes it, 422 if it failed); the initiative is the version's; `launchedOn` is not
   * before the version was written nor after today; the reach names segments and roles the model's
   * respondents have (400 at the field).
   */
  private async freeze(tenant: string, input: LaunchInput, now: Date): Promise<Omit<Launch, 'id'>> {
    const version = requireForecast(await this.version(tenant, input.scenarioId, input.scenarioVersion));
    const initiative = version.scenario.initiatives.find((i) => i.id === input.initiativeId);
    const outcome = version.forecast.initiatives.find((o) => o.id === input.initiativeId);
    if (!initiative || !outcome)
      throw new ValidationError(`Version ${version.version} of scenario '${version.id}' has no initiative '${input.initiativeId}'.`, {
        errors: [{ field: 'body.initiativeId', reason: `not an initiative of the version; it has ${version.scenario.initiatives.map((i) => i.id).join(', ')}` }],
      });
    const errors: ProblemDetailItem[] = [];
    const written = dayOf(version.updatedAt, -12);
    if (input.launchedOn < written) errors.push({ field: 'body.launchedOn', reason: `is before version ${version.version} was written (${version.updatedAt.slice(0, 10)}): a launch is made on a forecast that exists` });
    if (input.launchedOn > dayOf(now, 14)) errors.push({ field: 'body.launchedOn', reason: `is after today (${dayOf(now, 0)}): record a launch once it has gone live` });
    const levels: [readonly string[] | undefined, Record<string, unknown>, string, string][] = [
      [input.reached.segments, version.forecast.baseline.bySegment, 'segments', 'segment'],
      [input.reached.roles, version.forecast.assumptions.roleWeights, 'roles', 'role'],
    ];
    for (const [names, known, list, what] of levels)
      names?.forEach((name, i) => {
        if (!hasOwn(known, name)) errors.push({ field: `body.reached.${list}.${i}`, reason: `the model's respondents have no ${what} '${name}'; they have ${Object.keys(known).join(', ')}` });
      });
    if (errors.length > 0) throw new ValidationError(`The launch cannot be recorded on version ${version.version} of scenario '${version.id}'.`, { errors });
    const { record } = await this.models.readyModel(tenant, version.modelId, 'body.scenarioId');
    const at = now.toISOString();
    return {
      scenarioId: version.id,
      scenarioVersion: version.version,
      initiativeId: initiative.id,
      modelId: version.modelId,
      datasetId: record.datasetId,
      launchedOn: input.launchedOn,
      endedOn: null,
      reached: input.reached,
      initiative: { id: initiative.id, name: initiative.name, effects: initiative.effects, target: initiative.target ?? null },
      forecast: { lift: outcome.nps.lift, interval: outcome.nps.interval, level: version.forecast.intervalLevel, haloAdjusted: outcome.haloAdjusted },
      evaluation: null,
      createdAt: at,
      updatedAt: at,
    };
  }

  /** Version `n` of a scenario: 404 naming `scenarioId` or `scenarioVersion`. */
  private async version(tenant: string, id: string, n: number): Promise<ScenarioVersion> {
    let latest: ScenarioVersion;
    try {
      latest = await this.scenarios.get(tenant, id);
    } catch (e) {
      if (e instanceof NotFoundError) throw new NotFoundError(`No scenario '${id}'.`, { cause: e, errors: [{ field: 'body.scenarioId', reason: 'no such scenario' }] });
      throw e;
    }
    if (n > latest.version)
      throw new NotFoundError(`Scenario '${id}' has no version ${n}; its latest is ${latest.version}.`, { errors: [{ field: 'body.scenarioVersion', reason: `the latest version is ${latest.version}` }] });
    return n === latest.version ? latest : this.scenarios.getVersion(tenant, id, n);
  }

  /** The first response of an idempotent launch: the launch it recorded, as it stands. */
  private async replay(tenant: string, body: unknown): Promise<Launch> {
    return this.store.get(tenant, CreatedSchema.parse(body).id);
  }

  /** Both waves of one model's launches, or why they cannot be read (the model failed, a wave was deleted or lacks its attributes). */
  private async basis(tenant: string, modelId: string, beforeId: string, after: DatasetMeta, afterChunks: readonly RespondentColumns[]): Promise<Basis> {
    try {
      const { model } = await this.models.readyModel(tenant, modelId, 'modelId');
      const before = await this.datasets.getMeta(tenant, beforeId);
      if (!before) return { reason: `The wave before the launch (dataset '${beforeId}') has been deleted.` };
      const beforeWave = await this.wave(tenant, before, model);
      const built = buildPopulation(after.dataset.attributes, afterChunks, { attributes: model.attributes.map((a) => a.name), segmentBy: model.segmentBy });
      if (!built.ok) return { reason: `Dataset '${after.dataset.id}' cannot be read through model '${modelId}': ${built.detail}` };
      return { before: beforeWave, after: built.population };
    } catch (e) {
      if (!(e instanceof AppError) || e instanceof UnavailableError) throw e;
      return { reason: e.message };
    }
  }

  /** What wave `afterDatasetId` says of a launch. */
  private evaluation(l: StoredLaunch, basis: Basis, specs: readonly LaunchSpec[], afterDatasetId: string, afterDate: string): Evaluation {
    const evaluatedAt = this.clock().toISOString();
    if ('reason' in basis) return { status: 'not-evaluable', afterDatasetId, evaluatedAt, reason: basis.reason };
    const r = realisedLift(basis.before.population, basis.after, specOf(l), specs, { beforeDate: basis.before.date, afterDate, level: REALISED_LEVEL });
    if (!r.ok) return { status: 'not-evaluable', afterDatasetId, evaluatedAt, reason: r.reason };
    const { ok: _, ...realised } = r;
    return { status: 'evaluated', afterDatasetId, evaluatedAt, realised: { ...realised, level: REALISED_LEVEL } };
  }

  /** A sealed wave as `model` reads it, with its date (cached: sealed waves never change). */
  private wave(tenant: string, meta: DatasetMeta, model: DriverModel): Promise<Wave> {
    return this.waves.get(populationKey(tenant, meta.dataset.id, model), async () => {
      const chunks = await readRespondents(this.datasets, tenant, meta);
      const built = buildPopulation(meta.dataset.attributes, chunks, { attributes: model.attributes.map((a) => a.name), segmentBy: model.segmentBy });
      if (!built.ok) throw new UnprocessableError(`Dataset '${meta.dataset.id}' cannot be read through the model: ${built.detail}`, { extensions: { datasetId: meta.dataset.id } });
      return { date: waveDate(chunks, meta.dataset.createdAt), population: built.population };
    });
  }

  /** The newest ready model of a dataset: 409 when it has none. */
  private async newestReadyModel(tenant: string, datasetId: string): Promise<{ record: ModelRecord; model: DriverModel }> {
    let cursor: string | undefined;
    do {
      const page = await this.models.list(tenant, { datasetId, limit: 50, ...(cursor !== undefined ? { cursor } : {}) });
      const ready = page.items.find((m) => m.status === 'ready');
      if (ready) return this.models.readyModel(tenant, ready.id, 'query.modelId');
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
    throw new ConflictError(`Dataset '${datasetId}' has no ready driver model: fit one (POST /v1/models) or name one with modelId.`, {
      errors: [{ field: 'query.modelId', reason: `no ready model of dataset '${datasetId}'` }],
    });
  }

  private deliver(tenant: string, id: string, event: PendingEvent): Promise<void> {
    return this.outbox?.deliver(this.store.outboxItem(tenant, id), event) ?? Promise.resolve();
  }

  private recorded(tenant: string, l: Launch): PendingEvent<'LaunchRecorded'> {
    return {
      name: 'LaunchRecorded',
      at: l.createdAt,
      detail: { version: 1, tenant, occurredAt: l.createdAt, launchId: l.id, scenarioId: l.scenarioId, scenarioVersion: l.scenarioVersion, initiativeId: l.initiativeId, launchedOn: l.launchedOn },
    };
  }

  private evaluated(tenant: string, launchId: string, e: Evaluation): PendingEvent<'LaunchEvaluated'> {
    return { name: 'LaunchEvaluated', at: e.evaluatedAt, detail: { version: 1, tenant, occurredAt: e.evaluatedAt, launchId, afterDatasetId: e.afterDatasetId, status: e.status } };
  }
}

function specOf(l: Launch): LaunchSpec {
  return { id: l.id, initiativeId: l.initiativeId, launchedOn: l.launchedOn, endedOn: l.endedOn, reached: l.reached };
}

function alreadyEnded(l: Launch): ConflictError {
  return new ConflictError(`Launch '${l.id}' already ended on ${l.endedOn}; a launch ends once.`, { errors: [{ field: 'body.endedOn', reason: `the launch ended on ${l.endedOn}` }] });
}
