/**
 * Publishing domain events to Amazon EventBridge, for Liftcast running in AWS. Each event is checked
 * against its contract (events/contracts.ts) before it leaves the process, and is sent as
 * `source: liftcast`, `detail-type: <event name>`, so rules route on the name and consumers parse the
 * envelope with `parseEvent`. Locally the in-process bus (./inProcess.ts) plays the same part. In a traced
 * Lambda invocation the entry carries the X-Ray trace header, so the consumer's trace joins the caller's.
 */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { EVENT_SCHEMAS, EVENT_SOURCE, type EventDetail, type EventName } from '../../events/contracts.js';
import { UnavailableError } from '../app/errors.js';
import type { EventPublisher } from '../app/events.js';
import { lambdaTraceHeader } from '../config.js';

export interface EventBridgeSettings {
  region: string;
  /** A local stand-in's URL; leave unset for AWS. */
  endpoint?: string | undefined;
}

/**
 * An EventBridge client that retries throttling and 5xx answers a few times (SDK standard mode,
 * exponential backoff with jitter) before {@link EventBridgePublisher} gives up.
 */
export function createEventBridgeClient(settings: EventBridgeSettings): EventBridgeClient {
  return new EventBridgeClient({
    region: settings.region,
    ...(settings.endpoint ? { endpoint: settings.endpoint, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } } : {}),
    maxAttempts: 5,
  });
}

/** The part of the EventBridge client the publisher uses, so tests can record what would be sent. */
export interface PutEventsSender {
  send(command: PutEventsCommand): Promise<{ FailedEntryCount?: number | undefined; Entries?: Array<{ ErrorCode?: string | undefined; ErrorMessage?: string | undefined }> | undefined }>;
}

/**
 * An {@link EventPublisher} that puts each event on one EventBridge bus.
 *
 * A detail that breaks its contract is a programming error and throws the zod error before anything
 * is sent. PutEvents can accept the call yet refuse the entry (`FailedEntryCount` 1, e.g. throttled
 * or an internal failure): that is reported as an {@link UnavailableError}, so the caller can
 * answer 503 (the API) or let the invocation be retried (a worker).
 *
 * @example
 * const publisher = new EventBridgePublisher(createEventBridgeClient({ region }), config.eventBus);
 * await publisher.publish('ModelFitRequested', { version: 1, tenant, occurredAt, modelId, datasetId });
 */
export class EventBridgePublisher implements EventPublisher {
  /**
   * @param client EventBridge client (or anything with the same `send` for PutEvents)
   * @param busName name or ARN of the bus, from `LIFTCAST_EVENT_BUS`
   */
  constructor(
    private readonly client: PutEventsSender,
    readonly busName: string,
  ) {}

  async publish<N extends EventName>(name: N, detail: EventDetail<N>): Promise<void> {
    const parsed = EVENT_SCHEMAS[name].parse(detail);
    // EventBridge hands the invocation's trace header to the target, whose trace then joins this one.
    const traceHeader = lambdaTraceHeader();
    const result = await this.client.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: this.busName,
            Source: EVENT_SOURCE,
            DetailType: name,
            Detail: JSON.stringify(parsed),
            ...(traceHeader ? { TraceHeader: traceHeader } : {}),
          },
        ],
      }),
    );
    if ((result.FailedEntryCount ?? 0) > 0) {
      const entry = result.Entries?.[0];
      throw new UnavailableError(`EventBridge refused the ${name} event: ${entry?.ErrorCode ?? 'unknown error'}.`, {
        cause: new Error(entry?.ErrorMessage ?? 'PutEvents reported a failed entry'),
      });
    }
  }
}
