/**
 * The whole job in a real browser, on a tenant with nothing in it: headless Chromium opens the
 * dashboard served by the real app (DynamoDB Local behind it), and a strategy analyst's planning
 * cycle is done through the page alone — a bad file refused with its rows listed and nothing
 * stored, the wave uploaded in batches with a missing-value code, a model fitted and followed, a
 * what-if slider moved, a two-initiative scenario built, one initiative edited while someone else
 * changed the scenario (the 412 answered by overwriting), the scenario ranked, and the ranking
 * downloaded as Excel. Each step is checked against the API itself, and the workbook is opened with
 * exceljs and its numbers compared with the API's forecast. Every request to another host fails the
 * test. Screenshots land in test/artifacts/.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import ExcelJS from 'exceljs';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_ATTRIBUTES, demoWave } from '../../model/demo.js';
import { createTestLiftcast, type TestLiftcast } from '../support/liftcast.js';
import { serveOnLoopback, type LoopbackServer } from './loopback.js';
import { launchChromium, watchedPage } from './chromium.js';

const ARTIFACTS = fileURLToPath(new URL('../artifacts/', import.meta.url));
/** Rows per request the page is told to use, so that the wave goes up in several batches. */
const BATCH_ROWS = 700;
const RESPONDENTS = 2_000;
/** The code the file uses for "not answered". */
const MISSING = '-99';

let lc: TestLiftcast;
let server: LoopbackServer | undefined;
let base: string;
let token: string;
let browser: Browser;

interface ApiAnswer<T> {
  status: number;
  body: T;
  etag: string | null;
}

async function api<T>(method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<ApiAnswer<T>> {
  const res = await lc.request(method, path, { token, ...(body === undefined ? {} : { body }), headers });
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : null) as T, etag: res.headers.get('etag') };
}

/** The demo wave as the CSV a survey tool exports: skipped answers written as -99. */
function waveCsv(): { csv: string; skipped: number } {
  const wave = demoWave({ seed: 77, accounts: 400, respondents: RESPONDENTS });
  const columns = ['respondent_id', 'account_id', 'segment', 'role', 'wave', 'account_revenue', 'ltr', ...DEMO_ATTRIBUTES.map((a) => a.name)];
  let skipped = 0;
  const lines = wave.rows.map((r) =>
    columns
      .map((c) => {
        const v = r[c];
        if (v === null || v === undefined) {
          skipped++;
          return MISSING;
        }
        return String(v);
      })
      .join(','),
  );
  return { csv: `${columns.join(',')}\n${lines.join('\n')}\n`, skipped };
}

/** Moves a range input to `value` as a hand would: `input` while moving, `change` on release. */
async function slide(page: Page, selector: string, value: number): Promise<void> {
  await page.locator(selector).evaluate((input, v) => {
    const el = input as unknown as { value: string; dispatchEvent(e: unknown): boolean };
    const g = globalThis as unknown as { Event: new (type: string, init: { bubbles: boolean }) => unknown };
    el.value = String(v);
    el.dispatchEvent(new g.Event('input', { bubbles: true }));
    el.dispatchEvent(new g.Event('change', { bubbles: true }));
  }, value);
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${ARTIFACTS}workflow-${name}.png`, fullPage: false });
}

/** Fills the open initiative form: a name, one effect, the enterprise segment, a reach and costs. */
async function fillInitiative(page: Page, i: { name: string; attribute: string; value: number; segment?: string; reach: number; oneTime: number; annual: number }): Promise<void> {
  await page.fill('#initiative-name', i.name);
  const effect = page.locator('#initiative-effects .effect').first();
  await effect.locator('[data-field=attribute]').selectOption(i.attribute);
  await effect.locator('[data-field=op]').selectOption('add');
  await effect.locator('[data-field=value]').fill(String(i.value));
  if (i.segment) await page.locator(`#initiative-segments input[value="${i.segment}"]`).check();
  await page.fill('#initiative-reach', String(i.reach));
  await page.fill('#initiative-onetime', String(i.oneTime));
  await page.fill('#initiative-annual', String(i.annual));
  await page.click('#initiative-save');
  await page.waitForSelector('#initiative-form[hidden]', { state: 'attached' });
}

beforeAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  lc = await createTestLiftcast();
  token = await lc.token(lc.tenant());
  server = await serveOnLoopback(lc.app.fetch);
  base = server.base;
  browser = await launchChromium();
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
});

