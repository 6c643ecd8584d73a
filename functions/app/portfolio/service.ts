/**
 * Use cases finance and dashboards need on top of scenarios: ranked investment lists (per scenario
 * and across the tenant's scenarios), side-by-side comparison, and the budget optimiser. Rankings
 * and comparisons read stored forecasts (no recomputation); the optimiser evaluates portfolios
 * through the scenario's model.
 */
import { createHash } from 'node:crypto';
import type { OptimizationRequested } from '../../../events/contracts.js';
import type { Forecast, Outcome } from '../../../model/scenario/contract.js';
import { prepareScenario } from '../../../model/scenario/forecast.js';
import { optimizePortfolio, type OptimizeRequest } from '../../../model/scenario/optimize.js';
import { rankInitiatives, type RankBy, type RankedInitiative } from '../../../model/scenario/ranking.js';
import { normalQuantile } from '../../../model/stats.js';
import { hasOwn } from '../../../model/text.js';
import { silentLogger, type Logger } from '../../log.js';
import { ConflictError, NotFoundError, UnprocessableError, ValidationError } from '../errors.js';
import type { EventPublisher } from '../events.js';
import { pendingProgress, QueuedWork, WORK_DEADLINE_MS, type ReportProgress } from '../lifecycle.js';
import type { ModelService } from '../models/service.js';
import type { ScenarioVersion } from '../scenarios/contract.js';
import { requireForecast, type ScenarioService } from '../scenarios/service.js';
import { OPTIMIZATION_STAGES, type Comparison, type Optimization, type OptimizationResult } from './contract.js';
import type { OptimizationStore } from './ports.js';
import { difference, type Compared } from '../../../model/scenario/compare.js';

export interface RankingPage {
  scenarioId: string;
  version: number;
  by: RankBy;
  segment: string | null;
  currency: string;
  intervalLevel: number;
  items: RankedInitiative[];
  nextCursor: string | null;
}

/** The driver model a forecast was made on, as a spreadsheet's assumptions name it; `null` fields when it cannot be read. */
export interface ModelUsed {
  id: string;
  method: string | null;
  datasetId: string | null;
  fittedAt: string | null;
  respondents: number | null;
}

/** A scenario as finance exports it: the version with its stored forecast, the whole ranking and the model used. */
export interface ForecastExport {
  scenario: ScenarioVersion & { forecast: Forecast };
  by: RankBy;
  segment: string | null;
  ranking: RankedInitiative[];
  model: ModelUsed;
}

/** A comparison as finance exports it: the comparison and, for each row, the very version compared and its model. */
export interface ComparisonExport {
  comparison: Comparison;
  scenarios: { scenario: ScenarioVersion & { forecast: Forecast }; model: ModelUsed }[];
}

/** Largest number of scenarios ranked together by `GET /v1/rankings`. */
export const MAX_RANKED_SCENARIOS = 200;

const encodeCursor = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
function decodeCursor<T>(cursor: string, check: (v: unknown) => v is T): T {
  try {
    const v: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (check(v)) return v;
  } catch {
    // fall through
  }
  throw new ValidationError('The cursor is not valid: pass back nextCursor from the previous page.', { errors: [{ field: 'query.cursor', reason: 'not a cursor this API issued' }] });
}
const isOffset = (v: unknown): v is { o: number; v?: number } => typeof v === 'object' && v !== null && Number.isInteger((v as { o: unknown }).o) && (v as { o: number }).o >= 0;

export interface PortfolioServiceOptions {
  logger?: Logger;
  /**
   * Monotonic milliseconds, to time the optimiser's trial evaluations (whether every subset can be
   * evaluated through the model in time). @default performance.now
   */
  stopwatch?: () => number;
  /** How long an optimisation may stay `running` before a read records it failed. @default {@link WORK_DEADLINE_MS} */
  deadlineMs?: number;
}

/** An optimisation, the unit of queued search work. */
type OptimizationKey = { tenant: string; scenarioId: string; id: string };

export class PortfolioService {
  private readonly logger: Logger;
  private readonly stopwatch: () => number;
  private readonly work: QueuedWork<OptimizationKey, OptimizationResult>;

