/**
 * The Lambda entry path: the same app behind `hono/aws-lambda`, in gateway auth mode, driven by
 * API Gateway HTTP API sample events against DynamoDB Local. Proves that what runs in AWS reads the
 * authorizer's claims and scopes keys by the tenant in them.
 */
import { randomUUID } from 'node:crypto';
import { handle } from 'hono/aws-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { apiGatewayEvent, withClaims, type HttpApiEvent } from '../../events/samples.js';
import { composeLiftcast } from '../../functions/compose.js';
import { silentLogger } from '../../functions/log.js';
import { createDynamoClient, ensureTable } from '../../functions/store/dynamo.js';

type Handler = (event: HttpApiEvent) => Promise<{ statusCode: number; body: string; headers?: Record<string, string> }>;
let invoke: Handler;

beforeAll(async () => {
  const db = createDynamoClient({ endpoint: inject('dynamoEndpoint'), region: 'us-east-1' });
  const tableName = `lambda-${randomUUID()}`;
  await ensureTable(db, tableName);
  const { app } = composeLiftcast({ db, tableName, auth: { mode: 'gateway' }, logger: silentLogger });
  // hono's LambdaEvent union does not name our sample type; the sample is a genuine v2 event.
  invoke = handle(app) as unknown as Handler;
});

describe('the API Lambda handler', () => {
  it('creates and lists a dataset for the tenant named in the authorizer claims', async () => {
    const tenant = `acme-${randomUUID().slice(0, 6)}`;
    const created = await invoke(withClaims(apiGatewayEvent('create-dataset-csv'), { tenant }));
    expect(created.statusCode).toBe(201);
    const dataset = JSON.parse(created.body);
    expect(dataset.summary.nps).toMatchObject({ score: 0, promoters: 2, passives: 2, detractors: 2 });
    const listed = await invoke(withClaims(apiGatewayEvent('list-datasets'), { tenant }));
    expect(listed.statusCode).toBe(200);
    expect(JSON.parse(listed.body).items.map((d: { id: string }) => d.id)).toEqual([dataset.id]);
    const other = await invoke(withClaims(apiGatewayEvent('list-datasets'), { tenant: `${tenant}-other` }));
    expect(JSON.parse(other.body).items).toEqual([]);
  });

  it('refuses a request that reached it without verified claims', async () => {
    const res = await invoke(apiGatewayEvent('invalid-no-authorizer'));
    expect(res.statusCode).toBe(401);
    expect(JSON.parse(res.body).type).toBe('/problems/unauthorized');
  });

  it('enforces scopes from the claims', async () => {
    const res = await invoke(withClaims(apiGatewayEvent('create-dataset-csv'), { tenant: 'acme-readonly', scope: 'read' }));
    expect(res.statusCode).toBe(403);
  });
});
