/**
 * What the model service needs of storage. The DynamoDB adapter is functions/store/models.ts: a
 * model is written once `pending`, then exactly once `ready` (with its document) or `failed`.
 */
import type { PendingEvent, OutboxItem } from '../events.js';
import type { WorkProgress, WorkState } from '../lifecycle.js';
import type { ModelProblem } from './contract.js';

/** A model as stored: the lifecycle's state, the request, and the problem when it failed. */
export interface StoredModel {
  id: string;
  datasetId: string;
  state: WorkState;
  createdAt: string;
  updatedAt: string;
  request: Record<string, unknown>;
  problem: ModelProblem | null;
  /** Where a queued fit stands, as its worker last reported. */
  progress?: WorkProgress;
}

export type ModelOutcome = { state: 'ready'; doc: unknown } | { state: 'failed'; problem: ModelProblem };

export interface ModelStore {
  /** Writes a new model, `pending`. @throws ConflictError when the id exists */
  create(tenant: string, model: StoredModel): Promise<void>;
  /**
   * Stores the outcome of a `pending` model; `false` when it had already left `pending`.
   * @param event the `ModelFitted` the outcome owes (a worker's fit), stored with it in the outbox
   * @param datasetId for a ready outcome: the dataset it was fitted on, which must still be sealed
   * @throws TooLargeError for a document too large to store; DatasetGoneError when the dataset is gone
   */
  finish(tenant: string, id: string, outcome: ModelOutcome, now: string, event?: PendingEvent, datasetId?: string): Promise<boolean>;
  /** Records where a `pending` model's fit stands; `false` when it is no longer pending. */
  progress(tenant: string, id: string, progress: WorkProgress): Promise<boolean>;
  /** @throws NotFoundError */
  get(tenant: string, id: string): Promise<{ model: StoredModel; doc: unknown; pending: PendingEvent | null }>;
  list(tenant: string, options: { datasetId?: string; limit: number; cursor?: string }): Promise<{ items: StoredModel[]; nextCursor: string | null }>;
  outboxItem(tenant: string, id: string): OutboxItem;
}
