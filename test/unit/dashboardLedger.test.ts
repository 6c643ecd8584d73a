/**
 * What the dashboard's forecast-ledger card says before it draws (web/src/ledger.ts), and the
 * calibrated lift under the ranking's NPS lift (web/src/rankingCells.ts): a hand-made ledger answer
 * shaped like GET /v1/ledger's (launches evaluated, one a wave could not tell, one no wave has read
 * yet), the evaluated launches as the forecast-against-realised chart draws them, a bridge whose
 * parts do not round to their change one by one, and `__proto__` as an initiative, attribute,
 * launch and wave name. The arithmetic is beside each expectation.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Bridge, BridgePart, Ledger, LedgerItem, Outcome, RealisedLift } from '../../web/src/contract.js';
import { MINUS, MISSING } from '../../web/src/format.js';
import {
  apportion,
  bridgeChoiceProblem,
  bridgeNote,
  bridgePath,
  bridgeSteps,
  CLOSE_POINTS,
  closeBand,
  defaultPair,
  EMPTY_LEDGER,
  launchStatus,
  ledgerRows,
  ledgerScatter,
  ledgerWords,
  sealedWaves,
  waveOption,
} from '../../web/src/ledger.js';
import { calibratedLine, calibratedNote } from '../../web/src/rankingCells.js';

function realised(lift: number, interval: [number, number]): RealisedLift {
  return {
    lift,
    interval,
    level: 0.9,
    effectOnReached: { lift: lift * 4, interval: [interval[0] * 4, interval[1] * 4] },
    method: 'difference-in-differences, panel accounts',
    accounts: { treated: 120, control: 380, panel: 210 },
    respondents: { treated: 340, control: 1100 },
  };
}

function item(id: string, over: Partial<LedgerItem>): LedgerItem {
  return {
    launchId: id,
    scenarioId: 'scn_growth',
    scenarioVersion: 2,
    initiativeId: 'onboarding-programme',
    launchedOn: '2025-03-01',
    endedOn: null,
    forecast: { lift: 1.9, interval: [0.9, 2.7], level: 0.9 },
    afterDatasetId: 'ds_q2',
    realised: null,
    reason: null,
    error: null,
    forecastHeld: null,
    realisedHeld: null,
    ...over,
  };
}

/**
 * Five launches, newest first. Evaluated: lch_2 (forecast 3.1, realised 0.6: error −2.5, neither
 * interval holds the other), lch_1 (1.9 against 1.4: −0.5, both hold), lch_0 (0.8 against 1.1:
 * +0.3, both hold). MAE (2.5 + 0.5 + 0.3) / 3 = 1.1; within 2 points, and each coverage, 2 of 3.
 */
const ledger: Ledger = {
  items: [
    item('lch_4', {
      scenarioId: 'scn_elsewhere',
      scenarioVersion: 1,
      initiativeId: '__proto__',
      launchedOn: '2025-09-01',
      forecast: { lift: 2, interval: [1.1, 2.9], level: 0.9 },
      afterDatasetId: null,
      reason: 'Not evaluated yet: no wave dated after 2025-09-01 has been sealed.',
    }),
    item('lch_3', { initiativeId: 'self-serve-portal', launchedOn: '2025-04-10', reason: 'Too few reached accounts in the wave after: 4, at least 12 are needed.' }),
    item('lch_2', {
      initiativeId: 'pricing-review',
      endedOn: '2025-05-31',
      forecast: { lift: 3.1, interval: [2.2, 4.0], level: 0.9 },
      realised: realised(0.6, [-0.5, 1.7]),
      error: 0.6 - 3.1,
      forecastHeld: false,
      realisedHeld: false,
    }),
    item('lch_1', { realised: realised(1.4, [0.3, 2.5]), error: 1.4 - 1.9, forecastHeld: true, realisedHeld: true }),
    item('lch_0', {
      initiativeId: 'support-hours',
      launchedOn: '2024-11-04',
      forecast: { lift: 0.8, interval: [0.1, 1.5], level: 0.9 },
      afterDatasetId: 'ds_q1',
      realised: realised(1.1, [0.2, 2.0]),
      error: 1.1 - 0.8,
      forecastHeld: true,
      realisedHeld: true,
    }),
  ],
  summary: { launches: 5, evaluated: 3, mae: 1.1, within2: 2 / 3, forecastCoverage: 2 / 3, realisedCoverage: 2 / 3 },
  calibration: { factor: 0.62, interval: [0.31, 0.93], launches: 3, byAttribute: [{ attribute: '__proto__', factor: 0.7, interval: [0.4, 1.0], launches: 3 }] },
};

