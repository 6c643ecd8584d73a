/**
 * `/v1/scenarios`: post a scenario (a set of planned initiatives on a driver model) and get its
 * forecast; read, list, change (under `If-Match`) and delete scenarios; read every version.
 * Handlers only translate HTTP to the scenario service and back.
 */
import { OpenAPIHono, z } from '@hono/zod-openapi';
import { ForecastSchema, ScenarioInputSchema } from '../../model/scenario/contract.js';
import { WorkProgressSchema } from '../app/lifecycle.js';
import { ScenarioHeadSchema, type ScenarioVersion } from '../app/scenarios/contract.js';
import type { ScenarioService } from '../app/scenarios/service.js';
import { IdempotencyHeader, IfMatchHeader, requestFingerprint, versionFromIfMatch, versionTag } from './headers.js';
import type { IdentityEnv } from './identity.js';
import { errorResponses, named, scopedRoute, validationHook } from './openapi.js';

const ScenarioInput = named(ScenarioInputSchema, 'ScenarioInput', {
  description: 'A scenario: initiatives planned on a driver model, and the economics to value them',
});
const Forecast = named(ForecastSchema, 'Forecast', {
  description: 'Each initiative alone and the portfolio: NPS lift, revenue impact, cost, ROI and payback, with intervals',
});
const ScenarioSummary = named(ScenarioHeadSchema, 'ScenarioSummary');
const ForecastState = {
  forecastStatus: z.enum(['ready', 'forecasting', 'failed']).openapi({
    description: 'ready: the forecast is stored; forecasting: a worker is computing it (large scenarios, answered 202); failed: see `problem`',
  }),
  problem: z
    .object({ title: z.string(), detail: z.string(), field: z.string().optional() })
    .optional()
    .openapi({ description: 'Why the forecast failed (forecastStatus failed)' }),
  progress: WorkProgressSchema.optional().openapi({
    description: 'While forecasting: the stage (queued, reading respondents, forecasting) and the share of stages done, written by the worker at stage boundaries',
  }),
};
const Scenario = named(ScenarioHeadSchema.extend({ scenario: ScenarioInputSchema, ...ForecastState }), 'Scenario', {
  description: 'The latest version of a scenario, as stored (defaults applied)',
});
const ScenarioWithForecast = named(ScenarioHeadSchema.extend({ scenario: ScenarioInputSchema, ...ForecastState, forecast: ForecastSchema.nullable() }), 'ScenarioWithForecast', {
  description: 'One version of a scenario and the forecast stored with it (null until forecastStatus is ready)',
});
const ScenarioList = z.object({ items: z.array(ScenarioSummary), nextCursor: z.string().nullable() }).openapi('ScenarioList');
const VersionList = z
  .object({
    items: z.array(Scenario).openapi({ description: 'Oldest first; `updatedAt` is when each version was written' }),
    nextCursor: z.string().nullable(),
  })
  .openapi('ScenarioVersionList');

const IdParams = z.object({
  id: z.string().max(64).openapi({ param: { name: 'id', in: 'path' }, example: 'scn_01jd3v4k8m2a7q9x0c5t6w1r3e' }),
});
const VersionParams = IdParams.extend({
  version: z.coerce.number().int().min(1).max(1e9).openapi({ param: { name: 'version', in: 'path' }, example: 2 }),
});

const ListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(400).optional(),
});
const VersionQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(100),
  cursor: z.string().max(400).optional(),
});

const ETAG = { ETag: { description: 'The version, quoted ("3"): send it back in If-Match to change the scenario', schema: { type: 'string' as const } } };

