/**
 * The model worker as it runs in AWS, against DynamoDB Local: the API (composed with an EventBridge
 * bus) publishes `ModelFitRequested` instead of fitting, and the worker's Lambda handler, invoked
 * directly with EventBridge envelopes shaped like events/samples/eventbridge, fits the model. A
 * redelivered event is harmless, a poison event is refused with a logged reason, a fit that fails
 * leaves the model `failed` with a problem, and a transient failure is rethrown for Lambda to retry.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { ModelFittedSchema, type ModelFitted } from '../../events/contracts.js';
import { eventBridgeEvent } from '../../events/samples.js';
import { composeLiftcast, type Liftcast } from '../../functions/compose/api.js';
import { loadConfig } from '../../functions/config.js';
import { UnavailableError } from '../../functions/app/errors.js';
import { EventBridgePublisher } from '../../functions/bus/eventBridge.js';
import { composeWorker } from '../../functions/compose/worker.js';
import { RequestScope } from '../../functions/log.js';
import { PoisonEventError } from '../../functions/worker/events.js';
import { signDevToken } from '../../functions/http/identity.js';
import { silentLogger, type LogLevel } from '../../functions/log.js';
import { createDynamoClient, ensureTable } from '../../functions/store/dynamo.js';
import { createRng } from '../../model/rng.js';
import { RecordingEventBridge } from '../support/eventBridge.js';
import { TEST_SECRET } from '../support/liftcast.js';

/** EventBridge, with what the model worker's tests read of it. */
class ModelEvents extends RecordingEventBridge {
  /** The `ModelFitted` details announced for a model. */
  fitted(modelId: string): ModelFitted[] {
    return this.details('ModelFitted', modelId).map((d) => ModelFittedSchema.parse(d));
  }

  /** The EventBridge envelope Lambda would receive for the `ModelFitRequested` of a model. */
  envelopeFor(modelId: string) {
    return this.envelope('ModelFitRequested', 'model-fit-requested', modelId);
  }
}

interface Line {
  level: LogLevel;
  message: string;
  [field: string]: unknown;
}

const BUS = 'liftcast-test-bus';
const eventBridge = new ModelEvents();
const lines: Line[] = [];
/** The worker's CloudWatch metric records (EMF lines), parsed. */
const metrics: Record<string, unknown>[] = [];
let api: Liftcast;
let tableName: string;
let worker: ReturnType<typeof composeWorker>['handler'];

function workerFor(table: string) {
  const scope = new RequestScope({ log: (level, message, fields) => lines.push({ level, message, ...fields }) });
  const db = createDynamoClient({ endpoint: inject('dynamoEndpoint'), region: 'us-east-1' });
  return composeWorker({ db, tableName: table, publisher: new EventBridgePublisher(eventBridge, BUS), scope, metrics: (line) => metrics.push(JSON.parse(line) as Record<string, unknown>) }).handler;
}

beforeAll(async () => {
  const db = createDynamoClient({ endpoint: inject('dynamoEndpoint'), region: 'us-east-1' });
  tableName = `worker-${randomUUID()}`;
  await ensureTable(db, tableName);
  // syncRowLimit 0: every fit is queued, as a large wave's would be.
  api = composeLiftcast({
    db,
    tableName,
    auth: { mode: 'local', secret: TEST_SECRET },
    logger: silentLogger,
    syncRowLimit: 0,
    eventBus: { name: BUS, client: eventBridge },
  });
  worker = workerFor(tableName);
});

/**
 * Respondents with three 0–10 attributes drawn independently (seeded) and
 * ltr = round(0.3·(q1 + q2 + q3) + noise), clamped to 0–10.
 */
function rows(n: number, overrides: Record<string, unknown> = {}): Record<string, unknown>[] {
  const rng = createRng(7);
  return Array.from({ length: n }, (_, i) => {
    const [q1, q2, q3] = [rng.int(11), rng.int(11), rng.int(11)];
    const ltr = Math.max(0, Math.min(10, Math.round(0.3 * (q1 + q2 + q3) + rng.normal())));
    return { respondent_id: `r${i}`, account_id: `A${i % 20}`, segment: i % 2 === 0 ? 'smb' : 'enterprise', ltr, q1, q2, q3, ...overrides };
  });
}

