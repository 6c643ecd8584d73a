/**
 * What the dashboard says about cause and effect before it draws (web/src/cause.ts): the
 * "Cause and effect" card's badge, sentences and table, the ranking's "within accounts" cell, and
 * the note and badge that caution against associational lifts. Small hand-made confounding checks
 * and forecasts, the arithmetic beside each expectation.
 */
import { describe, expect, it } from 'vitest';
import { biasBadge, causeRows, checkText, haloCell, haloDifference, liftBias, liftNote, riskBadge, survivalText, withinLine } from '../../web/src/cause.js';
import type { Confounding, ConfoundingAttribute, Outcome } from '../../web/src/contract.js';
import { MINUS, MISSING } from '../../web/src/format.js';

/** An attribute whose within and between slopes are `w` and `b` (contrast b − w), each ± 0.02. */
function attribute(name: string, w: number, b: number, extra: Partial<ConfoundingAttribute> = {}): ConfoundingAttribute {
  const est = (e: number) => ({ estimate: e, stdError: 0.02, interval: [e - 0.04, e + 0.04] as const });
  return { attribute: name, within: est(w), between: est(b), contrast: est(b - w), haloFactor: 0.6, haloFactorSe: 0.08, robustness: 0.2, ...extra };
}

const STATEMENT = 'Lifts are associational.';

/** A check that found a real difference: ρ = 0.62, χ²(3) = 41.2 with p = e^−18. */
const confounded: Confounding = {
  risk: 'high',
  reason: null,
  survival: 0.62,
  test: { statistic: 41.23, df: 3, logP: -18 },
  respondents: 12_000,
  coverage: { accounts: 1_500, multiAccounts: 900, multiShare: 0.8 },
  attributes: [
    attribute('ease', 0.1, 0.15), // contrast 0.05
    attribute('support', 0.12, 0.42, { haloFactor: 0.45, haloFactorSe: 0.1, robustness: 0.004 }), // contrast 0.30
    attribute('price', 0.2, 0.18), // contrast −0.02
  ],
  statement: STATEMENT,
};

const unknown: Confounding = {
  risk: 'unknown',
  reason: 'Only 12 accounts have two or more respondents.',
  survival: null,
  test: null,
  respondents: 800,
  coverage: { accounts: 780, multiAccounts: 12, multiShare: 0.04 },
  attributes: [],
  statement: STATEMENT,
};

function outcome(lift: number, halo: Outcome['haloAdjusted']): Outcome {
  return {
    nps: { baseline: 10, predicted: 10 + lift, lift, interval: [lift - 1, lift + 1], respondents: 100 },
    revenue: null,
    cost: { oneTime: 0, annual: 0, total: 0 },
    roi: null,
    paybackMonths: null,
    haloAdjusted: halo,
  };
}

describe('causeRows', () => {
  it('lists the attributes with the largest contrast between − within first, with the dataset’s labels', () => {
    const rows = causeRows(confounded, new Map([['support', 'Support responsiveness']]));

    // contrasts: support 0.30, ease 0.05, price −0.02
    expect(rows.map((r) => [r.name, r.label])).toEqual([
      ['support', 'Support responsiveness'],
      ['ease', 'Ease'],
      ['price', 'Price'],
    ]);
    expect(rows.map((r) => r.contrast)).toEqual([0.42 - 0.12, 0.15 - 0.1, 0.18 - 0.2]);
  });

  it('writes within and between slopes with their intervals, the halo factor with its error and small robustness values to a tenth', () => {
    const [support, ease] = causeRows(confounded, new Map());

    expect(support).toMatchObject({
      within: '+0.120',
      withinInterval: '[+0.080, +0.160]', // 0.12 ± 0.04
      between: '+0.420',
      betweenInterval: '[+0.380, +0.460]',
      haloFactor: '45% \u00b1 10',
      robustness: '0.4%', // 0.004: under 10 %, one decimal
    });
    expect(ease).toMatchObject({ haloFactor: '60% \u00b1 8', robustness: '20%' });
  });

  it('keeps the model’s order between equal contrasts, and lists nothing for a check that could not be made', () => {
    const tied: Confounding = { ...confounded, attributes: [attribute('b', 0.25, 0.5), attribute('a', 0.5, 0.75)] }; // both contrasts exactly 0.25

    expect(causeRows(tied, new Map()).map((r) => r.name)).toEqual(['b', 'a']);
    expect(causeRows(unknown, new Map())).toEqual([]);
  });
});

describe('liftBias and riskBadge', () => {
  it('says associational lifts likely overstate when the risk is some or high and less holds within accounts', () => {
    expect(liftBias(confounded)).toBe('overstate');
    expect(liftBias({ ...confounded, risk: 'some', survival: 0.8 })).toBe('overstate');
    expect(riskBadge(confounded)).toEqual({
      risk: 'high',
      text: 'High confounding risk',
      className: 'risk risk-high',
      detail: 'Effects within accounts are much weaker than across them: the associational lifts likely overstate.',
    });
  });

  it('says they may understate when the effects are stronger within accounts than across them (ρ > 1)', () => {
    const stronger: Confounding = { ...confounded, risk: 'some', survival: 1.2 };

    expect(liftBias(stronger)).toBe('understate');
    expect(riskBadge(stronger).detail).toMatch(/may understate/);
  });

  it('finds no bias for risk none, unknown, or a model without the check, and gives an unknown risk’s reason', () => {
    expect(liftBias({ ...confounded, risk: 'none', survival: 0.97 })).toBeNull();
    expect(liftBias(unknown)).toBeNull();
    expect(liftBias(undefined)).toBeNull();
    expect(riskBadge(unknown)).toMatchObject({ text: 'Confounding risk unknown', className: 'risk risk-unknown', detail: unknown.reason });
    expect(riskBadge({ ...confounded, risk: 'none' })).toMatchObject({ text: 'No sign of confounding', className: 'risk risk-none' });
  });
});

