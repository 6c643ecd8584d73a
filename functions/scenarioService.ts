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
 */
import { z } from 'zod';
import { ForecastSchema, type Forecast, type ScenarioFailure, type ScenarioInput } from '../model/scenario/contract.js';
import { forecastScenario } from '../model/scenario/forecast.js';
import { bodyPath, ConflictError, NotFoundError, ValidationError } from './errors.js';
import type { EventPublisher } from './events/bus.js';
import { newId } from './ids.js';
import { silentLogger, type Logger } from './log.js';
import type { ModelService } from './modelService.js';
import type { IdempotencyStore } from './store/idempotency.js';
import { staleVersionError, type DynamoScenarioStore, type ScenarioHead, type ScenarioVersion, type ScenarioVersionSummary } from './store/scenarios.js';

export type { ScenarioHead, ScenarioVersion, ScenarioVersionSummary };

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

  constructor(
    private readonly store: DynamoScenarioStore,
    private readonly models: ModelService,
    private readonly idempotency: IdempotencyStore,
    private readonly bus: EventPublisher,
    private readonly clock: () => Date = () => new Date(),
    options: { logger?: Logger } = {},
  ) {
    this.logger = options.logger ?? silentLogger;
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
    const forecast = await this.computeForecast(tenant, scenario, now);

    let id = newId('scn', now.getTime());
    if (idem) {
      const start = await this.idempotency.start(tenant, OPERATION, idem.key, idem.fingerprint, id, now.getTime());
      if (start.kind === 'replay') return { scenario: await this.replay(tenant, start.body), replayed: true };
      id = start.resourceId;
    }
    const at = now.toISOString();
    const version: ScenarioVersion = { id, version: 1, name: scenario.name, modelId: scenario.modelId, createdAt: at, updatedAt: at, scenario, forecast };
    const head: ScenarioHead = { id, name: scenario.name, modelId: scenario.modelId, version: 1, createdAt: at, updatedAt: at };
    try {
      await this.store.create(
        tenant,
        head,
        version,
        idem ? [this.idempotency.completion(tenant, OPERATION, idem.key, idem.fingerprint, 201, { id, version: 1 })] : [],
      );
    } catch (e) {
      if (!(e instanceof ConflictError) || !idem) throw e;
      // A concurrent retry with the same key finished first: answer as it did.
      const again = await this.idempotency.start(tenant, OPERATION, idem.key, idem.fingerprint, id, now.getTime());
      if (again.kind === 'replay') return { scenario: await this.replay(tenant, again.body), replayed: true };
      throw e;
    }
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
    const forecast = await this.computeForecast(tenant, scenario, now);
    const at = now.toISOString();
    const stored = await this.store.update(tenant, head, { name: scenario.name, modelId: scenario.modelId, updatedAt: at, scenario, forecast });
    const version: ScenarioVersion = { id, version: stored.version, name: scenario.name, modelId: scenario.modelId, createdAt: head.createdAt, updatedAt: at, scenario, forecast };
    await this.announce(tenant, version);
    return version;
  }

  /** The latest version with its stored forecast. */
  get(tenant: string, id: string): Promise<ScenarioVersion> {
    return this.store.getLatest(tenant, id);
  }

  /** One version (versions are immutable), with the forecast stored with it. */
  getVersion(tenant: string, id: string, version: number): Promise<ScenarioVersion> {
    return this.store.getVersion(tenant, id, version);
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

  /** Forecasts a scenario on its (ready) model; every failure is a problem naming its field. */
  private async computeForecast(tenant: string, scenario: ScenarioInput, now: Date): Promise<Forecast> {
    const { model, population } = await this.models.simulationBasis(tenant, scenario.modelId, 'body.modelId');
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

  /**
   * Announces a stored forecast. The version is already stored, so a publish that fails does not
   * fail the request (a retry would only meet a 412); it is logged for an operator to replay.
   */
  private async announce(tenant: string, v: ScenarioVersion): Promise<void> {
    try {
      await this.bus.publish('ScenarioForecasted', {
        version: 1,
        tenant,
        occurredAt: v.updatedAt,
        scenarioId: v.id,
        scenarioVersion: v.version,
        modelId: v.modelId,
      });
    } catch (error) {
      this.logger.log('error', 'ScenarioForecasted could not be published', { tenant, scenarioId: v.id, scenarioVersion: v.version, error });
    }
  }
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