  constructor(
    private readonly scenarios: ScenarioService,
    private readonly models: ModelService,
    /** Where optimisations too large for a request are kept. */
    private readonly optimizations: OptimizationStore,
    /** Where `OptimizationRequested` goes (the worker). */
    private readonly bus: EventPublisher,
    private readonly clock: () => Date,
    options: PortfolioServiceOptions = {},
  ) {
    this.logger = options.logger ?? silentLogger;
    this.stopwatch = options.stopwatch ?? (() => performance.now());
    this.work = new QueuedWork<OptimizationKey, OptimizationResult>(
      {
        read: async ({ tenant, scenarioId, id }) => {
          const o = await this.optimizations.get(tenant, scenarioId, id);
          return o ? { state: o.status === 'running' ? 'pending' : o.status, since: o.createdAt } : null;
        },
        finish: ({ tenant, scenarioId, id }, outcome, at) =>
          this.optimizations.finish(
            tenant,
            scenarioId,
            id,
            outcome.state === 'ready'
              ? { status: 'ready', result: outcome.result }
              : { status: 'failed', problem: { title: outcome.problem.title, detail: outcome.problem.detail, ...(outcome.problem.field ? { field: outcome.problem.field } : {}) } },
            at,
          ),
        progress: ({ tenant, scenarioId, id }, progress) => this.optimizations.progress(tenant, scenarioId, id, progress),
      },
      { what: 'optimisation', again: 'Send the request again.', clock, logger: this.logger, deadlineMs: options.deadlineMs ?? WORK_DEADLINE_MS, stages: OPTIMIZATION_STAGES },
    );
  }

  /** A scenario's initiatives in rank order, a page at a time (the cursor pins the version). */
  async ranking(tenant: string, id: string, query: { by: RankBy; segment?: string; limit: number; cursor?: string }): Promise<RankingPage> {
    const latest = await this.scenarios.getForecast(tenant, id);
    const forecast = latest.forecast;
    checkSegment(forecast, query.segment);
    const start = query.cursor ? decodeCursor(query.cursor, isOffset) : { o: 0, v: latest.version };
    if (start.v !== undefined && start.v !== latest.version)
      throw new ConflictError(`Scenario '${id}' changed (now version ${latest.version}) since this ranking's first page: start again without a cursor.`);
    const all = rankInitiatives(forecast, query.by, query.segment);
    const items = all.slice(start.o, start.o + query.limit);
    const next = start.o + query.limit;
    return {
      scenarioId: id,
      version: latest.version,
      by: query.by,
      segment: query.segment ?? null,
      currency: forecast.currency,
      intervalLevel: forecast.intervalLevel,
      items,
      nextCursor: next < all.length ? encodeCursor({ o: next, v: latest.version }) : null,
    };
  }

  /**
   * Everything a spreadsheet of a scenario shows, read once from the stored forecast: the latest
   * version, its whole ranking (not paged) by `by`, and the model it was forecast on.
   */
  async forecastExport(tenant: string, id: string, query: { by: RankBy; segment?: string }): Promise<ForecastExport> {
    const latest = await this.scenarios.getForecast(tenant, id);
    checkSegment(latest.forecast, query.segment);
    return {
      scenario: latest,
      by: query.by,
      segment: query.segment ?? null,
      ranking: rankInitiatives(latest.forecast, query.by, query.segment),
      model: await this.modelUsed(tenant, latest.forecast.modelId),
    };
  }

  /** {@link compare}, with the versions it compared (read by version, so the figures agree) and their models. */
  async comparisonExport(tenant: string, ids: string[]): Promise<ComparisonExport> {
    const comparison = await this.compare(tenant, ids);
    const scenarios = await Promise.all(
      comparison.scenarios.map(async (row) => {
        const scenario = requireForecast(await this.scenarios.getVersion(tenant, row.id, row.version));
        return { scenario, model: await this.modelUsed(tenant, scenario.forecast.modelId) };
      }),
    );
    return { comparison, scenarios };
  }

  /** The model a forecast names; models are immutable, but one may be unreadable (a failed read leaves its fields null). */
  private async modelUsed(tenant: string, id: string): Promise<ModelUsed> {
    try {
      const m = await this.models.get(tenant, id);
      return { id, method: m.method ?? null, datasetId: m.datasetId, fittedAt: m.updatedAt, respondents: m.population?.used ?? null };
    } catch (e) {
      if (!(e instanceof NotFoundError)) throw e;
      return { id, method: null, datasetId: null, fittedAt: null, respondents: null };
    }
  }