describe('the dashboard does the whole job', () => {
  it(
    'uploads a wave with a missing code, refuses a bad file, fits, moves a what-if, builds and edits a scenario through a 412, ranks it and exports it to Excel matching the API',
    { timeout: 300_000 },
    async () => {
      const { context, page, blocked, problems, violations } = await watchedPage(browser, { viewport: { width: 1280, height: 900 }, acceptDownloads: true });
      await page.goto(`${base}/dashboard#token=${encodeURIComponent(token)}`);
      await page.waitForSelector('body[data-status="empty"]');

      // ── A bad file: one ltr of 11 and one unknown segment cell left empty; nothing may be stored
      const { csv, skipped } = waveCsv();
      expect(skipped, 'the demo wave has skipped answers, so the missing code is exercised').toBeGreaterThan(0);
      const lines = csv.split('\n');
      const bad = [...lines];
      bad[5] = bad[5]!.replace(/^([^,]*,[^,]*,[^,]*,[^,]*,[^,]*,[^,]*),\d+,/, '$1,11,');
      await page.setInputFiles('#upload-file', { name: 'bad-wave.csv', mimeType: 'text/csv', buffer: Buffer.from(bad.join('\n')) });
      await page.waitForSelector('#card-upload[data-state="ready"]');
      await page.fill('#upload-missing', MISSING);
      await page.click('#upload-send');
      await page.waitForSelector('#card-upload[data-state="rejected"]');
      const errorRows = await page.locator('#upload-error-rows tr').allInnerTexts();
      expect(errorRows.length).toBeGreaterThanOrEqual(1);
      expect(errorRows[0], 'the error names the file row (line 6 is data row 5) and the column').toMatch(/^5\s+ltr\s+/);
      await shot(page, '1-rejected');
      expect((await api<{ items: unknown[] }>('GET', '/v1/datasets')).body.items, 'a refused file leaves nothing').toHaveLength(0);

      // ── The good file, in batches, with the missing code declared
      await page.setInputFiles('#upload-file', { name: 'wave-2026-q3.csv', mimeType: 'text/csv', buffer: Buffer.from(csv) });
      await page.waitForSelector('#card-upload[data-state="ready"]');
      const guessed = await page.locator('#upload-mapping select[data-column]').evaluateAll((s) => s.map((x) => (x as unknown as { value: string }).value));
      expect(guessed.slice(0, 7)).toEqual(['respondent', 'account', 'segment', 'role', 'wave', 'revenue', 'ltr']);
      expect(guessed.slice(7).every((r) => r === 'attribute')).toBe(true);
      await page.fill('#upload-missing', MISSING);
      await page.fill('#upload-batch', String(BATCH_ROWS));
      await page.click('#upload-send');
      await page.waitForSelector('#card-upload[data-state="uploaded"]', { timeout: 60_000 });
      const datasetId = (await page.getAttribute('#card-upload', 'data-dataset'))!;
      const dataset = (await api<{ rowCount: number; status: string; summary: { attributes: { name: string; answered: number }[] } }>('GET', `/v1/datasets/${datasetId}`)).body;
      expect(dataset.status).toBe('sealed');
      expect(dataset.rowCount).toBe(RESPONDENTS);
      expect(await page.textContent('#upload-status')).toContain(`${Math.ceil(RESPONDENTS / BATCH_ROWS)} batches`);
      await shot(page, '2-uploaded');

      // ── Fit and follow
      await page.waitForFunction((id) => [...(globalThis as unknown as { document: { querySelectorAll(s: string): { value: string }[] } }).document.querySelectorAll('#fit-dataset option')].some((o) => o.value === id), datasetId);
      await page.selectOption('#fit-dataset', datasetId);
      await page.click('#fit-start');
      await page.waitForSelector('#card-fit[data-state="ready"]', { timeout: 120_000 });
      const modelId = (await page.getAttribute('#card-fit', 'data-model'))!;
      const model = (await api<{ status: string; datasetId: string; population?: { imputed?: number } }>('GET', `/v1/models/${modelId}`)).body;
      expect(model.status).toBe('ready');
      expect(model.datasetId).toBe(datasetId);
      expect(await page.textContent('#fit-structure'), 'the chosen structure is said').toMatch(/^ordinal model; grouping columns considered: .+ Chosen: /);
      await shot(page, '3-fitted');

      // ── What-if: support +2 points for everyone; the page shows what the API predicts
      await page.waitForSelector('#whatif-body:not([hidden])');
      await page.waitForFunction((id) => (globalThis as unknown as { document: { getElementById(i: string): { value: string } } }).document.getElementById('whatif-model').value === id, modelId);
      await slide(page, '#whatif-support_responsiveness', 2);
      await page.waitForSelector('#card-whatif[data-state="ready"]');
      const shownLift = Number(await page.getAttribute('#card-whatif', 'data-lift'));
      const predicted = (await api<{ nps: { lift: number } }>('POST', `/v1/models/${modelId}/predict`, { changes: [{ attribute: 'support_responsiveness', op: 'add', value: 2 }] })).body;
      expect(shownLift).toBeCloseTo(predicted.nps.lift, 9);
      expect(shownLift, 'two more points of support move NPS').toBeGreaterThan(0);
      expect(await page.locator('#whatif-table tbody tr').count()).toBe(3);
      await shot(page, '4-whatif');

      // ── A two-initiative scenario, built in the editor
      await page.click('#editor-new');
      await page.fill('#editor-name', 'Planning cycle 2027');
      await page.selectOption('#editor-model', modelId);
      await page.click('#editor-add');
      await fillInitiative(page, { name: 'Support desk 24/7', attribute: 'support_responsiveness', value: 1.5, reach: 80, oneTime: 120_000, annual: 40_000 });
      await page.click('#editor-add');
      await fillInitiative(page, { name: 'Enterprise onboarding', attribute: 'onboarding', value: 1, segment: 'enterprise', reach: 100, oneTime: 60_000, annual: 10_000 });
      expect(await page.locator('#editor-initiatives tbody tr').count()).toBe(2);
      await page.click('#editor-save');
      await page.waitForSelector('#card-editor[data-state="saved"]', { timeout: 60_000 });
      const scenarioId = (await page.getAttribute('#card-editor', 'data-scenario'))!;
      const v1 = await api<{ version: number; scenario: { initiatives: { id: string; reach: number; target?: { segments?: string[] } }[] } }>('GET', `/v1/scenarios/${scenarioId}`);
      expect(v1.body.version).toBe(1);
      expect(v1.body.scenario.initiatives.map((i) => i.id)).toEqual(['support-desk-24-7', 'enterprise-onboarding']);
      expect(v1.body.scenario.initiatives[0]!.reach).toBeCloseTo(0.8, 12);
      expect(v1.body.scenario.initiatives[1]!.target?.segments).toEqual(['enterprise']);
      await shot(page, '5-scenario');

      // ── Someone else changes the scenario while the analyst edits an initiative: the save is a 412
      await page.click('#editor-initiatives button[data-edit="support-desk-24-7"]');
      await page.fill('#initiative-reach', '60');
      await page.click('#initiative-save');
      const theirs = { ...(v1.body.scenario as Record<string, unknown>), name: 'Planning cycle 2027 (finance)' };
      const put = await api<{ version: number }>('PUT', `/v1/scenarios/${scenarioId}`, theirs, { 'if-match': v1.etag! });
      expect(put.status).toBe(200);
      await page.click('#editor-save');
      await page.waitForSelector('#card-editor[data-state="conflict"]');
      expect(await page.isVisible('#editor-conflict')).toBe(true);
      expect(await page.textContent('#editor-conflict-text')).toContain('changed elsewhere');
      await shot(page, '6-conflict');
      await page.click('#conflict-overwrite');
      await page.waitForSelector('#card-editor[data-state="saved"][data-version="3"]', { timeout: 60_000 });
      const v3 = (await api<{ version: number; scenario: { name: string; initiatives: { id: string; reach: number }[] } }>('GET', `/v1/scenarios/${scenarioId}`)).body;
      expect(v3.version).toBe(3);
      expect(v3.scenario.initiatives.find((i) => i.id === 'support-desk-24-7')!.reach).toBeCloseTo(0.6, 12);

      // ── Ranked in the dashboard as the API ranks it
      await page.waitForSelector('body[data-status="ready"]', { timeout: 60_000 });
      expect(await page.locator('#scenario').inputValue()).toBe(scenarioId);
      const ranking = (await api<{ items: { id: string; npsLift: number }[] }>('GET', `/v1/scenarios/${scenarioId}/ranking?by=roi`)).body.items;
      const shownIds = await page.locator('#ranking tbody tr').evaluateAll((rows) => rows.map((r) => (r as unknown as { getAttribute(n: string): string | null }).getAttribute('data-id')));
      expect(shownIds).toEqual(ranking.map((i) => i.id));
      await page.waitForSelector('#versions-body:not([hidden])');
      expect(await page.locator('#versions tbody tr').count()).toBe(3);
      await shot(page, '7-ranked');

      // ── Two versions side by side: v1 (reach 80 %) against v3 (reach 60 %), the portfolio last
      await page.check('#versions input[name="version-a"][value="1"]');
      await page.check('#versions input[name="version-b"][value="3"]');
      await page.click('#versions-compare');
      await page.waitForSelector('#version-compare:not([hidden])');
      const compared = await page.locator('#version-compare tbody tr').allInnerTexts();
      expect(compared).toHaveLength(3);
      expect(compared[2]).toMatch(/^Portfolio/);
      const lift = (f: { initiatives: { id: string; nps: { lift: number } }[] }): number => f.initiatives.find((i) => i.id === 'support-desk-24-7')!.nps.lift;
      const [f1, f3] = await Promise.all([1, 3].map(async (v) => (await api<{ forecast: { initiatives: { id: string; nps: { lift: number } }[] } }>('GET', `/v1/scenarios/${scenarioId}/versions/${v}`)).body.forecast));
      expect(lift(f3!), 'less reach, less lift').toBeLessThan(lift(f1!));
      expect(compared[0]).toContain(lift(f1!).toFixed(1));
      expect(compared[0]).toContain(lift(f3!).toFixed(1));

      // ── Excel for finance: the workbook's numbers are the API's forecast
      const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export-xlsx')]);
      const file = `${ARTIFACTS}workflow-ranking.xlsx`;
      await download.saveAs(file);
      const book = new ExcelJS.Workbook();
      await book.xlsx.readFile(file);
      const forecast = (await api<{ initiatives: { id: string; name: string; nps: { lift: number; interval: [number, number] } }[] }>('GET', `/v1/scenarios/${scenarioId}/forecast`)).body;
      const sheetNames = book.worksheets.map((w) => w.name);
      expect(sheetNames.some((n) => /assumption/i.test(n)), `an assumptions sheet among ${sheetNames.join(', ')}`).toBe(true);
      const numbersByName = new Map<string, number[]>();
      for (const sheet of book.worksheets)
        sheet.eachRow((row) => {
          const cells = (row.values as unknown[]).slice(1);
          const name = cells.find((c): c is string => typeof c === 'string' && forecast.initiatives.some((i) => i.name === c));
          if (name) numbersByName.set(`${sheet.name}|${name}`, cells.filter((c): c is number => typeof c === 'number'));
        });
      for (const i of forecast.initiatives) {
        const rows = [...numbersByName].filter(([k]) => k.endsWith(`|${i.name}`)).map(([, v]) => v);
        expect(rows.length, `${i.name} is in the workbook`).toBeGreaterThan(0);
        expect(
          rows.some((nums) => [i.nps.lift, i.nps.interval[0], i.nps.interval[1]].every((x) => nums.some((n) => Math.abs(n - x) < 1e-9))),
          `${i.name}'s NPS lift and its interval are numbers in the workbook`,
        ).toBe(true);
      }

      // ── Usable by keyboard and screen reader: every visible control of the workbench has a name,
      // and nothing overflows the 1280-pixel laptop width.
      const unnamed = await page.locator('#workbench').evaluate((root) => {
        type Control = { tagName: string; id: string; type?: string; hidden: boolean; offsetParent: unknown; labels?: ArrayLike<unknown> | null; getAttribute(n: string): string | null; textContent: string | null };
        const r = root as unknown as { querySelectorAll(s: string): ArrayLike<Control> };
        return Array.from(r.querySelectorAll('input, select, button, textarea'))
          .filter((c) => c.offsetParent !== null && c.type !== 'hidden')
          .filter((c) => !((c.labels?.length ?? 0) > 0 || c.getAttribute('aria-label') || c.getAttribute('aria-labelledby') || (c.tagName === 'BUTTON' && (c.textContent ?? '').trim() !== '')))
          .map((c) => `${c.tagName.toLowerCase()}#${c.id}`);
      });
      expect(unnamed, 'controls without an accessible name').toEqual([]);
      const overflow = await page.evaluate(() => {
        const d = (globalThis as unknown as { document: { documentElement: { scrollWidth: number; clientWidth: number } } }).document.documentElement;
        return d.scrollWidth - d.clientWidth;
      });
      expect(overflow, 'no horizontal scroll at 1280 px').toBeLessThanOrEqual(0);

      // ── Nothing left the machine, nothing broke
      expect(blocked).toEqual([]);
      // The browser logs each refused request; exactly the two this job met (the bad file, the 412), no page error.
      expect(problems).toEqual(['console: Failed to load resource: the server responded with a status of 400 (Bad Request)', 'console: Failed to load resource: the server responded with a status of 412 (Precondition Failed)']);
      expect(await violations()).toEqual([]);
      await context.close();
    },
  );
});