describe('ledgerRows', () => {
  const scenarios = new Map([['scn_growth', 'Growth plan']]);

  it('gives each launch its status: evaluated, not evaluable (a wave read it but could not tell), or not evaluated yet', () => {
    const rows = ledgerRows(ledger, scenarios);

    expect(rows.map((r) => [r.launchId, r.status])).toEqual([
      ['lch_4', 'pending'],
      ['lch_3', 'not-evaluable'],
      ['lch_2', 'evaluated'],
      ['lch_1', 'evaluated'],
      ['lch_0', 'evaluated'],
    ]);
    expect(ledger.items.map(launchStatus)).toEqual(rows.map((r) => r.status));
  });

  it('writes why a launch has no realised lift, in place of the realised figures', () => {
    const [pending, notEvaluable] = ledgerRows(ledger, scenarios);

    expect(notEvaluable).toMatchObject({ reason: 'Too few reached accounts in the wave after: 4, at least 12 are needed.', realised: '', realisedInterval: '', error: MISSING });
    expect(notEvaluable?.forecastHeld.text).toBe(MISSING);
    expect(notEvaluable?.realisedHeld.text).toBe(MISSING);
    expect(notEvaluable?.reasonHeading).toBe('Not evaluable by that wave: the next one tries again');
    expect(pending?.reason).toBe('Not evaluated yet: no wave dated after 2025-09-01 has been sealed.');
    expect(pending?.reasonHeading).toBe('Waiting for the next wave');
    expect(ledgerRows(ledger)[2]?.reasonHeading).toBeNull();
    // An answer without a reason still says one.
    const silent = ledgerRows({ ...ledger, items: [{ ...ledger.items[0]!, reason: null }] })[0];
    expect(silent?.reason).toMatch(/^Not evaluated yet: no wave dated after 2025-09-01/);
  });

  it('writes forecast and realised lifts with their intervals and levels, the error, and whether each interval held the other', () => {
    const rows = ledgerRows(ledger, scenarios);
    const missed = rows[2]!;
    const held = rows[3]!;

    expect(missed).toMatchObject({
      launched: '2025-03-01 to 2025-05-31',
      initiativeId: 'pricing-review',
      scenario: 'Growth plan v2',
      forecast: '+3.1',
      forecastInterval: '[+2.2, +4.0] at 90%',
      realised: '+0.6',
      realisedInterval: `[${MINUS}0.5, +1.7] at 90%`,
      reason: null,
      error: `${MINUS}2.5`, // 0.6 − 3.1
      errorClass: 'num far', // more than 2 points off
    });
    expect(missed.forecastHeld).toMatchObject({ text: 'missed', className: 'held no' });
    expect(missed.forecastHeld.title).toBe('The forecast\u2019s 90% interval [+2.2, +4.0] did not hold the realised lift +0.6.');
    expect(missed.realisedHeld).toMatchObject({ text: 'missed', className: 'held no' });
    expect(held).toMatchObject({ launched: '2025-03-01', error: `${MINUS}0.5`, errorClass: 'num' });
    expect(held.forecastHeld).toMatchObject({ text: 'held', className: 'held yes' });
    expect(held.realisedHeld.title).toBe('The realised\u2019s 90% interval [+0.3, +2.5] held the forecast lift +1.9.');
    expect(rows[4]?.error).toBe('+0.3');
  });

  it('names the scenario by the tenant’s list, else by its id, and keeps `__proto__` as an initiative id', () => {
    const [first] = ledgerRows(ledger, scenarios);

    expect(first).toMatchObject({ initiativeId: '__proto__', scenario: 'scn_elsewhere v1', forecast: '+2.0' });
  });

  it('has no rows for an empty ledger', () => {
    expect(ledgerRows({ items: [], summary: { ...ledger.summary, launches: 0, evaluated: 0 }, calibration: null })).toEqual([]);
  });
});

