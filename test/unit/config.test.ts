import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../functions/config.js';

describe('configuration', () => {
  it('runs locally with defaults and says it uses the development secret', () => {
    const c = loadConfig({});
    expect(c).toMatchObject({ tableName: 'liftcast', port: 3000, dataDir: '.data', auth: { mode: 'local' }, devSecret: true, dynamoEndpoint: undefined });
  });

  it('trusts API Gateway claims in gateway mode', () => {
    expect(loadConfig({ LIFTCAST_AUTH_MODE: 'gateway', TABLE_NAME: 'prod-table' })).toMatchObject({ auth: { mode: 'gateway' }, tableName: 'prod-table' });
  });

  it('names every bad variable at start-up', () => {
    expect(() => loadConfig({ PORT: 'eighty', LIFTCAST_JWT_SECRET: 'short', DYNAMODB_ENDPOINT: 'not a url' })).toThrow(ConfigError);
    try {
      loadConfig({ PORT: 'eighty', LIFTCAST_JWT_SECRET: 'short', DYNAMODB_ENDPOINT: 'not a url' });
    } catch (e) {
      expect((e as Error).message).toMatch(/PORT/);
      expect((e as Error).message).toMatch(/LIFTCAST_JWT_SECRET/);
      expect((e as Error).message).toMatch(/DYNAMODB_ENDPOINT/);
    }
  });
});
