/**
 * Shared OpenAPI pieces: the problem+json schema every error response uses, and the validation hook
 * that turns a zod failure anywhere in a request into one ValidationError listing every field.
 */
import { createRoute, z, type OpenAPIHono, type RouteConfig } from '@hono/zod-openapi';
import { NotFoundError, ValidationError } from '../app/errors.js';
import { requireScope, type Scope } from './identity.js';
import { PROBLEM_CONTENT_TYPE } from './problem.js';

export const ProblemSchema = z
  .object({
    type: z.string().openapi({ example: '/problems/validation' }),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    instance: z.string().optional(),
    errors: z
      .array(
        z.object({
          field: z.string().optional().openapi({ description: 'Path of the field at fault, e.g. body.attributes.0.scale' }),
          row: z.number().int().nullable().optional().openapi({ description: '1-based data row of an upload; null for the whole file' }),
          line: z.number().int().optional().openapi({ description: 'Physical line of a CSV file' }),
          column: z.string().optional(),
          reason: z.string(),
        }),
      )
      .optional(),
    errorCount: z.number().int().optional().openapi({ description: 'Total problems when more were found than listed' }),
    currentVersion: z.number().int().optional().openapi({ description: '412: the latest version (its ETag is sent too)' }),
    failure: z.string().optional().openapi({ description: 'Why a model or forecast cannot be made, as a code (e.g. small-segment, unknown-attribute)' }),
    modelId: z.string().optional().openapi({ description: 'The model concerned (e.g. one that failed, or whose dataset was deleted)' }),
    datasetId: z.string().optional().openapi({ description: 'The dataset concerned' }),
    modelProblem: z
      .object({ title: z.string(), detail: z.string(), errors: z.array(z.record(z.string(), z.unknown())).optional() })
      .nullable()
      .optional()
      .openapi({ description: 'Why the named model failed to fit' }),
    scenarioId: z.string().optional(),
    version: z.number().int().optional().openapi({ description: 'The scenario version concerned' }),
    forecastStatus: z.enum(['forecasting', 'failed']).optional().openapi({ description: '409: still forecasting (retry after Retry-After); 422: failed' }),
    rows: z.number().int().optional().openapi({ description: '413: rows in the request' }),
    limit: z.number().int().optional().openapi({ description: '413: the most rows a request may carry' }),
  })
  .openapi('Problem', { description: 'RFC 9457 problem details' });

/**
 * A copy of `schema` named `name` in the OpenAPI document. Zod 4 gives each schema its methods when
 * it is built, so a schema from `model/` built before `@hono/zod-openapi` was first imported has no
 * `.openapi()`; a clone, built now, does. The clone validates exactly as the original.
 */
export function named<T extends z.ZodType>(schema: T, name: string, metadata: { description?: string } = {}): T {
  return schema.clone().openapi(name, metadata);
}

const DESCRIPTIONS: Record<number, string> = {
  405: 'Method not allowed on this path (the Allow header lists those that are)',
  400: 'Invalid request: the fields or rows at fault are listed',
  401: 'Missing or invalid bearer token',
  403: 'The token lacks the scope this request needs',
  404: 'Not found (or belongs to another tenant)',
  409: 'Conflicts with the current state',
  412: 'The resource changed since it was read',
  413: 'Upload too large',
  415: 'Unsupported media type',
  422: 'Idempotency key reused with a different request, or the data cannot be used',
  428: 'A precondition header is required',
  503: 'A dependency is unavailable or throttling: retry shortly',
};

/** What the document says of itself; `servers` is relative, so it is right wherever it is served. */
export const DOCUMENT_CONFIG: Parameters<OpenAPIHono['getOpenAPI31Document']>[0] = {
  openapi: '3.1.0',
  info: {
    title: 'Liftcast API',
    version: '1.0.0',
    description:
      'Which customer-experience investments move B2B NPS and revenue, and by how much. Errors are RFC 9457 application/problem+json. ' +
      'Forecast lifts are associational (read from survey cross-sections) unless calibrated against realised results.',
    // OpenAPI 3.1's SPDX `identifier` (the generator's types are 3.0's, which lack it).
    license: { name: 'Proprietary', ...{ identifier: 'LicenseRef-Liftcast-Proprietary' } },
  },
  servers: [{ url: '/', description: 'The host that served this document' }],
  security: [{ bearer: [] }],
  tags: [
    { name: 'Datasets', description: 'Survey waves: upload, append in batches, seal, read, delete' },
    { name: 'Models', description: 'Driver models fitted on a sealed wave, and what-ifs on them' },
    { name: 'Scenarios', description: 'Planned initiatives on a model, each version stored with its forecast' },
    { name: 'Rankings', description: 'Ranked investment lists, comparisons and the budget optimiser' },
    { name: 'Ledger', description: 'Launches of initiatives, their forecasts against what the next wave realised, the calibration, and the NPS bridge between waves' },
  ],
};