describe('ledgerWords', () => {
  it('says how forecasts compared with realised lifts, with the counts behind each share', () => {
    const w = ledgerWords(ledger.summary, ledger.calibration);

    expect(w.headline).toBe('3 of 5 launches evaluated against the wave after them.');
    expect(w.accuracy).toBe(
      'Mean absolute error 1.1 points; 2 of 3 (67%) forecasts within 2 points of the realised lift. ' +
        'Forecast intervals held the realised lift for 2 of 3 (67%); realised intervals held the forecast for 2 of 3 (67%).',
    );
  });

  it('states the calibration factor with its interval, and a factor of its own for an attribute named `__proto__`', () => {
    const w = ledgerWords(ledger.summary, ledger.calibration, new Map([['__proto__', 'Onboarding ease']]));

    expect(w.calibration).toMatch(/^Calibration factor 0\.62 \[0\.31, 0\.93\] over 3 launches: realised lifts ran at about 62% of forecast /);
    expect(w.byAttribute).toEqual(['Onboarding ease: 0.70 [0.40, 1.00] over 3 launches']);
  });

  it('tells an empty ledger how to record a launch, and a ledger without evaluations that forecasts are not calibrated yet', () => {
    const empty = ledgerWords({ launches: 0, evaluated: 0, mae: null, within2: null, forecastCoverage: null, realisedCoverage: null }, null);
    expect(empty).toEqual({ headline: EMPTY_LEDGER, accuracy: null, calibration: null, byAttribute: [] });
    expect(EMPTY_LEDGER).toMatch(/^No launches recorded yet: record one with POST \/v1\/launches/);

    const waiting = ledgerWords({ launches: 1, evaluated: 0, mae: null, within2: null, forecastCoverage: null, realisedCoverage: null }, null);
    expect(waiting.headline).toMatch(/^1 launch recorded, none evaluated yet: .* forecasts carry no calibrated lift\.$/);
    expect(waiting.accuracy).toBeNull();
    expect(waiting.calibration).toBeNull();
  });
});

