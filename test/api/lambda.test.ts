/**
 * The Lambda entry path: `functions/lambda/api.ts` as deployed (gateway auth mode, configuration from
 * the environment), driven by API Gateway HTTP API sample events against DynamoDB Local. Proves that
 * what runs in AWS reads the authorizer's claims and scopes keys by the tenant in them, and pins
 * where Lambda's own limits make AWS answer differently from the local server.
 */
import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { apiGatewayEvent, HttpApiEventSchema, httpApiEvent, withClaims } from '../../events/samples.js';
import { MAX_BODY_BYTES } from '../../functions/http/app.js';
import { createTransports, LAMBDA_PAYLOAD_LIMIT, LambdaPayloadLimitError, type Transports } from '../support/transport.js';

let t: Transports;

beforeAll(async () => {
  t = await createTransports();
});

describe('the API Lambda handler', () => {
  it('creates and lists a dataset for the tenant named in the authorizer claims', async () => {
    const tenant = `acme-${randomUUID().slice(0, 6)}`;
    const created = await t.invoke(withClaims(apiGatewayEvent('create-dataset-csv'), { tenant }));
    expect(created.statusCode).toBe(201);
    const dataset = JSON.parse(created.body);
    expect(dataset.summary.nps).toMatchObject({ score: 0, promoters: 2, passives: 2, detractors: 2 });
    const listed = await t.invoke(withClaims(apiGatewayEvent('list-datasets'), { tenant }));
    expect(listed.statusCode).toBe(200);
    expect(JSON.parse(listed.body).items.map((d: { id: string }) => d.id)).toEqual([dataset.id]);
    const other = await t.invoke(withClaims(apiGatewayEvent('list-datasets'), { tenant: `${tenant}-other` }));
    expect(JSON.parse(other.body).items).toEqual([]);
  });

  it('refuses a request that reached it without verified claims', async () => {
    const res = await t.invoke(apiGatewayEvent('invalid-no-authorizer'));
    expect(res.statusCode).toBe(401);
    expect(JSON.parse(res.body).type).toBe('/problems/unauthorized');
  });

  it('refuses verified claims that name no tenant, pointing at the claim', async () => {
    const res = await t.invoke(apiGatewayEvent('invalid-claims'));
    expect(res.statusCode).toBe(401);
    expect(JSON.parse(res.body).errors).toEqual([expect.objectContaining({ field: 'token.tenant' })]);
  });

  it('enforces scopes from the claims', async () => {
    const res = await t.invoke(withClaims(apiGatewayEvent('create-dataset-csv'), { tenant: 'acme-readonly', scope: 'read' }));
    expect(res.statusCode).toBe(403);
  });

  it('reads a base64-encoded CSV body as API Gateway delivers it', async () => {
    const tenant = `acme-${randomUUID().slice(0, 6)}`;
    const sample = apiGatewayEvent('create-dataset-csv');
    const event = withClaims({ ...sample, body: Buffer.from(sample.body!, 'utf8').toString('base64'), isBase64Encoded: true }, { tenant });
    const res = await t.invoke(event);
    expect(res.statusCode, res.body).toBe(201);
    expect(JSON.parse(res.body).rowCount).toBe(6);
  });
});