/** A tenant with a sealed wave and a model queued on it; returns the model id. */
async function queuedModel(data: Record<string, unknown>[]) {
  const tenant = `t-${randomUUID().slice(0, 8)}`;
  const token = await signDevToken(TEST_SECRET, { tenant });
  const call = (method: string, path: string, body?: unknown) =>
    api.app.request(path, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
  const uploaded = await call('POST', '/v1/datasets', { name: 'wave', attributes: [], rows: data });
  const dataset = (await uploaded.json()) as { id: string };
  expect(uploaded.status, JSON.stringify(dataset)).toBe(201);
  const res = await call('POST', '/v1/models', { datasetId: dataset.id });
  return { tenant, call, res, modelId: ((await res.json()) as { id: string }).id };
}

const context = (awsRequestId: string) => ({ awsRequestId });

describe('the API in AWS mode', () => {
  it('reads the bus name from LIFTCAST_EVENT_BUS, and leaves it unset locally', () => {
    expect(loadConfig({ LIFTCAST_EVENT_BUS: 'liftcast-events' }).eventBus).toBe('liftcast-events');
    expect(loadConfig({}).eventBus).toBeUndefined();
    expect(() => loadConfig({ LIFTCAST_EVENT_BUS: 'no spaces' })).toThrow(/LIFTCAST_EVENT_BUS/);
  });

  it('publishes ModelFitRequested to the EventBridge bus as source liftcast and fits nothing itself', async () => {
    const { res, modelId, call } = await queuedModel(rows(80));

    expect(res.status).toBe(202);
    const entry = eventBridge.entries.find((e) => e.DetailType === 'ModelFitRequested' && e.Detail?.includes(modelId));
    expect(entry).toMatchObject({ EventBusName: BUS, Source: 'liftcast' });
    await api.bus.drain();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await (await call('GET', `/v1/models/${modelId}`)).json()).toMatchObject({ status: 'fitting' });
  });

  it('answers 503 and records the model failed when EventBridge refuses the event', async () => {
    eventBridge.down = true;
    try {
      const { res, modelId, call } = await queuedModel(rows(40));
      expect(res.status).toBe(503);
      expect(modelId).toBeUndefined();
      const listed = (await (await call('GET', '/v1/models')).json()) as { items: Array<{ status: string; problem: { title: string } }> };
      expect(listed.items).toEqual([expect.objectContaining({ status: 'failed', problem: expect.objectContaining({ title: 'The fit could not be queued' }) })]);
    } finally {
      eventBridge.down = false;
    }
  });

  it('refuses to publish a detail that breaks its contract, before anything is sent', async () => {
    const publisher = new EventBridgePublisher(eventBridge, BUS);
    const before = eventBridge.entries.length;

    // @ts-expect-error -- the contract requires a datasetId; the check must hold for untyped callers too
    await expect(publisher.publish('ModelFitRequested', { version: 1, tenant: 'acme', occurredAt: new Date().toISOString(), modelId: 'mdl_x' })).rejects.toThrow(/datasetId/);
    expect(eventBridge.entries.length).toBe(before);
  });
});

