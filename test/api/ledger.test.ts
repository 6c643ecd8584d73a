/**
 * The forecast ledger against DynamoDB Local: launches are recorded on a scenario version with its
 * forecast frozen, listed, read and ended; recording is idempotent and tenants are isolated; bad
 * input is a 400/404/409 naming the field and stores nothing. End to end on two known-truth waves
 * (test/support/twoWaves.ts): the launches recorded on their dates are read against the second wave
 * when it is sealed, their realised lifts land near the true ones, the ledger summarises and
 * calibrates, new forecasts carry `calibrated`, and the bridge's parts add up to the change. The
 * same evaluation runs in the worker Lambda from EventBridge's `DatasetIngested`.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { LaunchEvaluatedSchema, LaunchRecordedSchema, type LaunchEvaluated, type LaunchRecorded } from '../../events/contracts.js';
import { eventBridgeEvent } from '../../events/samples.js';
import { EventBridgePublisher } from '../../functions/bus/eventBridge.js';
import { composeWorker } from '../../functions/compose/worker.js';
import { RequestScope, silentLogger } from '../../functions/log.js';
import type { RespondentColumns } from '../../model/dataset.js';
import { demoWave } from '../../model/demo.js';
import { RecordingEventBridge } from '../support/eventBridge.js';
import { createTestLiftcast, type TestLiftcast, type TestResponse } from '../support/liftcast.js';
import { FAMILIES } from '../support/truthFamily.js';
import { AFTER_DATE, BEFORE_DATE, twoWaves, type TwoWaves } from '../support/twoWaves.js';

/** The services' clock: each test sets the day it acts on. */
let now = new Date('2026-01-20T09:00:00.000Z');
const at = (iso: string): void => {
  now = new Date(iso);
};
let lc: TestLiftcast;
const recorded: LaunchRecorded[] = [];
const evaluated: LaunchEvaluated[] = [];

beforeAll(async () => {
  lc = await createTestLiftcast({ clock: () => now });
  lc.bus.subscribe('LaunchRecorded', async (d) => void recorded.push(d));
  lc.bus.subscribe('LaunchEvaluated', async (d) => void evaluated.push(d));
});

type Problem = { type: string; status: number; detail: string; errors?: { field?: string; reason: string }[] };

async function problem(res: TestResponse, status: number): Promise<Problem> {
  const body = (await res.json()) as Problem;
  expect(res.status, JSON.stringify(body)).toBe(status);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  return body;
}
const fields = (p: Problem): string[] => (p.errors ?? []).map((e) => e.field ?? '');

async function created(res: TestResponse): Promise<any> {
  const body = await res.json();
  expect(res.status, JSON.stringify(body).slice(0, 600)).toBe(201);
  return body;
}

/** A tenant with a demo wave (dated `wave`), a model on it and a two-initiative scenario, written on `day`. */
async function tenantWithScenario(day = '2026-01-20', wave = '2026-01-15', client: TestLiftcast = lc) {
  at(`${day}T09:00:00.000Z`);
  const tenant = client.tenant();
  const token = await client.token(tenant);
  const w = demoWave({ seed: 5, respondents: 800, accounts: 200, wave });
  const datasetId = (await created(await client.request('POST', '/v1/datasets', { token, body: { name: w.name, attributes: w.attributes, rows: w.rows } }))).id as string;
  const modelId = (await created(await client.request('POST', '/v1/models', { token, body: { datasetId } }))).id as string;
  const res = await client.request('POST', '/v1/scenarios', {
    token,
    body: {
      name: 'Service push',
      modelId,
      initiatives: [
        { id: 'onboarding-programme', name: 'Onboarding programme', effects: [{ attribute: 'onboarding', op: 'add', value: 1.5 }], target: { segments: ['smb'] }, cost: { oneTime: 250_000 } },
        { id: 'incident-reduction', name: 'Incident reduction', effects: [{ attribute: 'reliability', op: 'add', value: 1 }], cost: { oneTime: 600_000 } },
      ],
    },
  });
  const scenario = await res.json();
  expect([201, 202], JSON.stringify(scenario).slice(0, 400)).toContain(res.status);
  return { tenant, token, datasetId, modelId, scenarioId: scenario.id as string, scenario };
}