  /**
   * The initiatives of all of the tenant's scenarios ranked together, each with its scenario. A
   * scenario whose latest forecast is still being computed, or failed, is left out and listed in
   * `notRanked` with its status.
   */
  async rankings(
    tenant: string,
    query: { by: RankBy; limit: number; cursor?: string },
  ): Promise<{
    by: RankBy;
    items: (RankedInitiative & { scenarioId: string; scenarioName: string; currency: string })[];
    notRanked: { scenarioId: string; version: number; forecastStatus: 'forecasting' | 'failed' }[];
    nextCursor: string | null;
  }> {
    const heads: { id: string; name: string }[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.scenarios.list(tenant, { limit: 100, ...(cursor ? { cursor } : {}) });
      heads.push(...page.items);
      cursor = page.nextCursor ?? undefined;
    } while (cursor && heads.length < MAX_RANKED_SCENARIOS);
    const versions = await Promise.all(heads.map(async (h) => ({ head: h, latest: await this.scenarios.get(tenant, h.id) })));
    const forecasts = versions.flatMap(({ head, latest }) => (latest.forecast && latest.forecastStatus === 'ready' ? [{ head, forecast: latest.forecast }] : []));
    const notRanked = versions.flatMap(({ head, latest }) =>
      latest.forecastStatus === 'ready' ? [] : [{ scenarioId: head.id, version: latest.version, forecastStatus: latest.forecastStatus }],
    );
    // One synthetic forecast holding every initiative, so ranking and probabilities are computed once.
    const owner: { scenarioId: string; scenarioName: string; currency: string; initiativeId: string }[] = [];
    const merged: Forecast | null =
      forecasts.length === 0
        ? null
        : {
            ...forecasts[0]!.forecast,
            initiatives: forecasts.flatMap(({ head, forecast }) =>
              forecast.initiatives.map((o) => {
                owner.push({ scenarioId: head.id, scenarioName: head.name, currency: forecast.currency, initiativeId: o.id });
                return { ...o, id: `${owner.length - 1}` };
              }),
            ),
          };
    const all = merged
      ? rankInitiatives(merged, query.by).map((r) => {
          const { initiativeId, ...o } = owner[Number(r.id)]!;
          return { ...r, id: initiativeId, ...o };
        })
      : [];
    const start = query.cursor ? decodeCursor(query.cursor, isOffset).o : 0;
    const next = start + query.limit;
    return { by: query.by, items: all.slice(start, next), notRanked, nextCursor: next < all.length ? encodeCursor({ o: next }) : null };
  }

  /** Portfolios side by side, and the difference between each pair (through their shared model error when they share a model). */
  async compare(tenant: string, ids: string[]): Promise<Comparison> {
    const seen = new Set<string>();
    ids.forEach((id, i) => {
      if (seen.has(id)) throw new ValidationError('A scenario is listed twice.', { errors: [{ field: `body.scenarios.${i}`, reason: `'${id}' is already listed` }] });
      seen.add(id);
    });
    const compared = await Promise.all(ids.map((id) => this.scenarios.getForecast(tenant, id)));
    const rows = compared.map((v, i) => {
        const id = ids[i]!;
        const p = v.forecast.portfolio;
        return {
          id,
          name: v.name,
          version: v.version,
          currency: v.forecast.currency,
          intervalLevel: v.forecast.intervalLevel,
          baselineNps: v.forecast.baseline.nps,
          nps: p.nps,
          netValue: netValueOf(p),
          roi: p.roi,
          cost: p.cost,
          paybackMonths: p.paybackMonths,
          liftPerMillion: p.liftPerMillion,
        };
      });
    const of = (i: number, which: 'lift' | 'npv'): Compared | null => {
      const f = compared[i]!.forecast;
      const p = f.portfolio;
      if (which === 'lift') return { value: p.nps.lift, interval: p.nps.interval, level: f.intervalLevel, replicates: p.uncertainty?.replicates.lift ?? null, modelId: f.modelId };
      const nv = rows[i]!.netValue;
      return nv ? { value: nv.value, interval: nv.interval, level: f.intervalLevel, replicates: p.uncertainty?.replicates.npv ?? null, modelId: f.modelId } : null;
    };
    const diff = (a: Compared | null, b: Compared | null) => {
      if (!a || !b) return null;
      const d = difference(a, b);
      return { value: d.value, interval: d.interval };
    };
    const differences = [];
    let correlated = false;
    for (let i = 0; i < rows.length; i++)
      for (let j = i + 1; j < rows.length; j++) {
        const a = rows[i]!;
        const b = rows[j]!;
        const lift = of(i, 'lift')!;
        const other = of(j, 'lift')!;
        correlated ||= difference(lift, other).correlated;
        differences.push({
          a: a.id,
          b: b.id,
          npsLift: diff(lift, other),
          netValue: a.currency === b.currency ? diff(of(i, 'npv'), of(j, 'npv')) : null,
          cost: a.currency === b.currency ? a.cost.total - b.cost.total : null,
        });
      }
    return {
      scenarios: rows,
      differences,
      note: correlated
        ? 'Differences between portfolios on the same driver model use their shared model error (the covariance of their bootstrap replicates); others are treated as independent, which errs on the wide side. Intervals are at the lower of the two levels.'
        : 'Differences treat the two forecasts as independent (different models, or forecasts without replicates), which errs on the wide side. Intervals are at the lower of the two levels.',
    };
  }

