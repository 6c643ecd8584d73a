/**
 * The scenarios API against DynamoDB Local: a scenario is forecast on a ready model and stored as
 * immutable versions; reads serve the stored forecast; changes need If-Match and concurrent ones
 * never lose an update; creation is idempotent; bad input is a 400 naming the field and writes
 * nothing; tenants are isolated; every stored forecast is announced once. Assertions on forecasts
 * are about the API (shape, ids, intervals around the point), not the maths (`test/unit`).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { ScenarioForecasted } from '../../events/contracts.js';
import { demoWave } from '../../model/demo.js';
import { ScenarioInputSchema, type ScenarioInputRaw } from '../../model/scenario/contract.js';
import { demoScenario } from '../../functions/local/demoScenario.js';
import { createTestLiftcast, type TestLiftcast, type TestResponse } from '../support/liftcast.js';

let lc: TestLiftcast;
const announced: ScenarioForecasted[] = [];

/** The demo wave, 1,500 respondents over 300 accounts: the demo attributes, segments and roles. */
const WAVE = demoWave({ seed: 11, respondents: 1500, accounts: 300 });

type Problem = {
  type: string;
  status: number;
  detail: string;
  errors?: { field?: string; column?: string; reason: string }[];
  currentVersion?: number;
};

async function problem(res: TestResponse, status: number): Promise<Problem> {
  const body = (await res.json()) as Problem;
  expect(res.status, JSON.stringify(body)).toBe(status);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  return body;
}

/** A tenant with the demo wave uploaded through the API and a model fitted on it. */
async function tenantWithModel(): Promise<{ tenant: string; token: string; datasetId: string; modelId: string }> {
  const tenant = lc.tenant();
  const token = await lc.token(tenant);
  const uploaded = await lc.request('POST', '/v1/datasets', { token, body: { name: 'Q3 wave', attributes: WAVE.attributes, rows: WAVE.rows } });
  expect(uploaded.status, await uploaded.clone().text()).toBe(201);
  const datasetId = (await uploaded.json()).id as string;
  const fitted = await lc.request('POST', '/v1/models', { token, body: { datasetId } });
  expect(fitted.status, await fitted.clone().text()).toBe(201);
  return { tenant, token, datasetId, modelId: (await fitted.json()).id as string };
}

/** A two-initiative scenario on `modelId`. */
function twoInitiatives(modelId: string, name = 'Service push'): ScenarioInputRaw {
  return {
    name,
    modelId,
    initiatives: [
      {
        id: 'onboarding-programme',
        name: 'Onboarding programme for new accounts',
        effects: [{ attribute: 'onboarding', op: 'add', value: 1.5, range: [0.8, 2] }],
        target: { segments: ['smb'] },
        reach: 0.6,
        rampMonths: 6,
        cost: { oneTime: 250_000, annual: 150_000 },
      },
      {
        id: 'incident-reduction',
        name: 'Incident-reduction programme',
        effects: [{ attribute: 'reliability', op: 'add', value: 1 }],
        cost: { oneTime: 600_000, annual: 250_000 },
      },
    ],
  };
}

/** Every interval of an outcome contains its point estimate. */
function expectIntervalsAroundPoints(outcome: { nps: { lift: number; interval: [number, number] }; bySegment: Record<string, { lift: number; interval: [number, number] }> }): void {
  for (const nps of [outcome.nps, ...Object.values(outcome.bySegment)]) {
    expect(nps.interval[0]).toBeLessThanOrEqual(nps.lift + 1e-9);
    expect(nps.interval[1]).toBeGreaterThanOrEqual(nps.lift - 1e-9);
  }
}

let main: Awaited<ReturnType<typeof tenantWithModel>>;

beforeAll(async () => {
  lc = await createTestLiftcast();
  lc.bus.subscribe('ScenarioForecasted', async (detail) => {
    announced.push(detail);
  });
  main = await tenantWithModel();
});

/** Events announced so far for one scenario, after the bus has delivered everything published. */
async function announcedFor(scenarioId: string): Promise<ScenarioForecasted[]> {
  await lc.bus.drain();
  return announced.filter((e) => e.scenarioId === scenarioId);
}

