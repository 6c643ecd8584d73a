/**
 * The one lifecycle of queued work — a model fit, a scenario forecast, a portfolio optimisation (and
 * whatever the worker takes on next) — written once:
 *
 *   stored `pending` → published to the worker (or recorded `failed` and answered 503 when the
 *   event cannot be queued) → the worker computes it and stores the outcome once, by a conditional
 *   write that only a `pending` item accepts (`ready` with its result, or `failed` with a problem)
 *   → the event the outcome owes is delivered from the item's outbox → a read of an item still
 *   `pending` past the deadline records it `failed`.
 *
 * One vocabulary for the states (`pending`, `ready`, `failed`; each resource's API names the pending
 * state in its own words: a model is `fitting`, a version `forecasting`, an optimisation `running`),
 * one deadline rule, one way to settle a failure: a transient one (a dependency unavailable) is
 * rethrown so the event is retried; one the request or its data caused is the final outcome; anything
 * else is logged and stored as unexpected.
 */
import { z } from 'zod';
import { AppError, isInternal, UnavailableError, type StoredProblem } from './errors.js';
import type { Logger } from '../log.js';

/** Where queued work stands. */
export type WorkState = 'pending' | 'ready' | 'failed';

/**
 * How long work may stay `pending` before a read records it failed: longer than the event path's
 * retries (EventBridge up to 4 h, then the worker's own retries and its failure queue).
 */
export const WORK_DEADLINE_MS = 7 * 3600_000;

/**
 * Where pending work has got to: the stage it is in and the share of its stages done before it
 * (0 while queued). Written by the worker at each stage boundary, by a conditional write that only
 * a pending item accepts, so a report can never land on finished work. Stages are coarse on purpose:
 * the maths inside a stage (a model's structure search, a forecast's simulation) is one synchronous
 * call in `model/`, which cannot write to the store while it runs.
 */
export const WorkProgressSchema = z
  .object({
    stage: z.string().describe('The stage the work is in, e.g. queued, reading respondents, fitting'),
    done: z.number().min(0).max(1).describe('Share of the stages finished (0–1); reported at stage boundaries only'),
  })
  .describe('While pending: where the work stands');
export type WorkProgress = z.infer<typeof WorkProgressSchema>;

/** Tells the store that the work has entered `stage` (one of its {@link QueuedWorkOptions.stages}). */
export type ReportProgress = (stage: string) => Promise<void>;

/**
 * The progress a pending item shows: what its worker last wrote, or its first stage (`queued`, 0)
 * before any was written; `undefined` once the work is finished.
 */
export function pendingProgress(state: WorkState, stored: WorkProgress | undefined, stages: readonly string[]): WorkProgress | undefined {
  if (state !== 'pending') return undefined;
  return stored ?? { stage: stages[0] ?? 'queued', done: 0 };
}

/** What the work ended with: its result, or why there is none. */
export type WorkOutcome<R> = { state: 'ready'; result: R } | { state: 'failed'; problem: StoredProblem };

/** The part of a stored item the lifecycle reads. */
export interface WorkItem {
  state: WorkState;
  /** When the work was queued (ISO time): the deadline counts from here. */
  since: string;
}

/** How the lifecycle reads and finishes one kind of queued work; each service provides one. */
export interface WorkPort<K, R> {
  /** The item, or `null` when it no longer exists (deleted meanwhile). */
  read(key: K): Promise<WorkItem | null>;
  /**
   * Stores the outcome on an item still `pending`; `false` when it is not (another writer finished
   * it first), so the first outcome stands. May refuse a result with a domain error (too large to
   * store, a resource it depends on gone): the lifecycle then stores that as the failure.
   *
   * @param by `worker` for the work's own outcome (which owes its event); `lifecycle` when the work
   * never ran (it could not be queued, or its deadline passed)
   */
  finish(key: K, outcome: WorkOutcome<R>, at: string, by: 'worker' | 'lifecycle'): Promise<boolean>;
  /** Delivers the event the stored outcome owes, if it still waits on the item (the outbox). */
  deliver?(key: K): Promise<void>;
  /**
   * Records where the work stands on an item still `pending`; `false` when it is not. Without it,
   * stage reports are dropped.
   */
  progress?(key: K, progress: WorkProgress): Promise<boolean>;
}

export interface QueuedWorkOptions {
  /** What the work is called in problems: "fit", "forecast", "optimisation". */
  what: string;
  /** What the user can do about a failure, ending every stored problem: "Request the model again." */
  again: string;
  /** What log lines call the work. @default {@link what} */
  logName?: string;
  clock: () => Date;
  logger: Logger;
  /** @default {@link WORK_DEADLINE_MS} */
  deadlineMs?: number;
  /**
   * The stages the work reports, in order, the first being where it waits for a worker (`queued`).
   * @default ['queued']
   */
  stages?: readonly string[];
}

/**
 * The problem a failed piece of work stores, or `null` for a failure of ours (to be logged and stored
 * as unexpected). A transient failure is rethrown, so the event is retried.
 */
