/**
 * Local server and Lambda give the same answers. One script of requests — health, the API description;
 * datasets (JSON and CSV uploads, batches, seal, list, get, delete); models (fit, get, list,
 * predict); scenarios (idempotent create, ETag, If-Match, versions, ranking as JSON and CSV,
 * rankings, compare, optimise, delete) and the errors (400, 401, 403, 404, 405, 412, 415, 422, 428)
 * — runs through the `local` transport (`app.request`, bearer token) and the `lambda` transport
 * (`functions/lambda/api.ts` invoked with API Gateway HTTP API v2 events carrying JWT claims),
 * against the same DynamoDB Local table:
 *
 * 1. once per transport, asserting what each request must answer (status, media type, the body's
 *    essentials);
 * 2. side by side, one test per request, each transport in its own tenant, asserting that the two
 *    answers are equal — status, every header but the request id, the whole body — once ids,
 *    timestamps and cursors are given stable names (test/support/parity.ts).
 *
 * Where the transports differ by design the step says so (`differs`) and each side is checked on
 * its own; differences that are defects are pinned in "known differences" at the end.
 */
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { demoScenario } from '../../functions/local/demoScenario.js';
import { demoWave } from '../../model/demo.js';
import type { ScenarioInputRaw } from '../../model/scenario/contract.js';
import { httpApiEvent } from '../../events/samples.js';
import { Aliases, normalise, type Normalised } from '../support/parity.js';
import { SMALL_WAVE } from '../support/waves.js';
import { createTransports, TRANSPORTS, toResponse, type CallInit, type Claims, type Transport, type TransportKind, type Transports } from '../support/transport.js';

/** The demo wave, small enough to keep four fits fast: 600 respondents over 150 accounts. */
const WAVE = demoWave({ seed: 7, respondents: 600, accounts: 150 });

const CSV_WAVE = SMALL_WAVE;

const OPEN_ROWS = [
  { respondent_id: 'b1', account_id: 'B1', segment: 'smb', role: 'gatekeeper', ltr: 9, ease_of_use: 8, onboarding: 7 },
  { respondent_id: 'b2', account_id: 'B2', segment: 'smb', role: 'business_owner', ltr: 4, ease_of_use: 3, onboarding: null },
];
const BATCH = 'respondent_id,account_id,segment,role,ltr,ease_of_use,onboarding\nb3,B3,enterprise,gatekeeper,10,9,9\nb4,B3,enterprise,operational_user,7,6,5\n';

const ALL_SCOPES = 'read datasets:write models:write scenarios:write';
const UNKNOWN_DATASET = 'ds_00000000000000000000000000';

/** One flow of requests: a transport, a tenant of its own, and what earlier answers told it. */
interface Flow {
  transport: Transport;
  writer: Claims;
  reader: Claims;
  aliases: Aliases;
  ids: Partial<Record<'wave' | 'csv' | 'open' | 'model' | 'scenario' | 'other' | 'cursor', string>>;
}

interface Step {
  /** The behaviour the answer proves. */
  name: string;
  request(f: Flow): { method: string; path: string; init?: CallInit };
  status: number;
  /** Media type of the answer, or `null` for an answer without a body. */
  type: string | null;
  /** The answer's essentials, beyond status and media type. */
  check?(body: any, headers: Headers, f: Flow): void;
  /** Remembers ids and cursors for later steps. */
  keep?(body: any, headers: Headers, f: Flow): void;
  /**
   * A field of the body that differs between transports by design: what each one says, and why.
   * Everything else must still be equal.
   */
  differs?: { field: string; local: RegExp; lambda: RegExp; why: string };
}

const problem =
  (type: string, fields?: string[]) =>
  (body: any): void => {
    expect(body.type).toBe(`/problems/${type}`);
    if (fields) expect(body.errors.map((e: { field: string }) => e.field)).toEqual(expect.arrayContaining(fields));
  };

