/**
 * The transactional outbox, against DynamoDB Local: an event the API owes but EventBridge refused
 * stays on the item it describes and the worker's sweep (its 5-minute schedule) delivers it once;
 * events still being delivered by their writer are left alone; a table made before the outbox gets
 * its index.
 */
import { randomUUID } from 'node:crypto';
import { CreateTableCommand, DescribeTableCommand, GetItemCommand } from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { composeLiftcast, type Liftcast } from '../../functions/compose/api.js';
import { EventBridgePublisher } from '../../functions/bus/eventBridge.js';
import { composeWorker } from '../../functions/compose/worker.js';
import { RequestScope } from '../../functions/log.js';
import { signDevToken } from '../../functions/http/identity.js';
import { silentLogger } from '../../functions/log.js';
import { createDynamoClient, ensureTable } from '../../functions/store/dynamo.js';
import { keys } from '../../functions/store/keys.js';
import { RecordingEventBridge } from '../support/eventBridge.js';
import { TEST_SECRET } from '../support/liftcast.js';
import { SMALL_WAVE } from '../support/waves.js';

/** The README's six-respondent wave as a JSON upload. */
function quickstartWave() {
  const [header, ...lines] = SMALL_WAVE.split('\n');
  const columns = header!.split(',');
  const rows = lines.map((line) =>
    Object.fromEntries(line.split(',').map((v, i) => [columns[i]!, i >= 4 ? (v === '' ? null : Number(v)) : v])),
  );
  return { name: 'Quickstart wave', attributes: [], rows };
}

const BUS = 'liftcast-test-bus';
const eventBridge = new RecordingEventBridge();
const db = () => createDynamoClient({ endpoint: inject('dynamoEndpoint'), region: 'us-east-1' });
let tableName: string;
let api: Liftcast;
let worker: ReturnType<typeof composeWorker>['handler'];
const later = () => new Date(Date.now() + 2 * 60_000);

beforeAll(async () => {
  tableName = `outbox-${randomUUID()}`;
  await ensureTable(db(), tableName);
  api = composeLiftcast({ db: db(), tableName, auth: { mode: 'local', secret: TEST_SECRET }, logger: silentLogger, eventBus: { name: BUS, client: eventBridge } });
  const scope = new RequestScope(silentLogger);
  worker = composeWorker({ db: db(), tableName, publisher: new EventBridgePublisher(eventBridge, BUS), scope, metrics: () => {} }).handler;
});

