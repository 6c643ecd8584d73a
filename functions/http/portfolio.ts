/**
 * Finance views over scenarios: `GET /v1/scenarios/{id}/ranking` (JSON, CSV, or the forecast and
 * ranking as an Excel workbook), `GET /v1/rankings` (every scenario's initiatives together),
 * `POST /v1/compare` (JSON or a workbook) and `POST /v1/scenarios/{id}/optimize`.
 * Mounted at `/v1`; handlers translate HTTP to the portfolio service and back.
 */
import { OpenAPIHono, z } from '@hono/zod-openapi';
import { OptimizeRequestSchema } from '../../model/scenario/optimize.js';
import { safeKey } from '../../model/text.js';
import { RankBySchema, rankingCsv } from '../../model/scenario/ranking.js';
import { ComparisonSchema, OptimizationResultSchema, OptimizationSchema } from '../app/portfolio/contract.js';
import type { PortfolioService } from '../app/portfolio/service.js';
import type { IdentityEnv } from './identity.js';
import { errorResponses, named, scopedRoute, validationHook } from './openapi.js';
import { comparisonWorkbook, forecastWorkbook } from './workbooks.js';
import { XLSX_MEDIA_TYPE } from './xlsx.js';

/** A workbook in OpenAPI: the bytes of an .xlsx file. */
const Workbook = z.string().openapi({ format: 'binary', description: 'An Office Open XML workbook (.xlsx)' });

/** Whether the client asked for a workbook: `Accept` names the .xlsx media type. */
const acceptsXlsx = (accept: string | undefined): boolean => (accept ?? '').toLowerCase().includes(XLSX_MEDIA_TYPE);

const Interval = z.tuple([z.number(), z.number()]);
const RankedInitiative = z
  .object({
    rank: z.number().int(),
    id: z.string(),
    name: z.string(),
    value: z.number().nullable().openapi({ description: 'The metric ranked by; null when it cannot be computed (e.g. ROI without revenue)' }),
    interval: Interval.nullable(),
    probabilityAboveNext: z.number().nullable().openapi({ description: 'Probability that this initiative truly ranks above the next one' }),
    npsLift: z.number(),
    npsInterval: Interval,
    npv: z.number().nullable().openapi({ description: 'Net present value: revenue.npv − cost.total' }),
    roi: z.number().nullable(),
    cost: z.number(),
    paybackMonths: z.number().nullable(),
    liftPerMillion: z.number().nullable(),
  })
  .openapi('RankedInitiative');
const RankingPage = z
  .object({
    scenarioId: z.string(),
    version: z.number().int(),
    by: RankBySchema,
    segment: z.string().nullable(),
    currency: z.string(),
    intervalLevel: z.number(),
    items: z.array(RankedInitiative),
    nextCursor: z.string().nullable(),
  })
  .openapi('Ranking');

const OptimizationResult = named(OptimizationResultSchema, 'Optimization', { description: 'The selected portfolio, its forecast and the efficient frontier' });
const Comparison = named(ComparisonSchema, 'Comparison', { description: 'Scenarios side by side, and the difference of each pair' });
const OptimizationJob = named(OptimizationSchema, 'OptimizationJob', { description: 'A portfolio search run by the worker' });

const IdParams = z.object({ id: z.string().max(64).openapi({ param: { name: 'id', in: 'path' }, example: 'scn_01jd3v4k8m2a7q9x0c5t6w1r3e' }) });
const RankingQuery = z.strictObject({
  by: RankBySchema.default('roi').openapi({ description: 'roi | npv | npsLift | liftPerMillion | paybackMonths (shortest first)' }),
  segment: safeKey(z.string().min(1).max(128)).optional().openapi({ description: 'Rank by this segment’s NPS lift' }),
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(400).optional(),
  format: z.enum(['json', 'csv', 'xlsx']).optional().openapi({
    description: `csv: the same page as CSV (or send Accept: text/csv); xlsx: the forecast and the whole ranking (not paged) as an Excel workbook (or send Accept: ${XLSX_MEDIA_TYPE})`,
  }),
});