function revised(modelId: string): ScenarioInputRaw {
  const s = demoScenario(modelId);
  return { ...s, name: 'FY27 portfolio, without predictive outreach', initiatives: s.initiatives.filter((i) => i.id !== 'predictive-outreach') };
}

function serviceOnly(modelId: string): ScenarioInputRaw {
  const s = demoScenario(modelId);
  return { ...s, name: 'Service only', initiatives: s.initiatives.filter((i) => ['onboarding-programme', 'partner-agent-training'].includes(i.id)) };
}

const STEPS: Step[] = [
  // --- Public routes ----------------------------------------------------------------------------
  { name: 'answers the health check without a token', request: () => ({ method: 'GET', path: '/health' }), status: 200, type: 'application/json', check: (b) => expect(b).toEqual({ status: 'ok' }) },
  {
    name: 'describes the API in OpenAPI 3.1',
    request: () => ({ method: 'GET', path: '/openapi.json' }),
    status: 200,
    type: 'application/json',
    check: (b) => {
      expect(b.openapi).toBe('3.1.0');
      expect(Object.keys(b.paths)).toEqual(expect.arrayContaining(['/v1/datasets', '/v1/scenarios/{id}/ranking', '/v1/compare']));
    },
  },

  // --- Authentication and authorisation ---------------------------------------------------------
  {
    name: 'refuses a request without credentials (401)',
    request: () => ({ method: 'GET', path: '/v1/datasets' }),
    status: 401,
    type: 'application/problem+json',
    check: problem('unauthorized'),
    differs: {
      field: 'detail',
      local: /^Send a bearer token/,
      lambda: /^No verified token claims in the request context\.$/,
      why: 'locally the app verifies the bearer token; in AWS it reads claims the JWT authorizer verified, so each tells the client what is missing from it',
    },
  },
  {
    name: 'refuses claims without a valid tenant, naming the claim (401)',
    request: () => ({ method: 'GET', path: '/v1/datasets', init: { as: { sub: 'analyst@acme', tenant: 'acme/other', scope: 'read' } } }),
    status: 401,
    type: 'application/problem+json',
    check: problem('unauthorized', ['token.tenant']),
  },
  {
    name: 'refuses an upload to a read-only caller (403)',
    request: (f) => ({ method: 'POST', path: '/v1/datasets', init: { as: f.reader, body: { name: 'wave', rows: OPEN_ROWS } } }),
    status: 403,
    type: 'application/problem+json',
    check: (b) => {
      problem('forbidden')(b);
      expect(b.detail).toMatch(/datasets:write/);
    },
  },

  // --- Datasets ---------------------------------------------------------------------------------
  {
    name: 'rejects an invalid JSON upload, naming every field at fault (400)',
    request: (f) => ({ method: 'POST', path: '/v1/datasets', init: { as: f.writer, body: { name: '', rows: 'none', tenantId: 'other' } } }),
    status: 400,
    type: 'application/problem+json',
    check: problem('validation', ['body.name', 'body.rows']),
  },
  {
    name: 'rejects a CSV upload with the line and column of every bad cell (400)',
    request: (f) => ({ method: 'POST', path: '/v1/datasets?name=bad', init: { as: f.writer, csv: `${CSV_WAVE}\nr7,A5,smb,gatekeeper,11,x,5\n` } }),
    status: 400,
    type: 'application/problem+json',
    check: (b) => {
      problem('validation')(b);
      expect(b.errors).toEqual(expect.arrayContaining([expect.objectContaining({ line: 8, column: 'ltr' }), expect.objectContaining({ line: 8, column: 'ease_of_use' })]));
    },
  },
  {
    name: 'answers 415 for a body that is neither CSV nor JSON',
    request: (f) => ({ method: 'POST', path: '/v1/datasets?name=x', init: { as: f.writer, body: 'a,b', headers: { 'content-type': 'text/plain' } } }),
    status: 415,
    type: 'application/problem+json',
    check: problem('unsupported-media-type'),
  },
  {
    name: 'creates a dataset from a JSON wave (201)',
    request: (f) => ({ method: 'POST', path: '/v1/datasets', init: { as: f.writer, body: { name: WAVE.name, attributes: WAVE.attributes, rows: WAVE.rows } } }),
    status: 201,
    type: 'application/json',
    check: (b, h) => {
      expect(b).toMatchObject({ status: 'sealed', rowCount: 600 });
      expect(h.get('location')).toBe(`/v1/datasets/${b.id}`);
    },
    keep: (b, _h, f) => (f.ids.wave = b.id),
  },
  {
    name: 'creates a dataset from a CSV upload described by its query (201)',
    request: (f) => ({ method: 'POST', path: '/v1/datasets?name=Welle%20Q3%20–%20Zürich&product=ease_of_use&service=onboarding', init: { as: f.writer, csv: CSV_WAVE } }),
    status: 201,
    type: 'application/json',
    check: (b) => {
      expect(b.name).toBe('Welle Q3 – Zürich');
      expect(b.summary.nps).toMatchObject({ score: 0, promoters: 2, passives: 2, detractors: 2 });
    },
    keep: (b, _h, f) => (f.ids.csv = b.id),
  },
  {
    name: 'opens a dataset for batches (201, open)',
    request: (f) => ({ method: 'POST', path: '/v1/datasets', init: { as: f.writer, body: { name: 'Q4 wave, in batches', rows: OPEN_ROWS, seal: false } } }),
    status: 201,
    type: 'application/json',
    check: (b) => expect(b).toMatchObject({ status: 'open', rowCount: 2 }),
    keep: (b, _h, f) => (f.ids.open = b.id),
  },
  {
    name: 'appends a CSV batch under an Idempotency-Key (201)',
    request: (f) => ({ method: 'POST', path: `/v1/datasets/${f.ids.open}/rows`, init: { as: f.writer, csv: BATCH, headers: { 'Idempotency-Key': 'batch-0001' } } }),
    status: 201,
    type: 'application/json',
    check: (b) => expect(b).toMatchObject({ batch: { rows: 2 }, dataset: { rowCount: 4 } }),
  },
  {
    name: 'answers a retried batch as the first time, without appending it twice (200, Idempotent-Replayed)',
    request: (f) => ({ method: 'POST', path: `/v1/datasets/${f.ids.open}/rows`, init: { as: f.writer, csv: BATCH, headers: { 'Idempotency-Key': 'batch-0001' } } }),
    status: 200,
    type: 'application/json',
    check: (b, h) => {
      expect(b.dataset.rowCount).toBe(4);
      expect(h.get('idempotent-replayed')).toBe('true');
    },
  },
  {
    name: 'rejects the same Idempotency-Key with another batch (422)',
    request: (f) => ({ method: 'POST', path: `/v1/datasets/${f.ids.open}/rows`, init: { as: f.writer, csv: BATCH.replace('b4,', 'b5,'), headers: { 'Idempotency-Key': 'batch-0001' } } }),
    status: 422,
    type: 'application/problem+json',
    check: problem('unprocessable'),
  },
  {
    name: 'refuses a batch without an Idempotency-Key (400)',
    request: (f) => ({ method: 'POST', path: `/v1/datasets/${f.ids.open}/rows`, init: { as: f.writer, body: { rows: OPEN_ROWS } } }),
    status: 400,
    type: 'application/problem+json',
    check: problem('validation', ['header.Idempotency-Key']),
  },
  {
    name: 'seals the open dataset and summarises it (200)',
    request: (f) => ({ method: 'POST', path: `/v1/datasets/${f.ids.open}/seal`, init: { as: f.writer } }),
    status: 200,
    type: 'application/json',
    check: (b) => expect(b).toMatchObject({ status: 'sealed', rowCount: 4 }),
  },
  {
    name: 'lists the tenant’s datasets, newest first (200)',
    request: (f) => ({ method: 'GET', path: '/v1/datasets', init: { as: f.reader } }),
    status: 200,
    type: 'application/json',
    check: (b, _h, f) => expect(b.items.map((d: { id: string }) => d.id)).toEqual([f.ids.open, f.ids.csv, f.ids.wave]),
  },
  {
    name: 'pages the list with a cursor (200)',
    request: (f) => ({ method: 'GET', path: '/v1/datasets?limit=2', init: { as: f.reader } }),
    status: 200,
    type: 'application/json',
    check: (b) => expect(b.items).toHaveLength(2),
    keep: (b, _h, f) => (f.ids.cursor = b.nextCursor),
  },
  {
    name: 'follows the cursor to the last page (200)',
    request: (f) => ({ method: 'GET', path: `/v1/datasets?limit=2&cursor=${f.ids.cursor}`, init: { as: f.reader } }),
    status: 200,
    type: 'application/json',
    check: (b, _h, f) => expect(b).toEqual({ items: [expect.objectContaining({ id: f.ids.wave })], nextCursor: null }),
  },
  {
    name: 'gets a dataset with its summary (200)',
    request: (f) => ({ method: 'GET', path: `/v1/datasets/${f.ids.wave}`, init: { as: f.reader } }),
    status: 200,
    type: 'application/json',
    check: (b, _h, f) => expect(b).toMatchObject({ id: f.ids.wave, status: 'sealed', rowCount: 600, summary: { nps: expect.any(Object) } }),
  },
  {
    name: 'answers HEAD on a dataset with the headers of GET and no body',
    request: (f) => ({ method: 'HEAD', path: `/v1/datasets/${f.ids.wave}`, init: { as: f.reader } }),
    status: 200,
    type: 'application/json',
  },
  {
    name: 'answers 404 for a dataset id it does not know',
    request: (f) => ({ method: 'GET', path: `/v1/datasets/${UNKNOWN_DATASET}`, init: { as: f.reader } }),
    status: 404,
    type: 'application/problem+json',
    check: problem('not-found'),
  },
  {
    name: 'answers 405 with Allow for a method the path does not support',
    request: (f) => ({ method: 'PATCH', path: '/v1/datasets', init: { as: f.writer, body: {} } }),
    status: 405,
    type: 'application/problem+json',
    check: (b, h) => {
      problem('method-not-allowed')(b);
      expect(h.get('allow')).toBe('POST, GET, HEAD');
    },
  },

  // --- Models -----------------------------------------------------------------------------------
  {
    name: 'answers 400 for a body that is not JSON',
    request: (f) => ({ method: 'POST', path: '/v1/models', init: { as: f.writer, body: '{"datasetId":' } }),
    status: 400,
    type: 'application/problem+json',
    check: problem('malformed-request'),
  },
  {
    name: 'fits a driver model within the request (201)',
    request: (f) => ({ method: 'POST', path: '/v1/models', init: { as: f.writer, body: { datasetId: f.ids.wave } } }),
    status: 201,
    type: 'application/json',
    check: (b, h) => {
      expect(b.status).toBe('ready');
      expect(h.get('location')).toBe(`/v1/models/${b.id}`);
    },
    keep: (b, _h, f) => (f.ids.model = b.id),
  },
  { name: 'gets the ready model (200)', request: (f) => ({ method: 'GET', path: `/v1/models/${f.ids.model}`, init: { as: f.reader } }), status: 200, type: 'application/json', check: (b) => expect(b.status).toBe('ready') },
  {
    name: 'lists the models of a dataset (200)',
    request: (f) => ({ method: 'GET', path: `/v1/models?datasetId=${f.ids.wave}`, init: { as: f.reader } }),
    status: 200,
    type: 'application/json',
    check: (b, _h, f) => expect(b.items.map((m: { id: string }) => m.id)).toEqual([f.ids.model]),
  },
  {
    name: 'answers a what-if for a read-only caller (200)',
    request: (f) => ({ method: 'POST', path: `/v1/models/${f.ids.model}/predict`, init: { as: f.reader, body: { changes: [{ attribute: 'support_responsiveness', op: 'add', value: 2 }] } } }),
    status: 200,
    type: 'application/json',
    check: (b) => expect(b.nps.lift).toBeGreaterThan(0),
  },
  {
    name: 'rejects a what-if on an unknown attribute, naming the field (400)',
    request: (f) => ({ method: 'POST', path: `/v1/models/${f.ids.model}/predict`, init: { as: f.reader, body: { changes: [{ attribute: 'mood', op: 'add', value: 1 }] } } }),
    status: 400,
    type: 'application/problem+json',
    check: problem('validation'),
  },

  // --- Scenarios --------------------------------------------------------------------------------
  {
    name: 'creates a scenario with its forecast under an Idempotency-Key (201, ETag "1")',
    request: (f) => ({ method: 'POST', path: '/v1/scenarios', init: { as: f.writer, body: demoScenario(f.ids.model!), headers: { 'Idempotency-Key': 'scenario-0001' } } }),
    status: 201,
    type: 'application/json',
    check: (b, h) => {
      expect(b.version).toBe(1);
      expect(b.forecast.initiatives).toHaveLength(7);
      expect(h.get('etag')).toBe('"1"');
      expect(h.get('location')).toBe(`/v1/scenarios/${b.id}`);
    },
    keep: (b, _h, f) => (f.ids.scenario = b.id),
  },
  {
    name: 'answers a retried creation as the first time (201, Idempotent-Replayed)',
    request: (f) => ({ method: 'POST', path: '/v1/scenarios', init: { as: f.writer, body: demoScenario(f.ids.model!), headers: { 'Idempotency-Key': 'scenario-0001' } } }),
    status: 201,
    type: 'application/json',
    check: (b, h, f) => {
      expect(b.id).toBe(f.ids.scenario);
      expect(h.get('idempotent-replayed')).toBe('true');
    },
  },
  {
    name: 'rejects a scenario with an unknown attribute and a negative reach, naming both (400)',
    request: (f) => {
      const s = demoScenario(f.ids.model!);
      const [first, ...rest] = s.initiatives;
      return { method: 'POST', path: '/v1/scenarios', init: { as: f.writer, body: { ...s, initiatives: [{ ...first!, reach: -1, effects: [{ attribute: 'mood', op: 'add', value: 1 }] }, ...rest] } } };
    },
    status: 400,
    type: 'application/problem+json',
    check: problem('validation'),
  },
  {
    name: 'gets the scenario with its ETag (200)',
    request: (f) => ({ method: 'GET', path: `/v1/scenarios/${f.ids.scenario}`, init: { as: f.reader } }),
    status: 200,
    type: 'application/json',
    check: (b, h) => {
      expect(b.forecast).toBeUndefined();
      expect(h.get('etag')).toBe('"1"');
    },
  },
  {
    name: 'serves the stored forecast with its ETag (200)',
    request: (f) => ({ method: 'GET', path: `/v1/scenarios/${f.ids.scenario}/forecast`, init: { as: f.reader } }),
    status: 200,
    type: 'application/json',
    check: (b, h) => {
      expect(b.initiatives).toHaveLength(7);
      expect(h.get('etag')).toBe('"1"');
    },
  },
  {
    name: 'requires If-Match to change a scenario (428)',
    request: (f) => ({ method: 'PUT', path: `/v1/scenarios/${f.ids.scenario}`, init: { as: f.writer, body: revised(f.ids.model!) } }),
    status: 428,
    type: 'application/problem+json',
    check: problem('precondition-required', ['header.If-Match']),
  },
  {
    name: 'stores the next version under If-Match (200, ETag "2")',
    request: (f) => ({ method: 'PUT', path: `/v1/scenarios/${f.ids.scenario}`, init: { as: f.writer, body: revised(f.ids.model!), headers: { 'If-Match': '"1"' } } }),
    status: 200,
    type: 'application/json',
    check: (b, h) => {
      expect(b).toMatchObject({ version: 2, name: 'FY27 portfolio, without predictive outreach' });
      expect(h.get('etag')).toBe('"2"');
    },
  },
  {
    name: 'refuses a change based on a stale version, naming the current one (412)',
    request: (f) => ({ method: 'PUT', path: `/v1/scenarios/${f.ids.scenario}`, init: { as: f.writer, body: demoScenario(f.ids.model!), headers: { 'If-Match': '"1"' } } }),
    status: 412,
    type: 'application/problem+json',
    check: (b) => {
      problem('precondition-failed')(b);
      expect(b.currentVersion).toBe(2);
    },
  },
  {
    name: 'lists every version, oldest first (200)',
    request: (f) => ({ method: 'GET', path: `/v1/scenarios/${f.ids.scenario}/versions`, init: { as: f.reader } }),
    status: 200,
    type: 'application/json',
    check: (b) => expect(b.items.map((v: { version: number }) => v.version)).toEqual([1, 2]),
  },
  {
    name: 'gets one version with the forecast stored with it (200, ETag "1")',
    request: (f) => ({ method: 'GET', path: `/v1/scenarios/${f.ids.scenario}/versions/1`, init: { as: f.reader } }),
    status: 200,
    type: 'application/json',
    check: (b, h) => {
      expect(b.forecast.initiatives).toHaveLength(7);
      expect(h.get('etag')).toBe('"1"');
    },
  },

  // --- Rankings, comparison, optimiser ----------------------------------------------------------
  {
    name: 'ranks a scenario’s initiatives by ROI (200)',
    request: (f) => ({ method: 'GET', path: `/v1/scenarios/${f.ids.scenario}/ranking?by=roi`, init: { as: f.reader } }),
    status: 200,
    type: 'application/json',
    check: (b) => expect(b.items.map((i: { rank: number }) => i.rank)).toEqual([1, 2, 3, 4, 5, 6]),
  },
  {
    name: 'ranks as CSV when asked with Accept: text/csv (200)',
    request: (f) => ({ method: 'GET', path: `/v1/scenarios/${f.ids.scenario}/ranking?by=npsLift`, init: { as: f.reader, headers: { Accept: 'text/csv' } } }),
    status: 200,
    type: 'text/csv',
    check: (b, h) => {
      expect(b.trim().split('\n')).toHaveLength(7);
      expect(h.get('content-disposition')).toMatch(/^attachment; filename="ranking-scn_\w+-npsLift\.csv"$/);
    },
  },
  {
    name: 'ranks as CSV with format=csv, linking the next page (200)',
    request: (f) => ({ method: 'GET', path: `/v1/scenarios/${f.ids.scenario}/ranking?by=npv&format=csv&limit=2`, init: { as: f.reader } }),
    status: 200,
    type: 'text/csv',
    check: (_b, h) => expect(h.get('link')).toMatch(/^<\?by=npv&format=csv&cursor=[\w-]+>; rel="next"$/),
  },
  {
    name: 'creates a second scenario to compare with (201)',
    request: (f) => ({ method: 'POST', path: '/v1/scenarios', init: { as: f.writer, body: serviceOnly(f.ids.model!) } }),
    status: 201,
    type: 'application/json',
    keep: (b, _h, f) => (f.ids.other = b.id),
  },
  {
    name: 'lists scenarios, newest first (200)',
    request: (f) => ({ method: 'GET', path: '/v1/scenarios', init: { as: f.reader } }),
    status: 200,
    type: 'application/json',
    check: (b, _h, f) => expect(b.items.map((s: { id: string }) => s.id)).toEqual([f.ids.other, f.ids.scenario]),
  },
  {
    name: 'ranks every scenario’s initiatives together (200)',
    request: (f) => ({ method: 'GET', path: '/v1/rankings?by=npsLift&limit=100', init: { as: f.reader } }),
    status: 200,
    type: 'application/json',
    check: (b) => expect(b.items).toHaveLength(8),
  },
  {
    name: 'compares two scenarios side by side (200)',
    request: (f) => ({ method: 'POST', path: '/v1/compare', init: { as: f.reader, body: { scenarios: [f.ids.scenario, f.ids.other] } } }),
    status: 200,
    type: 'application/json',
  },
  {
    name: 'optimises the portfolio within a budget (200)',
    request: (f) => ({ method: 'POST', path: `/v1/scenarios/${f.ids.scenario}/optimize`, init: { as: f.reader, body: { budget: 2_500_000, objective: 'npsLift' } } }),
    status: 200,
    type: 'application/json',
    check: (b) => expect(b.method).toBe('exact'),
  },
  {
    name: 'refuses a budget no portfolio fits (422)',
    request: (f) => ({ method: 'POST', path: `/v1/scenarios/${f.ids.scenario}/optimize`, init: { as: f.reader, body: { budget: 10, mustInclude: ['incident-reduction'] } } }),
    status: 422,
    type: 'application/problem+json',
    check: problem('unprocessable', ['body.budget']),
  },

  // --- Deletion ---------------------------------------------------------------------------------
  { name: 'deletes a scenario (204)', request: (f) => ({ method: 'DELETE', path: `/v1/scenarios/${f.ids.other}`, init: { as: f.writer } }), status: 204, type: null },
  {
    name: 'answers 404 for the deleted scenario',
    request: (f) => ({ method: 'GET', path: `/v1/scenarios/${f.ids.other}`, init: { as: f.reader } }),
    status: 404,
    type: 'application/problem+json',
    check: problem('not-found'),
  },
  { name: 'deletes a dataset (204)', request: (f) => ({ method: 'DELETE', path: `/v1/datasets/${f.ids.csv}`, init: { as: f.writer } }), status: 204, type: null },
  {
    name: 'answers 404 for the deleted dataset',
    request: (f) => ({ method: 'GET', path: `/v1/datasets/${f.ids.csv}`, init: { as: f.reader } }),
    status: 404,
    type: 'application/problem+json',
    check: problem('not-found'),
  },
];