type Operation = { requestBody?: unknown; responses?: Record<string, unknown> };

/**
 * Adds what any operation can answer, so clients and the conformance test know every status:
 * 405 on every path (another method), 413 and 415 where a body is taken, 503 everywhere (DynamoDB
 * throttling). One place, so a new route cannot forget them.
 */
export function completeDocument<D extends { paths?: object }>(doc: D): D {
  const problem = (status: number) => [
    String(status),
    { description: DESCRIPTIONS[status]!, content: { [PROBLEM_CONTENT_TYPE]: { schema: { $ref: '#/components/schemas/Problem' } } } },
  ] as const;
  const common = Object.fromEntries([405, 503].map(problem));
  const withBody = Object.fromEntries([413, 415].map(problem));
  for (const item of Object.values(doc.paths ?? {}) as Record<string, Operation>[])
    for (const operation of Object.values(item)) {
      if (typeof operation !== 'object' || operation === null || !('responses' in operation)) continue;
      operation.responses = { ...operation.responses, ...common, ...(operation.requestBody ? withBody : {}) };
    }
  return doc;
}

/** OpenAPI response entries for the given error statuses. */
export function errorResponses<const S extends number>(...statuses: S[]): Record<S, { description: string; content: { 'application/problem+json': { schema: typeof ProblemSchema } } }> {
  return Object.fromEntries(
    statuses.map((s) => [s, { description: DESCRIPTIONS[s] ?? 'Error', content: { [PROBLEM_CONTENT_TYPE]: { schema: ProblemSchema } } }]),
  ) as Record<S, { description: string; content: { 'application/problem+json': { schema: typeof ProblemSchema } } }>;
}

const TARGET_NAMES: Record<string, string> = { json: 'body', query: 'query', header: 'header', param: 'path', form: 'body' };

/**
 * Default hook of every OpenAPIHono app: throws instead of answering, so `app.onError` renders all
 * problems the same way. A malformed path id is simply "not found".
 */
export function validationHook(result: { success: boolean; target: string; error?: unknown }): void {
  if (result.success) return;
  if (result.target === 'param') throw new NotFoundError('No such resource.');
  const error = result.error as z.ZodError;
  const prefix = TARGET_NAMES[result.target] ?? result.target;
  const issues = withoutSafeIntegerNoise(error.issues);
  // An unknown key is named as a field of its own (body.extra), not as its parent object.
  const items = issues.flatMap((i) =>
    i.code === 'unrecognized_keys'
      ? i.keys.map((key) => ({ field: [prefix, ...i.path.map(String), key].join('.'), reason: 'is not a field of this request' }))
      : [{ field: [prefix, ...i.path.map(String)].join('.'), reason: i.message }],
  );
  throw new ValidationError(`The request ${prefix} is not valid.`, {
    errors: items.slice(0, 100),
    extensions: { errorCount: items.length },
  });
}

/**
 * zod's `.int()` adds its own bound (±2^53 − 1) to every whole-number field, so 2^60 for a field
 * allowed 1–10 was reported as "expected int to be <= 9007199254740991". Where the field's own
 * range is also reported, that is the one a client needs; the safe-integer issue is dropped.
 */
function withoutSafeIntegerNoise(issues: readonly z.core.$ZodIssue[]): z.core.$ZodIssue[] {
  const ranged = new Set(issues.filter((i) => (i.code === 'too_big' || i.code === 'too_small') && i.origin === 'number').map((i) => i.path.join('\u0000')));
  return issues.filter((i) => !((i.code === 'too_big' || i.code === 'too_small') && i.origin === 'int' && ranged.has(i.path.join('\u0000'))));
}

/**
 * A `/v1` route that needs `scope`: the scope check runs as its middleware, the document states the
 * scope as the operation's security (infra/routes.ts declares the same to API Gateway, by test), and
 * the 401 and 403 every guarded route can answer are declared — one place, so no route forgets them.
 */
export function scopedRoute<P extends string, const R extends Omit<RouteConfig, 'path' | 'middleware' | 'security'> & { path: P }>(scope: Scope, route: R) {
  return createRoute({
    ...route,
    middleware: [requireScope(scope)] as const,
    security: [{ bearer: [scope] }],
    responses: { ...route.responses, ...errorResponses(401, 403) },
  });
}
