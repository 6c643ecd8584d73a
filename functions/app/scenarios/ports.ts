/**
 * What the scenario service needs of storage. The DynamoDB adapter is functions/store/scenarios.ts:
 * versions are immutable, a new version is written only from the version the client read
 * (VersionConflictError otherwise), and a queued forecast is stored once.
 */
import type { Calibration } from '../../../model/ledger/contract.js';
import type { Forecast } from '../../../model/scenario/contract.js';
import type { OutboxItem, PendingEvent } from '../events.js';
import type { IdempotencyCompletion } from '../idempotency.js';
import type { WorkProgress } from '../lifecycle.js';
import type { ForecastProblem, NewVersion, ScenarioHead, ScenarioVersion, ScenarioVersionSummary } from './contract.js';

export type ForecastOutcome = { status: 'ready'; forecast: Forecast; event?: PendingEvent } | { status: 'failed'; problem: ForecastProblem };

export interface ScenarioStore {
  /** Head and version 1 together (with an idempotency completion), or nothing. @throws ConflictError when it exists */
  create(tenant: string, head: ScenarioHead, first: ScenarioVersion, also?: IdempotencyCompletion[], event?: PendingEvent): Promise<void>;
  /**
   * Writes the version after `head` (as the caller read it). @throws VersionConflictError when
   * another change got there first, NotFoundError when the scenario is gone
   */
  update(tenant: string, head: ScenarioHead, next: NewVersion, event?: (version: number) => PendingEvent): Promise<ScenarioHead>;
  /** @throws NotFoundError */
  getHead(tenant: string, id: string): Promise<ScenarioHead>;
  /** @throws NotFoundError */
  getLatest(tenant: string, id: string): Promise<ScenarioVersion>;
  /** @throws NotFoundError */
  getVersion(tenant: string, id: string, version: number): Promise<ScenarioVersion>;
  /** A version as stored with the event still waiting on it, or `null` (for the worker). */
  findVersionForWorker(tenant: string, id: string, version: number): Promise<(ScenarioVersion & { pending: PendingEvent | null }) | null>;
  /** Stores a queued forecast's outcome on a version still `forecasting`; false otherwise. @throws TooLargeError */
  finishForecast(tenant: string, id: string, version: number, outcome: ForecastOutcome): Promise<boolean>;
  /** Records where a queued forecast stands on a version still `forecasting`; false otherwise. */
  forecastProgress(tenant: string, id: string, version: number, progress: WorkProgress): Promise<boolean>;
  listVersions(tenant: string, id: string, options: { limit: number; cursor?: string }): Promise<{ items: ScenarioVersionSummary[]; nextCursor: string | null }>;
  list(tenant: string, options: { limit: number; cursor?: string }): Promise<{ items: ScenarioHead[]; nextCursor: string | null }>;
  delete(tenant: string, id: string): Promise<void>;
  outboxItem(tenant: string, id: string, version: number): OutboxItem;
}

/**
 * Where new forecasts find the tenant's calibration against realised results (the forecast ledger,
 * functions/app/launches): `null` until a launch has been evaluated.
 */
export interface CalibrationSource {
  calibration(tenant: string): Promise<Calibration | null>;
}
