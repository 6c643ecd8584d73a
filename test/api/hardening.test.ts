/**
 * Bad input gets a clear error and nothing is lost, for the classes of input a reliability and
 * security review found getting through: control and invisible characters in names and cells,
 * bodies that are not UTF-8, tokens without an expiry, huge whole numbers, a replayed key after a
 * delete, a fit racing a delete, a body on seal.
 */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parse } from 'csv-parse/sync';
import { sign } from 'hono/jwt';
import { beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_AUDIENCE, LOCAL_ISSUER } from '../../functions/http/identity.js';
import { demoWave } from '../../model/demo.js';
import { createTestLiftcast, TEST_SECRET, toCsv, type TestLiftcast, type TestResponse } from '../support/liftcast.js';
import { SMALL_WAVE } from '../support/waves.js';

let lc: TestLiftcast;
let queued: TestLiftcast;

beforeAll(async () => {
  [lc, queued] = await Promise.all([createTestLiftcast(), createTestLiftcast({ syncRowLimit: 0 })]);
});

type Problem = { status: number; detail: string; errors?: { field?: string; row?: number | null; line?: number; column?: string; reason: string }[] };

async function problem(res: TestResponse, status: number): Promise<Problem> {
  const body = (await res.json()) as Problem;
  expect(res.status, JSON.stringify(body)).toBe(status);
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  return body;
}

const DEMO = demoWave({ seed: 3, respondents: 400, accounts: 100 });

async function demoModel(app: TestLiftcast, token: string): Promise<{ datasetId: string; modelId: string }> {
  const dataset = await (await app.request('POST', '/v1/datasets', { token, body: { name: 'demo', rows: DEMO.rows } })).json();
  const model = await (await app.request('POST', '/v1/models', { token, body: { datasetId: dataset.id, method: 'ols' } })).json();
  expect(model.status).toBe('ready');
  return { datasetId: dataset.id, modelId: model.id };
}

const scenario = (modelId: string, patch: Record<string, unknown> = {}, initiative: Record<string, unknown> = {}) => ({
  name: 'Plan',
  modelId,
  initiatives: [{ id: 'support-desk', name: 'Support desk', effects: [{ attribute: DEMO.attributes[0]!.name, op: 'add', value: 1 }], cost: { oneTime: 1000 }, ...initiative }],
  ...patch,
});

describe('control and invisible characters', () => {
  const BAD = ['Q3\u0000wave', 'bell\u0007', '\u001b[31mred', 'two\nlines', 'evil\u202Etxt.exe', 'del\u007f', 'nel\u0085', 'lone\ud800'];

  it('are refused in a dataset name, by query and by JSON body, naming the field', async () => {
    const token = await lc.token(lc.tenant());
    for (const name of BAD) {
      // A lone surrogate cannot be percent-encoded: a client sends its bytes, which are not UTF-8.
      const query = name.includes('\ud800') ? 'lone%ED%A0%80' : encodeURIComponent(name);
      const byQuery = await lc.request('POST', `/v1/datasets?name=${query}`, { token, csv: SMALL_WAVE });
      expect((await problem(byQuery, 400)).errors!.map((e) => e.field)).toContain('query.name');
      const byBody = await lc.request('POST', '/v1/datasets', { token, body: { name, rows: [] } });
      expect((await problem(byBody, 400)).errors!.map((e) => e.field)).toContain('body.name');
    }
    expect((await lc.request('GET', '/v1/datasets', { token }).then((r) => r.json())).items).toEqual([]);
  });

  it('are refused in scenario and initiative names and attribute labels; a description may hold tabs and newlines', async () => {
    const token = await lc.token(lc.tenant());
    const { modelId } = await demoModel(lc, token);
    for (const name of BAD) {
      expect((await problem(await lc.request('POST', '/v1/scenarios', { token, body: scenario(modelId, { name }) }), 400)).errors!.map((e) => e.field)).toContain('body.name');
      expect((await problem(await lc.request('POST', '/v1/scenarios', { token, body: scenario(modelId, {}, { name }) }), 400)).errors!.map((e) => e.field)).toContain('body.initiatives.0.name');
    }
    const ok = await lc.request('POST', '/v1/scenarios', { token, body: scenario(modelId, { description: 'Line one\n\tindented' }) });
    expect(ok.status).toBe(201);
    const label = await lc.request('POST', '/v1/datasets', { token, body: { name: 'x', attributes: [{ name: 'q', kind: 'product', label: 'Ease\u0007' }], rows: [] } });
    expect((await problem(label, 400)).errors!.map((e) => e.field)).toContain('body.attributes.0.label');
  });

  it('in a CSV cell are a row error naming the row, line and column, and nothing is stored', async () => {
    const tenant = lc.tenant();
    const token = await lc.token(tenant);
    const csv = SMALL_WAVE.replace('r3,A2,smb', 'r3,A2,s\u0000mb').replace('r5,A3,enterprise,operational_user', 'r5,A3,enterprise,oper\u001bational');
    const res = await problem(await lc.request('POST', '/v1/datasets?name=w', { token, csv }), 400);
    expect(res.errors!.map((e) => [e.row, e.line, e.column])).toEqual([
      [3, 4, 'segment'],
      [5, 6, 'role'],
    ]);
    expect(res.errors![0]!.reason).toContain('U+0000 (NUL)');
    expect(JSON.stringify(res)).not.toMatch(/\\u0000|\\u001b/);
    expect(await lc.itemsOf(tenant)).toBe(0);
  });
});

