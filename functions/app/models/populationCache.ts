/**
 * Populations kept in memory for what-ifs and forecasts: building one means reading every chunk of
 * a wave (a 1,000,000 × 20 population is 160 MB), and sealed waves never change.
 */
import type { DriverModel } from '../../../model/drivers/contract.js';
import type { Population } from '../../../model/drivers/population.js';

/** The cache key of a model's population: tenant, dataset, grouping and attributes. */
export function populationKey(tenant: string, datasetId: string, model: Pick<DriverModel, 'attributes' | 'segmentBy'>): string {
  return JSON.stringify([tenant, datasetId, model.segmentBy, model.attributes.map((a) => a.name)]);
}

/**
 * Least-recently-used populations (or what is built with one: the ledger keeps a wave's date beside
 * it), keyed by tenant, dataset, grouping and attributes. Sealed datasets never change, so an entry
 * never goes stale; a failed build is not kept. Concurrent what-ifs on one model share one build.
 */
export class PopulationCache<T = Population> {
  private readonly entries = new Map<string, Promise<T>>();

  constructor(private readonly capacity: number) {}

  get(key: string, build: () => Promise<T>): Promise<T> {
    const hit = this.entries.get(key);
    if (hit) {
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const built = build();
    this.put(key, built);
    built.catch(() => {
      if (this.entries.get(key) === built) this.entries.delete(key);
    });
    return built;
  }

  put(key: string, population: Promise<T>): void {
    if (this.capacity <= 0) return;
    this.entries.delete(key);
    this.entries.set(key, population);
    while (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
  }
}