describe('ledgerScatter', () => {
  const scatter = ledgerScatter(ledger);

  it('plots each evaluated launch, in the ledger’s order, at its forecast (x) and realised lift (y) with both intervals', () => {
    expect(scatter.points.map((p) => [p.launchId, p.x, p.y, p.forecastInterval, p.realisedInterval])).toEqual([
      ['lch_2', 3.1, 0.6, [2.2, 4.0], [-0.5, 1.7]],
      ['lch_1', 1.9, 1.4, [0.9, 2.7], [0.3, 2.5]],
      ['lch_0', 0.8, 1.1, [0.1, 1.5], [0.2, 2.0]],
    ]);
    expect(scatter.points.map((p) => p.tip[0])).toEqual(['pricing-review, launched 2025-03-01', 'onboarding-programme, launched 2025-03-01', 'support-hours, launched 2024-11-04']);
    expect(scatter.points[0]?.tip).toContain(`Error ${MINUS}2.5 points: more than 2 points of the forecast`);
  });

  it('marks a launch close when within 2 points of its forecast, as the summary’s within2 counts (2 inclusive)', () => {
    // |0.6 − 3.1| = 2.5 > 2; |1.4 − 1.9| = 0.5 and |1.1 − 0.8| = 0.3 ≤ 2.
    expect(scatter.points.map((p) => p.close)).toEqual([false, true, true]);
    expect(scatter.points.filter((p) => p.close).length).toBe(Math.round(ledger.summary.within2! * ledger.summary.evaluated));
    expect(new Set(scatter.points.filter((p) => p.close).map((p) => p.colour)).size).toBe(1);
    expect(scatter.points[0]?.colour).not.toBe(scatter.points[1]?.colour);
    // Exactly 2 points off (3 − 1, exact in binary) is within, as model/ledger/calibration.ts counts it.
    const edge = ledgerScatter({ ...ledger, items: [item('lch_e', { forecast: { lift: 1, interval: [0, 2], level: 0.9 }, realised: realised(3, [2, 4]), error: 2 })] });
    expect(edge.points[0]?.close).toBe(true);
  });

  it('puts both axes on the same bounds, holding every whisker, zero and the band', () => {
    // Ends from −0.5 (lch_2's realised interval) to 4.0 (its forecast interval): niceBounds with a step of 1 gives [−1, 5].
    expect([scatter.lo, scatter.hi]).toEqual([-1, 5]);
    for (const p of scatter.points)
      for (const v of [p.x, p.y, ...p.forecastInterval, ...p.realisedInterval]) {
        expect(v).toBeGreaterThanOrEqual(scatter.lo);
        expect(v).toBeLessThanOrEqual(scatter.hi);
      }
    expect(scatter.diagonal).toEqual([
      [-1, -1],
      [5, 5],
    ]);
    // The hexagon: the square's corners on the diagonal and where y = x ∓ 2 cross its edges.
    expect(scatter.band).toEqual([
      [-1, -1],
      [1, -1],
      [5, 3],
      [5, 5],
      [3, 5],
      [-1, 1],
    ]);
  });

  it('says the chart in words for its aria-label: the counts in and out of the band, the intervals that held, every launch', () => {
    expect(scatter.text).toBe(
      'Forecast (across) against realised lift (up), points of NPS, for 3 launches evaluated (2 launches without a realised lift not plotted): ' +
        '2 of 3 within 2 points of realised = forecast (the shaded band around the diagonal); none of 3 realised more than 2 points above the forecast, 1 of 3 more than 2 below. ' +
        'Forecast intervals (horizontal whiskers) held the realised lift for 2 of 3; realised intervals (vertical whiskers) held the forecast for 2 of 3. ' +
        `pricing-review: forecast +3.1 [+2.2, +4.0], realised +0.6 [${MINUS}0.5, +1.7]; onboarding-programme: forecast +1.9 [+0.9, +2.7], realised +1.4 [+0.3, +2.5]; ` +
        'support-hours: forecast +0.8 [+0.1, +1.5], realised +1.1 [+0.2, +2.0].',
    );
  });

  it('plots nothing before any evaluation and says so, and keeps a launch named `__proto__`', () => {
    const waiting = ledgerScatter({ ...ledger, items: ledger.items.slice(0, 2) });
    expect(waiting.points).toEqual([]);
    expect(waiting.text).toBe('Forecast against realised lift: no launch evaluated yet (2 launches without a realised lift not plotted), so nothing is plotted.');
    expect(ledgerScatter({ ...ledger, items: [] }).text).toBe('Forecast against realised lift: no launch evaluated yet, so nothing is plotted.');
    // Bounds still hold the band: [0, 2] padded.
    expect(waiting.lo).toBeLessThanOrEqual(0);
    expect(waiting.hi).toBeGreaterThanOrEqual(CLOSE_POINTS);

    const proto = ledgerScatter({ ...ledger, items: [{ ...ledger.items[2]!, initiativeId: '__proto__' }] });
    expect(proto.points.map((p) => [p.initiativeId, p.label])).toEqual([['__proto__', '__proto__']]);
    expect(proto.text).toContain('__proto__: forecast +3.1');
  });
});

