/**
 * The dashboard in a real browser: headless Chromium (Debian's package, driven by playwright-core)
 * opens the page served by the real app on a free port, backed by the run's DynamoDB Local and the
 * same demo data `npm start` seeds (demo wave, fitted model, seven-initiative scenario). Every
 * request to another host is aborted, so passing also proves the page works offline. A screenshot
 * lands in test/artifacts/ (git-ignored) for a person to look at.
 */
import { mkdirSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';
import { serve, type ServerType } from '@hono/node-server';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableFromObjects } from '../../model/dataset.js';
import { demoWave } from '../../model/demo.js';
import { ModelRequestSchema } from '../../model/drivers/contract.js';
import { ScenarioInputSchema } from '../../model/scenario/contract.js';
import { demoScenario } from '../../functions/local/demoScenario.js';
import type { ScenarioForecastRequested } from '../../events/contracts.js';
import { ScenarioService } from '../../functions/app/scenarios/service.js';
import { IdempotencyStore } from '../../functions/store/idempotency.js';
import { createTestLiftcast, type TestLiftcast } from '../support/liftcast.js';
import { launchChromium, loopbackContext, watchedPage } from './chromium.js';

const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));
const CHARTS = ['chart-importance', 'chart-matrix', 'chart-curves', 'chart-drivers', 'chart-waterfall', 'chart-roi', 'chart-frontier'] as const;
/** The demo wave's attributes and the demo scenario's initiatives. */
const ATTRIBUTES = 9;
const INITIATIVES = 7;

let lc: TestLiftcast;
let server: ServerType;
let base: string;
let token: string;
let scenarioId: string;

/** Seeds a tenant the way `npm start` seeds `demo`: through the services, not the database. */
async function seedDemoTenant(): Promise<{ tenant: string; scenarioId: string }> {
  const tenant = lc.tenant();
  const wave = demoWave({ seed: 2026 });
  const { dataset } = await lc.datasets.service.create(tenant, { name: wave.name, described: wave.attributes, table: tableFromObjects(wave.rows), seal: true });
  const fitted = await lc.models.service.create(tenant, ModelRequestSchema.parse({ datasetId: dataset.id, method: 'auto', segmentBy: 'segment' }));
  expect(fitted.status).toBe(201);
  const { scenario } = await lc.scenarios.service.create(tenant, ScenarioInputSchema.parse(demoScenario(fitted.model.id)));
  return { tenant, scenarioId: scenario.id };
}

function listen(): Promise<ServerType> {
  return new Promise((resolve) => {
    const s = serve({ fetch: lc.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s));
  });
}

beforeAll(async () => {
  lc = await createTestLiftcast();
  const seeded = await seedDemoTenant();
  scenarioId = seeded.scenarioId;
  token = await lc.token(seeded.tenant);
  server = await listen();
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
});

