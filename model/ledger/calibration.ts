/**
 * What the ledger learns from its launches: how forecasts compared with realised lifts (MAE, the
 * share within two points, how often each interval held the other), and a calibration factor —
 * realised ≈ c · forecast — pooled over launches by a normal model with a prior c ~ N(1, τ²) (so a
 * few launches move it a little and many move it a lot):
 *
 *     precision = 1/τ² + Σ f_i²/σ_i²,   c = (1/τ² + Σ f_i r_i/σ_i²) / precision,
 *
 * σ_i² the realised and forecast variances added (each read from its interval at its level). The
 * same per attribute when at least {@link MIN_PER_ATTRIBUTE} launches changed it. New forecasts
 * carry `calibrated` = c × their lift, their interval widened by c's own uncertainty.
 */
import { normalQuantile } from '../stats/normal.js';
import type { Calibration, LedgerSummary } from './contract.js';

/** Prior sd of the calibration factor around 1. */
export const PRIOR_SD = 0.5;
/** Launches an attribute needs before it gets its own factor. */
export const MIN_PER_ATTRIBUTE = 3;

export interface LedgerEntry {
  forecast: { lift: number; interval: [number, number]; level: number };
  realised: { lift: number; interval: [number, number]; level: number } | null;
  /** Attributes the launched initiative changes. */
  attributes: readonly string[];
}

const sdOf = (interval: [number, number], level: number): number => (interval[1] - interval[0]) / (2 * normalQuantile(0.5 + level / 2));
const holds = (interval: [number, number], x: number): boolean => interval[0] <= x && x <= interval[1];

export function ledgerSummary(entries: readonly LedgerEntry[]): LedgerSummary {
  const done = entries.filter((e) => e.realised !== null);
  const share = (pred: (e: LedgerEntry) => boolean): number | null => (done.length > 0 ? done.filter(pred).length / done.length : null);
  return {
    launches: entries.length,
    evaluated: done.length,
    mae: done.length > 0 ? done.reduce((a, e) => a + Math.abs(e.forecast.lift - e.realised!.lift), 0) / done.length : null,
    within2: share((e) => Math.abs(e.forecast.lift - e.realised!.lift) <= 2),
    forecastCoverage: share((e) => holds(e.forecast.interval, e.realised!.lift)),
    realisedCoverage: share((e) => holds(e.realised!.interval, e.forecast.lift)),
  };
}

function pooled(entries: readonly LedgerEntry[], level: number): { factor: number; interval: [number, number]; sd: number } {
  let precision = 1 / (PRIOR_SD * PRIOR_SD);
  let weighted = precision;
  for (const e of entries) {
    const r = e.realised!;
    const variance = sdOf(r.interval, r.level) ** 2 + sdOf(e.forecast.interval, e.forecast.level) ** 2;
    const v = Math.max(variance, 1e-9);
    precision += (e.forecast.lift * e.forecast.lift) / v;
    weighted += (e.forecast.lift * r.lift) / v;
  }
  const factor = weighted / precision;
  const sd = 1 / Math.sqrt(precision);
  const z = normalQuantile(0.5 + level / 2);
  return { factor, interval: [factor - z * sd, factor + z * sd], sd };
}

/** The calibration factor over the evaluated launches (null before any), overall and per attribute. */
export function calibrate(entries: readonly LedgerEntry[], level = 0.9): Calibration | null {
  const done = entries.filter((e) => e.realised !== null);
  if (done.length === 0) return null;
  const all = pooled(done, level);
  const byName = new Map<string, LedgerEntry[]>();
  for (const e of done) for (const a of new Set(e.attributes)) byName.set(a, [...(byName.get(a) ?? []), e]);
  const byAttribute = [...byName]
    .filter(([, es]) => es.length >= MIN_PER_ATTRIBUTE)
    .map(([attribute, es]) => {
      const p = pooled(es, level);
      return { attribute, factor: p.factor, interval: p.interval, launches: es.length };
    })
    .sort((a, b) => a.attribute.localeCompare(b.attribute));
  return { factor: all.factor, interval: all.interval, launches: done.length, byAttribute };
}

/**
 * A forecast lift calibrated by the ledger: c·lift, with an interval that adds c's uncertainty
 * (lift² · sd_c²) to the forecast's own. The attribute-specific factor is used when every attribute
 * the initiative changes has one (their mean), else the overall factor.
 */
export function calibratedLift(lift: number, interval: [number, number], level: number, calibration: Calibration, attributes: readonly string[]): { lift: number; interval: [number, number]; factor: number } {
  const own = attributes.map((a) => calibration.byAttribute.find((b) => b.attribute === a));
  const chosen = own.length > 0 && own.every((x) => x !== undefined) ? own : [calibration];
  const factor = chosen.reduce((a, c) => a + c!.factor, 0) / chosen.length;
  const sdFactor = chosen.reduce((a, c) => a + sdOf(c!.interval, 0.9), 0) / chosen.length;
  const z = normalQuantile(0.5 + level / 2);
  const sdLift = sdOf(interval, level);
  const sd = Math.sqrt((factor * sdLift) ** 2 + (lift * sdFactor) ** 2);
  const centre = factor * lift;
  return { lift: centre, interval: [centre - z * sd, centre + z * sd], factor };
}