  /**
   * The best portfolio within a budget, its forecast and the efficient frontier, searched in the
   * request (`status: 200`). A scenario too large to forecast in a request (its valuations would run
   * past API Gateway's 29 s) is searched by the worker instead: the optimisation is stored
   * `running`, `OptimizationRequested` published, and `status: 202` returned with it; the same
   * request on the same version finds the same optimisation rather than starting another (and once
   * it is ready, answers with its result: `status: 200`).
   */
  async optimize(tenant: string, id: string, request: OptimizeRequest): Promise<{ status: 200; result: OptimizationResult } | { status: 202; optimization: Optimization }> {
    const latest = await this.scenarios.getForecast(tenant, id);
    checkObjective(latest, request);
    const ready = await this.models.readyModel(tenant, latest.scenario.modelId, 'modelId');
    const size = this.scenarios.fitsInRequest(ready.model, latest.scenario);
    if (size.fits) return { status: 200, result: await this.search(tenant, latest, request, ready) };

    const initiatives = new Set(latest.scenario.initiatives.map((i) => i.id));
    for (const list of ['mustInclude', 'exclude'] as const)
      request[list].forEach((name, i) => {
        if (!initiatives.has(name)) throw new ValidationError(`No initiative '${name}' in scenario '${id}'.`, { errors: [{ field: `body.${list}.${i}`, reason: 'no such initiative' }] });
      });
    const now = this.clock().toISOString();
    const optimizationId = `opt_${createHash('sha256').update(JSON.stringify([latest.version, request])).digest('hex').slice(0, 24)}`;
    const started = await this.optimizations.start(tenant, { id: optimizationId, scenarioId: id, scenarioVersion: latest.version, request, status: 'running', createdAt: now, updatedAt: now });
    if (!started.created) {
      // Asked again: once its result is in, answer with it as a search in the request would.
      const done = started.optimization;
      return done.status === 'ready' && done.result ? { status: 200, result: done.result } : { status: 202, optimization: withProgress(done) };
    }
    await this.work.enqueue(
      { tenant, scenarioId: id, id: optimizationId },
      () => this.bus.publish('OptimizationRequested', { version: 1, tenant, occurredAt: now, scenarioId: id, scenarioVersion: latest.version, optimizationId }),
      'The optimisation could not be queued; send the request again shortly.',
    );
    return { status: 202, optimization: withProgress(started.optimization) };
  }

  /** An optimisation the worker runs or ran; one still running past the deadline is failed first. */
  async getOptimization(tenant: string, scenarioId: string, id: string): Promise<Optimization> {
    const found = await this.optimizations.get(tenant, scenarioId, id);
    if (!found) throw new NotFoundError(`No optimisation '${id}' of scenario '${scenarioId}'.`);
    const expired = await this.work.expire({ tenant, scenarioId, id }, { state: found.status === 'running' ? 'pending' : found.status, since: found.createdAt });
    return withProgress(expired ? ((await this.optimizations.get(tenant, scenarioId, id)) ?? found) : found);
  }

