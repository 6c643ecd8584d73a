/**
 * The models API against DynamoDB Local: a small wave is fitted within the request, a large one by
 * the worker; what-ifs answer from a ready model; data that cannot support a model is a 400/422
 * problem naming the attribute or segment at fault, and the failed attempt stays visible; tenants
 * are isolated.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { ModelFitted } from '../../events/contracts.js';
import { createRng } from '../../model/rng.js';
import { DEMO_ATTRIBUTES, demoWave, type DemoRow } from '../../model/demo.js';
import { createTestLiftcast, type TestLiftcast, type TestResponse } from '../support/liftcast.js';

let lc: TestLiftcast;
/** Every fit goes to the worker (syncRowLimit 0). */
let queued: TestLiftcast;
const fitted: ModelFitted[] = [];

beforeAll(async () => {
  [lc, queued] = await Promise.all([createTestLiftcast(), createTestLiftcast({ syncRowLimit: 0 })]);
  queued.bus.subscribe('ModelFitted', async (detail) => {
    fitted.push(detail);
  });
});

type Problem = {
  type: string;
  status: number;
  detail: string;
  errors?: { field?: string; column?: string; reason: string }[];
  failure?: string;
  modelId?: string;
};

async function problem(res: TestResponse, status: number): Promise<Problem> {
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  const body = (await res.json()) as Problem;
  expect(res.status, JSON.stringify(body)).toBe(status);
  return body;
}

/** Uploads rows as a sealed JSON wave and returns the dataset. */
async function upload(app: TestLiftcast, token: string, rows: readonly Record<string, unknown>[], attributes: unknown[] = []) {
  const res = await app.request('POST', '/v1/datasets', { token, body: { name: 'wave', attributes, rows } });
  expect(res.status).toBe(201);
  return res.json();
}

/** The demo wave, small: 600 respondents over 150 accounts in three segments. */
const DEMO = demoWave({ seed: 1, respondents: 600, accounts: 150 });

/**
 * Hand-built respondents with three 0–10 attributes that vary independently (seeded), and an ltr
 * that rises with them: ltr = round(0.3·q1 + 0.3·q2 + 0.3·q3 + noise), clamped to 0–10.
 */
function handRows(n: number, seed = 1, overrides: (i: number) => Record<string, unknown> = () => ({})): Record<string, unknown>[] {
  const rng = createRng(seed);
  return Array.from({ length: n }, (_, i) => {
    const q1 = rng.int(11);
    const q2 = rng.int(11);
    const q3 = rng.int(11);
    const ltr = Math.max(0, Math.min(10, Math.round(0.3 * (q1 + q2 + q3) + rng.normal())));
    return { respondent_id: `r${i}`, account_id: `A${i % 20}`, segment: i % 2 === 0 ? 'smb' : 'enterprise', ltr, q1, q2, q3, ...overrides(i) };
  });
}

/** NPS of the demo respondents who answered at least half of the attributes (those the model keeps). */
function observedNps(rows: readonly DemoRow[], keep: (r: DemoRow) => boolean = () => true): { nps: number; n: number } {
  const kept = rows.filter((r) => DEMO_ATTRIBUTES.filter((a) => r[a.name] !== null).length >= Math.ceil(DEMO_ATTRIBUTES.length / 2)).filter(keep);
  const promoters = kept.filter((r) => r.ltr >= 9).length;
  const detractors = kept.filter((r) => r.ltr <= 6).length;
  return { nps: (100 * (promoters - detractors)) / kept.length, n: kept.length };
}

