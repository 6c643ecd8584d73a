/**
 * The forecast ledger: `/v1/launches` (record, list, read and end launches), `GET /v1/ledger` (JSON
 * or CSV) and `GET /v1/datasets/{id}/bridge`. Mounted at `/v1`; handlers translate HTTP to the
 * launch service and back.
 */
import { OpenAPIHono, z } from '@hono/zod-openapi';
import { csvCell } from '../../model/scenario/ranking.js';
import { BridgeSchema, EndLaunchSchema, LaunchInputSchema, LaunchPageSchema, LaunchSchema, LedgerSchema, type LedgerItem } from '../app/launches/contract.js';
import type { LaunchService } from '../app/launches/service.js';
import { IdempotencyHeader, requestFingerprint } from './headers.js';
import type { IdentityEnv } from './identity.js';
import { errorResponses, named, scopedRoute, validationHook } from './openapi.js';

const LaunchInput = named(LaunchInputSchema, 'LaunchInput', { description: 'An initiative of a scenario version that went live: when, and where it reached' });
const Launch = named(LaunchSchema, 'Launch', { description: 'A launch with the forecast it was launched on (frozen) and, once a later wave is read, its evaluation' });
const LaunchList = named(LaunchPageSchema, 'LaunchList');
const Ledger = named(LedgerSchema, 'Ledger', { description: 'Every launch’s forecast against its realised lift, the summary across launches and the calibration factor' });
const Bridge = named(BridgeSchema, 'Bridge', { description: 'The change of NPS between two waves, split into parts that add up to it exactly' });

const IdParams = z.object({ id: z.string().max(64).openapi({ param: { name: 'id', in: 'path' }, example: 'lch_01jd3v4k8m2a7q9x0c5t6w1r3e' }) });
const DatasetParams = z.object({ id: z.string().max(64).openapi({ param: { name: 'id', in: 'path' }, example: 'ds_01jd3v4k8m2a7q9x0c5t6w1r3e' }) });
const ListQuery = z.strictObject({ limit: z.coerce.number().int().min(1).max(100).default(20), cursor: z.string().max(400).optional() });
const LedgerQuery = z.strictObject({ format: z.enum(['json', 'csv']).optional().openapi({ description: 'csv: the ledger as CSV (or send Accept: text/csv)' }) });
const BridgeQuery = z.strictObject({
  from: z.string().min(1).max(64).openapi({ description: 'The wave before (a sealed dataset)', example: 'ds_01jd3v4k8m2a7q9x0c5t6w1r3d' }),
  modelId: z.string().min(1).max(64).optional().openapi({ description: 'A ready model fitted on `from`; default: its newest ready model' }),
});

const LOCATION = { Location: { description: 'The launch', schema: { type: 'string' as const } } };

const createLaunch = scopedRoute('scenarios:write', {
  operationId: 'createLaunch',
  method: 'post',
  path: '/launches',
  tags: ['Ledger'],
  summary: 'Record that an initiative went live',
  description:
    'Freezes on the launch the version’s initiative (effects, target) and its forecast (lift, interval, level, halo-adjusted lift); the scenario may change later. ' +
    'Unknown scenario or version: 404. An initiative the version lacks, launchedOn before the version was written or after today, a segment or role the model’s respondents do not have: 400 naming the field. ' +
    '409 with Retry-After while the version’s forecast is computed, 422 when it failed. With an Idempotency-Key a retry answers with the launch it recorded; the same key with another body is a 422.',
  request: { headers: IdempotencyHeader, body: { required: true, content: { 'application/json': { schema: LaunchInput } } } },
  responses: { 201: { description: 'Recorded', headers: LOCATION, content: { 'application/json': { schema: Launch } } }, ...errorResponses(400, 404, 409, 422) },
});

const listLaunches = scopedRoute('read', {
  operationId: 'listLaunches',
  method: 'get',
  path: '/launches',
  tags: ['Ledger'],
  summary: 'List launches, newest first',
  request: { query: ListQuery },
  responses: { 200: { description: 'A page of launches', content: { 'application/json': { schema: LaunchList } } }, ...errorResponses(400) },
});

const getLaunch = scopedRoute('read', {
  operationId: 'getLaunch',
  method: 'get',
  path: '/launches/{id}',
  tags: ['Ledger'],
  summary: 'Get a launch, with its evaluation once a later wave has been read',
  request: { params: IdParams },
  responses: { 200: { description: 'The launch', content: { 'application/json': { schema: Launch } } }, ...errorResponses(404) },
});

const endLaunch = scopedRoute('scenarios:write', {
  operationId: 'endLaunch',
  method: 'post',
  path: '/launches/{id}/end',
  tags: ['Ledger'],
  summary: 'Record that a launch stopped',
  description: 'Once: a launch that has ended is a 409. endedOn before launchedOn, or after today, is a 400.',
  request: { params: IdParams, body: { required: true, content: { 'application/json': { schema: named(EndLaunchSchema, 'EndLaunch') } } } },
  responses: { 200: { description: 'The launch, ended', content: { 'application/json': { schema: Launch } } }, ...errorResponses(400, 404, 409) },
});