  /**
   * The worker's side of an accepted optimisation (an `OptimizationRequested` event), through the
   * lifecycle: searches the version it names and stores the result, or the problem, once.
   */
  async optimizeInWorker(event: OptimizationRequested): Promise<void> {
    const { tenant, scenarioId, scenarioVersion, optimizationId } = event;
    await this.work.run(
      { tenant, scenarioId, id: optimizationId },
      async (report) => {
        const job = await this.optimizations.get(tenant, scenarioId, optimizationId);
        if (!job) throw new NotFoundError(`No optimisation '${optimizationId}' of scenario '${scenarioId}'.`);
        const version = requireForecast(await this.scenarios.getVersion(tenant, scenarioId, scenarioVersion));
        return this.search(tenant, version, job.request, undefined, report);
      },
      { tenant, scenarioId, optimizationId },
    );
  }

  /** Searches the portfolios of one scenario version through its model. */
  private async search(
    tenant: string,
    version: ScenarioVersion & { forecast: Forecast },
    request: OptimizeRequest,
    known?: Awaited<ReturnType<ModelService['readyModel']>>,
    report?: ReportProgress,
  ): Promise<OptimizationResult> {
    const id = version.id;
    await report?.('reading respondents');
    const { model, population } = await this.models.simulationBasis(tenant, version.scenario.modelId, 'modelId', known);
    await report?.('searching portfolios');
    const prepared = prepareScenario(model, population, version.scenario, { modelId: version.scenario.modelId, computedAt: this.clock().toISOString() });
    if (!prepared.ok) throw new UnprocessableError(`Scenario '${id}' can no longer be forecast on its model: ${prepared.detail}`);
    const result = optimizePortfolio(
      {
        ids: prepared.ids,
        costs: prepared.costs,
        evaluate: (subset) => {
          const v = prepared.value(subset);
          return { objective: request.objective === 'npv' ? (v.netValue ?? 0) : v.npsLift, npsLift: v.npsLift, cost: v.cost };
        },
      },
      request,
      { now: this.stopwatch },
    );
    if (!result.ok) {
      if (result.reason === 'unknown-initiative') throw new ValidationError(result.detail, { errors: [{ field: `body.${result.field!.replace(/\[(\d+)\]/g, '.$1')}`, reason: 'no such initiative' }] });
      throw new UnprocessableError(result.detail, { errors: [{ field: 'body.budget', reason: 'infeasible' }] });
    }
    const forecast = result.selected.length > 0 ? prepared.forecast(result.selected) : null;
    return {
      scenarioId: id,
      version: version.version,
      objective: request.objective,
      budget: request.budget,
      method: result.method,
      evaluations: result.evaluations,
      selected: result.selected.map((j) => prepared.ids[j]!),
      value: result.value,
      forecast: forecast?.portfolio ?? null,
      initiatives: forecast?.initiatives ?? [],
      frontier: result.frontier.map((f) => ({ ...f, selected: f.selected.map((j) => prepared.ids[j]!) })),
    };
  }

}

/** An optimisation with the progress it shows while running (its first stage before the worker reports one). */
function withProgress(o: Optimization): Optimization {
  const progress = pendingProgress(o.status === 'running' ? 'pending' : o.status, o.progress, OPTIMIZATION_STAGES);
  return progress ? { ...o, progress } : o;
}

function checkObjective(version: ScenarioVersion & { forecast: Forecast }, request: OptimizeRequest): void {
  if (request.objective === 'npv' && version.forecast.assumptions.revenueSource === 'none')
    throw new UnprocessableError('This scenario has no revenue (no account_revenue in the dataset and no revenueBase), so it has no NPV to maximise: use objective npsLift, or add revenueBase.', {
      errors: [{ field: 'body.objective', reason: 'no revenue to value' }],
    });
}

function netValueOf(o: Outcome): { value: number; interval: [number, number] } | null {
  return o.revenue ? { value: o.revenue.npv - o.cost.total, interval: [o.revenue.interval[0] - o.cost.total, o.revenue.interval[1] - o.cost.total] } : null;
}

function checkSegment(forecast: Forecast, segment: string | undefined): void {
  if (segment !== undefined && !hasOwn(forecast.baseline.bySegment, segment))
    throw new ValidationError(`No segment '${segment}' in this forecast; it has ${Object.keys(forecast.baseline.bySegment).join(', ')}.`, {
      errors: [{ field: 'query.segment', reason: 'unknown segment' }],
    });
}
