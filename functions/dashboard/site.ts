/**
 * The static site: the dashboard (page, style sheet, its script bundled from web/src/ by esbuild,
 * Chart.js) and the API reference (a Swagger UI page, its starter script, swagger-ui-dist's
 * files). One build, two hosts:
 *
 * - `npm start` and the tests serve it from the app (functions/http/static.ts builds it on the
 *   first request and keeps it);
 * - in AWS it is a directory the CDK synth writes with {@link writeSite} (infra/site.ts), uploaded
 *   to S3 and served by CloudFront, so the API function carries none of it.
 *
 * Both hosts answer the same paths ({@link SITE_PAGES} and the files' own paths) with the same
 * {@link SECURITY_HEADERS}, and the pages load only from their own origin: everything works offline.
 *
 * The build is synchronous (esbuild's `buildSync`), because CDK asks for an asset synchronously;
 * it takes about 0.1 s. esbuild is a development dependency: the API's Lambda bundle replaces it
 * with a stub (scripts/bundle-lambda.mjs) because the function never serves these files.
 */
import { buildSync, type BuildOptions } from 'esbuild';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** One file of the site, by its path from the site's root (`dashboard/assets/dashboard.js`). */
export interface SiteFile {
  readonly body: Uint8Array<ArrayBuffer>;
  readonly contentType: string;
}

/** Every file of the site, by path from the root, without a leading slash. */
export type StaticSite = ReadonlyMap<string, SiteFile>;

/**
 * The pages: request path → the file that answers it. `/` and `/dashboard` are the same page.
 * CloudFront rewrites these paths to their files the same way (infra/site.ts).
 */
export const SITE_PAGES: ReadonlyMap<string, string> = new Map([
  ['/', 'index.html'],
  ['/dashboard', 'index.html'],
  ['/docs', 'docs/index.html'],
]);

/** Where the pages load their files from; the HTML refers to these prefixes. */
export const ASSET_PREFIXES = ['dashboard/assets/', 'docs/assets/'] as const;

/**
 * What the pages may load and call: only this origin, no inline script, no framing. The token lives
 * in sessionStorage, so a script injected from elsewhere is what would leak it; this forbids one.
 */
export const CONTENT_SECURITY_POLICY = [
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

/**
 * The headers on every static response, locally and from CloudFront (its response-headers policy
 * is built from these): the policy above, no MIME sniffing, no referrer (a URL never leaves the page).
 */
export const SECURITY_HEADERS: Readonly<Record<'Content-Security-Policy' | 'X-Content-Type-Options' | 'Referrer-Policy', string>> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
};

/** The repository root, where web/ and node_modules are. */
const REPOSITORY = fileURLToPath(new URL('../../', import.meta.url));

const CONTENT_TYPES: ReadonlyMap<string, string> = new Map([
  ['.html', 'text/html; charset=utf-8'],
  ['.js', 'text/javascript; charset=utf-8'],
  ['.css', 'text/css; charset=utf-8'],
  ['.map', 'application/json; charset=utf-8'],
  ['.txt', 'text/plain; charset=utf-8'],
]);

function contentTypeOf(path: string): string {
  const type = CONTENT_TYPES.get(extname(path));
  if (type === undefined) throw new Error(`the site has no content type for ${path}`);
  return type;
}

/** Thrown when the site cannot be built: a package is not installed, or the browser code does not compile. */
export class SiteBuildError extends Error {
  override readonly name = 'SiteBuildError';
}

/**
 * A file of an installed package. Found the way Node finds packages (each `node_modules` up from
 * `from`), not by `require.resolve`: `chart.js` exports only its module entry points.
 */
function packageFile(from: string, pkg: string, file: string): Uint8Array<ArrayBuffer> {
  const dirs = createRequire(join(from, 'package.json')).resolve.paths(pkg) ?? [];
  for (const dir of dirs) {
    try {
      return new Uint8Array(readFileSync(join(dir, pkg, file)));
    } catch {
      // not in this node_modules; try the next one up
    }
  }
  throw new SiteBuildError(`${pkg}/${file} is not installed: run npm install.`);
}

/**
 * esbuild options for the browser code: one classic script per page (an IIFE: the pages load
 * scripts with `defer`, not as modules), for evergreen browsers, minified, with a linked source
 * map that holds the TypeScript so the browser's debugger shows it.
 */
