/**
 * The API's authenticated routes and the scope each needs, as plain data: the CDK stack
 * (infra/api.ts) turns them into API Gateway routes, and the sample events (events/samples.ts) use
 * them to fill in `routeKey` and `pathParameters` as API Gateway would.
 */
export const SCOPED_ROUTES: ReadonlyArray<readonly ['GET' | 'POST' | 'PUT' | 'DELETE', string, string]> = [
  ['POST', '/v1/datasets', 'datasets:write'],
  ['GET', '/v1/datasets', 'read'],
  ['GET', '/v1/datasets/{id}', 'read'],
  ['DELETE', '/v1/datasets/{id}', 'datasets:write'],
  ['POST', '/v1/datasets/{id}/rows', 'datasets:write'],
  ['POST', '/v1/datasets/{id}/seal', 'datasets:write'],
  ['POST', '/v1/models', 'models:write'],
  ['GET', '/v1/models', 'read'],
  ['GET', '/v1/models/{id}', 'read'],
  ['POST', '/v1/models/{id}/predict', 'read'],
  ['POST', '/v1/scenarios', 'scenarios:write'],
  ['GET', '/v1/scenarios', 'read'],
  ['GET', '/v1/scenarios/{id}', 'read'],
  ['PUT', '/v1/scenarios/{id}', 'scenarios:write'],
  ['DELETE', '/v1/scenarios/{id}', 'scenarios:write'],
  ['GET', '/v1/scenarios/{id}/forecast', 'read'],
  ['GET', '/v1/scenarios/{id}/versions', 'read'],
  ['GET', '/v1/scenarios/{id}/versions/{version}', 'read'],
  ['GET', '/v1/scenarios/{id}/ranking', 'read'],
  ['POST', '/v1/scenarios/{id}/optimize', 'read'],
  ['GET', '/v1/scenarios/{id}/optimizations/{optimizationId}', 'read'],
  ['GET', '/v1/rankings', 'read'],
  ['POST', '/v1/compare', 'read'],
  ['POST', '/v1/launches', 'scenarios:write'],
  ['GET', '/v1/launches', 'read'],
  ['GET', '/v1/launches/{id}', 'read'],
  ['POST', '/v1/launches/{id}/end', 'scenarios:write'],
  ['GET', '/v1/ledger', 'read'],
  ['GET', '/v1/datasets/{id}/bridge', 'read'],
];
