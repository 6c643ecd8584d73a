import { describe, expect, it } from 'vitest';
import { readConfig } from '../../infra/config.js';

function contextOf(values: Record<string, unknown>) {
  return (key: string): unknown => values[key];
}

describe('readConfig', () => {
  it('leaves every setting unset when the context names none, so the stack falls back to parameters', () => {
    expect(readConfig(contextOf({}))).toEqual({ jwtIssuer: undefined, jwtAudience: undefined, dashboardOrigin: undefined });
  });

  it('reads the issuer, a comma-separated audience and the dashboard origin', () => {
    const config = readConfig(
      contextOf({
        'liftcast:jwtIssuer': 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example',
        'liftcast:jwtAudience': 'web-client, cli-client',
        'liftcast:dashboardOrigin': 'https://dashboard.example.com',
      }),
    );

    expect(config).toEqual({
      jwtIssuer: 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_Example',
      jwtAudience: ['web-client', 'cli-client'],
      dashboardOrigin: 'https://dashboard.example.com',
    });
  });

  it('accepts the audience as a JSON array from cdk.json', () => {
    expect(readConfig(contextOf({ 'liftcast:jwtAudience': ['a', 'b'] })).jwtAudience).toEqual(['a', 'b']);
  });

  it('rejects an issuer that API Gateway would refuse (not https)', () => {
    expect(() => readConfig(contextOf({ 'liftcast:jwtIssuer': 'http://issuer.example.com' }))).toThrow(
      /liftcast:jwtIssuer must be an https:\/\/ URL/,
    );
    expect(() => readConfig(contextOf({ 'liftcast:jwtIssuer': 'issuer' }))).toThrow(/liftcast:jwtIssuer is not a URL/);
  });

  it('rejects a dashboard origin with a path or trailing slash, which CORS would never match', () => {
    expect(() => readConfig(contextOf({ 'liftcast:dashboardOrigin': 'https://dashboard.example.com/' }))).toThrow(
      /liftcast:dashboardOrigin must be a bare origin/,
    );
  });

  it('rejects an audience that names nobody', () => {
    expect(() => readConfig(contextOf({ 'liftcast:jwtAudience': ' , ' }))).toThrow(/names no audience/);
    expect(() => readConfig(contextOf({ 'liftcast:jwtAudience': [1] }))).toThrow(/array of strings/);
  });
});
