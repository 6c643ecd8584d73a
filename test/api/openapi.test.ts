/**
 * The OpenAPI document is complete and lint clean, and the conformance check that every API suite
 * runs on every response (test/support/conformance.ts) can fail: it is shown catching each kind of
 * drift here, on answers made up for the purpose.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { beforeAll, describe, expect, it } from 'vitest';
import { checkConformance, conformanceStats } from '../support/conformance.js';
import { createTestLiftcast, type TestLiftcast } from '../support/liftcast.js';
import { SMALL_WAVE } from '../support/waves.js';

let lc: TestLiftcast;
let token: string;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let doc: any;

beforeAll(async () => {
  lc = await createTestLiftcast();
  token = await lc.token(lc.tenant());
  doc = await (await lc.request('GET', '/openapi.json')).json();
});

const problem = (status: number, extra: object = {}) =>
  new Response(JSON.stringify({ type: '/problems/x', title: 't', status, detail: 'd', ...extra }), { status, headers: { 'content-type': 'application/problem+json' } });

describe('the OpenAPI document', () => {
  it('passes Redocly’s recommended rules with no error and no warning', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'liftcast-openapi-'));
    const file = join(dir, 'openapi.json');
    await writeFile(file, JSON.stringify(doc));
    const { stdout } = await promisify(execFile)(process.execPath, ['node_modules/@redocly/cli/bin/cli.js', 'lint', file, '--format=json'], { maxBuffer: 16 * 1024 * 1024 });
    const report = JSON.parse(stdout.slice(stdout.indexOf('{')));
    expect(report.problems.map((p: { ruleId: string; message: string }) => `${p.ruleId}: ${p.message}`)).toEqual([]);
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  }, 60_000);

  it('gives every operation an operationId, and declares 405 and 503 on each, 413 and 415 where a body is taken', () => {
    const ids = new Set<string>();
    for (const [path, item] of Object.entries<Record<string, { operationId?: string; requestBody?: unknown; responses: object }>>(doc.paths))
      for (const [method, op] of Object.entries(item)) {
        expect(op.operationId, `${method} ${path}`).toMatch(/^[a-z][A-Za-z]+$/);
        ids.add(op.operationId!);
        for (const status of ['405', '503', ...(op.requestBody ? ['413', '415'] : [])]) expect(Object.keys(op.responses), `${method} ${path}`).toContain(status);
      }
    expect(ids.size).toBe(Object.values(doc.paths).reduce((n: number, item) => n + Object.keys(item as object).length, 0));
    expect(doc.servers).toEqual([{ url: '/', description: expect.any(String) }]);
    expect(doc.info.license.name).toBeTruthy();
  });

  it('declares the members problems carry, and the properties of comparisons and optimisations', () => {
    const members = Object.keys(doc.components.schemas.Problem.properties);
    for (const m of ['currentVersion', 'failure', 'modelId', 'rows', 'limit', 'errorCount', 'errors']) expect(members).toContain(m);
    expect(Object.keys(doc.components.schemas.Comparison.properties)).toEqual(['scenarios', 'differences', 'note']);
    expect(Object.keys(doc.components.schemas.Optimization.properties)).toEqual(expect.arrayContaining(['selected', 'frontier', 'forecast', 'method']));
  });
});

describe('the conformance check on every response', () => {
  it('is running in the API suites (this process has checked responses)', () => {
    expect(conformanceStats.checked).toBeGreaterThan(0);
  });

  it('refuses a status the operation does not declare', async () => {
    await expect(checkConformance(lc.app, 'GET', '/v1/datasets', problem(418))).rejects.toThrow(/418, which the document does not declare/);
  });

  it('refuses a member the schema does not declare', async () => {
    await expect(checkConformance(lc.app, 'GET', '/v1/datasets/ds_x', problem(404, { secret: 1 }))).rejects.toThrow(/additional properties.*secret/);
  });

  it('refuses a body of the wrong shape and the wrong media type', async () => {
    const list = (body: object, type = 'application/json') => new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': type } });
    await expect(checkConformance(lc.app, 'GET', '/v1/datasets', list({ items: 'no', nextCursor: null }))).rejects.toThrow(/does not match/);
    await expect(checkConformance(lc.app, 'GET', '/v1/datasets', list({ items: [], nextCursor: null }, 'text/plain'))).rejects.toThrow(/text\/plain/);
    await expect(checkConformance(lc.app, 'GET', '/v1/datasets', list({ items: [], nextCursor: null }))).resolves.toBeInstanceOf(Response);
  });

  it('accepts 405 only on a path the document has', async () => {
    await expect(checkConformance(lc.app, 'PATCH', '/v1/datasets/ds_x', problem(405))).resolves.toBeInstanceOf(Response);
    await expect(checkConformance(lc.app, 'PATCH', '/v1/datasets/ds_x', problem(400))).rejects.toThrow(/only 405 is right/);
  });

  it('holds for the answers every route can give: 405, 413, 415 and 401', async () => {
    expect((await lc.request('PATCH', '/v1/datasets', { token })).status).toBe(405);
    expect((await lc.request('POST', '/v1/datasets?name=x', { token, body: 'x'.repeat(4 * 1024 * 1024 + 10), headers: { 'content-type': 'text/csv' } })).status).toBe(413);
    expect((await lc.request('POST', '/v1/datasets?name=x', { token, body: 'a', headers: { 'content-type': 'text/plain' } })).status).toBe(415);
    expect((await lc.request('GET', '/v1/scenarios')).status).toBe(401);
    const created = await lc.request('POST', '/v1/datasets?name=six', { token, csv: SMALL_WAVE });
    expect(created.status).toBe(201);
  });
});
