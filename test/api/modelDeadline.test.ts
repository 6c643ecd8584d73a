/**
 * A model whose fit never completes (its event ended in a dead-letter queue) must not stay
 * `fitting` for ever: past the deadline, the next read records it `failed`, once, conditionally.
 */
import { describe, expect, it } from 'vitest';
import { InProcessBus } from '../../functions/bus/inProcess.js';
import { silentLogger } from '../../functions/log.js';
import { ModelService } from '../../functions/app/models/service.js';
import { DynamoDatasetStore } from '../../functions/store/datasets.js';
import { DynamoModelStore } from '../../functions/store/models.js';
import { createTestLiftcast } from '../support/liftcast.js';

/** A model recorded `fitting` at a fixed time, and a service whose clock the test moves. */
async function stuckModel(id: string) {
  const lc = await createTestLiftcast();
  const tenant = lc.tenant();
  const models = new DynamoModelStore(lc.db, lc.tableName);
  const clock = { now: Date.parse('2026-11-29T10:00:00.000Z') };
  const service = new ModelService(new DynamoDatasetStore(lc.db, lc.tableName), models, new InProcessBus(silentLogger), () => new Date(clock.now), { fitDeadlineMs: 60_000 });
  const createdAt = new Date(clock.now).toISOString();
  await models.create(tenant, { id, datasetId: 'ds_x', state: 'pending', createdAt, updatedAt: createdAt, request: {}, problem: null });
  return { tenant, models, service, clock };
}

describe('fits past their deadline', () => {
  it('stay fitting before the deadline, turn failed with a problem after it, and a late worker cannot change them', async () => {
    const { tenant, models, service, clock } = await stuckModel('mdl_stuck');

    clock.now += 30_000;
    expect((await service.get(tenant, 'mdl_stuck')).status).toBe('fitting');

    clock.now += 60_000;
    const failed = await service.get(tenant, 'mdl_stuck');
    expect(failed.status).toBe('failed');
    expect(failed.problem?.detail).toMatch(/Request the model again/);
    expect((await service.list(tenant, { limit: 10 })).items[0]!.status).toBe('failed');
    // The record is final: a worker finishing late is refused by the condition.
    expect(await models.finish(tenant, 'mdl_stuck', { state: 'ready', doc: {} }, new Date(clock.now).toISOString())).toBe(false);
    expect((await service.get(tenant, 'mdl_stuck')).status).toBe('failed');
  });

  it('a worker that finished first wins: the read returns its result', async () => {
    const { tenant, models, service, clock } = await stuckModel('mdl_late');
    clock.now += 120_000;
    await models.finish(tenant, 'mdl_late', { state: 'failed', problem: { title: 'Worker said', detail: 'its own reason' } }, new Date(clock.now).toISOString());
    const read = await service.get(tenant, 'mdl_late');
    expect(read.status).toBe('failed');
    expect(read.problem?.title).toBe('Worker said');
  });
});