describe('the life of a scenario', () => {
  it('is created with its forecast, read, forecast, changed under If-Match, versioned and deleted without a trace', async () => {
    const { tenant, token, modelId } = main;
    const before = await lc.itemsOf(tenant);
    const input = twoInitiatives(modelId);

    // Create
    const created = await lc.request('POST', '/v1/scenarios', { token, body: input });
    expect(created.status, await created.clone().text()).toBe(201);
    const v1 = await created.json();
    expect(v1.id).toMatch(/^scn_[0-9a-z]{26}$/);
    expect(created.headers.get('etag')).toBe('"1"');
    expect(created.headers.get('location')).toBe(`/v1/scenarios/${v1.id}`);
    expect(v1).toMatchObject({ version: 1, name: 'Service push', modelId, createdAt: v1.updatedAt });
    // Stored as posted, with the defaults the forecast used.
    expect(v1.scenario).toEqual(ScenarioInputSchema.parse(input));
    expect(v1.scenario).toMatchObject({ currency: 'USD', horizonYears: 3, discountRate: 0.08 });
    expect(v1.scenario.initiatives[1]).toMatchObject({ reach: 1, rampMonths: 0 });
    expect(v1.forecast.modelId).toBe(modelId);
    expect(v1.forecast.initiatives.map((i: { id: string }) => i.id)).toEqual(['onboarding-programme', 'incident-reduction']);
    expect(v1.forecast.portfolio.nps).toBeDefined();
    for (const outcome of [...v1.forecast.initiatives, v1.forecast.portfolio]) expectIntervalsAroundPoints(outcome);

    // Read: the latest version, and its stored forecast, each with the version's ETag.
    const got = await lc.request('GET', `/v1/scenarios/${v1.id}`, { token });
    expect(got.status).toBe(200);
    expect(got.headers.get('etag')).toBe('"1"');
    const { forecast, ...withoutForecast } = v1;
    expect(await got.json()).toEqual(withoutForecast);
    const stored = await lc.request('GET', `/v1/scenarios/${v1.id}/forecast`, { token });
    expect(stored.status).toBe(200);
    expect(stored.headers.get('etag')).toBe('"1"');
    expect(await stored.json()).toEqual(forecast);

    // Change: the whole scenario, under the version read.
    const changed = { ...input, name: 'Service push, revised', initiatives: [...input.initiatives, demoScenario(modelId).initiatives[4]!] };
    const put = await lc.request('PUT', `/v1/scenarios/${v1.id}`, { token, body: changed, headers: { 'if-match': '"1"' } });
    expect(put.status, await put.clone().text()).toBe(200);
    expect(put.headers.get('etag')).toBe('"2"');
    const v2 = await put.json();
    expect(v2).toMatchObject({ id: v1.id, version: 2, name: 'Service push, revised', createdAt: v1.createdAt });
    expect(v2.forecast.initiatives.map((i: { id: string }) => i.id)).toEqual(['onboarding-programme', 'incident-reduction', 'delivery-tracking']);
    expect((await lc.request('GET', `/v1/scenarios/${v1.id}/forecast`, { token }).then((r) => r.json()))).toEqual(v2.forecast);

    // Every version stays readable.
    const versions = await (await lc.request('GET', `/v1/scenarios/${v1.id}/versions`, { token })).json();
    expect(versions.items.map((v: { version: number; name: string }) => [v.version, v.name])).toEqual([
      [1, 'Service push'],
      [2, 'Service push, revised'],
    ]);
    expect(versions.items[0].scenario).toEqual(v1.scenario);
    expect(versions.nextCursor).toBeNull();
    const first = await lc.request('GET', `/v1/scenarios/${v1.id}/versions/1`, { token });
    expect(first.headers.get('etag')).toBe('"1"');
    expect(await first.json()).toEqual(v1);
    await problem(await lc.request('GET', `/v1/scenarios/${v1.id}/versions/3`, { token }), 404);

    const listed = await (await lc.request('GET', '/v1/scenarios', { token })).json();
    expect(listed.items).toContainEqual({ id: v1.id, name: 'Service push, revised', modelId, version: 2, createdAt: v1.createdAt, updatedAt: v2.updatedAt });

    // Delete: gone everywhere, and nothing left behind.
    const deleted = await lc.request('DELETE', `/v1/scenarios/${v1.id}`, { token });
    expect(deleted.status).toBe(204);
    for (const path of ['', '/forecast', '/versions', '/versions/1']) await problem(await lc.request('GET', `/v1/scenarios/${v1.id}${path}`, { token }), 404);
    await problem(await lc.request('DELETE', `/v1/scenarios/${v1.id}`, { token }), 404);
    await problem(await lc.request('PUT', `/v1/scenarios/${v1.id}`, { token, body: changed, headers: { 'if-match': '"2"' } }), 404);
    expect(await lc.itemsOf(tenant)).toBe(before);

    // One announcement per stored forecast.
    expect((await announcedFor(v1.id)).map((e) => [e.tenant, e.scenarioVersion, e.modelId])).toEqual([
      [tenant, 1, modelId],
      [tenant, 2, modelId],
    ]);
  });

  it('forecasts the demo scenario: seven initiatives modelled on real B2B programmes', async () => {
    const res = await lc.request('POST', '/v1/scenarios', { token: main.token, body: demoScenario(main.modelId) });
    expect(res.status, await res.clone().text()).toBe(201);
    const body = await res.json();
    expect(body.forecast.initiatives.map((i: { id: string }) => i.id)).toEqual(demoScenario(main.modelId).initiatives.map((i) => i.id));
    for (const outcome of [...body.forecast.initiatives, body.forecast.portfolio]) expectIntervalsAroundPoints(outcome);
  });

  it('lists scenarios newest first, page by page', async () => {
    const { token, modelId } = await tenantWithModelShared();
    const ids: string[] = [];
    for (const name of ['first', 'second', 'third']) {
      const res = await lc.request('POST', '/v1/scenarios', { token, body: twoInitiatives(modelId, name) });
      ids.push((await res.json()).id);
    }
    const page1 = await (await lc.request('GET', '/v1/scenarios?limit=2', { token })).json();
    expect(page1.items.map((s: { name: string }) => s.name)).toEqual(['third', 'second']);
    const page2 = await (await lc.request('GET', `/v1/scenarios?limit=2&cursor=${page1.nextCursor}`, { token })).json();
    expect(page2.items.map((s: { id: string }) => s.id)).toEqual([ids[0]]);
    const bad = await lc.request('GET', '/v1/scenarios?cursor=bm9wZQ', { token });
    expect((await problem(bad, 400)).errors).toEqual([{ field: 'query.cursor', reason: expect.any(String) }]);
  });
});

