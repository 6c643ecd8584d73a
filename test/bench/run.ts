/**
 * `npm run bench`: how fast Liftcast ingests and reads back survey waves, on a DynamoDB Local of its
 * own (in memory). Prints figures to stdout (progress goes to stderr) and exits non-zero when a
 * correctness check fails, so it doubles as a large-volume smoke test.
 *
 * 1. Upload 100,000 demo respondents as CSV through the real HTTP app (`app.request`), split into as
 *    few requests as the body limit allows, and show where the time goes.
 * 2. Load `BENCH_ROWS_LARGE` respondents (default 1,000,000) through the dataset service in batches
 *    of 100,000, seal the dataset (streams every chunk, builds the summary), then read it all back.
 *
 * Usage: `npm run bench`, or `BENCH_ROWS_LARGE=100000 npm run bench` for a quick run.
 */
import { benchBundles, formatBundles } from './bundles.js';
import { benchDriverModel } from './driverModel.js';
import { benchForecast } from './forecast.js';
import { benchForecastLatency, benchGetLatency } from './forecastLatency.js';
import { benchLedger } from './ledger.js';
import { demoScenario } from '../../functions/local/demoScenario.js';
import { demoWave } from '../../model/demo.js';
import { benchLeastSquares } from './leastSquares.js';
import { energySurvey, SURVEYS_DIR } from './realSurvey.js';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { QueryCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { composeLiftcast, type Liftcast } from '../../functions/compose/api.js';
import { MAX_BODY_BYTES } from '../../functions/http/app.js';
import { parseCsv } from '../../functions/http/csv.js';
import { signDevToken } from '../../functions/http/identity.js';
import { startDynamoLocal, type DynamoLocal } from '../../functions/local/dynamoLocal.js';
import { silentLogger } from '../../functions/log.js';
import { decodeChunk, encodeChunks } from '../../functions/store/chunkCodec.js';
import type { DatasetMeta } from '../../functions/app/datasets/contract.js';
import { createDynamoClient, ensureTable } from '../../functions/store/dynamo.js';
import { keys } from '../../functions/store/keys.js';
import { LIMITS, parseWave, tableFromObjects, type RawTable } from '../../model/dataset.js';
import { DEMO_ATTRIBUTES, demoRespondents, type DemoRow } from '../../model/demo.js';
import { toCsv } from './csv.js';
import { describeCalls, instrumentDynamo, usageBetween, type DynamoTimer, type DynamoUsage } from './dynamoTimer.js';

/** Rows uploaded through HTTP. */
const UPLOAD_ROWS = 100_000;
/** Rows per service call when loading the large wave: the API's per-request limit. */
const BATCH_ROWS = LIMITS.rowsPerRequest;
/** Respondents per account in the demo population (1,000,000 respondents over 200,000 accounts). */
const RESPONDENTS_PER_ACCOUNT = 5;
const SECRET = `bench-${randomUUID()}`;

const largeRows = parseRows(process.env.BENCH_ROWS_LARGE, 1_000_000);

// --- Formatting ------------------------------------------------------------------------------------

const int = (n: number): string => Math.round(n).toLocaleString('en-US');
const ms = (t: number): string => `${int(t)} ms`;
const secs = (t: number): string => `${(t / 1000).toFixed(2)} s`;
const perSecond = (rows: number, t: number): string => `${int(rows / (t / 1000))} rows/s`;
const mib = (bytes: number): string => `${(bytes / 1024 / 1024).toFixed(2)} MiB`;
const share = (part: number, whole: number): string => `${Math.round((100 * part) / whole)} %`;
const line = (label: string, value: string, note = ''): string => `  ${label.padEnd(48)} ${value.padStart(12)}${note ? `  ${note}` : ''}`;

function parseRows(text: string | undefined, fallback: number): number {
  if (text === undefined || text.trim() === '') return fallback;
  const n = Number(text.replace(/[_,]/g, ''));
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`BENCH_ROWS_LARGE must be a whole number ≥ 1, got '${text}'`);
  return n;
}