describe('fitting a model within the request', () => {
  const tenant = `t-fit-${Date.now().toString(36)}`;
  let token: string;
  let dataset: { id: string };
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the test inspects the model as a client would
  let model: Record<string, any>;

  beforeAll(async () => {
    token = await lc.token(tenant);
    dataset = await upload(lc, token, DEMO.rows, DEMO.attributes);
    const res = await lc.request('POST', '/v1/models', { token, body: { datasetId: dataset.id } });
    expect(res.status, await res.clone().text()).toBe(201);
    expect(res.headers.get('location')).toMatch(/^\/v1\/models\/mdl_/);
    model = await res.json();
  });

  it('answers 201 with the ready model: fit, segments, importance and calibration', () => {
    // The ordinal model groups by segment and role unless told otherwise.
    expect(model).toMatchObject({ datasetId: dataset.id, status: 'ready', problem: null, segmentBy: ['segment', 'role'] });
    expect(model.id).toMatch(/^mdl_[0-9a-z]{26}$/);
    // The request as understood, defaults filled in (segmentBy stays absent: it depends on the method).
    expect(model.request).toEqual({
      datasetId: dataset.id,
      method: 'auto',
      options: { folds: 5, seed: 1, minSegmentSize: 10, curves: 'auto', interactions: 'auto', cutSpecific: 'auto', noise: 'auto' },
    });
    expect(model.fit.coefficients.map((c: { attribute: string }) => c.attribute)).toEqual(DEMO_ATTRIBUTES.map((a) => a.name));
    expect(Object.keys(model.segments).sort()).toEqual(['enterprise', 'mid_market', 'smb']);
    expect(model.importance).toHaveLength(DEMO_ATTRIBUTES.length);
    expect(model.calibration.length).toBeGreaterThan(0);
  });

  it('reads back the same model with GET', async () => {
    const res = await lc.request('GET', `/v1/models/${model.id}`, { token });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(model);
  });

  it('predicts a positive lift for adding to a driver, per segment, from the observed NPS', async () => {
    // Act
    const res = await lc.request('POST', `/v1/models/${model.id}/predict`, {
      token,
      body: { changes: [{ attribute: 'support_responsiveness', op: 'add', value: 2 }] },
    });
    // Assess
    expect(res.status, await res.clone().text()).toBe(200);
    const result = await res.json();
    const observed = observedNps(DEMO.rows);
    expect(result.respondents).toBe(observed.n);
    expect(result.targeted).toBe(observed.n);
    expect(result.nps.baseline).toBeCloseTo(observed.nps, 9);
    expect(result.nps.lift).toBeGreaterThan(0);
    expect(result.nps.predicted).toBeCloseTo(result.nps.baseline + result.nps.lift, 9);
    expect(Object.keys(result.bySegment).sort()).toEqual(Object.keys(model.segments).sort());
    for (const segment of ['smb', 'mid_market', 'enterprise'])
      expect(result.bySegment[segment].baseline).toBeCloseTo(observedNps(DEMO.rows, (r) => r.segment === segment).nps, 9);
  });

  it('targets a what-if at one segment', async () => {
    const res = await lc.request('POST', `/v1/models/${model.id}/predict`, {
      token,
      body: { changes: [{ attribute: 'onboarding', op: 'atLeast', value: 9 }], target: { segments: ['smb'] } },
    });
    expect(res.status, await res.clone().text()).toBe(200);
    const result = await res.json();
    expect(result.targeted).toBe(observedNps(DEMO.rows, (r) => r.segment === 'smb').n);
    expect(result.bySegment.smb.lift).toBeGreaterThan(0);
    expect(result.bySegment.enterprise.lift).toBe(0);
  });

  it('answers a what-if for a read-only token, but refuses it a fit', async () => {
    const readOnly = await lc.token(tenant, 'read');
    const fit = await lc.request('POST', '/v1/models', { token: readOnly, body: { datasetId: dataset.id } });
    expect((await problem(fit, 403)).detail).toMatch(/models:write/);
    const whatIf = await lc.request('POST', `/v1/models/${model.id}/predict`, { token: readOnly, body: { changes: [{ attribute: 'onboarding', op: 'add', value: 1 }] } });
    expect(whatIf.status).toBe(200);
  });

  it('names the change whose attribute the model does not have', async () => {
    const res = await lc.request('POST', `/v1/models/${model.id}/predict`, {
      token,
      body: { changes: [{ attribute: 'onboarding', op: 'add', value: 1 }, { attribute: 'price', op: 'add', value: 1 }] },
    });
    const p = await problem(res, 400);
    expect(p.errors).toEqual([{ field: 'body.changes.1.attribute', reason: expect.stringMatching(/'price'/) }]);
  });

  it('names a target segment that does not exist', async () => {
    const res = await lc.request('POST', `/v1/models/${model.id}/predict`, {
      token,
      body: { changes: [{ attribute: 'onboarding', op: 'add', value: 1 }], target: { segments: ['smb', 'government'] } },
    });
    const p = await problem(res, 400);
    expect(p.errors).toContainEqual(expect.objectContaining({ field: 'body.target.segments.1' }));
  });

  it('names a change value the attribute cannot take', async () => {
    const res = await lc.request('POST', `/v1/models/${model.id}/predict`, {
      token,
      body: { changes: [{ attribute: 'onboarding', op: 'add', value: 1 }, { attribute: 'features', op: 'closeGap', value: 2 }] },
    });
    const p = await problem(res, 400);
    expect(p.errors).toEqual([{ field: 'body.changes.1.value', column: 'features', reason: expect.stringMatching(/between 0 and 1/) }]);
  });

  it('rejects malformed what-ifs naming every field at fault', async () => {
    const res = await lc.request('POST', `/v1/models/${model.id}/predict`, {
      token,
      body: { changes: [{ attribute: 'onboarding', op: 'multiply', value: 2 }], target: { regions: ['emea'] } },
    });
    const fields = (await problem(res, 400)).errors!.map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['body.changes.0.op', 'body.target.regions']));
    const empty = await lc.request('POST', `/v1/models/${model.id}/predict`, { token, body: { changes: [] } });
    expect((await problem(empty, 400)).errors!.map((e) => e.field)).toEqual(['body.changes']);
  });
});

