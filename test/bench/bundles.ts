/**
 * Bundle size and cold-import time of every Lambda entry, bundled with esbuild exactly as
 * infra/lambda.ts has CDK bundle it (same `bundlingOptions`), then imported by a fresh Node process
 * outside the repository, as a Lambda cold start would (minus the runtime's own start).
 * Issue 6 targets: under 1 MB per API bundle, a cold import under 150 ms on this machine.
 *
 * Usage (the lead wires it into `npm run bench`):
 *   const rows = await benchBundles(); console.log(formatBundles(rows));
 * or on its own: `npx tsx test/bench/bundles.ts`.
 */
import { build } from 'esbuild';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { readFileSync } from 'node:fs';
import { bundlingOptions } from '../../infra/lambda.js';

/** Each Lambda entry, by function name. */
export const LAMBDA_ENTRIES: Readonly<Record<string, string>> = {
  api: fileURLToPath(new URL('../../functions/lambda/api.ts', import.meta.url)),
  modelWorker: fileURLToPath(new URL('../../functions/lambda/modelWorker.ts', import.meta.url)),
};

/** Environment the functions get from the stack; values are stand-ins (nothing is called at import). */
const LAMBDA_ENV = {
  AWS_REGION: 'us-east-1',
  TABLE_NAME: 'liftcast-bench',
  LIFTCAST_AUTH_MODE: 'gateway',
  LIFTCAST_EVENT_BUS: 'liftcast-bench-bus',
};

export interface BundleFigures {
  name: string;
  /** Bytes of the minified bundle (index.mjs). */
  bytes: number;
  /** Bytes gzipped, roughly what the deployment package weighs. */
  gzipBytes: number;
  /** Median time to `import()` the bundle in a fresh Node process, in milliseconds. */
  coldImportMs: number;
  /** Every cold-import time measured. */
  coldImportRunsMs: number[];
}

/**
 * Bundles every entry and measures it.
 *
 * @param runs fresh processes per entry for the cold-import time (the median is reported)
 * @default runs 5
 */
export async function benchBundles(runs = 5): Promise<BundleFigures[]> {
  const out = mkdtempSync(join(tmpdir(), 'liftcast-bundles-'));
  try {
    const figures: BundleFigures[] = [];
    for (const [name, entry] of Object.entries(LAMBDA_ENTRIES)) {
      const dir = join(out, name);
      const file = join(dir, 'index.mjs');
      await build({
        entryPoints: [entry],
        outfile: file,
        bundle: true,
        platform: 'node',
        minify: bundlingOptions.minify,
        sourcemap: bundlingOptions.sourceMap,
        sourcesContent: bundlingOptions.sourcesContent,
        target: bundlingOptions.target,
        format: 'esm',
        mainFields: [...bundlingOptions.mainFields],
        external: [...bundlingOptions.externalModules],
        banner: { js: bundlingOptions.banner },
        logLevel: 'error',
      });
      const times: number[] = [];
      for (let i = 0; i < runs; i++) times.push(coldImport(file, dir));
      const sorted = [...times].sort((a, b) => a - b);
      figures.push({
        name,
        bytes: statSync(file).size,
        gzipBytes: gzipSync(readFileSync(file)).length,
        coldImportMs: sorted[Math.floor(sorted.length / 2)] ?? Number.NaN,
        coldImportRunsMs: times,
      });
    }
    return figures;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** Imports a bundle in a new Node process (no node_modules around it) and returns the import time. */
function coldImport(file: string, cwd: string): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); process.stdout.write(String(performance.now() - t));`;
  const run = spawnSync(process.execPath, ['--input-type=module', '--no-deprecation', '--no-warnings', '-e', script], {
    cwd,
    env: { PATH: process.env.PATH, ...LAMBDA_ENV },
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`importing ${file} failed: ${run.stderr}`);
  return Number(run.stdout);
}

/** The figures as a table, with the targets. */
export function formatBundles(figures: readonly BundleFigures[]): string {
  const lines = ['Lambda bundles (esbuild, minified ESM; cold import in a fresh Node process, median)', 'function       size      gzip   cold import'];
  for (const f of figures)
    lines.push(
      `${f.name.padEnd(12)} ${(f.bytes / 1024).toFixed(0).padStart(6)} KB ${(f.gzipBytes / 1024).toFixed(0).padStart(6)} KB ${f.coldImportMs.toFixed(0).padStart(8)} ms`,
    );
  lines.push('targets: < 1 MB per API bundle, cold import < 150 ms');
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(formatBundles(await benchBundles()));
}
