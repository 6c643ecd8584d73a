/**
 * What the launch service needs of storage. The DynamoDB adapter is functions/store/launches.ts: a
 * launch is written once (with the event it owes), its end is set once, and its evaluation is set
 * by the first wave that can tell (a wave that could not may be followed by one that can).
 */
import type { OutboxItem, PendingEvent } from '../events.js';
import type { IdempotencyCompletion } from '../idempotency.js';
import type { Evaluation, Launch, LaunchPage, LedgerRecord } from './contract.js';

/** A launch as the worker reads it: with the event still waiting on it and the waves already tried. */
export interface StoredLaunch extends Launch {
  pending: PendingEvent | null;
  /** The after waves already read against this launch (a redelivered `DatasetIngested` does nothing new). */
  triedWith: string[];
}

export interface LaunchStore {
  /** Writes a new launch with the `LaunchRecorded` it owes (and an idempotency completion). @throws ConflictError when it exists, TooLargeError */
  create(tenant: string, launch: Launch, event: PendingEvent, also?: IdempotencyCompletion[]): Promise<void>;
  /** @throws NotFoundError */
  get(tenant: string, id: string): Promise<Launch>;
  /** Launches newest first, a page at a time. */
  list(tenant: string, options: { limit: number; cursor?: string }): Promise<LaunchPage>;
  /** Every launch of the tenant, whole, newest first (the evaluation reads them all). */
  all(tenant: string): Promise<StoredLaunch[]>;
  /** Every launch without where it reached (the ledger and the calibration), newest first. */
  ledger(tenant: string): Promise<LedgerRecord[]>;
  /** Sets `endedOn` on a launch not yet ended; false when it already was. @throws NotFoundError */
  end(tenant: string, id: string, endedOn: string, now: string): Promise<boolean>;
  /**
   * Stores what wave `afterDatasetId` says of a launch, with the `LaunchEvaluated` it owes, unless
   * the launch is already evaluated, was already tried with this wave, or has an event still waiting
   * (deliver that first); false then.
   */
  evaluate(tenant: string, id: string, evaluation: Evaluation, now: string, event: PendingEvent): Promise<boolean>;
  outboxItem(tenant: string, id: string): OutboxItem;
}
