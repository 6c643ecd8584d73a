/**
 * `/v1/datasets`: upload survey waves (CSV or JSON), append batches, seal, list, read, delete.
 * Handlers only translate HTTP to the dataset service and back.
 */
import { OpenAPIHono, z } from '@hono/zod-openapi';
import type { Context } from 'hono';
import { AttributeDescriptorSchema, LIMITS, MissingCodesSchema, OPTIONAL_COLUMNS, REQUIRED_COLUMNS, ScaleSchema, tableFromObjects, type AttributeDescriptorInput, type MissingCode, type RawTable } from '../../model/dataset.js';
import { safeText, userRecord } from '../../model/text.js';
import { AppendResultSchema, DatasetPageSchema, DatasetSchema, type CreateDatasetInput } from '../app/datasets/contract.js';
import type { DatasetService } from '../app/datasets/service.js';
import { RequestTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../app/errors.js';
import { csvText, parseCsv, withCsvLines } from './csv.js';
import { IdempotencyHeader, requestFingerprint } from './headers.js';
import type { IdentityEnv } from './identity.js';
import { errorResponses, named, scopedRoute, validationHook } from './openapi.js';

const CellSchema = z.union([z.string(), z.number(), z.null()]);
const RowsSchema = z
  .array(userRecord(z.string(), CellSchema))
  .openapi({ description: `Respondents, one object per row; at most ${LIMITS.rowsPerRequest} per request.` });

const DatasetName = safeText(z.string().trim().min(1).max(200));

const CreateJsonSchema = z
  .strictObject({
    name: DatasetName,
    attributes: z.array(AttributeDescriptorSchema).max(LIMITS.attributes).default([]).openapi({
      description: 'Describes attribute columns (kind, label, scale, missing codes). Columns not described are kind "other" on a 0–10 scale.',
    }),
    missing: MissingCodesSchema.default([]).openapi({
      description: 'Codes that mean "not answered" in every attribute column (e.g. [-99, "N/A"]), read exactly like a blank; an attribute\'s own `missing` replaces it',
    }),
    rows: RowsSchema,
    seal: z.boolean().default(true).openapi({ description: 'false keeps the dataset open for appended batches' }),
  })
  .openapi('CreateDatasetJson');

const AppendJsonSchema = z.strictObject({ rows: RowsSchema }).openapi('AppendRowsJson');

const ScaleText = z
  .string()
  .regex(/^-?\d+(\.\d+)?--?\d+(\.\d+)?$/, 'a scale is written min-max, e.g. 1-5');
const NameList = z.string().regex(/^[A-Za-z0-9_]+(,[A-Za-z0-9_]+)*$/, 'a comma-separated list of column names');
/** Missing-value codes in a query: comma-separated (`-99,99,N/A`); a code may not contain , | or :. */
const CodeList = safeText(z.string().max(2000)).refine((v) => v.split(',').every((c) => c.trim() !== ''), 'a comma-separated list of codes, none empty');
const CodesFor = safeText(z.string().max(4000)).regex(/^[A-Za-z0-9_]+:[^,:|]+(\|[^,:|]+)*(,[A-Za-z0-9_]+:[^,:|]+(\|[^,:|]+)*)*$/, 'attr:code|code pairs, comma-separated (e.g. price:99|N/A,support:-1)');

const CreateQuerySchema = z.strictObject({
  name: DatasetName.optional().openapi({ description: 'Dataset name (CSV uploads)' }),
  scale: ScaleText.optional().openapi({ description: 'Scale of every attribute (CSV), e.g. 1-5; default 0-10' }),
  scales: z
    .string()
    .regex(/^[A-Za-z0-9_]+:-?\d+(\.\d+)?--?\d+(\.\d+)?(,[A-Za-z0-9_]+:-?\d+(\.\d+)?--?\d+(\.\d+)?)*$/, 'attr:min-max pairs, comma-separated')
    .optional()
    .openapi({ description: 'Per-attribute scales (CSV), e.g. price:1-5,nps_support:0-10' }),
  product: NameList.optional().openapi({ description: 'Attribute columns that rate the product (CSV)' }),
  service: NameList.optional().openapi({ description: 'Attribute columns that rate the service (CSV)' }),
  seal: z.enum(['true', 'false']).optional().openapi({ description: 'false keeps the dataset open for appended batches (CSV)' }),
  missing: CodeList.optional().openapi({ description: 'Codes meaning "not answered" in every attribute column (CSV), read like a blank cell, e.g. -99,99,N/A' }),
  missingFor: CodesFor.optional().openapi({ description: 'Per-attribute missing codes (CSV), replacing `missing` for those columns, e.g. price:99|N/A,support:-1' }),
});

const IdParams = z.object({
  id: z.string().max(64).openapi({ param: { name: 'id', in: 'path' }, example: 'ds_01jd3v4k8m2a7q9x0c5t6w1r3e' }),
});

const ListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(400).optional(),
});