describe('fitting a model in the worker', () => {
  it('answers 202, then the worker makes the model ready and announces it', async () => {
    // Prepare
    const tenant = queued.tenant();
    const token = await queued.token(tenant);
    const dataset = await upload(queued, token, DEMO.rows, DEMO.attributes);
    // Act
    const res = await queued.request('POST', '/v1/models', { token, body: { datasetId: dataset.id, segmentBy: 'role' } });
    // Assess
    expect(res.status).toBe(202);
    const accepted = await res.json();
    expect(accepted).toEqual({ id: expect.stringMatching(/^mdl_/), status: 'fitting' });
    expect(res.headers.get('location')).toBe(`/v1/models/${accepted.id}`);
    await queued.bus.drain();
    const model = await (await queued.request('GET', `/v1/models/${accepted.id}`, { token })).json();
    expect(model, JSON.stringify(model.problem)).toMatchObject({ id: accepted.id, status: 'ready', segmentBy: 'role', problem: null });
    expect(Object.keys(model.segments).sort()).toEqual(['business_owner', 'gatekeeper', 'operational_user']);
    expect(fitted.filter((e) => e.modelId === accepted.id)).toEqual([
      expect.objectContaining({ version: 1, tenant, modelId: accepted.id, datasetId: dataset.id, status: 'ready' }),
    ]);

    // A redelivered request changes nothing and announces nothing.
    await queued.models.service.fitInWorker({ version: 1, tenant, occurredAt: new Date().toISOString(), modelId: accepted.id, datasetId: dataset.id });
    await queued.bus.drain();
    expect(await (await queued.request('GET', `/v1/models/${accepted.id}`, { token })).json()).toEqual(model);
    expect(fitted.filter((e) => e.modelId === accepted.id)).toHaveLength(1);
  });

  it('records a model the worker cannot fit as failed, with the problem, and refuses what-ifs on it', async () => {
    const tenant = queued.tenant();
    const token = await queued.token(tenant);
    const dataset = await upload(queued, token, handRows(60, 2, () => ({ q3: null })));
    const accepted = await (await queued.request('POST', '/v1/models', { token, body: { datasetId: dataset.id } })).json();
    await queued.bus.drain();
    const model = await (await queued.request('GET', `/v1/models/${accepted.id}`, { token })).json();
    expect(model.status).toBe('failed');
    expect(model.problem.errors).toContainEqual(expect.objectContaining({ column: 'q3', reason: expect.stringMatching(/no respondent answered 'q3'/) }));
    expect(model.fit).toBeUndefined();
    expect(fitted.find((e) => e.modelId === accepted.id)).toMatchObject({ status: 'failed', problem: { detail: expect.stringMatching(/q3/) } });
    const predict = await queued.request('POST', `/v1/models/${accepted.id}/predict`, { token, body: { changes: [{ attribute: 'q1', op: 'add', value: 1 }] } });
    expect((await problem(predict, 422)).detail).toMatch(/failed to fit.*q3/);
  });

  it('refuses a what-if while the model is still fitting', async () => {
    const tenant = queued.tenant();
    const token = await queued.token(tenant);
    const now = new Date().toISOString();
    await queued.models.store.create(tenant, { id: 'mdl_stillfitting', datasetId: 'ds_x', state: 'pending', createdAt: now, updatedAt: now, request: {}, problem: null });
    const res = await queued.request('POST', '/v1/models/mdl_stillfitting/predict', { token, body: { changes: [{ attribute: 'q1', op: 'add', value: 1 }] } });
    expect((await problem(res, 409)).detail).toMatch(/still fitting/);
    const got = await (await queued.request('GET', '/v1/models/mdl_stillfitting', { token })).json();
    expect(got).toMatchObject({ status: 'fitting', problem: null });
  });
});

