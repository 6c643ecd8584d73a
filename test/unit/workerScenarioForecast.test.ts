/**
 * Large scenarios, forecast by the worker as in AWS, against DynamoDB Local. The API (composed with
 * an EventBridge bus and a forecast limit of 0, so every scenario counts as large) checks the
 * scenario against the model, stores the version `forecasting`, answers 202 and publishes
 * `ScenarioForecastRequested`; the worker's Lambda handler, invoked with that EventBridge envelope,
 * stores the forecast and announces `ScenarioForecasted`. The forecast equals the one computed in
 * the request; a redelivery is harmless; an announcement EventBridge refused is made by the retry;
 * a forecast that cannot be computed leaves the version `failed` with the field at fault.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { ScenarioForecastedSchema } from '../../events/contracts.js';
import { eventBridgeEvent } from '../../events/samples.js';
import { composeLiftcast, type Liftcast } from '../../functions/compose/api.js';
import { EventBridgePublisher } from '../../functions/bus/eventBridge.js';
import { composeWorker } from '../../functions/compose/worker.js';
import { RequestScope } from '../../functions/log.js';
import { signDevToken } from '../../functions/http/identity.js';
import { silentLogger } from '../../functions/log.js';
import { ScenarioService } from '../../functions/app/scenarios/service.js';
import { IdempotencyStore } from '../../functions/store/idempotency.js';
import { createDynamoClient, ensureTable } from '../../functions/store/dynamo.js';
import { createRng } from '../../model/rng.js';
import { RecordingEventBridge } from '../support/eventBridge.js';
import { TEST_SECRET } from '../support/liftcast.js';

/** EventBridge, with what the scenario worker's tests read of it. */
class ScenarioEvents extends RecordingEventBridge {
  of(detailType: string, scenarioId: string) {
    return this.details(detailType, scenarioId).filter((d) => d.scenarioId === scenarioId);
  }

  /** The envelope Lambda would receive for the scenario's latest `ScenarioForecastRequested`. */
  envelopeFor(scenarioId: string) {
    return this.envelope('ScenarioForecastRequested', 'scenario-forecast-requested', scenarioId);
  }
}

const BUS = 'liftcast-test-bus';
const eventBridge = new ScenarioEvents();
const logged: { level: string; message: string; [k: string]: unknown }[] = [];
let queued: Liftcast; // every forecast goes to the worker
let inRequest: Liftcast; // the same table, every forecast in the request
let worker: ReturnType<typeof composeWorker>['handler'];
let tableName: string;
const context = (awsRequestId: string) => ({ awsRequestId });

beforeAll(async () => {
  const db = createDynamoClient({ endpoint: inject('dynamoEndpoint'), region: 'us-east-1' });
  tableName = `scenario-worker-${randomUUID()}`;
  await ensureTable(db, tableName);
  const auth = { mode: 'local' as const, secret: TEST_SECRET };
  queued = composeLiftcast({ db, tableName, auth, logger: silentLogger, syncForecastLimit: 0, eventBus: { name: BUS, client: eventBridge } });
  inRequest = composeLiftcast({ db, tableName, auth, logger: silentLogger });
  const scope = new RequestScope({ log: (level, message, fields) => logged.push({ level, message, ...fields }) });
  worker = composeWorker({ db, tableName, publisher: new EventBridgePublisher(eventBridge, BUS), scope, metrics: () => {} }).handler;
});

/** 600 respondents in 60 accounts, two segments, two roles; ltr driven by q1 and q2 (seeded). */
function rows(): Record<string, unknown>[] {
  const rng = createRng(11);
  return Array.from({ length: 600 }, (_, i) => {
    const [q1, q2, q3] = [rng.int(11), rng.int(11), rng.int(11)];
    const ltr = Math.max(0, Math.min(10, Math.round(0.45 * q1 + 0.35 * q2 + 0.05 * q3 + rng.normal())));
    return { respondent_id: `r${i}`, account_id: `A${i % 60}`, segment: i % 2 === 0 ? 'smb' : 'enterprise', role: i % 3 === 0 ? 'gatekeeper' : 'user', ltr, q1, q2, q3 };
  });
}

