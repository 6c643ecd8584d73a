/**
 * The forecast ledger's statistics (model/ledger) on two known-truth waves (test/support/twoWaves.ts):
 * realised lifts by difference-in-differences and their intervals, the cases that cannot be
 * evaluated, the NPS bridge, and the calibration factor on waves where an account-level cause makes
 * the cross-sectional model overstate.
 */
import { describe, expect, test } from 'vitest';
import { ModelRequestSchema, type DriverModel } from '../../model/drivers/contract.js';
import { fitDriverModel } from '../../model/drivers/driverModel.js';
import { buildPopulation, type Population } from '../../model/drivers/population.js';
import { npsBridge } from '../../model/ledger/bridge.js';
import { calibrate, calibratedLift, ledgerSummary, type LedgerEntry } from '../../model/ledger/calibration.js';
import { realisedLift } from '../../model/ledger/realised.js';
import { ScenarioInputSchema } from '../../model/scenario/contract.js';
import { forecastScenario } from '../../model/scenario/forecast.js';
import { FAMILIES } from '../support/truthFamily.js';
import { AFTER_DATE, BEFORE_DATE, twoWaves, type TwoWaves } from '../support/twoWaves.js';

const dates = { beforeDate: BEFORE_DATE, afterDate: AFTER_DATE };

function populations(w: TwoWaves): { before: Population; after: Population } {
  const b = buildPopulation(w.attributes, [w.before], { segmentBy: ['segment', 'role'] });
  const a = buildPopulation(w.attributes, [w.after], { segmentBy: ['segment', 'role'] });
  if (!b.ok || !a.ok) throw new Error('population');
  return { before: b.population, after: a.population };
}

describe('realised lifts by difference-in-differences', () => {
  test('90 % intervals hold the true effect of ≥ 85 % of 120 launch × seed pairs (staggered launches, churn, drift, a mix shift)', () => {
    let held = 0;
    let pairs = 0;
    let abs = 0;
    for (let seed = 701; seed < 731; seed++) {
      const w = twoWaves(seed, 3000, FAMILIES.rich);
      const { before, after } = populations(w);
      for (const l of w.launches) {
        const r = realisedLift(before, after, l, w.launches, dates);
        if (!r.ok) throw new Error(`${seed} ${l.id}: ${r.reason}`);
        pairs++;
        abs += Math.abs(r.lift - l.trueLift);
        if (r.interval[0] <= l.trueLift && l.trueLift <= r.interval[1]) held++;
        expect(r.method).toMatch(/panel difference-in-differences/);
      }
    }
    console.log(`realised lifts: ${held} of ${pairs} intervals hold the truth (${((100 * held) / pairs).toFixed(1)} %), MAE ${(abs / pairs).toFixed(3)} points`);
    expect(held / pairs).toBeGreaterThanOrEqual(0.85);
  });

  test('says why instead of printing a number: no comparison group, too few reached, a launch outside the two waves', () => {
    const w = twoWaves(702, 1500, FAMILIES.rich);
    const { before, after } = populations(w);
    const everyone = { ...w.launches[0]!, id: 'all', reached: {} };
    const r1 = realisedLift(before, after, everyone, [], dates);
    expect(r1.ok).toBe(false);
    if (!r1.ok) expect(r1.reason).toMatch(/No comparison group/);
    const few = { ...w.launches[0]!, id: 'few', reached: { accounts: ['A-1', 'A-2'] } };
    const r2 = realisedLift(before, after, few, [], dates);
    expect(r2.ok).toBe(false);
    if (!r2.ok) expect(r2.reason).toMatch(/Too few reached/);
    const late = { ...w.launches[0]!, launchedOn: '2026-08-01' };
    const r3 = realisedLift(before, after, late, [], dates);
    expect(r3.ok).toBe(false);
    if (!r3.ok) expect(r3.reason).toMatch(/not between the two waves/);
  });
});