describe('closeBand', () => {
  /** The shoelace formula: a polygon's area from its corners in order. */
  const area = (v: readonly (readonly [number, number])[]): number => Math.abs(v.reduce((a, [x, y], i) => a + x * v[(i + 1) % v.length]![1] - v[(i + 1) % v.length]![0] * y, 0)) / 2;

  it('is the square itself when the band is wider than it', () => {
    expect(closeBand(0, 1.5, 2)).toEqual([
      [0, 0],
      [1.5, 0],
      [1.5, 1.5],
      [0, 1.5],
    ]);
  });

  it('lies inside the square and the band, with the area of the square less its two corners (property)', () => {
    fc.assert(
      fc.property(fc.double({ min: -50, max: 50, noNaN: true }), fc.double({ min: 0.01, max: 100, noNaN: true }), fc.double({ min: 0.01, max: 10, noNaN: true }), (lo, width, half) => {
        const hi = lo + width;
        const band = closeBand(lo, hi, half);
        // Tolerance: float error of sums of numbers up to 150.
        const eps = 1e-9;
        for (const [x, y] of band) {
          expect(x).toBeGreaterThanOrEqual(lo - eps);
          expect(x).toBeLessThanOrEqual(hi + eps);
          expect(Math.abs(y - x)).toBeLessThanOrEqual(half + eps);
        }
        // Two right triangles of legs (width − half) fall outside the band, when the band is narrower than the square.
        const outside = Math.max(0, width - half) ** 2;
        expect(Math.abs(area(band) - (width * width - outside))).toBeLessThanOrEqual(1e-6 * Math.max(1, width * width));
      }),
    );
  });
});

describe('apportion', () => {
  it('rounds values to integers that add up to the total, the largest remainders rounding up', () => {
    // Floors 1 + 1 + 1 = 3; one left for the largest remainder (0.4, the first of the two).
    expect(apportion([1.4, 1.4, 1.2], 4)).toEqual([2, 1, 1]);
    // Negative values floor downward: −2.5 → −3 and 0.5 → 0 (both remainders 0.5); floors sum to −3, one short of −2: the first takes it.
    expect(apportion([-2.5, 0.5], -2)).toEqual([-2, 0]);
    expect(apportion([], 0)).toEqual([]);
  });

  it('always adds up to the total, each within one of its value, when the values add up to it (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ min: -500, max: 500, noNaN: true }), { minLength: 1, maxLength: 12 }), (values) => {
        const sum = values.reduce((a, b) => a + b, 0);
        const total = Math.round(sum) || 0; // no −0: apportion writes one zero
        const out = apportion(values, total);
        expect(out.reduce((a, b) => a + b, 0)).toBe(total);
        // Tolerance: one, and the sum's own rounding error (a few ulps of 500 × 12).
        out.forEach((o, i) => expect(Math.abs(o - values[i]!)).toBeLessThanOrEqual(1 + 1e-9));
      }),
    );
  });
});

/** A bridge as the API builds it: the remainder is change − the other parts (model/ledger/bridge.ts). */
function bridgeOf(before: number, after: number, parts: Omit<BridgePart, 'interval'>[]): Bridge {
  const change = after - before;
  const others = parts.reduce((a, p) => a + p.value, 0);
  const remainder = change - others;
  return {
    datasetId: 'ds_q2',
    from: 'ds_q1',
    modelId: 'mdl_1',
    before: { nps: before, respondents: 2900 },
    after: { nps: after, respondents: 2950 },
    change,
    parts: [
      ...parts.map((p) => ({ ...p, interval: p.kind === 'launch' ? ([p.value - 0.8, p.value + 0.8] as const) : null })),
      { kind: 'remainder', label: 'everything else (drift, noise)', value: remainder, interval: [remainder - 3, remainder + 3], launchId: null },
    ],
    sampling: { sd: 1.8, interval: [change - 3, change + 3] },
    level: 0.9,
  };
}

