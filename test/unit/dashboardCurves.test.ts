/**
 * What the dashboard's driver-model detail panels compute before they draw: the effect curves
 * (web/src/curves.ts), detractor against promoter drivers (web/src/cutDrivers.ts) and how the model
 * was chosen (web/src/modelChoice.ts). Small hand-made documents, the arithmetic beside each
 * expectation; older documents (linear, ordinal version 1) are taken as the API stores them.
 */
import { describe, expect, it } from 'vitest';
import type { DriverModel, EffectCurve } from '../../web/src/contract.js';
import { curveChoices, curvePoints, curveRows, describeCurve, listOf, pickCurve, runs, stretches } from '../../web/src/curves.js';
import { cutDriverRows, cutDriversSummary, isCutSort } from '../../web/src/cutDrivers.js';
import { MINUS, MISSING } from '../../web/src/format.js';
import { choiceSummary, devianceText, interactionText, modelChoice, ruleText } from '../../web/src/modelChoice.js';

/** A curve over 0–10 with `effect(r)` and a band of ±`half` around it. */
function curve(attribute: string, effect: (r: number) => number, options: { curved?: boolean; knots?: number[]; half?: number } = {}): EffectCurve {
  const half = options.half ?? 0.05;
  return {
    attribute,
    curved: options.curved ?? false,
    knots: options.knots ?? [],
    points: Array.from({ length: 11 }, (_, r) => ({ rating: r, effect: effect(r), interval: [effect(r) - half, effect(r) + half] as const })),
  };
}

/** Straight: 0.1 latent units a point, zero at the mean rating 7. */
const straight = curve('ease', (r) => 0.1 * (r - 7));
/** Curved at 5: 0.3 a point up to 5, then 0.05 a point (diminishing returns), zero at 5. */
const bent = curve('onboarding', (r) => (r <= 5 ? 0.3 * (r - 5) : 0.05 * (r - 5)), { curved: true, knots: [5] });

describe('curveChoices and pickCurve', () => {
  const model: DriverModel = {
    status: 'ready',
    importance: [
      { attribute: 'ease', share: 0.1, performance: 7 },
      { attribute: 'support', share: 0.3, performance: 6 },
      { attribute: 'onboarding', share: 0.05, performance: 5 },
      { attribute: 'price', share: 0.2, performance: 6 },
    ],
    curves: [straight, curve('support', (r) => 0.2 * (r - 6)), bent, curve('price', (r) => r - 5, { curved: true, knots: [3, 7] })],
  };

  it('offers curved attributes first and marked, each group most important first, with the dataset’s labels', () => {
    const choices = curveChoices(model, new Map([['onboarding', 'Onboarding programme']]));

    // curved: price (0.2) before onboarding (0.05); straight: support (0.3) before ease (0.1)
    expect(choices.map((c) => [c.name, c.text])).toEqual([
      ['price', 'Price (curved)'],
      ['onboarding', 'Onboarding programme (curved)'],
      ['support', 'Support'],
      ['ease', 'Ease'],
    ]);
  });

  it('keeps the model’s order where it has no importance figures', () => {
    const choices = curveChoices({ status: 'ready', curves: [straight, bent, curve('support', (r) => r)] }, new Map());

    expect(choices.map((c) => c.name)).toEqual(['onboarding', 'ease', 'support']);
  });

  it('offers nothing for a model without curves (linear, or ordinal before version 2)', () => {
    expect(curveChoices({ status: 'ready', method: 'ols', importance: model.importance }, new Map())).toEqual([]);
    expect(pickCurve([], 'ease')).toBeNull();
  });

  it('keeps the attribute picked before while the model still has it, else takes the first', () => {
    const choices = curveChoices(model, new Map());

    expect(pickCurve(choices, 'ease')?.name).toBe('ease');
    expect(pickCurve(choices, 'gone')?.name).toBe('price');
    expect(pickCurve(choices, null)?.name).toBe('price');
  });
});