describe('the NPS bridge between two waves', () => {
  test('its parts add up to the change exactly; the remainder’s interval holds the true drift and the ratings part tracks the true rating shift', () => {
    let driftHeld = 0;
    for (let seed = 901; seed < 905; seed++) {
      const w = twoWaves(seed, 4000, FAMILIES.rich);
      const { before, after } = populations(w);
      const fitted = fitDriverModel(before, ModelRequestSchema.parse({ datasetId: 'x' }));
      if (!fitted.ok) throw new Error(fitted.detail);
      const launches = w.launches.map((l) => {
        const r = realisedLift(before, after, l, w.launches, dates);
        if (!r.ok) throw new Error(r.reason);
        return { id: l.id, name: l.id, lift: r.lift, interval: r.interval, reached: l.reached };
      });
      const bridge = npsBridge(before, after, fitted.model, launches);
      const sum = bridge.parts.reduce((a, p) => a + p.value, 0);
      expect(Math.abs(sum - bridge.change)).toBeLessThan(1e-9);
      expect(bridge.change).toBeCloseTo(bridge.after.nps - bridge.before.nps, 12);
      const remainder = bridge.parts.find((p) => p.kind === 'remainder')!;
      if (remainder.interval![0] <= w.trueDriftEffect && w.trueDriftEffect <= remainder.interval![1]) driftHeld++;
      const ratings = bridge.parts.find((p) => p.kind === 'ratings')!;
      expect(Math.abs(ratings.value - w.trueShiftEffect)).toBeLessThan(1);
    }
    expect(driftHeld).toBeGreaterThanOrEqual(3);
  });
});

describe('calibration against realised results', () => {
  test('where an account-level cause makes forecasts overstate, the factor finds the true ratio and calibrated forecasts err less', () => {
    // Six waves of confounded accounts: each seed's four launches are forecast on its first wave and
    // realised on its second.
    const seeds = [811, 812, 813, 814, 815, 816];
    const bySeed = seeds.map((seed) => {
      const w = twoWaves(seed, 5000, { ...FAMILIES.rich, confounder: true });
      const { before, after } = populations(w);
      const fitted = fitDriverModel(before, ModelRequestSchema.parse({ datasetId: 'x' }));
      if (!fitted.ok) throw new Error(fitted.detail);
      const model: DriverModel = fitted.model;
      return w.launches.map((l) => {
        const scenario = ScenarioInputSchema.parse({
          name: l.id,
          modelId: 'x',
          initiatives: [{ id: l.id, name: l.id, effects: l.changes, target: l.reached, cost: { oneTime: 1 } }],
        });
        const out = forecastScenario(model, before, scenario, { modelId: 'x', computedAt: 't' });
        if (!out.ok) throw new Error(out.detail);
        const f = out.forecast.initiatives[0]!;
        const r = realisedLift(before, after, l, w.launches, dates);
        if (!r.ok) throw new Error(r.reason);
        const entry: LedgerEntry = { forecast: { lift: f.nps.lift, interval: f.nps.interval, level: 0.9 }, realised: { lift: r.lift, interval: r.interval, level: 0.9 }, attributes: l.changes.map((c) => c.attribute) };
        return { entry, truth: l.trueLift };
      });
    });
    const all = bySeed.flat();
    const calibration = calibrate(all.map((x) => x.entry))!;
    // The true ratio: truth ≈ c·forecast by least squares through the origin.
    const trueRatio = all.reduce((a, x) => a + x.truth * x.entry.forecast.lift, 0) / all.reduce((a, x) => a + x.entry.forecast.lift ** 2, 0);
    const summary = ledgerSummary(all.map((x) => x.entry));
    console.log(`confounded: forecasts overstate (true ratio ${trueRatio.toFixed(2)}); calibration factor ${calibration.factor.toFixed(2)} [${calibration.interval.map((v) => v.toFixed(2)).join(', ')}] over ${calibration.launches} launches; forecast MAE ${summary.mae!.toFixed(2)}`);
    expect(trueRatio).toBeLessThan(0.85);
    expect(calibration.interval[0]).toBeLessThanOrEqual(trueRatio);
    expect(trueRatio).toBeLessThanOrEqual(calibration.interval[1]);
    // Leave one wave out: calibrate on the others, apply to its forecasts.
    let rawErr = 0;
    let calErr = 0;
    let calWithin2 = 0;
    bySeed.forEach((held, s) => {
      const others = bySeed.filter((_, t) => t !== s).flat().map((x) => x.entry);
      const c = calibrate(others)!;
      for (const x of held) {
        const cal = calibratedLift(x.entry.forecast.lift, x.entry.forecast.interval, 0.9, c, x.entry.attributes);
        rawErr += Math.abs(x.entry.forecast.lift - x.truth);
        calErr += Math.abs(cal.lift - x.truth);
        if (Math.abs(cal.lift - x.truth) <= 2) calWithin2++;
      }
    });
    console.log(`leave-one-wave-out: raw MAE ${(rawErr / all.length).toFixed(2)}, calibrated ${(calErr / all.length).toFixed(2)}; calibrated within 2 points ${calWithin2} of ${all.length}`);
    expect(calErr).toBeLessThan(rawErr);
    expect(calWithin2 / all.length).toBeGreaterThanOrEqual(0.9);
  }, 300_000);
});
