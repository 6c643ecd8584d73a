/**
 * Bundle size and cold-import time of every Lambda entry, bundled by `bundleLambda` (infra/bundle.ts),
 * the function the stack bundles with, then imported by a fresh Node process outside the repository,
 * as a Lambda cold start would (minus the runtime's own start), with the function's environment.
 * Issue 6 targets: under 1 MB per API bundle, a cold import under 150 ms on this machine.
 *
 * Two cold imports per function, measured in turn so both see the same machine load: bare `node`, and
 * as deployed, with the function's `NODE_OPTIONS` (`--enable-source-maps`: Node then also reads and
 * indexes each file's source map while loading it).
 *
 * Usage (wired into `npm run bench`):
 *   const rows = await benchBundles(); console.log(formatBundles(rows));
 * or on its own: `npx tsx test/bench/bundles.ts`.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { bundleLambda, ENTRY_FILE, LAMBDA_NODE_OPTIONS } from '../../infra/bundle.js';

const PROJECT_ROOT = fileURLToPath(new URL('../..', import.meta.url));

/** Each Lambda entry, by function name. */
export const LAMBDA_ENTRIES: Readonly<Record<string, string>> = {
  api: join(PROJECT_ROOT, 'functions/lambda/api.ts'),
  modelWorker: join(PROJECT_ROOT, 'functions/lambda/worker.ts'),
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
  /** Bytes of JavaScript the function ships (index.mjs and every chunk). */
  bytes: number;
  /** Bytes of JavaScript parsed by the cold import: index.mjs and the chunks it imports statically. */
  importedBytes: number;
  /** All the JavaScript gzipped, roughly what the deployment package weighs. */
  gzipBytes: number;
  /** Median time to `import()` the bundle in a fresh `node`, in milliseconds. */
  coldImportMs: number;
  /** Every bare cold-import time measured. */
  coldImportRunsMs: number[];
  /** Median cold import with the function's `NODE_OPTIONS`, as it runs in Lambda. */
  deployedImportMs: number;
  deployedImportRunsMs: number[];
}

const median = (xs: readonly number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

/**
 * Bundles every entry and measures it.
 *
 * @param runs fresh processes per entry and configuration for the cold-import times (the median is reported)
 * @default runs 7
 */
export async function benchBundles(runs = 7): Promise<BundleFigures[]> {
  const out = mkdtempSync(join(tmpdir(), 'liftcast-bundles-'));
  try {
    const figures: BundleFigures[] = [];
    for (const [name, entry] of Object.entries(LAMBDA_ENTRIES)) {
      const dir = join(out, name);
      const bundle = bundleLambda(entry, dir, { projectRoot: PROJECT_ROOT });
      const file = join(dir, ENTRY_FILE);
      const js = Object.keys(bundle.outputs).filter((p) => p.endsWith('.mjs'));
      const bare: number[] = [];
      const deployed: number[] = [];
      for (let i = 0; i < runs; i++) {
        bare.push(coldImport(file, dir, {}));
        deployed.push(coldImport(file, dir, { NODE_OPTIONS: LAMBDA_NODE_OPTIONS }));
      }
      figures.push({
        name,
        bytes: bundle.totalBytes,
        importedBytes: bundle.importedBytes,
        gzipBytes: gzipSync(Buffer.concat(js.map((p) => readFileSync(join(dir, p))))).length,
        coldImportMs: median(bare),
        coldImportRunsMs: bare,
        deployedImportMs: median(deployed),
        deployedImportRunsMs: deployed,
      });
    }
    return figures;
  } finally {
    rmSync(out, { recursive: true, force: true });
  }
}

/** Imports a bundle in a new Node process (no node_modules around it) and returns the import time. */
function coldImport(file: string, cwd: string, env: Record<string, string>): number {
  const script = `const t = performance.now(); await import(${JSON.stringify(pathToFileURL(file).href)}); process.stdout.write(String(performance.now() - t));`;
  const run = spawnSync(process.execPath, ['--input-type=module', '--no-deprecation', '--no-warnings', '-e', script], {
    cwd,
    env: { PATH: process.env.PATH, ...LAMBDA_ENV, ...env },
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`importing ${file} failed: ${run.stderr}`);
  return Number(run.stdout);
}

/** The figures as a table, with the targets. */
export function formatBundles(figures: readonly BundleFigures[]): string {
  const kb = (n: number): string => `${(n / 1024).toFixed(0)} KB`.padStart(9);
  const ms = (n: number): string => `${n.toFixed(0)} ms`.padStart(13);
  const runs = figures[0]?.coldImportRunsMs.length ?? 0;
  const lines = [
    `Lambda bundles (infra/bundle.ts: esbuild, minified ESM, split); cold import in a fresh Node process, median of ${runs}`,
    `function      total JS  at import   gzip   cold import   as deployed (NODE_OPTIONS=${LAMBDA_NODE_OPTIONS})`,
  ];
  for (const f of figures)
    lines.push(`${f.name.padEnd(12)}${kb(f.bytes)}${kb(f.importedBytes)}${kb(f.gzipBytes)}${ms(f.coldImportMs)}${ms(f.deployedImportMs)}`);
  lines.push('targets: < 1 MB per API bundle, cold import < 150 ms');
  return lines.join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(formatBundles(await benchBundles()));
}
