/**
 * Idempotency of creating requests (`Idempotency-Key`, IETF draft-ietf-httpapi-idempotency-key-header):
 * the port services use, and the key a request brings. The DynamoDB adapter is
 * functions/store/idempotency.ts. {@link createOnce} is how a creating request uses them.
 */
import { ConflictError } from './errors.js';

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

/** The steps of a creating request, as {@link createOnce} runs them. */
export interface CreateSteps<P, T> {
  /** The work before the key is claimed (checks, a forecast); skipped when the key already completed. */
  prepare(): Promise<P>;
  /**
   * Writes resource `id`, with `completion(status, body)` in the same transaction.
   * @throws ConflictError when it already exists
   */
  write(id: string, prepared: P, completion: (status: number, body: unknown) => IdempotencyCompletion[]): Promise<T>;
  /** The resource an earlier request with the key created, from the body its completion recorded. */
  replay(body: unknown): Promise<T>;
}

/**
 * A creating request under an optional `Idempotency-Key`, the same way for every resource: a key
 * that already completed replays its first answer before any work is done; otherwise the work is
 * prepared (nothing is claimed if it fails), the key is claimed (a retry of a request that died
 * half-way resumes with its resource id) and the resource is written with the key's completion.
 * When a concurrent retry with the same key wrote first, the answer is its answer.
 */
export async function createOnce<P, T>(
  port: IdempotencyPort,
  request: { tenant: string; operation: string; idem: IdempotencyInput | undefined; now: number; proposedId: string },
  steps: CreateSteps<P, T>,
): Promise<{ value: T; replayed: boolean }> {
  const { tenant, operation, idem, now } = request;
  const replayed = async (body: unknown) => ({ value: await steps.replay(body), replayed: true });
  if (idem) {
    const done = await port.completed(tenant, operation, idem.key, idem.fingerprint, now);
    if (done) return replayed(done.body);
  }
  const prepared = await steps.prepare();
  let id = request.proposedId;
  if (idem) {
    const start = await port.start(tenant, operation, idem.key, idem.fingerprint, id, now);
    if (start.kind === 'replay') return replayed(start.body);
    id = start.resourceId;
  }
  const completion = (status: number, body: unknown): IdempotencyCompletion[] => (idem ? [{ tenant, operation, key: idem.key, fingerprint: idem.fingerprint, status, body }] : []);
  try {
    return { value: await steps.write(id, prepared, completion), replayed: false };
  } catch (e) {
    if (!(e instanceof ConflictError) || !idem) throw e;
    const again = await port.start(tenant, operation, idem.key, idem.fingerprint, id, now);
    if (again.kind === 'replay') return replayed(again.body);
    throw e;
  }
}