const ranking = scopedRoute('read', {
  operationId: 'getRanking',
  method: 'get',
  path: '/scenarios/{id}/ranking',
  tags: ['Rankings'],
  summary: 'A scenario’s initiatives in rank order',
  description:
    'Ranks by the stored forecast (no recomputation); ties keep scenario order. `probabilityAboveNext` comes from the same intervals. ' +
    'CSV (Accept: text/csv or format=csv) neutralises cells starting with = + - @ against formula injection. ' +
    `An Excel workbook (Accept: ${XLSX_MEDIA_TYPE} or format=xlsx) holds the forecast (each initiative and the portfolio, with intervals in their own columns), ` +
    'its NPS by segment, the whole ranking (limit and cursor do not apply) and the assumptions (economics, horizon, discount rate, interval level, model).',
    request: { params: IdParams, query: RankingQuery },
  responses: {
    200: { description: 'A page of the ranking', content: { 'application/json': { schema: RankingPage }, 'text/csv': { schema: z.string() }, [XLSX_MEDIA_TYPE]: { schema: Workbook } } },
    ...errorResponses(400, 404, 409, 422),
  },
});

const rankings = scopedRoute('read', {
  operationId: 'listRankings',
  method: 'get',
  path: '/rankings',
  tags: ['Rankings'],
  summary: 'The initiatives of all the tenant’s scenarios, ranked together',
    request: { query: RankingQuery.omit({ segment: true, format: true }) },
  responses: {
    200: {
      description: 'A page of the portfolio ranking',
      content: {
        'application/json': {
          schema: z
            .object({
              by: RankBySchema,
              items: z.array(RankedInitiative.extend({ scenarioId: z.string(), scenarioName: z.string(), currency: z.string() })),
              notRanked: z
                .array(z.object({ scenarioId: z.string(), version: z.number().int(), forecastStatus: z.enum(['forecasting', 'failed']) }))
                .openapi({ description: 'Scenarios left out because the latest version’s forecast is still being computed, or failed' }),
              nextCursor: z.string().nullable(),
            })
            .openapi('PortfolioRanking'),
        },
      },
    },
    ...errorResponses(400),
  },
});

const CompareBody = z.strictObject({ scenarios: z.array(z.string().min(1).max(64)).min(2).max(10) }).openapi('CompareRequest');
const compare = scopedRoute('read', {
  operationId: 'compareScenarios',
  method: 'post',
  path: '/compare',
  tags: ['Rankings'],
  summary: 'Scenarios side by side',
  description:
    'Baseline and portfolio NPS, net value, ROI, cost and payback of each scenario, with intervals, and the difference between each pair. ' +
    `With Accept: ${XLSX_MEDIA_TYPE}, the same as an Excel workbook (Comparison, Differences, and each scenario’s Assumptions).`,
    request: { body: { required: true, content: { 'application/json': { schema: CompareBody } } } },
  responses: {
    200: { description: 'The comparison', content: { 'application/json': { schema: Comparison }, [XLSX_MEDIA_TYPE]: { schema: Workbook } } },
    ...errorResponses(400, 404, 409, 422),
  },
});

const optimize = scopedRoute('read', {
  operationId: 'optimizeScenario',
  method: 'post',
  path: '/scenarios/{id}/optimize',
  tags: ['Rankings'],
  summary: 'The best portfolio within a budget, and the efficient frontier',
  description:
    'Evaluates portfolios through the model (overlapping effects saturate): exhaustive up to 20 initiatives, greedy with swaps beyond. ' +
    '`budget` compares with the portfolio’s discounted cost.total; objective npv is revenue.npv − cost.total. An impossible budget is a 422. ' +
    'A scenario too large to forecast within a request is searched by the worker: 202 with the optimisation (status running) and its Location; ' +
    'poll GET /v1/scenarios/{id}/optimizations/{optimizationId}. The same request on the same version answers with the same optimisation, and with its result (200) once it is ready.',
    request: { params: IdParams, body: { required: true, content: { 'application/json': { schema: named(OptimizeRequestSchema, 'OptimizeRequest') } } } },
  responses: {
    200: { description: 'Selected initiatives, their portfolio forecast and the frontier', content: { 'application/json': { schema: OptimizationResult } } },
    202: {
      description: 'Accepted: the worker searches (a large scenario)',
      headers: { Location: { description: 'The optimisation to poll', schema: { type: 'string' as const } } },
      content: { 'application/json': { schema: OptimizationJob } },
    },
    ...errorResponses(400, 404, 409, 422, 503),
  },
});

