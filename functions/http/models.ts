/**
 * `/v1/models`: fit a driver model on a sealed wave, read and list models, and ask a ready model
 * what-if questions. Handlers only translate HTTP to the model service and back.
 */
import { OpenAPIHono, z } from '@hono/zod-openapi';
import { ModelRequestSchema, WhatIfResultSchema, WhatIfSchema } from '../../model/drivers/contract.js';
import { ModelAcceptedSchema, ModelPageSchema, ModelRecordSchema, ModelViewSchema } from '../app/models/contract.js';
import type { ModelService } from '../app/models/service.js';
import type { IdentityEnv } from './identity.js';
import { errorResponses, named, scopedRoute, validationHook } from './openapi.js';

const ModelRequest = named(ModelRequestSchema, 'ModelRequest');
const WhatIf = named(WhatIfSchema, 'WhatIf');
const WhatIfResult = named(WhatIfResultSchema, 'WhatIfResult');
const ModelSummary = named(ModelRecordSchema, 'ModelSummary', {
  description: 'A model without its fitted document; `problem` says why when the status is failed',
});
const Model = named(ModelViewSchema, 'Model', {
  description: 'A model record; once ready it also carries the fit, segments, importance and calibration',
});
const Accepted = named(ModelAcceptedSchema, 'ModelAccepted');
const ModelList = named(ModelPageSchema, 'ModelList');

const IdParams = z.object({
  id: z.string().max(64).openapi({ param: { name: 'id', in: 'path' }, example: 'mdl_01jd3v4k8m2a7q9x0c5t6w1r3e' }),
});

const ListQuery = z.strictObject({
  datasetId: z.string().min(1).max(64).optional().openapi({ description: 'Only models of this dataset' }),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(400).optional(),
});

const createModel = scopedRoute('models:write', {
  operationId: 'createModel',
  method: 'post',
  path: '/',
  tags: ['Models'],
  summary: 'Fit a driver model on a sealed dataset',
  description:
    'Datasets small enough are fitted within the request (201, the ready model). Larger ones are queued (202); ' +
    'follow the Location header until the status is ready or failed. Data that cannot support the model ' +
    '(a constant attribute, too few respondents, a tiny segment …) is a 422 naming the attribute or segment; the failed model stays listed.',
    request: { body: { required: true, content: { 'application/json': { schema: ModelRequest } } } },
  responses: {
    201: { description: 'Fitted', content: { 'application/json': { schema: Model } } },
    202: { description: 'Queued: a worker fits it', content: { 'application/json': { schema: Accepted } } },
    ...errorResponses(400, 404, 409, 422),
  },
});

const listModels = scopedRoute('read', {
  operationId: 'listModels',
  method: 'get',
  path: '/',
  tags: ['Models'],
  summary: 'List models, newest first',
    request: { query: ListQuery },
  responses: { 200: { description: 'A page of models', content: { 'application/json': { schema: ModelList } } }, ...errorResponses(400) },
});

const getModel = scopedRoute('read', {
  operationId: 'getModel',
  method: 'get',
  path: '/{id}',
  tags: ['Models'],
  summary: 'Get a model: its status, and its fit once ready',
    request: { params: IdParams },
  responses: { 200: { description: 'The model', content: { 'application/json': { schema: Model } } }, ...errorResponses(404) },
});

const predict = scopedRoute('read', {
  operationId: 'predictWhatIf',
  method: 'post',
  path: '/{id}/predict',
  tags: ['Models'],
  summary: 'What-if: the NPS the model predicts if attributes change',
  description: 'Writes nothing. Unknown attributes, segments, roles or accounts are a 400 naming the field; a model still fitting is a 409.',
    request: { params: IdParams, body: { required: true, content: { 'application/json': { schema: WhatIf } } } },
  responses: {
    200: { description: 'Predicted NPS, overall and per segment', content: { 'application/json': { schema: WhatIfResult } } },
    ...errorResponses(400, 404, 409, 422),
  },
});

/** Routes for driver models; mounted at `/v1/models`. */
export function modelRoutes(service: ModelService) {
  const app = new OpenAPIHono<IdentityEnv>({ defaultHook: validationHook });

  app.openapi(createModel, async (c) => {
    const out = await service.create(c.get('identity').tenant, c.req.valid('json'));
    c.header('Location', `/v1/models/${out.model.id}`);
    return out.status === 201 ? c.json(out.model, 201) : c.json(out.model, 202);
  });

  app.openapi(listModels, async (c) => {
    const { datasetId, limit, cursor } = c.req.valid('query');
    const page = await service.list(c.get('identity').tenant, { limit, ...(datasetId ? { datasetId } : {}), ...(cursor ? { cursor } : {}) });
    return c.json(page, 200);
  });

  app.openapi(getModel, async (c) => c.json(await service.get(c.get('identity').tenant, c.req.valid('param').id), 200));

  app.openapi(predict, async (c) =>
    c.json(await service.predict(c.get('identity').tenant, c.req.valid('param').id, c.req.valid('json')), 200),
  );

  return app;
}
