/**
 * The forecast-ledger card in a real browser: a tenant seeded through the API as
 * test/api/ledger.test.ts seeds one — two known-truth waves six months apart
 * (test/support/twoWaves.ts), a model fitted on the first, a scenario of the launched initiatives,
 * the launches recorded on their dates, the second wave sealed (which evaluates them), and one more
 * launch after it that no wave has read yet. Headless Chromium opens the dashboard served by the
 * real app, and each figure the card shows is checked against the API's own answer: the table's
 * rows and realised lifts against `GET /v1/ledger`, the forecast-against-realised chart's points
 * against its evaluated launches, the bridge's bars against `GET /v1/datasets/{after}/bridge`, and
 * the CSV download against `GET /v1/ledger` with `Accept: text/csv`. Every request to another host
 * fails the test. A screenshot of the card lands in test/artifacts/ledger.png.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { RespondentColumns } from '../../model/dataset.js';
import { signed } from '../../web/src/format.js';
import { createTestLiftcast, type TestLiftcast, type TestResponse } from '../support/liftcast.js';
import { FAMILIES } from '../support/truthFamily.js';
import { AFTER_DATE, BEFORE_DATE, twoWaves } from '../support/twoWaves.js';
import { serveOnLoopback, type LoopbackServer } from './loopback.js';
import { launchChromium, watchedPage } from './chromium.js';

const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));
/** Accounts per wave: about 1,900 respondents each, enough for the launches to be read, small enough to fit in seconds. */
const ACCOUNTS = 600;

/** The services' clock: the seeding sets the day each step happens on. */
let now = new Date(`${BEFORE_DATE}T18:00:00.000Z`);
const at = (iso: string): void => {
  now = new Date(iso);
};
let lc: TestLiftcast;
let server: LoopbackServer | undefined;
let base: string;
let token: string;
let browser: Browser;
let waves: { before: string; after: string };

/** What this test reads of `GET /v1/ledger`. */
interface LedgerAnswer {
  items: { launchId: string; forecast: { lift: number }; realised: { lift: number; interval: [number, number] } | null }[];
  summary: { launches: number; evaluated: number; within2: number | null };
}
/** What this test reads of the bridge. */
interface BridgeAnswer {
  before: { nps: number };
  after: { nps: number };
  change: number;
  parts: { kind: string; value: number; launchId: string | null }[];
}

async function created(res: TestResponse): Promise<{ id: string }> {
  const body = await res.json();
  expect(res.status, JSON.stringify(body).slice(0, 400)).toBe(201);
  return body;
}

async function get<T>(path: string): Promise<T> {
  const res = await lc.request('GET', path, { token });
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
}

/** A wave's respondents as JSON rows for the upload. */
function rowsOf(c: RespondentColumns): Record<string, string | number | null>[] {
  return Array.from({ length: c.size }, (_, i) => {
    const row: Record<string, string | number | null> = { respondent_id: c.respondentId[i]!, account_id: c.accountId[i]!, segment: c.segment[i]!, role: c.role[i]!, wave: c.wave[i]!, ltr: c.ltr[i]! };
    c.attributes.forEach((a, j) => (row[a] = Number.isNaN(c.ratings[j]![i]!) ? null : c.ratings[j]![i]!));
    return row;
  });
}

