/**
 * The in-process bus, for the local server and tests: a published event is validated against its
 * contract and handed to the subscribed worker handler after the request has answered, just as
 * EventBridge would hand it to the worker Lambda in AWS.
 */
import { EVENT_SCHEMAS, type EventDetail, type EventName } from '../../events/contracts.js';
import type { EventPublisher } from '../app/events.js';
import type { Logger } from '../log.js';

type Handler<N extends EventName> = (detail: EventDetail<N>) => Promise<void>;

export class InProcessBus implements EventPublisher {
  private readonly handlers = new Map<EventName, Handler<EventName>[]>();
  private readonly pending = new Set<Promise<void>>();

  constructor(private readonly logger: Logger) {}

  subscribe<N extends EventName>(name: N, handler: Handler<N>): void {
    const list = this.handlers.get(name) ?? [];
    list.push(handler as Handler<EventName>);
    this.handlers.set(name, list);
  }

  async publish<N extends EventName>(name: N, detail: EventDetail<N>): Promise<void> {
    const parsed = EVENT_SCHEMAS[name].parse(detail) as EventDetail<N>;
    for (const handler of this.handlers.get(name) ?? []) {
      const run = new Promise<void>((resolve) => setImmediate(resolve))
        .then(() => handler(parsed))
        .catch((error: unknown) => this.logger.log('error', 'event handler failed', { event: name, error }))
        .finally(() => this.pending.delete(run));
      this.pending.add(run);
    }
  }

  /** Resolves when every handler started so far has finished (tests, graceful shutdown). */
  async drain(): Promise<void> {
    while (this.pending.size > 0) await Promise.all([...this.pending]);
  }
}