describe('bodies that are not UTF-8', () => {
  it('a CSV upload gets a row error for each bad line, never a silent U+FFFD', async () => {
    const tenant = lc.tenant();
    const token = await lc.token(tenant);
    const text = Buffer.from(SMALL_WAVE, 'utf8');
    const bytes = Buffer.concat([text.subarray(0, text.indexOf('r2,')), Buffer.from([0x72, 0x32, 0xff]), text.subarray(text.indexOf('r2,') + 2)]);
    const res = await problem(await lc.request('POST', '/v1/datasets?name=w', { token, body: new Uint8Array(bytes), headers: { 'content-type': 'text/csv' } }), 400);
    expect(res.errors).toEqual([{ row: 2, line: 3, reason: expect.stringContaining('not valid UTF-8 (byte 0xFF at byte 3 of the line)') }]);
    expect(await lc.itemsOf(tenant)).toBe(0);
  });

  it('a JSON body is refused as malformed, naming the line', async () => {
    const token = await lc.token(lc.tenant());
    const bytes = Buffer.concat([Buffer.from('{\n"name": "'), Buffer.from([0xc3, 0x28]), Buffer.from('", "rows": []}')]);
    const res = await problem(await lc.request('POST', '/v1/datasets', { token, body: new Uint8Array(bytes) }), 400);
    expect(res.errors).toEqual([{ field: 'body', line: 2, reason: expect.stringContaining('byte 0xC3') }]);
  });
});

describe('tokens', () => {
  it('a correctly signed token without exp is refused', async () => {
    const now = Math.floor(Date.now() / 1000);
    const noExp = await sign({ sub: 'a', tenant: 't-noexp', scope: 'read', iss: LOCAL_ISSUER, aud: LOCAL_AUDIENCE, iat: now }, TEST_SECRET, 'HS256');
    const res = await problem(await lc.request('GET', '/v1/datasets', { token: noExp }), 401);
    expect(res.errors!.map((e) => e.field)).toEqual(['token.exp']);
  });
});

describe('whole numbers', () => {
  it('2^60 for horizonYears or rampMonths names the field’s own maximum', async () => {
    const token = await lc.token(lc.tenant());
    const { modelId } = await demoModel(lc, token);
    const res = await problem(await lc.request('POST', '/v1/scenarios', { token, body: scenario(modelId, { horizonYears: 2 ** 60 }, { rampMonths: 2 ** 60 }) }), 400);
    const reasons = Object.fromEntries(res.errors!.map((e) => [e.field, e.reason]));
    expect(reasons['body.horizonYears']).toMatch(/<=\s?10\b/);
    expect(reasons['body.initiatives.0.rampMonths']).toMatch(/<=\s?120\b/);
    expect(JSON.stringify(res)).not.toContain('9007199254740991');
  });
});