describe('the dashboard page and its assets', () => {
  it('serves the page at / and /dashboard without a token, with a policy that allows only this origin', async () => {
    for (const path of ['/', '/dashboard']) {
      const res = await lc.request('GET', path);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/html');
      expect(res.headers.get('content-security-policy')).toContain("script-src 'self'");
      expect(res.headers.get('content-security-policy')).toContain("connect-src 'self'");
      const html = await res.text();
      expect(html).toContain('/dashboard/assets/chart.umd.min.js');
      expect(html).not.toMatch(/https?:\/\//); // nothing from a CDN
    }
  });

  it('serves Chart.js 4.6.1 from node_modules, its own script and styles, and 404 for anything else', async () => {
    const chart = await lc.request('GET', '/dashboard/assets/chart.umd.min.js');
    expect(chart.status).toBe(200);
    expect(chart.headers.get('content-type')).toContain('javascript');
    expect((await chart.text()).slice(0, 200)).toContain('Chart.js v4.6.1');
    for (const file of ['dashboard.js', 'dashboard.css']) expect((await lc.request('GET', `/dashboard/assets/${file}`)).status, file).toBe(200);
    const missing = await lc.request('GET', '/dashboard/assets/..%2Fpackage.json');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toContain('application/problem+json');
  });
});

describe('the dashboard in headless Chromium', () => {
  // Launched by the first test that needs it, so that a missing Chromium fails each test with the
  // install hint rather than failing a hook and reporting the tests as skipped.
  let launched: Promise<Browser> | undefined;
  const browser = (): Promise<Browser> => (launched ??= launchChromium());

  afterAll(async () => {
    await launched?.then((b) => b.close(), () => undefined);
  });

  /** What each chart holds, read from Chart.js itself. */
  async function chartSummaries(page: Page) {
    return page.evaluate((ids) => {
      interface ChartLike {
        config: { type: string };
        width: number;
        height: number;
        data: { labels?: unknown[]; datasets: { label?: string; data: unknown[]; borderWidth?: number; initiativeId?: string }[] };
      }
      const g = globalThis as unknown as { document: { getElementById(id: string): unknown }; Chart: { getChart(canvas: unknown): ChartLike | undefined } };
      return ids.map((id) => {
        const chart = g.Chart.getChart(g.document.getElementById(id));
        return {
          id,
          type: chart?.config.type ?? null,
          width: chart?.width ?? 0,
          height: chart?.height ?? 0,
          labels: chart?.data.labels?.length ?? 0,
          datasets: (chart?.data.datasets ?? []).map((d) => ({
            label: d.label ?? '',
            points: d.data.filter((v) => v !== null && v !== undefined).length,
            borderWidth: d.borderWidth ?? null,
            initiativeId: d.initiativeId ?? null,
          })),
        };
      });
    }, CHARTS);
  }

  const rankedIds = (page: Page): Promise<(string | null)[]> =>
    page.locator('#ranking tbody tr').evaluateAll((rows) => rows.map((r) => (r as unknown as { getAttribute(n: string): string | null }).getAttribute('data-id')));

  async function apiRanking(by: string): Promise<string[]> {
    const res = await lc.request('GET', `/v1/scenarios/${scenarioId}/ranking?by=${by}&limit=100`, { token });
    expect(res.status).toBe(200);
    return ((await res.json()).items as { id: string }[]).map((i) => i.id);
  }

  it(
    'renders every chart with the demo data, re-ranks on a header click, re-optimises on a budget change, and needs no network',
    { timeout: 180_000 },
    async () => {
      // Prepare
      const { context, page, blocked, problems, violations } = await watchedPage(await browser(), { viewport: { width: 1440, height: 900 } });

      // Act: open the link npm start prints
      await page.goto(`${base}/dashboard#token=${encodeURIComponent(token)}`);
      await page.waitForSelector('body[data-status="ready"]', { timeout: 90_000 });

      // Assess: the token left the address bar; the demo scenario is picked
      expect(new URL(page.url()).hash).toBe('');
      expect(await page.locator('#scenario').inputValue()).toBe(scenarioId);

      // Assess: every chart drew data
      const charts = Object.fromEntries((await chartSummaries(page)).map((c) => [c.id, c]));
      for (const id of CHARTS) {
        const c = charts[id]!;
        expect(c.type, `${id} exists`).not.toBeNull();
        expect(c.width * c.height, `${id} has a size`).toBeGreaterThan(0);
        expect(c.datasets.reduce((s, d) => s + d.points, 0), `${id} has points`).toBeGreaterThan(0);
      }
      expect(charts['chart-importance']!.labels).toBe(ATTRIBUTES);
      expect(charts['chart-importance']!.datasets.reduce((s, d) => s + d.points, 0)).toBe(ATTRIBUTES);
      expect(charts['chart-matrix']!.datasets.reduce((s, d) => s + d.points, 0)).toBe(ATTRIBUTES);
      expect(charts['chart-drivers']!.labels).toBe(ATTRIBUTES);
      // baseline, seven initiatives, the overlap bar and the portfolio
      expect(charts['chart-waterfall']!.datasets[0]!.points).toBe(INITIATIVES + 3);
      expect(charts['chart-roi']!.datasets).toHaveLength(INITIATIVES);
      expect(charts['chart-frontier']!.datasets[0]!.points).toBeGreaterThanOrEqual(3); // the origin and the budget levels
      expect(charts['chart-frontier']!.datasets[1]!.points).toBe(1); // the selected portfolio

      // Assess: the table is the API's ranking by ROI
      expect(await page.getAttribute('#ranking', 'data-by')).toBe('roi');
      const byRoi = await apiRanking('roi');
      expect(await rankedIds(page)).toEqual(byRoi);

      // Act: rank by NPS lift
      const byLift = await apiRanking('npsLift');
      expect(byLift, 'the demo ranks differently by NPS lift than by ROI (else this step proves nothing)').not.toEqual(byRoi);
      await page.click('#ranking th button[data-by="npsLift"]');
      await page.waitForSelector('#ranking[data-by="npsLift"]:not([aria-busy])');

      // Assess
      expect(await rankedIds(page)).toEqual(byLift);
      expect(await page.getAttribute('#ranking th[data-by="npsLift"]', 'aria-sort')).toBe('descending');
      expect(await page.getAttribute('#ranking th[data-by="roi"]', 'aria-sort')).toBeNull();

      // Act: NPS for enterprise accounts only
      await page.selectOption('#segment', 'enterprise');
      await page.waitForSelector('#ranking[data-segment="enterprise"]:not([aria-busy])');

      // Assess
      expect(await rankedIds(page)).toEqual(await apiRanking('npsLift&segment=enterprise'));
      await page.selectOption('#segment', '');
      await page.waitForSelector('#ranking[data-segment=""]:not([aria-busy])');
      expect(await rankedIds(page)).toEqual(byLift);

      // Act: cut the budget to about a fifth of the whole programme
      const optimizer = page.locator('#card-optimizer');
      const before = { budget: Number(await optimizer.getAttribute('data-budget')), selected: (await optimizer.getAttribute('data-selected'))!.split(',') };
      const slider = page.locator('#budget');
      const max = Number(await slider.getAttribute('max'));
      const step = Number(await slider.getAttribute('step'));
      const target = Math.round((max * 0.2) / step) * step;
      await slider.fill(String(target));
      await page.waitForSelector(`#card-optimizer[data-state="ready"][data-budget="${target}"]`, { timeout: 60_000 });

      // Assess: the page shows the optimiser's answer for that budget, and it changed
      const after = (await optimizer.getAttribute('data-selected'))!.split(',').filter(Boolean);
      const res = await lc.request('POST', `/v1/scenarios/${scenarioId}/optimize`, { token, body: { budget: target, objective: 'npv' } });
      const answer = (await res.json()) as { selected: string[]; value: { cost: number } };
      expect(after).toEqual(answer.selected);
      expect(answer.value.cost).toBeLessThanOrEqual(target);
      expect(after).not.toEqual(before.selected);
      expect(before.budget).toBeGreaterThan(target);
      // … and highlights it: the table's "in plan" rows, the bubbles' outlines, the frontier's marker
      const inPlan = await page.locator('#ranking tbody tr.in-plan').evaluateAll((rows) =>
        rows.map((r) => (r as unknown as { getAttribute(n: string): string | null }).getAttribute('data-id')),
      );
      expect([...inPlan].sort()).toEqual([...after].sort());
      const roi = (await chartSummaries(page)).find((c) => c.id === 'chart-roi')!;
      expect(roi.datasets.filter((d) => d.borderWidth === 3).map((d) => d.initiativeId).sort()).toEqual([...after].sort());
      await expect(page.locator('#selection li').count()).resolves.toBe(after.length);

      // Act: maximise NPS lift instead of net value
      await page.selectOption('#objective', 'npsLift');
      await page.waitForSelector(`#card-optimizer[data-state="ready"][data-objective="npsLift"][data-frontier="npsLift"][data-budget="${target}"]`, { timeout: 60_000 });

      // Assess
      const forLift = await lc.request('POST', `/v1/scenarios/${scenarioId}/optimize`, { token, body: { budget: target, objective: 'npsLift' } });
      expect((await optimizer.getAttribute('data-selected'))!.split(',').filter(Boolean)).toEqual(((await forLift.json()) as { selected: string[] }).selected);

      // Assess: usable on a smaller laptop screen, no sideways scrolling once the charts have resized
      await page.setViewportSize({ width: 1280, height: 800 });
      const sideways = () =>
        page.evaluate(() => {
          const d = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
          return d.scrollWidth - d.clientWidth;
        });
      await expect.poll(sideways, { timeout: 5_000, interval: 100, message: 'horizontal overflow at 1280 px, in pixels' }).toBeLessThanOrEqual(0);
      await page.setViewportSize({ width: 1440, height: 900 });

      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: `${ARTIFACTS}dashboard.png`, fullPage: true });

      expect(blocked, 'requests to other hosts').toEqual([]);
      expect(problems).toEqual([]);
      expect(await violations(), 'Content-Security-Policy violations').toEqual([]);
      await context.close();
    },
  );

  it('asks for a token when the link has none, refuses a bad one, and opens with a pasted one', { timeout: 120_000 }, async () => {
    // Prepare
    const { context, blocked } = await loopbackContext(await browser(), { viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));

    // Act
    await page.goto(`${base}/`);
    await page.waitForSelector('body[data-status="signin"]');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: `${ARTIFACTS}dashboard-signin.png` });
    await page.fill('#token-input', 'not-a-token');
    await page.click('#signin-form button[type="submit"]');

    // Assess: refused, with the server's reason, and asked again
    await page.waitForSelector('#signin-message:not([hidden])');
    expect(await page.getAttribute('body', 'data-status')).toBe('signin');
    expect(await page.textContent('#signin-message')).toMatch(/refused the token/);

    // Act
    await page.fill('#token-input', `Bearer ${token}`);
    await page.click('#signin-form button[type="submit"]');

    // Assess
    await page.waitForSelector('body[data-status="ready"]', { timeout: 90_000 });
    expect(await page.locator('#ranking tbody tr').count()).toBe(INITIATIVES);
    expect(await page.textContent('#tenant')).toContain('Tenant t-');
    expect(blocked).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });
  it('waits for a large scenario the worker is still forecasting, then opens it when its forecast is stored', { timeout: 120_000 }, async () => {
    // Prepare: a scenario stored `forecasting` (a limit of 0 makes it "large"; its request event goes nowhere yet)
    const queued: { detail?: ScenarioForecastRequested } = {};
    const large = new ScenarioService(lc.scenarios.store, lc.models.service, new IdempotencyStore(lc.db, lc.tableName), {
      publish: async (name, detail) => {
        if (name === 'ScenarioForecastRequested') queued.detail = detail as ScenarioForecastRequested;
      },
    }, undefined, { syncForecastLimit: 0 });
    const tenant = (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { tenant: string }).tenant;
    const current = await lc.scenarios.service.get(tenant, scenarioId);
    const { scenario } = await large.create(tenant, { ...current.scenario, name: 'Large scenario' });
    expect(scenario.forecastStatus).toBe('forecasting');
    const { context, blocked } = await loopbackContext(await browser(), { viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();

    // Act: open the dashboard; the newest scenario, still forecasting, is the one it opens
    await page.goto(`${base}/dashboard#token=${encodeURIComponent(token)}`);
    await page.waitForSelector('body[data-status="waiting"]', { timeout: 60_000 });

    // Assess: it says so, as information rather than an error
    expect(await page.locator('#scenario').inputValue()).toBe(scenario.id);
    expect(await page.textContent('#message')).toMatch(/still being computed/);
    expect(await page.getAttribute('#message', 'class')).toContain('info');

    // Act: the worker stores the forecast
    await lc.scenarios.service.forecastInWorker(queued.detail!);

    // Assess: the page tries again after Retry-After and shows it
    await page.waitForSelector('body[data-status="ready"]', { timeout: 60_000 });
    expect(await page.locator('#ranking tbody tr').count()).toBe(INITIATIVES);
    expect(await page.isHidden('#message')).toBe(true);
    expect(blocked).toEqual([]);
    await context.close();
    await lc.scenarios.service.delete(tenant, scenario.id);
  });
  it('optimises a large scenario through the worker: the budget panel follows the optimisation until it is ready', { timeout: 120_000 }, async () => {
    // Prepare: an app where every forecast and optimisation is "large" (the worker runs in-process, as in npm start)
    const large = await createTestLiftcast({ syncForecastLimit: 0 });
    const tenant = large.tenant();
    const wave = demoWave({ seed: 2026 });
    const { dataset } = await large.datasets.service.create(tenant, { name: wave.name, described: wave.attributes, table: tableFromObjects(wave.rows), seal: true });
    const fitted = await large.models.service.create(tenant, ModelRequestSchema.parse({ datasetId: dataset.id, method: 'auto', segmentBy: 'segment' }));
    const { scenario } = await large.scenarios.service.create(tenant, ScenarioInputSchema.parse(demoScenario(fitted.model.id)));
    expect(scenario.forecastStatus).toBe('forecasting');
    await large.bus.drain();
    const server2 = await new Promise<ServerType>((resolve) => {
      const s2 = serve({ fetch: large.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(s2));
    });
    const { context, blocked } = await loopbackContext(await browser(), { viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    const posted: number[] = [];
    page.on('response', (r) => {
      if (r.url().endsWith('/optimize')) posted.push(r.status());
    });

    // Act
    await page.goto(`http://127.0.0.1:${(server2.address() as AddressInfo).port}/dashboard#token=${encodeURIComponent(await large.token(tenant))}`);
    await page.waitForSelector('#card-optimizer[data-state="ready"]', { timeout: 60_000 });

    // Assess: the API accepted the search (202) and the panel shows the worker's result
    expect(posted).toContain(202);
    expect((await page.getAttribute('#card-optimizer', 'data-selected'))?.length).toBeGreaterThan(0);
    expect(await page.textContent('#selection')).toMatch(/Fund \d+ of 7 initiatives/);
    expect(blocked).toEqual([]);
    await context.close();
    await new Promise<void>((resolve) => server2.close(() => resolve()));
  });

  /** What the demo model's document says, from the API: the page must show the same. */
  async function demoModel(): Promise<{
    id: string;
    curves: { attribute: string; curved: boolean; points: unknown[] }[];
    drivers: { attribute: string; leavingDetractor: number; becomingPromoter: number }[];
    structure: { chosen: string };
    confounding?: { risk: string; survival: number | null; statement: string; attributes: { attribute: string; contrast: { estimate: number } }[] };
  }> {
    const s = await lc.request('GET', `/v1/scenarios/${scenarioId}`, { token });
    const modelId = ((await s.json()) as { scenario: { modelId: string } }).scenario.modelId;
    const m = await lc.request('GET', `/v1/models/${modelId}`, { token });
    expect(m.status).toBe(200);
    return { id: modelId, ...(await m.json()) };
  }

  const attributesOf = (page: Page, selector: string): Promise<(string | null)[]> =>
    page.locator(selector).evaluateAll((els) => els.map((e) => (e as unknown as { getAttribute(n: string): string | null }).getAttribute('data-attribute')));

  it('draws the demo model’s effect curves and its detractor and promoter drivers under the CSP, and redraws on each picker', { timeout: 120_000 }, async () => {
    // Prepare
    const model = await demoModel();
    expect(model.curves).toHaveLength(ATTRIBUTES);
    const { context, page, blocked, problems, violations } = await watchedPage(await browser(), { viewport: { width: 1440, height: 900 } });

    // Act
    await page.goto(`${base}/dashboard#token=${encodeURIComponent(token)}`);
    await page.waitForSelector('body[data-status="ready"]', { timeout: 90_000 });

    // Assess: one option per attribute, curved ones first; the first one's curve is drawn with its band
    const options = await page.locator('#curve-attribute option').evaluateAll((os) => os.map((o) => (o as unknown as { value: string }).value));
    const curved = new Set(model.curves.filter((c) => c.curved).map((c) => c.attribute));
    expect([...options].sort()).toEqual(model.curves.map((c) => c.attribute).sort());
    expect(options.slice(0, curved.size).every((o) => curved.has(o))).toBe(true);
    const curves = (await chartSummaries(page)).find((c) => c.id === 'chart-curves')!;
    expect(curves.type).toBe('line');
    expect(curves.datasets.map((d) => d.points)).toEqual([11, 11, 11]); // the band's two bounds and the effect, at 0–10
    const first = model.curves.find((c) => c.attribute === options[0])!;
    expect(curves.datasets[2]!.label).toMatch(first.curved ? /knots/ : /straight/);
    // … with its text alternative: the caption, also the canvas's label, and the points as a table
    const caption = (await page.textContent('#curves-caption'))!;
    expect(caption).toMatch(first.curved ? /curved/ : /a straight line/);
    expect(await page.getAttribute('#chart-curves', 'aria-label')).toContain(caption);
    expect(await page.locator('#curves-rows tr').count()).toBe(first.points.length);
    expect(await page.isHidden('#curves-unavailable')).toBe(true);

    // Act: another attribute
    const second = options[1]!;
    await page.selectOption('#curve-attribute', second);

    // Assess: its curve, its caption
    const label = await page.locator(`#curve-attribute option[value="${second}"]`).textContent();
    await expect.poll(() => page.textContent('#curves-caption')).toContain(label!.replace(' (curved)', ''));
    expect(await page.textContent('#curves-caption')).not.toBe(caption);

    // Assess: the drivers, as the API's figures sort them (detractors moved, then promoters made)
    const byDetractors = [...model.drivers].sort((a, b) => b.leavingDetractor - a.leavingDetractor || b.becomingPromoter - a.becomingPromoter).map((d) => d.attribute);
    const byPromoters = [...model.drivers].sort((a, b) => b.becomingPromoter - a.becomingPromoter || b.leavingDetractor - a.leavingDetractor).map((d) => d.attribute);
    const drivers = (await chartSummaries(page)).find((c) => c.id === 'chart-drivers')!;
    expect(drivers.type).toBe('bar');
    expect(drivers.datasets.map((d) => d.points)).toEqual([ATTRIBUTES, ATTRIBUTES]);
    expect(await attributesOf(page, '#drivers-rows tr')).toEqual(byDetractors);
    expect(await page.getAttribute('#chart-drivers', 'aria-label')).toMatch(/moves the most detractors/);

    // Act
    await page.selectOption('#drivers-sort', 'becomingPromoter');

    // Assess
    expect(await attributesOf(page, '#drivers-rows tr')).toEqual(byPromoters);

    // Assess: how the model was chosen, with the chosen structure marked
    expect(await page.textContent('#choice .choice-summary')).toContain(model.structure.chosen);
    const chosen = await page.locator('#choice li[data-chosen="true"] .candidate').allTextContents();
    expect(chosen).toContain(model.structure.chosen);
    expect(await page.locator('#choice .stage[data-stage="interactions"]').count()).toBe(1);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.locator('#card-curves').screenshot({ path: `${ARTIFACTS}dashboard-curves.png` });
    await page.locator('#card-drivers').screenshot({ path: `${ARTIFACTS}dashboard-drivers.png` });
    await page.locator('#card-choice').screenshot({ path: `${ARTIFACTS}dashboard-choice.png` });
    expect(await violations()).toEqual([]);
    expect(blocked).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('shows the demo model’s cause and effect, and the halo-adjusted lift beside each associational one, under the CSP', { timeout: 120_000 }, async () => {
    // Prepare: the model's check and the forecast's halo-adjusted lifts, from the API
    const model = await demoModel();
    const confounding = model.confounding;
    expect(confounding, 'the demo model carries a confounding check').toBeDefined();
    const res = await lc.request('GET', `/v1/scenarios/${scenarioId}/forecast`, { token });
    const forecast = (await res.json()) as { intervalLevel: number; initiatives: { id: string; haloAdjusted: { lift: number } | null }[]; portfolio: { haloAdjusted: { lift: number } | null } };
    const { context, page, blocked, problems, violations } = await watchedPage(await browser(), { viewport: { width: 1440, height: 900 } });

    // Act
    await page.goto(`${base}/dashboard#token=${encodeURIComponent(token)}`);
    await page.waitForSelector('body[data-status="ready"]', { timeout: 90_000 });

    // Assess: the card shows the model's risk as a badge, ρ in words and the model's statement
    expect(await page.isVisible('#cause-body')).toBe(true);
    expect(await page.isHidden('#cause-unavailable')).toBe(true);
    expect(await page.getAttribute('#card-cause', 'data-risk')).toBe(confounding!.risk);
    expect(await page.getAttribute('#cause-risk', 'class')).toBe(`risk risk-${confounding!.risk}`);
    expect(await page.textContent('#cause-statement')).toBe(confounding!.statement);
    if (confounding!.survival !== null) expect(await page.textContent('#cause-survival')).toBe(`${Math.round(confounding!.survival * 100)}% of the associational effect holds within accounts`);
    // … and one row per attribute, the largest contrast (between − within) first
    const byContrast = [...confounding!.attributes].sort((a, b) => b.contrast.estimate - a.contrast.estimate).map((a) => a.attribute);
    expect(await attributesOf(page, '#cause-rows tr')).toEqual(byContrast);

    // Assess: the ranking's "within accounts" column holds each initiative's halo-adjusted lift, at the forecast's level
    const level = `${Math.round(forecast.intervalLevel * 100)}% interval`;
    expect(await page.textContent('#halo-unit')).toBe(`halo-adjusted, ${level}`);
    expect(await page.textContent('#lift-unit')).toBe(`associational, ${level}`);
    // One decimal with a sign (a true minus), none when it rounds to zero; an en dash where there is no lift.
    const written = (v: number): string => (Number(Math.abs(v).toFixed(1)) === 0 ? '0.0' : `${v > 0 ? '+' : '\u2212'}${Math.abs(v).toFixed(1)}`);
    for (const i of forecast.initiatives) {
      const cell = page.locator(`#ranking tbody tr[data-id="${i.id}"] td.halo`);
      const expected = i.haloAdjusted ? written(i.haloAdjusted.lift) : '\u2013';
      expect((await cell.textContent())?.slice(0, expected.length), i.id).toBe(expected);
      if (i.haloAdjusted) expect(await cell.getAttribute('title'), i.id).toMatch(/^Within accounts .* associational/);
    }
    // … a note says what each lift is, cautioning when the check found the associational ones likely off
    const caution = (confounding!.risk === 'some' || confounding!.risk === 'high') && !(confounding!.survival !== null && confounding!.survival > 1);
    expect(await page.getAttribute('#card-ranking', 'data-caution')).toBe(String(caution));
    expect(await page.textContent('#ranking-note')).toContain('NPS lift is associational');
    // … and the headline figures carry the portfolio's halo-adjusted lift
    if (forecast.portfolio.haloAdjusted) expect(await page.textContent('#kpi-portfolio .within')).toMatch(/^within accounts /);
    expect(await page.locator('#kpi-portfolio .badge.caution').count()).toBe(caution ? 1 : 0);

    mkdirSync(ARTIFACTS, { recursive: true });
    await page.locator('#card-cause').screenshot({ path: `${ARTIFACTS}dashboard-cause.png` });
    expect(await violations(), 'Content-Security-Policy violations').toEqual([]);
    expect(blocked).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('says the curves, drivers and model choice are not available for a linear model, and draws its other panels', { timeout: 120_000 }, async () => {
    // Prepare: the demo scenario on an OLS model of the same wave (the newest scenario, so the one the page opens)
    const tenant = (JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString('utf8')) as { tenant: string }).tenant;
    const ordinal = await lc.models.service.get(tenant, (await demoModel()).id);
    const ols = await lc.models.service.create(tenant, ModelRequestSchema.parse({ datasetId: ordinal.datasetId, method: 'ols', segmentBy: 'segment' }));
    expect(ols.status).toBe(201);
    const { scenario } = await lc.scenarios.service.create(tenant, ScenarioInputSchema.parse({ ...demoScenario(ols.model.id), name: 'On a linear model' }));
    const { context, page, blocked, problems, violations } = await watchedPage(await browser(), { viewport: { width: 1280, height: 800 } });

    try {
      // Act
      await page.goto(`${base}/dashboard#token=${encodeURIComponent(token)}`);
      await page.waitForSelector('body[data-status="ready"]', { timeout: 90_000 });

      // Assess: each detail card says why, with no chart left on it; the importance bars are drawn
      expect(await page.locator('#scenario').inputValue()).toBe(scenario.id);
      for (const detail of ['curves', 'drivers', 'choice', 'cause']) {
        expect(await page.isVisible(`#${detail}-unavailable`), detail).toBe(true);
        expect(await page.textContent(`#${detail}-unavailable`), detail).toMatch(/^Not available for this model/);
        expect(await page.isHidden(`#${detail}-body`), detail).toBe(true);
      }
      expect(await page.textContent('#curves-unavailable')).toContain('ols');
      expect(await page.isHidden('#curve-picker')).toBe(true);
      expect(await page.getAttribute('#card-cause', 'data-risk')).toBeNull();
      // … and without a check there is no halo-adjusted lift: each "within accounts" cell is an en dash
      expect(new Set(await page.locator('#ranking tbody td.halo').allTextContents())).toEqual(new Set(['\u2013']));
      const charts = Object.fromEntries((await chartSummaries(page)).map((c) => [c.id, c]));
      expect(charts['chart-curves']!.type).toBeNull();
      expect(charts['chart-drivers']!.type).toBeNull();
      expect(charts['chart-importance']!.labels).toBe(ATTRIBUTES);
      expect(await violations()).toEqual([]);
      expect(blocked).toEqual([]);
      expect(problems).toEqual([]);
    } finally {
      await context.close();
      await lc.scenarios.service.delete(tenant, scenario.id);
    }
  });
});
