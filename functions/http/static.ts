/**
 * Static routes: the API reference at `/docs` (Swagger UI), and the dashboard: one public page at `/` and `/dashboard`, its script and style sheet, and Chart.js,
 * all served by the app itself so the page works offline. The page holds no data; it calls the
 * JSON API with the bearer token the user brings (from the `#token=` link `npm start` prints, or
 * pasted), so everything it shows is the signed-in tenant's and goes through the same checks.
 *
 * The page source lives in `functions/dashboard/` as modules, so esbuild bundles it into the
 * Lambda. Chart.js is read from `node_modules` like Swagger UI's assets (`app.ts`); the Lambda
 * asset must ship `node_modules/chart.js/dist/chart.umd.min.js` next to the bundle.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { swaggerUI } from '@hono/swagger-ui';
import { Hono, type Context } from 'hono';
import { DASHBOARD_JS } from '../dashboard/client.js';
import { DASHBOARD_CSS, DASHBOARD_HTML } from '../dashboard/page.js';
import { NotFoundError } from '../app/errors.js';

/** Where the page loads its files from; `page.ts` refers to the same paths. */
export const DASHBOARD_ASSETS = '/dashboard/assets';

/**
 * What the page may load and call: only this origin, no inline script, no framing. The token lives
 * in sessionStorage, so a script injected from elsewhere is what would leak it; this forbids one.
 */
const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "font-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const CHART_JS_FILE = 'chart.umd.min.js';

/**
 * Chart.js's browser build, read once. `chart.js` exports only its module entry points, so the
 * file is found the way Node finds packages (each `node_modules` up from this module) rather than
 * by `require.resolve`, which would refuse the unexported path.
 */
let chartJs: Promise<Uint8Array<ArrayBuffer>> | undefined;
async function readChartJs(): Promise<Uint8Array<ArrayBuffer>> {
  const dirs = createRequire(import.meta.url).resolve.paths('chart.js') ?? [];
  for (const dir of dirs) {
    try {
      return new Uint8Array(await readFile(join(dir, 'chart.js', 'dist', CHART_JS_FILE)));
    } catch {
      // not in this node_modules; try the next one up
    }
  }
  throw new NotFoundError(`Chart.js (${CHART_JS_FILE}) is not installed: run npm install.`);
}

const TEXT_ASSETS: Record<string, { type: string; body: string }> = {
  'dashboard.js': { type: 'text/javascript; charset=utf-8', body: DASHBOARD_JS },
  'dashboard.css': { type: 'text/css; charset=utf-8', body: DASHBOARD_CSS },
};

function securityHeaders(c: Context): void {
  c.header('X-Content-Type-Options', 'nosniff');
  c.header('Referrer-Policy', 'no-referrer');
}

const SWAGGER_ASSETS = new Set(['swagger-ui.css', 'swagger-ui-bundle.js']);

/**
 * The static routes, to mount at the root: the dashboard (`GET /`, `GET /dashboard` and the page's
 * assets) and the interactive API reference (`GET /docs` and Swagger UI's assets).
 */
export function staticRoutes(): Hono {
  const app = new Hono();
  app.get('/docs', swaggerUI({ url: '/openapi.json', baseUrl: '/docs/assets', title: 'Liftcast API' }));
  // Swagger UI's assets come from the installed swagger-ui-dist, so the docs work offline.
  app.get('/docs/assets/swagger-ui-dist/:file', async (c) => {
    const file = c.req.param('file');
    if (!SWAGGER_ASSETS.has(file)) throw new NotFoundError(`No asset ${file}.`);
    let body: Buffer;
    try {
      body = await readFile(createRequire(import.meta.url).resolve(`swagger-ui-dist/${file}`));
    } catch (cause) {
      throw new NotFoundError(`Asset ${file} is not installed.`, { cause });
    }
    c.header('Content-Type', file.endsWith('.css') ? 'text/css; charset=utf-8' : 'text/javascript; charset=utf-8');
    c.header('Cache-Control', 'public, max-age=86400');
    return c.body(new Uint8Array(body));
  });
  const page = (c: Context): Response => {
    securityHeaders(c);
    c.header('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    c.header('Cache-Control', 'no-cache');
    return c.html(DASHBOARD_HTML);
  };
  app.get('/', page);
  app.get('/dashboard', page);
  app.get(`${DASHBOARD_ASSETS}/:file`, async (c) => {
    const file = c.req.param('file');
    securityHeaders(c);
    if (file === CHART_JS_FILE) {
      chartJs ??= readChartJs().catch((e: unknown) => {
        chartJs = undefined; // an `npm install` later should not need a restart
        throw e;
      });
      c.header('Content-Type', 'text/javascript; charset=utf-8');
      c.header('Cache-Control', 'public, max-age=86400');
      return c.body(await chartJs);
    }
    const asset = TEXT_ASSETS[file];
    if (!asset) throw new NotFoundError(`No dashboard asset ${file}.`);
    c.header('Content-Type', asset.type);
    c.header('Cache-Control', 'no-cache');
    return c.body(asset.body);
  });
  return app;
}
