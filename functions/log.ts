/**
 * Structured JSON logs, one line per event, with the request id when there is one, so CloudWatch
 * Logs Insights (or `jq` locally) can follow a request.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

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

/**
 * A logger whose every line carries the fields of the request or invocation it runs in (request id,
 * event id), including lines written deep inside the services, which know nothing of HTTP or
 * Lambda. Work started from a request (the in-process bus's handlers) keeps its request's fields.
 */
export class RequestScope {
  private readonly storage = new AsyncLocalStorage<Record<string, unknown>>();
  readonly logger: Logger;

  constructor(base: Logger) {
    this.logger = { log: (level, message, fields = {}) => base.log(level, message, { ...this.storage.getStore(), ...fields }) };
  }

  /** Runs `work` with `fields` added to every line logged through {@link RequestScope.logger}. */
  run<T>(fields: Record<string, unknown>, work: () => Promise<T>): Promise<T> {
    return this.storage.run({ ...this.storage.getStore(), ...fields }, work);
  }
}
