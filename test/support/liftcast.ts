/**
 * A Liftcast instance for API tests: the real app on a fresh table in the run's DynamoDB Local, and
 * helpers to call it as a client would. Refuses to run against anything but a loopback endpoint.
 */
import { randomUUID } from 'node:crypto';
import { ScanCommand, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { inject } from 'vitest';
import { composeLiftcast, type ComposeOptions, type Liftcast } from '../../functions/compose/api.js';
import { signDevToken } from '../../functions/http/identity.js';
import { silentLogger } from '../../functions/log.js';
import { createDynamoClient, ensureTable } from '../../functions/store/dynamo.js';
import { checkConformance } from './conformance.js';
import { staticRoutes } from '../../functions/http/static.js';

export const TEST_SECRET = 'test-secret-0123456789abcdef';

/** A fetch Response whose JSON body is typed loosely, as tests inspect arbitrary shapes. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type TestResponse = Omit<Response, 'json'> & { json(): Promise<any> };

export interface TestLiftcast extends Liftcast {
  db: DynamoDBClient;
  tableName: string;
  /** A fresh tenant id, so tests in one file never see each other's data. */
  tenant(): string;
  token(tenant: string, scope?: string): Promise<string>;
  request(method: string, path: string, init?: { token?: string; body?: unknown; csv?: string; headers?: Record<string, string> }): Promise<TestResponse>;
  /** Every item of a tenant, to prove that nothing was left behind. */
  itemsOf(tenant: string): Promise<number>;
}

export interface TestLiftcastOptions {
  /** Largest dataset fitted within the request; 0 sends every fit to the worker. */
  syncRowLimit?: number;
  /** Largest forecast (and optimisation) run within the request; 0 sends every one to the worker. */
  syncForecastLimit?: number;
  /** The services' clock (a test can set the day launches go live and waves are sealed). @default the system clock */
  clock?: () => Date;
  /** Publish to this EventBridge stand-in instead of the in-process bus: queued work then waits, as it would for the worker. */
  eventBus?: ComposeOptions['eventBus'];
}

export async function createTestLiftcast(options: TestLiftcastOptions = {}): Promise<TestLiftcast> {
  const endpoint = inject('dynamoEndpoint');
  if (!/^http:\/\/(127\.0\.0\.1|localhost):\d+$/.test(endpoint)) throw new Error(`refusing to test against ${endpoint}: not DynamoDB Local`);
  const db = createDynamoClient({ endpoint, region: 'us-east-1' });
  const tableName = `test-${randomUUID()}`;
  await ensureTable(db, tableName);
  const liftcast = composeLiftcast({
    staticRoutes,
    db,
    tableName,
    auth: { mode: 'local', secret: TEST_SECRET },
    logger: silentLogger,
    ...(options.syncRowLimit !== undefined ? { syncRowLimit: options.syncRowLimit } : {}),
    ...(options.syncForecastLimit !== undefined ? { syncForecastLimit: options.syncForecastLimit } : {}),
    ...(options.clock ? { clock: options.clock } : {}),
    ...(options.eventBus ? { eventBus: options.eventBus } : {}),
  });
  return {
    ...liftcast,
    db,
    tableName,
    tenant: () => `t-${randomUUID().slice(0, 8)}`,
    token: (tenant, scope) => signDevToken(TEST_SECRET, { tenant, ...(scope !== undefined ? { scope } : {}) }),
    async request(method, path, init = {}) {
      const headers: Record<string, string> = { ...init.headers };
      if (init.token) headers.authorization = `Bearer ${init.token}`;
      let body: string | undefined;
      if (init.csv !== undefined) {
        headers['content-type'] ??= 'text/csv';
        body = init.csv;
      } else if (init.body !== undefined) {
        headers['content-type'] ??= 'application/json';
        body = typeof init.body === 'string' || init.body instanceof Uint8Array ? (init.body as string) : JSON.stringify(init.body);
      }
      const response = await liftcast.app.request(path, { method, headers, ...(body !== undefined ? { body } : {}) });
      return checkConformance(liftcast.app, method, path, response);
    },
    async itemsOf(tenant) {
      let count = 0;
      let start: Record<string, never> | undefined;
      do {
        const page = await db.send(
          new ScanCommand({
            TableName: tableName,
            FilterExpression: 'begins_with(pk, :t)',
            ExpressionAttributeValues: { ':t': { S: `T#${tenant}` } },
            Select: 'COUNT',
            ExclusiveStartKey: start,
          }),
        );
        count += page.Count ?? 0;
        start = page.LastEvaluatedKey as Record<string, never> | undefined;
      } while (start);
      return count;
    },
  };
}

/** Rows as CSV text (header from the first row's keys unless given). */
export function toCsv(rows: readonly Record<string, unknown>[], columns?: readonly string[]): string {
  const cols = columns ?? Object.keys(rows[0] ?? {});
  const cell = (v: unknown): string => {
    if (v === null || v === undefined) return '';
    const s = String(v);
    return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
  };
  return [cols.join(','), ...rows.map((r) => cols.map((c) => cell(r[c])).join(','))].join('\n') + '\n';
}