describe('bridgeSteps', () => {
  // 12.34 → 14.46: written 12.3 and 14.5, a written change of +2.2. The parts 0.44, 0.66, 0.53, 0.31
  // and the remainder 2.12 − 1.94 = 0.18 round one by one to 0.4 + 0.7 + 0.5 + 0.3 + 0.2 = 2.1.
  const bridge = bridgeOf(12.34, 14.46, [
    { kind: 'mix', label: 'mix of segments and roles', value: 0.44, launchId: null },
    { kind: 'launch', label: 'Onboarding programme', value: 0.66, launchId: 'lch_1' },
    { kind: 'launch', label: '__proto__', value: 0.53, launchId: 'lch_0' },
    { kind: 'ratings', label: 'shifts in attribute ratings (through the driver model)', value: 0.31, launchId: null },
  ]);
  const chart = bridgeSteps(bridge, { before: 'Q1 wave', after: 'Q2 wave' });

  it('goes from the before wave’s NPS through mix, each launch, ratings and the remainder to the after wave’s', () => {
    expect(chart.steps.map((s) => [s.kind, s.label, s.launchId])).toEqual([
      ['start', 'NPS in Q1 wave', null],
      ['mix', 'Mix of segments and roles', null],
      ['launch', 'Onboarding programme', 'lch_1'],
      ['launch', '__proto__', 'lch_0'],
      ['ratings', 'Rating shifts', null],
      ['remainder', 'Everything else', null],
      ['end', 'NPS in Q2 wave', null],
    ]);
  });

  it('writes parts that add up exactly to the written change, the largest remainders rounding up', () => {
    const parts = chart.steps.slice(1, -1);
    const [start, end] = [chart.steps[0]!, chart.steps.at(-1)!];

    // Tenths: floors 4 + 6 + 5 + 3 + 1 = 19 of 145 − 123 = 22; the three left go to 0.8 (remainder), 0.6 (Onboarding) and 0.4 (mix).
    expect(parts.map((s) => s.tenths)).toEqual([5, 7, 5, 3, 2]);
    expect(parts.reduce((a, s) => a + s.tenths, 0)).toBe(end.tenths - start.tenths);
    expect(parts.map((s) => s.text)).toEqual(['+0.5', '+0.7', '+0.5', '+0.3', '+0.2']);
    expect([start.text, end.text]).toEqual(['12.3', '14.5 (+2.2)']);
    // The part rounded the other way says so in its tooltip.
    expect(parts[0]?.tip).toContain('+0.5 points (+0.44 unrounded)');
    expect(parts[1]?.tip).toContain('+0.7 points');
  });

  it('chains the bars: each starts where the one before ended, and the last ends at the after wave’s NPS itself', () => {
    const parts = chart.steps.slice(1, -1);

    expect(parts[0]?.from).toBe(12.34);
    parts.slice(1).forEach((s, i) => expect(s.from).toBe(parts[i]!.to));
    expect(parts.at(-1)?.to).toBe(14.46);
    // The values as the API gave them add up to its change (tolerance: float addition of five parts).
    expect(Math.abs(parts.reduce((a, s) => a + s.value, 0) - bridge.change)).toBeLessThan(1e-12);
    expect(chart.lo).toBe(11); // floor(12.34 − 1)
    expect(chart.top).toBeGreaterThan(14.46);
  });

  it('says the chart in words for its aria-label, a launch named `__proto__` included', () => {
    expect(chart.text).toBe(
      'NPS bridge from Q1 wave (12.3) to Q2 wave (14.5), a change of +2.2 points (90% interval from sampling [\u22120.9, +5.1]): ' +
        'mix of segments and roles +0.5; Onboarding programme +0.7; __proto__ +0.5; rating shifts +0.3; everything else +0.2.',
    );
  });

  it('writes the change under the chart as the chart does (+2.2, not the +2.1 that 2.12 rounds to)', () => {
    expect(bridgeNote(bridge, chart)).toMatch(/^NPS 12\.3 to 14\.5: a change of \+2\.2 points, 90% interval from sampling alone \[\u22120\.9, \+5\.1\]\. 2 launches were evaluated between these waves\. Rating shifts go through driver model mdl_1/);
  });

  it('adds up and chains for any waves and parts (property)', () => {
    const nps = fc.double({ min: -100, max: 100, noNaN: true });
    const part = fc.double({ min: -20, max: 20, noNaN: true });
    fc.assert(
      fc.property(nps, nps, part, part, fc.array(part, { maxLength: 6 }), (before, after, mix, ratings, launches) => {
        const b = bridgeOf(before, after, [
          { kind: 'mix', label: 'mix', value: mix, launchId: null },
          ...launches.map((v, i) => ({ kind: 'launch' as const, label: `launch ${i}`, value: v, launchId: `lch_${i}` })),
          { kind: 'ratings', label: 'ratings', value: ratings, launchId: null },
        ]);
        const steps = bridgeSteps(b, { before: 'a', after: 'b' }).steps;
        const parts = steps.slice(1, -1);
        expect(parts.reduce((a, s) => a + s.tenths, 0)).toBe(steps.at(-1)!.tenths - steps[0]!.tenths);
        expect(parts[0]!.from).toBe(before);
        parts.slice(1).forEach((s, i) => expect(s.from).toBe(parts[i]!.to));
        expect(parts.at(-1)!.to).toBe(after);
        // Each written part within a tenth of its value (plus float error on parts of up to ±240).
        parts.forEach((s) => expect(Math.abs(s.tenths - s.value * 10)).toBeLessThanOrEqual(1 + 1e-9));
      }),
    );
  });
});

