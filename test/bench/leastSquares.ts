/**
 * Least squares at scale: 1,000,000 respondents × 20 attributes, Liftcast's one-pass XᵀX/Xᵀy
 * accumulation and small solve (model/drivers) against numpy on the same data, on the same machine,
 * two ways: `lstsq` (SVD, what a careful analyst calls) and the normal equations Liftcast itself
 * solves (XᵀX and Xᵀy by BLAS, then `solve`) — the fair like-for-like. numpy gets its best of three
 * warm runs, and runs with `OPENBLAS_CORETYPE` and `OPENBLAS_L2_SIZE` removed from its environment
 * (this machine sets them, and they slow OpenBLAS here). numpy is only a yardstick, run when
 * python3 with numpy is present.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fitLinear } from '../../model/drivers/linear.js';
import { addColumns, createMoments } from '../../model/drivers/moments.js';
import { createRng } from '../../model/rng.js';

export interface LeastSquaresResult {
  rows: number;
  k: number;
  accumulateMs: number;
  solveMs: number;
  /** numpy `lstsq`, best of three. */
  numpyMs: number | null;
  /** numpy normal equations (`A.T @ A`, `A.T @ y`, `solve`), best of three. */
  numpyNormalMs: number | null;
  numpyNote: string;
  maxCoefficientDiff: number | null;
}

const NUMPY = `
import sys, time, numpy as np
n, k, path = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
raw = np.fromfile(path, dtype=np.float64)
X = raw[: n * k].reshape(k, n).T
y = raw[n * k :]
def lstsq():
    A = np.empty((n, k + 1)); A[:, 0] = 1.0; A[:, 1:] = X
    return np.linalg.lstsq(A, y, rcond=None)[0]
def normal():
    A = np.empty((n, k + 1)); A[:, 0] = 1.0; A[:, 1:] = X
    return np.linalg.solve(A.T @ A, A.T @ y)
def best(f):
    times = []
    for _ in range(3):
        t = time.perf_counter(); b = f(); times.append((time.perf_counter() - t) * 1000)
    return min(times), b
ms, beta = best(lstsq)
ms_normal, beta_normal = best(normal)
print(ms); print(ms_normal); print(" ".join(repr(float(b)) for b in beta))
`;

/** The environment numpy runs in: this process's, without the OpenBLAS tuning that slows it here. */
function numpyEnv(): NodeJS.ProcessEnv {
  const env = { ...process.env };
  delete env.OPENBLAS_CORETYPE;
  delete env.OPENBLAS_L2_SIZE;
  return env;
}

/** Seeded correlated ratings on 0–10 and an ltr that depends on them (with noise). */
function generate(n: number, k: number, seed: number): { columns: Float64Array[]; y: Float64Array } {
  const rng = createRng(seed);
  const columns = Array.from({ length: k }, () => new Float64Array(n));
  const y = new Float64Array(n);
  const weights = Array.from({ length: k }, (_, j) => 0.05 + 0.3 * ((j * 7) % 11) / 10);
  for (let r = 0; r < n; r++) {
    const shared = rng.normal();
    let eta = 1;
    for (let j = 0; j < k; j++) {
      const v = Math.min(10, Math.max(0, Math.round(6.5 + 1.2 * shared + 1.4 * rng.normal())));
      columns[j]![r] = v;
      eta += weights[j]! * v * 0.35;
    }
    y[r] = Math.min(10, Math.max(0, Math.round(eta + rng.normal())));
  }
  return { columns, y };
}

export function benchLeastSquares(n: number, k = 20): LeastSquaresResult {
  const { columns, y } = generate(n, k, 20261123);
  const CHUNK = 20_000; // about what a stored chunk holds
  const t0 = performance.now();
  const m = createMoments(k, { shift: 5, ltrShift: 5 });
  for (let start = 0; start < n; start += CHUNK) {
    const end = Math.min(n, start + CHUNK);
    addColumns(m, columns.map((c) => c.subarray(start, end)), y.subarray(start, end));
  }
  const t1 = performance.now();
  const fit = fitLinear(m, { method: 'ols' });
  const t2 = performance.now();
  if (!fit.ok) throw new Error(`least squares failed: ${fit.detail}`);

  const dir = mkdtempSync(join(tmpdir(), 'liftcast-lstsq-'));
  try {
    const file = join(dir, 'data.f64');
    const all = new Float64Array(n * k + n);
    columns.forEach((c, j) => all.set(c, j * n));
    all.set(y, n * k);
    writeFileSync(file, new Uint8Array(all.buffer));
    const run = spawnSync('python3', ['-c', NUMPY, String(n), String(k), file], { encoding: 'utf8', maxBuffer: 1 << 20, env: numpyEnv() });
    if (run.error || run.status !== 0)
      return { rows: n, k, accumulateMs: t1 - t0, solveMs: t2 - t1, numpyMs: null, numpyNormalMs: null, numpyNote: 'python3 with numpy not available', maxCoefficientDiff: null };
    const [msLine, normalLine, betaLine] = run.stdout.trim().split('\n');
    const beta = betaLine!.split(' ').map(Number);
    const ours = [fit.fit.intercept.estimate, ...fit.fit.coefficients.map((c) => c.estimate)];
    const diff = Math.max(...ours.map((b, i) => Math.abs(b - beta[i]!)));
    return {
      rows: n,
      k,
      accumulateMs: t1 - t0,
      solveMs: t2 - t1,
      numpyMs: Number(msLine),
      numpyNormalMs: Number(normalLine),
      numpyNote: 'numpy on the same matrix (excluding load), best of 3, OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset',
      maxCoefficientDiff: diff,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
