/**
 * How the dashboard writes figures (web/src/format.ts): one way for every panel, so that the
 * headline, the table and the tooltips agree to the character.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { alpha, bracket, fixed, humanise, MINUS, MISSING, money, months, niceBounds, niceStep, percent, short, signed, years } from '../../web/src/format.js';

describe('fixed and signed', () => {
  it('write negatives with a true minus sign and drop the sign of a value that rounds to zero', () => {
    expect(fixed(-2.26)).toBe(`${MINUS}2.3`);
    expect(fixed(-0.04)).toBe('0.0');
    expect(fixed(13.849, 0)).toBe('14');
    expect(signed(3.21)).toBe('+3.2');
    expect(signed(-1)).toBe(`${MINUS}1.0`);
    expect(signed(0.04)).toBe('0.0');
    expect(signed(-0.004, 2)).toBe('0.00');
    expect(signed(4.126, 2)).toBe('+4.13');
  });

  it('write an en dash for a figure that does not exist', () => {
    for (const v of [NaN, Infinity, -Infinity, null, undefined]) {
      expect(fixed(v)).toBe(MISSING);
      expect(signed(v)).toBe(MISSING);
      expect(percent(v)).toBe(MISSING);
      expect(money(v, 'USD')).toBe(MISSING);
    }
  });

  it('never put a sign on zero and always on anything shown as non-zero', () => {
    fc.assert(
      fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), fc.integer({ min: 0, max: 3 }), (v, digits) => {
        const s = signed(v, digits);
        const shownZero = Number(Math.abs(v).toFixed(digits)) === 0;
        expect(s.startsWith('+') || s.startsWith(MINUS)).toBe(!shownZero);
        expect(s.includes('-')).toBe(false);
      }),
    );
  });
});

describe('money', () => {
  it('writes compact amounts for charts and tables, and whole units where the budget matters', () => {
    expect(money(1_250_000, 'USD')).toBe('$1.25M');
    expect(money(-2_500_000, 'EUR')).toBe(`${MINUS}€2.5M`);
    expect(money(1_350_000, 'USD', true)).toBe('$1,350,000');
    expect(money(0, 'GBP')).toBe('£0');
  });

  it('still writes the amount, without a currency sign, for a code Intl does not know', () => {
    expect(money(1_500, 'not-a-currency')).toBe('1.5K');
    expect(money(1_500, 'not-a-currency', true)).toBe('1,500');
  });

  it('keeps one formatter per currency: a second currency does not change the first', () => {
    expect(money(10, 'USD', true)).toBe('$10');
    expect(money(10, 'JPY', true)).toBe('¥10');
    expect(money(10, 'USD', true)).toBe('$10');
  });
});

describe('words around figures', () => {
  it('writes percentages, intervals, horizons and paybacks', () => {
    expect(percent(0.125)).toBe('13%');
    expect(percent(-0.37)).toBe(`${MINUS}37%`);
    expect(bracket([1.04, 7.4], signed)).toBe('[+1.0, +7.4]');
    expect(bracket([1, NaN], signed)).toBe('');
    expect(bracket(null, signed)).toBe('');
    expect(years(1)).toBe('1 year');
    expect(years(3)).toBe('3 years');
    expect(months(1, '3 years')).toBe('1 month');
    expect(months(14, '3 years')).toBe('14 months');
    expect(months(null, '3 years')).toBe('beyond 3 years');
  });

  it('tidies names and cuts long ones at a word boundary', () => {
    expect(humanise('support_responsiveness')).toBe('Support responsiveness');
    expect(humanise('constructor')).toBe('Constructor');
    expect(short('Predictive outreach to at-risk accounts', 20)).toBe('Predictive outreach…');
    expect(short('Onboarding, implementation and training', 12)).toBe('Onboarding…');
    expect(short('Supercalifragilistic', 10)).toBe('Supercali…');
    expect(short('Short', 10)).toBe('Short');
  });

  it('never makes a label longer than asked', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 80 }), fc.integer({ min: 2, max: 60 }), (name, n) => {
        expect(short(name, n).length).toBeLessThanOrEqual(Math.max(n, 1));
      }),
    );
  });

  it('turns a palette colour into a translucent fill', () => {
    expect(alpha('#4e79a7', 0.6)).toBe('rgba(78,121,167,0.6)');
  });
});

describe('round numbers for axes and the slider', () => {
  it('picks 1, 2 or 5 times a power of ten, at or above the value', () => {
    expect(niceStep(0.03)).toBeCloseTo(0.05, 12);
    expect(niceStep(1200)).toBe(2000);
    expect(niceStep(33_850)).toBe(50_000);
    expect(niceStep(1)).toBe(1);
    expect(niceStep(0)).toBe(1);
    expect(niceStep(-5)).toBe(1);
    expect(niceStep(3e-324)).toBe(1); // a subnormal: its power of ten underflows (found by the property below)
    expect(niceBounds(0, 2e-323, 0.1)).toEqual({ min: 0, max: 1 });
    fc.assert(
      fc.property(fc.double({ min: 1e-6, max: 1e12, noNaN: true }), (x) => {
        const step = niceStep(x);
        expect(step).toBeGreaterThanOrEqual(x * (1 - 1e-12));
        expect(step).toBeLessThanOrEqual(x * 10);
        const mantissa = step / Math.pow(10, Math.floor(Math.log10(step) + 1e-9));
        expect([1, 2, 5, 10].some((m) => Math.abs(mantissa - m) < 1e-6)).toBe(true);
      }),
    );
  });

  it('bounds an axis around every value it must show', () => {
    // Range 216, step niceStep(36) = 50; padded ends −23 − 12.96 and 193 + 12.96 round out to −50 and 250.
    expect(niceBounds(-23, 193, 0.06)).toEqual({ min: -50, max: 250 });
    // Chart ranges the doubles can resolve: a width of at least a thousandth, or none (one value).
    const width = fc.oneof(fc.constant(0), fc.double({ min: 1e-3, max: 1e6, noNaN: true }));
    fc.assert(
      fc.property(fc.double({ min: -1e6, max: 1e6, noNaN: true }), width, (lo, width) => {
        const b = niceBounds(lo, lo + width, 0.1);
        expect(b.min).toBeLessThanOrEqual(lo);
        expect(b.max).toBeGreaterThanOrEqual(lo + width);
      }),
    );
  });
});