/** A tenant with a ready model; `call` goes to the app composed as `app`. */
async function tenantWithModel() {
  const tenant = `t-${randomUUID().slice(0, 8)}`;
  const token = await signDevToken(TEST_SECRET, { tenant });
  const call = (app: Liftcast, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
    app.app.request(path, { method, headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', ...headers }, ...(body ? { body: JSON.stringify(body) } : {}) });
  const dataset = (await (await call(inRequest, 'POST', '/v1/datasets', { name: 'wave', attributes: [], rows: rows() })).json()) as { id: string };
  const fitted = await call(inRequest, 'POST', '/v1/models', { datasetId: dataset.id, method: 'ols' });
  expect(fitted.status).toBe(201);
  const modelId = ((await fitted.json()) as { id: string }).id;
  return { tenant, call, modelId };
}

const scenario = (modelId: string, target?: Record<string, string[]>) => ({
  name: 'Service push',
  modelId,
  initiatives: [
    { id: 'q1-programme', name: 'Q1 programme', effects: [{ attribute: 'q1', op: 'add', value: 1.5, range: [1, 2] }], reach: 0.7, cost: { oneTime: 200_000, annual: 50_000 }, ...(target ? { target } : {}) },
    { id: 'q2-floor', name: 'Q2 floor', effects: [{ attribute: 'q2', op: 'atLeast', value: 6 }], cost: { oneTime: 100_000, annual: 0 } },
  ],
});

describe('a scenario too large for the request', () => {
  it('is stored forecasting and answered 202; the worker stores the forecast computed in the request would have, and announces it once', async () => {
    const { call, modelId } = await tenantWithModel();
    const res = await call(queued, 'POST', '/v1/scenarios', scenario(modelId));
    const body = (await res.json()) as { id: string; version: number; forecastStatus: string; forecast: unknown };
    expect(res.status, JSON.stringify(body)).toBe(202);
    expect(res.headers.get('location')).toBe(`/v1/scenarios/${body.id}`);
    expect(body).toMatchObject({ version: 1, forecastStatus: 'forecasting', forecast: null });
    expect(eventBridge.of('ScenarioForecastRequested', body.id)).toHaveLength(1);

    // Until the worker has run, forecast reads say so.
    const pending = await call(queued, 'GET', `/v1/scenarios/${body.id}/forecast`);
    expect(pending.status).toBe(409);
    expect(pending.headers.get('retry-after')).toBe('5');
    expect(await pending.json()).toMatchObject({ forecastStatus: 'forecasting', version: 1 });
    expect((await call(queued, 'GET', `/v1/scenarios/${body.id}/ranking`)).status).toBe(409);
    const rankings = (await (await call(queued, 'GET', '/v1/rankings')).json()) as { items: unknown[]; notRanked: unknown[] };
    expect(rankings).toMatchObject({ items: [], notRanked: [{ scenarioId: body.id, version: 1, forecastStatus: 'forecasting' }] });

    await worker(eventBridge.envelopeFor(body.id), context('req-forecast'));
    const done = await call(queued, 'GET', `/v1/scenarios/${body.id}/forecast`);
    expect(done.status).toBe(200);
    const forecast = (await done.json()) as { portfolio: { nps: { lift: number; interval: number[] }; revenue: unknown }; initiatives: { id: string; nps: { lift: number } }[] };

    // The same scenario forecast inside a request, on the same model and respondents.
    const direct = (await (await call(inRequest, 'POST', '/v1/scenarios', scenario(modelId))).json()) as { forecastStatus: string; forecast: typeof forecast };
    expect(direct.forecastStatus).toBe('ready');
    expect(forecast.portfolio.nps.lift).toBeCloseTo(direct.forecast.portfolio.nps.lift, 10);
    expect(forecast.portfolio.nps.interval).toEqual(direct.forecast.portfolio.nps.interval);
    expect(forecast.initiatives.map((i) => [i.id, i.nps.lift])).toEqual(direct.forecast.initiatives.map((i) => [i.id, i.nps.lift]));
    expect(forecast.portfolio.nps.lift).toBeGreaterThan(0);

    const announced = eventBridge.of('ScenarioForecasted', body.id).map((d) => ScenarioForecastedSchema.parse(d));
    expect(announced).toEqual([expect.objectContaining({ scenarioId: body.id, scenarioVersion: 1, modelId })]);
    const version = (await (await call(queued, 'GET', `/v1/scenarios/${body.id}/versions/1`)).json()) as { forecastStatus: string };
    expect(version.forecastStatus).toBe('ready');

    // A redelivery changes nothing and announces nothing more.
    await worker(eventBridge.envelopeFor(body.id), context('req-again'));
    expect(await (await call(queued, 'GET', `/v1/scenarios/${body.id}/forecast`)).json()).toEqual(forecast);
    expect(eventBridge.of('ScenarioForecasted', body.id)).toHaveLength(1);
  });

  it('announces a forecast whose announcement EventBridge refused when the event is retried', async () => {
    const { call, modelId } = await tenantWithModel();
    const { id } = (await (await call(queued, 'POST', '/v1/scenarios', scenario(modelId))).json()) as { id: string };
    eventBridge.refuse.add('ScenarioForecasted');
    try {
      // The forecast is stored, then the publish fails: the invocation fails, so Lambda retries it.
      await expect(worker(eventBridge.envelopeFor(id), context('req-refused'))).rejects.toThrow(/EventBridge refused the ScenarioForecasted event/);
    } finally {
      eventBridge.refuse.delete('ScenarioForecasted');
    }
    expect((await call(queued, 'GET', `/v1/scenarios/${id}/forecast`)).status).toBe(200);
    expect(eventBridge.of('ScenarioForecasted', id)).toHaveLength(0);
    await worker(eventBridge.envelopeFor(id), context('req-retry'));
    expect(eventBridge.of('ScenarioForecasted', id)).toHaveLength(1);
    await worker(eventBridge.envelopeFor(id), context('req-retry-2'));
    expect(eventBridge.of('ScenarioForecasted', id)).toHaveLength(1);
  });

  it('refuses at once what the model alone shows to be wrong, storing nothing', async () => {
    const { call, modelId } = await tenantWithModel();
    const bad = scenario(modelId);
    bad.initiatives[0]!.effects = [{ attribute: 'price', op: 'add', value: 1, range: [0, 2] }];
    const res = await call(queued, 'POST', '/v1/scenarios', bad);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ errors: [expect.objectContaining({ field: 'body.initiatives.0.effects.0.attribute' })] });
    expect(((await (await call(queued, 'GET', '/v1/scenarios')).json()) as { items: unknown[] }).items).toEqual([]);
  });

  it('leaves the version failed, naming the field, when the respondents show the scenario cannot be forecast', async () => {
    const { call, modelId } = await tenantWithModel();
    const res = await call(queued, 'POST', '/v1/scenarios', scenario(modelId, { roles: ['procurement'] }));
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    await worker(eventBridge.envelopeFor(id), context('req-bad-target'));

    const version = (await (await call(queued, 'GET', `/v1/scenarios/${id}`)).json()) as Record<string, unknown>;
    expect(version).toMatchObject({ forecastStatus: 'failed', problem: { field: 'body.initiatives.0.target.roles.0', detail: expect.stringMatching(/procurement/) } });
    const read = await call(queued, 'GET', `/v1/scenarios/${id}/forecast`);
    expect(read.status).toBe(422);
    expect(await read.json()).toMatchObject({ forecastStatus: 'failed', errors: [expect.objectContaining({ field: 'body.initiatives.0.target.roles.0' })] });
    expect(eventBridge.of('ScenarioForecasted', id)).toHaveLength(0);

    // A corrected version (PUT with If-Match) is forecast again.
    const put = await call(queued, 'PUT', `/v1/scenarios/${id}`, scenario(modelId, { roles: ['gatekeeper'] }), { 'if-match': '"1"' });
    expect(put.status).toBe(202);
    expect(await put.json()).toMatchObject({ version: 2, forecastStatus: 'forecasting' });
    await worker(eventBridge.envelopeFor(id), context('req-fixed'));
    expect(await (await call(queued, 'GET', `/v1/scenarios/${id}`)).json()).toMatchObject({ version: 2, forecastStatus: 'ready' });
  });

  it('records the version failed and answers 503 when the forecast cannot be queued', async () => {
    const { call, modelId } = await tenantWithModel();
    eventBridge.refuse.add('ScenarioForecastRequested');
    let res: Response;
    try {
      res = await call(queued, 'POST', '/v1/scenarios', scenario(modelId));
    } finally {
      eventBridge.refuse.delete('ScenarioForecastRequested');
    }
    expect(res.status).toBe(503);
    const listed = (await (await call(queued, 'GET', '/v1/scenarios')).json()) as { items: { id: string }[] };
    expect(listed.items).toHaveLength(1);
    expect(await (await call(queued, 'GET', `/v1/scenarios/${listed.items[0]!.id}`)).json()).toMatchObject({
      forecastStatus: 'failed',
      problem: { title: 'The forecast could not be queued' },
    });
  });

  it('skips the event of a scenario deleted meanwhile, with a warning', async () => {
    const { call, modelId } = await tenantWithModel();
    const { id } = (await (await call(queued, 'POST', '/v1/scenarios', scenario(modelId))).json()) as { id: string };
    expect((await call(queued, 'DELETE', `/v1/scenarios/${id}`)).status).toBe(204);
    await worker(eventBridge.envelopeFor(id), context('req-deleted'));
    expect(logged.find((l) => l.requestId === 'req-deleted' && l.level === 'warn')).toMatchObject({ scenarioId: id, message: expect.stringMatching(/does not exist/) });
    expect(eventBridge.of('ScenarioForecasted', id)).toHaveLength(0);
  });

  it('fails a forecast no worker finished within the deadline, on its next read', async () => {
    const { tenant, call, modelId } = await tenantWithModel();
    const { id } = (await (await call(queued, 'POST', '/v1/scenarios', scenario(modelId))).json()) as { id: string };
    const db = createDynamoClient({ endpoint: inject('dynamoEndpoint'), region: 'us-east-1' });
    const later = new ScenarioService(queued.scenarios.store, queued.models.service, new IdempotencyStore(db, tableName), queued.publisher, () => new Date(Date.now() + 8 * 3600_000));
    expect(await later.get(tenant, id)).toMatchObject({ forecastStatus: 'failed', problem: { title: 'The forecast did not complete' } });
    // The worker arriving after that does nothing.
    await worker(eventBridge.envelopeFor(id), context('req-late'));
    expect(await (await call(queued, 'GET', `/v1/scenarios/${id}`)).json()).toMatchObject({ forecastStatus: 'failed' });
  });

  it('is optimised by the worker: 202 with the optimisation, the same result as in a request, one optimisation per request and version', async () => {
    const { call, modelId } = await tenantWithModel();
    const { id } = (await (await call(queued, 'POST', '/v1/scenarios', scenario(modelId))).json()) as { id: string };
    await worker(eventBridge.envelopeFor(id), context('req-forecast-for-optimize'));
    const ask = { budget: 400_000, objective: 'npsLift' };

    const accepted = await call(queued, 'POST', `/v1/scenarios/${id}/optimize`, ask);
    const optimization = (await accepted.json()) as { id: string; status: string; scenarioVersion: number };
    expect(accepted.status, JSON.stringify(optimization)).toBe(202);
    expect(optimization).toMatchObject({ scenarioId: id, scenarioVersion: 1, status: 'running', request: expect.objectContaining({ budget: 400_000 }) });
    const location = accepted.headers.get('location');
    expect(location).toBe(`/v1/scenarios/${id}/optimizations/${optimization.id}`);
    expect(await (await call(queued, 'GET', location!)).json()).toMatchObject({ status: 'running' });
    // Asked again: the same optimisation, no second event.
    const again = await call(queued, 'POST', `/v1/scenarios/${id}/optimize`, ask);
    expect(again.status).toBe(202);
    expect(((await again.json()) as { id: string }).id).toBe(optimization.id);
    expect(eventBridge.details('OptimizationRequested', optimization.id)).toHaveLength(1);

    const envelope = eventBridge.envelope('OptimizationRequested', 'optimization-requested', optimization.id);
    await worker(envelope, context('req-optimize'));
    const done = (await (await call(queued, 'GET', location!)).json()) as { status: string; result: { selected: string[]; value: unknown; frontier: unknown[] } };
    expect(done.status).toBe('ready');
    // The same search in a request (the other composition has the default limit).
    const direct = await call(inRequest, 'POST', `/v1/scenarios/${id}/optimize`, ask);
    expect(direct.status).toBe(200);
    const expected = (await direct.json()) as typeof done.result;
    expect(done.result.selected).toEqual(expected.selected);
    expect(done.result.value).toEqual(expected.value);
    expect(done.result.frontier).toEqual(expected.frontier);

    // Redelivered: nothing changes.
    await worker(envelope, context('req-optimize-again'));
    expect(await (await call(queued, 'GET', location!)).json()).toEqual(done);
    // Asked again once done: the result, as a search in the request would answer.
    const repeated = await call(queued, 'POST', `/v1/scenarios/${id}/optimize`, ask);
    expect(repeated.status).toBe(200);
    expect(await repeated.json()).toEqual(done.result);
  });

  it('refuses at once an optimisation naming an initiative the scenario lacks, and records an impossible budget as failed', async () => {
    const { call, modelId } = await tenantWithModel();
    const { id } = (await (await call(queued, 'POST', '/v1/scenarios', scenario(modelId))).json()) as { id: string };
    await worker(eventBridge.envelopeFor(id), context('req-forecast-for-bad-optimize'));
    const unknown = await call(queued, 'POST', `/v1/scenarios/${id}/optimize`, { budget: 400_000, objective: 'npsLift', mustInclude: ['q9-nothing'] });
    expect(unknown.status).toBe(400);
    expect(await unknown.json()).toMatchObject({ errors: [expect.objectContaining({ field: 'body.mustInclude.0' })] });

    const tooSmall = await call(queued, 'POST', `/v1/scenarios/${id}/optimize`, { budget: 1, objective: 'npsLift', mustInclude: ['q1-programme'] });
    expect(tooSmall.status).toBe(202);
    const { id: optimizationId } = (await tooSmall.json()) as { id: string };
    await worker(eventBridge.envelope('OptimizationRequested', 'optimization-requested', optimizationId), context('req-infeasible'));
    expect(await (await call(queued, 'GET', `/v1/scenarios/${id}/optimizations/${optimizationId}`)).json()).toMatchObject({
      status: 'failed',
      problem: { field: 'body.budget' },
    });
    expect((await call(queued, 'GET', `/v1/scenarios/${id}/optimizations/opt_none`)).status).toBe(404);
  });

  it('runs the worker in-process after the response when no EventBridge bus is configured (npm start)', async () => {
    const db = createDynamoClient({ endpoint: inject('dynamoEndpoint'), region: 'us-east-1' });
    const local = composeLiftcast({ db, tableName, auth: { mode: 'local', secret: TEST_SECRET }, logger: silentLogger, syncForecastLimit: 0 });
    const { call, modelId } = await tenantWithModel();
    const res = await call(local, 'POST', '/v1/scenarios', scenario(modelId));
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: string };
    await local.bus.drain();
    expect((await call(local, 'GET', `/v1/scenarios/${id}/forecast`)).status).toBe(200);
    const accepted = await call(local, 'POST', `/v1/scenarios/${id}/optimize`, { budget: 400_000, objective: 'npsLift' });
    expect(accepted.status).toBe(202);
    await local.bus.drain();
    expect(await (await call(local, 'GET', accepted.headers.get('location')!)).json()).toMatchObject({ status: 'ready', result: { selected: expect.any(Array) } });
  });
});

describe('logging in the API', () => {
  it('puts the request id on every line the services log while handling a request', async () => {
    const lines: { message: string; requestId?: unknown }[] = [];
    const db = createDynamoClient({ endpoint: inject('dynamoEndpoint'), region: 'us-east-1' });
    const refusing = new ScenarioEvents();
    refusing.refuse.add('ScenarioForecasted');
    const app = composeLiftcast({
      db,
      tableName,
      auth: { mode: 'local', secret: TEST_SECRET },
      logger: { log: (_level, message, fields) => lines.push({ message, ...fields }) },
      eventBus: { name: BUS, client: refusing },
    });
    const { call, modelId } = await tenantWithModel();
    // A forecast in the request whose announcement EventBridge refuses: the service logs it and answers 201.
    const res = await call(app, 'POST', '/v1/scenarios', scenario(modelId));
    expect(res.status).toBe(201);
    const requestId = res.headers.get('x-request-id');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    expect(lines.find((l) => l.message.startsWith('ScenarioForecasted could not be published'))).toMatchObject({ requestId });
  });
});
