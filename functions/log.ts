/**
 * Structured JSON logs, one line per event, with the request id when there is one, so CloudWatch
 * Logs Insights (or `jq` locally) can follow a request.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  log(level: LogLevel, message: string, fields?: Record<string, unknown>): void;
}

export const consoleLogger: Logger = {
  log(level, message, fields = {}) {
    const line = JSON.stringify({ level, time: new Date().toISOString(), message, ...fields }, (_k, v: unknown) =>
      v instanceof Error ? { name: v.name, message: v.message, stack: v.stack, cause: v.cause } : v,
    );
    if (level === 'error' || level === 'warn') process.stderr.write(`${line}\n`);
    else process.stdout.write(`${line}\n`);
  },
};

/** Drops everything; for tests that provoke errors on purpose. */
export const silentLogger: Logger = { log() {} };