describe('replays, races and bodiless routes', () => {
  it('replaying a dataset’s Idempotency-Key after the dataset was deleted answers 409, as scenarios do', async () => {
    const token = await lc.token(lc.tenant());
    const headers = { 'idempotency-key': 'upload-0001-aaaa' };
    const first = await lc.request('POST', '/v1/datasets?name=w', { token, csv: SMALL_WAVE, headers });
    expect(first.status).toBe(201);
    const { id } = await first.json();
    expect((await lc.request('DELETE', `/v1/datasets/${id}`, { token })).status).toBe(204);
    const again = await problem(await lc.request('POST', '/v1/datasets?name=w', { token, csv: SMALL_WAVE, headers }), 409);
    expect(again.errors).toEqual([{ field: 'header.Idempotency-Key', reason: expect.stringContaining(id) }]);
    expect((await lc.request('GET', `/v1/datasets/${id}`, { token })).status).toBe(404);
  });

  for (const [label, app] of [['in the request', () => lc], ['by the worker', () => queued]] as const)
    it(`a model fitted ${label} while its dataset is deleted ends failed, saying why`, async () => {
      const t = app();
      const token = await t.token(t.tenant());
      const dataset = await (await t.request('POST', '/v1/datasets', { token, body: { name: 'demo', rows: DEMO.rows } })).json();
      // The delete lands after the fit has read every respondent and before it stores the model.
      const store = t.datasets.store;
      const read = store.readColumns.bind(store);
      store.readColumns = async function* (tenant, meta) {
        yield* read(tenant, meta);
        await store.delete(tenant, meta.dataset.id);
      };
      try {
        const res = await t.request('POST', '/v1/models', { token, body: { datasetId: dataset.id, method: 'ols' } });
        let id: string;
        if (t === queued) {
          expect(res.status).toBe(202);
          id = (await res.json()).id;
          await t.bus.drain();
        } else {
          expect((await problem(res, 409)).errors).toEqual([{ field: 'body.datasetId', reason: expect.stringContaining('deleted during the fit') }]);
          id = (await (await t.request('GET', `/v1/models?datasetId=${dataset.id}`, { token })).json()).items[0].id;
        }
        const model = await (await t.request('GET', `/v1/models/${id}`, { token })).json();
        expect(model.status).toBe('failed');
        expect(model.problem.title).toBe('The dataset is gone');
        expect(model.problem.detail).toContain(dataset.id);
      } finally {
        store.readColumns = read;
      }
    });

  it('seal takes no body: none or {} seals, malformed JSON is a 400, another media type a 415', async () => {
    const token = await lc.token(lc.tenant());
    const open = async () => (await (await lc.request('POST', '/v1/datasets?name=w&seal=false', { token, csv: SMALL_WAVE })).json()).id as string;
    const a = await open();
    expect((await problem(await lc.request('POST', `/v1/datasets/${a}/seal`, { token, body: '{"x":' }), 400)).status).toBe(400);
    expect((await problem(await lc.request('POST', `/v1/datasets/${a}/seal`, { token, body: { extra: 1 } }), 400)).errors!.map((e) => e.field)).toContain('body.extra');
    await problem(await lc.request('POST', `/v1/datasets/${a}/seal`, { token, body: 'x', headers: { 'content-type': 'text/plain' } }), 415);
    expect((await (await lc.request('GET', `/v1/datasets/${a}`, { token })).json()).status).toBe('open');
    expect((await lc.request('POST', `/v1/datasets/${a}/seal`, { token, body: {} })).status).toBe(200);
    const b = await open();
    expect((await lc.request('POST', `/v1/datasets/${b}/seal`, { token })).status).toBe(200);
  });
});