describe('the model worker handler', () => {
  it('fits a queued model, announces ModelFitted, and logs the request id on every line', async () => {
    const { modelId, call } = await queuedModel(rows(80));
    lines.length = 0;

    await worker(eventBridge.envelopeFor(modelId), context('req-fit'));

    expect(await (await call('GET', `/v1/models/${modelId}`)).json()).toMatchObject({ id: modelId, status: 'ready', problem: null });
    expect(eventBridge.fitted(modelId)).toEqual([expect.objectContaining({ status: 'ready' })]);
    expect(lines.map((l) => l.message)).toEqual(['event received', 'model fit stored', 'event handled']);
    for (const line of lines) expect(line).toMatchObject({ requestId: 'req-fit' });
  });

  it('emits CloudWatch metrics in the Embedded Metric Format: handled events with their duration, poison events apart', async () => {
    const { modelId } = await queuedModel(rows(80));
    metrics.length = 0;
    await worker(eventBridge.envelopeFor(modelId), context('req-metrics'));
    await expect(worker(eventBridgeEvent('invalid-model-fit-requested'), context('req-metrics-poison'))).rejects.toBeInstanceOf(PoisonEventError);
    expect(metrics).toHaveLength(2);
    const [handled, poison] = metrics as [Record<string, any>, Record<string, any>];
    expect(handled._aws.CloudWatchMetrics).toEqual([
      { Namespace: 'Liftcast', Dimensions: [['Function']], Metrics: [{ Name: 'EventsHandled', Unit: 'Count' }, { Name: 'HandlerDuration', Unit: 'Milliseconds' }] },
    ]);
    expect(handled).toMatchObject({ Function: 'modelWorker', EventsHandled: 1 });
    expect(handled.HandlerDuration).toBeGreaterThanOrEqual(0);
    expect(Number.isInteger(handled._aws.Timestamp)).toBe(true);
    expect(poison).toMatchObject({ Function: 'modelWorker', PoisonEvents: 1 });
    expect(poison._aws.CloudWatchMetrics[0].Metrics).toEqual([{ Name: 'PoisonEvents', Unit: 'Count' }]);
  });

  it('does nothing when the same event is delivered again', async () => {
    const { modelId, call } = await queuedModel(rows(80));
    const event = eventBridge.envelopeFor(modelId);
    await worker(event, context('req-first'));
    const model = await (await call('GET', `/v1/models/${modelId}`)).json();

    await worker(event, context('req-redelivered'));

    expect(await (await call('GET', `/v1/models/${modelId}`)).json()).toEqual(model);
    expect(eventBridge.fitted(modelId)).toHaveLength(1);
  });

  it('records a fit the data cannot support as failed, with a problem naming the attribute, and announces it', async () => {
    const { modelId, call } = await queuedModel(rows(60, { q3: null }));

    await worker(eventBridge.envelopeFor(modelId), context('req-failing-fit'));

    const model = (await (await call('GET', `/v1/models/${modelId}`)).json()) as { status: string; problem: { errors: unknown[] } };
    expect(model.status).toBe('failed');
    expect(model.problem.errors).toContainEqual(expect.objectContaining({ column: 'q3', reason: expect.stringMatching(/no respondent answered 'q3'/) }));
    expect(eventBridge.fitted(modelId)).toEqual([expect.objectContaining({ status: 'failed', problem: expect.objectContaining({ detail: expect.stringMatching(/q3/) }) })]);
  });

  it('refuses a poison event that breaks the contract, logging each reason with its path', async () => {
    lines.length = 0;

    const refused = worker(eventBridgeEvent('invalid-model-fit-requested'), context('req-poison'));

    await expect(refused).rejects.toBeInstanceOf(PoisonEventError);
    await expect(refused).rejects.toMatchObject({ retryable: false, issues: expect.arrayContaining([expect.objectContaining({ path: 'detail.version' }), expect.objectContaining({ path: 'detail.datasetId' })]) });
    const logged = lines.find((l) => l.level === 'error');
    expect(logged).toMatchObject({ requestId: 'req-poison', eventId: '2b1d3f1c-9d1e-4a55-8d1b-0f0e6c1d2e3f', reason: expect.stringMatching(/detail\.modelId/) });
  });

  it('refuses an event of another type routed to it by mistake, and anything that is not an envelope', async () => {
    await expect(worker(eventBridgeEvent('model-fitted'), context('req-misrouted'))).rejects.toThrow(/expected DatasetIngested or ModelFitRequested or ScenarioForecastRequested or OptimizationRequested, got ModelFitted/);
    await expect(worker('not an event', context('req-garbage'))).rejects.toBeInstanceOf(PoisonEventError);
  });

  it('rethrows a transient store failure so Lambda retries the event, and logs it with the request id', async () => {
    const { modelId, call } = await queuedModel(rows(40));
    const broken = workerFor(`missing-${randomUUID()}`); // DynamoDB answers ResourceNotFoundException
    lines.length = 0;

    const failed = broken(eventBridge.envelopeFor(modelId), context('req-transient'));

    await expect(failed).rejects.not.toBeInstanceOf(PoisonEventError);
    await expect(failed).rejects.toThrow();
    expect(lines.find((l) => l.level === 'error')).toMatchObject({ requestId: 'req-transient', message: expect.stringMatching(/will be retried/) });
    expect(await (await call('GET', `/v1/models/${modelId}`)).json()).toMatchObject({ status: 'fitting' });
  });

  it('rethrows when EventBridge refuses the ModelFitted announcement, and the retry announces the stored fit once', async () => {
    const { modelId, call } = await queuedModel(rows(40));
    eventBridge.down = true;
    try {
      await expect(worker(eventBridge.envelopeFor(modelId), context('req-announce'))).rejects.toBeInstanceOf(UnavailableError);
    } finally {
      eventBridge.down = false;
    }
    // The fit was stored before the publish failed; nothing went out.
    const model = await (await call('GET', `/v1/models/${modelId}`)).json();
    expect(model).toMatchObject({ status: 'ready' });
    expect(eventBridge.fitted(modelId)).toHaveLength(0);

    // Lambda's retry publishes it (without fitting again); later redeliveries do nothing.
    await worker(eventBridge.envelopeFor(modelId), context('req-announce-retry'));
    expect(eventBridge.fitted(modelId)).toEqual([expect.objectContaining({ modelId, status: 'ready' })]);
    await worker(eventBridge.envelopeFor(modelId), context('req-announce-again'));
    expect(eventBridge.fitted(modelId)).toHaveLength(1);
    expect(await (await call('GET', `/v1/models/${modelId}`)).json()).toEqual(model);
  });
});
