/**
 * The difference between two forecasts with its interval. Two forecasts on one driver model share
 * its error, so their difference is surer than two independent intervals suggest: Var(a − b) =
 * σ_a² + σ_b² − 2·Cov, Cov being the mean product of their deviations under the model's bootstrap
 * replicates (`uncertainty.replicates`). Forecasts on different models (or without replicates) are
 * taken as independent, which errs on the wide side.
 */
import { normalQuantile } from '../stats/normal.js';

export interface Compared {
  value: number;
  interval: [number, number];
  /** The interval's level (0–1). */
  level: number;
  /** Deviations under the model's replicates (same units), when the forecast has them. */
  replicates: readonly number[] | null;
  modelId: string;
}

/** a − b at the lower of the two levels, and whether the shared model's covariance was used. */
export function difference(a: Compared, b: Compared): { value: number; interval: [number, number]; level: number; correlated: boolean } {
  const level = Math.min(a.level, b.level);
  const z = normalQuantile(0.5 + level / 2);
  const sd = (c: Compared): number => (c.interval[1] - c.interval[0]) / (2 * normalQuantile(0.5 + c.level / 2));
  let cov = 0;
  const shared = a.modelId === b.modelId && a.replicates !== null && b.replicates !== null && a.replicates.length > 0 && a.replicates.length === b.replicates.length;
  if (shared) {
    for (let i = 0; i < a.replicates!.length; i++) cov += a.replicates![i]! * b.replicates![i]!;
    cov /= a.replicates!.length;
  }
  const s = Math.sqrt(Math.max(0, sd(a) ** 2 + sd(b) ** 2 - 2 * cov));
  const d = a.value - b.value;
  return { value: d, interval: [d - z * s, d + z * s], level, correlated: shared };
}
