/**
 * The datasets API against DynamoDB Local: uploads round-trip, summaries are right, bad input is
 * rejected whole with the row at fault and leaves nothing behind, tenants are isolated.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { sign } from 'hono/jwt';
import { LOCAL_AUDIENCE, LOCAL_ISSUER } from '../../functions/http/identity.js';
import { createTestLiftcast, TEST_SECRET, toCsv, type TestLiftcast, type TestResponse } from '../support/liftcast.js';
import { SMALL_WAVE } from '../support/waves.js';


let lc: TestLiftcast;
beforeAll(async () => {
  lc = await createTestLiftcast();
});

async function problem(res: TestResponse) {
  expect(res.headers.get('content-type')).toContain('application/problem+json');
  return (await res.json()) as { type: string; title: string; status: number; detail: string; errors?: { row?: number | null; line?: number; column?: string; field?: string; reason: string }[]; errorCount?: number };
}

describe('uploading a wave', () => {
  it('stores a CSV wave and returns a summary whose NPS matches the hand-computed value', async () => {
    // Prepare
    const tenant = lc.tenant();
    const token = await lc.token(tenant);
    // Act
    const res = await lc.request('POST', '/v1/datasets?name=Q3%20wave&product=ease_of_use&service=onboarding', { token, csv: SMALL_WAVE });
    // Assess
    expect(res.status).toBe(201);
    const body = await res.json();
    expect(res.headers.get('location')).toBe(`/v1/datasets/${body.id}`);
    expect(body).toMatchObject({ name: 'Q3 wave', status: 'sealed', rowCount: 6 });
    const s = body.summary;
    expect(s.respondents).toBe(6);
    expect(s.accounts).toBe(4);
    expect(s.nps).toMatchObject({ score: 0, promoters: 2, passives: 2, detractors: 2 });
    expect(s.nps.bySegment.smb).toEqual({ score: (100 * 2) / 3, promoters: 2, passives: 1, detractors: 0, respondents: 3 });
    expect(s.nps.bySegment.enterprise).toEqual({ score: (-100 * 2) / 3, promoters: 0, passives: 1, detractors: 2, respondents: 3 });
    expect(s.nps.byRole.gatekeeper).toEqual({ score: 0, promoters: 1, passives: 0, detractors: 1, respondents: 2 });
    expect(s.attributes).toEqual([
      { name: 'ease_of_use', kind: 'product', scale: [0, 10], mean: 37 / 6, answeredShare: 1 },
      { name: 'onboarding', kind: 'service', scale: [0, 10], mean: 5.4, answeredShare: 5 / 6 },
    ]);
    const again = await lc.request('GET', `/v1/datasets/${body.id}`, { token });
    expect(await again.json()).toEqual(body);
  });

  it('reads back exactly the respondents that a JSON upload sent, missing answers included', async () => {
    const tenant = lc.tenant();
    const token = await lc.token(tenant);
    const rows = Array.from({ length: 250 }, (_, i) => ({
      respondent_id: `R${i}`,
      account_id: `A${i % 40}`,
      segment: ['smb', 'mid_market', 'enterprise'][i % 3]!,
      role: i % 5 === 0 ? null : 'operational_user',
      wave: '2026-06-30',
      account_revenue: (i % 40) * 1000,
      ltr: i % 11,
      price: i % 7 === 0 ? null : (i % 5) + 1,
      support: 2.5 + (i % 3),
    }));
    const res = await lc.request('POST', '/v1/datasets', {
      token,
      body: { name: 'json wave', attributes: [{ name: 'price', kind: 'product', scale: [1, 5] }, { name: 'support', kind: 'service', label: 'Support' }], rows },
    });
    expect(res.status).toBe(201);
    const created = await res.json();
    expect(created.attributes).toEqual([
      { name: 'price', kind: 'product', scale: [1, 5] },
      { name: 'support', kind: 'service', label: 'Support', scale: [0, 10] },
    ]);
    const meta = await lc.datasets.store.getMeta(tenant, created.id);
    const back: Record<string, unknown>[] = [];
    for await (const c of lc.datasets.store.readColumns(tenant, meta!))
      for (let i = 0; i < c.size; i++)
        back.push({
          respondent_id: c.respondentId[i],
          account_id: c.accountId[i],
          segment: c.segment[i],
          role: c.role[i],
          wave: c.wave[i],
          account_revenue: c.accountRevenue[i],
          ltr: c.ltr[i],
          price: Number.isNaN(c.ratings[0]![i]!) ? null : c.ratings[0]![i],
          support: c.ratings[1]![i],
        });
    expect(back).toEqual(rows);
  });

  it('takes attribute scales from the CSV query and rejects a rating outside its scale', async () => {
    const tenant = lc.tenant();
    const token = await lc.token(tenant);
    const csv = 'respondent_id,account_id,segment,ltr,price,support\nr1,A,smb,9,5,10\nr2,A,smb,9,6,1\n';
    const res = await lc.request('POST', '/v1/datasets?name=w&scale=1-5&scales=support:0-10', { token, csv });
    expect(res.status).toBe(400);
    const p = await problem(res);
    expect(p.errors).toEqual([{ row: 2, line: 3, column: 'price', reason: 'rating 6 is outside the scale 1–5' }]);
    const ok = await lc.request('POST', '/v1/datasets?name=w&scale=1-5&scales=support:0-10', { token, csv: csv.replace(',6,1', ',4,1') });
    expect(ok.status).toBe(201);
    expect((await ok.json()).attributes.map((a: { scale: number[] }) => a.scale)).toEqual([
      [1, 5],
      [0, 10],
    ]);
  });
});

describe('rejecting bad input', () => {
  const header = 'respondent_id,account_id,segment,ltr,quality';
  const cases: { name: string; csv: string; expected: { row?: number | null; column?: string; reason: RegExp } }[] = [
    { name: 'an ltr of 11', csv: `${header}\nr1,A,smb,9,5\nr2,A,smb,11,5`, expected: { row: 2, column: 'ltr', reason: /whole number from 0 to 10, got '11'/ } },
    { name: 'a fractional ltr', csv: `${header}\nr1,A,smb,8.5,5`, expected: { row: 1, column: 'ltr', reason: /whole number/ } },
    { name: 'a rating of "abc"', csv: `${header}\nr1,A,smb,9,abc`, expected: { row: 1, column: 'quality', reason: /'abc' is not a number/ } },
    { name: 'a duplicated respondent_id', csv: `${header}\nr1,A,smb,9,5\nr1,B,smb,7,5`, expected: { row: 2, column: 'respondent_id', reason: /duplicate respondent_id 'r1' \(first on row 1\)/ } },
    { name: 'a missing required column', csv: 'respondent_id,account_id,ltr,quality\nr1,A,9,5', expected: { row: null, column: 'segment', reason: /required column 'segment' is missing/ } },
    { name: 'a ragged row', csv: `${header}\nr1,A,smb,9,5\nr2,A,smb,9`, expected: { row: 2, reason: /4 cells but the header has 5/ } },
    { name: 'an empty file', csv: '', expected: { row: null, reason: /empty/ } },
    { name: 'a header without rows', csv: `${header}\n`, expected: { row: null, reason: /no data rows/ } },
    { name: 'an empty required cell', csv: `${header}\nr1,,smb,9,5`, expected: { row: 1, column: 'account_id', reason: /required but empty/ } },
    { name: 'a column name that is not an identifier', csv: 'respondent_id,account_id,segment,ltr,ease of use\nr1,A,smb,9,5', expected: { row: null, column: 'ease of use', reason: /identifier/ } },
    { name: 'a date that is not ISO', csv: 'respondent_id,account_id,segment,ltr,wave\nr1,A,smb,9,30/06/2026', expected: { row: 1, column: 'wave', reason: /ISO date/ } },
    { name: 'negative revenue', csv: 'respondent_id,account_id,segment,ltr,account_revenue\nr1,A,smb,9,-5', expected: { row: 1, column: 'account_revenue', reason: /≥ 0/ } },
    { name: 'an unclosed quote', csv: `${header}\nr1,A,"smb,9,5`, expected: { row: null, reason: /quote/i } },
  ];
  for (const c of cases) {
    it(`rejects ${c.name} with a 400 naming the row, and stores nothing`, async () => {
      const tenant = lc.tenant();
      const res = await lc.request('POST', '/v1/datasets?name=bad', { token: await lc.token(tenant), csv: c.csv });
      expect(res.status).toBe(400);
      const p = await problem(res);
      expect(p.type).toBe('/problems/validation');
      const match = p.errors!.find((e) => c.expected.reason.test(e.reason));
      expect(match, JSON.stringify(p.errors)).toBeDefined();
      if (c.expected.row !== undefined) expect(match!.row).toBe(c.expected.row);
      if (c.expected.column !== undefined) expect(match!.column).toBe(c.expected.column);
      expect(await lc.itemsOf(tenant)).toBe(0);
    });
  }

  it('lists the first 100 problems of a file with 150 and counts them all', async () => {
    const tenant = lc.tenant();
    const rows = Array.from({ length: 150 }, (_, i) => `r${i},A,smb,12,5`);
    const res = await lc.request('POST', '/v1/datasets?name=bad', { token: await lc.token(tenant), csv: `respondent_id,account_id,segment,ltr,q\n${rows.join('\n')}` });
    const p = await problem(res);
    expect(p.errors).toHaveLength(100);
    expect(p.errorCount).toBe(150);
    expect(p.errors![99]).toMatchObject({ row: 100, line: 101, column: 'ltr' });
    expect(await lc.itemsOf(tenant)).toBe(0);
  });

  it('rejects malformed JSON with a 400 problem', async () => {
    const res = await lc.request('POST', '/v1/datasets', { token: await lc.token(lc.tenant()), body: '{"name": "x", "rows": [' });
    expect(res.status).toBe(400);
    expect((await problem(res)).type).toBe('/problems/malformed-request');
  });

  it('names the JSON field at fault, for every bad field at once', async () => {
    const res = await lc.request('POST', '/v1/datasets', {
      token: await lc.token(lc.tenant()),
      body: { name: '', rows: [{ respondent_id: 'r1', ok: true }], attributes: [{ name: 'q', kind: 'brand' }], tenantId: 'other' },
    });
    expect(res.status).toBe(400);
    const fields = (await problem(res)).errors!.map((e) => e.field);
    expect(fields).toEqual(expect.arrayContaining(['body.name', 'body.rows.0.ok', 'body.attributes.0.kind']));
    expect(fields.some((f) => f?.startsWith('body') && /tenantId|^body$/.test(f))).toBe(true);
  });

  it('rejects a JSON row whose attribute is described with a scale it breaks', async () => {
    const tenant = lc.tenant();
    const res = await lc.request('POST', '/v1/datasets', {
      token: await lc.token(tenant),
      body: { name: 'x', attributes: [{ name: 'q', kind: 'product', scale: [1, 7] }], rows: [{ respondent_id: 'r1', account_id: 'A', segment: 's', ltr: 9, q: 0 }] },
    });
    expect(res.status).toBe(400);
    expect((await problem(res)).errors).toEqual([{ row: 1, column: 'q', reason: 'rating 0 is outside the scale 1–7' }]);
    expect(await lc.itemsOf(tenant)).toBe(0);
  });

  it('answers 413 for more rows than one request may carry, pointing to batches', async () => {
    const tenant = lc.tenant();
    const rows = Array.from({ length: 100_001 }, (_, i) => `${i},A,s,9`);
    const res = await lc.request('POST', '/v1/datasets?name=big', { token: await lc.token(tenant), csv: `respondent_id,account_id,segment,ltr\n${rows.join('\n')}` });
    expect(res.status).toBe(413);
    expect((await problem(res)).detail).toMatch(/\/v1\/datasets\/\{id\}\/rows/);
    expect(await lc.itemsOf(tenant)).toBe(0);
  });

  it('answers 413 for a body over 6 MB', async () => {
    const res = await lc.request('POST', '/v1/datasets?name=big', { token: await lc.token(lc.tenant()), csv: `respondent_id,account_id,segment,ltr,q\n${'x'.repeat(6 * 1024 * 1024 + 10)}` });
    expect(res.status).toBe(413);
    await problem(res);
  });

  it('answers 415 for a body that is neither CSV nor JSON', async () => {
    const res = await lc.request('POST', '/v1/datasets?name=x', { token: await lc.token(lc.tenant()), csv: SMALL_WAVE, headers: { 'content-type': 'text/plain' } });
    expect(res.status).toBe(415);
    await problem(res);
  });

  it('answers 404 and 405 as problems for unknown routes and wrong methods', async () => {
    const token = await lc.token(lc.tenant());
    const missing = await lc.request('GET', '/v1/nothing-here', { token });
    expect(missing.status).toBe(404);
    await problem(missing);
    const wrong = await lc.request('PATCH', '/v1/datasets', { token });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toContain('POST');
    await problem(wrong);
  });
});

describe('authentication and tenancy', () => {
  it('refuses a request without a bearer token', async () => {
    const res = await lc.request('GET', '/v1/datasets');
    expect(res.status).toBe(401);
    expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
    await problem(res);
  });

  it('refuses a token signed with another secret, and an expired one', async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: 'x', tenant: 'acme', scope: 'read', iss: LOCAL_ISSUER, aud: LOCAL_AUDIENCE, iat: now - 100, exp: now + 100 };
    const forged = await sign(claims, 'another-secret-0123456789', 'HS256');
    expect((await lc.request('GET', '/v1/datasets', { token: forged })).status).toBe(401);
    const expired = await sign({ ...claims, iat: now - 200, exp: now - 100 }, TEST_SECRET, 'HS256');
    expect((await lc.request('GET', '/v1/datasets', { token: expired })).status).toBe(401);
    const noTenant = await sign({ ...claims, tenant: undefined }, TEST_SECRET, 'HS256');
    expect((await lc.request('GET', '/v1/datasets', { token: noTenant })).status).toBe(401);
  });

  it('lets a read-only token read but not write', async () => {
    const tenant = lc.tenant();
    const readOnly = await lc.token(tenant, 'read');
    const write = await lc.request('POST', '/v1/datasets?name=x', { token: readOnly, csv: SMALL_WAVE });
    expect(write.status).toBe(403);
    expect((await problem(write)).detail).toMatch(/datasets:write/);
    expect((await lc.request('GET', '/v1/datasets', { token: readOnly })).status).toBe(200);
    expect(await lc.itemsOf(tenant)).toBe(0);
  });

  it("hides one tenant's dataset from another exactly as if it did not exist", async () => {
    const a = lc.tenant();
    const b = lc.tenant();
    const tokenA = await lc.token(a);
    const tokenB = await lc.token(b);
    const created = await (await lc.request('POST', '/v1/datasets?name=mine', { token: tokenA, csv: SMALL_WAVE })).json();
    const missing = await lc.request('GET', '/v1/datasets/ds_00000000000000000000000000', { token: tokenB });
    const foreign = await lc.request('GET', `/v1/datasets/${created.id}`, { token: tokenB });
    expect(foreign.status).toBe(404);
    expect({ ...(await problem(foreign)), detail: '', instance: '' }).toEqual({ ...(await problem(missing)), detail: '', instance: '' });
    expect((await lc.request('DELETE', `/v1/datasets/${created.id}`, { token: tokenB })).status).toBe(404);
    expect((await lc.request('POST', `/v1/datasets/${created.id}/rows`, { token: tokenB, csv: SMALL_WAVE, headers: { 'idempotency-key': 'batch-0001' } })).status).toBe(404);
    expect((await (await lc.request('GET', '/v1/datasets', { token: tokenB })).json()).items).toEqual([]);
    expect((await lc.request('GET', `/v1/datasets/${created.id}`, { token: tokenA })).status).toBe(200);
  });
});

describe('listing and deleting', () => {
  it('pages through datasets newest first with an opaque cursor', async () => {
    const tenant = lc.tenant();
    const token = await lc.token(tenant);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await (await lc.request('POST', `/v1/datasets?name=w${i}`, { token, csv: SMALL_WAVE })).json()).id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await lc.request('GET', `/v1/datasets?limit=2${cursor ? `&cursor=${cursor}` : ''}`, { token });
      expect(res.status).toBe(200);
      const page = await res.json();
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((d: { id: string }) => d.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(seen).toEqual([...ids].reverse());
    const bad = await lc.request('GET', '/v1/datasets?cursor=not*a*cursor', { token });
    expect(bad.status).toBe(400);
    const tooMany = await lc.request('GET', '/v1/datasets?limit=1000', { token });
    expect((await problem(tooMany)).errors![0]!.field).toBe('query.limit');
  });

  it('removes every item of a multi-chunk dataset on delete', async () => {
    const tenant = lc.tenant();
    const token = await lc.token(tenant);
    const rows = Array.from({ length: 30_000 }, (_, i) => ({ respondent_id: `respondent-${i}-${'x'.repeat(20)}`, account_id: `A${i}`, segment: 's', ltr: i % 11, q: i % 10 }));
    const created = await (await lc.request('POST', '/v1/datasets?name=big', { token, csv: toCsv(rows) })).json();
    expect(created.rowCount).toBe(30_000);
    const items = await lc.itemsOf(tenant);
    expect(items).toBeGreaterThan(3); // meta + batch record + several chunks
    const del = await lc.request('DELETE', `/v1/datasets/${created.id}`, { token });
    expect(del.status).toBe(204);
    expect(await lc.itemsOf(tenant)).toBe(0);
    expect((await lc.request('GET', `/v1/datasets/${created.id}`, { token })).status).toBe(404);
    expect((await lc.request('DELETE', `/v1/datasets/${created.id}`, { token })).status).toBe(404);
  });
});

describe('retrying a create with an Idempotency-Key', () => {
  it('returns the first response again and stores one dataset', async () => {
    const tenant = lc.tenant();
    const token = await lc.token(tenant);
    const headers = { 'idempotency-key': 'create-0001' };
    const first = await lc.request('POST', '/v1/datasets?name=w', { token, csv: SMALL_WAVE, headers });
    const second = await lc.request('POST', '/v1/datasets?name=w', { token, csv: SMALL_WAVE, headers });
    expect(first.status).toBe(201);
    expect(second.status).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(await second.json()).toEqual(await first.json());
    expect((await (await lc.request('GET', '/v1/datasets', { token })).json()).items).toHaveLength(1);
  });

  it('rejects the same key with a different body and changes nothing', async () => {
    const tenant = lc.tenant();
    const token = await lc.token(tenant);
    const headers = { 'idempotency-key': 'create-0002' };
    await lc.request('POST', '/v1/datasets?name=w', { token, csv: SMALL_WAVE, headers });
    const before = await lc.itemsOf(tenant);
    const res = await lc.request('POST', '/v1/datasets?name=w', { token, csv: SMALL_WAVE.replace('r6,A4,enterprise,business_owner,8', 'r6,A4,enterprise,business_owner,9'), headers });
    expect(res.status).toBe(422);
    await problem(res);
    expect(await lc.itemsOf(tenant)).toBe(before);
  });

  it('creates one dataset when the same request races itself', async () => {
    const tenant = lc.tenant();
    const token = await lc.token(tenant);
    const headers = { 'idempotency-key': 'create-race-1' };
    const responses = await Promise.all(Array.from({ length: 4 }, () => lc.request('POST', '/v1/datasets?name=w', { token, csv: SMALL_WAVE, headers })));
    const bodies = await Promise.all(responses.map((r) => r.json()));
    expect(responses.map((r) => r.status)).toEqual([201, 201, 201, 201]);
    expect(new Set(bodies.map((b) => b.id)).size).toBe(1);
    expect((await (await lc.request('GET', '/v1/datasets', { token })).json()).items).toHaveLength(1);
  });
});

describe('service endpoints', () => {
  it('serves health, an OpenAPI 3.1 document with the dataset routes, and offline docs', async () => {
    expect(await (await lc.request('GET', '/health')).json()).toEqual({ status: 'ok' });
    const doc = await (await lc.request('GET', '/openapi.json')).json();
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths)).toEqual(expect.arrayContaining(['/v1/datasets', '/v1/datasets/{id}', '/v1/datasets/{id}/rows', '/v1/datasets/{id}/seal']));
    expect(Object.keys(doc.paths['/v1/datasets'].post.requestBody.content)).toEqual(['application/json', 'text/csv']);
    const html = await (await lc.request('GET', '/docs')).text();
    expect(html).toContain('/docs/assets/swagger-ui-dist/swagger-ui-bundle.js');
    expect(html).not.toContain('cdn.jsdelivr');
    const js = await lc.request('GET', '/docs/assets/swagger-ui-dist/swagger-ui-bundle.js');
    expect(js.status).toBe(200);
    expect((await js.arrayBuffer()).byteLength).toBeGreaterThan(100_000);
  });
});

describe('DatasetIngested', () => {
  it('is published once when a wave is sealed — on a sealed upload and on seal — and not on a replayed upload', async () => {
    const seen: { datasetId: string; rowCount: number; tenant: string }[] = [];
    lc.bus.subscribe('DatasetIngested', async (detail) => {
      seen.push(detail);
    });
    const tenant = lc.tenant();
    const token = await lc.token(tenant);
    const headers = { 'idempotency-key': 'ingest-0001' };
    const sealed = await (await lc.request('POST', '/v1/datasets?name=one', { token, csv: SMALL_WAVE, headers })).json();
    await lc.request('POST', '/v1/datasets?name=one', { token, csv: SMALL_WAVE, headers }); // a replay
    const open = await (await lc.request('POST', '/v1/datasets?name=two&seal=false', { token, csv: SMALL_WAVE })).json();
    await lc.bus.drain();
    expect(seen.filter((e) => e.tenant === tenant).map((e) => e.datasetId)).toEqual([sealed.id]);
    expect((await lc.request('POST', `/v1/datasets/${open.id}/seal`, { token })).status).toBe(200);
    await lc.request('POST', `/v1/datasets/${open.id}/seal`, { token }); // already sealed: no new event
    await lc.bus.drain();
    const mine = seen.filter((e) => e.tenant === tenant);
    expect(mine.map((e) => e.datasetId)).toEqual([sealed.id, open.id]);
    expect(mine[0]!.rowCount).toBe(sealed.rowCount);
  });
});
