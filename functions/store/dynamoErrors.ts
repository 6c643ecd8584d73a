/**
 * Turns AWS SDK failures into the application's error family, so no DynamoDB exception ever reaches a
 * client as a raw 500 with an SDK message.
 */
import { AppError, InternalError, UnavailableError } from '../app/errors.js';

const RETRYABLE = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TimeoutError',
]);

export function translateDynamoError(e: unknown): AppError {
  if (e instanceof AppError) return e;
  const name = e instanceof Error ? e.name : '';
  if (RETRYABLE.has(name) || (e instanceof Error && /ECONNREFUSED|ECONNRESET|socket hang up/.test(e.message)))
    return new UnavailableError('The data store is busy or unreachable; retry shortly.', { cause: e, retryAfterSeconds: 1 });
  return new InternalError(`DynamoDB request failed: ${name}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
}

/** Runs one DynamoDB call, turning an SDK failure into the application's error. */
export async function dynamoCall<T>(call: () => Promise<T>): Promise<T> {
  try {
    return await call();
  } catch (e) {
    throw translateDynamoError(e);
  }
}
