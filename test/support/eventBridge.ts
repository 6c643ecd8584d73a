/**
 * EventBridge as the tests need it: a `PutEventsSender` that keeps every entry put, can refuse
 * entries the way PutEvents does (`FailedEntryCount` 1), and turns what was put back into the
 * envelope Lambda would receive.
 */
import { randomUUID } from 'node:crypto';
import type { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { eventBridgeEvent, type EventBridgeSample } from '../../events/samples.js';
import type { PutEventsSender } from '../../functions/bus/eventBridge.js';

export type Entry = NonNullable<PutEventsCommand['input']['Entries']>[number];

export class RecordingEventBridge implements PutEventsSender {
  readonly entries: Entry[] = [];
  /** Refuse every entry while set (EventBridge down). */
  down = false;
  /** Refuse entries of these detail-types. */
  readonly refuse = new Set<string>();

  async send(command: PutEventsCommand) {
    const entries = command.input.Entries ?? [];
    if (this.down || entries.some((e) => this.refuse.has(e.DetailType ?? '')))
      return { FailedEntryCount: 1, Entries: [{ ErrorCode: 'ThrottlingException', ErrorMessage: 'Rate exceeded' }] };
    this.entries.push(...entries);
    return { FailedEntryCount: 0, Entries: [{}] };
  }

  /** The details put with `detailType` whose JSON mentions `id`. */
  details(detailType: string, id: string): Record<string, unknown>[] {
    return this.entries
      .filter((e) => e.DetailType === detailType && (e.Detail ?? '').includes(id))
      .map((e) => JSON.parse(e.Detail ?? '{}') as Record<string, unknown>);
  }

  /** The envelope Lambda would receive for the last `detailType` event mentioning `id` (sample `sample`, a fresh event id). */
  envelope(detailType: string, sample: EventBridgeSample, id: string) {
    const detail = this.details(detailType, id).at(-1);
    if (!detail) throw new Error(`no ${detailType} for ${id}`);
    return { ...eventBridgeEvent(sample, detail), id: randomUUID() };
  }

  /** Runs `work` while EventBridge refuses everything. */
  async whileDown<T>(work: () => Promise<T>): Promise<T> {
    this.down = true;
    try {
      return await work();
    } finally {
      this.down = false;
    }
  }
}