describe('the bridge’s waves', () => {
  const items = [
    { id: 'ds_q3', name: 'Q3 wave', status: 'open', createdAt: '2025-09-30T08:00:00Z' },
    { id: 'ds_q0', name: 'Q4 wave', status: 'sealed', createdAt: '2024-12-31T08:00:00Z' },
    { id: 'ds_q2', name: 'Q2 wave', status: 'sealed', createdAt: '2025-06-30T08:00:00Z' },
    { id: 'ds_proto', name: '__proto__', status: 'sealed', createdAt: '2025-03-31T08:00:00Z' },
  ];

  it('lists sealed waves only, newest first, and opens on the second newest to the newest', () => {
    const sealed = sealedWaves(items);

    expect(sealed.map((w) => w.id)).toEqual(['ds_q2', 'ds_proto', 'ds_q0']);
    expect(defaultPair(sealed)).toEqual({ before: 'ds_proto', after: 'ds_q2' });
    expect(waveOption(sealed[1]!)).toBe('__proto__ (2025-03-31)');
    expect(defaultPair(sealedWaves(items.slice(0, 2)))).toBeNull();
  });

  it('refuses a bridge from a wave to itself or without two waves, and encodes both ids in its path', () => {
    expect(bridgeChoiceProblem('ds_q2', 'ds_q2')).toMatch(/^Choose two different waves/);
    expect(bridgeChoiceProblem('', '')).toMatch(/^A bridge needs two sealed waves/);
    expect(bridgeChoiceProblem('ds_q1', 'ds_q2')).toBeNull();
    expect(bridgePath('ds a/2', 'ds&1')).toBe('/v1/datasets/ds%20a%2F2/bridge?from=ds%261');
  });
});

describe('calibratedLine', () => {
  const outcome = (calibrated: Outcome['calibrated']): Outcome => ({
    nps: { baseline: 10, predicted: 12, lift: 2, interval: [1, 3], respondents: 100 },
    revenue: null,
    cost: { oneTime: 0, annual: 0, total: 0 },
    roi: null,
    paybackMonths: null,
    calibrated,
  });
  // 2 points × a factor of 0.8 = 1.6.
  const calibrated = outcome({ lift: 1.6, interval: [0.4, 2.8], factor: 0.8, launches: 3 });

  it('writes the ledger’s calibrated lift under the associational one, with how it was calibrated', () => {
    const line = calibratedLine(calibrated, '');

    expect(line?.text).toBe('calibrated +1.6 [+0.4, +2.8]');
    expect(line?.title).toMatch(/^Calibrated by the forecast ledger: \+2\.0 points × 0\.80 \(realised ÷ forecast over 3 evaluated launches\) = \+1\.6;/);
    expect(calibratedNote([outcome(null), calibrated], '')).toMatch(/over 3 evaluated launches\): what past launches say/);
  });

  it('writes none before the ledger has evidence, for older forecasts, or beside one segment’s lift', () => {
    expect(calibratedLine(outcome(null), '')).toBeNull();
    const { calibrated: _absent, ...older } = outcome(null);
    expect(calibratedLine(older, '')).toBeNull();
    expect(calibratedLine(calibrated, 'enterprise')).toBeNull();
    expect(calibratedNote([outcome(null)], '')).toBeNull();
    expect(calibratedNote([calibrated], 'enterprise')).toMatch(/for all accounts only\.$/);
  });
});
