/**
 * Rankings, comparison and the budget optimiser through the API, against DynamoDB Local, on the
 * demo wave and the demo scenario (seven initiatives).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { demoWave } from '../../model/demo.js';
import type { ScenarioInputRaw } from '../../model/scenario/contract.js';
import { demoScenario } from '../../functions/local/demoScenario.js';
import { createTestLiftcast, type TestLiftcast } from '../support/liftcast.js';

let lc: TestLiftcast;
let token: string;
let modelId: string;
let scenarioId: string;
let forecast: { initiatives: { id: string; roi: { estimate: number } | null; nps: { lift: number }; cost: { total: number } }[] };

const WAVE = demoWave({ seed: 5, respondents: 1500, accounts: 300 });

async function json(res: Response, status = 200): Promise<any> {
  const body = await res.clone().text();
  expect(res.status, body).toBe(status);
  return JSON.parse(body);
}

beforeAll(async () => {
  lc = await createTestLiftcast();
  const tenant = lc.tenant();
  token = await lc.token(tenant);
  const ds = await json(await lc.request('POST', '/v1/datasets', { token, body: { name: 'wave', attributes: WAVE.attributes, rows: WAVE.rows } }), 201);
  modelId = (await json(await lc.request('POST', '/v1/models', { token, body: { datasetId: ds.id } }), 201)).id;
  const created = await json(await lc.request('POST', '/v1/scenarios', { token, body: demoScenario(modelId) }), 201);
  scenarioId = created.id;
  forecast = created.forecast;
});

describe('ranking', () => {
  it('orders initiatives by the metric, pages with a cursor, and matches the stored forecast', async () => {
    const all = await json(await lc.request('GET', `/v1/scenarios/${scenarioId}/ranking?by=roi&limit=100`, { token }));
    const expected = [...forecast.initiatives].sort((a, b) => (b.roi?.estimate ?? -Infinity) - (a.roi?.estimate ?? -Infinity)).map((i) => i.id);
    expect(all.items.map((i: { id: string }) => i.id)).toEqual(expected);
    expect(all.items[0].probabilityAboveNext).toBeGreaterThanOrEqual(0);
    const first = await json(await lc.request('GET', `/v1/scenarios/${scenarioId}/ranking?by=roi&limit=3`, { token }));
    expect(first.items).toHaveLength(3);
    const second = await json(await lc.request('GET', `/v1/scenarios/${scenarioId}/ranking?by=roi&limit=3&cursor=${first.nextCursor}`, { token }));
    expect([...first.items, ...second.items].map((i: { id: string }) => i.id)).toEqual(expected.slice(0, 6));
    expect(second.items[0].rank).toBe(4);
  });

  it('ranks payback shortest first and a segment by its own lift; an unknown segment is a 400', async () => {
    const payback = await json(await lc.request('GET', `/v1/scenarios/${scenarioId}/ranking?by=paybackMonths`, { token }));
    const months = payback.items.map((i: { paybackMonths: number | null }) => i.paybackMonths).filter((m: number | null) => m !== null);
    expect(months).toEqual([...months].sort((a: number, b: number) => a - b));
    const smb = await json(await lc.request('GET', `/v1/scenarios/${scenarioId}/ranking?by=npsLift&segment=smb`, { token }));
    expect(smb.segment).toBe('smb');
    const lifts = smb.items.map((i: { npsLift: number }) => i.npsLift);
    expect(lifts).toEqual([...lifts].sort((a: number, b: number) => b - a));
    const bad = await lc.request('GET', `/v1/scenarios/${scenarioId}/ranking?by=npsLift&segment=mars`, { token });
    expect(bad.status).toBe(400);
    expect((await bad.json()).errors[0].field).toBe('query.segment');
  });

  it('keeps scenario order on ties', async () => {
    const twin: ScenarioInputRaw = {
      name: 'Twins',
      modelId,
      initiatives: ['b-second', 'a-first', 'c-third'].map((id) => ({ id, name: id, effects: [{ attribute: 'reliability', op: 'add', value: 1 }], cost: { oneTime: 100_000 } })),
    };
    const created = await json(await lc.request('POST', '/v1/scenarios', { token, body: twin }), 201);
    const ranked = await json(await lc.request('GET', `/v1/scenarios/${created.id}/ranking?by=npsLift`, { token }));
    expect(ranked.items.map((i: { id: string }) => i.id)).toEqual(['b-second', 'a-first', 'c-third']);
    expect(ranked.items[0].probabilityAboveNext).toBeCloseTo(0.5, 9);
  });

  it('serves CSV for spreadsheets with formula-looking text neutralised', async () => {
    const evil: ScenarioInputRaw = {
      name: 'Evil names',
      modelId,
      initiatives: [
        { id: 'formula', name: '=HYPERLINK("http://evil.example","click")', effects: [{ attribute: 'reliability', op: 'add', value: 1 }], cost: { oneTime: 1000 } },
        { id: 'plus', name: '+1+2', effects: [{ attribute: 'support_responsiveness', op: 'add', value: 1 }], cost: { oneTime: 1000 } },
        { id: 'at', name: '@SUM(A1)', effects: [{ attribute: 'onboarding', op: 'add', value: 1 }], cost: { oneTime: 1000 } },
        { id: 'minus', name: '-2+3', effects: [{ attribute: 'features', op: 'add', value: 1 }], cost: { oneTime: 1000 } },
      ],
    };
    const created = await json(await lc.request('POST', '/v1/scenarios', { token, body: evil }), 201);
    const res = await lc.request('GET', `/v1/scenarios/${created.id}/ranking?by=npsLift`, { token, headers: { accept: 'text/csv' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toContain('text/csv');
    const csv = await res.text();
    const names = csv.trim().split('\r\n').slice(1).map((line) => line.split(',')[2]);
    expect(csv).toContain(`"'=HYPERLINK(""http://evil.example""`);
    for (const raw of ['+1+2', '@SUM(A1)', '-2+3']) expect(names).toContain(`'${raw}`);
    const viaQuery = await lc.request('GET', `/v1/scenarios/${created.id}/ranking?by=npsLift&format=csv`, { token });
    expect(await viaQuery.text()).toBe(csv);
  });

  it('another tenant cannot rank this scenario', async () => {
    const other = await lc.token(lc.tenant());
    expect((await lc.request('GET', `/v1/scenarios/${scenarioId}/ranking`, { token: other })).status).toBe(404);
  });
});

describe('rankings across scenarios and comparison', () => {
  it('ranks every scenario’s initiatives together, each with its scenario', async () => {
    const all = await json(await lc.request('GET', '/v1/rankings?by=npsLift&limit=100', { token }));
    expect(all.items.some((i: { scenarioId: string }) => i.scenarioId === scenarioId)).toBe(true);
    const lifts = all.items.map((i: { value: number }) => i.value);
    expect(lifts).toEqual([...lifts].sort((a: number, b: number) => b - a));
    expect(all.items.filter((i: { scenarioId: string }) => i.scenarioId === scenarioId)).toHaveLength(7);
  });

  it('compares portfolios side by side with the difference of each pair', async () => {
    const other = await json(
      await lc.request('POST', '/v1/scenarios', { token, body: { ...demoScenario(modelId), name: 'Lean', initiatives: demoScenario(modelId).initiatives.slice(0, 2) } }),
      201,
    );
    const cmp = await json(await lc.request('POST', '/v1/compare', { token, body: { scenarios: [scenarioId, other.id] } }));
    expect(cmp.scenarios.map((s: { id: string }) => s.id)).toEqual([scenarioId, other.id]);
    expect(cmp.differences).toHaveLength(1);
    const d = cmp.differences[0];
    expect(d.npsLift.value).toBeCloseTo(cmp.scenarios[0].nps.lift - cmp.scenarios[1].nps.lift, 9);
    expect(d.npsLift.interval[0]).toBeLessThan(d.npsLift.value);
    expect((await lc.request('POST', '/v1/compare', { token, body: { scenarios: [scenarioId, scenarioId] } })).status).toBe(400);
    expect((await lc.request('POST', '/v1/compare', { token, body: { scenarios: [scenarioId, 'scn_nope'] } })).status).toBe(404);
  });
});

describe('optimiser', () => {
  it('selects the best portfolio within the budget, with its forecast and a monotone frontier', async () => {
    const total = forecast.initiatives.reduce((s, i) => s + i.cost.total, 0);
    const budget = 0.5 * total;
    const out = await json(await lc.request('POST', `/v1/scenarios/${scenarioId}/optimize`, { token, body: { budget, objective: 'npsLift' } }));
    expect(out.method).toBe('exact'); // seven initiatives: every subset through the model
    expect(out.value.cost).toBeLessThanOrEqual(budget);
    expect(out.selected.length).toBeGreaterThan(0);
    expect(out.forecast.nps.lift).toBeCloseTo(out.value.npsLift, 6);
    for (let l = 1; l < out.frontier.length; l++) expect(out.frontier[l].objective).toBeGreaterThanOrEqual(out.frontier[l - 1].objective);
    for (const p of out.frontier) expect(p.cost).toBeLessThanOrEqual(p.budget * (1 + 1e-12));
    const npv = await json(await lc.request('POST', `/v1/scenarios/${scenarioId}/optimize`, { token, body: { budget } }));
    expect(npv.objective).toBe('npv');
  });

  it('honours must-include and exclude, and says clearly when no portfolio fits', async () => {
    const total = forecast.initiatives.reduce((s, i) => s + i.cost.total, 0);
    const out = await json(
      await lc.request('POST', `/v1/scenarios/${scenarioId}/optimize`, { token, body: { budget: total, objective: 'npsLift', mustInclude: ['incident-reduction'], exclude: ['onboarding-programme'] } }),
    );
    expect(out.selected).toContain('incident-reduction');
    expect(out.selected).not.toContain('onboarding-programme');
    const tooSmall = await lc.request('POST', `/v1/scenarios/${scenarioId}/optimize`, { token, body: { budget: 10, mustInclude: ['incident-reduction'] } });
    expect(tooSmall.status).toBe(422);
    expect((await tooSmall.json()).detail).toMatch(/budget/);
    const unknown = await lc.request('POST', `/v1/scenarios/${scenarioId}/optimize`, { token, body: { budget: total, exclude: ['nope'] } });
    expect(unknown.status).toBe(400);
    expect((await unknown.json()).errors[0].field).toBe('body.exclude.0');
    expect((await lc.request('POST', `/v1/scenarios/${scenarioId}/optimize`, { token, body: { budget: -1 } })).status).toBe(400);
  });
});