describe('data that cannot support a model', () => {
  const cases: {
    name: string;
    rows: () => Record<string, unknown>[];
    body?: Record<string, unknown>;
    status: number;
    failure: string;
    error: { field?: string; column?: string; reason?: RegExp };
  }[] = [
    {
      name: 'an attribute every respondent rated the same',
      rows: () => handRows(80, 3, () => ({ q2: 5 })),
      body: { segmentBy: 'none' },
      status: 422,
      failure: 'constant-attribute',
      error: { field: 'body.attributes', column: 'q2', reason: /same rating/ },
    },
    {
      name: 'an attribute no one answered',
      rows: () => handRows(80, 4, () => ({ q3: null })),
      body: { segmentBy: 'none', attributes: ['q1', 'q2', 'q3'] },
      status: 422,
      failure: 'unanswered-attribute',
      error: { field: 'body.attributes.2', column: 'q3' },
    },
    {
      name: 'fewer respondents than attributes',
      rows: () => handRows(3, 5, (i) => ({ q4: (i * 4) % 11, q5: (i * 7 + 2) % 11 })),
      body: { segmentBy: 'none' },
      status: 422,
      failure: 'too-few-respondents',
      error: {},
    },
    {
      name: 'every respondent giving the same ltr',
      rows: () => handRows(80, 6, () => ({ ltr: 8 })),
      body: { segmentBy: 'none' },
      status: 422,
      failure: 'constant-ltr',
      error: { column: 'ltr' },
    },
    {
      name: 'a segment of 3 respondents',
      rows: () => handRows(83, 7, (i) => (i >= 80 ? { segment: 'government' } : {})),
      status: 422,
      failure: 'small-segment',
      error: { field: 'body.segmentBy', column: 'segment', reason: /'government'/ },
    },
  ];
  for (const c of cases) {
    it(`answers ${c.status} for ${c.name}, naming it, and records the model as failed`, async () => {
      // Prepare
      const tenant = lc.tenant();
      const token = await lc.token(tenant);
      const dataset = await upload(lc, token, c.rows());
      // Act
      const res = await lc.request('POST', '/v1/models', { token, body: { datasetId: dataset.id, ...c.body } });
      // Assess
      const p = await problem(res, c.status);
      expect(p.failure).toBe(c.failure);
      expect(p.errors).toContainEqual(
        expect.objectContaining({
          ...(c.error.field ? { field: c.error.field } : {}),
          ...(c.error.column ? { column: c.error.column } : {}),
          ...(c.error.reason ? { reason: expect.stringMatching(c.error.reason) } : {}),
        }),
      );
      const failed = await (await lc.request('GET', `/v1/models/${p.modelId}`, { token })).json();
      expect(failed).toMatchObject({ id: p.modelId, datasetId: dataset.id, status: 'failed', problem: { detail: p.detail, errors: p.errors } });
      const listed = await (await lc.request('GET', `/v1/models?datasetId=${dataset.id}`, { token })).json();
      expect(listed.items.map((m: { id: string; status: string }) => [m.id, m.status])).toEqual([[p.modelId, 'failed']]);
    });
  }

  it('fits the wave with the 3-respondent segment when it is not split by segment', async () => {
    const token = await lc.token(lc.tenant());
    const dataset = await upload(lc, token, handRows(83, 7, (i) => (i >= 80 ? { segment: 'government' } : {})));
    const res = await lc.request('POST', '/v1/models', { token, body: { datasetId: dataset.id, segmentBy: 'none' } });
    expect(res.status, await res.clone().text()).toBe(201);
    expect((await res.json()).status).toBe('ready');
  });

  it('answers 400 for an unknown or repeated attribute and writes nothing', async () => {
    const tenant = lc.tenant();
    const token = await lc.token(tenant);
    const dataset = await upload(lc, token, handRows(40, 8));
    const before = await lc.itemsOf(tenant);
    const res = await lc.request('POST', '/v1/models', { token, body: { datasetId: dataset.id, attributes: ['q1', 'quality', 'q1'] } });
    const p = await problem(res, 400);
    expect(p.errors).toEqual([
      { field: 'body.attributes.1', reason: expect.stringMatching(/no attribute 'quality'/) },
      { field: 'body.attributes.2', reason: expect.stringMatching(/'q1' is listed twice/) },
    ]);
    expect(await lc.itemsOf(tenant)).toBe(before);
  });
});

