/**
 * The API Gateway samples under `events/samples/apigw/`: every one is an HTTP API (payload 2.0)
 * event as AWS delivers it for the routes of `infra/api.ts`; together they cover every route of the
 * app; and the Lambda handler (`functions/lambda/api.ts`), invoked with each as it is, answers what
 * the local server answers to the same request — for tenant `acme`, seeded with the resources the
 * samples name (SAMPLE_IDS), next to a twin tenant that the local server serves.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import {
  apiGatewayEvent,
  apiGatewaySamples,
  HttpApiEventSchema,
  routeKeyFor,
  SAMPLE_IDS,
  withIds,
  type ApiGatewaySample,
  type HttpApiEvent,
} from '../../events/samples.js';
import { staticRoutes } from '../../functions/http/static.js';
import { demoScenario } from '../../functions/local/demoScenario.js';
import { demoWave } from '../../model/demo.js';
import { Aliases, normalise } from '../support/parity.js';
import { createTransports, toResponse, type Claims, type Transport, type Transports } from '../support/transport.js';

const WAVE = demoWave({ seed: 3, respondents: 600, accounts: 150 });
/** The bridge's after wave: the same accounts surveyed again (dated before any launch the samples make, so none is evaluated). */
const AFTER = demoWave({ seed: 4, respondents: 600, accounts: 150 });

/** What each sample answers, in the order they run: deletions last, `put-scenario` before the versions. */
const EXPECTED: [ApiGatewaySample, number][] = [
  ['get-health', 200],
  ['get-openapi', 200],
  ['invalid-no-authorizer', 401],
  ['invalid-claims', 401],
  ['create-dataset-json', 201],
  ['create-dataset-csv', 201],
  ['list-datasets', 200],
  ['get-dataset', 200],
  ['append-rows-csv', 201],
  ['seal-dataset', 200],
  ['create-model', 201],
  ['list-models', 200],
  ['get-model', 200],
  ['predict', 200],
  ['create-scenario', 201],
  ['list-scenarios', 200],
  ['get-scenario', 200],
  ['get-forecast', 200],
  ['put-scenario', 200],
  ['list-versions', 200],
  ['get-version', 200],
  ['get-ranking', 200],
  ['get-ranking-csv', 200],
  ['list-rankings', 200],
  ['compare', 200],
  ['optimize', 200],
  // The seeded scenarios are small enough to optimise in the request, so no optimisation exists: both answer 404 alike.
  ['get-optimization', 404],
  ['create-launch', 201],
  ['list-launches', 200],
  ['get-launch', 200],
  ['end-launch', 200],
  ['get-ledger', 200],
  ['get-ledger-csv', 200],
  ['get-bridge', 200],
  ['delete-scenario', 204],
  ['delete-dataset', 204],
];

type Ids = Record<keyof typeof SAMPLE_IDS, string>;

/**
 * Creates, through `transport`, what the samples expect tenant `claims.tenant` to have: the demo wave
 * and a model on it, the demo scenario and a second one, an open dataset with the CSV sample's
 * columns, a launch of the demo scenario's first initiative today, and a second wave after it.
 */
async function seed(transport: Transport, claims: Claims): Promise<Ids> {
  const call = async (method: string, path: string, body: unknown): Promise<string> => {
    const res = await transport.request(method, path, { as: claims, body });
    expect(res.status, await res.clone().text()).toBe(201);
    return (await res.json()).id as string;
  };
  const dataset = await call('POST', '/v1/datasets', { name: WAVE.name, attributes: WAVE.attributes, rows: WAVE.rows });
  const openDataset = await call('POST', '/v1/datasets', {
    name: 'Q4 wave, in batches',
    seal: false,
    rows: [{ respondent_id: 'b1', account_id: 'B1', segment: 'smb', role: 'gatekeeper', ltr: 9, ease_of_use: 8, onboarding: 7 }],
  });
  const model = await call('POST', '/v1/models', { datasetId: dataset });
  const scenario = await call('POST', '/v1/scenarios', demoScenario(model));
  const demo = demoScenario(model);
  const otherScenario = await call('POST', '/v1/scenarios', { ...demo, name: 'Service only', initiatives: demo.initiatives.slice(0, 2) });
  const today = new Date().toISOString().slice(0, 10);
  const launch = await call('POST', '/v1/launches', { scenarioId: scenario, scenarioVersion: 1, initiativeId: demo.initiatives[0]!.id, launchedOn: today, reached: { segments: ['smb'] } });
  const afterDataset = await call('POST', '/v1/datasets', { name: AFTER.name, attributes: AFTER.attributes, rows: AFTER.rows });
  return { dataset, openDataset, model, scenario, otherScenario, launch, afterDataset, today };
}