const OptimizationParams = IdParams.extend({
  optimizationId: z.string().max(64).openapi({ param: { name: 'optimizationId', in: 'path' }, example: 'opt_3f0c9a1b7e2d4c58a6b1' }),
});

const getOptimization = scopedRoute('read', {
  operationId: 'getOptimization',
  method: 'get',
  path: '/scenarios/{id}/optimizations/{optimizationId}',
  tags: ['Rankings'],
  summary: 'An optimisation the worker runs for a large scenario',
  description: 'status running, then ready with `result` (what POST …/optimize answers for a small scenario) or failed with `problem`.',
    request: { params: OptimizationParams },
  responses: {
    200: { description: 'The optimisation', content: { 'application/json': { schema: OptimizationJob } } },
    ...errorResponses(404),
  },
});

export function portfolioRoutes(service: PortfolioService) {
  const app = new OpenAPIHono<IdentityEnv>({ defaultHook: validationHook });

  app.openapi(ranking, async (c) => {
    const { format, segment, cursor, ...rest } = c.req.valid('query');
    if (format === 'xlsx' || (format === undefined && acceptsXlsx(c.req.header('accept')))) {
      const id = c.req.valid('param').id;
      const x = await service.forecastExport(c.get('identity').tenant, id, { by: rest.by, ...(segment ? { segment } : {}) });
      c.header('Content-Type', XLSX_MEDIA_TYPE);
      c.header('Content-Disposition', `attachment; filename="liftcast-${x.scenario.id}-v${x.scenario.version}-${x.by}.xlsx"`);
      return c.body(forecastWorkbook(x), 200);
    }
    const page = await service.ranking(c.get('identity').tenant, c.req.valid('param').id, { ...rest, ...(segment ? { segment } : {}), ...(cursor ? { cursor } : {}) });
    const wantsCsv = format === 'csv' || (format === undefined && /\btext\/csv\b/.test(c.req.header('accept') ?? ''));
    if (wantsCsv) {
      c.header('Content-Type', 'text/csv; charset=utf-8');
      c.header('Content-Disposition', `attachment; filename="ranking-${page.scenarioId}-${page.by}.csv"`);
      if (page.nextCursor) c.header('Link', `<?by=${page.by}&format=csv&cursor=${page.nextCursor}>; rel="next"`);
      return c.body(rankingCsv(page.items, page.by), 200);
    }
    return c.json(page, 200);
  });

  app.openapi(rankings, async (c) => {
    const { cursor, ...rest } = c.req.valid('query');
    return c.json(await service.rankings(c.get('identity').tenant, { ...rest, ...(cursor ? { cursor } : {}) }), 200);
  });

  app.openapi(compare, async (c) => {
    const ids = c.req.valid('json').scenarios;
    if (acceptsXlsx(c.req.header('accept'))) {
      const x = await service.comparisonExport(c.get('identity').tenant, ids);
      c.header('Content-Type', XLSX_MEDIA_TYPE);
      c.header('Content-Disposition', `attachment; filename="liftcast-comparison-${x.comparison.scenarios.length}-scenarios.xlsx"`);
      return c.body(comparisonWorkbook(x), 200);
    }
    return c.json(await service.compare(c.get('identity').tenant, ids), 200);
  });

  app.openapi(optimize, async (c) => {
    const id = c.req.valid('param').id;
    const out = await service.optimize(c.get('identity').tenant, id, c.req.valid('json'));
    if (out.status === 200) return c.json(out.result, 200);
    c.header('Location', `/v1/scenarios/${id}/optimizations/${out.optimization.id}`);
    return c.json(out.optimization, 202);
  });

  app.openapi(getOptimization, async (c) => {
    const { id, optimizationId } = c.req.valid('param');
    return c.json(await service.getOptimization(c.get('identity').tenant, id, optimizationId), 200);
  });

  return app;
}