/** A second tenant on the same wave for tests that need a clean list. */
let shared: Promise<Awaited<ReturnType<typeof tenantWithModel>>> | undefined;
function tenantWithModelShared(): Promise<Awaited<ReturnType<typeof tenantWithModel>>> {
  shared ??= tenantWithModel();
  return shared;
}

describe('If-Match', () => {
  let id: string;
  const body = () => twoInitiatives(main.modelId, 'guarded');

  beforeAll(async () => {
    id = (await (await lc.request('POST', '/v1/scenarios', { token: main.token, body: body() })).json()).id;
  });

  it('is required to change a scenario: 428 without it, and nothing is written', async () => {
    const res = await lc.request('PUT', `/v1/scenarios/${id}`, { token: main.token, body: body() });
    expect((await problem(res, 428)).errors).toEqual([{ field: 'header.If-Match', reason: 'required' }]);
    expect((await lc.request('GET', `/v1/scenarios/${id}`, { token: main.token })).headers.get('etag')).toBe('"1"');
  });

  it('accepts the ETag quoted, bare or weak, and refuses anything else with 400', async () => {
    const bare = await lc.request('PUT', `/v1/scenarios/${id}`, { token: main.token, body: body(), headers: { 'if-match': '1' } });
    expect(bare.status, await bare.clone().text()).toBe(200);
    const weak = await lc.request('PUT', `/v1/scenarios/${id}`, { token: main.token, body: body(), headers: { 'if-match': 'W/"2"' } });
    expect(weak.status).toBe(200);
    expect(weak.headers.get('etag')).toBe('"3"');
    const junk = await lc.request('PUT', `/v1/scenarios/${id}`, { token: main.token, body: body(), headers: { 'if-match': '"v3"' } });
    expect((await problem(junk, 400)).errors!.map((e) => e.field)).toEqual(['header.If-Match']);
  });

  it('answers 412 with the current version to a change based on an old one, and writes nothing', async () => {
    const events = (await announcedFor(id)).length;
    const res = await lc.request('PUT', `/v1/scenarios/${id}`, { token: main.token, body: { ...body(), name: 'late' }, headers: { 'if-match': '"1"' } });
    const p = await problem(res, 412);
    expect(p.currentVersion).toBe(3);
    expect(res.headers.get('etag')).toBe('"3"');
    const latest = await (await lc.request('GET', `/v1/scenarios/${id}`, { token: main.token })).json();
    expect(latest).toMatchObject({ version: 3, name: 'guarded' });
    expect(await announcedFor(id)).toHaveLength(events);
  });
});