const launchBody = (scenarioId: string, extra: Record<string, unknown> = {}) => ({
  scenarioId,
  scenarioVersion: 1,
  initiativeId: 'onboarding-programme',
  launchedOn: '2026-02-01',
  reached: { segments: ['smb'] },
  ...extra,
});

describe('recording launches', () => {
  it('records a launch with the initiative and its forecast frozen, and keeps them when the scenario changes', async () => {
    const t = await tenantWithScenario();
    at('2026-02-01T10:00:00.000Z');
    const res = await lc.request('POST', '/v1/launches', { token: t.token, body: launchBody(t.scenarioId) });
    const launch = await created(res);
    expect(launch.id).toMatch(/^lch_[0-9a-z]{26}$/);
    expect(res.headers.get('location')).toBe(`/v1/launches/${launch.id}`);
    const outcome = t.scenario.forecast.initiatives.find((i: { id: string }) => i.id === 'onboarding-programme');
    expect(launch).toMatchObject({
      scenarioId: t.scenarioId,
      scenarioVersion: 1,
      initiativeId: 'onboarding-programme',
      modelId: t.modelId,
      datasetId: t.datasetId,
      launchedOn: '2026-02-01',
      endedOn: null,
      evaluation: null,
      reached: { segments: ['smb'] },
      initiative: { id: 'onboarding-programme', name: 'Onboarding programme', effects: [{ attribute: 'onboarding', op: 'add', value: 1.5 }], target: { segments: ['smb'] } },
      forecast: { lift: outcome.nps.lift, interval: outcome.nps.interval, level: 0.9, haloAdjusted: outcome.haloAdjusted },
    });

    // The scenario changes: its next version doubles the effect; the launch still says what was launched.
    const changed = { ...t.scenario.scenario, initiatives: t.scenario.scenario.initiatives.map((i: any) => ({ ...i, effects: [{ ...i.effects[0], value: 3 }] })) };
    expect((await lc.request('PUT', `/v1/scenarios/${t.scenarioId}`, { token: t.token, body: changed, headers: { 'if-match': '"1"' } })).status).toBe(200);
    const read = await lc.request('GET', `/v1/launches/${launch.id}`, { token: t.token });
    expect(read.status).toBe(200);
    expect(await read.json()).toEqual(launch);

    await lc.bus.drain();
    const event = recorded.filter((e) => e.launchId === launch.id);
    expect(event).toEqual([{ version: 1, tenant: t.tenant, occurredAt: '2026-02-01T10:00:00.000Z', launchId: launch.id, scenarioId: t.scenarioId, scenarioVersion: 1, initiativeId: 'onboarding-programme', launchedOn: '2026-02-01' }]);
    // Parity with the sample: what is published has the sample's members, and both meet the contract.
    expect(Object.keys(event[0]!).sort()).toEqual(Object.keys(eventBridgeEvent('launch-recorded').detail).sort());
    expect(LaunchRecordedSchema.parse(event[0])).toEqual(event[0]);
  });

  it('lists launches newest first, a page at a time', async () => {
    const t = await tenantWithScenario();
    const ids: string[] = [];
    for (const [i, day] of ['2026-02-01', '2026-02-02', '2026-02-03'].entries()) {
      at(`${day}T10:00:00.000Z`);
      ids.push((await created(await lc.request('POST', '/v1/launches', { token: t.token, body: launchBody(t.scenarioId, { launchedOn: day, initiativeId: i === 1 ? 'incident-reduction' : 'onboarding-programme' }) }))).id);
    }
    const first = await (await lc.request('GET', '/v1/launches?limit=2', { token: t.token })).json();
    expect(first.items.map((l: { id: string }) => l.id)).toEqual([ids[2], ids[1]]);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await (await lc.request('GET', `/v1/launches?limit=2&cursor=${first.nextCursor}`, { token: t.token })).json();
    expect(second.items.map((l: { id: string }) => l.id)).toEqual([ids[0]]);
    expect(second.nextCursor).toBeNull();
    await problem(await lc.request('GET', '/v1/launches?cursor=bm9wZQ', { token: t.token }), 400);
  });

  it('ends a launch once, not before it went live nor in the future', async () => {
    const t = await tenantWithScenario();
    at('2026-02-01T10:00:00.000Z');
    const launch = await created(await lc.request('POST', '/v1/launches', { token: t.token, body: launchBody(t.scenarioId) }));
    at('2026-03-10T10:00:00.000Z');
    const end = (endedOn: unknown) => lc.request('POST', `/v1/launches/${launch.id}/end`, { token: t.token, body: { endedOn } });
    expect(fields(await problem(await end('2026-01-31'), 400))).toEqual(['body.endedOn']);
    expect(fields(await problem(await end('2026-04-01'), 400))).toEqual(['body.endedOn']);
    expect(fields(await problem(await end('10 March'), 400))).toEqual(['body.endedOn']);
    const ended = await end('2026-03-09');
    expect(ended.status).toBe(200);
    expect(await ended.json()).toMatchObject({ id: launch.id, endedOn: '2026-03-09', updatedAt: '2026-03-10T10:00:00.000Z' });
    expect((await problem(await end('2026-03-10'), 409)).detail).toMatch(/already ended on 2026-03-09/);
    expect((await (await lc.request('GET', `/v1/launches/${launch.id}`, { token: t.token })).json()).endedOn).toBe('2026-03-09');
    await problem(await lc.request('POST', '/v1/launches/lch_00000000000000000000000000/end', { token: t.token, body: { endedOn: '2026-03-09' } }), 404);
  });

  it('honours Idempotency-Key: the same request answers the same launch, another body under the key is a 422, one launch is stored', async () => {
    const t = await tenantWithScenario();
    at('2026-02-01T10:00:00.000Z');
    const post = (body: unknown) => lc.request('POST', '/v1/launches', { token: t.token, body, headers: { 'idempotency-key': 'launch-onboarding-0001' } });
    const first = await created(await post(launchBody(t.scenarioId)));
    const again = await post(launchBody(t.scenarioId));
    expect(again.status).toBe(201);
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    expect(await again.json()).toEqual(first);
    expect(fields(await problem(await post(launchBody(t.scenarioId, { launchedOn: '2026-02-02' })), 422))).toEqual(['header.Idempotency-Key']);
    const list = await (await lc.request('GET', '/v1/launches', { token: t.token })).json();
    expect(list.items.map((l: { id: string }) => l.id)).toEqual([first.id]);
    await lc.bus.drain();
    expect(recorded.filter((e) => e.tenant === t.tenant)).toHaveLength(1);
  });

  it('keeps tenants apart: another tenant’s scenario and launch are unknown, and its ledger empty', async () => {
    const a = await tenantWithScenario();
    at('2026-02-01T10:00:00.000Z');
    const launch = await created(await lc.request('POST', '/v1/launches', { token: a.token, body: launchBody(a.scenarioId) }));
    const other = await lc.token(lc.tenant());
    expect(fields(await problem(await lc.request('POST', '/v1/launches', { token: other, body: launchBody(a.scenarioId) }), 404))).toEqual(['body.scenarioId']);
    await problem(await lc.request('GET', `/v1/launches/${launch.id}`, { token: other }), 404);
    await problem(await lc.request('POST', `/v1/launches/${launch.id}/end`, { token: other, body: { endedOn: '2026-02-01' } }), 404);
    expect((await (await lc.request('GET', '/v1/launches', { token: other })).json()).items).toEqual([]);
    const ledger = await (await lc.request('GET', '/v1/ledger', { token: other })).json();
    expect(ledger).toEqual({ items: [], summary: { launches: 0, evaluated: 0, mae: null, within2: null, forecastCoverage: null, realisedCoverage: null }, calibration: null });
    // A reader may not record one.
    await problem(await lc.request('POST', '/v1/launches', { token: await lc.token(a.tenant, 'read'), body: launchBody(a.scenarioId) }), 403);
  });

  it('refuses bad input naming the field, and stores nothing', async () => {
    const t = await tenantWithScenario();
    at('2026-02-01T10:00:00.000Z');
    const post = (body: unknown) => lc.request('POST', '/v1/launches', { token: t.token, body });
    const cases: [unknown, number, string[]][] = [
      [launchBody(t.scenarioId, { launchedOn: '2026-01-18' }), 400, ['body.launchedOn']], // before the scenario existed
      [launchBody(t.scenarioId, { launchedOn: '2026-02-03' }), 400, ['body.launchedOn']], // not gone live yet
      [launchBody(t.scenarioId, { launchedOn: '2026-02-30' }), 400, ['body.launchedOn']],
      [launchBody(t.scenarioId, { initiativeId: 'predictive-outreach' }), 400, ['body.initiativeId']],
      [launchBody(t.scenarioId, { scenarioVersion: 2 }), 404, ['body.scenarioVersion']],
      [launchBody('scn_00000000000000000000000000'), 404, ['body.scenarioId']],
      [launchBody(t.scenarioId, { reached: { share: 1.5 } }), 400, ['body.reached.share']],
      [launchBody(t.scenarioId, { reached: { segments: [] } }), 400, ['body.reached.segments']],
      [launchBody(t.scenarioId, { reached: { segments: ['smb'], region: 'emea' } }), 400, ['body.reached.region']],
      [launchBody(t.scenarioId, { reached: { segments: ['__proto__'] } }), 400, ['body.reached.segments.0']],
      [launchBody(t.scenarioId, { reached: { accounts: ['__proto__'] } }), 400, ['body.reached.accounts.0']],
      [launchBody(t.scenarioId, { reached: { segments: ['smb', 'constructor'], roles: ['ceo'] } }), 400, ['body.reached.segments.1', 'body.reached.roles.0']],
      [launchBody(t.scenarioId, { tenantId: 'someone-else' }), 400, ['body.tenantId']],
      [{ ...launchBody(t.scenarioId), reached: undefined }, 400, ['body.reached']],
    ];
    for (const [body, status, where] of cases) expect(fields(await problem(await post(body), status)), JSON.stringify(body)).toEqual(where);
    expect((await (await lc.request('GET', '/v1/launches', { token: t.token })).json()).items).toEqual([]);
  });

  it('answers 409 with Retry-After while the version’s forecast is still being computed', async () => {
    const queued = await createTestLiftcast({ clock: () => now, syncForecastLimit: 0, eventBus: { name: 'liftcast-test', client: new RecordingEventBridge() } });
    const t = await tenantWithScenario('2026-01-20', '2026-01-15', queued);
    expect(t.scenario.forecastStatus).toBe('forecasting');
    at('2026-01-20T10:00:00.000Z');
    const res = await queued.request('POST', '/v1/launches', { token: t.token, body: launchBody(t.scenarioId, { launchedOn: '2026-01-20' }) });
    await problem(res, 409);
    expect(res.headers.get('retry-after')).toBe('5');
  });
});

