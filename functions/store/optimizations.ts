/**
 * DynamoDB adapter for optimisations the worker runs (portfolio searches too large for a request).
 *
 * Item `T#<tenant>#SCENARIO#<scenarioId>` / `OPT#<id>`, in its scenario's partition so deleting the
 * scenario deletes its optimisations: the scenario version searched, the request, `status`
 * (`running` → `ready` with the deflated result, or `failed` with a problem) and times. The id is
 * derived from the version and the request, so asking again for the same search finds the same
 * item instead of starting another.
 */
import { inflateRawSync } from 'node:zlib';
import { ConditionalCheckFailedException, GetItemCommand, PutItemCommand, type AttributeValue, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { OptimizationProblemSchema, OptimizationSchema, type Optimization, type OptimizationProblem, type OptimizationResult } from '../app/portfolio/contract.js';
import type { OptimizationStore } from '../app/portfolio/ports.js';
import { translateDynamoError } from './dynamoErrors.js';
import { keys } from './keys.js';
import type { WorkProgress } from '../app/lifecycle.js';
import { finishPending, progressOf, reportPending } from './outcomes.js';

/** Largest stored result (compressed); DynamoDB's item limit is 400 KB. */
const MAX_RESULT_BYTES = 380_000;

const S = (s: string): AttributeValue => ({ S: s });

export class DynamoOptimizationStore implements OptimizationStore {
  constructor(
    private readonly db: DynamoDBClient,
    private readonly table: string,
  ) {}

  private key(tenant: string, scenarioId: string, id: string): Record<string, AttributeValue> {
    return { pk: S(keys.scenarioPartition(tenant, scenarioId)), sk: S(keys.optimizationSk(id)) };
  }

  /**
   * Starts an optimisation unless the same one exists: returns the stored one (`created: false`)
   * when it is running or done, and replaces one that failed (a new attempt).
   */
  async start(tenant: string, o: Optimization): Promise<{ optimization: Optimization; created: boolean }> {
    try {
      await this.db.send(
        new PutItemCommand({
          TableName: this.table,
          Item: {
            ...this.key(tenant, o.scenarioId, o.id),
            entity: S('optimization'),
            id: S(o.id),
            scenarioId: S(o.scenarioId),
            scenarioVersion: { N: String(o.scenarioVersion) },
            request: S(JSON.stringify(o.request)),
            status: S(o.status),
            createdAt: S(o.createdAt),
            updatedAt: S(o.updatedAt),
          },
          ConditionExpression: 'attribute_not_exists(pk) OR #status = :failed',
          ExpressionAttributeNames: { '#status': 'status' },
          ExpressionAttributeValues: { ':failed': S('failed') },
        }),
      );
      return { optimization: o, created: true };
    } catch (e) {
      if (!(e instanceof ConditionalCheckFailedException)) throw translateDynamoError(e);
      const existing = await this.get(tenant, o.scenarioId, o.id);
      // Replaced by a concurrent attempt that then failed, between the write and the read: rare; theirs stands.
      return { optimization: existing ?? o, created: false };
    }
  }

  async get(tenant: string, scenarioId: string, id: string): Promise<Optimization | null> {
    let item: Record<string, AttributeValue> | undefined;
    try {
      item = (await this.db.send(new GetItemCommand({ TableName: this.table, Key: this.key(tenant, scenarioId, id), ConsistentRead: true }))).Item;
    } catch (e) {
      throw translateDynamoError(e);
    }
    if (!item) return null;
    return OptimizationSchema.parse({
      id: item.id?.S,
      scenarioId: item.scenarioId?.S,
      scenarioVersion: Number(item.scenarioVersion?.N),
      request: JSON.parse(item.request?.S ?? 'null'),
      status: item.status?.S,
      createdAt: item.createdAt?.S,
      updatedAt: item.updatedAt?.S,
      ...(item.result?.B ? { result: JSON.parse(inflateRawSync(item.result.B).toString('utf8')) } : {}),
      ...(item.problem?.S ? { problem: JSON.parse(item.problem.S) } : {}),
      ...(item.status?.S === 'running' && progressOf(item) ? { progress: progressOf(item) } : {}),
    });
  }

  /** Records where a running optimisation stands, only while it is still running. */
  progress(tenant: string, scenarioId: string, id: string, progress: WorkProgress): Promise<boolean> {
    return reportPending(this.db, this.table, this.key(tenant, scenarioId, id), { attribute: 'status', pending: 'running' }, progress);
  }

  /** Stores the outcome of a running optimisation; false when it is no longer running (or gone). */
  finish(tenant: string, scenarioId: string, id: string, outcome: { status: 'ready'; result: OptimizationResult } | { status: 'failed'; problem: OptimizationProblem }, now: string): Promise<boolean> {
    return finishPending(
      this.db,
      this.table,
      this.key(tenant, scenarioId, id),
      { attribute: 'status', pending: 'running' },
      outcome.status === 'ready'
        ? {
            status: 'ready',
            attribute: 'result',
            document: outcome.result,
            maxBytes: MAX_RESULT_BYTES,
            tooLarge: (bytes) => `The optimisation result is too large to store (${bytes} bytes compressed).`,
          }
        : { status: 'failed', problem: OptimizationProblemSchema.parse(outcome.problem) },
      { updatedAt: S(now) },
    );
  }
}
