/**
 * Where queued work stands, in words and as a share for a progress bar: a model being fitted, a
 * scenario version being forecast, an optimisation. The API's `progress: { stage, done }` is
 * reported at stage boundaries only, so the bar moves in steps. Pure; tested in
 * test/unit/dashboardWork.test.ts.
 */
import type { Problem, WorkProgress } from './contract.js';

/** What a progress bar shows. */
export interface ProgressView {
  state: 'pending' | 'ready' | 'failed';
  /** 0–1. */
  share: number;
  /** For the bar's label and a screen reader: "Fitting… (67% of the stages done)", "Ready", "Failed: …". */
  text: string;
}

/** The status of a model (`fitting`), a version (`forecasting`) or an optimisation (`running`) in the lifecycle's words. */
function stateOf(status: string): ProgressView['state'] {
  return status === 'ready' ? 'ready' : status === 'failed' ? 'failed' : 'pending';
}

/** The problem of failed work, in words: its detail, else its title. */
export function problemText(problem: Problem | null | undefined): string {
  return problem?.detail || problem?.title || 'no reason was recorded';
}

/**
 * The bar for a piece of work with this `status`, `progress` and `problem`.
 *
 * @example progressView('fitting', { stage: 'fitting', done: 2 / 3 }) // { state: 'pending', share: 0.667, text: 'Fitting… (67% of the stages done)' }
 */
export function progressView(status: string, progress?: WorkProgress, problem?: Problem | null): ProgressView {
  const state = stateOf(status);
  if (state === 'ready') return { state, share: 1, text: 'Ready' };
  if (state === 'failed') return { state, share: 1, text: `Failed: ${problemText(problem)}` };
  const stage = progress?.stage ?? 'queued';
  const share = Math.min(1, Math.max(0, progress?.done ?? 0));
  const word = stage.charAt(0).toUpperCase() + stage.slice(1);
  return { state, share, text: stage === 'queued' ? 'Queued: waiting for a worker' : `${word}\u2026 (${Math.round(share * 100)}% of the stages done)` };
}