/**
 * Static files: the local server serves them; in AWS CloudFront serves them from S3 (infra/site.ts)
 * and the API function is given no static routes, so it answers 404.
 */
const STATIC_STEPS: Step[] = [
  { name: 'serves Swagger UI', request: () => ({ method: 'GET', path: '/docs' }), status: 200, type: 'text/html', check: (b) => expect(b).toContain('/openapi.json') },
  { name: 'serves Swagger UI’s style sheet from the installed package', request: () => ({ method: 'GET', path: '/docs/assets/swagger-ui-dist/swagger-ui.css' }), status: 200, type: 'text/css' },
  {
    name: 'serves the dashboard page under a content security policy',
    request: () => ({ method: 'GET', path: '/dashboard' }),
    status: 200,
    type: 'text/html',
    check: (_b, h) => expect(h.get('content-security-policy')).toContain("script-src 'self'"),
  },
  { name: 'serves the dashboard script', request: () => ({ method: 'GET', path: '/dashboard/assets/dashboard.js' }), status: 200, type: 'text/javascript' },
  { name: 'serves Chart.js from the installed package', request: () => ({ method: 'GET', path: '/dashboard/assets/chart.umd.min.js' }), status: 200, type: 'text/javascript' },
];

let transports: Transports;

beforeAll(async () => {
  transports = await createTransports();
});

