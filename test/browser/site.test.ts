/**
 * The static site as it runs in AWS, in headless Chromium: the files written to a directory the way
 * the CDK synth writes the S3 asset (functions/dashboard/site.ts's writeSite), behind a stand-in for
 * the CloudFront distribution of infra/site.ts: the distribution's own page-rewrite code
 * (pageRewriteCode, run as CloudFront runs it), S3's answer for a missing key (403, the bucket grants
 * CloudFront no ListBucket), the security headers of the response-headers policy on every static
 * answer, and /v1/*, /openapi.json and /health forwarded to the app. Swagger UI and the dashboard
 * must work from those files under the Content-Security-Policy, with no request leaving the machine.
 */
import { readFile } from 'node:fs/promises';
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { extname, join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { serve, type ServerType } from '@hono/node-server';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tableFromObjects } from '../../model/dataset.js';
import { demoWave } from '../../model/demo.js';
import { ModelRequestSchema } from '../../model/drivers/contract.js';
import { ScenarioInputSchema } from '../../model/scenario/contract.js';
import { buildSite, SECURITY_HEADERS, SITE_PAGES, writeSite } from '../../functions/dashboard/site.js';
import { demoScenario } from '../../functions/local/demoScenario.js';
import { API_PATH_PATTERNS, pageRewriteCode } from '../../infra/site.js';
import { createTestLiftcast, type TestLiftcast } from '../support/liftcast.js';
import { launchChromium, watchedPage } from './chromium.js';

/** Content types as the deployment's `aws s3 sync` sets them, by extension. */
const S3_TYPES = new Map([
  ['.html', 'text/html'],
  ['.js', 'text/javascript'],
  ['.css', 'text/css'],
  ['.map', 'application/json'],
  ['.txt', 'text/plain'],
]);

const rewrite = runInNewContext(`${pageRewriteCode(SITE_PAGES)}; handler`) as (event: { request: { uri: string } }) => { uri: string };

/** CloudFront's path patterns as it matches them: `*` is any run of characters. */
const toApi = (path: string): boolean =>
  API_PATH_PATTERNS.some((pattern) => (pattern.endsWith('*') ? path.startsWith(pattern.slice(0, -1)) : path === pattern));

let lc: TestLiftcast;
let dir: string;
let server: ServerType;
let base: string;
let token: string;

beforeAll(async () => {
  lc = await createTestLiftcast();
  const tenant = lc.tenant();
  const wave = demoWave({ seed: 2026 });
  const { dataset } = await lc.datasets.service.create(tenant, { name: wave.name, described: wave.attributes, table: tableFromObjects(wave.rows), seal: true });
  const fitted = await lc.models.service.create(tenant, ModelRequestSchema.parse({ datasetId: dataset.id, method: 'auto', segmentBy: 'segment' }));
  await lc.scenarios.service.create(tenant, ScenarioInputSchema.parse(demoScenario(fitted.model.id)));
  token = await lc.token(tenant);

  dir = mkdtempSync(join(tmpdir(), 'liftcast-site-'));
  writeSite(buildSite(), dir);
  server = await new Promise<ServerType>((resolve) => {
    const s = serve(
      {
        hostname: '127.0.0.1',
        port: 0,
        fetch: async (req) => {
          const url = new URL(req.url);
          if (toApi(url.pathname)) return lc.app.fetch(req);
          const headers = new Headers({ ...SECURITY_HEADERS, 'X-Frame-Options': 'DENY' });
          if (req.method !== 'GET' && req.method !== 'HEAD') return new Response(null, { status: 403, headers });
          const key = rewrite({ request: { uri: url.pathname } }).uri.slice(1);
          try {
            const body = await readFile(join(dir, key));
            headers.set('Content-Type', S3_TYPES.get(extname(key)) ?? 'binary/octet-stream');
            headers.set('Cache-Control', 'no-cache');
            return new Response(new Uint8Array(body), { status: 200, headers });
          } catch {
            return new Response('<Error><Code>AccessDenied</Code></Error>', { status: 403, headers: { ...Object.fromEntries(headers), 'Content-Type': 'application/xml' } });
          }
        },
      },
      () => resolve(s),
    );
  });
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}, 120_000);

afterAll(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('the static site from its files, behind a stand-in for CloudFront', () => {
  let launched: Promise<Browser> | undefined;
  const browser = (): Promise<Browser> => (launched ??= launchChromium());
  afterAll(async () => {
    await launched?.then((b) => b.close(), () => undefined);
  });

  /** A page that records errors and every Content-Security-Policy violation. */
  async function openPage(path: string) {
    const watched = await watchedPage(await browser(), { viewport: { width: 1280, height: 800 } });
    const response = await watched.page.goto(`${base}${path}`);
    return { ...watched, response };
  }

  it('answers the pages from their files and a path that is no file as S3 does', async () => {
    for (const path of ['/', '/dashboard', '/docs']) {
      const res = await fetch(`${base}${path}`);
      expect(res.status, path).toBe(200);
      expect(res.headers.get('content-type'), path).toBe('text/html');
      expect(res.headers.get('content-security-policy'), path).toBe(SECURITY_HEADERS['Content-Security-Policy']);
    }
    expect((await fetch(`${base}/dashboard/assets/dashboard.js`)).headers.get('x-content-type-options')).toBe('nosniff');
    for (const path of ['/constructor', '/dashboard/', '/docs/assets/nothing.js']) expect((await fetch(`${base}${path}`)).status, path).toBe(403);
    expect((await fetch(`${base}/health`)).status).toBe(200);
  });

  it('runs Swagger UI from the files under the Content-Security-Policy: it loads /openapi.json and lists the operations', { timeout: 120_000 }, async () => {
    // Act
    const { context, page, response, blocked, problems, violations } = await openPage('/docs');
    await page.waitForSelector('#swagger-ui .opblock', { timeout: 60_000 });

    // Assess
    expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
    expect(await page.locator('#swagger-ui .opblock').count()).toBeGreaterThan(20);
    expect(await page.textContent('#swagger-ui .info .title')).toContain('Liftcast');
    expect(await violations()).toEqual([]);
    expect(blocked).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });

  it('opens the dashboard from the files, calling the API on the same origin', { timeout: 120_000 }, async () => {
    // Act
    const { context, page, blocked, problems, violations } = await openPage(`/dashboard#token=${encodeURIComponent(token)}`);
    await page.waitForSelector('body[data-status="ready"]', { timeout: 90_000 });

    // Assess
    expect(await page.locator('#ranking tbody tr').count()).toBe(7);
    expect(await page.getAttribute('#card-optimizer', 'data-state')).toBe('ready');
    expect(await violations()).toEqual([]);
    expect(blocked).toEqual([]);
    expect(problems).toEqual([]);
    await context.close();
  });
});
