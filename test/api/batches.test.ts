/**
 * Large waves: created open, appended in idempotent batches, sealed. Proves that a retry never
 * appends twice, that parallel batches are all counted, and that 200,000 respondents read back
 * exactly as sent.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ATTRIBUTES, demoRespondents, type DemoRow } from '../../model/demo.js';
import { createTestLiftcast, toCsv, type TestLiftcast } from '../support/liftcast.js';

let lc: TestLiftcast;
beforeAll(async () => {
  lc = await createTestLiftcast();
});

const COLUMNS = ['respondent_id', 'account_id', 'segment', 'role', 'wave', 'account_revenue', 'ltr', ...DEMO_ATTRIBUTES.map((a) => a.name)];
const service = DEMO_ATTRIBUTES.filter((a) => a.kind === 'service').map((a) => a.name).join(',');
const product = DEMO_ATTRIBUTES.filter((a) => a.kind === 'product').map((a) => a.name).join(',');

function rowsOf(n: number, seed = 7): DemoRow[] {
  return [...demoRespondents({ seed, respondents: n, accounts: Math.max(1, Math.floor(n / 5)) })];
}

async function openDataset(token: string, first: DemoRow[]) {
  const res = await lc.request('POST', `/v1/datasets?name=big&seal=false&product=${product}&service=${service}`, { token, csv: toCsv(first, COLUMNS) });
  expect(res.status).toBe(201);
  return (await res.json()) as { id: string; status: string; summary: unknown };
}

describe('appending batches to an open dataset', () => {
  it('stores 200,000 respondents sent in four batches and reads them back in order, unchanged', async () => {
    // Prepare
    const tenant = lc.tenant();
    const token = await lc.token(tenant);
    const all = rowsOf(200_000);
    const batches = [0, 1, 2, 3].map((b) => all.slice(b * 50_000, (b + 1) * 50_000));
    // Act
    const created = await openDataset(token, batches[0]!);
    expect(created).toMatchObject({ status: 'open', summary: null });
    for (let b = 1; b < 4; b++) {
      const res = await lc.request('POST', `/v1/datasets/${created.id}/rows`, { token, csv: toCsv(batches[b]!, COLUMNS), headers: { 'idempotency-key': `batch-000${b}` } });
      expect(res.status).toBe(201);
    }
    const sealed = await lc.request('POST', `/v1/datasets/${created.id}/seal`, { token });
    // Assess
    expect(sealed.status).toBe(200);
    const dataset = await sealed.json();
    expect(dataset).toMatchObject({ status: 'sealed', rowCount: 200_000 });
    expect(dataset.summary.respondents).toBe(200_000);
    const promoters = all.filter((r) => r.ltr >= 9).length;
    const detractors = all.filter((r) => r.ltr <= 6).length;
    expect(dataset.summary.nps.score).toBeCloseTo((100 * (promoters - detractors)) / 200_000, 10);

    const meta = await lc.datasets.store.getMeta(tenant, created.id);
    let i = 0;
    let mismatches = 0;
    for await (const c of lc.datasets.store.readColumns(tenant, meta!)) {
      for (let r = 0; r < c.size; r++, i++) {
        const src = all[i]!;
        if (c.respondentId[r] !== src.respondent_id || c.accountId[r] !== src.account_id || c.ltr[r] !== src.ltr || c.segment[r] !== src.segment || c.role[r] !== src.role || c.accountRevenue[r] !== src.account_revenue) mismatches++;
        c.attributes.forEach((name, a) => {
          const v = c.ratings[a]![r]!;
          const expected = src[name];
          if (expected === null ? !Number.isNaN(v) : v !== expected) mismatches++;
        });
      }
    }
    expect(i).toBe(200_000);
    expect(mismatches).toBe(0);
  });

  it('applies a batch once however often it is retried, and refuses its key for another batch', async () => {
    const tenant = lc.tenant();
    const token = await lc.token(tenant);
    const rows = rowsOf(3_000, 11);
    const created = await openDataset(token, rows.slice(0, 1_000));
    const send = (slice: DemoRow[], key: string) =>
      lc.request('POST', `/v1/datasets/${created.id}/rows`, { token, csv: toCsv(slice, COLUMNS), headers: { 'idempotency-key': key } });
    const first = await send(rows.slice(1_000, 2_000), 'batch-retry-1');
    const retries = await Promise.all([send(rows.slice(1_000, 2_000), 'batch-retry-1'), send(rows.slice(1_000, 2_000), 'batch-retry-1')]);
    expect(first.status).toBe(201);
    expect(retries.map((r) => r.status)).toEqual([200, 200]);
    expect(retries[0]!.headers.get('idempotent-replayed')).toBe('true');
    const reused = await send(rows.slice(2_000, 3_000), 'batch-retry-1');
    expect(reused.status).toBe(422);
    const dataset = await (await lc.request('GET', `/v1/datasets/${created.id}`, { token })).json();
    expect(dataset.rowCount).toBe(2_000);
  });

  it('counts every batch when several are appended at the same time', async () => {
    const tenant = lc.tenant();
    const token = await lc.token(tenant);
    const rows = rowsOf(6_000, 12);
    const created = await openDataset(token, rows.slice(0, 1_000));
    const responses = await Promise.all(
      [1, 2, 3, 4, 5].map((b) =>
        lc.request('POST', `/v1/datasets/${created.id}/rows`, { token, csv: toCsv(rows.slice(b * 1_000, (b + 1) * 1_000), COLUMNS), headers: { 'idempotency-key': `parallel-${b}` } }),
      ),
    );
    expect(responses.map((r) => r.status)).toEqual([201, 201, 201, 201, 201]);
    const sealed = await (await lc.request('POST', `/v1/datasets/${created.id}/seal`, { token })).json();
    expect(sealed.rowCount).toBe(6_000);
    expect(sealed.summary.respondents).toBe(6_000);
  });

  it('requires an idempotency key and the dataset own columns for each batch', async () => {
    const tenant = lc.tenant();
    const token = await lc.token(tenant);
    const rows = rowsOf(200, 13);
    const created = await openDataset(token, rows.slice(0, 100));
    const noKey = await lc.request('POST', `/v1/datasets/${created.id}/rows`, { token, csv: toCsv(rows.slice(100), COLUMNS) });
    expect(noKey.status).toBe(400);
    expect((await noKey.json()).errors[0].field).toBe('header.Idempotency-Key');
    const otherColumns = await lc.request('POST', `/v1/datasets/${created.id}/rows`, {
      token,
      csv: toCsv(rows.slice(100), COLUMNS.filter((c) => c !== 'onboarding')),
      headers: { 'idempotency-key': 'batch-cols-1' },
    });
    expect(otherColumns.status).toBe(400);
    expect((await otherColumns.json()).errors).toContainEqual({ row: null, column: 'onboarding', reason: "attribute column 'onboarding' of this dataset is missing" });
    expect((await (await lc.request('GET', `/v1/datasets/${created.id}`, { token })).json()).rowCount).toBe(100);
  });

  it('refuses batches after sealing, and refuses to seal respondents duplicated across batches', async () => {
    const tenant = lc.tenant();
    const token = await lc.token(tenant);
    const rows = rowsOf(300, 14);
    const created = await openDataset(token, rows.slice(0, 200));
    const dup = await lc.request('POST', `/v1/datasets/${created.id}/rows`, { token, csv: toCsv(rows.slice(150, 300), COLUMNS), headers: { 'idempotency-key': 'batch-dup-1' } });
    expect(dup.status).toBe(201);
    const seal = await lc.request('POST', `/v1/datasets/${created.id}/seal`, { token });
    expect(seal.status).toBe(409);
    const p = await seal.json();
    expect(p.errorCount).toBe(50);
    expect(p.errors[0]).toMatchObject({ row: 201, column: 'respondent_id' });

    const clean = await openDataset(token, rows.slice(0, 200));
    expect((await lc.request('POST', `/v1/datasets/${clean.id}/seal`, { token })).status).toBe(200);
    expect((await lc.request('POST', `/v1/datasets/${clean.id}/seal`, { token })).status).toBe(200);
    const late = await lc.request('POST', `/v1/datasets/${clean.id}/rows`, { token, csv: toCsv(rows.slice(200), COLUMNS), headers: { 'idempotency-key': 'batch-late-1' } });
    expect(late.status).toBe(409);
    expect((await (await lc.request('GET', `/v1/datasets/${clean.id}`, { token })).json()).rowCount).toBe(200);
  });
});