const getLedger = scopedRoute('read', {
  operationId: 'getLedger',
  method: 'get',
  path: '/ledger',
  tags: ['Ledger'],
  summary: 'Forecast against realised, launch by launch, and the calibration',
  description:
    'Per launch: the frozen forecast, the realised lift on the first wave sealed after it (or why there is none), the error and whether each interval held the other; ' +
    'across launches the MAE, the share within 2 points, both coverages and the calibration factor (realised ÷ forecast, shrunk toward 1) that new forecasts carry as `calibrated`. ' +
    'CSV (Accept: text/csv or format=csv) neutralises cells starting with = + - @ against formula injection.',
  request: { query: LedgerQuery },
  responses: { 200: { description: 'The ledger', content: { 'application/json': { schema: Ledger }, 'text/csv': { schema: z.string() } } }, ...errorResponses(400) },
});

const getBridge = scopedRoute('read', {
  operationId: 'getBridge',
  method: 'get',
  path: '/datasets/{id}/bridge',
  tags: ['Ledger'],
  summary: 'The NPS bridge from an earlier wave to this one',
  description:
    'The change of NPS from wave `from` to this wave split into the mix of segments and roles, each launch evaluated between the two waves, shifts in attribute ratings through a driver model of `from`, and the remainder, with the change’s sampling error; the parts add up to the change exactly. ' +
    '404 for an unknown dataset or model; 409 while either wave is open or when `from` has no ready model; 400 for a model of another dataset; 422 when a wave lacks the model’s attributes.',
  request: { params: DatasetParams, query: BridgeQuery },
  responses: { 200: { description: 'The bridge', content: { 'application/json': { schema: Bridge } } }, ...errorResponses(400, 404, 409, 422) },
});

/** The ledger's lines as CSV (one header row), for spreadsheets; every cell through {@link csvCell}. */
export function ledgerCsv(items: readonly LedgerItem[]): string {
  const flag = (b: boolean | null): string | null => (b === null ? null : String(b));
  const header = [
    'launch_id', 'scenario_id', 'scenario_version', 'initiative_id', 'launched_on', 'ended_on', 'forecast_lift', 'forecast_low', 'forecast_high', 'forecast_level',
    'after_dataset_id', 'realised_lift', 'realised_low', 'realised_high', 'realised_level', 'error', 'forecast_held', 'realised_held', 'reason',
  ];
  const lines = [header.join(',')];
  for (const i of items)
    lines.push(
      [
        i.launchId, i.scenarioId, i.scenarioVersion, i.initiativeId, i.launchedOn, i.endedOn, i.forecast.lift, i.forecast.interval[0], i.forecast.interval[1], i.forecast.level,
        i.afterDatasetId, i.realised?.lift ?? null, i.realised?.interval[0] ?? null, i.realised?.interval[1] ?? null, i.realised?.level ?? null, i.error, flag(i.forecastHeld), flag(i.realisedHeld), i.reason,
      ]
        .map(csvCell)
        .join(','),
    );
  return `${lines.join('\r\n')}\r\n`;
}

/** Routes of the forecast ledger; mounted at `/v1`. */
export function launchRoutes(service: LaunchService) {
  const app = new OpenAPIHono<IdentityEnv>({ defaultHook: validationHook });

  app.openapi(createLaunch, async (c) => {
    const key = c.req.valid('header')['idempotency-key'];
    const idem = key ? { key, fingerprint: await requestFingerprint(c) } : undefined;
    const { launch, replayed } = await service.create(c.get('identity').tenant, c.req.valid('json'), idem);
    c.header('Location', `/v1/launches/${launch.id}`);
    if (replayed) c.header('Idempotent-Replayed', 'true');
    return c.json(launch, 201);
  });

  app.openapi(listLaunches, async (c) => {
    const { limit, cursor } = c.req.valid('query');
    return c.json(await service.list(c.get('identity').tenant, { limit, ...(cursor ? { cursor } : {}) }), 200);
  });

  app.openapi(getLaunch, async (c) => c.json(await service.get(c.get('identity').tenant, c.req.valid('param').id), 200));

  app.openapi(endLaunch, async (c) => c.json(await service.end(c.get('identity').tenant, c.req.valid('param').id, c.req.valid('json').endedOn), 200));

  app.openapi(getLedger, async (c) => {
    const { format } = c.req.valid('query');
    const ledger = await service.ledger(c.get('identity').tenant);
    if (format === 'csv' || (format === undefined && /\btext\/csv\b/.test(c.req.header('accept') ?? ''))) {
      c.header('Content-Type', 'text/csv; charset=utf-8');
      c.header('Content-Disposition', 'attachment; filename="ledger.csv"');
      return c.body(ledgerCsv(ledger.items), 200);
    }
    return c.json(ledger, 200);
  });

  app.openapi(getBridge, async (c) => {
    const { from, modelId } = c.req.valid('query');
    return c.json(await service.bridge(c.get('identity').tenant, c.req.valid('param').id, { from, ...(modelId ? { modelId } : {}) }), 200);
  });

  return app;
}