async function tenant() {
  const token = await signDevToken(TEST_SECRET, { tenant: `t-${randomUUID().slice(0, 8)}` });
  return async (method: string, path: string, body?: unknown): Promise<Response> =>
    api.app.request(path, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
}

const whileDown = <T>(work: () => Promise<T>): Promise<T> => eventBridge.whileDown(work);

describe('the outbox', () => {
  it('keeps a DatasetIngested that EventBridge refused, and the sweep delivers it once', async () => {
    const call = await tenant();
    const res = await whileDown(() => call('POST', '/v1/datasets', quickstartWave()));
    expect(res.status).toBe(201); // the wave is stored; only the event waits
    const { id } = (await res.json()) as { id: string };
    expect(eventBridge.details('DatasetIngested', id)).toHaveLength(0);

    // A sweep right away leaves it: its writer may still be delivering it.
    expect(await api.outbox.sweep(new Date())).toMatchObject({ delivered: 0 });
    const swept = await api.outbox.sweep(later());
    expect(swept.delivered).toBeGreaterThanOrEqual(1);
    expect(eventBridge.details('DatasetIngested', id)).toHaveLength(1);
    expect(eventBridge.details('DatasetIngested', id)[0]).toMatchObject({ datasetId: id, rowCount: 6 });

    await api.outbox.sweep(later());
    expect(eventBridge.details('DatasetIngested', id)).toHaveLength(1);
  });

  it('delivers at once and leaves nothing behind when EventBridge accepts', async () => {
    const call = await tenant();
    const { id } = (await (await call('POST', '/v1/datasets', quickstartWave())).json()) as { id: string };
    expect(eventBridge.details('DatasetIngested', id)).toHaveLength(1);
    await api.outbox.sweep(later());
    expect(eventBridge.details('DatasetIngested', id)).toHaveLength(1);
  });

  it('keeps a ScenarioForecasted of a forecast made in the request, for the worker’s scheduled sweep', async () => {
    const call = await tenant();
    const dataset = (await (await call('POST', '/v1/datasets', quickstartWave())).json()) as { id: string };
    const model = (await (await call('POST', '/v1/models', { datasetId: dataset.id, method: 'ols', segmentBy: 'none', options: { minSegmentSize: 2 } })).json()) as { id: string; status: string };
    expect(model.status).toBe('ready');
    const body = {
      name: 'Push',
      modelId: model.id,
      initiatives: [{ id: 'onboarding', name: 'Onboarding', effects: [{ attribute: 'onboarding', op: 'add', value: 1 }], cost: { oneTime: 1000, annual: 0 } }],
    };
    const created = await whileDown(() => call('POST', '/v1/scenarios', body));
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    expect(eventBridge.details('ScenarioForecasted', id)).toHaveLength(0);

    // EventBridge's scheduled event, as the rule in infra/worker.ts sends it (sweeps what is due).
    const scheduled = {
      version: '0',
      id: randomUUID(),
      'detail-type': 'Scheduled Event',
      source: 'aws.events',
      account: '123456789012',
      time: new Date().toISOString(),
      region: 'eu-west-1',
      resources: ['arn:aws:events:eu-west-1:123456789012:rule/LiftcastStack-OutboxSweep'],
      detail: {},
    };
    await worker(scheduled, { awsRequestId: 'req-sweep-early' }); // too young: left for its writer
    expect(eventBridge.details('ScenarioForecasted', id)).toHaveLength(0);
    await api.outbox.sweep(later());
    expect(eventBridge.details('ScenarioForecasted', id)).toEqual([expect.objectContaining({ scenarioId: id, scenarioVersion: 1, modelId: model.id })]);

    // The version item no longer holds it.
    const item = await db().send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: keys.scenarioPartition(String(eventBridge.details('ScenarioForecasted', id)[0]!.tenant), id) }, sk: { S: keys.scenarioVersionSk(1) } } }));
    expect(item.Item?.outbox).toBeUndefined();
    expect(item.Item?.announced).toEqual({ BOOL: true });
  });

  it('fails the scheduled sweep (for Lambda to retry) while EventBridge is down, and keeps the events', async () => {
    const call = await tenant();
    const { id } = (await (await whileDown(() => call('POST', '/v1/datasets', quickstartWave()))).json()) as { id: string };
    const scheduled = { version: '0', id: randomUUID(), 'detail-type': 'Scheduled Event', source: 'aws.events', account: '1', time: '', region: 'eu-west-1', resources: [], detail: {} };
    const swept = await whileDown(() => api.outbox.sweep(later()));
    expect(swept.failed).toBeGreaterThanOrEqual(1);
    expect(eventBridge.details('DatasetIngested', id)).toHaveLength(0);
    await api.outbox.sweep(later());
    expect(eventBridge.details('DatasetIngested', id)).toHaveLength(1);
    // The handler's own sweep runs against the real clock, so nothing here is due for it: it succeeds.
    await expect(worker(scheduled, { awsRequestId: 'req-sweep' })).resolves.toBeUndefined();
  });

  it('adds the outbox index to a table made before it existed, once', async () => {
    const name = `old-${randomUUID()}`;
    await db().send(
      new CreateTableCommand({
        TableName: name,
        BillingMode: 'PAY_PER_REQUEST',
        AttributeDefinitions: [
          { AttributeName: 'pk', AttributeType: 'S' },
          { AttributeName: 'sk', AttributeType: 'S' },
        ],
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
      }),
    );
    await ensureTable(db(), name);
    const indexes = async () => (await db().send(new DescribeTableCommand({ TableName: name }))).Table?.GlobalSecondaryIndexes ?? [];
    // It fills in the background (DynamoDB Local can take minutes when busy); only the sweep reads it.
    expect((await indexes()).map((i) => [i.IndexName, i.KeySchema?.map((k) => k.AttributeName)])).toEqual([['outbox', ['outbox', 'outboxAt']]]);
    await ensureTable(db(), name); // and again, even while it is still being created: nothing to do
    expect((await indexes()).map((i) => i.IndexName)).toEqual(['outbox']);
  });
});