const ListResponse = named(DatasetPageSchema, 'DatasetList');
const AppendResponse = named(AppendResultSchema, 'AppendedBatch');

const Dataset = named(DatasetSchema, 'Dataset');

const uploadBody = <T extends z.ZodType>(jsonSchema: T, description: string) => ({
  required: false,
  description,
  content: {
    'application/json': { schema: jsonSchema },
    // A plain OpenAPI schema (not zod): the CSV text is validated row by row by the model.
    'text/csv': { schema: { type: 'string' as const, description: 'Header row, then one row per respondent' } },
  },
});

const createDataset = scopedRoute('datasets:write', {
  operationId: 'createDataset',
  method: 'post',
  path: '/',
  tags: ['Datasets'],
  summary: 'Upload a survey wave',
  description:
    'Validates every row; if any row is invalid the whole upload is rejected (400) with the rows at fault and nothing is stored. ' +
    `Limits: ${LIMITS.rowsPerRequest} rows and 4 MiB per request (413 beyond); larger waves are created with seal=false and appended in batches.`,
    request: { query: CreateQuerySchema, headers: IdempotencyHeader, body: uploadBody(CreateJsonSchema, 'A wave as CSV or JSON') },
  responses: {
    201: { description: 'Created', content: { 'application/json': { schema: Dataset } } },
    ...errorResponses(400, 409, 413, 415, 422),
  },
});

const listDatasets = scopedRoute('read', {
  operationId: 'listDatasets',
  method: 'get',
  path: '/',
  tags: ['Datasets'],
  summary: 'List datasets, newest first',
    request: { query: ListQuery },
  responses: { 200: { description: 'A page of datasets', content: { 'application/json': { schema: ListResponse } } }, ...errorResponses(400) },
});

const getDataset = scopedRoute('read', {
  operationId: 'getDataset',
  method: 'get',
  path: '/{id}',
  tags: ['Datasets'],
  summary: 'Get a dataset and its summary',
    request: { params: IdParams },
  responses: { 200: { description: 'The dataset', content: { 'application/json': { schema: Dataset } } }, ...errorResponses(404) },
});

const deleteDataset = scopedRoute('datasets:write', {
  operationId: 'deleteDataset',
  method: 'delete',
  path: '/{id}',
  tags: ['Datasets'],
  summary: 'Delete a dataset and every respondent in it',
    request: { params: IdParams },
  responses: { 204: { description: 'Deleted' }, ...errorResponses(404) },
});

const appendRows = scopedRoute('datasets:write', {
  operationId: 'appendRows',
  method: 'post',
  path: '/{id}/rows',
  tags: ['Datasets'],
  summary: 'Append a batch of respondents to an open dataset',
  description:
    'Each batch needs an Idempotency-Key: a retry with the same key and body is harmless (it answers as the first time), ' +
    'the same key with another body is rejected (422). Columns must match the dataset.',
    request: { params: IdParams, headers: IdempotencyHeader, body: uploadBody(AppendJsonSchema, 'A batch as CSV or JSON') },
  responses: {
    201: { description: 'Batch stored', content: { 'application/json': { schema: AppendResponse } } },
    200: { description: 'Replay of a batch already stored with this key', content: { 'application/json': { schema: AppendResponse } } },
    ...errorResponses(400, 404, 409, 413, 415, 422, 428),
  },
});

const sealDataset = scopedRoute('datasets:write', {
  operationId: 'sealDataset',
  method: 'post',
  path: '/{id}/seal',
  tags: ['Datasets'],
  summary: 'Seal an open dataset and compute its summary',
    description: 'Takes no body: send none, or the empty JSON object {}. Anything else is refused (400, or 415 for another media type).',
  request: { params: IdParams, body: { required: false, content: { 'application/json': { schema: z.strictObject({}).openapi('SealRequest') } } } },
  responses: {
    200: { description: 'The sealed dataset', content: { 'application/json': { schema: Dataset } } },
    ...errorResponses(400, 404, 409, 413, 415),
  },
});

