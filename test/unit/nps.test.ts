import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addToMix, emptyMix, loyaltyGroup, mergeMix, npsScore } from '../../model/nps.js';

describe('NPS arithmetic', () => {
  it('puts 9–10 in promoters, 7–8 in passives and 0–6 in detractors', () => {
    expect([0, 6, 7, 8, 9, 10].map(loyaltyGroup)).toEqual(['detractor', 'detractor', 'passive', 'passive', 'promoter', 'promoter']);
  });

  it('scores 5 promoters, 3 passives and 2 detractors as +30', () => {
    expect(npsScore({ promoters: 5, passives: 3, detractors: 2 })).toBe(30);
  });

  it('has no score for an empty population rather than NaN', () => {
    expect(npsScore(emptyMix())).toBeNull();
  });

  it('stays within −100…100 for any answers', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 10 }), { minLength: 1, maxLength: 200 }), (answers) => {
        const mix = emptyMix();
        answers.forEach((a) => addToMix(mix, a));
        const s = npsScore(mix)!;
        return s >= -100 && s <= 100;
      }),
    );
  });

  it('does not move when a 9 becomes a 10 or a 3 becomes a 6, and moves when a 6 becomes a 7', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 10 }), { minLength: 1, maxLength: 100 }), (answers) => {
        const score = (xs: number[]) => {
          const mix = emptyMix();
          xs.forEach((a) => addToMix(mix, a));
          return npsScore(mix)!;
        };
        const base = score(answers);
        const within = answers.map((a) => (a === 9 ? 10 : a === 3 ? 6 : a));
        expect(score(within)).toBe(base);
        const i = answers.indexOf(6);
        if (i >= 0) {
          const crossed = [...answers];
          crossed[i] = 7;
          expect(score(crossed)).toBeCloseTo(base + 100 / answers.length, 9);
        }
      }),
    );
  });

  it('merges mixes of separate batches into the mix of the whole', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 10 })), fc.array(fc.integer({ min: 0, max: 10 })), (a, b) => {
        const ma = emptyMix();
        const mb = emptyMix();
        const all = emptyMix();
        a.forEach((x) => addToMix(ma, x));
        b.forEach((x) => addToMix(mb, x));
        [...a, ...b].forEach((x) => addToMix(all, x));
        expect(mergeMix(ma, mb)).toEqual(all);
      }),
    );
  });
});
