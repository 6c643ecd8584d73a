/**
 * Latency of a GET under load (`GET /v1/scenarios/{id}/forecast`, `GET /v1/ledger`): the real app
 * served by `@hono/node-server` on a local port, DynamoDB Local behind it, `concurrency` clients in
 * a loop.
 */
import { serve } from '@hono/node-server';
import type { AddressInfo } from 'node:net';
import type { Liftcast } from '../../functions/compose/api.js';

export interface LatencyResult {
  requests: number;
  concurrency: number;
  p50: number;
  p99: number;
  max: number;
  perSecond: number;
}

const quantile = (sorted: number[], q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;

export function benchForecastLatency(liftcast: Liftcast, token: string, scenarioId: string, requests = 2000, concurrency = 16): Promise<LatencyResult> {
  return benchGetLatency(liftcast, token, `/v1/scenarios/${scenarioId}/forecast`, requests, concurrency);
}

/** Latency of `GET path` under load, after a discarded warm-up run of the same size. */
export async function benchGetLatency(liftcast: Liftcast, token: string, path: string, requests = 2000, concurrency = 16): Promise<LatencyResult> {
  const server = serve({ fetch: liftcast.app.fetch, port: 0, hostname: '127.0.0.1' });
  await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  const { port } = server.address() as AddressInfo;
  const url = `http://127.0.0.1:${port}${path}`;
  const headers = { authorization: `Bearer ${token}` };
  try {
    const run = async (): Promise<{ times: number[]; elapsed: number }> => {
      const times: number[] = [];
      let next = 0;
      const started = performance.now();
      const client = async (): Promise<void> => {
        while (next < requests) {
          next++;
          const t = performance.now();
          const res = await fetch(url, { headers });
          await res.arrayBuffer();
          if (res.status !== 200) throw new Error(`GET ${path} answered ${res.status}`);
          times.push(performance.now() - t);
        }
      };
      await Promise.all(Array.from({ length: concurrency }, client));
      return { times, elapsed: performance.now() - started };
    };
    // Warm-up: one full run at the same concurrency, discarded — Node's JIT, the connection pool and
    // above all DynamoDB Local's JVM, which needs thousands of requests to reach its steady speed.
    await run();
    const { times, elapsed } = await run();
    times.sort((a, b) => a - b);
    return { requests: times.length, concurrency, p50: quantile(times, 0.5), p99: quantile(times, 0.99), max: times[times.length - 1]!, perSecond: times.length / (elapsed / 1000) };
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
