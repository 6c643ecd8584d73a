/**
 * `npm start`: Liftcast on this machine. Starts DynamoDB Local (unless DYNAMODB_ENDPOINT points at a
 * DynamoDB already running), creates the table, loads the demo wave, fits the demo model and
 * forecasts the demo scenario for tenant `demo` when it has none yet, and serves the API, its docs
 * and a ready-made demo token.
 */
import { join } from 'node:path';
import { serve } from '@hono/node-server';
import { demoWave } from '../../model/demo.js';
import { tableFromObjects } from '../../model/dataset.js';
import { ModelRequestSchema } from '../../model/drivers/contract.js';
import { ScenarioInputSchema } from '../../model/scenario/contract.js';
import { composeLiftcast, type Liftcast } from '../compose/api.js';
import { ConfigError, loadConfig } from '../config.js';
import { signDevToken } from '../http/identity.js';
import { consoleLogger } from '../log.js';
import { createDynamoClient, ensureTable } from '../store/dynamo.js';
import { demoScenario } from './demoScenario.js';
import { JavaMissingError, startDynamoLocal, type DynamoLocal } from './dynamoLocal.js';
import { staticRoutes } from '../http/static.js';

export const DEMO_TENANT = 'demo';

let local: DynamoLocal | undefined;

async function main(): Promise<void> {
  const config = loadConfig();
  let endpoint = config.dynamoEndpoint;
  if (!endpoint) {
    process.stdout.write(`Starting DynamoDB Local (data in ${join(config.dataDir, 'dynamodb')}) …\n`);
    local = await startDynamoLocal({ dataDir: join(config.dataDir, 'dynamodb') });
    endpoint = local.endpoint;
  }
  const db = createDynamoClient({ endpoint, region: config.region });
  await ensureTable(db, config.tableName);
  const { app, datasets, models, scenarios } = composeLiftcast({ db, tableName: config.tableName, auth: config.auth, logger: consoleLogger, staticRoutes });

  const existing = await datasets.store.list(DEMO_TENANT, 1);
  if (existing.items.length === 0) {
    const wave = demoWave({ seed: 2026 });
    const created = await datasets.service.create(DEMO_TENANT, {
      name: wave.name,
      described: wave.attributes,
      table: tableFromObjects(wave.rows),
      seal: true,
    });
    process.stdout.write(`Loaded the demo wave '${wave.name}' (${created.dataset.rowCount} respondents) for tenant '${DEMO_TENANT}'.\n`);
  }
  const demoModel = await ensureDemoModel(datasets.store, models.service);
  const demoScenarioId = demoModel ? await ensureDemoScenario(scenarios.service, demoModel) : null;

  const server = serve({ fetch: app.fetch, port: config.port, hostname: '0.0.0.0' }, (info) => {
    const base = `http://localhost:${info.port}`;
    void (async () => {
      const token = config.auth.mode === 'local' ? await signDevToken(config.auth.secret, { tenant: DEMO_TENANT }) : undefined;
      process.stdout.write(
        [
          '',
          `Liftcast is running on ${base}`,
          `  API reference  ${base}/docs`,
          `  OpenAPI        ${base}/openapi.json`,
          `  Health         ${base}/health`,
          `  DynamoDB       ${endpoint}${local ? ' (DynamoDB Local, started by Liftcast)' : ''}, table ${config.tableName}`,
          ...(token
            ? [
                '',
                `Demo bearer token (tenant '${DEMO_TENANT}', all scopes, 30 days):`,
                `  export TOKEN=${token}`,
                `  Dashboard      ${base}/dashboard#token=${token}`,
                `  curl -H "Authorization: Bearer $TOKEN" ${base}/v1/datasets`,
                ...(demoModel
                  ? [
                      '',
                      `Demo driver model ${demoModel} — what if support responsiveness rose by one point?`,
                      `  curl -X POST ${base}/v1/models/${demoModel}/predict -H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" \\`,
                      `    -d '{"changes":[{"attribute":"support_responsiveness","op":"add","value":1}]}'`,
                    ]
                  : []),
                ...(demoScenarioId
                  ? [
                      '',
                      `Demo scenario ${demoScenarioId} — seven initiatives; their NPS lift, revenue impact and ROI:`,
                      `  curl -H "Authorization: Bearer $TOKEN" ${base}/v1/scenarios/${demoScenarioId}/forecast`,
                    ]
                  : []),
              ]
            : []),
          ...(config.devSecret ? ['', 'Tokens are signed with the development secret; set LIFTCAST_JWT_SECRET for anything shared.'] : []),
          '',
          'Press Ctrl+C to stop.',
          '',
        ].join('\n'),
      );
    })();
  });

  let stopping = false;
  const shutdown = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stdout.write(`\n${signal}: stopping …\n`);
    server.close();
    db.destroy();
    void (local?.stop() ?? Promise.resolve()).then(() => process.exit(0));
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

/**
 * The demo tenant's driver model (method auto, by segment) on its newest dataset, fitted now when
 * the tenant has no ready one. A fit that fails is reported and the server starts anyway.
 */
async function ensureDemoModel(datasets: Liftcast['datasets']['store'], models: Liftcast['models']['service']): Promise<string | null> {
  const existing = await models.list(DEMO_TENANT, { limit: 20 });
  const ready = existing.items.find((m) => m.status === 'ready');
  if (ready) return ready.id;
  const dataset = (await datasets.list(DEMO_TENANT, 1)).items[0];
  if (!dataset) return null;
  try {
    const started = Date.now();
    const out = await models.create(DEMO_TENANT, ModelRequestSchema.parse({ datasetId: dataset.id, method: 'auto', segmentBy: 'segment' }));
    process.stdout.write(`Fitted the demo driver model ${out.model.id} on '${dataset.name}' in ${Date.now() - started} ms.\n`);
    return out.status === 201 ? out.model.id : null;
  } catch (e) {
    process.stderr.write(`The demo driver model could not be fitted: ${e instanceof Error ? e.message : String(e)}\n`);
    return null;
  }
}

/**
 * The demo tenant's scenario (`demoScenario.ts`) on the demo model, created now when the tenant has
 * no scenario. A scenario that cannot be forecast is reported and the server starts anyway.
 */
async function ensureDemoScenario(scenarios: Liftcast['scenarios']['service'], modelId: string): Promise<string | null> {
  const existing = await scenarios.list(DEMO_TENANT, { limit: 1 });
  if (existing.items[0]) return existing.items[0].id;
  try {
    const started = Date.now();
    const { scenario } = await scenarios.create(DEMO_TENANT, ScenarioInputSchema.parse(demoScenario(modelId)));
    process.stdout.write(`Forecast the demo scenario ${scenario.id} ('${scenario.name}', ${scenario.scenario.initiatives.length} initiatives) in ${Date.now() - started} ms.\n`);
    return scenario.id;
  } catch (e) {
    process.stderr.write(`The demo scenario could not be created: ${e instanceof Error ? e.message : String(e)}\n`);
    return null;
  }
}

main().catch(async (e: unknown) => {
  if (e instanceof JavaMissingError || e instanceof ConfigError) process.stderr.write(`${e.message}\n`);
  else process.stderr.write(`Liftcast could not start: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
  await local?.stop();
  process.exit(1);
});
