/**
 * Bundles one Lambda entry with esbuild's JavaScript API and Liftcast's esbuild plugins. infra/bundle.ts
 * runs it in a child process: CDK asks for a bundle synchronously, and esbuild runs plugins only in
 * its asynchronous API. Plain JavaScript so that child is a bare `node`, without a TypeScript loader.
 *
 * Usage: node scripts/bundle-lambda.mjs '<esbuild BuildOptions as JSON, with outdir>'
 * The options come from infra/bundle.ts (`lambdaBuildOptions`); this file only adds the plugins. Prints the
 * output files as JSON (see `bundleWithPlugins`); esbuild's own messages go to stderr. The plugins
 * keep only zod's English messages and leave out the SDK's browser user-agent parser. (esbuild
 * itself, the dashboard's site builder, is not in any function: the API Lambda is given no static
 * routes, so nothing it imports reaches functions/dashboard/site.ts.)
 */
import { build } from 'esbuild';
import { relative, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';

/** zod's own module re-exporting all of its locales, the one the plugin replaces. */
const ZOD_LOCALES_INDEX = /[\\/]node_modules[\\/]zod[\\/]v4[\\/]locales[\\/]index\.js$/;

/**
 * Keeps only zod's English messages. zod 4 re-exports every locale (~260 KB minified) as the
 * namespace `locales` from `zod/v4/classic/external.js` and `zod/v4/core/index.js`; esbuild cannot
 * drop them because @hono/zod-openapi passes the whole `z` namespace around. Liftcast never selects
 * a locale: zod installs English itself (`core.config(en())` on the first schema built, importing
 * `../locales/en.js` directly in `zod/v4/classic/schemas.js`), and that import is untouched, so
 * every message stays the same. Only `z.locales.<other>` disappears (undefined).
 *
 * Fails the build when the bundle contains zod but the plugin replaced nothing: zod moved its
 * locales and the bundle silently grew back.
 *
 * @type {import('esbuild').Plugin}
 */
export const zodEnglishOnly = {
  name: 'liftcast-zod-english-only',
  setup(b) {
    let replaced = 0;
    b.onStart(() => {
      replaced = 0;
    });
    b.onLoad({ filter: ZOD_LOCALES_INDEX }, () => {
      replaced += 1;
      return { contents: 'export { default as en } from "./en.js";\n', loader: 'js' };
    });
    b.onEnd((result) => {
      const inputs = Object.keys(result.metafile?.inputs ?? {});
      if (result.errors.length > 0 || replaced > 0 || !inputs.some((p) => /(^|[\\/])node_modules[\\/]zod[\\/]/.test(p))) return;
      return {
        errors: [{ text: "zod is bundled but zod/v4/locales/index.js is not: update scripts/bundle-lambda.mjs for zod's layout" }],
      };
    });
  },
};

/**
 * Leaves out bowser, a browser user-agent parser (34 KB minified). The AWS SDK's `@aws-sdk/core`
 * imports it with `import()` only in `createUserAgentStringParsingProvider`, its browser
 * user-agent provider, which nothing in a Node.js client calls (the clients' Node runtime config
 * uses the Node provider); esbuild still emits the chunk. The stub keeps that code path working
 * in form — `parse` returns nothing, as for an unknown browser — should anything ever call it.
 *
 * @type {import('esbuild').Plugin}
 */
export const noBrowserUserAgentParser = {
  name: 'liftcast-no-browser-user-agent-parser',
  setup(b) {
    b.onResolve({ filter: /^bowser$/ }, () => ({ path: 'bowser', namespace: 'liftcast-stub' }));
    b.onLoad({ filter: /.*/, namespace: 'liftcast-stub' }, () => ({
      contents: 'export function parse() { return {}; }\nexport default { parse };\n',
      loader: 'js',
    }));
  },
};

/**
 * Bundles with the given options plus the plugins and returns what it wrote.
 * @param {import('esbuild').BuildOptions & { outdir: string }} options
 * @returns {Promise<Record<string, { bytes: number; imports: { path: string; kind: string }[] }>>} every
 *   output file by its path relative to `outdir`, with the outputs it imports (same paths).
 */
export async function bundleWithPlugins(options) {
  const result = await build({ ...options, metafile: true, plugins: [zodEnglishOnly, noBrowserUserAgentParser] });
  const cwd = options.absWorkingDir ?? process.cwd();
  const rel = (/** @type {string} */ p) => relative(options.outdir, resolve(cwd, p)).split(sep).join('/');
  return Object.fromEntries(
    Object.entries(result.metafile.outputs).map(([path, output]) => [
      rel(path),
      { bytes: output.bytes, imports: output.imports.filter((i) => !i.external).map((i) => ({ path: rel(i.path), kind: i.kind })) },
    ]),
  );
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const json = process.argv[2];
  if (json === undefined) {
    process.stderr.write("usage: node scripts/bundle-lambda.mjs '<esbuild BuildOptions as JSON>'\n");
    process.exit(2);
  }
  try {
    process.stdout.write(JSON.stringify(await bundleWithPlugins(JSON.parse(json))));
  } catch (error) {
    // esbuild has already printed its messages (logLevel); this names the failure for CDK's error.
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  }
}
