/**
 * Use cases for survey waves: create (one request), append batches, seal, read, delete. Handlers call
 * these after validating the request; these call the pure model for validation and summaries and the
 * store for conditional writes. Nothing is written unless the whole upload is valid.
 */
import { LIMITS, parseWave, type RawTable, type RowError } from '../../../model/dataset.js';
import { addColumns, createSummaryAccumulator, finishSummary, summarize } from '../../../model/summary.js';
import { newId } from '../../ids.js';
import { ConflictError, IdempotencyMismatchError, NotFoundError, ValidationError } from '../errors.js';
import type { OutboxPort, PendingEvent } from '../events.js';
import type { IdempotencyInput, IdempotencyPort } from '../idempotency.js';
import { DatasetSchema, type AppendResult, type BatchRecord, type CreateDatasetInput, type Dataset, type DatasetPage } from './contract.js';
import type { DatasetStore } from './ports.js';

/** Batch key of the rows sent with the creating request. */
const INITIAL_BATCH = 'initial';

export class DatasetService {
  constructor(
    private readonly store: DatasetStore,
    private readonly idempotency: IdempotencyPort,
    private readonly clock: () => Date,
    /** Where `DatasetIngested` goes; without it (unit tests of the store logic) nothing is announced. */
    private readonly outbox: OutboxPort | null = null,
  ) {}

  get(tenant: string, id: string): Promise<Dataset> {
    return this.store.get(tenant, id);
  }

  list(tenant: string, limit: number, cursor?: string): Promise<DatasetPage> {
    return this.store.list(tenant, limit, cursor);
  }

  /** Deletes a dataset and every respondent in it; models fitted on it can no longer simulate. */
  delete(tenant: string, id: string): Promise<void> {
    return this.store.delete(tenant, id);
  }

  /**
   * Creates a dataset from one upload. `seal: false` keeps it open for appended batches (its summary
   * is computed when it is sealed).
   */
  async create(tenant: string, input: CreateDatasetInput, idem?: IdempotencyInput): Promise<{ dataset: Dataset; replayed: boolean }> {
    const parsed = parseWave(input.table, { described: input.described, ...(input.missing ? { missing: input.missing } : {}) });
    if (!parsed.ok) throw uploadRejected(parsed.errors, parsed.errorCount);
    const now = this.clock();
    let id = newId('ds', now.getTime());
    if (idem) {
      const start = await this.idempotency.start(tenant, 'datasets', idem.key, idem.fingerprint, id, now.getTime());
      if (start.kind === 'replay') return { dataset: await this.replay(tenant, start.body), replayed: true };
      id = start.resourceId;
    }
    const chunks = this.store.prepare(parsed.columns);
    await this.store.putChunks(tenant, id, 0, chunks, INITIAL_BATCH);
    const createdAt = now.toISOString();
    const batch: BatchRecord = {
      key: INITIAL_BATCH,
      status: 'committed',
      hash: idem?.fingerprint ?? '',
      firstChunk: 0,
      chunkCount: chunks.count,
      rows: parsed.columns.size,
      createdAt,
    };
    const status = input.seal ? 'sealed' : 'open';
    const summary = input.seal ? summarize(parsed.attributes, [parsed.columns]) : null;
    const expected: Dataset = {
      id,
      name: input.name,
      status,
      createdAt,
      updatedAt: createdAt,
      version: 1,
      rowCount: batch.rows,
      attributes: parsed.attributes,
      summary,
    };
    try {
      const event = status === 'sealed' ? this.ingested(tenant, id, batch.rows, parsed.attributes.length, createdAt) : undefined;
      const dataset = await this.store.createMeta(
        tenant,
        { id, name: input.name, createdAt, attributes: parsed.attributes, status, summary, batch },
        idem ? [{ tenant, operation: 'datasets', key: idem.key, fingerprint: idem.fingerprint, status: 201, body: expected }] : [],
        event,
      );
      if (event) await this.outbox?.deliverOrLeave(this.store.outboxItem(tenant, id), event, { tenant, datasetId: id });
      return { dataset, replayed: false };
    } catch (e) {
      if (!(e instanceof ConflictError) || !idem) throw e;
      // A concurrent retry with the same key finished first: answer as it did.
      const again = await this.idempotency.start(tenant, 'datasets', idem.key, idem.fingerprint, id, now.getTime());
      if (again.kind === 'replay') return { dataset: await this.replay(tenant, again.body), replayed: true };
      throw e;
    }
  }

  /**
   * The first response of an idempotent upload, as long as its dataset still exists: after a
   * delete the key cannot bring it back (409, as for scenarios), and a new key uploads it again.
   */
  private async replay(tenant: string, body: unknown): Promise<Dataset> {
    const dataset = DatasetSchema.parse(body);
    if (!(await this.store.getMeta(tenant, dataset.id)))
      throw new ConflictError(`The dataset this Idempotency-Key created ('${dataset.id}') has since been deleted; send a new key to upload it again.`, {
        errors: [{ field: 'header.Idempotency-Key', reason: `its dataset '${dataset.id}' was deleted` }],
      });
    return dataset;
  }