function newFlow(kind: TransportKind): Flow {
  const tenant = transports.tenant();
  return {
    transport: transports.of(kind),
    writer: { sub: `analyst@${tenant}`, tenant, scope: ALL_SCOPES },
    reader: { sub: `viewer@${tenant}`, tenant, scope: 'read' },
    aliases: new Aliases(tenant),
    ids: {},
  };
}

/** Sends a step's request through a flow's transport, checks the answer and returns it normalised. */
async function run(step: Step, f: Flow): Promise<Normalised> {
  const { method, path, init } = step.request(f);
  const res = await f.transport.request(method, path, init);
  const { normalised, body } = await normalise(res, f.aliases);
  const where = `${f.transport.kind}: ${method} ${path} → ${JSON.stringify(body)?.slice(0, 500)}`;
  expect(res.status, where).toBe(step.status);
  if (step.type === null) expect(body, where).toBeNull();
  else expect(res.headers.get('content-type')?.split(';')[0], where).toBe(step.type);
  if (method === 'HEAD') expect(body, where).toBeNull();
  step.check?.(body, res.headers, f);
  if (step.differs) expect(String((body as Record<string, unknown>)[step.differs.field]), where).toMatch(step.differs[f.transport.kind]);
  step.keep?.(body, res.headers, f);
  return normalised;
}

