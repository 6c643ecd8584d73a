/**
 * Idempotency of creating requests (`Idempotency-Key`, IETF draft-ietf-httpapi-idempotency-key-header):
 * the port services use, and the key a request brings. The DynamoDB adapter is
 * functions/store/idempotency.ts.
 */

export interface IdempotencyInput {
  key: string;
  /** Hash of everything that defines the request (method, path, query, content type, body). */
  fingerprint: string;
}

export type IdempotencyStart = { kind: 'proceed'; resourceId: string } | { kind: 'replay'; status: number; body: unknown };

/**
 * A key completed with its response: written in the same transaction as the resource the request
 * created, so the resource and the record of its creation appear together.
 */
export interface IdempotencyCompletion {
  tenant: string;
  operation: string;
  key: string;
  fingerprint: string;
  status: number;
  body: unknown;
}

export interface IdempotencyPort {
  /**
   * Looks without claiming: the first response when this key already completed with the same
   * request, `null` when the key is free or its request still pending.
   * @throws IdempotencyMismatchError when the key was used with another request
   */
  completed(tenant: string, operation: string, key: string, fingerprint: string, now: number): Promise<{ status: number; body: unknown } | null>;
  /**
   * Claims `key` for this request, or tells the caller to replay or resume. `proposedId` is the
   * resource id to use when the key is new.
   * @throws IdempotencyMismatchError when the key was used with another request
   */
  start(tenant: string, operation: string, key: string, fingerprint: string, proposedId: string, now: number): Promise<IdempotencyStart>;
}