  /**
   * Appends one batch of respondents to an open dataset. The `Idempotency-Key` names the batch: a
   * retry after success changes nothing, a retry after a failure finishes the same batch.
   */
  async append(tenant: string, id: string, table: RawTable, idem: IdempotencyInput): Promise<{ result: AppendResult; replayed: boolean }> {
    const meta = await this.store.getMeta(tenant, id);
    if (!meta) throw new NotFoundError(`No dataset '${id}'.`);
    let existing = await this.store.getBatch(tenant, id, idem.key);
    checkFingerprint(existing, idem);
    if (existing?.status === 'committed')
      return { result: { batch: { key: existing.key, rows: existing.rows }, dataset: meta.dataset }, replayed: true };
    if (meta.dataset.status !== 'open') throw new ConflictError(`Dataset '${id}' is sealed: no more rows can be appended.`);

    const parsed = parseWave(table, { expected: meta.dataset.attributes });
    if (!parsed.ok) throw uploadRejected(parsed.errors, parsed.errorCount);
    const chunks = this.store.prepare(parsed.columns);
    const createdAt = this.clock().toISOString();
    if (!existing) {
      const firstChunk = await this.store.reserveChunks(tenant, id, chunks.count);
      const batch: BatchRecord = { key: idem.key, status: 'pending', hash: idem.fingerprint, firstChunk, chunkCount: chunks.count, rows: parsed.columns.size, createdAt };
      if (await this.store.putPendingBatch(tenant, id, batch)) existing = batch;
      else {
        // A concurrent request with the same key got there first; follow its record.
        existing = await this.store.getBatch(tenant, id, idem.key);
        checkFingerprint(existing, idem);
        if (!existing) throw new ConflictError('The batch record vanished while being written; retry.');
        if (existing.status === 'committed')
          return { result: { batch: { key: existing.key, rows: existing.rows }, dataset: await this.store.get(tenant, id) }, replayed: true };
      }
    }
    if (existing.chunkCount !== chunks.count || existing.rows !== parsed.columns.size)
      throw new ConflictError('This batch was started with a different encoding; send it with a new Idempotency-Key.');
    await this.store.putChunks(tenant, id, existing.firstChunk, chunks, idem.key);
    const dataset = await this.store.commitBatch(tenant, id, existing, createdAt);
    return { result: { batch: { key: idem.key, rows: existing.rows }, dataset }, replayed: false };
  }

  /**
   * Seals an open dataset: checks respondent ids are unique across all batches, computes the summary
   * by streaming every chunk, and freezes the dataset. Sealing a sealed dataset returns it unchanged.
   */
  async seal(tenant: string, id: string): Promise<Dataset> {
    const meta = await this.store.getMeta(tenant, id);
    if (!meta) throw new NotFoundError(`No dataset '${id}'.`);
    if (meta.dataset.status === 'sealed') return meta.dataset;
    const pending = (await this.store.listBatches(tenant, id)).filter((b) => b.status === 'pending');
    if (pending.length > 0)
      throw new ConflictError(
        `Batches still being written: ${pending.map((b) => b.key).join(', ')}. Retry them with the same Idempotency-Key, then seal.`,
      );
    const acc = createSummaryAccumulator(meta.dataset.attributes);
    const seen = new Map<string, number>();
    const errors: RowError[] = [];
    let duplicates = 0;
    let row = 0;
    for await (const cols of this.store.readColumns(tenant, meta)) {
      for (let i = 0; i < cols.size; i++) {
        row++;
        const rid = cols.respondentId[i]!;
        const first = seen.get(rid);
        if (first === undefined) seen.set(rid, row);
        else {
          duplicates++;
          if (errors.length < LIMITS.reportedErrors)
            errors.push({ row, column: 'respondent_id', reason: `duplicate respondent_id '${rid}' (first at respondent ${first} of the dataset)` });
        }
      }
      addColumns(acc, cols);
    }
    if (duplicates > 0)
      throw new ConflictError(`${duplicates} respondent ids occur in more than one batch; the dataset stays open. Delete it and upload the wave again without duplicates.`, {
        errors,
        extensions: { errorCount: duplicates },
      });
    if (acc.bySegment.size > LIMITS.segments || acc.byRole.size > LIMITS.segments)
      throw new ConflictError(`The dataset has ${acc.bySegment.size} segments and ${acc.byRole.size} roles; at most ${LIMITS.segments} of each are allowed.`);
    const now = this.clock().toISOString();
    const event = this.ingested(tenant, id, meta.dataset.rowCount, meta.dataset.attributes.length, now);
    const sealed = await this.store.seal(tenant, meta, finishSummary(acc), now, event);
    if (event) await this.outbox?.deliverOrLeave(this.store.outboxItem(tenant, id), event, { tenant, datasetId: id });
    return sealed;
  }

  /**
   * The `DatasetIngested` a sealing write carries in its item (the outbox), so the event is owed from
   * the moment the wave is sealed and delivered even if EventBridge refuses it now.
   */
  private ingested(tenant: string, datasetId: string, rowCount: number, attributes: number, at: string): PendingEvent<'DatasetIngested'> | undefined {
    if (!this.outbox) return undefined;
    return { name: 'DatasetIngested', at, detail: { version: 1, tenant, occurredAt: at, datasetId, rowCount, attributes } };
  }
}

function checkFingerprint(batch: BatchRecord | null, idem: IdempotencyInput): void {
  if (batch && batch.hash !== idem.fingerprint)
    throw new IdempotencyMismatchError('This Idempotency-Key was already used for a different batch.', {
      errors: [{ field: 'header.Idempotency-Key', reason: 'reused with a different request' }],
    });
}

function uploadRejected(errors: RowError[], errorCount: number): ValidationError {
  return new ValidationError(
    `The upload has ${errorCount} problem${errorCount === 1 ? '' : 's'}${errorCount > errors.length ? ` (the first ${errors.length} are listed)` : ''}; nothing was stored.`,
    { errors, extensions: { errorCount } },
  );
}