/** Wave 1, a model on it, a scenario of the four initiatives, their launches, wave 2 (evaluating them), and a fifth launch after it. */
async function seedTenant(): Promise<{ tenant: string; before: string; after: string }> {
  const tw = twoWaves(731, ACCOUNTS, FAMILIES.rich);
  const tenant = lc.tenant();
  token = await lc.token(tenant);
  at(`${BEFORE_DATE}T18:00:00.000Z`);
  const before = (await created(await lc.request('POST', '/v1/datasets', { token, body: { name: 'Wave 1 (January)', attributes: tw.attributes, rows: rowsOf(tw.before) } }))).id;
  const model = (await created(await lc.request('POST', '/v1/models', { token, body: { datasetId: before } }))).id;
  at('2026-01-20T09:00:00.000Z');
  const scenario = (
    await created(
      await lc.request('POST', '/v1/scenarios', {
        token,
        body: { name: 'FY26 launches', modelId: model, initiatives: tw.launches.map((l) => ({ id: l.id, name: `Launch ${l.id}`, effects: l.changes, target: { ...l.reached }, cost: { oneTime: 100_000 } })) },
      }),
    )
  ).id;
  for (const l of tw.launches) {
    at(`${l.launchedOn}T10:00:00.000Z`);
    await created(await lc.request('POST', '/v1/launches', { token, body: { scenarioId: scenario, scenarioVersion: 1, initiativeId: l.id, launchedOn: l.launchedOn, reached: l.reached } }));
  }
  at(`${AFTER_DATE}T18:00:00.000Z`);
  const after = (await created(await lc.request('POST', '/v1/datasets', { token, body: { name: 'Wave 2 (July)', attributes: tw.attributes, rows: rowsOf(tw.after) } }))).id;
  // Sealing wave 2 published DatasetIngested; the in-process bus runs the worker's evaluation.
  await lc.bus.drain();
  // A launch after wave 2: no wave has read it yet.
  at('2026-07-20T10:00:00.000Z');
  const first = tw.launches[0]!;
  await created(await lc.request('POST', '/v1/launches', { token, body: { scenarioId: scenario, scenarioVersion: 1, initiativeId: first.id, launchedOn: '2026-07-18', reached: first.reached } }));
  return { tenant, before, after };
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  lc = await createTestLiftcast({ clock: () => now });
  const seeded = await seedTenant();
  waves = { before: seeded.before, after: seeded.after };
  server = await serveOnLoopback(lc.app.fetch);
  base = server.base;
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** A chart's first dataset as Chart.js holds it, read through the page's global `Chart`. */
function chartData(page: Page, canvasId: string): Promise<{ labels: unknown[]; data: unknown[]; aria: string | null } | null> {
  return page.evaluate((id) => {
    const g = globalThis as unknown as {
      document: { getElementById(i: string): { getAttribute(n: string): string | null } | null };
      Chart: { getChart(c: unknown): { data: { labels?: unknown[]; datasets: { data: unknown[] }[] } } | undefined };
    };
    const canvas = g.document.getElementById(id);
    const chart = g.Chart.getChart(canvas);
    return chart ? { labels: chart.data.labels ?? [], data: chart.data.datasets[0]?.data ?? [], aria: canvas?.getAttribute('aria-label') ?? null } : null;
  }, canvasId);
}

describe('the forecast ledger in headless Chromium', () => {
  it(
    'shows every launch as the API lists it, plots the evaluated ones, draws the bridge as the API splits it, and downloads the API’s CSV',
    { timeout: 60_000 },
    async () => {
      // Prepare: the API's own answers
      const ledger = await get<LedgerAnswer>('/v1/ledger');
      const evaluated = ledger.items.filter((i) => i.realised !== null);
      expect(ledger.items, 'four launches read against wave 2 and one after it').toHaveLength(5);
      expect(evaluated.length, 'wave 2 evaluated some launches (else the chart proves nothing)').toBeGreaterThanOrEqual(2);
      expect(evaluated.length, 'the launch after wave 2 is not evaluated').toBeLessThan(ledger.items.length);
      const { context, page, blocked, problems, violations } = await watchedPage(browser, { viewport: { width: 1440, height: 900 }, acceptDownloads: true });

      // Act: open the dashboard with the tenant's token
      await page.goto(`${base}/dashboard#token=${encodeURIComponent(token)}`);
      await page.waitForSelector('#card-ledger[data-state="ready"]', { timeout: 30_000 });
      await page.waitForSelector('body[data-status="ready"]', { timeout: 30_000 });

      // Assess: one row per launch, in the API's order; evaluated rows show the API's realised lifts
      const rows = await page.locator('#ledger-rows tr').evaluateAll((trs) =>
        trs.map((tr) => {
          const r = tr as unknown as { getAttribute(n: string): string | null; querySelectorAll(s: string): ArrayLike<{ childNodes: ArrayLike<{ nodeType: number; textContent: string | null }> }> };
          const cells = Array.from(r.querySelectorAll('td'));
          // A figure cell's own text, without the interval under it.
          const own = (i: number): string => Array.from(cells[i]?.childNodes ?? []).filter((n) => n.nodeType === 3).map((n) => n.textContent ?? '').join('').trim();
          return { launch: r.getAttribute('data-launch'), status: r.getAttribute('data-status'), forecast: own(2), realised: own(3) };
        }),
      );
      expect(rows.map((r) => r.launch)).toEqual(ledger.items.map((i) => i.launchId));
      expect(rows.map((r) => r.status === 'evaluated')).toEqual(ledger.items.map((i) => i.realised !== null));
      ledger.items.forEach((item, i) => {
        expect(rows[i]!.forecast, `${item.launchId}'s forecast`).toBe(signed(item.forecast.lift));
        if (item.realised) expect(rows[i]!.realised, `${item.launchId}'s realised lift`).toBe(signed(item.realised.lift));
      });

      // Assess: the chart has one point per evaluated launch, at its forecast and realised lift, and says so in words
      const scatter = await chartData(page, 'chart-ledger');
      expect(scatter, 'the forecast-against-realised chart is drawn').not.toBeNull();
      expect(scatter!.data).toEqual(evaluated.map((i) => ({ x: i.forecast.lift, y: i.realised!.lift })));
      const within = Math.round(ledger.summary.within2! * ledger.summary.evaluated);
      expect(scatter!.aria).toMatch(new RegExp(`^Forecast \\(across\\) against realised lift \\(up\\), points of NPS, for ${evaluated.length} launches evaluated \\(1 launch without a realised lift not plotted\\): `));
      expect(scatter!.aria).toContain(`${within === 0 ? 'none' : within} of ${evaluated.length} within 2 points of realised = forecast`);

      // Act: the bridge from wave 1 to wave 2, picked in its selects
      await page.selectOption('#ledger-before', waves.before);
      await page.selectOption('#ledger-after', waves.after);
      await page.click('#ledger-bridge-show');
      await page.waitForSelector('#ledger-bridge[data-state="ready"]', { timeout: 30_000 });

      // Assess: its steps are the API's parts, in order, and add up to the change
      const bridge = await get<BridgeAnswer>(`/v1/datasets/${waves.after}/bridge?from=${waves.before}`);
      const bars = (await chartData(page, 'chart-ledger-bridge'))!;
      const spans = bars.data as [number, number][];
      expect(spans).toHaveLength(bridge.parts.length + 2);
      expect(spans[0]![1]).toBe(bridge.before.nps);
      expect(spans.at(-1)![1]).toBe(bridge.after.nps);
      const steps = spans.slice(1, -1).map(([from, to]) => to - from);
      // Tolerance: float error of chaining a handful of parts of a few points each.
      steps.forEach((s, i) => expect(Math.abs(s - bridge.parts[i]!.value), `step ${i} (${bridge.parts[i]!.kind})`).toBeLessThan(1e-9));
      expect(Math.abs(steps.reduce((a, b) => a + b, 0) - bridge.change)).toBeLessThan(1e-9);
      expect(bridge.parts.filter((p) => p.kind === 'launch').map((p) => p.launchId)).toEqual([...evaluated.map((i) => i.launchId)].reverse());
      expect(bars.aria).toMatch(/^NPS bridge from Wave 1 \(January\) \(/);

      // Act: download the ledger as CSV
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#ledger-csv')]);
      const file = `${ARTIFACTS}ledger.csv`;
      await download.saveAs(file);

      // Assess: the file is the API's CSV, byte for byte
      const csv = await lc.request('GET', '/v1/ledger', { token, headers: { accept: 'text/csv' } });
      expect(csv.status).toBe(200);
      expect(download.suggestedFilename()).toBe('ledger.csv');
      expect(readFileSync(file, 'utf8')).toBe(await csv.text());
      await page.waitForSelector('#ledger-csv[data-downloaded="ledger.csv"]');

      await page.locator('#card-ledger').screenshot({ path: `${ARTIFACTS}ledger.png` });

      // Assess: nothing left the machine, nothing broke
      expect(blocked, 'requests to other hosts').toEqual([]);
      expect(problems).toEqual([]);
      expect(await violations(), 'Content-Security-Policy violations').toEqual([]);
      await context.close();
    },
  );
});