const createScenario = scopedRoute('scenarios:write', {
  operationId: 'createScenario',
  method: 'post',
  path: '/',
  tags: ['Scenarios'],
  summary: 'Create a scenario and forecast it',
  description:
    'Forecasts every initiative alone and the portfolio on the named ready model, then stores the scenario as version 1 with its forecast. ' +
    'Nothing is stored when the scenario cannot be forecast (400 naming the field, 404 for an unknown model, 409/422 for a model that cannot forecast). ' +
    'A scenario too large to forecast within the request (the model’s respondents × initiatives above the server’s limit, 5,000,000 by default) is checked against the model, ' +
    'stored with forecastStatus forecasting and answered 202; a worker stores the forecast on that version (poll GET /v1/scenarios/{id}/forecast: 409 with Retry-After until then). ' +
    'With an Idempotency-Key a retry answers as the first request did; the same key with another body is a 422.',
    request: { headers: IdempotencyHeader, body: { required: true, content: { 'application/json': { schema: ScenarioInput } } } },
  responses: {
    201: {
      description: 'Created, with its forecast',
      headers: { ...ETAG, Location: { description: 'The new scenario', schema: { type: 'string' as const } } },
      content: { 'application/json': { schema: ScenarioWithForecast } },
    },
    202: {
      description: 'Created; its forecast is being computed by the worker (forecastStatus forecasting)',
      headers: { ...ETAG, Location: { description: 'The new scenario', schema: { type: 'string' as const } } },
      content: { 'application/json': { schema: ScenarioWithForecast } },
    },
    ...errorResponses(400, 404, 409, 422, 503),
  },
});

const listScenarios = scopedRoute('read', {
  operationId: 'listScenarios',
  method: 'get',
  path: '/',
  tags: ['Scenarios'],
  summary: 'List scenarios, newest first',
    request: { query: ListQuery },
  responses: { 200: { description: 'A page of scenarios', content: { 'application/json': { schema: ScenarioList } } }, ...errorResponses(400) },
});

const getScenario = scopedRoute('read', {
  operationId: 'getScenario',
  method: 'get',
  path: '/{id}',
  tags: ['Scenarios'],
  summary: 'Get the latest version of a scenario',
    request: { params: IdParams },
  responses: {
    200: { description: 'The scenario', headers: ETAG, content: { 'application/json': { schema: Scenario } } },
    ...errorResponses(404),
  },
});

const getForecast = scopedRoute('read', {
  operationId: 'getForecast',
  method: 'get',
  path: '/{id}/forecast',
  tags: ['Scenarios'],
  summary: 'Get the stored forecast of the latest version',
  description:
    'Served from storage, never recomputed: it answers even when the model’s dataset has since been deleted. ' +
    '409 with Retry-After while the worker computes a large scenario’s forecast; 422 with the reason when it failed.',
    request: { params: IdParams },
  responses: {
    200: { description: 'The forecast', headers: ETAG, content: { 'application/json': { schema: Forecast } } },
    ...errorResponses(404, 409, 422),
  },
});

const listVersions = scopedRoute('read', {
  operationId: 'listVersions',
  method: 'get',
  path: '/{id}/versions',
  tags: ['Scenarios'],
  summary: 'List every version of a scenario, oldest first',
    request: { params: IdParams, query: VersionQuery },
  responses: {
    200: { description: 'A page of versions (without forecasts)', content: { 'application/json': { schema: VersionList } } },
    ...errorResponses(400, 404),
  },
});

const getVersion = scopedRoute('read', {
  operationId: 'getVersion',
  method: 'get',
  path: '/{id}/versions/{version}',
  tags: ['Scenarios'],
  summary: 'Get one version of a scenario with the forecast stored with it',
    request: { params: VersionParams },
  responses: {
    200: { description: 'The version', headers: ETAG, content: { 'application/json': { schema: ScenarioWithForecast } } },
    ...errorResponses(404),
  },
});