describe('curvePoints and stretches', () => {
  it('puts the points in rating order, flags the knots and bands each point by its interval', () => {
    const shuffled: EffectCurve = { ...bent, points: [...bent.points].reverse() };

    const points = curvePoints(shuffled);

    expect(points.map((p) => p.x)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(points.filter((p) => p.knot).map((p) => p.x)).toEqual([5]);
    expect(points[0]).toMatchObject({ x: 0, hasInterval: true });
    expect(points[0]!.y).toBeCloseTo(-1.5, 12); // 0.3 × (0 − 5)
    expect(points[0]!.lo).toBeCloseTo(-1.55, 12);
    expect(points[0]!.hi).toBeCloseTo(-1.45, 12);
  });

  it('leaves out a point without an effect and narrows the band to the effect where the interval is missing', () => {
    // JSON writes a non-finite number as null: that is how such a point arrives.
    const gappy = JSON.parse(JSON.stringify({ ...straight, points: [...straight.points.slice(0, 3), { rating: 3, effect: NaN, interval: [0, 1] }, { rating: 4, effect: 0.5, interval: [NaN, NaN] }] })) as EffectCurve;

    const points = curvePoints(gappy);

    expect(points.map((p) => p.x)).toEqual([0, 1, 2, 4]);
    expect(points.at(-1)).toEqual({ x: 4, y: 0.5, lo: 0.5, hi: 0.5, hasInterval: false, knot: false });
  });

  it('gives equal slopes along a straight line and a change of slope at a knot', () => {
    const flat = stretches(curvePoints(straight)).map((s) => s.slope);
    const kinked = stretches(curvePoints(bent));

    for (const s of flat) expect(s).toBeCloseTo(0.1, 12);
    expect(kinked.find((s) => s.from === 4)!.slope).toBeCloseTo(0.3, 12);
    expect(kinked.find((s) => s.from === 5)!.slope).toBeCloseTo(0.05, 12);
  });

  it('merges neighbouring stretches of the same slope into the pieces of the curve', () => {
    const pieces = runs(stretches(curvePoints(bent)));

    expect(pieces.map((p) => [p.from, p.to])).toEqual([[0, 5], [5, 10]]);
    expect(pieces[0]!.slope).toBeCloseTo(0.3, 12);
    expect(pieces[1]!.slope).toBeCloseTo(0.05, 12);
    expect(runs(stretches(curvePoints(straight))).map((p) => [p.from, p.to])).toEqual([[0, 10]]);
  });
});

describe('describeCurve, the chart’s text alternative', () => {
  it('says a straight attribute is a line, with its slope and its range over the scale', () => {
    expect(describeCurve(straight, 'Ease of use')).toBe(
      // slope (0.3 − (−0.7)) / 10 = 0.1; ends 0.1 × (0 − 7) and 0.1 × (10 − 7)
      `Ease of use: a straight line. Each rating point changes the latent score by +0.10, from ${MINUS}0.70 at 0 to +0.30 at 10 (0 at the mean rating).`,
    );
  });

  it('says a curved attribute bends, where its knots are, and where it is steepest and flattest', () => {
    expect(describeCurve(bent, 'Onboarding')).toBe(
      // ends 0.3 × (0 − 5) = −1.5 and 0.05 × (10 − 5) = 0.25
      `Onboarding: curved, with a knot at 5 (where the slope may change). Steepest from 0 to 5, +0.30 a point; flattest from 5 to 10, +0.05 a point; from ${MINUS}1.50 at 0 to +0.25 at 10 (0 at the mean rating).`,
    );
  });

  it('names every knot of a curve with several', () => {
    const several = curve('price', (r) => Math.min(r, 7), { curved: true, knots: [3, 5, 7] });

    expect(describeCurve(several, 'Price')).toContain('curved, with knots at 3, 5 and 7');
    expect(describeCurve(several, 'Price')).toContain('Steepest from 0 to 7, +1.00 a point; flattest from 7 to 10, 0.00 a point');
    expect(listOf([2.5])).toBe('2.5');
    expect(listOf([])).toBe('');
  });

  it('says there is nothing to show for a curve with fewer than two points', () => {
    expect(describeCurve({ ...straight, points: straight.points.slice(0, 1) }, 'Ease')).toBe('Ease: the model has no effect curve to show.');
  });
});

describe('curveRows', () => {
  it('writes each point with signs, its interval in brackets, and marks the knots', () => {
    const rows = curveRows(bent);

    expect(rows[0]).toEqual({ rating: '0', effect: `${MINUS}1.50`, interval: `[${MINUS}1.55, ${MINUS}1.45]`, knot: false });
    expect(rows[5]).toEqual({ rating: '5', effect: '0.00', interval: `[${MINUS}0.05, +0.05]`, knot: true });
  });

  it('leaves the interval blank where the model gave none', () => {
    const rows = curveRows({ ...straight, points: [{ rating: 1, effect: 0.2, interval: [NaN, NaN] }] });

    expect(rows).toEqual([{ rating: '1', effect: '+0.20', interval: '', knot: false }]);
  });
});

describe('cutDriverRows and cutDriversSummary', () => {
  const model: DriverModel = {
    status: 'ready',
    method: 'ordinal',
    // reliability moves the most detractors; support makes the most promoters
    drivers: [
      { attribute: 'ease', leavingDetractor: 0.05, becomingPromoter: 0.02, detractorShare: 0.2, promoterShare: 0.2 },
      { attribute: 'reliability', leavingDetractor: 0.11, becomingPromoter: 0.03, detractorShare: 0.44, promoterShare: 0.3 },
      { attribute: 'support', leavingDetractor: 0.09, becomingPromoter: 0.05, detractorShare: 0.36, promoterShare: 0.5 },
    ],
  };

  it('gives both shares in %, sorted by detractors moved, with each attribute’s rank at both cuts', () => {
    const rows = cutDriverRows(model, new Map([['support', 'Support responsiveness']]))!;

    expect(rows.map((r) => [r.name, r.label, r.detractorRank, r.promoterRank])).toEqual([
      ['reliability', 'Reliability', 1, 2],
      ['support', 'Support responsiveness', 2, 1],
      ['ease', 'Ease', 3, 3],
    ]);
    expect(rows[0]!.leavingDetractor).toBeCloseTo(11, 12);
    expect(rows[0]!.becomingPromoter).toBeCloseTo(3, 12);
  });

  it('sorts by promoters made when asked', () => {
    expect(cutDriverRows(model, new Map(), 'becomingPromoter')!.map((r) => r.name)).toEqual(['support', 'reliability', 'ease']);
  });

  it('puts an attribute without a finite figure last at that cut', () => {
    const odd = JSON.parse(JSON.stringify({ ...model, drivers: [...model.drivers!, { attribute: 'billing', leavingDetractor: NaN, becomingPromoter: 0.5, detractorShare: 0, promoterShare: 0 }] })) as DriverModel;

    const rows = cutDriverRows(odd, new Map())!;

    expect(rows.at(-1)).toMatchObject({ name: 'billing', leavingDetractor: null, detractorRank: 4, promoterRank: 1 });
  });

  it('has no rows for a model without drivers (linear, or ordinal before version 2)', () => {
    expect(cutDriverRows({ status: 'ready', method: 'ridge' }, new Map())).toBeNull();
    expect(cutDriverRows({ status: 'ready', method: 'ordinal', drivers: [] }, new Map())).toBeNull();
  });

  it('names the top driver at each cut, once when it is the same attribute', () => {
    expect(cutDriversSummary(cutDriverRows(model, new Map())!)).toBe(
      'A +1 point change on Reliability moves the most detractors (11.0% leave detractor); on Support, it makes the most promoters (5.0% of non-promoters).',
    );
    const one = cutDriverRows({ ...model, drivers: model.drivers!.slice(0, 2) }, new Map())!;
    expect(cutDriversSummary(one)).toBe('A +1 point change on Reliability moves the most detractors (11.0% leave detractor) and makes the most promoters (3.0% of non-promoters).');
  });

  it('accepts only the two sorts from the picker', () => {
    expect(isCutSort('becomingPromoter')).toBe(true);
    expect(isCutSort('constructor')).toBe(false);
    expect(isCutSort(null)).toBe(false);
  });
});

describe('modelChoice', () => {
  /** The shape of a version 2 ordinal model's `structure`, as the demo model stores it (figures rounded). */
  const v2: DriverModel = {
    status: 'ready',
    method: 'ordinal',
    structure: {
      estimator: 'cumulative probit model (proportional odds) on the 0–10 answer',
      noise: 'probit',
      chosen: 'segment × role',
      chosenBy: 'structure by cross-validated deviance per respondent, the simplest within one standard error of the best',
      candidates: [
        { stage: 'noise', label: 'logit', deviance: 3.2735, cvDeviance: null, cvRmse: null, chosen: false },
        { stage: 'noise', label: 'probit', deviance: 3.2683, cvDeviance: null, cvRmse: null, chosen: true },
        { stage: 'noise', label: 'cloglog (did not fit)', deviance: null, cvDeviance: null, cvRmse: null, chosen: false },
        { stage: 'structure', label: 'shifts', cvDeviance: 3.2832, cvRmse: 1.377, chosen: false },
        { stage: 'structure', label: 'segment', cvDeviance: 3.2808, cvRmse: 1.376, chosen: true },
        { stage: 'structure', label: 'segment × role', cvDeviance: 3.2791, cvRmse: 1.375, chosen: true },
        { stage: 'cut-specific', label: 'cut-specific slopes: not tried (score test χ²(9) = 6.2)', cvDeviance: null, cvRmse: null, chosen: false },
        'not a candidate',
      ],
    },
    interactions: [{ attributes: ['ease', 'onboarding'], estimate: 0.1204, stdError: 0.0301 }],
  };

  it('lists every stage in the order the search ran, each candidate with its deviance and the chosen ones marked', () => {
    const choice = modelChoice(v2, new Map([['onboarding', 'Onboarding programme']]))!;

    expect(choice.chosen).toBe('segment × role');
    expect(choice.noise).toBe('probit');
    expect(choice.stages.map((s) => [s.stage, s.title])).toEqual([
      ['noise', 'Noise distribution'],
      ['structure', 'Grouping structure'],
      ['cut-specific', 'Cut-specific slopes'],
    ]);
    const [noise, structure, cut] = choice.stages;
    // the noise links are compared in-sample (`deviance`); the structures held out (`cvDeviance`)
    expect(noise!.candidates.map((c) => [c.label, c.deviance, c.heldOut, c.chosen])).toEqual([
      ['logit', 3.2735, false, false],
      ['probit', 3.2683, false, true],
      ['cloglog (did not fit)', null, false, false],
    ]);
    expect(noise!.criterion).toMatch(/^in-sample deviance/);
    expect(structure!.candidates.map((c) => [c.label, c.deviance, c.heldOut, c.chosen])).toEqual([
      ['shifts', 3.2832, true, false],
      ['segment', 3.2808, true, true],
      ['segment × role', 3.2791, true, true],
    ]);
    expect(structure!.criterion).toMatch(/^held-out deviance/);
    expect(cut!.criterion).toBe('not compared by deviance');
    expect(choice.interactions).toEqual([{ label: 'Ease × Onboarding programme', estimate: 0.1204, stdError: 0.0301 }]);
  });

  it('writes the figures for the list', () => {
    const choice = modelChoice(v2, new Map())!;

    expect(choice.stages[1]!.candidates.map(devianceText)).toEqual(['3.283', '3.281', '3.279']);
    expect(devianceText(choice.stages[2]!.candidates[0]!)).toBe(MISSING);
    expect(interactionText(choice.interactions![0]!)).toBe('Ease × Onboarding: +0.120 (standard error 0.030)');
    expect(choiceSummary(choice)).toBe('Chosen: grouping \u201csegment × role\u201d, probit noise.');
    expect(ruleText(choice)).toBe('How: structure by cross-validated deviance per respondent, the simplest within one standard error of the best.');
  });

  it('says no interactions were kept when the list is empty, and that it is not recorded when absent', () => {
    expect(modelChoice({ ...v2, interactions: [] }, new Map())!.interactions).toEqual([]);
    expect(modelChoice({ ...v2, interactions: undefined }, new Map())!.interactions).toBeNull();
  });

  it('reads a version 1 ordinal document: candidates named `structure`, the chosen one by its name', () => {
    const v1: DriverModel = {
      status: 'ready',
      method: 'ordinal',
      structure: {
        chosen: 'group slopes, pooling 200',
        candidates: [
          { structure: 'group intercepts, common slopes', pooling: null, cvDeviance: 3.30, cvRmse: 1.4 },
          { structure: 'group slopes, pooling 200', pooling: 200, cvDeviance: 3.29, cvRmse: 1.39 },
        ],
      },
    };

    const choice = modelChoice(v1, new Map())!;

    expect(choice.stages).toHaveLength(1);
    expect(choice.stages[0]!.candidates.map((c) => [c.label, c.deviance, c.chosen])).toEqual([
      ['group intercepts, common slopes', 3.3, false],
      ['group slopes, pooling 200', 3.29, true],
    ]);
    expect(choice.noise).toBeNull();
    expect(ruleText(choice)).toBeNull();
    expect(choice.interactions).toBeNull();
    expect(choiceSummary(choice)).toBe('Chosen: grouping \u201cgroup slopes, pooling 200\u201d.');
  });

  it('has nothing to list for a linear model or a document without a structure', () => {
    const ridge: DriverModel = { status: 'ready', method: 'ridge', structure: { estimator: 'ridge', lambda: 2.5, condition: 12 } };

    expect(modelChoice(ridge, new Map())).toBeNull();
    expect(modelChoice({ status: 'ready' }, new Map())).toBeNull();
    expect(modelChoice({ status: 'ready', structure: { candidates: [1, null, { stage: 'noise' }] } }, new Map())).toBeNull();
  });
});