describe('HTTP API v2 events', () => {
  it('refuses events AWS would not send: upper-case header names, a route key at odds with the path, a body that is not base64', () => {
    const good = apiGatewayEvent('list-datasets');
    expect(HttpApiEventSchema.safeParse(good).success).toBe(true);
    expect(HttpApiEventSchema.safeParse({ ...good, headers: { ...good.headers, Accept: 'text/csv' } }).success).toBe(false);
    expect(HttpApiEventSchema.safeParse({ ...good, routeKey: 'GET /health' }).success).toBe(false);
    expect(HttpApiEventSchema.safeParse({ ...good, body: 'not base64!', isBase64Encoded: true }).success).toBe(false);
  });

  it('builds events like the samples for any request', () => {
    const event = httpApiEvent({ method: 'get', path: '/v1/datasets?limit=10&limit=20', headers: { Cookie: 'a=1; b=2', Accept: 'application/json' }, claims: { sub: 's', tenant: 'acme', exp: 1 } });
    expect(HttpApiEventSchema.parse(event)).toMatchObject({
      routeKey: 'GET /v1/datasets',
      rawQueryString: 'limit=10&limit=20',
      queryStringParameters: { limit: '10,20' },
      cookies: ['a=1', 'b=2'],
      headers: { accept: 'application/json' },
      requestContext: { authorizer: { jwt: { claims: { sub: 's', tenant: 'acme', exp: '1' } } } },
    });
  });
});

describe('the body limit holds in AWS as locally', () => {
  it('the largest body the app accepts fits a Lambda invocation even base64-encoded, and one byte more is the app’s own 413 in both', async () => {
    // Lambda refuses invocations over 6 MiB and the event is larger than its body (JSON escaping,
    // headers, base64 for binary bodies), so the app's limit sits at 4 MiB: its 413 problem is what
    // a client gets in AWS too, never a gateway error.
    const row = 'r000001,A0001,smb,gatekeeper,9,8,7,6,5,4,3,2,1,0,9,8,7,6,5,4,3,2,1,0,9,8,7,6,5,4,3,2,1\n';
    const largest = row.repeat(Math.floor(MAX_BODY_BYTES / row.length));
    expect(Buffer.byteLength(largest)).toBeLessThanOrEqual(MAX_BODY_BYTES);
    for (const base64 of [false, true]) {
      const event = httpApiEvent({ method: 'POST', path: '/v1/datasets?name=big', headers: { 'content-type': 'text/plain' }, body: largest, base64, claims: { sub: 's', tenant: 'acme', scope: 'read datasets:write' } });
      expect(Buffer.byteLength(JSON.stringify(event))).toBeLessThan(LAMBDA_PAYLOAD_LIMIT);
    }
    const claims = { sub: 's', tenant: 'acme', scope: 'read datasets:write' };
    const tooBig = 'x'.repeat(MAX_BODY_BYTES + 1);
    const local = await t.local.request('POST', '/v1/datasets?name=big', { as: claims, body: tooBig, headers: { 'content-type': 'text/csv' } });
    expect(local.status).toBe(413);
    const event = httpApiEvent({ method: 'POST', path: '/v1/datasets?name=big', headers: { 'content-type': 'text/csv' }, body: tooBig, claims });
    expect(Buffer.byteLength(JSON.stringify(event))).toBeLessThan(LAMBDA_PAYLOAD_LIMIT);
    const res = await t.invoke(event);
    expect(res.statusCode).toBe(413);
    expect(res.headers?.['content-type']).toContain('application/problem+json');
  });
});

describe('request ids', () => {
  it('in AWS the request id is API Gateway’s, on successes and on problems alike', async () => {
    const claims = { sub: 's', tenant: 'acme', scope: 'read' };
    const ok = await t.invoke(httpApiEvent({ method: 'GET', path: '/v1/datasets', claims, requestId: 'gw-req-0001' }));
    expect(ok.statusCode).toBe(200);
    expect(ok.headers?.['x-request-id']).toBe('gw-req-0001');
    const missing = await t.invoke(httpApiEvent({ method: 'GET', path: '/v1/datasets/ds_nope', claims, requestId: 'gw-req-0002' }));
    expect(missing.statusCode).toBe(404);
    expect(missing.headers?.['x-request-id']).toBe('gw-req-0002');
  });

  it('locally, problems carry the request id too', async () => {
    const res = await t.local.request('GET', '/v1/datasets/ds_nope', { as: { sub: 's', tenant: 'acme', scope: 'read' } });
    expect(res.status).toBe(404);
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
  });
});
