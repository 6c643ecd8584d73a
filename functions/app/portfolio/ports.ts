/**
 * What the portfolio service needs of storage: the optimisations the worker runs. The DynamoDB
 * adapter is functions/store/optimizations.ts.
 */
import type { WorkProgress } from '../lifecycle.js';
import type { Optimization, OptimizationProblem, OptimizationResult } from './contract.js';

export interface OptimizationStore {
  /**
   * Starts an optimisation unless the same one exists: returns the stored one (`created: false`)
   * when it is running or done, and replaces one that failed (a new attempt).
   */
  start(tenant: string, optimization: Optimization): Promise<{ optimization: Optimization; created: boolean }>;
  get(tenant: string, scenarioId: string, id: string): Promise<Optimization | null>;
  /** Stores the outcome of a running optimisation; false when it is no longer running (or gone). @throws TooLargeError */
  /** Records where a running optimisation stands; false when it is no longer running (or gone). */
  progress(tenant: string, scenarioId: string, id: string, progress: WorkProgress): Promise<boolean>;
  finish(tenant: string, scenarioId: string, id: string, outcome: { status: 'ready'; result: OptimizationResult } | { status: 'failed'; problem: OptimizationProblem }, now: string): Promise<boolean>;
}