describe('requests the API refuses', () => {
  it('answers 404 for an unknown dataset and 409 for an open one', async () => {
    const token = await lc.token(lc.tenant());
    const missing = await lc.request('POST', '/v1/models', { token, body: { datasetId: 'ds_nothing' } });
    expect((await problem(missing, 404)).errors).toEqual([{ field: 'body.datasetId', reason: 'no such dataset' }]);
    const open = await (await lc.request('POST', '/v1/datasets', { token, body: { name: 'open', rows: handRows(20), seal: false } })).json();
    const res = await lc.request('POST', '/v1/models', { token, body: { datasetId: open.id } });
    expect((await problem(res, 409)).detail).toMatch(/seal/);
  });

  it('names every bad field of a model request', async () => {
    const token = await lc.token(lc.tenant());
    const res = await lc.request('POST', '/v1/models', {
      token,
      body: { datasetId: '', method: 'magic', segmentBy: 'region', attributes: ['not an identifier'], options: { folds: 1 }, tenantId: 'other' },
    });
    const fields = (await problem(res, 400)).errors!.map((e) => e.field);
    expect(fields).toEqual(
      expect.arrayContaining(['body.datasetId', 'body.method', 'body.segmentBy', 'body.attributes.0', 'body.options.folds', 'body.tenantId']),
    );
    const noBody = await lc.request('POST', '/v1/models', { token, body: {} });
    expect((await problem(noBody, 400)).errors!.map((e) => e.field)).toEqual(['body.datasetId']);
  });

  it("hides one tenant's models and datasets from another", async () => {
    const tokenA = await lc.token(lc.tenant());
    const tokenB = await lc.token(lc.tenant());
    // A failed model is as much the tenant's as a ready one, and needs no maths to make.
    const dataset = await upload(lc, tokenA, handRows(60, 9, () => ({ q3: null })));
    const id = (await problem(await lc.request('POST', '/v1/models', { token: tokenA, body: { datasetId: dataset.id } }), 422)).modelId!;
    await problem(await lc.request('GET', `/v1/models/${id}`, { token: tokenB }), 404);
    await problem(await lc.request('POST', `/v1/models/${id}/predict`, { token: tokenB, body: { changes: [{ attribute: 'q1', op: 'add', value: 1 }] } }), 404);
    await problem(await lc.request('POST', '/v1/models', { token: tokenB, body: { datasetId: dataset.id } }), 404);
    expect((await (await lc.request('GET', '/v1/models', { token: tokenB })).json()).items).toEqual([]);
    expect((await lc.request('GET', `/v1/models/${id}`, { token: tokenA })).status).toBe(200);
  });

  it('answers 404 for a what-if on a model that does not exist', async () => {
    const res = await lc.request('POST', '/v1/models/mdl_nothing/predict', { token: await lc.token(lc.tenant()), body: { changes: [{ attribute: 'q1', op: 'add', value: 1 }] } });
    await problem(res, 404);
  });
});