export const browserBuildOptions = {
  bundle: true,
  platform: 'browser',
  format: 'iife',
  target: 'es2022',
  minify: true,
  sourcemap: 'linked',
  sourcesContent: true,
  charset: 'ascii',
  legalComments: 'none',
  logLevel: 'silent',
  write: false,
} satisfies BuildOptions;

export interface BuildSiteOptions {
  /**
   * Directory holding `web/` and `node_modules` (the repository).
   * @default the repository this module is in
   */
  readonly projectRoot?: string;
}

/**
 * Builds the site in memory: web/'s pages and style sheet, the two entry scripts bundled with
 * their source maps, and the vendor files from node_modules (with their licences).
 *
 * @throws SiteBuildError when a vendor package is missing or the browser code does not compile
 * @example
 * const site = buildSite();
 * site.get('dashboard/assets/dashboard.js')?.contentType; // 'text/javascript; charset=utf-8'
 */
export function buildSite(options: BuildSiteOptions = {}): StaticSite {
  const root = options.projectRoot ?? REPOSITORY;
  const web = join(root, 'web');
  const files = new Map<string, Uint8Array<ArrayBuffer>>();
  const own = (path: string, source: string): void => void files.set(path, new Uint8Array(readFileSync(join(web, source))));
  own('index.html', 'index.html');
  own('dashboard/assets/dashboard.css', 'dashboard.css');
  own('docs/index.html', 'docs.html');

  for (const [path, body] of bundleBrowserCode(root)) files.set(path, body);

  files.set('dashboard/assets/chart.umd.min.js', packageFile(root, 'chart.js', 'dist/chart.umd.min.js'));
  files.set('dashboard/assets/chart.js-LICENSE.txt', packageFile(root, 'chart.js', 'LICENSE.md'));
  for (const file of ['swagger-ui.css', 'swagger-ui-bundle.js', 'swagger-ui-bundle.js.LICENSE.txt'])
    files.set(`docs/assets/swagger-ui-dist/${file}`, packageFile(root, 'swagger-ui-dist', file));
  files.set('docs/assets/swagger-ui-dist/LICENSE.txt', packageFile(root, 'swagger-ui-dist', 'LICENSE'));
  files.set('docs/assets/swagger-ui-dist/NOTICE.txt', packageFile(root, 'swagger-ui-dist', 'NOTICE'));

  return new Map([...files].sort(([a], [b]) => a.localeCompare(b)).map(([path, body]) => [path, { body, contentType: contentTypeOf(path) }]));
}

/** The browser entries bundled: `dashboard/assets/dashboard.js`, `docs/assets/docs.js` and their maps. */
function bundleBrowserCode(root: string): Map<string, Uint8Array<ArrayBuffer>> {
  const web = join(root, 'web');
  // Nothing is written (write: false); output paths are reported under this directory.
  const outdir = join(root, '.site');
  try {
    const built = buildSync({
      ...browserBuildOptions,
      absWorkingDir: root,
      tsconfig: join(web, 'tsconfig.json'),
      entryPoints: { 'dashboard/assets/dashboard': join(web, 'src/main.ts'), 'docs/assets/docs': join(web, 'src/docs.ts') },
      outdir,
    });
    return new Map(built.outputFiles.map((out) => [relative(outdir, out.path).split(sep).join('/'), new Uint8Array(out.contents)]));
  } catch (cause) {
    throw new SiteBuildError(`the dashboard's browser code did not build: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
  }
}

/** The file answering a request path: a page, or an asset under one of {@link ASSET_PREFIXES}; none for anything else. */
export function siteFileFor(site: StaticSite, requestPath: string): SiteFile | undefined {
  const page = SITE_PAGES.get(requestPath);
  if (page !== undefined) return site.get(page);
  const path = requestPath.slice(1);
  return ASSET_PREFIXES.some((prefix) => path.startsWith(prefix)) ? site.get(path) : undefined;
}

/** Writes the site to `dir` (created if need be), one file per entry: what CDK uploads to S3. */
export function writeSite(site: StaticSite, dir: string): void {
  for (const [path, file] of site) {
    const target = join(dir, path);
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, file.body);
  }
}

/** Bytes of the whole site. */
export function siteBytes(site: StaticSite): number {
  let total = 0;
  for (const file of site.values()) total += file.body.byteLength;
  return total;
}