/** Routes for datasets; mounted at `/v1/datasets`. */
export function datasetRoutes(service: DatasetService) {
  const app = new OpenAPIHono<IdentityEnv>({ defaultHook: validationHook });

  app.openapi(createDataset, async (c) => {
    const tenant = c.get('identity').tenant;
    const query = c.req.valid('query');
    const csv = await readCsvUpload(c, () => validJson(c, CreateJsonSchema).rows);
    let input: CreateDatasetInput;
    if (csv) {
      if (!query.name) throw new ValidationError('Name the dataset with ?name= for CSV uploads.', { errors: [{ field: 'query.name', reason: 'required for CSV uploads' }] });
      input = { name: query.name, described: describeFromQuery(query, csv.columns), missing: codesOf(query.missing), table: csv, seal: query.seal !== 'false' };
    } else {
      const extra = Object.keys(query).filter((k) => k !== 'name' && k !== 'seal');
      if (extra.length > 0)
        throw new ValidationError('Query parameters describe CSV uploads; a JSON upload carries them in its body.', {
          errors: extra.map((k) => ({ field: `query.${k}`, reason: 'use the attributes field of the JSON body' })),
        });
      const body = validJson(c, CreateJsonSchema);
      input = { name: body.name, described: body.attributes, missing: body.missing, table: tableFromObjects(body.rows), seal: body.seal };
    }
    const key = c.req.valid('header')['idempotency-key'];
    const idem = key ? { key, fingerprint: await requestFingerprint(c) } : undefined;
    const { dataset, replayed } = await csvLines(c, csv !== null, () => service.create(tenant, input, idem));
    c.header('Location', `/v1/datasets/${dataset.id}`);
    if (replayed) c.header('Idempotent-Replayed', 'true');
    return c.json(dataset, 201);
  });

  app.openapi(listDatasets, async (c) => {
    const { limit, cursor } = c.req.valid('query');
    return c.json(await service.list(c.get('identity').tenant, limit, cursor), 200);
  });

  app.openapi(getDataset, async (c) => c.json(await service.get(c.get('identity').tenant, c.req.valid('param').id), 200));

  app.openapi(deleteDataset, async (c) => {
    await service.delete(c.get('identity').tenant, c.req.valid('param').id);
    return c.body(null, 204);
  });

  app.openapi(appendRows, async (c) => {
    const key = c.req.valid('header')['idempotency-key'];
    if (!key)
      throw new ValidationError('Each batch needs an Idempotency-Key header so that a retry cannot append it twice.', {
        errors: [{ field: 'header.Idempotency-Key', reason: 'required' }],
      });
    const table = (await readCsvUpload(c, () => validJson(c, AppendJsonSchema).rows)) ?? tableFromObjects(validJson(c, AppendJsonSchema).rows);
    const { result, replayed } = await csvLines(c, csvType(c), async () =>
      service.append(c.get('identity').tenant, c.req.valid('param').id, table, { key, fingerprint: await requestFingerprint(c) }),
    );
    if (replayed) c.header('Idempotent-Replayed', 'true');
    return c.json(result, replayed ? 200 : 201);
  });

  app.openapi(sealDataset, async (c) => {
    // The JSON validator has checked a JSON body; a body of another type is not silently ignored.
    if (mediaType(c) !== 'application/json' && (await c.req.arrayBuffer()).byteLength > 0)
      throw new UnsupportedMediaTypeError('Sealing takes no body: send none, or {} as application/json.');
    return c.json(await service.seal(c.get('identity').tenant, c.req.valid('param').id), 200);
  });

  return app;
}