describe.each(TRANSPORTS)('the API through the %s transport', (kind) => {
  let flow: Flow;
  beforeAll(() => {
    flow = newFlow(kind);
  });
  for (const step of STEPS) it(step.name, async () => void (await run(step, flow)));
});

describe('local and Lambda answer each request alike', () => {
  let local: Flow;
  let lambda: Flow;
  beforeAll(() => {
    local = newFlow('local');
    lambda = newFlow('lambda');
  });

  for (const step of STEPS)
    it(step.name, async () => {
      const fromLocal = await run(step, local);
      const fromLambda = await run(step, lambda);
      if (step.differs) {
        // Checked per transport in run(); the rest of the answer must still be the same.
        for (const n of [fromLocal, fromLambda]) delete (n.body as Record<string, unknown>)[step.differs.field];
      }
      expect(fromLambda).toEqual(fromLocal);
    });
});

describe('static files: the local server serves them, the Lambda function does not (CloudFront serves them from S3)', () => {
  for (const step of STATIC_STEPS)
    it(step.name, async () => {
      await run(step, newFlow('local'));
      const { method, path } = step.request(newFlow('lambda'));
      const res = await transports.of('lambda').request(method, path);
      expect(res.status, path).toBe(404);
      expect(res.headers.get('content-type'), path).toContain('application/problem+json');
    });
});