function progress(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

// --- Checks ----------------------------------------------------------------------------------------

const failures: string[] = [];
function check(ok: boolean, what: string): void {
  if (!ok) {
    failures.push(what);
    progress(`CHECK FAILED: ${what}`);
  }
}

// --- Helpers ---------------------------------------------------------------------------------------

function take<T>(source: Iterator<T>, n: number): T[] {
  const out: T[] = [];
  while (out.length < n) {
    const r = source.next();
    if (r.done) break;
    out.push(r.value);
  }
  return out;
}

let peakRss = 0;
function sampleMemory(): void {
  peakRss = Math.max(peakRss, process.memoryUsage().rss);
}

/** Every stored chunk of a dataset, straight from DynamoDB (to count bytes and time decoding alone). */
async function storedChunks(db: DynamoDBClient, tableName: string, tenant: string, id: string): Promise<Uint8Array[]> {
  const out: Uint8Array[] = [];
  let start: Record<string, AttributeValue> | undefined;
  do {
    const page = await db.send(
      new QueryCommand({
        TableName: tableName,
        KeyConditionExpression: 'pk = :pk AND begins_with(sk, :prefix)',
        ExpressionAttributeValues: { ':pk': { S: keys.datasetPartition(tenant, id) }, ':prefix': { S: keys.chunkPrefix } },
        ProjectionExpression: '#data',
        ExpressionAttributeNames: { '#data': 'data' },
        ExclusiveStartKey: start,
      }),
    );
    for (const item of page.Items ?? []) out.push(item.data!.B!);
    start = page.LastEvaluatedKey;
  } while (start);
  return out;
}

const chunkCount = (meta: DatasetMeta): number => meta.ranges.reduce((n, [, count]) => n + count, 0);

/** Streams a dataset back through the store, counting rows and summing ltr. */
async function readBack(liftcast: Liftcast, tenant: string, meta: DatasetMeta): Promise<{ rows: number; ltrSum: number }> {
  let rows = 0;
  let ltrSum = 0;
  for await (const cols of liftcast.datasets.store.readColumns(tenant, meta)) {
    rows += cols.size;
    for (let i = 0; i < cols.size; i++) ltrSum += cols.ltr[i]!;
  }
  return { rows, ltrSum };
}

interface Env {
  liftcast: Liftcast;
  db: DynamoDBClient;
  tableName: string;
  timer: DynamoTimer;
}

// --- 1. Upload through HTTP ------------------------------------------------------------------------

interface UploadResult {
  rows: number;
  csvBytes: number;
  requests: { label: string; rows: number; bytes: number; ms: number }[];
  totalMs: number;
  sealMs: number;
  csvParseMs: number;
  validateMs: number;
  encodeMs: number;
  dynamo: DynamoUsage;
  chunks: number;
  storedBytes: number;
}

function makeClient(env: Env, token: string) {
  return async (method: string, path: string, csv?: string, headers: Record<string, string> = {}) => {
    const res = await env.liftcast.app.request(path, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(csv !== undefined ? { 'content-type': 'text/csv' } : {}), ...headers },
      ...(csv !== undefined ? { body: csv } : {}),
    });
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const json = (await res.json()) as any;
    if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${JSON.stringify(json).slice(0, 2000)}`);
    return { status: res.status, json };
  };
}

const kindsQuery = (): string => {
  const names = (kind: string) => DEMO_ATTRIBUTES.filter((a) => a.kind === kind).map((a) => a.name).join(',');
  return `product=${names('product')}&service=${names('service')}`;
};

/** Splits rows into as few CSV bodies as the body and row limits allow. */
function csvBodies(rows: DemoRow[], columns: string[]): { bodies: string[]; parts: DemoRow[][] } {
  const whole = toCsv(rows, columns);
  let n = Math.max(Math.ceil(Buffer.byteLength(whole) / MAX_BODY_BYTES), Math.ceil(rows.length / LIMITS.rowsPerRequest));
  for (;; n++) {
    const size = Math.ceil(rows.length / n);
    const parts = Array.from({ length: n }, (_, i) => rows.slice(i * size, (i + 1) * size)).filter((p) => p.length > 0);
    const bodies = n === 1 ? [whole] : parts.map((p) => toCsv(p, columns));
    if (bodies.every((b) => Buffer.byteLength(b) <= MAX_BODY_BYTES)) return { bodies, parts };
  }
}

/** Uploads `rows` as CSV: one sealed request when it fits, else create (open) + appends + seal. */
async function uploadCsv(env: Env, token: string, name: string, bodies: string[]) {
  const send = makeClient(env, token);
  const requests: UploadResult['requests'] = [];
  const query = `name=${encodeURIComponent(name)}&${kindsQuery()}${bodies.length > 1 ? '&seal=false' : ''}`;
  let t = performance.now();
  const created = await send('POST', `/v1/datasets?${query}`, bodies[0]!, { 'idempotency-key': `bench-create-${randomUUID()}` });
  check(created.status === 201, `create answered ${created.status}`);
  const id = created.json.id as string;
  requests.push({ label: bodies.length > 1 ? 'create seal=false' : 'create', rows: 0, bytes: Buffer.byteLength(bodies[0]!), ms: performance.now() - t });
  let dataset = created.json;
  for (let i = 1; i < bodies.length; i++) {
    t = performance.now();
    const appended = await send('POST', `/v1/datasets/${id}/rows`, bodies[i]!, { 'idempotency-key': `bench-batch-${i}-${randomUUID()}` });
    check(appended.status === 201, `append ${i} answered ${appended.status}`);
    dataset = appended.json.dataset;
    requests.push({ label: `append ${i}`, rows: 0, bytes: Buffer.byteLength(bodies[i]!), ms: performance.now() - t });
  }
  let sealMs = 0;
  if (bodies.length > 1) {
    t = performance.now();
    const sealed = await send('POST', `/v1/datasets/${id}/seal`);
    sealMs = performance.now() - t;
    dataset = sealed.json;
    requests.push({ label: 'seal', rows: 0, bytes: 0, ms: sealMs });
  }
  return { id, dataset, requests, sealMs };
}

async function benchUpload(env: Env): Promise<UploadResult> {
  const tenant = `bench-http-${randomUUID().slice(0, 8)}`;
  const token = await signDevToken(SECRET, { tenant });

  // Warm-up on a small wave, so the figures below are not dominated by JIT compilation.
  const warmRows = Array.from(demoRespondents({ seed: 99, respondents: 2_000, accounts: 400 }));
  const warmColumns = Object.keys(warmRows[0]!);
  await uploadCsv(env, token, 'warm-up', csvBodies(warmRows, warmColumns).bodies);
  await uploadCsv(env, token, 'warm-up batches', [toCsv(warmRows.slice(0, 1000), warmColumns), toCsv(warmRows.slice(1000), warmColumns)]);

  progress(`generating ${int(UPLOAD_ROWS)} demo respondents for the HTTP upload`);
  const rows = Array.from(demoRespondents({ seed: 1, respondents: UPLOAD_ROWS, accounts: UPLOAD_ROWS / RESPONDENTS_PER_ACCOUNT }));
  const columns = Object.keys(rows[0]!);
  const expectedLtr = rows.reduce((s, r) => s + r.ltr, 0);
  const { bodies, parts } = csvBodies(rows, columns);
  const csvBytes = bodies.reduce((s, b) => s + Buffer.byteLength(b), 0);
  progress(`uploading ${int(UPLOAD_ROWS)} rows as ${bodies.length} CSV request(s), ${mib(csvBytes)} in total`);

  const before = env.timer.snapshot();
  const t0 = performance.now();
  const up = await uploadCsv(env, token, `bench upload ${UPLOAD_ROWS}`, bodies);
  const totalMs = performance.now() - t0;
  const dynamo = usageBetween(before, env.timer.snapshot());
  up.requests.forEach((r, i) => (r.rows = parts[i]?.length ?? 0));
  sampleMemory();

  check(up.dataset.status === 'sealed', `uploaded dataset is ${up.dataset.status}, expected sealed`);
  check(up.dataset.rowCount === UPLOAD_ROWS, `uploaded dataset has rowCount ${up.dataset.rowCount}, expected ${UPLOAD_ROWS}`);
  check(up.dataset.summary?.respondents === UPLOAD_ROWS, `uploaded summary counts ${up.dataset.summary?.respondents} respondents`);

  // The same work, stage by stage, outside the app: csv-parse, validation, encoding.
  let csvParseMs = 0;
  let validateMs = 0;
  let encodeMs = 0;
  let encodedChunks = 0;
  let encodedBytes = 0;
  for (const body of bodies) {
    let t = performance.now();
    const table: RawTable = parseCsv(body);
    csvParseMs += performance.now() - t;
    t = performance.now();
    const parsed = parseWave(table, { described: DEMO_ATTRIBUTES });
    validateMs += performance.now() - t;
    if (!parsed.ok) throw new Error(`parseWave rejected the benchmark CSV: ${JSON.stringify(parsed.errors.slice(0, 3))}`);
    t = performance.now();
    const chunks = encodeChunks(parsed.columns);
    encodeMs += performance.now() - t;
    encodedChunks += chunks.length;
    encodedBytes += chunks.reduce((s, c) => s + c.byteLength, 0);
  }

  const meta = await env.liftcast.datasets.store.getMeta(tenant, up.id);
  if (!meta) throw new Error(`uploaded dataset ${up.id} not found`);
  const stored = await storedChunks(env.db, env.tableName, tenant, up.id);
  const storedBytes = stored.reduce((s, c) => s + c.byteLength, 0);
  check(stored.length === chunkCount(meta), `HTTP upload: ${stored.length} chunk items stored, meta lists ${chunkCount(meta)}`);
  check(stored.length === encodedChunks && storedBytes === encodedBytes, 'HTTP upload: stored chunks differ from encoding the same CSV alone');
  const back = await readBack(env.liftcast, tenant, meta);
  check(back.rows === UPLOAD_ROWS, `HTTP upload read back ${back.rows} rows, expected ${UPLOAD_ROWS}`);
  check(back.ltrSum === expectedLtr, `HTTP upload: ltr sums to ${back.ltrSum} read back, ${expectedLtr} sent`);

  return {
    rows: UPLOAD_ROWS,
    csvBytes,
    requests: up.requests,
    totalMs,
    sealMs: up.sealMs,
    csvParseMs,
    validateMs,
    encodeMs,
    dynamo,
    chunks: stored.length,
    storedBytes,
  };
}

// --- 2. A large wave through the service -----------------------------------------------------------

interface LargeResult {
  rows: number;
  batches: number;
  generateMs: number;
  loadMs: number;
  loadDynamo: DynamoUsage;
  sealMs: number;
  sealDynamo: DynamoUsage;
  readMs: number;
  readDynamo: DynamoUsage;
  readRows: number;
  readLtrSum: number;
  decodeMs: number;
  chunks: number;
  storedBytes: number;
}

async function benchLarge(env: Env, n: number): Promise<LargeResult> {
  const { service, store } = env.liftcast.datasets;
  const tenant = `bench-large-${randomUUID().slice(0, 8)}`;
  const source = demoRespondents({ seed: 2, respondents: n, accounts: Math.max(1, Math.floor(n / RESPONDENTS_PER_ACCOUNT)) });

  let id = '';
  let loaded = 0;
  let batches = 0;
  let expectedLtr = 0;
  let generateMs = 0;
  let loadMs = 0;
  const before = env.timer.snapshot();
  while (loaded < n) {
    let t = performance.now();
    const rows = take(source, Math.min(BATCH_ROWS, n - loaded));
    for (const r of rows) expectedLtr += r.ltr;
    const table = tableFromObjects(rows);
    generateMs += performance.now() - t;

    t = performance.now();
    if (batches === 0) {
      const { dataset } = await service.create(tenant, { name: `bench ${n} respondents`, described: DEMO_ATTRIBUTES, table, seal: false });
      id = dataset.id;
    } else {
      await service.append(tenant, id, table, { key: `bench-batch-${String(batches).padStart(4, '0')}`, fingerprint: `bench-${batches}` });
    }
    loadMs += performance.now() - t;
    loaded += rows.length;
    batches++;
    sampleMemory();
    progress(`loaded ${int(loaded)} / ${int(n)} rows (${secs(loadMs)} in the service, ${secs(generateMs)} generating)`);
  }
  const loadDynamo = usageBetween(before, env.timer.snapshot());

  progress('sealing');
  let snap = env.timer.snapshot();
  let t = performance.now();
  const sealed = await service.seal(tenant, id);
  const sealMs = performance.now() - t;
  const sealDynamo = usageBetween(snap, env.timer.snapshot());
  sampleMemory();
  check(sealed.status === 'sealed', `large dataset is ${sealed.status} after seal`);
  check(sealed.rowCount === n, `large dataset has rowCount ${sealed.rowCount}, expected ${n}`);
  check(sealed.summary?.respondents === n, `large summary counts ${sealed.summary?.respondents} respondents, expected ${n}`);

  progress('reading back');
  const meta = await store.getMeta(tenant, id);
  if (!meta) throw new Error(`dataset ${id} not found after sealing`);
  snap = env.timer.snapshot();
  t = performance.now();
  const back = await readBack(env.liftcast, tenant, meta);
  const readMs = performance.now() - t;
  const readDynamo = usageBetween(snap, env.timer.snapshot());
  sampleMemory();
  check(back.rows === n, `read back ${back.rows} rows, expected ${n}`);
  check(back.ltrSum === expectedLtr, `ltr sums to ${back.ltrSum} read back, ${expectedLtr} loaded`);

  const stored = await storedChunks(env.db, env.tableName, tenant, id);
  const storedBytes = stored.reduce((s, c) => s + c.byteLength, 0);
  check(stored.length === chunkCount(meta), `${stored.length} chunk items stored, meta lists ${chunkCount(meta)}`);
  t = performance.now();
  let decodedRows = 0;
  for (const c of stored) decodedRows += decodeChunk(c).size;
  const decodeMs = performance.now() - t;
  check(decodedRows === n, `decoding the stored chunks gives ${decodedRows} rows, expected ${n}`);

  return {
    rows: n,
    batches,
    generateMs,
    loadMs,
    loadDynamo,
    sealMs,
    sealDynamo,
    readMs,
    readDynamo,
    readRows: back.rows,
    readLtrSum: back.ltrSum,
    decodeMs,
    chunks: stored.length,
    storedBytes,
  };
}

// --- Report ----------------------------------------------------------------------------------------

function machine(): string {
  const cpus = os.cpus();
  const model = (cpus[0]?.model ?? 'unknown CPU').trim().replace(/\s+/g, ' ');
  return `node ${process.version}, ${model}, ${cpus.length} cores, ${Math.round(os.totalmem() / 1024 ** 3)} GiB RAM, ${os.platform()} ${os.arch()}`;
}

function report(up: UploadResult, large: LargeResult): void {
  const out: string[] = [];
  out.push(`Liftcast benchmarks (${machine()})`);
  out.push('DynamoDB Local in memory (same machine); times are wall clock from performance.now(); MiB = 2^20 bytes.');
  out.push('');

  const ingestMs = up.totalMs - up.sealMs;
  out.push(`1. Upload ${int(up.rows)} rows via HTTP (CSV through app.request: ${up.requests.map((r) => r.label.split(' ')[0]).join(' + ')}; body limit ${mib(MAX_BODY_BYTES)} a request)`);
  for (const r of up.requests)
    out.push(line(`${r.label}${r.rows ? ` (${int(r.rows)} rows, ${mib(r.bytes)})` : ''}`, ms(r.ms)));
  out.push(line('total, end to end', ms(up.totalMs), perSecond(up.rows, up.totalMs)));
  if (up.sealMs > 0) out.push(line('  without the seal', ms(ingestMs), perSecond(up.rows, ingestMs)));
  out.push('  where the time goes (stages re-run alone on the same CSV, DynamoDB measured in the run):');
  const other = up.totalMs - up.csvParseMs - up.validateMs - up.encodeMs - up.dynamo.busyMs;
  out.push(line('  CSV parse (csv-parse)', ms(up.csvParseMs), share(up.csvParseMs, up.totalMs)));
  out.push(line('  validate (parseWave)', ms(up.validateMs), share(up.validateMs, up.totalMs)));
  out.push(line('  encode (encodeChunks)', ms(up.encodeMs), share(up.encodeMs, up.totalMs)));
  out.push(line('  DynamoDB calls in flight', ms(up.dynamo.busyMs), `${share(up.dynamo.busyMs, up.totalMs)}  (${describeCalls(up.dynamo.calls)})`));
  out.push(line('  other (HTTP, hashing, seal summary)', ms(other), share(other, up.totalMs)));
  out.push(line('stored', `${int(up.chunks)} chunks`, `${mib(up.storedBytes)}, ${(up.storedBytes / up.rows).toFixed(1)} B/respondent (CSV: ${(up.csvBytes / up.rows).toFixed(1)} B/row)`));
  out.push('');

  const n = large.rows;
  out.push(`2. ${int(n)} rows through the dataset service (${large.batches} batches of ≤ ${int(BATCH_ROWS)} rows: create + ${large.batches - 1} append${large.batches === 2 ? '' : 's'}; seal; read back)`);
  out.push(line('generate demo rows + tableFromObjects', ms(large.generateMs), `${perSecond(n, large.generateMs)} (not counted in the load)`));
  out.push(line('load (service.create/append)', secs(large.loadMs), perSecond(n, large.loadMs)));
  out.push(line('  DynamoDB calls in flight', ms(large.loadDynamo.busyMs), `${share(large.loadDynamo.busyMs, large.loadMs)}  (${describeCalls(large.loadDynamo.calls)})`));
  out.push(line('  validate + encode + rest', ms(large.loadMs - large.loadDynamo.busyMs), share(large.loadMs - large.loadDynamo.busyMs, large.loadMs)));
  out.push(line('seal (stream + summary)', secs(large.sealMs), perSecond(n, large.sealMs)));
  out.push(line('  DynamoDB calls in flight', ms(large.sealDynamo.busyMs), `overlaps decoding  (${describeCalls(large.sealDynamo.calls)})`));
  out.push(line('read back (store.readColumns)', secs(large.readMs), perSecond(n, large.readMs)));
  out.push(line('  DynamoDB calls in flight', ms(large.readDynamo.busyMs), `overlaps decoding  (${describeCalls(large.readDynamo.calls)})`));
  out.push(line('  decoding alone (decodeChunk)', ms(large.decodeMs), perSecond(n, large.decodeMs)));
  out.push(line('rows read back', int(large.readRows), `${large.readRows === n ? 'OK' : 'MISMATCH'}, ltr sum ${int(large.readLtrSum)}`));
  out.push(line('stored', `${int(large.chunks)} chunks`, `${mib(large.storedBytes)}, ${(large.storedBytes / n).toFixed(1)} B/respondent, ${int(n / large.chunks)} respondents/chunk`));
  out.push(line('peak RSS of this process', mib(peakRss)));
  out.push('');

  const label = (s: string) => s.padEnd(40);
  const rowsLabel = int(n);
  out.push(`Liftcast benchmarks (node ${process.version}, ${(os.cpus()[0]?.model ?? 'unknown CPU').trim()}, ${os.cpus().length} cores)`);
  out.push(
    `${label(`upload ${int(up.rows)} rows via HTTP (CSV)`)} ${perSecond(up.rows, up.totalMs).padStart(15)}  ` +
      `(${secs(up.totalMs)} for ${up.requests.map((r) => r.label.split(' ')[0]).join(' + ')}; CSV parse ${ms(up.csvParseMs)}, validate ${ms(up.validateMs)}, encode ${ms(up.encodeMs)}, ` +
      `DynamoDB ${ms(up.dynamo.busyMs)}, other ${ms(other)}; ${up.chunks} chunks, ${(up.storedBytes / up.rows).toFixed(1)} B/respondent)`,
  );
  out.push(
    `${label(`load ${rowsLabel} rows (service, batches)`)} ${perSecond(n, large.loadMs).padStart(15)}  ` +
      `(${secs(large.loadMs)}, ${large.batches} batch${large.batches === 1 ? '' : 'es'}; DynamoDB ${ms(large.loadDynamo.busyMs)}; generating rows ${secs(large.generateMs)} not included)`,
  );
  out.push(`${label(`seal ${rowsLabel} rows (stream + summary)`)} ${perSecond(n, large.sealMs).padStart(15)}  (${secs(large.sealMs)})`);
  out.push(
    `${label(`read back ${rowsLabel} rows`)} ${perSecond(n, large.readMs).padStart(15)}  ` +
      `(${secs(large.readMs)}; ${int(large.readRows)} rows, ${large.chunks} chunks, ${mib(large.storedBytes)} stored)`,
  );
  out.push(failures.length === 0 ? 'all correctness checks passed' : `${failures.length} correctness check(s) FAILED:\n${failures.map((f) => `  - ${f}`).join('\n')}`);
  process.stdout.write(`${out.join('\n')}\n`);
}

/** Uploads the real energy survey through HTTP and checks its NPS against a direct count. */
async function benchRealSurvey(env: Env): Promise<string> {
  const survey = energySurvey();
  const label = 'real survey: energy_relationship.csv (HTTP, CSV)'.padEnd(48);
  if (!survey) return `${label} not run: no ${SURVEYS_DIR}/energy_relationship.csv`;
  progress(`uploading the real energy survey (${int(survey.rows)} rows)`);
  const token = await signDevToken(SECRET, { tenant: `real-${randomUUID().slice(0, 8)}` });
  const t = performance.now();
  const created = await makeClient(env, token)('POST', `/v1/datasets?${survey.query}`, survey.csv);
  const took = performance.now() - t;
  const nps = created.json.summary.nps.score as number;
  check(created.json.rowCount === survey.rows, `real survey stored ${created.json.rowCount} of ${survey.rows} rows`);
  check(Math.abs(nps - survey.expectedNps) < 1e-9, `real survey NPS ${nps} differs from the direct count ${survey.expectedNps}`);
  const answered = (created.json.summary.attributes as { name: string; answeredShare: number }[]).map((a) => `${a.name} ${Math.round(100 * a.answeredShare)} %`).join(', ');
  const lines = [`${label} ${perSecond(survey.rows, took).padStart(15)}  (${ms(took)}; ${int(survey.rows)} respondents, NPS ${nps.toFixed(1)} = direct count; answered: ${answered})`];
  // Driver models on real data: held-out error of the answer, and out-of-fold NPS per segment.
  for (const method of ['auto', 'ols'] as const) {
    const t1 = performance.now();
    const res = await env.liftcast.app.request('/v1/models', {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ datasetId: created.json.id, method, segmentBy: 'segment' }),
    });
    const fitMs = performance.now() - t1;
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    const model = (await res.json()) as any;
    check(res.status === 201, `real survey ${method} model answered ${res.status}: ${JSON.stringify(model).slice(0, 300)}`);
    if (res.status !== 201) continue;
    const calibration = model.calibration as { segment: string; observed: number; predicted: number; respondents: number }[];
    const worst = Math.max(...calibration.map((c) => Math.abs(c.predicted - c.observed)));
    lines.push(
      `${`  driver model on it, method ${method}`.padEnd(48)} ${ms(fitMs).padStart(12)}  ` +
        `(${model.method}${model.structure?.chosen ? `, ${model.structure.chosen}` : ''}; held-out RMSE of the answer ${model.fit.cvRmse.toFixed(3)}; ` +
        `calibration, largest |predicted − observed NPS| over ${calibration.length} segments ${worst.toFixed(1)} pts; used ${int(model.population.used)}, dropped ${int(model.population.dropped)})`,
    );
  }
  return lines.join('\n');
}

// --- Main ------------------------------------------------------------------------------------------

async function main(): Promise<number> {
  const started = performance.now();
  let local: DynamoLocal | null = null;
  let db: DynamoDBClient | null = null;
  const onSignal = (signal: NodeJS.Signals) => {
    progress(`${signal}: stopping DynamoDB Local`);
    void (local?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    progress('starting DynamoDB Local (in memory)');
    local = await startDynamoLocal();
    db = createDynamoClient({ endpoint: local.endpoint, region: 'us-east-1' });
    const timer = instrumentDynamo(db);
    const tableName = `bench-${randomUUID()}`;
    await ensureTable(db, tableName);
    const liftcast = composeLiftcast({ db, tableName, auth: { mode: 'local', secret: SECRET }, logger: silentLogger });
    const env: Env = { liftcast, db, tableName, timer };

    // The driver model first, while the heap is fresh (the later stages keep 1,000,000 rows alive).
    const driverLines: string[] = [];
    {
      progress('GET /v1/scenarios/{id}/forecast under load (first, on a fresh process)');
      const tenant = `bench-latency-${randomUUID().slice(0, 8)}`;
      const token = await signDevToken(SECRET, { tenant });
      const wave = demoWave({ seed: 2026 });
      const call = async (path: string, body: unknown) => {
        const res = await liftcast.app.request(path, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
        // eslint-disable-next-line @typescript-eslint/no-explicit-any
        const json = (await res.json()) as any;
        if (res.status !== 201) throw new Error(`POST ${path} answered ${res.status}: ${JSON.stringify(json).slice(0, 500)}`);
        return json;
      };
      const ds = await call('/v1/datasets', { name: wave.name, attributes: wave.attributes, rows: wave.rows });
      const model = await call('/v1/models', { datasetId: ds.id });
      const scenario = await call('/v1/scenarios', demoScenario(model.id));
      const lat = await benchForecastLatency(liftcast, token, scenario.id, 2000, 8);
      driverLines.push(
        `${`GET forecast under load (${lat.concurrency} clients, HTTP)`.padEnd(48)} ${`p99 ${lat.p99.toFixed(1)} ms`.padStart(12)}  ` +
          `(p50 ${lat.p50.toFixed(1)} ms, max ${lat.max.toFixed(1)} ms, ${int(lat.perSecond)} requests/s over ${int(lat.requests)}; target p99 < 50 ms: ${lat.p99 < 50 ? 'within target' : 'OVER TARGET'})\n`,
      );
      // The ledger of 20 launches of the demo scenario's initiatives, each reaching one segment × role.
      progress('GET /v1/ledger under load (20 launches)');
      const today = new Date().toISOString().slice(0, 10);
      const initiatives = (scenario.scenario.initiatives as { id: string }[]).map((i) => i.id);
      const cells = ['smb', 'mid_market', 'enterprise'].flatMap((segment) => ['gatekeeper', 'business_owner', 'operational_user'].map((role) => ({ segments: [segment], roles: [role] })));
      for (let i = 0; i < 20; i++)
        await call('/v1/launches', { scenarioId: scenario.id, scenarioVersion: 1, initiativeId: initiatives[i % initiatives.length], launchedOn: today, reached: cells[i % cells.length] });
      const ledgerLat = await benchGetLatency(liftcast, token, '/v1/ledger', 2000, 8);
      driverLines.push(
        `${`GET /v1/ledger, 20 launches (${ledgerLat.concurrency} clients, HTTP)`.padEnd(48)} ${`p99 ${ledgerLat.p99.toFixed(1)} ms`.padStart(12)}  ` +
          `(p50 ${ledgerLat.p50.toFixed(1)} ms, max ${ledgerLat.max.toFixed(1)} ms, ${int(ledgerLat.perSecond)} requests/s; target p99 < 50 ms: ${ledgerLat.p99 < 50 ? 'within target' : 'OVER TARGET'})\n`,
      );
    }
    for (const rows of [200_000, largeRows]) {
      progress(`driver model, ${int(rows)} × 20`);
      const dm = benchDriverModel(rows);
      const warm = [...dm.whatIfMs.slice(1)].sort((a, b) => a - b);
      const median = warm[Math.floor(warm.length / 2)]!;
      check(Number.isFinite(dm.whatIfLift) && dm.whatIfLift > 0, `what-if on ${rows} respondents gave lift ${dm.whatIfLift}`);
      const mark = (ok: boolean): string => (ok ? 'within target' : 'OVER TARGET');
      driverLines.push(
        `${`driver model ${int(rows)} × ${dm.k}: population`.padEnd(48)} ${ms(dm.populationMs).padStart(12)}  (two passes over chunks, 5 % answers imputed)\n` +
          `${`  least squares + pooled segments + CV`.padEnd(48)} ${ms(dm.olsMs).padStart(12)}\n` +
          `${`  NPS-aware ordinal fit (auto: the whole search)`.padEnd(48)} ${ms(dm.ordinalMs).padStart(12)}  (chose ${dm.ordinalStructure}; target ${rows >= 1_000_000 ? '≤ 20 s' : '≤ 5 s'}: ${mark(dm.ordinalMs <= (rows >= 1_000_000 ? 20_000 : 5_000))}; process RSS after the fit ${int(dm.rssMb)} MB)\n` +
          `${`  what-if, median of 6 warm runs`.padEnd(48)} ${ms(median).padStart(12)}  (first run ${ms(dm.whatIfMs[0]!)} incl. JIT and caching latent scores; lift ${dm.whatIfLift.toFixed(2)} NPS; target < 200 ms: ${mark(median < 200)})\n`,
      );
    }
    {
      progress('ledger: 20 launches evaluated on two waves of about 200,000 respondents');
      const lb = benchLedger();
      const total = lb.populationsMs + lb.evaluateMs;
      driverLines.push(
        `${`ledger: evaluate ${lb.launches} launches, ${int(lb.respondents.before)} + ${int(lb.respondents.after)} respondents`.padEnd(48)} ${ms(total).padStart(12)}  ` +
          `(both waves through the model's columns ${ms(lb.populationsMs)}, ${lb.launches} difference-in-differences ${ms(lb.evaluateMs)}; ${lb.evaluated} evaluable; target ≤ 10 s: ${total <= 10_000 ? 'within target' : 'OVER TARGET'})\n`,
      );
    }
    {
      progress('scenario forecast, 20 initiatives on 200,000 respondents');
      const fb = benchForecast(200_000);
      const warm = Math.min(...fb.forecastMs.slice(1));
      driverLines.push(
        `${'forecast 20 initiatives, 200,000 respondents'.padEnd(48)} ${ms(warm).padStart(12)}  ` +
          `(with intervals: model, sampling, effect ranges; first run ${ms(fb.forecastMs[0]!)}; portfolio lift ${fb.portfolioLift.toFixed(1)} NPS; target < 3 s: ${warm < 3000 ? 'within target' : 'OVER TARGET'})\n`,
      );
    }
    {
      // 20 × 1,000,000 is over the API's 5,000,000 respondent × initiative limit: the worker's path.
      progress(`scenario forecast, 20 initiatives on ${int(largeRows)} respondents (the worker's path)`);
      const fb = benchForecast(largeRows);
      const warm = Math.min(...fb.forecastMs.slice(1));
      driverLines.push(
        `${`forecast 20 initiatives, ${int(largeRows)} respondents`.padEnd(48)} ${ms(warm).padStart(12)}  ` +
          `(in the worker: over the 5,000,000 respondent × initiative request limit; first run ${ms(fb.forecastMs[0]!)}; Lambda's limit is 15 min, the worker's timeout 5 min)\n`,
      );
    }
    const real = await benchRealSurvey(env);
    const up = await benchUpload(env);
    const large = await benchLarge(env, largeRows);
    report(up, large);
    process.stdout.write(`${real}\n`);
    progress('least squares, 1,000,000 × 20, against numpy');
    for (const rows of [100_000, largeRows]) {
      const ls = benchLeastSquares(rows);
      check(ls.maxCoefficientDiff === null || ls.maxCoefficientDiff < 1e-8, `least squares differs from numpy by ${ls.maxCoefficientDiff}`);
      const ours = ls.accumulateMs + ls.solveMs;
      process.stdout.write(
        `${`least squares ${int(rows)} × ${ls.k} (one pass + solve)`.padEnd(48)} ${ms(ours).padStart(12)}  ` +
          `(accumulate ${ms(ls.accumulateMs)}, solve ${ls.solveMs.toFixed(1)} ms; ` +
          (ls.numpyMs === null || ls.numpyNormalMs === null
            ? `${ls.numpyNote})\n`
            : `numpy normal equations ${ms(ls.numpyNormalMs)} (ratio ${(ours / ls.numpyNormalMs).toFixed(2)}), numpy lstsq ${ms(ls.numpyMs)} (ratio ${(ours / ls.numpyMs).toFixed(2)}), max |Δβ| ${ls.maxCoefficientDiff!.toExponential(1)}; ${ls.numpyNote})\n`),
      );
    }
    process.stdout.write(driverLines.join(''));
    progress('Lambda bundles: size and cold import');
    process.stdout.write(`${formatBundles(await benchBundles())}\n`);
    progress(`done in ${secs(performance.now() - started)}`);
    return failures.length === 0 ? 0 : 1;
  } catch (e) {
    process.stderr.write(`benchmark failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    return 1;
  } finally {
    db?.destroy();
    await local?.stop();
  }
}

process.exitCode = await main();