describe('concurrent changes', () => {
  it('stores exactly one of N parallel changes from the same version; the others get 412', async () => {
    // Prepare
    const { token, modelId } = main;
    const id = (await (await lc.request('POST', '/v1/scenarios', { token, body: twoInitiatives(modelId, 'v1') })).json()).id;
    const n = 8;
    // Act
    const responses = await Promise.all(
      Array.from({ length: n }, (_, i) =>
        lc.request('PUT', `/v1/scenarios/${id}`, { token, body: twoInitiatives(modelId, `writer ${i}`), headers: { 'if-match': '"1"' } }),
      ),
    );
    // Assess
    const statuses = responses.map((r) => r.status);
    expect(statuses.filter((s) => s === 200), statuses.join(',')).toHaveLength(1);
    expect(statuses.filter((s) => s === 412)).toHaveLength(n - 1);
    const winner = await responses.find((r) => r.status === 200)!.json();
    const versions = await (await lc.request('GET', `/v1/scenarios/${id}/versions`, { token })).json();
    expect(versions.items.map((v: { version: number; name: string }) => [v.version, v.name])).toEqual([
      [1, 'v1'],
      [2, winner.name],
    ]);
    expect(await announcedFor(id)).toHaveLength(2);
  });

  it('loses no update when N writers each retry on 412 until stored: versions 1…N+1, every change once', async () => {
    const { token, modelId } = main;
    const id = (await (await lc.request('POST', '/v1/scenarios', { token, body: twoInitiatives(modelId, 'start') })).json()).id;
    const n = 5;
    const writer = async (i: number): Promise<number> => {
      for (let attempt = 0; attempt < 50; attempt++) {
        const current = await lc.request('GET', `/v1/scenarios/${id}`, { token });
        const etag = current.headers.get('etag')!;
        const res = await lc.request('PUT', `/v1/scenarios/${id}`, { token, body: twoInitiatives(modelId, `writer ${i}`), headers: { 'if-match': etag } });
        if (res.status === 200) return (await res.json()).version;
        expect(res.status).toBe(412);
      }
      throw new Error(`writer ${i} never got its change stored`);
    };
    const stored = await Promise.all(Array.from({ length: n }, (_, i) => writer(i)));
    expect([...stored].sort((a, b) => a - b)).toEqual(Array.from({ length: n }, (_, i) => i + 2));
    const versions = await (await lc.request('GET', `/v1/scenarios/${id}/versions`, { token })).json();
    expect(versions.items.map((v: { version: number }) => v.version)).toEqual(Array.from({ length: n + 1 }, (_, i) => i + 1));
    expect(versions.items.slice(1).map((v: { name: string }) => v.name).sort()).toEqual(Array.from({ length: n }, (_, i) => `writer ${i}`));
    // The same versions, two at a time.
    const paged: unknown[] = [];
    let cursor: string | null = null;
    do {
      const page = await (await lc.request('GET', `/v1/scenarios/${id}/versions?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token })).json();
      paged.push(...page.items);
      cursor = page.nextCursor;
    } while (cursor);
    expect(paged).toEqual(versions.items);
  });
});

describe('Idempotency-Key', () => {
  it('answers a retry with the first response and creates one scenario; the same key with another body is a 422', async () => {
    const { token, modelId } = await tenantWithModel();
    const headers = { 'idempotency-key': 'create-scenario-0001' };
    const first = await lc.request('POST', '/v1/scenarios', { token, body: twoInitiatives(modelId), headers });
    expect(first.status).toBe(201);
    const created = await first.json();
    const retry = await lc.request('POST', '/v1/scenarios', { token, body: twoInitiatives(modelId), headers });
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect(retry.headers.get('etag')).toBe('"1"');
    expect(await retry.json()).toEqual(created);
    const listed = await (await lc.request('GET', '/v1/scenarios', { token })).json();
    expect(listed.items.map((s: { id: string }) => s.id)).toEqual([created.id]);
    expect(await announcedFor(created.id)).toHaveLength(1);

    const other = await lc.request('POST', '/v1/scenarios', { token, body: twoInitiatives(modelId, 'another'), headers });
    expect((await problem(other, 422)).errors).toEqual([{ field: 'header.Idempotency-Key', reason: expect.any(String) }]);
  });

  it('creates one scenario when the same request is sent several times at once', async () => {
    const { token, modelId } = await tenantWithModel();
    const headers = { 'idempotency-key': 'create-scenario-parallel' };
    const responses = await Promise.all(Array.from({ length: 4 }, () => lc.request('POST', '/v1/scenarios', { token, body: twoInitiatives(modelId), headers })));
    const bodies = await Promise.all(responses.map((r) => r.json()));
    expect(responses.map((r) => r.status), JSON.stringify(bodies)).toEqual([201, 201, 201, 201]);
    expect(new Set(bodies.map((b) => b.id)).size).toBe(1);
    const listed = await (await lc.request('GET', '/v1/scenarios', { token })).json();
    expect(listed.items).toHaveLength(1);
  });
});

describe('scenarios the API refuses', () => {
  const cases: { name: string; change: (s: ScenarioInputRaw) => unknown; field: string | RegExp }[] = [
    {
      name: 'an effect on an attribute the model does not have',
      change: (s) => ({ ...s, initiatives: [{ ...s.initiatives[0]!, effects: [{ attribute: 'price', op: 'add', value: 1 }] }] }),
      field: 'body.initiatives.0.effects.0.attribute',
    },
    { name: 'reach 1.5', change: (s) => ({ ...s, initiatives: [{ ...s.initiatives[0]!, reach: 1.5 }] }), field: 'body.initiatives.0.reach' },
    {
      name: 'a negative cost',
      change: (s) => ({ ...s, initiatives: [s.initiatives[0], { ...s.initiatives[1]!, cost: { oneTime: -5, annual: 0 } }] }),
      field: 'body.initiatives.1.cost.oneTime',
    },
    { name: 'an empty initiative list', change: (s) => ({ ...s, initiatives: [] }), field: 'body.initiatives' },
    {
      name: 'two initiatives with the same id',
      change: (s) => ({ ...s, initiatives: [s.initiatives[0], { ...s.initiatives[1]!, id: s.initiatives[0]!.id }] }),
      field: 'body.initiatives.1.id',
    },
    {
      name: 'closing 200 % of a gap',
      change: (s) => ({ ...s, initiatives: [{ ...s.initiatives[0]!, effects: [{ attribute: 'onboarding', op: 'closeGap', value: 2 }] }] }),
      field: /^body\.initiatives\.0\.effects\.0/,
    },
    {
      name: 'a target segment the data does not have',
      change: (s) => ({ ...s, initiatives: [{ ...s.initiatives[0]!, target: { segments: ['government'] } }] }),
      field: /^body\.initiatives\.0\.target\.segments/,
    },
    { name: 'a field the contract does not know', change: (s) => ({ ...s, tenantId: 'other' }), field: 'body.tenantId' },
  ];

  for (const c of cases)
    it(`answers 400 naming the field for ${c.name}, and stores nothing`, async () => {
      const { tenant, token, modelId } = main;
      const before = await lc.itemsOf(tenant);
      const res = await lc.request('POST', '/v1/scenarios', { token, body: c.change(twoInitiatives(modelId)) });
      const fields = (await problem(res, 400)).errors!.map((e) => e.field);
      expect(fields).toContainEqual(typeof c.field === 'string' ? c.field : expect.stringMatching(c.field));
      expect(await lc.itemsOf(tenant)).toBe(before);
    });

  it('validates a changed scenario the same way, and keeps the stored version', async () => {
    const { token, modelId } = main;
    const id = (await (await lc.request('POST', '/v1/scenarios', { token, body: twoInitiatives(modelId) })).json()).id;
    const res = await lc.request('PUT', `/v1/scenarios/${id}`, {
      token,
      body: { ...twoInitiatives(modelId), initiatives: [{ ...twoInitiatives(modelId).initiatives[0]!, effects: [{ attribute: 'price', op: 'add', value: 1 }] }] },
      headers: { 'if-match': '"1"' },
    });
    expect((await problem(res, 400)).errors!.map((e) => e.field)).toEqual(['body.initiatives.0.effects.0.attribute']);
    expect((await lc.request('GET', `/v1/scenarios/${id}`, { token })).headers.get('etag')).toBe('"1"');
  });

  it('answers 404 naming modelId for an unknown model and for a model of another tenant', async () => {
    const other = await tenantWithModelShared();
    for (const modelId of ['mdl_01jd3v4k8m2a7q9x0c5t6w1r3e', other.modelId]) {
      const res = await lc.request('POST', '/v1/scenarios', { token: main.token, body: twoInitiatives(modelId) });
      const p = await problem(res, 404);
      expect(p.errors).toEqual([{ field: 'body.modelId', reason: 'no such model' }]);
      expect(p.detail).toContain(modelId);
    }
  });

  it('needs the scenarios:write scope to create, change or delete; read is enough to read', async () => {
    const id = (await (await lc.request('POST', '/v1/scenarios', { token: main.token, body: twoInitiatives(main.modelId) })).json()).id;
    const reader = await lc.token(main.tenant, 'read');
    await problem(await lc.request('POST', '/v1/scenarios', { token: reader, body: twoInitiatives(main.modelId) }), 403);
    await problem(await lc.request('PUT', `/v1/scenarios/${id}`, { token: reader, body: twoInitiatives(main.modelId), headers: { 'if-match': '"1"' } }), 403);
    await problem(await lc.request('DELETE', `/v1/scenarios/${id}`, { token: reader }), 403);
    expect((await lc.request('GET', `/v1/scenarios/${id}/forecast`, { token: reader })).status).toBe(200);
  });
});

describe('a scenario whose model’s dataset is deleted', () => {
  it('stays readable with its stored forecast, but a change is a 422 naming modelId (not a crash)', async () => {
    // Prepare
    const { token, datasetId, modelId } = await tenantWithModel();
    const created = await (await lc.request('POST', '/v1/scenarios', { token, body: twoInitiatives(modelId) })).json();
    expect((await lc.request('DELETE', `/v1/datasets/${datasetId}`, { token })).status).toBe(204);
    // Act
    const got = await lc.request('GET', `/v1/scenarios/${created.id}`, { token });
    const forecast = await lc.request('GET', `/v1/scenarios/${created.id}/forecast`, { token });
    const put = await lc.request('PUT', `/v1/scenarios/${created.id}`, { token, body: twoInitiatives(modelId, 'again'), headers: { 'if-match': '"1"' } });
    const post = await lc.request('POST', '/v1/scenarios', { token, body: twoInitiatives(modelId) });
    // Assess
    expect(got.status).toBe(200);
    expect(await forecast.json()).toEqual(created.forecast);
    for (const res of [put, post]) {
      const p = await problem(res, 422);
      expect(p.detail).toContain(modelId);
      expect(p.detail).toContain(datasetId);
      expect(p.errors).toEqual([{ field: 'body.modelId', reason: expect.stringContaining('deleted') }]);
    }
    expect((await lc.request('GET', `/v1/scenarios/${created.id}`, { token })).headers.get('etag')).toBe('"1"');
  });
});

describe('tenants', () => {
  it("cannot see, change or delete another tenant's scenario", async () => {
    // Prepare
    const id = (await (await lc.request('POST', '/v1/scenarios', { token: main.token, body: twoInitiatives(main.modelId, 'private') })).json()).id;
    const intruder = await lc.token(lc.tenant());
    // Act, Assess
    for (const path of ['', '/forecast', '/versions', '/versions/1']) await problem(await lc.request('GET', `/v1/scenarios/${id}${path}`, { token: intruder }), 404);
    await problem(await lc.request('PUT', `/v1/scenarios/${id}`, { token: intruder, body: twoInitiatives(main.modelId), headers: { 'if-match': '"1"' } }), 404);
    await problem(await lc.request('DELETE', `/v1/scenarios/${id}`, { token: intruder }), 404);
    expect((await (await lc.request('GET', '/v1/scenarios', { token: intruder })).json()).items).toEqual([]);
    const still = await lc.request('GET', `/v1/scenarios/${id}`, { token: main.token });
    expect(still.status).toBe(200);
    expect(await still.json()).toMatchObject({ name: 'private', version: 1 });
  });
});

describe('the OpenAPI document', () => {
  it('documents every scenario route with its ETag and precondition responses', async () => {
    const doc = await (await lc.request('GET', '/openapi.json')).json();
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(['/v1/scenarios', '/v1/scenarios/{id}', '/v1/scenarios/{id}/forecast', '/v1/scenarios/{id}/versions', '/v1/scenarios/{id}/versions/{version}']),
    );
    expect(Object.keys(doc.paths['/v1/scenarios/{id}'].put.responses)).toEqual(expect.arrayContaining(['200', '412', '428']));
    expect(doc.paths['/v1/scenarios'].post.responses['201'].headers.ETag).toBeDefined();
    expect(doc.components.schemas).toHaveProperty('Forecast');
    expect(doc.components.schemas).toHaveProperty('ScenarioInput');
  });
});
