/**
 * The forecast ledger over a tenant's launches: each launch's frozen forecast beside what the next
 * wave realised (model/ledger/realised.ts), the summary across launches and the calibration factor
 * (model/ledger/calibration.ts). The same calibration is the source new forecasts are calibrated
 * with (the scenario service's {@link CalibrationSource}).
 */
import { calibrate, ledgerSummary, type LedgerEntry } from '../../../model/ledger/calibration.js';
import type { Calibration } from '../../../model/ledger/contract.js';
import type { CalibrationSource } from '../scenarios/ports.js';
import type { Ledger, LedgerItem, LedgerRecord } from './contract.js';
import type { LaunchStore } from './ports.js';

const holds = (interval: readonly [number, number], x: number): boolean => interval[0] <= x && x <= interval[1];

/** What the calibration reads of a launch. */
export function entryOf(r: LedgerRecord): LedgerEntry {
  const e = r.evaluation;
  return {
    forecast: { lift: r.forecast.lift, interval: r.forecast.interval, level: r.forecast.level },
    realised: e?.status === 'evaluated' ? { lift: e.realised.lift, interval: e.realised.interval, level: e.realised.level } : null,
    attributes: r.initiative.effects.map((x) => x.attribute),
  };
}

/** One line of the ledger: forecast, realised (or why not), the error and whether each interval held the other. */
export function itemOf(r: LedgerRecord): LedgerItem {
  const e = r.evaluation;
  const realised = e?.status === 'evaluated' ? e.realised : null;
  const f = r.forecast;
  return {
    launchId: r.id,
    scenarioId: r.scenarioId,
    scenarioVersion: r.scenarioVersion,
    initiativeId: r.initiativeId,
    launchedOn: r.launchedOn,
    endedOn: r.endedOn,
    forecast: { lift: f.lift, interval: f.interval, level: f.level },
    afterDatasetId: e?.afterDatasetId ?? null,
    realised,
    reason: e === null ? `Not evaluated yet: no wave dated after ${r.launchedOn} has been sealed.` : e.status === 'not-evaluable' ? e.reason : null,
    error: realised ? realised.lift - f.lift : null,
    forecastHeld: realised ? holds(f.interval, realised.lift) : null,
    realisedHeld: realised ? holds(realised.interval, f.lift) : null,
  };
}

/** The ledger of these launches (newest first, as given). */
export function ledgerOf(records: readonly LedgerRecord[]): Ledger {
  const entries = records.map(entryOf);
  return { items: records.map(itemOf), summary: ledgerSummary(entries), calibration: calibrate(entries) };
}

/** The tenant's calibration, read from its launches as stored. */
export class LedgerCalibration implements CalibrationSource {
  constructor(private readonly store: Pick<LaunchStore, 'ledger'>) {}

  async calibration(tenant: string): Promise<Calibration | null> {
    return calibrate((await this.store.ledger(tenant)).map(entryOf));
  }
}
