/**
 * The transactional outbox: how an event Liftcast owes is never lost between a committed write and
 * EventBridge. The write that makes an event true (a sealed wave, a stored forecast, a finished fit)
 * also stores the event on the item it changes — `outbox` (always `pending`, the partition key of
 * the sparse `outbox` index), `outboxAt` (when it became due, the index's sort key) and
 * `outboxEvent` (the event's name and detail, JSON). Delivering publishes it and removes the three
 * attributes (conditionally, so two deliverers cannot both clear it) and sets `announced`.
 *
 * Whoever wrote the item delivers at once. When that publish fails, the event waits on the item:
 * a worker retry delivers it (it checks its item), and so does the sweep the worker runs every few
 * minutes (`sweep`), which reads the index for events due for over a minute. Delivery is therefore
 * at least once: a crash between publish and clear publishes the event again, so consumers treat
 * (detail-type, ids) as the identity of an event.
 */
import { QueryCommand, UpdateItemCommand, ConditionalCheckFailedException, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { z } from 'zod';
import { EVENT_SCHEMAS, type EventName } from '../../events/contracts.js';
import type { EventPublisher, OutboxItem, OutboxPort, PendingEvent } from '../app/events.js';
import type { Logger } from '../log.js';
import { translateDynamoError } from './dynamoErrors.js';

/** The sparse index of items holding an undelivered event. */
export const OUTBOX_INDEX = 'outbox';
/** Its partition key: present (always {@link PENDING}) only while an event waits. */
export const OUTBOX_ATTRIBUTE = 'outbox';
/** Its sort key: when the event became due (ISO 8601). */
export const OUTBOX_AT_ATTRIBUTE = 'outboxAt';
const PENDING = 'pending';

const StoredEventSchema = z.object({ name: z.enum(Object.keys(EVENT_SCHEMAS) as [EventName, ...EventName[]]), detail: z.unknown() });

/** The attributes that put `event` in the outbox; add them to the write that makes it true. */
export function outboxAttributes<N extends EventName>(event: PendingEvent<N>): Record<string, AttributeValue> {
  return {
    [OUTBOX_ATTRIBUTE]: { S: PENDING },
    [OUTBOX_AT_ATTRIBUTE]: { S: event.at },
    outboxEvent: { S: JSON.stringify({ name: event.name, detail: EVENT_SCHEMAS[event.name].parse(event.detail) }) },
  };
}

/** The event waiting on an item, or `null` when there is none (never written, or delivered). */
export function pendingEventOf(item: Record<string, AttributeValue>): PendingEvent | null {
  const at = item[OUTBOX_AT_ATTRIBUTE]?.S;
  const stored = item.outboxEvent?.S;
  if (item[OUTBOX_ATTRIBUTE]?.S !== PENDING || at === undefined || stored === undefined) return null;
  const { name, detail } = StoredEventSchema.parse(JSON.parse(stored));
  return { name, detail: EVENT_SCHEMAS[name].parse(detail), at } as PendingEvent;
}

export class Outbox implements OutboxPort {
  constructor(
    private readonly db: DynamoDBClient,
    private readonly table: string,
    private readonly publisher: EventPublisher,
    private readonly logger: Logger,
  ) {}

  /**
   * Publishes the event waiting on `item` and clears it. Throws when the publish fails
   * (the event stays in the outbox): a worker rethrows it to be retried; the API logs it and
   * leaves the event to the sweep.
   */
  async deliver(item: OutboxItem, event: PendingEvent): Promise<void> {
    await this.publisher.publish(event.name, event.detail);
    try {
      await this.db.send(
        new UpdateItemCommand({
          TableName: this.table,
          Key: { pk: { S: item.pk }, sk: { S: item.sk } },
          UpdateExpression: 'REMOVE #outbox, #outboxAt, outboxEvent SET announced = :true',
          ConditionExpression: '#outboxAt = :at',
          ExpressionAttributeNames: { '#outbox': OUTBOX_ATTRIBUTE, '#outboxAt': OUTBOX_AT_ATTRIBUTE },
          ExpressionAttributeValues: { ':at': { S: event.at }, ':true': { BOOL: true } },
        }),
      );
    } catch (e) {
      // Cleared by another deliverer, or the item is gone: the event went out either way.
      if (e instanceof ConditionalCheckFailedException) return;
      throw translateDynamoError(e);
    }
  }

  /** {@link Outbox.deliver}, logging a failure instead of throwing: the sweep will deliver it. */
  async deliverOrLeave(item: OutboxItem, event: PendingEvent, fields: Record<string, unknown>): Promise<void> {
    try {
      await this.deliver(item, event);
    } catch (error) {
      this.logger.log('error', `${event.name} could not be published; it stays in the outbox for the sweep`, { ...fields, error });
    }
  }

  /**
   * Delivers every event that has been due for at least `minAgeMs`, oldest first, up to `limit`.
   * Younger events are left to the writer still delivering them. Returns how many went out and how
   * many failed (they stay for the next sweep).
   */
  async sweep(now: Date, options: { minAgeMs?: number; limit?: number } = {}): Promise<{ delivered: number; failed: number }> {
    const before = new Date(now.getTime() - (options.minAgeMs ?? 60_000)).toISOString();
    let delivered = 0;
    let failed = 0;
    let start: Record<string, AttributeValue> | undefined;
    let left = options.limit ?? 500;
    do {
      let page;
      try {
        page = await this.db.send(
          new QueryCommand({
            TableName: this.table,
            IndexName: OUTBOX_INDEX,
            KeyConditionExpression: '#outbox = :pending AND #outboxAt <= :before',
            ExpressionAttributeNames: { '#outbox': OUTBOX_ATTRIBUTE, '#outboxAt': OUTBOX_AT_ATTRIBUTE },
            ExpressionAttributeValues: { ':pending': { S: PENDING }, ':before': { S: before } },
            Limit: Math.min(left, 100),
            ExclusiveStartKey: start,
          }),
        );
      } catch (e) {
        throw translateDynamoError(e);
      }
      for (const item of page.Items ?? []) {
        left--;
        const event = pendingEventOf(item);
        if (!event) continue;
        try {
          await this.deliver({ pk: item.pk!.S!, sk: item.sk!.S! }, event);
          delivered++;
        } catch (error) {
          failed++;
          this.logger.log('error', `${event.name} could not be published by the outbox sweep; the next sweep tries again`, { pk: item.pk?.S, sk: item.sk?.S, error });
        }
      }
      start = page.LastEvaluatedKey;
    } while (start && left > 0);
    return { delivered, failed };
  }
}