export function settleFailure(error: unknown): StoredProblem | null {
  if (error instanceof UnavailableError) throw error;
  if (!(error instanceof AppError) || isInternal(error)) return null;
  const field = error.errors?.find((e) => e.field !== undefined)?.field;
  return {
    title: error.title,
    detail: error.message,
    ...(field !== undefined ? { field } : {}),
    ...(error.errors && error.errors.length > 0 ? { errors: error.errors.map((e) => ({ ...e })) } : {}),
  };
}

export class QueuedWork<K, R> {
  private readonly deadlineMs: number;

  constructor(
    private readonly port: WorkPort<K, R>,
    private readonly options: QueuedWorkOptions,
  ) {
    this.deadlineMs = options.deadlineMs ?? WORK_DEADLINE_MS;
  }

  /**
   * Hands a stored `pending` item to the worker. When the event cannot be published the item is
   * recorded `failed` at once (rather than waiting for the deadline) and an {@link UnavailableError}
   * with `message` is thrown: the resource is stored, its work is not queued.
   */
  async enqueue(key: K, publish: () => Promise<void>, message: string): Promise<void> {
    try {
      await publish();
    } catch (cause) {
      await this.port.finish(key, { state: 'failed', problem: { title: `The ${this.options.what} could not be queued`, detail: this.options.again } }, this.now(), 'lifecycle');
      throw new UnavailableError(message, { cause });
    }
  }

  /**
   * Whether `item`, read just now, is `pending` past the deadline; if so it is recorded `failed`
   * (a conditional write: a worker that finishes first wins), and the caller reads it again.
   */
  async expire(key: K, item: WorkItem): Promise<boolean> {
    if (item.state !== 'pending' || this.options.clock().getTime() - Date.parse(item.since) <= this.deadlineMs) return false;
    const problem = {
      title: `The ${this.options.what} did not complete`,
      detail: `No worker finished this ${this.options.what} within ${Math.round(this.deadlineMs / 60_000)} minutes of the request (its event ended in the dead-letter queue, or the worker stopped). ${this.options.again}`,
    };
    await this.port.finish(key, { state: 'failed', problem }, this.now(), 'lifecycle');
    return true;
  }

  /**
   * The worker's side: computes a `pending` item's work and stores the outcome once, then delivers
   * the event it owes. Idempotent: a redelivered event finds the item finished and only delivers an
   * event still waiting. A transient failure is rethrown for a retry.
   *
   * @param context log fields naming the item
   */
  async run(key: K, compute: (report: ReportProgress) => Promise<R>, context: Record<string, unknown>): Promise<void> {
    const item = await this.port.read(key);
    if (!item) {
      this.options.logger.log('warn', `${this.logName} requested for something that does not exist (deleted?)`, context);
      return;
    }
    if (item.state === 'pending') {
      let outcome: WorkOutcome<R>;
      try {
        outcome = { state: 'ready', result: await compute((stage) => this.report(key, stage, context)) };
      } catch (error) {
        outcome = { state: 'failed', problem: this.problemOf(error, context) };
      }
      let finished: boolean;
      try {
        finished = await this.port.finish(key, outcome, this.now(), 'worker');
      } catch (error) {
        // A result the store refuses (too large, a resource it depends on gone) is the failure.
        if (outcome.state !== 'ready' || !(error instanceof AppError) || error instanceof UnavailableError || isInternal(error)) throw error;
        outcome = { state: 'failed', problem: this.problemOf(error, context) };
        finished = await this.port.finish(key, outcome, this.now(), 'worker');
      }
      if (finished) this.options.logger.log('info', `${this.logName} stored`, { ...context, state: outcome.state });
    }
    // Thrown on failure: the event is retried, and the retry lands here again.
    await this.port.deliver?.(key);
  }

  /**
   * Writes that the work entered `stage`. Progress is advisory: a report that fails (throttling, the
   * item finished or deleted meanwhile) is logged and the work goes on; only its outcome must land.
   */
  private async report(key: K, stage: string, context: Record<string, unknown>): Promise<void> {
    const stages = this.options.stages ?? ['queued'];
    const index = stages.indexOf(stage);
    if (index < 0) throw new Error(`${this.logName}: '${stage}' is not one of its stages (${stages.join(', ')})`);
    try {
      await this.port.progress?.(key, { stage, done: index / stages.length });
    } catch (error) {
      this.options.logger.log('warn', `${this.logName} progress not recorded`, { ...context, stage, error });
    }
  }

  private problemOf(error: unknown, context: Record<string, unknown>): StoredProblem {
    const problem = settleFailure(error);
    if (problem) return problem;
    this.options.logger.log('error', `${this.logName} failed`, { ...context, error });
    return { title: `The ${this.options.what} failed`, detail: `An unexpected error stopped the ${this.options.what}; it has been logged. ${this.options.again}` };
  }

  private get logName(): string {
    return this.options.logName ?? this.options.what;
  }

  private now(): string {
    return this.options.clock().toISOString();
  }
}
