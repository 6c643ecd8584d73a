/**
 * What reaches the worker, checked: an EventBridge envelope whose detail meets its contract
 * (events/contracts.ts), or the sweep schedule's own "Scheduled Event". Anything else is a poison
 * event, thrown as a {@link PoisonEventError} that no retry can fix.
 */
import { z } from 'zod';
import { EVENT_SCHEMAS, EnvelopeSchema, type DatasetIngested, type ModelFitRequested, type OptimizationRequested, type ScenarioForecastRequested } from '../../events/contracts.js';

/** The part of the Lambda context the worker reads. */
export interface WorkerContext {
  awsRequestId: string;
  /** Present in Lambda; middy uses it to stop just before the function's timeout. */
  getRemainingTimeInMillis?: () => number;
}

/** One problem with a poison event, located by its path in the envelope (`detail.modelId`). */
export interface PoisonIssue {
  path: string;
  message: string;
}

/**
 * An event that can never succeed: it breaks its contract or was routed to the wrong worker.
 * Retrying cannot help; the failure queue keeps it for a person to look at.
 */
export class PoisonEventError extends Error {
  /** Never worth retrying (read by the logs and by anyone inspecting the failure queue). */
  readonly retryable = false;

  constructor(
    message: string,
    readonly issues: PoisonIssue[],
  ) {
    super(`${message}: ${issues.map((i) => `${i.path || '(event)'}: ${i.message}`).join('; ')}`);
    this.name = 'PoisonEventError';
  }
}

/** EventBridge's envelope for a scheduled rule (source `aws.events`), as the sweep schedule sends it. */
const ScheduledEventSchema = z.object({ source: z.literal('aws.events'), 'detail-type': z.literal('Scheduled Event') });

/** The events the worker handles, by their `detail-type`. */
export type WorkerEvent =
  | { name: 'OutboxSweep' }
  | { name: 'ModelFitRequested'; detail: ModelFitRequested }
  | { name: 'ScenarioForecastRequested'; detail: ScenarioForecastRequested }
  | { name: 'OptimizationRequested'; detail: OptimizationRequested }
  | { name: 'DatasetIngested'; detail: DatasetIngested };
const WORKER_EVENTS = ['DatasetIngested', 'ModelFitRequested', 'ScenarioForecastRequested', 'OptimizationRequested'] as const;

/**
 * Checks an EventBridge envelope and its detail against the contract of a worker event.
 * @throws PoisonEventError listing every problem, each with its path
 */
export function parseWorkerEvent(raw: unknown): WorkerEvent {
  // The schedule in infra/worker.ts: EventBridge's own "Scheduled Event", which starts a sweep of the outbox.
  if (ScheduledEventSchema.safeParse(raw).success) return { name: 'OutboxSweep' };
  const envelope = EnvelopeSchema.safeParse(raw);
  if (!envelope.success) throw new PoisonEventError('not a Liftcast EventBridge event', issuesOf(envelope.error.issues));
  const name = envelope.data['detail-type'];
  if (!isWorkerEvent(name))
    throw new PoisonEventError('routed to the worker by mistake', [{ path: 'detail-type', message: `expected ${WORKER_EVENTS.join(' or ')}, got ${name}` }]);
  const detail = EVENT_SCHEMAS[name].safeParse(envelope.data.detail);
  if (!detail.success) throw new PoisonEventError(`${name} breaks its contract`, issuesOf(detail.error.issues, 'detail'));
  return { name, detail: detail.data } as WorkerEvent;
}

function isWorkerEvent(name: string): name is (typeof WORKER_EVENTS)[number] {
  return (WORKER_EVENTS as readonly string[]).includes(name);
}

function issuesOf(issues: ReadonlyArray<{ path: ReadonlyArray<PropertyKey>; message: string }>, prefix?: string): PoisonIssue[] {
  return issues.map((i) => ({ path: [...(prefix ? [prefix] : []), ...i.path.map(String)].join('.'), message: i.message }));
}

export function envelopeId(event: unknown): string | undefined {
  return typeof event === 'object' && event !== null && 'id' in event && typeof event.id === 'string' ? event.id : undefined;
}