describe('known differences between the local server and Lambda', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('a non-ASCII header value reaches the app percent-encoded in Lambda, so a 400 quoting it differs', async () => {
    // hono/aws-lambda percent-encodes non-ASCII header values (sanitizeHeaderValue); app.request and
    // @hono/node-server pass them on as Latin-1. The answer is the same problem, quoting another value.
    const answers: Record<TransportKind, any> = { local: null, lambda: null };
    for (const kind of TRANSPORTS) {
      const f = newFlow(kind);
      const res = await f.transport.request('PUT', `/v1/scenarios/${UNKNOWN_DATASET.replace('ds_', 'scn_')}`, {
        as: f.writer,
        body: demoScenario('mdl_00000000000000000000000000'),
        headers: { 'If-Match': '"é1"' },
      });
      expect(res.status).toBe(400);
      answers[kind] = await res.json();
    }
    expect(answers.local.errors).toEqual([{ field: 'header.If-Match', reason: `'"é1"' is not the ETag of a version` }]);
    expect(answers.lambda.errors).toEqual([{ field: 'header.If-Match', reason: `'%22%C3%A91%22' is not the ETag of a version` }]);
  });

  it('a GET that carries a body is answered like any GET, as @hono/node-server does (it ignores the body)', async () => {
    // hono/aws-lambda would build `new Request(url, { method: 'GET', body })`, which throws, and answer
    // 400 text/plain without running the app; functions/lambda/api.ts drops such bodies first.
    const f = newFlow('lambda');
    const res = toResponse(await transports.invoke(httpApiEvent({ method: 'GET', path: '/v1/datasets', headers: { 'content-type': 'application/json' }, body: '{}', claims: f.writer })));
    expect(res.status).toBe(200);
  });
});