describe('survivalText and checkText', () => {
  it('writes ρ as the share of the associational effect that holds within accounts, and nothing without one', () => {
    expect(survivalText(0.62)).toBe('62% of the associational effect holds within accounts');
    expect(survivalText(null)).toBeNull();
  });

  it('says what the check ran on and its joint test, with p below 0.001 written as such', () => {
    expect(checkText(confounded)).toBe(
      'Checked on 12,000 respondents; 900 of 1,500 accounts have two or more (80% of respondents). ' +
        'Joint test that within and between effects agree: \u03c7\u00b2(3) = 41.2, p < 0.001.',
    );
    // p = 0.25
    expect(checkText({ ...confounded, test: { statistic: 4.1, df: 3, logP: Math.log(0.25) } })).toMatch(/p = 0\.250\.$/);
    expect(checkText(unknown)).toBe('Checked on 800 respondents; 12 of 780 accounts have two or more (4% of respondents).');
  });
});

describe('haloCell and haloDifference', () => {
  const halo = { lift: 2.1, interval: [1, 3.2] as const, factor: 2.1 / 3.4 };

  it('shows the halo-adjusted lift and its interval for all accounts, its tooltip stating the difference', () => {
    const cell = haloCell(outcome(3.4, halo), '');

    expect(cell).toMatchObject({ className: 'num halo', main: '+2.1', interval: '[+1.0, +3.2]' });
    // 2.1 / 3.4 = 61.8 % → 62 %; 2.1 − 3.4 = −1.3
    expect(cell.title).toBe(
      `Within accounts +2.1 points against +3.4 associational (62% of it): the ${MINUS}1.3 points between them are what the associational lift credits to account-level causes that move ratings and loyalty together.`,
    );
  });

  it('shows an en dash with the reason for a segment (the forecast has none by segment) and for a forecast without the check', () => {
    expect(haloCell(outcome(3.4, halo), 'enterprise')).toMatchObject({ main: MISSING, interval: '', title: 'The halo-adjusted lift is forecast for all accounts only.' });
    expect(haloCell(outcome(3.4, null), '')).toMatchObject({ main: MISSING, interval: '' });
    expect(haloCell({ ...outcome(3.4, null), haloAdjusted: undefined }, '').title).toMatch(/without a confounding check/);
    expect(haloCell(undefined, '').main).toBe(MISSING);
  });

  it('leaves out the share when the associational lift is too near zero for a ratio to mean anything', () => {
    expect(haloDifference(0.01, { lift: 0.4, interval: [0, 0.8], factor: 40 })).toMatch(/^Within accounts \+0\.4 points against 0\.0 associational: the \+0\.4 points/);
  });
});

describe('liftNote, biasBadge and withinLine', () => {
  it('cautions that the associational lifts likely overstate when the check found high risk, naming the risk', () => {
    const note = liftNote(confounded, true, false);

    expect(note.caution).toBe(true);
    expect(note.text).toMatch(/^The driver model finds high confounding risk: the associational lifts likely overstate/);
    expect(note.text).toContain('Within accounts is the halo-adjusted lift');
    expect(note.text).not.toContain('all accounts only');
  });

  it('explains the two lifts without a caution when the check found nothing, and says when there is no halo-adjusted lift', () => {
    const none = liftNote({ ...confounded, risk: 'none' }, true, true);
    expect(none.caution).toBe(false);
    expect(none.text).toMatch(/^NPS lift is associational/);
    expect(none.text).toContain('it is forecast for all accounts only');

    expect(liftNote(null, false, false)).toEqual({
      text: 'NPS lift is associational: it reads how ratings go with loyalty across respondents as what changing a rating would do. This forecast has no halo-adjusted lift (its model has no confounding check). Neither is causal until calibrated against realised results.',
      caution: false,
    });
  });

  it('badges the portfolio’s lift only when the check found a bias, and writes its halo-adjusted line when it has one', () => {
    expect(biasBadge(confounded)).toEqual({ text: 'likely overstated', title: 'High confounding risk. Effects within accounts are much weaker than across them: the associational lifts likely overstate.' });
    expect(biasBadge({ ...confounded, risk: 'some', survival: 1.3 })?.text).toBe('may understate');
    expect(biasBadge(unknown)).toBeNull();
    expect(biasBadge(undefined)).toBeNull();

    expect(withinLine(outcome(3, { lift: 1.5, interval: [0.5, 2.5], factor: 0.5 }))?.text).toBe('within accounts +1.5 [+0.5, +2.5]');
    expect(withinLine(outcome(3, null))).toBeNull();
  });
});
