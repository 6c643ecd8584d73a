/**
 * Turns AWS SDK failures into the API's error family, so no DynamoDB exception ever reaches a
 * client as a raw 500 with an SDK message.
 */
import { InternalError, ProblemError, ServiceUnavailableError } from '../errors.js';

const RETRYABLE = new Set([
  'ProvisionedThroughputExceededException',
  'ThrottlingException',
  'RequestLimitExceeded',
  'InternalServerError',
  'ServiceUnavailable',
  'TimeoutError',
]);

export function translateDynamoError(e: unknown): ProblemError {
  if (e instanceof ProblemError) return e;
  const name = e instanceof Error ? e.name : '';
  if (RETRYABLE.has(name) || (e instanceof Error && /ECONNREFUSED|ECONNRESET|socket hang up/.test(e.message)))
    return new ServiceUnavailableError('The data store is busy or unreachable; retry shortly.', { cause: e, headers: { 'Retry-After': '1' } });
  return new InternalError(`DynamoDB request failed: ${name}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
}