describe('a model whose dataset is deleted', () => {
  it('stays readable but answers what-ifs with a 404 naming the dataset', async () => {
    // Prepare: the fit leaves the population cached, so this also proves the cache is not used.
    const token = await lc.token(lc.tenant());
    const dataset = await upload(lc, token, handRows(60, 12));
    const model = await (await lc.request('POST', '/v1/models', { token, body: { datasetId: dataset.id, segmentBy: 'none', method: 'ols' } })).json();
    const whatIf = { changes: [{ attribute: 'q1', op: 'add', value: 1 }] };
    expect((await lc.request('POST', `/v1/models/${model.id}/predict`, { token, body: whatIf })).status).toBe(200);
    // Act
    expect((await lc.request('DELETE', `/v1/datasets/${dataset.id}`, { token })).status).toBe(204);
    // Assess
    const res = await lc.request('POST', `/v1/models/${model.id}/predict`, { token, body: whatIf });
    expect((await problem(res, 404)).detail).toContain(`Dataset '${dataset.id}'`);
    expect((await (await lc.request('GET', `/v1/models/${model.id}`, { token })).json()).status).toBe('ready');
  });
});

describe('listing models', () => {
  it('lists newest first, by dataset, without the fitted documents, page by page', async () => {
    // Prepare: two failed models on one dataset and one on another (failures need no maths).
    const tenant = lc.tenant();
    const token = await lc.token(tenant);
    const first = await upload(lc, token, handRows(30, 10, () => ({ q3: null })));
    const second = await upload(lc, token, handRows(30, 11, () => ({ q3: null })));
    const ids: string[] = [];
    for (const datasetId of [first.id, second.id, first.id])
      ids.push((await problem(await lc.request('POST', '/v1/models', { token, body: { datasetId } }), 422)).modelId!);
    // Act
    const all = await (await lc.request('GET', '/v1/models', { token })).json();
    const ofFirst = await (await lc.request('GET', `/v1/models?datasetId=${first.id}`, { token })).json();
    const page1 = await (await lc.request('GET', `/v1/models?datasetId=${first.id}&limit=1`, { token })).json();
    const page2 = await (await lc.request('GET', `/v1/models?datasetId=${first.id}&limit=1&cursor=${page1.nextCursor}`, { token })).json();
    // Assess
    expect(all.items.map((m: { id: string }) => m.id)).toEqual([...ids].reverse());
    expect(all.nextCursor).toBeNull();
    expect(ofFirst.items.map((m: { id: string }) => m.id)).toEqual([ids[2], ids[0]]);
    expect(Object.keys(ofFirst.items[0]).sort()).toEqual(['createdAt', 'datasetId', 'id', 'problem', 'request', 'status', 'updatedAt']);
    expect([...page1.items, ...page2.items].map((m: { id: string }) => m.id)).toEqual([ids[2], ids[0]]);
    const bad = await lc.request('GET', '/v1/models?limit=0&cursor=x*y', { token });
    expect((await problem(bad, 400)).errors!.map((e) => e.field)).toContain('query.limit');
  });

  it('documents the model routes in the OpenAPI document', async () => {
    const doc = await (await lc.request('GET', '/openapi.json')).json();
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/models', '/v1/models/{id}', '/v1/models/{id}/predict']));
    expect(Object.keys(doc.paths['/v1/models'].post.responses)).toEqual(expect.arrayContaining(['201', '202', '422']));
    expect(Object.keys(doc.components.schemas)).toEqual(expect.arrayContaining(['ModelRequest', 'Model', 'WhatIf', 'WhatIfResult']));
  });
});
