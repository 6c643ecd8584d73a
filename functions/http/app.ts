/**
 * The Liftcast HTTP app: one Hono app, served by `@hono/node-server` locally and by
 * `hono/aws-lambda` in AWS. Resource routes live in their own files and are mounted here; errors of
 * every kind are rendered once, by `problem.ts`.
 */
import type { Hono } from 'hono';
import { OpenAPIHono } from '@hono/zod-openapi';
import { bodyLimit } from 'hono/body-limit';
import { createMiddleware } from 'hono/factory';
import { requestId } from 'hono/request-id';
import type { DatasetService } from '../app/datasets/service.js';
import type { LaunchService } from '../app/launches/service.js';
import { MalformedRequestError, RequestTooLargeError, ValidationError } from '../app/errors.js';
import { consoleLogger, type Logger, type RequestScope } from '../log.js';
import type { ModelService } from '../app/models/service.js';
import type { PortfolioService } from '../app/portfolio/service.js';
import type { ScenarioService } from '../app/scenarios/service.js';
import { datasetRoutes } from './datasets.js';
import { authenticate, type AuthSettings, type IdentityEnv } from './identity.js';
import { launchRoutes } from './launches.js';
import { modelRoutes } from './models.js';
import { completeDocument, DOCUMENT_CONFIG, validationHook } from './openapi.js';
import { installProblemHandling } from './problem.js';
import { portfolioRoutes } from './portfolio.js';
import { scenarioRoutes } from './scenarios.js';
import { decodeUtf8, describeInvalid, invalidUtf8Lines } from './utf8.js';

/**
 * Largest request body accepted: 4 MiB. Lambda refuses invocations over 6 MiB, and the event
 * around a body is larger than the body (JSON escaping, headers; base64 adds a third for binary
 * bodies), so the app's own 413 must fire well below that to answer the same way in AWS as locally.
 */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;

export interface AppDeps {
  auth: AuthSettings;
  datasets: DatasetService;
  models: ModelService;
  scenarios: ScenarioService;
  portfolio: PortfolioService;
  launches: LaunchService;
  logger?: Logger;
  /** The scope the services log through: each request runs in it with its request id. */
  scope?: RequestScope;
  /**
   * The dashboard and /docs routes (./static.ts's `staticRoutes`), for the local server and tests.
   * Injected, not imported: the API Lambda mounts none, and so its bundle carries none of the static
   * site's build (esbuild, the page files). @default - none
   */
  staticRoutes?: () => Hono;
}

export function createApp(deps: AppDeps) {
  const logger = deps.logger ?? consoleLogger;
  const app = new OpenAPIHono<IdentityEnv>({ defaultHook: validationHook });
  installProblemHandling(app, logger);

  // In AWS the request id is API Gateway's, so a log line, the response and the access log agree.
  app.use(
    '*',
    requestId({
      headerName: 'x-request-id',
      generator: (c) => (c.env as { event?: { requestContext?: { requestId?: string } } } | undefined)?.event?.requestContext?.requestId ?? crypto.randomUUID(),
    }),
  );
  // Every line the services log while handling the request carries its request id.
  const scope = deps.scope;
  if (scope) app.use('*', (c, next) => scope.run({ requestId: c.var.requestId }, next));
  app.get('/health', (c) => c.json({ status: 'ok' }));
  // The dashboard (/, /dashboard) and the API reference (/docs), with their assets: in-process for
  // npm start and tests; in AWS they are static files (see infra/) and the API function omits them.
  if (deps.staticRoutes) app.route('/', deps.staticRoutes());

  app.openAPIRegistry.registerComponent('securitySchemes', 'bearer', {
    type: 'http',
    scheme: 'bearer',
    bearerFormat: 'JWT',
    description: 'A JWT with claims sub, tenant and scope (read, datasets:write, …). Locally: npm run token.',
  });
  // The document is generated once, on first request (every route is mounted by then), and completed
  // with what every operation can answer (functions/http/openapi.ts).
  let document: object | undefined;
  app.get('/openapi.json', (c) => {
    document ??= completeDocument(app.getOpenAPI31Document(DOCUMENT_CONFIG));
    return c.json(document);
  });
  app.use(
    '/v1/*',
    bodyLimit({
      maxSize: MAX_BODY_BYTES,
      onError: () => {
        throw new RequestTooLargeError(
          `The body is larger than ${MAX_BODY_BYTES / 1024 / 1024} MB. Send large waves in batches with POST /v1/datasets/{id}/rows.`,
        );
      },
    }),
  );
  app.use('/v1/*', authenticate(deps.auth));
  app.use('/v1/*', requireUtf8Body);
  app.route('/v1/datasets', datasetRoutes(deps.datasets));
  app.route('/v1/models', modelRoutes(deps.models));
  app.route('/v1/scenarios', scenarioRoutes(deps.scenarios));
  app.route('/v1', portfolioRoutes(deps.portfolio));
  app.route('/v1', launchRoutes(deps.launches));
  return app;
}

export type LiftcastApp = ReturnType<typeof createApp>;

/**
 * Refuses a JSON (or any non-CSV) body that is not UTF-8, naming the first bad line, rather than
 * letting the JSON parser read U+FFFD into a name. CSV uploads are checked by their route, which
 * reports each bad line as a row error.
 */
const requireUtf8Body = createMiddleware(async (c, next) => {
  // A query value that is not percent-encoded UTF-8 would reach the routes undecoded (hono keeps it raw).
  const url = c.req.url;
  const q = url.indexOf('?');
  if (q >= 0)
    for (const pair of url.slice(q + 1).split('&')) {
      const [name = '', value = ''] = pair.split('=', 2);
      for (const part of [name, value])
        try {
          decodeURIComponent(part.replace(/\+/g, ' '));
        } catch {
          throw new ValidationError('The query string is not valid percent-encoded UTF-8.', {
            errors: [{ field: `query.${safeName(name)}`, reason: 'is not valid percent-encoded UTF-8' }],
          });
        }
    }
  if (c.req.method === 'GET' || c.req.method === 'HEAD' || c.req.method === 'DELETE') return next();
  if (/^text\/csv\b/i.test(c.req.header('content-type') ?? '')) return next();
  const bytes = new Uint8Array(await c.req.arrayBuffer());
  if (bytes.length > 0 && decodeUtf8(bytes) === null) {
    const [first] = invalidUtf8Lines(bytes, 1);
    throw new MalformedRequestError('The body is not valid UTF-8.', { errors: [{ field: 'body', ...(first ? { line: first.line, reason: `line ${first.line} ${describeInvalid(first)}` } : { reason: 'not valid UTF-8' }) }] });
  }
  return next();
});

/** A query parameter's name for a problem: decoded where it can be, at most 64 characters. */
function safeName(raw: string): string {
  try {
    return decodeURIComponent(raw).replace(/[^\x20-\x7e]/g, '?').slice(0, 64);
  } catch {
    return raw.replace(/[^\x20-\x7e]/g, '?').slice(0, 64);
  }
}