describe('missing-value codes', () => {
  it('read a declared code exactly like a blank, per upload and per attribute, and still refuse undeclared out-of-scale values', async () => {
    const token = await lc.token(lc.tenant());
    const rows = [
      { respondent_id: 'r1', account_id: 'A', segment: 's', ltr: 9, q: -99, p: 'N/A' },
      { respondent_id: 'r2', account_id: 'A', segment: 's', ltr: 7, q: 4, p: "Don't know" },
      { respondent_id: 'r3', account_id: 'B', segment: 's', ltr: 3, q: 2, p: 99 },
      { respondent_id: 'r4', account_id: 'B', segment: 's', ltr: 8, q: '', p: 3 },
    ];
    const csv = toCsv(rows);
    const byQuery = await lc.request('POST', `/v1/datasets?name=w&scale=1-5&missing=-99&missingFor=${encodeURIComponent("p:N/A|don't know|99")}`, { token, csv });
    expect(byQuery.status).toBe(201);
    const summary = (await byQuery.json()).summary.attributes;
    expect(summary.map((a: { answeredShare: number }) => a.answeredShare)).toEqual([0.5, 0.25]);
    expect(summary[0].mean).toBe(3);
    const byJson = await lc.request('POST', '/v1/datasets', {
      token,
      body: { name: 'w', missing: [-99], attributes: [{ name: 'q', kind: 'product', scale: [1, 5] }, { name: 'p', kind: 'service', scale: [1, 5], missing: ['n/a', "DON'T KNOW", 99] }], rows },
    });
    expect((await byJson.json()).summary.attributes.map((a: { answeredShare: number }) => a.answeredShare)).toEqual([0.5, 0.25]);
    const undeclared = await problem(await lc.request('POST', '/v1/datasets?name=w&scale=1-5&missing=-99', { token, csv }), 400);
    expect(undeclared.errors!.map((e) => [e.row, e.column])).toEqual([
      [1, 'p'],
      [2, 'p'],
      [3, 'p'],
    ]);
    const inside = await problem(await lc.request('POST', '/v1/datasets?name=w&scale=1-5&missing=3', { token, csv }), 400);
    expect(inside.errors![0]!.reason).toContain('inside the scale');
  });

  it('the real corporate-reputation survey (−99 = missing) uploads with missing=-99, every answeredShare equal to a direct count', async () => {
    // Prepare: ../shared/data/surveys/corp_rep_data.csv, 344 respondents on 1–7 items (occupation 1–13).
    // ltr is the 1–7 recommend item cusl_1 on the NPS scale, round((x − 1)·10/6); its 3 blanks are left out.
    const file = resolve(process.env.LIFTCAST_SURVEYS_DIR ?? '../shared/data/surveys', 'corp_rep_data.csv');
    const records = parse(await readFile(file, 'utf8'), { columns: true }) as Record<string, string>[];
    const attributes = Object.keys(records[0]!).filter((c) => c !== 'respondent_id' && c !== 'cusl_1');
    const rows = records
      .filter((r) => r.cusl_1 !== '-99')
      .map((r) => ({ respondent_id: r.respondent_id, account_id: `acc-${r.respondent_id}`, segment: `type-${r.servicetype}`, ltr: Math.round(((Number(r.cusl_1) - 1) * 10) / 6), ...Object.fromEntries(attributes.map((a) => [a, r[a]])) }));
    const token = await lc.token(lc.tenant());
    // Act
    const refused = await lc.request('POST', '/v1/datasets?name=corp&scale=1-7&scales=occupation:1-13', { token, csv: toCsv(rows) });
    const res = await lc.request('POST', '/v1/datasets?name=corp&scale=1-7&scales=occupation:1-13&missing=-99', { token, csv: toCsv(rows) });
    // Assess
    expect((await problem(refused, 400)).errors![0]!.reason).toContain('-99 is outside the scale');
    expect(res.status).toBe(201);
    const dataset = await res.json();
    expect(dataset.summary.respondents).toBe(341);
    for (const a of dataset.summary.attributes) {
      const answered = rows.filter((r) => (r as Record<string, unknown>)[a.name] !== '-99').length;
      expect(a.answeredShare, a.name).toBeCloseTo(answered / rows.length, 12);
    }
    // The codes were really there: several attributes are not fully answered.
    expect(dataset.summary.attributes.filter((a: { answeredShare: number }) => a.answeredShare < 1).length).toBeGreaterThanOrEqual(6);
  });
});
