/**
 * Static routes for `npm start` and the tests: the dashboard (`/`, `/dashboard` and its assets) and
 * the API reference (`/docs` and its assets), served from the static site of
 * functions/dashboard/site.ts, built on the first request and kept. In AWS the same site is files in
 * S3 behind CloudFront (infra/site.ts) and the API function does not mount these routes
 * (the Lambda entry does not pass these routes to the app).
 *
 * The pages hold no data; they call the JSON API with the bearer token the user brings (from the
 * `#token=` link `npm start` prints, or pasted), so everything they show is the signed-in tenant's
 * and goes through the same checks.
 */
import { Hono, type Context } from 'hono';
import { buildSite, SECURITY_HEADERS, siteFileFor, type StaticSite } from '../dashboard/site.js';
import { NotFoundError } from '../app/errors.js';

/** Where the dashboard loads its files from; web/index.html refers to the same path. */
export const DASHBOARD_ASSETS = '/dashboard/assets';

/**
 * The site, built once per process. A failed build is not kept: after an `npm install` (or a fix
 * to web/) the next request builds again, without a restart.
 */
let site: StaticSite | undefined;
function theSite(): StaticSite {
  site ??= buildSite();
  return site;
}

/**
 * The static routes, to mount at the root. Every answer carries the site's security headers (the
 * same CloudFront adds) and `Cache-Control: no-cache`: the browser revalidates, so a rebuilt page
 * shows at once.
 */
export function staticRoutes(): Hono {
  const app = new Hono();
  const serve = (c: Context): Response => {
    const file = siteFileFor(theSite(), c.req.path);
    if (!file) throw new NotFoundError(`No static file ${c.req.path}.`);
    for (const [name, value] of Object.entries(SECURITY_HEADERS)) c.header(name, value);
    c.header('Content-Type', file.contentType);
    c.header('Cache-Control', 'no-cache');
    return c.body(file.body);
  };
  app.get('/', serve);
  app.get('/dashboard', serve);
  app.get('/docs', serve);
  app.get(`${DASHBOARD_ASSETS}/*`, serve);
  app.get('/docs/assets/*', serve);
  return app;
}