const putScenario = scopedRoute('scenarios:write', {
  operationId: 'putScenario',
  method: 'put',
  path: '/{id}',
  tags: ['Scenarios'],
  summary: 'Replace a scenario: store its next version and forecast it again',
  description:
    'Send the whole scenario and If-Match with the ETag you read. 428 without If-Match; 412 (with the current version) when the scenario changed since; ' +
    'of concurrent changes from one version exactly one is stored.',
    request: { params: IdParams, headers: IfMatchHeader, body: { required: true, content: { 'application/json': { schema: ScenarioInput } } } },
  responses: {
    200: { description: 'The new version, with its forecast', headers: ETAG, content: { 'application/json': { schema: ScenarioWithForecast } } },
    202: { description: 'The new version; its forecast is being computed by the worker', headers: ETAG, content: { 'application/json': { schema: ScenarioWithForecast } } },
    ...errorResponses(400, 404, 409, 412, 422, 428, 503),
  },
});

const deleteScenario = scopedRoute('scenarios:write', {
  operationId: 'deleteScenario',
  method: 'delete',
  path: '/{id}',
  tags: ['Scenarios'],
  summary: 'Delete a scenario and every version',
    request: { params: IdParams },
  responses: { 204: { description: 'Deleted' }, ...errorResponses(404) },
});

/** A version as the API shows it: `{ id, name, modelId, version, createdAt, updatedAt, scenario }`. */
function withoutForecast({ forecast: _forecast, ...rest }: ScenarioVersion): Omit<ScenarioVersion, 'forecast'> {
  return rest;
}

/** Routes for scenarios; mounted at `/v1/scenarios`. */
export function scenarioRoutes(service: ScenarioService) {
  const app = new OpenAPIHono<IdentityEnv>({ defaultHook: validationHook });

  app.openapi(createScenario, async (c) => {
    const key = c.req.valid('header')['idempotency-key'];
    const idem = key ? { key, fingerprint: await requestFingerprint(c) } : undefined;
    const { scenario, replayed } = await service.create(c.get('identity').tenant, c.req.valid('json'), idem);
    c.header('Location', `/v1/scenarios/${scenario.id}`);
    c.header('ETag', versionTag(scenario.version));
    if (replayed) c.header('Idempotent-Replayed', 'true');
    return scenario.forecastStatus === 'forecasting' ? c.json(scenario, 202) : c.json(scenario, 201);
  });

  app.openapi(listScenarios, async (c) => {
    const { limit, cursor } = c.req.valid('query');
    return c.json(await service.list(c.get('identity').tenant, { limit, ...(cursor ? { cursor } : {}) }), 200);
  });

  app.openapi(getScenario, async (c) => {
    const latest = await service.get(c.get('identity').tenant, c.req.valid('param').id);
    c.header('ETag', versionTag(latest.version));
    return c.json(withoutForecast(latest), 200);
  });

  app.openapi(getForecast, async (c) => {
    const latest = await service.getForecast(c.get('identity').tenant, c.req.valid('param').id);
    c.header('ETag', versionTag(latest.version));
    return c.json(latest.forecast, 200);
  });

  app.openapi(listVersions, async (c) => {
    const { limit, cursor } = c.req.valid('query');
    return c.json(await service.listVersions(c.get('identity').tenant, c.req.valid('param').id, { limit, ...(cursor ? { cursor } : {}) }), 200);
  });

  app.openapi(getVersion, async (c) => {
    const { id, version } = c.req.valid('param');
    const found = await service.getVersion(c.get('identity').tenant, id, version);
    c.header('ETag', versionTag(found.version));
    return c.json(found, 200);
  });

  app.openapi(putScenario, async (c) => {
    const expected = versionFromIfMatch(c.req.valid('header')['if-match']);
    const stored = await service.update(c.get('identity').tenant, c.req.valid('param').id, c.req.valid('json'), expected);
    c.header('ETag', versionTag(stored.version));
    return stored.forecastStatus === 'forecasting' ? c.json(stored, 202) : c.json(stored, 200);
  });

  app.openapi(deleteScenario, async (c) => {
    await service.delete(c.get('identity').tenant, c.req.valid('param').id);
    return c.body(null, 204);
  });

  return app;
}
