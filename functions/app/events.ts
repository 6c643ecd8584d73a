/**
 * The application's side of events: the publisher port services announce through, and the outbox
 * port that delivers an event a write owes. The adapters are the in-process bus and EventBridge
 * (functions/bus/) and the DynamoDB outbox (functions/store/outbox.ts).
 */
import type { EventDetail, EventName } from '../../events/contracts.js';

/** Where services publish domain events (EventBridge in AWS, the in-process bus locally). */
export interface EventPublisher {
  publish<N extends EventName>(name: N, detail: EventDetail<N>): Promise<void>;
}

/** An event a write owes, stored on the item the write changes until it is delivered. */
export interface PendingEvent<N extends EventName = EventName> {
  name: N;
  detail: EventDetail<N>;
  /** When the event became owed (ISO time). */
  at: string;
}

/** Which stored item an owed event waits on: its key, as a store hands it out (`outboxItem(…)`). */
export interface OutboxItem {
  pk: string;
  sk: string;
}

/** Delivers events that writes owe, clearing each from its item once published. */
export interface OutboxPort {
  /** Publishes `event` and clears it; throws when the publish fails (a worker's retry then delivers it). */
  deliver(item: OutboxItem, event: PendingEvent): Promise<void>;
  /** As {@link deliver}, but a failed publish is logged and left for the sweep (the request already succeeded). */
  deliverOrLeave(item: OutboxItem, event: PendingEvent, fields: Record<string, unknown>): Promise<void>;
}
