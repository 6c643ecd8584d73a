/**
 * X-Ray trace propagation through EventBridge: in a traced Lambda invocation the runtime sets
 * `_X_AMZN_TRACE_ID`, and the publisher puts it on the entry as `TraceHeader` so EventBridge hands it
 * to the target (the worker), whose trace then joins the API's. Outside Lambda, no header is sent.
 */
import type { PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { ModelFitRequested } from '../../events/contracts.js';
import { EventBridgePublisher, type PutEventsSender } from '../../functions/bus/eventBridge.js';

type Entry = NonNullable<PutEventsCommand['input']['Entries']>[number];

/** Stands in for EventBridge: keeps every entry put and accepts them all. */
class RecordingEventBridge implements PutEventsSender {
  readonly entries: Entry[] = [];

  async send(command: PutEventsCommand) {
    this.entries.push(...(command.input.Entries ?? []));
    return { FailedEntryCount: 0, Entries: [{}] };
  }
}

const TRACE_VAR = '_X_AMZN_TRACE_ID';
const traceId = 'Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1';
const detail: ModelFitRequested = {
  version: 1,
  tenant: 'tenant-a',
  occurredAt: '2025-01-02T03:04:05.000Z',
  modelId: 'model-1',
  datasetId: 'dataset-1',
};

describe('EventBridgePublisher trace header', () => {
  let saved: string | undefined;
  let bus: RecordingEventBridge;
  let publisher: EventBridgePublisher;

  beforeEach(() => {
    saved = process.env[TRACE_VAR];
    delete process.env[TRACE_VAR];
    bus = new RecordingEventBridge();
    publisher = new EventBridgePublisher(bus, 'liftcast-test-bus');
  });

  afterEach(() => {
    if (saved === undefined) delete process.env[TRACE_VAR];
    else process.env[TRACE_VAR] = saved;
  });

  it('puts the current trace id as TraceHeader, read when publishing', async () => {
    // Set after the publisher exists: the runtime sets it per invocation, long after module load.
    process.env[TRACE_VAR] = traceId;

    await publisher.publish('ModelFitRequested', detail);

    expect(bus.entries).toHaveLength(1);
    expect(bus.entries[0]).toEqual({
      EventBusName: 'liftcast-test-bus',
      Source: 'liftcast',
      DetailType: 'ModelFitRequested',
      Detail: JSON.stringify(detail),
      TraceHeader: traceId,
    });
  });

  it('follows the trace id of each invocation', async () => {
    const next = 'Root=1-5759e988-00000000000000000000000a;Parent=0000000000000001;Sampled=0';

    process.env[TRACE_VAR] = traceId;
    await publisher.publish('ModelFitRequested', detail);
    process.env[TRACE_VAR] = next;
    await publisher.publish('ModelFitRequested', detail);

    expect(bus.entries.map((e) => e.TraceHeader)).toEqual([traceId, next]);
  });

  it('sends no TraceHeader when the variable is unset', async () => {
    await publisher.publish('ModelFitRequested', detail);

    expect(bus.entries).toHaveLength(1);
    expect(bus.entries[0]).not.toHaveProperty('TraceHeader');
    expect(bus.entries[0]).toMatchObject({ DetailType: 'ModelFitRequested', Detail: JSON.stringify(detail) });
  });

  it('sends no TraceHeader when the variable is empty', async () => {
    process.env[TRACE_VAR] = '';

    await publisher.publish('ModelFitRequested', detail);

    expect(bus.entries).toHaveLength(1);
    expect(bus.entries[0]).not.toHaveProperty('TraceHeader');
  });
});