/** The request a sample stands for, as a client of the local server sends it. */
function localRequest(event: HttpApiEvent, tenant: string): { method: string; path: string; as: Claims | null; headers: Record<string, string>; body?: string } {
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(event.headers)) if (!['authorization', 'host', 'content-length'].includes(name)) headers[name] = value;
  if (event.cookies) headers.cookie = event.cookies.join('; ');
  const claims = event.requestContext.authorizer?.jwt.claims;
  return {
    method: event.requestContext.http.method,
    path: event.rawQueryString ? `${event.rawPath}?${event.rawQueryString}` : event.rawPath,
    as: claims ? { ...claims, ...(claims.tenant !== undefined ? { tenant } : {}) } : null,
    headers,
    ...(event.body !== undefined ? { body: event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body } : {}),
  };
}

let transports: Transports;

beforeAll(async () => {
  transports = await createTransports();
});

describe('API Gateway sample events', () => {
  it('has an expectation for every sample on disk, and a sample for every expectation', () => {
    expect(apiGatewaySamples()).toEqual(EXPECTED.map(([name]) => name).sort());
  });

  for (const name of apiGatewaySamples())
    it(`${name} is an HTTP API v2 event on a route of the API`, () => {
      const parsed = HttpApiEventSchema.safeParse(apiGatewayEvent(name as ApiGatewaySample));
      expect(parsed.success, JSON.stringify(parsed.error?.issues)).toBe(true);
    });

  it('routes requests as the HTTP API in infra/api.ts does', async () => {
    const { publicRoutes } = await import('../../infra/api.js');
    for (const [method, path] of publicRoutes) {
      const concrete = path.replace('{proxy+}', 'some/file.js');
      expect(routeKeyFor(method, concrete), `${method} ${concrete}`).toMatchObject({ routeKey: `${method} ${path}`, authorized: false });
    }
    expect(routeKeyFor('DELETE', '/v1/datasets/x')).toMatchObject({ routeKey: 'DELETE /v1/datasets/{id}', pathParameters: { id: 'x' }, authorized: true });
    expect(routeKeyFor('PATCH', '/v1/datasets/x')).toBeNull(); // no such route: API Gateway answers 404 itself
    // No route: API Gateway answers 404 itself, the function never runs.
    expect(routeKeyFor('POST', '/health')).toBeNull();
  });

  it('covers every route of the app', () => {
    // Not the static routes: in AWS CloudFront serves the dashboard and /docs from S3 (infra/site.ts).
    const statics = new Set(staticRoutes().routes.map((r) => `${r.method} ${r.path}`));
    const routes = [...new Set(transports.app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method} ${r.path}`))].filter((r) => !statics.has(r));
    const requests = EXPECTED.filter(([name]) => !name.startsWith('invalid-')).map(([name]) => {
      const e = apiGatewayEvent(name);
      return `${e.requestContext.http.method} ${e.rawPath}`;
    });
    const uncovered = routes.filter((route) => {
      const [method, path] = route.split(' ') as [string, string];
      const pattern = new RegExp(`^${method} ${path.replace(/:\w+/g, '[^/]+')}$`);
      return !requests.some((r) => pattern.test(r));
    });
    expect(uncovered).toEqual([]);
  });
});

describe('the Lambda handler invoked with each sample', () => {
  let ids: Ids;
  let twinIds: Ids;
  const twin = 'acme-local';
  const aliases = { lambda: new Aliases('acme'), local: new Aliases(twin) };

  beforeAll(async () => {
    const writer = { sub: 'seed@acme', scope: 'read datasets:write models:write scenarios:write' };
    ids = await seed(transports.local, { ...writer, tenant: 'acme' });
    twinIds = await seed(transports.local, { ...writer, tenant: twin });
    // Both sides meet the seeded ids first, in the same order, so they get the same aliases.
    for (const key of (Object.keys(SAMPLE_IDS) as (keyof Ids)[]).filter((k) => k !== 'today')) {
      aliases.lambda.of(ids[key]);
      aliases.local.of(twinIds[key]);
    }
  });

  for (const [name, status] of EXPECTED)
    it(`answers ${name} with ${status}, as the local server answers the same request`, async () => {
      const event = withIds(apiGatewayEvent(name), ids);
      const result = await transports.invoke(event);
      const fromLambda = await normalise(toResponse(result), aliases.lambda);
      expect(result.statusCode, JSON.stringify(fromLambda.body)?.slice(0, 500)).toBe(status);
      // Text goes back as text: API Gateway would otherwise hand the client base64.
      expect(result.isBase64Encoded).toBe(false);

      const { method, path, as, headers, body } = localRequest(withIds(apiGatewayEvent(name), twinIds), twin);
      const fromLocal = await normalise(await transports.local.request(method, path, { as, headers, ...(body !== undefined ? { body } : {}) }), aliases.local);
      if (name === 'invalid-no-authorizer') {
        // By design: each auth mode says what is missing from its kind of request (see api.parity.test.ts).
        expect(fromLambda.normalised.body).toMatchObject({ detail: 'No verified token claims in the request context.' });
        for (const n of [fromLambda, fromLocal]) delete (n.normalised.body as Record<string, unknown>).detail;
      }
      expect(fromLambda.normalised).toEqual(fromLocal.normalised);
    });
});
