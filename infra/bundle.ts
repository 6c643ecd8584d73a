/**
 * How every Liftcast Lambda function is bundled: one place, used by the stack (infra/lambda.ts, at
 * synth) and by the bundle benchmark (test/bench/bundles.ts), so the benchmark measures what deploys.
 *
 * esbuild runs with Liftcast's plugins (scripts/bundle-lambda.mjs: zod's English messages only, no browser user-agent parser, no esbuild), which CDK's NodejsFunction cannot
 * take. CDK asks for a bundle synchronously and esbuild runs plugins only in its asynchronous API,
 * so {@link bundleLambda} runs that script in a child `node` process: offline, no Docker.
 */
import type { BuildOptions } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The bundler script; it imports esbuild from this repository's node_modules. */
export const bundlerScript = fileURLToPath(new URL('../scripts/bundle-lambda.mjs', import.meta.url));

/** Name of the entry file in every bundle; the functions' handler is `index.handler`. */
export const ENTRY_FILE = 'index.mjs';

/**
 * esbuild options of every Liftcast function. JSON-serialisable: they travel to the bundler process.
 *
 * Code splitting puts what the code loads with `import()` into chunks of its own, loaded only when
 * needed: the AWS SDK's credential providers other than the environment's (ini, SSO, process, web
 * identity, IMDS, HTTP: ~140 KB a function) and its event-stream codec. Chunks sit next to `index.mjs`,
 * so `import.meta.url` names the same directory in every file.
 */
export const lambdaBuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node22',
  minify: true,
  // Mappings are enough for readable stack traces; the sources themselves need not ship.
  sourcemap: true,
  sourcesContent: false,
  // Prefer packages' ESM builds so esbuild can tree-shake them.
  mainFields: ['module', 'main'],
  // Bundle the AWS SDK v3 too: a pinned, tree-shaken copy instead of the runtime's.
  external: [],
  splitting: true,
  entryNames: 'index',
  chunkNames: '[name]-[hash]',
  outExtension: { '.js': '.mjs' },
  // CommonJS dependencies bundled into an ES module still call `require` for Node built-ins.
  banner: {
    js: "import { createRequire as __liftcastCreateRequire } from 'node:module'; const require = __liftcastCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
} satisfies BuildOptions;

/**
 * `NODE_OPTIONS` of every function. Source maps turn stack traces in the logs back into TypeScript
 * files and lines; Node reads a file's map when it loads the file, part of every cold start
 * (test/bench/bundles.ts measures the cold import with and without it).
 */
export const LAMBDA_NODE_OPTIONS = '--enable-source-maps';

/** One output file of a bundle. */
export interface BundleOutput {
  bytes: number;
  /** Other outputs this one imports, relative to the bundle directory. */
  imports: ReadonlyArray<{ path: string; kind: string }>;
}

export interface LambdaBundle {
  /** Every file esbuild wrote (JavaScript and source maps), by path relative to the bundle directory. */
  outputs: Readonly<Record<string, BundleOutput>>;
  /** Bytes of JavaScript the function ships: the entry and every chunk. */
  totalBytes: number;
  /**
   * Bytes of JavaScript Node parses when it imports the entry: `index.mjs` and the chunks it imports
   * statically, transitively. Chunks reached only through `import()` load on first use.
   */
  importedBytes: number;
}

export interface BundleLambdaOptions {
  /** Directory holding `package.json` and `node_modules`; esbuild resolves packages from it. */
  readonly projectRoot: string;
}

/**
 * Bundles `entry` into `outDir` (as `index.mjs` plus chunks and source maps): the whole function,
 * no node_modules, no other files (the dashboard and /docs are static files in S3, infra/site.ts).
 * Synchronous; throws with esbuild's messages when the build fails.
 *
 * @example
 * const bundle = bundleLambda(join(root, 'functions/lambda/api.ts'), out, { projectRoot: root });
 * bundle.importedBytes; // what a cold start parses
 */
export function bundleLambda(entry: string, outDir: string, options: BundleLambdaOptions): LambdaBundle {
  const buildOptions: BuildOptions = {
    ...lambdaBuildOptions,
    entryPoints: [entry],
    outdir: outDir,
    absWorkingDir: options.projectRoot,
  };
  const run = spawnSync(process.execPath, [bundlerScript, JSON.stringify(buildOptions)], {
    cwd: options.projectRoot,
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  if (run.status !== 0) {
    throw new Error(`esbuild failed to bundle ${entry} (exit ${run.status ?? run.signal}):\n${run.stderr || run.error?.message || ''}`);
  }
  // esbuild's warnings, if any, reach the synth's output as they would from NodejsFunction.
  if (run.stderr) process.stderr.write(run.stderr);
  const outputs = JSON.parse(run.stdout) as Record<string, BundleOutput>;
  if (outputs[ENTRY_FILE] === undefined) throw new Error(`esbuild wrote no ${ENTRY_FILE} for ${entry}`);

  const js = Object.keys(outputs).filter((p) => p.endsWith('.mjs'));
  return {
    outputs,
    totalBytes: js.reduce((sum, p) => sum + (outputs[p]?.bytes ?? 0), 0),
    importedBytes: [...staticallyImported(outputs, ENTRY_FILE)].reduce((sum, p) => sum + (outputs[p]?.bytes ?? 0), 0),
  };
}

/** `from` and every output it imports with an `import` statement, transitively. */
function staticallyImported(outputs: Readonly<Record<string, BundleOutput>>, from: string): Set<string> {
  const seen = new Set<string>();
  const visit = (path: string): void => {
    if (seen.has(path)) return;
    seen.add(path);
    for (const i of outputs[path]?.imports ?? []) if (i.kind === 'import-statement') visit(i.path);
  };
  visit(from);
  return seen;
}
