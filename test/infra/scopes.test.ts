/**
 * The gateway's per-route scopes (infra/api.ts `scopedRoutes`) equal the scopes the app itself
 * requires, read from the app's OpenAPI document: every /v1 operation, no more, no fewer.
 */
import { describe, expect, it } from 'vitest';
import { scopedRoutes } from '../../infra/api.js';
import { composeLiftcast } from '../../functions/compose/api.js';
import { silentLogger } from '../../functions/log.js';
import { createDynamoClient } from '../../functions/store/dynamo.js';

describe('route scopes', () => {
  it('API Gateway asks for exactly the scope the app checks, on every /v1 operation', async () => {
    // The OpenAPI document needs no storage: a client that is never called is enough.
    const { app } = composeLiftcast({
      db: createDynamoClient({ endpoint: 'http://127.0.0.1:9', region: 'us-east-1' }),
      tableName: 'unused',
      auth: { mode: 'local', secret: 'unused-secret' },
      logger: silentLogger,
    });
    const doc = (await (await app.request('/openapi.json')).json()) as { paths: Record<string, Record<string, { security?: { bearer: string[] }[] }>> };
    const fromApp = Object.entries(doc.paths)
      .filter(([path]) => path.startsWith('/v1/'))
      .flatMap(([path, ops]) => Object.entries(ops).map(([method, op]) => `${method.toUpperCase()} ${path} ${op.security?.[0]?.bearer.join(' ') ?? '(none)'}`))
      .sort();
    const fromGateway = scopedRoutes.map(([method, path, scope]) => `${method} ${path} ${scope}`).sort();
    expect(fromGateway).toEqual(fromApp);
  });
});