/** A wave's respondents as JSON rows for the upload. */
function rowsOf(c: RespondentColumns): Record<string, string | number | null>[] {
  return Array.from({ length: c.size }, (_, i) => {
    const row: Record<string, string | number | null> = { respondent_id: c.respondentId[i]!, account_id: c.accountId[i]!, segment: c.segment[i]!, role: c.role[i]!, wave: c.wave[i]!, ltr: c.ltr[i]! };
    c.attributes.forEach((a, j) => (row[a] = Number.isNaN(c.ratings[j]![i]!) ? null : c.ratings[j]![i]!));
    return row;
  });
}

describe('the ledger, end to end on two known-truth waves', () => {
  let tw: TwoWaves;
  let t: { tenant: string; token: string };
  let ids: { before: string; after: string; model: string; scenario: string; launches: Map<string, string> };

  beforeAll(async () => {
    tw = twoWaves(731, 1000, FAMILIES.rich);
    const tenant = lc.tenant();
    t = { tenant, token: await lc.token(tenant) };
    at(`${BEFORE_DATE}T18:00:00.000Z`);
    const before = (await created(await lc.request('POST', '/v1/datasets', { token: t.token, body: { name: 'Wave 1', attributes: tw.attributes, rows: rowsOf(tw.before) } }))).id;
    const model = (await created(await lc.request('POST', '/v1/models', { token: t.token, body: { datasetId: before } }))).id;
    at('2026-01-20T09:00:00.000Z');
    const scenario = (
      await created(
        await lc.request('POST', '/v1/scenarios', {
          token: t.token,
          body: {
            name: 'FY26 launches',
            modelId: model,
            initiatives: tw.launches.map((l) => ({ id: l.id, name: `Launch ${l.id}`, effects: l.changes, target: { ...l.reached }, cost: { oneTime: 100_000 } })),
          },
        }),
      )
    ).id;
    const launches = new Map<string, string>();
    for (const l of tw.launches) {
      at(`${l.launchedOn}T10:00:00.000Z`);
      const launch = await created(await lc.request('POST', '/v1/launches', { token: t.token, body: { scenarioId: scenario, scenarioVersion: 1, initiativeId: l.id, launchedOn: l.launchedOn, reached: l.reached } }));
      launches.set(l.id, launch.id);
    }
    at(`${AFTER_DATE}T18:00:00.000Z`);
    const after = (await created(await lc.request('POST', '/v1/datasets', { token: t.token, body: { name: 'Wave 2', attributes: tw.attributes, rows: rowsOf(tw.after) } }))).id;
    // Sealing wave 2 published DatasetIngested; the in-process bus runs the worker's evaluation.
    await lc.bus.drain();
    ids = { before, after, model, scenario, launches };
  }, 120_000);

  it('evaluates every launch against the wave sealed after it, and the realised lifts land near the true ones', async () => {
    const list = await (await lc.request('GET', '/v1/launches?limit=10', { token: t.token })).json();
    expect(list.items).toHaveLength(tw.launches.length);
    let held = 0;
    const lines: string[] = [];
    for (const l of tw.launches) {
      const launch = list.items.find((x: { id: string }) => x.id === ids.launches.get(l.id));
      expect(launch.evaluation, l.id).toMatchObject({ status: 'evaluated', afterDatasetId: ids.after, evaluatedAt: `${AFTER_DATE}T18:00:00.000Z` });
      const r = launch.evaluation.realised;
      expect(r.level).toBe(0.9);
      expect(r.method).toMatch(/panel difference-in-differences/);
      if (r.interval[0] <= l.trueLift && l.trueLift <= r.interval[1]) held++;
      expect(Math.abs(r.lift - l.trueLift), l.id).toBeLessThan(1.5);
      lines.push(`${l.id}: realised ${r.lift.toFixed(2)} [${r.interval.map((x: number) => x.toFixed(2)).join(', ')}], true ${l.trueLift.toFixed(2)}, forecast ${launch.forecast.lift.toFixed(2)}`);
    }
    console.log(`ledger end to end (seed 731, ${tw.before.size} + ${tw.after.size} respondents):\n  ${lines.join('\n  ')}`);
    expect(held).toBeGreaterThanOrEqual(tw.launches.length - 1);
    const events = evaluated.filter((e) => e.tenant === t.tenant);
    expect(events.map((e) => e.launchId).sort()).toEqual([...ids.launches.values()].sort());
    expect(events.every((e) => e.afterDatasetId === ids.after && e.status === 'evaluated')).toBe(true);
    expect(Object.keys(events[0]!).sort()).toEqual(Object.keys(eventBridgeEvent('launch-evaluated').detail).sort());
    expect(LaunchEvaluatedSchema.parse(events[0])).toEqual(events[0]);
  });

  it('serves the ledger: forecast against realised per launch, the summary and the calibration, and the same as CSV', async () => {
    const ledger = await (await lc.request('GET', '/v1/ledger', { token: t.token })).json();
    expect(ledger.items.map((i: { launchId: string }) => i.launchId)).toEqual([...ids.launches.values()].reverse());
    for (const item of ledger.items) {
      expect(item.realised).not.toBeNull();
      expect(item.reason).toBeNull();
      expect(item.error).toBeCloseTo(item.realised.lift - item.forecast.lift, 12);
      expect(item.forecastHeld).toBe(item.forecast.interval[0] <= item.realised.lift && item.realised.lift <= item.forecast.interval[1]);
      expect(item.realisedHeld).toBe(item.realised.interval[0] <= item.forecast.lift && item.forecast.lift <= item.realised.interval[1]);
    }
    const mae = ledger.items.reduce((a: number, i: { error: number }) => a + Math.abs(i.error), 0) / ledger.items.length;
    expect(ledger.summary).toMatchObject({ launches: 4, evaluated: 4 });
    expect(ledger.summary.mae).toBeCloseTo(mae, 12);
    expect(ledger.calibration).toMatchObject({ launches: 4, factor: expect.any(Number) });
    expect(ledger.calibration.interval[0]).toBeLessThan(ledger.calibration.factor);
    console.log(`ledger summary ${JSON.stringify(ledger.summary)}; calibration factor ${ledger.calibration.factor.toFixed(3)} [${ledger.calibration.interval.map((x: number) => x.toFixed(3)).join(', ')}]`);

    const csv = await lc.request('GET', '/v1/ledger', { token: t.token, headers: { accept: 'text/csv' } });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    const lines = (await csv.text()).trimEnd().split('\r\n');
    expect(lines[0]).toMatch(/^launch_id,scenario_id,scenario_version,initiative_id,launched_on,ended_on,forecast_lift,/);
    expect(lines).toHaveLength(1 + 4);
    expect(lines[1]!.split(',')[0]).toBe(ledger.items[0].launchId);
  });

  it('calibrates new forecasts once the ledger has evaluated launches', async () => {
    const ledger = await (await lc.request('GET', '/v1/ledger', { token: t.token })).json();
    at('2026-07-20T09:00:00.000Z');
    const scenario = await created(
      await lc.request('POST', '/v1/scenarios', {
        token: t.token,
        body: { name: 'FY27', modelId: ids.model, initiatives: [{ id: 'next-step', name: 'Next step', effects: [{ attribute: tw.launches[0]!.changes[0]!.attribute, op: 'add', value: 1 }], cost: { oneTime: 1 } }] },
      }),
    );
    const outcome = scenario.forecast.initiatives[0];
    expect(outcome.calibrated).toMatchObject({ launches: 4, factor: expect.any(Number) });
    expect(outcome.calibrated.lift).toBeCloseTo(outcome.calibrated.factor * outcome.nps.lift, 9);
    expect(Math.abs(outcome.calibrated.factor - ledger.calibration.factor)).toBeLessThan(1); // overall or the attribute's own factor
    // The forecasts frozen on the launches were made before: they carry none.
    const launch = await (await lc.request('GET', `/v1/scenarios/${ids.scenario}/forecast`, { token: t.token })).json();
    expect(launch.initiatives.every((i: { calibrated: unknown }) => i.calibrated === null)).toBe(true);
  });

  it('bridges wave 1 to wave 2: mix, each launch, ratings and remainder add up to the change exactly', async () => {
    const res = await lc.request('GET', `/v1/datasets/${ids.after}/bridge?from=${ids.before}`, { token: t.token });
    const bridge = await res.json();
    expect(res.status, JSON.stringify(bridge).slice(0, 400)).toBe(200);
    expect(bridge).toMatchObject({ datasetId: ids.after, from: ids.before, modelId: ids.model, level: 0.9 });
    const sum = bridge.parts.reduce((a: number, p: { value: number }) => a + p.value, 0);
    expect(Math.abs(sum - bridge.change)).toBeLessThan(1e-9);
    expect(bridge.change).toBeCloseTo(bridge.after.nps - bridge.before.nps, 12);
    expect(bridge.parts.map((p: { kind: string }) => p.kind)).toEqual(['mix', 'launch', 'launch', 'launch', 'launch', 'ratings', 'remainder']);
    expect(bridge.parts.filter((p: { kind: string }) => p.kind === 'launch').map((p: { launchId: string }) => p.launchId)).toEqual([...ids.launches.values()]);
    // The same with the model named; the wrong way round, a model of the other wave is refused.
    expect(await (await lc.request('GET', `/v1/datasets/${ids.after}/bridge?from=${ids.before}&modelId=${ids.model}`, { token: t.token })).json()).toEqual(bridge);
    expect(fields(await problem(await lc.request('GET', `/v1/datasets/${ids.before}/bridge?from=${ids.after}&modelId=${ids.model}`, { token: t.token }), 400))).toEqual(['query.modelId']);
    expect(fields(await problem(await lc.request('GET', `/v1/datasets/${ids.before}/bridge?from=${ids.after}`, { token: t.token }), 409))).toEqual(['query.modelId']);
    expect(fields(await problem(await lc.request('GET', `/v1/datasets/${ids.after}/bridge?from=${ids.after}`, { token: t.token }), 400))).toEqual(['query.from']);
    expect(fields(await problem(await lc.request('GET', `/v1/datasets/${ids.after}/bridge?from=ds_00000000000000000000000000`, { token: t.token }), 404))).toEqual(['query.from']);
    await problem(await lc.request('GET', `/v1/datasets/${ids.after}/bridge?from=${ids.before}`, { token: await lc.token(lc.tenant()) }), 404);
  });

  it('does nothing new when DatasetIngested is delivered again', async () => {
    const before = await (await lc.request('GET', '/v1/launches', { token: t.token })).json();
    const events = evaluated.length;
    await lc.launches.service.evaluateWave({ version: 1, tenant: t.tenant, occurredAt: `${AFTER_DATE}T18:00:00.000Z`, datasetId: ids.after, rowCount: tw.after.size, attributes: tw.attributes.length });
    await lc.bus.drain();
    expect(await (await lc.request('GET', '/v1/launches', { token: t.token })).json()).toEqual(before);
    expect(evaluated.length).toBe(events);
  });
});