function mediaType(c: Context): string {
  return (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
}

function csvType(c: Context): boolean {
  return mediaType(c) === 'text/csv';
}

/** Runs an upload; a rejected CSV upload gets the physical line of every row at fault. */
async function csvLines<T>(c: Context, isCsv: boolean, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (e) {
    if (isCsv && e instanceof ValidationError) throw withCsvLines(e, csvText(new Uint8Array(await c.req.arrayBuffer())));
    throw e;
  }
}

/**
 * The JSON body as validated by the route's zod validator. With two media types on one route the
 * router's inferred types lose the JSON branch; the validator ran with exactly `schema` (it runs for
 * every application/json request), so only the static type is restored here.
 */
function validJson<S extends z.ZodType>(c: Context, _schema: S): z.infer<S> {
  return (c.req.valid as (target: 'json') => z.infer<S>)('json');
}

const tooManyRows = (n: number) =>
  new RequestTooLargeError(
    `${n} rows in one request; at most ${LIMITS.rowsPerRequest} are accepted. Create the dataset with seal=false and append the rest with POST /v1/datasets/{id}/rows.`,
    { extensions: { rows: n, limit: LIMITS.rowsPerRequest } },
  );

/**
 * A CSV upload as a table, or `null` for JSON (which the route's validator has already parsed).
 * Enforces the row limit with a 413 either way.
 */
async function readCsvUpload(c: Context, jsonRows: () => unknown[]): Promise<RawTable | null> {
  if (csvType(c)) {
    const table = parseCsv(csvText(new Uint8Array(await c.req.arrayBuffer())));
    if (table.rowCount > LIMITS.rowsPerRequest) throw tooManyRows(table.rowCount);
    return table;
  }
  if (mediaType(c) === 'application/json') {
    const n = jsonRows().length;
    if (n > LIMITS.rowsPerRequest) throw tooManyRows(n);
    return null;
  }
  throw new UnsupportedMediaTypeError('Send the wave as text/csv or application/json.');
}

/** Codes from a comma-separated query value: numbers where they read as plain numbers, words otherwise. */
function codesOf(text: string | undefined): MissingCode[] {
  if (text === undefined) return [];
  return text.split(',').map((c) => {
    const t = c.trim();
    return /^[+-]?(\d+\.?\d*|\.\d+)$/.test(t) ? Number(t) : t;
  });
}

function parseScale(text: string): [number, number] {
  const m = /^(-?\d+(?:\.\d+)?)-(-?\d+(?:\.\d+)?)$/.exec(text)!;
  return [Number(m[1]), Number(m[2])];
}

/** Builds attribute descriptors from CSV query parameters; unknown names are reported by the model. */
function describeFromQuery(query: z.infer<typeof CreateQuerySchema>, columns: string[]): AttributeDescriptorInput[] {
  const kinds = new Map<string, 'product' | 'service'>();
  const errors: { field: string; reason: string }[] = [];
  for (const kind of ['product', 'service'] as const)
    for (const name of query[kind]?.split(',') ?? []) {
      if (kinds.has(name)) errors.push({ field: `query.${kind}`, reason: `'${name}' is listed as both product and service` });
      kinds.set(name, kind);
    }
  const scales = new Map<string, [number, number]>();
  for (const pair of query.scales?.split(',') ?? []) {
    const [name, text] = pair.split(':') as [string, string];
    scales.set(name, parseScale(text));
  }
  const missingFor = new Map<string, MissingCode[]>();
  for (const pair of query.missingFor?.split(',') ?? []) {
    const [name, codes] = pair.split(':') as [string, string];
    if (missingFor.has(name)) errors.push({ field: 'query.missingFor', reason: `'${name}' is listed twice` });
    missingFor.set(name, codesOf(codes.replace(/\|/g, ',')));
  }
  const base = query.scale ? parseScale(query.scale) : undefined;
  for (const [name, scale] of [...scales, ...(base ? [['scale', base] as const] : [])]) {
    const ok = ScaleSchema.safeParse(scale);
    if (!ok.success) errors.push({ field: name === 'scale' ? 'query.scale' : `query.scales.${name}`, reason: ok.error.issues[0]!.message });
  }
  if (errors.length > 0) throw new ValidationError('The query parameters describing the CSV are not valid.', { errors });
  const reserved = new Set<string>([...REQUIRED_COLUMNS, ...OPTIONAL_COLUMNS]);
  const names = new Set([...columns.filter((c) => !reserved.has(c)), ...kinds.keys(), ...scales.keys(), ...missingFor.keys()]);
  const described: AttributeDescriptorInput[] = [];
  for (const name of names) {
    const scale = scales.get(name) ?? base;
    const kind = kinds.get(name);
    const missing = missingFor.get(name);
    if (!kind && !scale && !missing) continue;
    described.push({ name, kind: kind ?? 'other', ...(scale ? { scale } : {}), ...(missing ? { missing } : {}) });
  }
  return described;
}
