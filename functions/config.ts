/**
 * The one place that reads the environment. Entry points (local server, Lambda handlers, CLI) call
 * {@link loadConfig} once at start-up and pass the result down; a bad value stops the process with a
 * message naming the variable, instead of failing on the first request.
 */
import { z } from 'zod';

export const DEV_JWT_SECRET = 'liftcast-development-secret-change-me';

const ConfigSchema = z.object({
  TABLE_NAME: z.string().min(3).max(255).regex(/^[A-Za-z0-9_.-]+$/).default('liftcast'),
  DYNAMODB_ENDPOINT: z.url().optional(),
  AWS_REGION: z.string().min(1).default('us-east-1'),
  LIFTCAST_AUTH_MODE: z.enum(['local', 'gateway']).default('local'),
  LIFTCAST_JWT_SECRET: z.string().min(16, 'must be at least 16 characters').default(DEV_JWT_SECRET),
  LIFTCAST_DATA_DIR: z.string().min(1).default('.data'),
  PORT: z.coerce.number().int().min(0).max(65535).default(3000),
  // EventBridge bus name or ARN (1–256 characters of the names EventBridge accepts).
  LIFTCAST_EVENT_BUS: z.string().regex(/^[A-Za-z0-9/:._-]{1,256}$/, 'must be an EventBridge bus name or ARN').optional(),
});

export interface Config {
  tableName: string;
  dynamoEndpoint: string | undefined;
  region: string;
  auth: { mode: 'local'; secret: string } | { mode: 'gateway' };
  /** True when the development secret is in use (the server then says so at start-up). */
  devSecret: boolean;
  dataDir: string;
  port: number;
  /**
   * EventBridge bus that events are published to (`LIFTCAST_EVENT_BUS`). When set, a queued model
   * fit is done by the model worker Lambda; when absent, by the in-process bus (local server, tests).
   */
  eventBus: string | undefined;
}

export class ConfigError extends Error {}

/** Reads and validates configuration; throws {@link ConfigError} naming every bad variable. */
export function loadConfig(env: Record<string, string | undefined> = process.env): Config {
  const blankToUndefined = Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v === '' ? undefined : v]));
  const parsed = ConfigSchema.safeParse(blankToUndefined);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`Invalid configuration:\n${lines.join('\n')}`);
  }
  const c = parsed.data;
  return {
    tableName: c.TABLE_NAME,
    dynamoEndpoint: c.DYNAMODB_ENDPOINT,
    region: c.AWS_REGION,
    auth: c.LIFTCAST_AUTH_MODE === 'gateway' ? { mode: 'gateway' } : { mode: 'local', secret: c.LIFTCAST_JWT_SECRET },
    devSecret: c.LIFTCAST_JWT_SECRET === DEV_JWT_SECRET,
    dataDir: c.LIFTCAST_DATA_DIR,
    port: c.PORT,
    eventBus: c.LIFTCAST_EVENT_BUS,
  };
}

/**
 * The X-Ray trace header of the Lambda invocation running now (`_X_AMZN_TRACE_ID`), when tracing
 * is on. The runtime sets it afresh for each invocation, so it is read at the moment of use, unlike
 * the rest of the configuration.
 */
export function lambdaTraceHeader(env: Record<string, string | undefined> = process.env): string | undefined {
  return env._X_AMZN_TRACE_ID || undefined;
}