describe('which waves evaluate a launch', () => {
  it('a wave dated on or before the launch never evaluates it; one that cannot tell says why, and a later one tries again', async () => {
    const t = await tenantWithScenario('2026-01-20', '2026-01-15');
    at('2026-02-01T10:00:00.000Z');
    const post = (body: unknown) => lc.request('POST', '/v1/launches', { token: t.token, body });
    const nobody = await created(await post(launchBody(t.scenarioId, { reached: { accounts: ['no-such-account'] } })));
    const upload = async (wave: string, seed: number) => {
      const w = demoWave({ seed, respondents: 800, accounts: 200, wave });
      const id = (await created(await lc.request('POST', '/v1/datasets', { token: t.token, body: { name: w.name, attributes: w.attributes, rows: w.rows } }))).id as string;
      await lc.bus.drain();
      return id;
    };
    const get = async () => (await (await lc.request('GET', `/v1/launches/${nobody.id}`, { token: t.token })).json()).evaluation;

    // Dated the day of the launch, and before it: surveyed before the launch could change anything.
    await upload('2026-02-01', 6);
    await upload('2026-01-25', 7);
    expect(await get()).toBeNull();
    const waiting = (await (await lc.request('GET', '/v1/ledger', { token: t.token })).json()).items[0];
    expect(waiting).toMatchObject({ launchId: nobody.id, realised: null, error: null, forecastHeld: null, reason: expect.stringMatching(/Not evaluated yet/) });

    at('2026-06-01T10:00:00.000Z');
    const june = await upload('2026-05-30', 8);
    expect(await get()).toMatchObject({ status: 'not-evaluable', afterDatasetId: june, reason: expect.stringMatching(/Too few reached respondents/) });
    const ledger = await (await lc.request('GET', '/v1/ledger', { token: t.token })).json();
    expect(ledger.items[0]).toMatchObject({ afterDatasetId: june, realised: null, reason: expect.stringMatching(/Too few reached/) });
    expect(ledger.calibration).toBeNull();

    at('2026-09-01T10:00:00.000Z');
    const september = await upload('2026-08-30', 9);
    expect(await get()).toMatchObject({ status: 'not-evaluable', afterDatasetId: september, evaluatedAt: '2026-09-01T10:00:00.000Z' });
    // June delivered again: tried already, nothing changes.
    await lc.launches.service.evaluateWave({ version: 1, tenant: t.tenant, occurredAt: '2026-06-01T10:00:00.000Z', datasetId: june, rowCount: 800, attributes: 6 });
    expect(await get()).toMatchObject({ afterDatasetId: september });
  });

  it('runs in the worker Lambda from EventBridge’s DatasetIngested, as in AWS', async () => {
    const eventBridge = new RecordingEventBridge();
    const queued = await createTestLiftcast({ clock: () => now, eventBus: { name: 'liftcast-test', client: eventBridge } });
    const worker = composeWorker({ db: queued.db, tableName: queued.tableName, publisher: new EventBridgePublisher(eventBridge, 'liftcast-test'), scope: new RequestScope(silentLogger), clock: () => now, metrics: () => {} }).handler;
    const t = await tenantWithScenario('2026-01-20', '2026-01-15', queued);
    at('2026-02-01T10:00:00.000Z');
    const launch = await created(await queued.request('POST', '/v1/launches', { token: t.token, body: launchBody(t.scenarioId) }));
    at('2026-07-20T10:00:00.000Z');
    const w = demoWave({ seed: 12, respondents: 800, accounts: 200, wave: '2026-07-15' });
    const after = (await created(await queued.request('POST', '/v1/datasets', { token: t.token, body: { name: w.name, attributes: w.attributes, rows: w.rows } }))).id as string;
    expect((await (await queued.request('GET', `/v1/launches/${launch.id}`, { token: t.token })).json()).evaluation).toBeNull();

    const envelope = eventBridge.envelope('DatasetIngested', 'dataset-ingested', after);
    await worker(envelope, { awsRequestId: randomUUID() });
    const evaluation = (await (await queued.request('GET', `/v1/launches/${launch.id}`, { token: t.token })).json()).evaluation;
    expect(evaluation).toMatchObject({ afterDatasetId: after, status: expect.stringMatching(/^(evaluated|not-evaluable)$/) });
    expect(eventBridge.details('LaunchEvaluated', launch.id)).toEqual([{ version: 1, tenant: t.tenant, occurredAt: '2026-07-20T10:00:00.000Z', launchId: launch.id, afterDatasetId: after, status: evaluation.status }]);
    // Redelivered: nothing new.
    await worker({ ...envelope, id: randomUUID() }, { awsRequestId: randomUUID() });
    expect(eventBridge.details('LaunchEvaluated', launch.id)).toHaveLength(1);
  });
});
